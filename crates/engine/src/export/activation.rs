//! Files for the marketing platforms, in their exact layouts (Shopify tag
//! write-back, Klaviyo profiles, Meta, Google Ads and TikTok audiences) and
//! plain CSV / JSON of the segments. Contact details are normalised and
//! hashed here, before anything is written. Marketing files leave out
//! customers whose data says they did not consent, and every file reports
//! how many were left out and why.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::csv_writer::{safe_text, write_record};
use super::customers_csv::write_customer_rows;
use super::normalise as n;
use crate::pipeline::Analysis;
use crate::segments::campaign::{Arm, Holdout};
use crate::segments::Segment;

/// A platform file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Shopify,
    Klaviyo,
    Meta,
    Google,
    Tiktok,
    Csv,
    Json,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Shopify,
        Format::Klaviyo,
        Format::Meta,
        Format::Google,
        Format::Tiktok,
        Format::Csv,
        Format::Json,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Format::Shopify => "shopify",
            Format::Klaviyo => "klaviyo",
            Format::Meta => "meta",
            Format::Google => "google",
            Format::Tiktok => "tiktok",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    pub fn file_name(self) -> &'static str {
        match self {
            Format::Shopify => "shopify_customer_tags.csv",
            Format::Klaviyo => "klaviyo_profiles.csv",
            Format::Meta => "meta_customer_list.csv",
            Format::Google => "google_customer_match.csv",
            Format::Tiktok => "tiktok_customer_file.csv",
            Format::Csv => "segment_customers.csv",
            Format::Json => "segment_customers.json",
        }
    }

    /// `shopify,klaviyo,…` as formats; the unknown name when one is.
    pub fn parse_list(list: &str) -> Result<Vec<Format>, String> {
        list.split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| {
                Format::ALL
                    .into_iter()
                    .find(|f| f.key() == k)
                    .ok_or_else(|| k.to_string())
            })
            .collect()
    }

    /// Files for ad platforms: only the segments' members, hashed.
    fn is_audience(self) -> bool {
        matches!(self, Format::Meta | Format::Google | Format::Tiktok)
    }

    /// Files used to send marketing: consent is respected.
    fn is_marketing(self) -> bool {
        matches!(
            self,
            Format::Klaviyo | Format::Meta | Format::Google | Format::Tiktok
        )
    }
}

/// What an export holds, and what it left out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportReport {
    pub format: Format,
    pub file_name: String,
    pub rows: u64,
    /// Customers of the audience left out, by reason.
    pub left_out: BTreeMap<String, u64>,
}

/// Tags namespaces this product writes (and replaces on each export).
const OUR_TAGS: [&str; 4] = ["seg:", "rfm:", "clv:", "cluster:"];
/// Shopify keeps at most this many tags per customer.
const MAX_TAGS: usize = 250;

/// `seg:` tag of a segment name: lower case, runs of other characters as `-`.
fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' {
            s.push(c);
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    s.trim_matches('-').to_string()
}

/// A member's arm in segment `s`, when a holdout is set.
fn arm(holdout: Option<&Holdout>, a: &Analysis, s: &Segment, i: usize) -> Option<Arm> {
    let h = holdout?;
    s.members[i].then(|| h.arm(&s.definition.name, &a.customers.id[i]))
}

