//! A segment's make-up against the whole customer base: for each
//! dimension the data carries about where customers are (country of their
//! orders, region of the customers export), each value's share inside the
//! segment beside its share overall, and a warning where a value is
//! strongly under- or over-represented, so a campaign does not quietly
//! leave a region out or target one. Nothing is inferred: no gender or
//! other sensitive trait is guessed from names or anything else.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::pipeline::Analysis;

/// Values shown per dimension (the rest are summed as "other").
const SHOWN: usize = 6;
/// A value is checked when it holds at least this share of the base …
const MIN_BASE_SHARE: f64 = 0.05;
/// … and the segment would hold at least this many of it in proportion.
const MIN_EXPECTED: f64 = 10.0;
/// Inside the segment at under half or over twice its share overall.
const UNDER: f64 = 0.5;
const OVER: f64 = 2.0;

/// One value of a dimension (a country, a region).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub value: String,
    pub in_segment: u64,
    pub in_base: u64,
    pub segment_share: f64,
    pub base_share: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dimension {
    /// "country", "region".
    pub name: String,
    /// Largest in the base first; customers without a value are left out
    /// of the shares and counted in `unknown`.
    pub parts: Vec<Part>,
    pub unknown_in_segment: u64,
    pub warnings: Vec<String>,
}

/// A customer's value of a dimension, and what qualifies it (a region's
/// country): borrowed, since the check runs on every keystroke of the
/// segment editor over every customer.
type ValueOf<'a> = &'a dyn Fn(usize) -> Option<(&'a str, Option<&'a str>)>;

/// The attributes that pick a dimension: a segment chosen by country is
/// meant to be all one country, so that dimension gets no warnings.
const DEFINED_BY: [(&str, &[&str]); 2] = [
    ("country", &["customer_countries", "country"]),
    ("region", &["customer_regions"]),
];

/// The make-up of the segment `members` (one flag per customer) chosen by
/// `query`.
pub fn make_up(analysis: &Analysis, query: &str, members: &[bool]) -> Vec<Dimension> {
    let c = &analysis.customers;
    let country = |i: usize| c.country[i].map(|l| (analysis.sales.labels.name(l), None));
    let region = |i: usize| {
        c.profile(i)
            .and_then(|p| Some((p.province_code.as_deref()?, p.country_code.as_deref())))
    };
    let dimensions: [(&str, ValueOf<'_>); 2] = [("country", &country), ("region", &region)];
    let words: Vec<String> = super::lexer::tokens(query)
        .map(|tokens| {
            tokens
                .into_iter()
                .filter_map(|t| match t.token {
                    super::lexer::Token::Word(w) => Some(w.to_lowercase()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    dimensions
        .iter()
        .filter_map(|(name, value)| {
            let mut d = dimension(name, members, c.len(), value)?;
            let chosen_by = DEFINED_BY
                .iter()
                .find(|(dim, _)| dim == name)
                .is_some_and(|(_, attrs)| attrs.iter().any(|a| words.iter().any(|w| w == a)));
            if chosen_by {
                d.warnings.clear();
            }
            Some(d)
        })
        .collect()
}

fn dimension(
    name: &str,
    members: &[bool],
    customers: usize,
    value: ValueOf<'_>,
) -> Option<Dimension> {
    let mut counts: BTreeMap<(&str, Option<&str>), (u64, u64)> = BTreeMap::new();
    let mut unknown_in_segment = 0;
    for i in 0..customers {
        let inside = members.get(i).copied().unwrap_or(false);
        match value(i) {
            Some(v) => {
                let entry = counts.entry(v).or_default();
                entry.1 += 1;
                entry.0 += u64::from(inside);
            }
            None => unknown_in_segment += u64::from(inside),
        }
    }
    // One value says nothing about make-up.
    if counts.len() < 2 {
        return None;
    }
    let segment_total: u64 = counts.values().map(|c| c.0).sum();
    let base_total: u64 = counts.values().map(|c| c.1).sum();
    let share = |n: u64, total: u64| {
        if total > 0 {
            n as f64 / total as f64
        } else {
            0.0
        }
    };
    let mut parts: Vec<Part> = counts
        .into_iter()
        .map(|((value, qualifier), (inside, base))| Part {
            value: match qualifier {
                Some(q) => format!("{value} ({q})"),
                None => value.to_string(),
            },
            in_segment: inside,
            in_base: base,
            segment_share: share(inside, segment_total),
            base_share: share(base, base_total),
        })
        .collect();
    parts.sort_by(|a, b| b.in_base.cmp(&a.in_base).then(a.value.cmp(&b.value)));
    let warnings = parts
        .iter()
        .filter(|p| {
            p.base_share >= MIN_BASE_SHARE && p.base_share * segment_total as f64 >= MIN_EXPECTED
        })
        .filter_map(|p| {
            let ratio = p.segment_share / p.base_share;
            let words = if ratio < UNDER {
                "under-represented"
            } else if ratio > OVER {
                "over-represented"
            } else {
                return None;
            };
            Some(format!(
                "{} {words}: {:.1} % of the segment against {:.1} % of all customers ({name}).",
                p.value,
                p.segment_share * 100.0,
                p.base_share * 100.0
            ))
        })
        .collect();
    if parts.len() > SHOWN {
        let rest = parts.split_off(SHOWN - 1);
        let (inside, base) = rest
            .iter()
            .fold((0, 0), |(a, b), p| (a + p.in_segment, b + p.in_base));
        parts.push(Part {
            value: format!("{} others", rest.len()),
            in_segment: inside,
            in_base: base,
            segment_share: share(inside, segment_total),
            base_share: share(base, base_total),
        });
    }
    Some(Dimension {
        name: name.to_string(),
        parts,
        unknown_in_segment,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 100 customers: 60 in DE, 30 in FR, 10 in IT; one without a country.
    fn countries(i: usize) -> Option<(&'static str, Option<&'static str>)> {
        match i {
            0..60 => Some(("DE", None)),
            60..90 => Some(("FR", None)),
            90..100 => Some(("IT", None)),
            _ => None,
        }
    }

    #[test]
    fn a_segment_without_a_country_is_flagged() {
        // Everyone in DE and IT, nobody in FR.
        let members: Vec<bool> = (0..101)
            .map(|i| !(60..90).contains(&i) || i == 100)
            .collect();
        let d = dimension("country", &members, 101, &countries).expect("two countries or more");
        let fr = d.parts.iter().find(|p| p.value == "FR").expect("FR");
        assert_eq!((fr.in_segment, fr.in_base), (0, 30));
        assert_eq!(d.unknown_in_segment, 1);
        assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
        assert!(
            d.warnings[0].starts_with("FR under-represented: 0.0 %"),
            "{:?}",
            d.warnings
        );
    }

    #[test]
    fn a_proportional_segment_has_no_warning() {
        let members: Vec<bool> = (0..101).map(|i| i % 2 == 0).collect();
        let d = dimension("country", &members, 101, &countries).expect("countries");
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        let shares: f64 = d.parts.iter().map(|p| p.segment_share).sum();
        assert!((shares - 1.0).abs() < 1e-12);
    }

    #[test]
    fn small_groups_and_small_segments_are_not_judged() {
        // Only IT (10 % of the base) but the segment is 5 customers: IT
        // would be expected 0.5 times, too few to call it anything.
        let members: Vec<bool> = (0..101).map(|i| (90..95).contains(&i)).collect();
        let d = dimension("country", &members, 101, &countries).expect("countries");
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    }
}
