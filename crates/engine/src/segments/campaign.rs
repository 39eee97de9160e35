//! Campaign testing: a deterministic holdout (each member of a segment is
//! in the treatment or the control group by a hash of the seed, the
//! segment and the customer, so the split is the same every time and on
//! every machine), and, once the campaign has run, conversion and revenue
//! lift of treatment over control with 95 % confidence intervals.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Segment;
use crate::ingest::csv::CsvTokenizer;
use crate::pipeline::Analysis;

/// How a segment is split.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Holdout {
    /// Share of each segment kept out of the campaign (0–1).
    pub control_share: f64,
    pub seed: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arm {
    Treatment,
    Control,
}

impl Arm {
    pub fn code(self) -> &'static str {
        match self {
            Arm::Treatment => "treatment",
            Arm::Control => "control",
        }
    }
}

impl Holdout {
    /// The arm of `customer` (its id) in `segment`.
    pub fn arm(&self, segment: &str, customer: &str) -> Arm {
        let digest =
            Sha256::digest(format!("{}\u{1f}{segment}\u{1f}{customer}", self.seed).as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        let unit = u64::from_be_bytes(first) as f64 / (u64::MAX as f64 + 1.0);
        if unit < self.control_share {
            Arm::Control
        } else {
            Arm::Treatment
        }
    }
}

/// One customer's campaign outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Outcome {
    pub converted: bool,
    pub revenue: f64,
}

/// Why a results file cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}, line {line}{}: {message}", column.as_ref().map(|c| format!(", column {c}")).unwrap_or_default())]
pub struct ResultsError {
    pub file: String,
    pub line: u64,
    pub column: Option<String>,
    pub message: String,
}

/// Reads a results file: a header with a customer column (`customer`,
/// `customer_id` or `email`), `converted` (1/0, true/false, yes/no) and
/// optionally `revenue`. Customers are matched to the analysis by id or
/// email; rows naming no known customer are counted, not dropped silently.
pub fn read_results(
    file: &str,
    bytes: &[u8],
    analysis: &Analysis,
) -> Result<(FxHashMap<u32, Outcome>, u64), ResultsError> {
    let c = &analysis.customers;
    let mut by_key: FxHashMap<String, u32> = FxHashMap::default();
    for i in 0..c.len() {
        by_key.insert(c.id[i].to_lowercase(), i as u32);
        if let Some(e) = &c.email[i] {
            by_key.insert(e.to_lowercase(), i as u32);
        }
    }
    let mut outcomes: FxHashMap<u32, Outcome> = FxHashMap::default();
    let mut unknown = 0u64;
    let mut columns: Option<(usize, usize, Option<usize>)> = None;
    let error = |line: u64, column: Option<&str>, message: String| ResultsError {
        file: file.to_string(),
        line,
        column: column.map(str::to_string),
        message,
    };
    let mut handle = |record: crate::ingest::csv::Record<'_>| -> Result<(), ResultsError> {
        let text = |i: usize| {
            record
                .get(i)
                .map(|b| String::from_utf8_lossy(b).trim().to_string())
                .unwrap_or_default()
        };
        let Some((customer, converted, revenue)) = columns else {
            let names: Vec<String> = (0..record.len()).map(|i| text(i).to_lowercase()).collect();
            let find = |options: &[&str]| names.iter().position(|n| options.contains(&n.as_str()));
            let customer =
                find(&["customer", "customer_id", "email", "customer id"]).ok_or_else(|| {
                    error(
                        record.line,
                        None,
                        "expected a header with a customer column (customer, customer_id or email)"
                            .into(),
                    )
                })?;
            let converted = find(&["converted", "conversion"]).ok_or_else(|| {
                error(
                    record.line,
                    None,
                    "expected a header with a converted column (1/0)".into(),
                )
            })?;
            columns = Some((customer, converted, find(&["revenue", "value"])));
            return Ok(());
        };
        let key = text(customer).trim_start_matches('\'').to_lowercase();
        let converted = match text(converted).to_lowercase().as_str() {
            "1" | "true" | "yes" => true,
            "0" | "false" | "no" | "" => false,
            other => {
                return Err(error(
                    record.line,
                    Some("converted"),
                    format!("expected 1/0, true/false or yes/no, found '{other}'"),
                ))
            }
        };
        let revenue = match revenue.map(text).filter(|t| !t.is_empty()) {
            None => 0.0,
            Some(t) => t
                .replace(',', "")
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    error(
                        record.line,
                        Some("revenue"),
                        format!("expected an amount, found '{t}'"),
                    )
                })?,
        };
        match by_key.get(&key) {
            Some(&i) => {
                let o = outcomes.entry(i).or_default();
                o.converted |= converted;
                o.revenue += revenue;
            }
            None => unknown += 1,
        }
        Ok(())
    };
    let mut tokenizer = CsvTokenizer::new(b',');
    tokenizer.feed(bytes, &mut handle)?;
    tokenizer.finish(&mut handle)?;
    if columns.is_none() {
        return Err(error(
            1,
            None,
            "the file is empty; expected a header and one row per customer".into(),
        ));
    }
    Ok((outcomes, unknown))
}