/// Writes `format` for `analysis`; `segments` choose the audience of the ad
/// platform and plain files (their members together; everyone when there
/// are none) and add tags or columns to the others. With a `holdout`, ad
/// audiences hold only the treatment group, and the other files say each
/// member's group.
pub fn write_export<W: Write>(
    format: Format,
    analysis: &Analysis,
    segments: &[Segment],
    holdout: Option<&Holdout>,
    out: &mut W,
) -> io::Result<ExportReport> {
    let c = &analysis.customers;
    let in_audience = |i: usize| {
        if !(format.is_audience() || matches!(format, Format::Csv | Format::Json))
            || segments.is_empty()
        {
            return true;
        }
        segments.iter().any(|s| match arm(holdout, analysis, s, i) {
            Some(a) => a == Arm::Treatment || !format.is_audience(),
            None => s.members[i],
        })
    };
    let mut left_out: BTreeMap<String, u64> = BTreeMap::new();
    let mut skip = |why: &str| *left_out.entry(why.to_string()).or_default() += 1;
    let mut rows = 0u64;
    let audience: Vec<usize> = (0..c.len()).filter(|&i| in_audience(i)).collect();
    match format {
        Format::Csv => {
            rows = write_customer_rows(analysis, segments, holdout, &audience, out)? as u64;
        }
        Format::Json => {
            #[derive(Serialize)]
            struct Row<'a> {
                #[serde(flatten)]
                customer: crate::customer_rows::CustomerRow,
                segments: Vec<&'a str>,
                /// Each segment's group, with a holdout.
                #[serde(skip_serializing_if = "BTreeMap::is_empty")]
                groups: BTreeMap<&'a str, &'static str>,
            }
            let customers: Vec<Row<'_>> = audience
                .iter()
                .map(|&i| Row {
                    customer: analysis.customer_row(i),
                    segments: segments
                        .iter()
                        .filter(|s| s.members[i])
                        .map(|s| s.definition.name.as_str())
                        .collect(),
                    groups: segments
                        .iter()
                        .filter_map(|s| {
                            Some((
                                s.definition.name.as_str(),
                                arm(holdout, analysis, s, i)?.code(),
                            ))
                        })
                        .collect(),
                })
                .collect();
            rows = customers.len() as u64;
            let names: Vec<&str> = segments
                .iter()
                .map(|s| s.definition.name.as_str())
                .collect();
            serde_json::to_writer_pretty(
                &mut *out,
                &serde_json::json!({"segments": names, "customers": customers}),
            )?;
            out.write_all(b"\n")?;
        }
        _ => {
            write_record(out, header(format, segments).as_slice())?;
            for &i in &audience {
                let profile = c.profile(i);
                if format.is_marketing()
                    && profile.and_then(|p| p.accepts_email_marketing) == Some(false)
                {
                    skip("no marketing consent");
                    continue;
                }
                match row(format, analysis, segments, holdout, i) {
                    Some(fields) => {
                        write_record(out, &fields)?;
                        rows += 1;
                    }
                    None => skip(if format.is_audience() {
                        "no email or phone to match"
                    } else {
                        "no email"
                    }),
                }
            }
        }
    }
    Ok(ExportReport {
        format,
        file_name: format.file_name().to_string(),
        rows,
        left_out,
    })
}

/// Product names `;`-separated, as the CLI contract writes them (a `;`
/// inside a name becomes `,`, so the list splits back into the names).
pub(crate) fn product_list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let joined = names
        .map(|n| n.replace(';', ","))
        .collect::<Vec<_>>()
        .join(";");
    safe_text(&joined).into_owned()
}

fn header(format: Format, segments: &[Segment]) -> Vec<String> {
    let fixed: &[&str] = match format {
        Format::Shopify => &["Email", "Tags"],
        Format::Klaviyo => &[
            "Email",
            "Phone Number",
            "First Name",
            "Last Name",
            "City",
            "Region",
            "Country",
            "Zip",
            "Email Marketing Consent",
            "SMS Marketing Consent",
            "rfm_group",
            "predicted_clv",
            "churn_probability",
            "p_alive",
            "expected_next_order",
            "predicted_spend_tier",
            "cluster_name",
            "recommended_products",
            "replenishment_due",
        ],
        Format::Meta => &[
            "email", "phone", "fn", "ln", "ct", "st", "zip", "country", "value",
        ],
        Format::Google => &[
            "Email",
            "Phone",
            "First Name",
            "Last Name",
            "Country",
            "Zip",
        ],
        Format::Tiktok => &["Email_SHA256", "Phone_SHA256"],
        Format::Csv | Format::Json => &[],
    };
    let mut header: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
    if format == Format::Klaviyo {
        header.extend(
            segments
                .iter()
                .map(|s| safe_text(&s.definition.name).into_owned()),
        );
    }
    header
}