/// A difference with its 95 % confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// Treatment against control for one segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lift {
    pub segment: String,
    pub treatment: u64,
    pub control: u64,
    pub treatment_rate: f64,
    pub control_rate: f64,
    /// Conversion rate difference (treatment − control), in points.
    pub conversion_lift: Estimate,
    /// Revenue per customer difference.
    pub revenue_lift: Estimate,
    pub summary: String,
}

const Z95: f64 = 1.959_963_984_540_054;

/// Lift per segment; customers without a row in the results count as not
/// converted, with no revenue.
pub fn lift(
    analysis: &Analysis,
    segments: &[Segment],
    holdout: &Holdout,
    outcomes: &FxHashMap<u32, Outcome>,
) -> Vec<Lift> {
    segments
        .iter()
        .map(|s| {
            let name = &s.definition.name;
            let mut groups: [Vec<Outcome>; 2] = [Vec::new(), Vec::new()];
            for (i, _) in s.members.iter().enumerate().filter(|(_, &m)| m) {
                let arm = holdout.arm(name, &analysis.customers.id[i]);
                let outcome = outcomes.get(&(i as u32)).copied().unwrap_or_default();
                groups[usize::from(arm == Arm::Control)].push(outcome);
            }
            let [t, c] = &groups;
            let rate = |g: &[Outcome]| g.iter().filter(|o| o.converted).count() as f64 / g.len().max(1) as f64;
            let (pt, pc) = (rate(t), rate(c));
            let se = (pt * (1.0 - pt) / t.len().max(1) as f64 + pc * (1.0 - pc) / c.len().max(1) as f64).sqrt();
            let mean_var = |g: &[Outcome]| {
                let n = g.len().max(1) as f64;
                let mean = g.iter().map(|o| o.revenue).sum::<f64>() / n;
                let var = g.iter().map(|o| (o.revenue - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
                (mean, var / n)
            };
            let ((mt, vt), (mc, vc)) = (mean_var(t), mean_var(c));
            let conversion_lift = Estimate {
                value: pt - pc,
                low: pt - pc - Z95 * se,
                high: pt - pc + Z95 * se,
            };
            let rse = (vt + vc).sqrt();
            let revenue_lift = Estimate {
                value: mt - mc,
                low: mt - mc - Z95 * rse,
                high: mt - mc + Z95 * rse,
            };
            let verdict = if c.is_empty() || t.is_empty() {
                "one of the groups is empty: no comparison".to_string()
            } else if conversion_lift.low > 0.0 {
                "the campaign raised conversion (the whole 95 % interval is above zero)".to_string()
            } else if conversion_lift.high < 0.0 {
                "the campaign lowered conversion".to_string()
            } else {
                "no clear effect on conversion: the 95 % interval includes zero".to_string()
            };
            Lift {
                segment: name.clone(),
                treatment: t.len() as u64,
                control: c.len() as u64,
                treatment_rate: pt,
                control_rate: pc,
                summary: format!(
                    "{name}: {:.1} % converted with the campaign, {:.1} % without; lift {:+.1} points (95 % interval {:+.1} to {:+.1}); {verdict}.",
                    pt * 100.0,
                    pc * 100.0,
                    conversion_lift.value * 100.0,
                    conversion_lift.low * 100.0,
                    conversion_lift.high * 100.0
                ),
                conversion_lift,
                revenue_lift,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::DemoStore;
    use crate::pipeline::{analyze_bytes, Options};
    use crate::segments::{build, SegmentDefinition};

    #[test]
    fn the_split_is_deterministic_and_near_the_share() {
        let h = Holdout {
            control_share: 0.2,
            seed: 7,
        };
        let ids: Vec<String> = (0..20_000).map(|i| format!("c{i}@x.com")).collect();
        let control = ids
            .iter()
            .filter(|id| h.arm("vip", id) == Arm::Control)
            .count();
        assert!((control as f64 / 20_000.0 - 0.2).abs() < 0.01, "{control}");
        assert_eq!(h.arm("vip", "c1@x.com"), h.arm("vip", "c1@x.com"));
        // Another seed or segment gives another split.
        let other = Holdout { seed: 8, ..h };
        assert!(ids
            .iter()
            .any(|id| h.arm("vip", id) != other.arm("vip", id)));
        // A known vector: the split must not change between versions.
        assert_eq!(h.arm("vip", "ann@example.com"), Arm::Treatment);
    }

    #[test]
    fn lift_with_intervals_from_a_results_file() {
        let analysis = analyze_bytes(
            "demo.csv",
            &DemoStore::default().generate(),
            &Options::default(),
        )
        .expect("analyses");
        let segments = build(
            &analysis,
            &[SegmentDefinition {
                name: "repeat".into(),
                query: "number_of_orders >= 2".into(),
            }],
        )
        .expect("segment");
        let holdout = Holdout {
            control_share: 0.3,
            seed: 1,
        };
        // Treatment converts 30 %, control 10 % (every third / tenth member).
        let mut csv = String::from("email,converted,revenue\n");
        let (mut t, mut c) = (0, 0);
        for (i, _) in segments[0].members.iter().enumerate().filter(|(_, &m)| m) {
            let id = &analysis.customers.id[i];
            let converted = match holdout.arm("repeat", id) {
                Arm::Treatment => {
                    t += 1;
                    t % 10 < 3
                }
                Arm::Control => {
                    c += 1;
                    c % 10 < 1
                }
            };
            csv.push_str(&format!(
                "{id},{},{}\n",
                u8::from(converted),
                if converted { "50.00" } else { "" }
            ));
        }
        csv.push_str("stranger@nowhere.com,1,10\n");
        let (outcomes, unknown) =
            read_results("results.csv", csv.as_bytes(), &analysis).expect("reads");
        assert_eq!(unknown, 1, "a row naming nobody is counted");
        let l = &lift(&analysis, &segments, &holdout, &outcomes)[0];
        assert_eq!(l.treatment + l.control, segments[0].count);
        assert!((l.conversion_lift.value - 0.2).abs() < 0.02, "{l:?}");
        assert!(
            l.conversion_lift.low > 0.1 && l.conversion_lift.high < 0.3,
            "{l:?}"
        );
        assert!((l.revenue_lift.value - 10.0).abs() < 1.5, "{l:?}");
        assert!(l.summary.contains("raised conversion"), "{}", l.summary);
        // A bad value is reported with its line and column.
        let e = read_results(
            "results.csv",
            b"email,converted\nann@x.com,maybe\n",
            &analysis,
        )
        .expect_err("bad");
        assert_eq!(e.to_string(), "results.csv, line 2, column converted: expected 1/0, true/false or yes/no, found 'maybe'");
    }
}