/// One customer's fields, or `None` when they cannot be matched.
fn row(
    format: Format,
    a: &Analysis,
    segments: &[Segment],
    holdout: Option<&Holdout>,
    i: usize,
) -> Option<Vec<String>> {
    let c = &a.customers;
    let profile = c.profile(i);
    let email = c.email[i].as_deref();
    let country_code: Option<String> = profile
        .and_then(|p| p.country_code.as_deref())
        .and_then(n::country)
        .or_else(|| c.country[i].and_then(|l| n::country(a.sales.labels.name(l))));
    let country = country_code.as_deref();
    // Audiences use a phone only where SMS consent is not refused.
    let phone = profile
        .filter(|p| p.accepts_sms_marketing != Some(false))
        .and_then(|p| p.phone.as_deref());
    let first = profile.and_then(|p| p.first_name.as_deref());
    let last = profile.and_then(|p| p.last_name.as_deref());
    let hash = |v: Option<String>| v.map(|v| n::sha256_hex(&v)).unwrap_or_default();
    let score = &a.predictions.scores[i];
    match format {
        Format::Shopify => {
            let email = email?;
            let mut tags: Vec<String> = profile
                .and_then(|p| p.tags.as_deref())
                .map(|t| {
                    t.split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty() && !OUR_TAGS.iter().any(|ns| t.starts_with(ns)))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            let mut ours = vec![format!("rfm:{}", a.rfm.group[i].code().to_lowercase())];
            if let Some(tier) = score.predicted_spend_tier {
                ours.push(format!("clv:{}", tier.code().to_lowercase()));
            }
            if let Some(id) = a.clustering.labels[i] {
                ours.push(format!("cluster:{id}"));
            }
            for s in segments.iter().filter(|s| s.members[i]) {
                ours.push(format!("seg:{}", slug(&s.definition.name)));
                // Control members are tagged so that flows can skip them.
                if arm(holdout, a, s, i) == Some(Arm::Control) {
                    ours.push(format!("seg:{}:control", slug(&s.definition.name)));
                }
            }
            tags.truncate(MAX_TAGS.saturating_sub(ours.len()));
            tags.extend(ours);
            Some(vec![
                safe_text(email).into_owned(),
                safe_text(&tags.join(", ")).into_owned(),
            ])
        }
        Format::Klaviyo => {
            let email = email?;
            let consent = |v: Option<bool>| match v {
                Some(true) => "Subscribed",
                Some(false) => "Unsubscribed",
                None => "",
            };
            let text = |v: Option<&str>| v.map(|t| safe_text(t).into_owned()).unwrap_or_default();
            let number =
                |v: Option<f64>, d: usize| v.map(|v| format!("{v:.d$}")).unwrap_or_default();
            let mut fields = vec![
                safe_text(email).into_owned(),
                // Klaviyo carries the SMS consent beside the number.
                profile
                    .and_then(|p| p.phone.as_deref())
                    .and_then(|p| n::phone_e164(p, country))
                    .unwrap_or_default(),
                text(first),
                text(last),
                text(profile.and_then(|p| p.city.as_deref())),
                text(profile.and_then(|p| p.province_code.as_deref())),
                country_code
                    .clone()
                    .map(|c| c.to_uppercase())
                    .unwrap_or_default(),
                text(
                    profile
                        .and_then(|p| p.zip.as_deref())
                        .map(|z| z.trim_start_matches('\'')),
                ),
                consent(profile.and_then(|p| p.accepts_email_marketing)).to_string(),
                consent(profile.and_then(|p| p.accepts_sms_marketing)).to_string(),
                a.rfm.group[i].code().to_string(),
                number(score.predicted_clv_12m, 2),
                number(score.churn_probability(), 4),
                number(score.p_alive, 4),
                score
                    .expected_next_order
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                score
                    .predicted_spend_tier
                    .map(|t| t.code().to_string())
                    .unwrap_or_default(),
                text(
                    a.clustering.labels[i]
                        .and_then(|id| a.clustering.summary.clusters.iter().find(|c| c.id == id))
                        .map(|c| c.name.as_str()),
                ),
                // What to offer and what is running out, for flows.
                product_list(a.interest.recommended(i).map(|p| a.sales.labels.name(p))),
                product_list(
                    a.interest
                        .replenishment
                        .due_for(i as u32)
                        .iter()
                        .map(|d| a.sales.labels.name(d.product)),
                ),
            ];
            fields.extend(segments.iter().map(|s| match holdout {
                Some(_) => arm(holdout, a, s, i).map_or(String::new(), |g| g.code().to_string()),
                None => s.members[i].to_string(),
            }));
            Some(fields)
        }
        Format::Meta => {
            let email = email.and_then(n::email);
            let phone = phone.and_then(|p| n::phone_digits(p, country));
            if email.is_none() && phone.is_none() {
                return None;
            }
            let us = country == Some("us");
            Some(vec![
                hash(email),
                hash(phone),
                hash(first.and_then(n::letters)),
                hash(last.and_then(n::letters)),
                hash(profile.and_then(|p| p.city.as_deref()).and_then(n::letters)),
                hash(
                    profile
                        .and_then(|p| p.province_code.as_deref())
                        .filter(|_| us)
                        .and_then(n::state),
                ),
                hash(
                    profile
                        .and_then(|p| p.zip.as_deref())
                        .and_then(|z| n::zip(z, country)),
                ),
                hash(country_code.clone()),
                score
                    .predicted_clv_12m
                    .map(|v| format!("{v:.2}"))
                    .unwrap_or_default(),
            ])
        }
        Format::Google => {
            let email = email.and_then(n::email);
            let phone = phone.and_then(|p| n::phone_e164(p, country));
            if email.is_none() && phone.is_none() {
                return None;
            }
            Some(vec![
                hash(email),
                hash(phone),
                hash(first.and_then(n::name_no_spaces)),
                hash(last.and_then(n::name_no_spaces)),
                country_code
                    .clone()
                    .map(|c| c.to_uppercase())
                    .unwrap_or_default(),
                profile
                    .and_then(|p| p.zip.as_deref())
                    .map(|z| safe_text(z.trim().trim_start_matches('\'')).into_owned())
                    .unwrap_or_default(),
            ])
        }
        Format::Tiktok => {
            let email = email.and_then(n::email_without_tag);
            let phone = phone.and_then(|p| n::phone_digits(p, country));
            if email.is_none() && phone.is_none() {
                return None;
            }
            Some(vec![hash(email), hash(phone)])
        }
        Format::Csv | Format::Json => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segments::{build, SegmentDefinition};

    fn shop() -> Analysis {
        crate::pipeline::small_shop()
    }

    fn export(format: Format, a: &Analysis, segments: &[Segment]) -> (String, ExportReport) {
        let mut bytes = Vec::new();
        let report = write_export(format, a, segments, None, &mut bytes).expect("writes");
        (String::from_utf8(bytes).expect("utf8"), report)
    }

    #[test]
    fn every_format_has_its_platform_layout() {
        let a = shop();
        let segments = build(
            &a,
            &[SegmentDefinition {
                name: "Big Spenders!".into(),
                query: "amount_spent > 100".into(),
            }],
        )
        .expect("segment");
        // Shopify: our namespaced tags merged after the shop's own.
        let (csv, report) = export(Format::Shopify, &a, &segments);
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("Email,Tags"));
        let ann = lines.next().expect("ann");
        assert!(
            ann.starts_with("ann@example.com,\"vip, wholesale, rfm:"),
            "{ann}"
        );
        assert!(ann.ends_with(", seg:big-spenders\""), "{ann}");
        assert_eq!(report.left_out.get("no email"), Some(&1), "{report:?}");
        // Klaviyo: Email first; ben and hana said no to email marketing.
        let (csv, report) = export(Format::Klaviyo, &a, &segments);
        assert!(csv.starts_with("Email,Phone Number,First Name,Last Name,City,Region,Country,Zip,Email Marketing Consent,SMS Marketing Consent,rfm_group,"));
        assert!(csv
            .lines()
            .next()
            .expect("header")
            .ends_with(",cluster_name,recommended_products,replenishment_due,Big Spenders!"));
        let ann = csv.lines().nth(1).expect("ann");
        assert!(ann.starts_with("ann@example.com,+15035550101,Ann,Smith,Portland,OR,US,97205,Subscribed,Unsubscribed,LOYAL,"), "{ann}");
        assert!(ann.ends_with(",true"), "{ann}");
        assert_eq!(
            report.left_out.get("no marketing consent"),
            Some(&3),
            "{report:?}"
        );
        // Meta: hashed, the audience is the segment's members (ann only).
        let (csv, report) = export(Format::Meta, &a, &segments);
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("email,phone,fn,ln,ct,st,zip,country,value")
        );
        let fields: Vec<&str> = lines.next().expect("ann").split(',').collect();
        assert_eq!(fields[0], n::sha256_hex("ann@example.com"));
        // ann refused SMS marketing: no phone.
        assert_eq!(fields[1], "");
        assert_eq!(fields[2], n::sha256_hex("ann"));
        assert_eq!(fields[3], n::sha256_hex("smith"));
        assert_eq!(fields[4], n::sha256_hex("portland"));
        assert_eq!(fields[5], n::sha256_hex("or"));
        assert_eq!(fields[6], n::sha256_hex("97205"));
        assert_eq!(fields[7], n::sha256_hex("us"));
        assert!(fields[8].parse::<f64>().is_ok(), "value = predicted CLV");
        assert_eq!(report.rows, 1);
        // Google: Country and Zip in clear.
        let (csv, _) = export(Format::Google, &a, &segments);
        let ann: Vec<&str> = csv.lines().nth(1).expect("ann").split(',').collect();
        assert_eq!(&ann[4..], ["US", "97205"]);
        assert_eq!(ann[0], n::sha256_hex("ann@example.com"));
        // TikTok: two hashed columns.
        let (csv, _) = export(Format::Tiktok, &a, &segments);
        assert_eq!(csv.lines().next(), Some("Email_SHA256,Phone_SHA256"));
        // Plain CSV and JSON: the members with every field.
        let (csv, report) = export(Format::Csv, &a, &segments);
        assert_eq!(report.rows, 1);
        assert!(csv
            .lines()
            .next()
            .expect("header")
            .ends_with(",refund_rate,top_categories,Big Spenders!"));
        let (json, _) = export(Format::Json, &a, &segments);
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(v["customers"][0]["segments"][0], "Big Spenders!");
        assert_eq!(v["customers"][0]["customer_id"], "8779761975521");
    }

    #[test]
    fn formats_parse_from_the_cli_list() {
        assert_eq!(
            Format::parse_list("meta, csv"),
            Ok(vec![Format::Meta, Format::Csv])
        );
        assert_eq!(Format::parse_list("meta,fax"), Err("fax".to_string()));
        assert_eq!(slug(" VIP — 2025 "), "vip-2025");
    }
}
