//! What the segment editor offers for one analysis: ready segments
//! (templates, each an editable query with thresholds from this store's
//! own figures and a recommended action), the attributes with whether the
//! data has them, and the values to complete.

use serde::{Deserialize, Serialize};

use super::attributes::{self, Kind, ATTRIBUTES};
use super::members;
use crate::pipeline::Analysis;

/// A ready segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub key: String,
    pub name: String,
    pub query: String,
    /// Where to reach them and what to say.
    pub channel: String,
    pub action: String,
    /// Members in this store.
    pub count: u64,
}

/// An attribute as the editor lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttributeHelp {
    pub name: String,
    pub kind: String,
    pub about: String,
    pub shopify: bool,
    /// Why this data cannot answer it, when it cannot.
    pub missing: Option<String>,
    /// Values to complete after `=` or `CONTAINS` (enums, and the store's
    /// own tags, countries, cluster names, products, categories).
    pub values: Vec<String>,
}

/// Everything the editor needs for one analysis.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Library {
    pub templates: Vec<Template>,
    pub attributes: Vec<AttributeHelp>,
    /// Product names and categories, for `products_purchased MATCHES`.
    pub products: Vec<String>,
    pub categories: Vec<String>,
}

/// Values listed per attribute at most.
const VALUES: usize = 60;

/// The `q`-quantile of the positive values (0 when none).
fn quantile(mut values: Vec<f64>, q: f64) -> f64 {
    values.retain(|v| v.is_finite() && *v > 0.0);
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[((values.len() - 1) as f64 * q).round() as usize]
}

/// A money threshold rounded to something a merchant would type.
fn round_amount(v: f64) -> String {
    let step = if v >= 1000.0 {
        50.0
    } else if v >= 100.0 {
        10.0
    } else {
        1.0
    };
    format!("{}", ((v / step).round() * step).max(step))
}

impl Library {
    pub fn of(analysis: &Analysis) -> Library {
        let c = &analysis.customers;
        let spend: Vec<f64> = (0..c.len())
            .filter(|&i| c.is_buyer(i))
            .map(|i| c.revenue[i])
            .collect();
        let high = round_amount(quantile(spend.clone(), 0.8));
        let vip = round_amount(quantile(spend, 0.9));
        let clv = round_amount(quantile(
            analysis
                .predictions
                .scores
                .iter()
                .filter_map(|s| s.predicted_clv_12m)
                .collect(),
            0.8,
        ));
        let top_category = analysis
            .clustering
            .summary
            .categories
            .first()
            .cloned()
            .or_else(|| categories(analysis).into_iter().next());
        let mut specs: Vec<(&str, &str, String, &str, &str)> = vec![
            ("high_value", "High-value customers", format!("amount_spent >= {high}"), "Email", "Thank them with early access to new products; no discount needed."),
            ("vip", "VIP", format!("rfm_group = 'CHAMPIONS' AND amount_spent >= {vip}"), "Email + SMS", "A personal note, a gift with the next order, and a request for a review."),
            ("repeat", "Repeat customers", "number_of_orders >= 2".to_string(), "Email", "Loyalty programme invitation; recommend what buyers like them buy next."),
            ("first_time", "First-time buyers", "number_of_orders = 1".to_string(), "Email", "A welcome series that leads to the second order (how-to, reviews, a small incentive after 3 weeks)."),
            ("new", "New customers (30 days)", "first_order_date >= -30d".to_string(), "Email", "Onboarding: make sure the first order arrived well; introduce the range."),
            ("at_risk", "At risk", "rfm_group = 'AT_RISK' OR rfm_group = 'PREVIOUSLY_LOYAL'".to_string(), "Email + Meta", "Win-back: what is new since they last bought, with a time-limited offer."),
            ("likely_churners", "Likely churners", "churn_probability >= 0.7 AND number_of_orders >= 2".to_string(), "Email + Meta", "A strong win-back offer now, before they are gone; ask what went wrong."),
            ("inactive", "Inactive (6 months)", "last_order_date < -180d".to_string(), "Email", "A low-cost reactivation series; stop mailing those who never open."),
            ("discount_sensitive", "Deal seekers", "discount_share >= 0.5 AND number_of_orders >= 2".to_string(), "Email + SMS", "Reach them in sales; keep them off full-price campaigns to protect margin."),
            ("full_price", "Full-price buyers", "discount_share = 0 AND number_of_orders >= 2".to_string(), "Email", "New arrivals and bundles; avoid training them to wait for discounts."),
            ("high_clv", "High predicted value", format!("predicted_clv >= {clv}"), "Meta + Google lookalikes", "Use as the seed of value-based lookalike audiences; treat like VIPs."),
            ("buy_soon", "Likely to buy in 14 days", "expected_next_order <= +14d AND p_alive >= 0.5".to_string(), "Email", "A timely reminder or replenishment nudge, no discount."),
            ("replenishment_due", "Replenishment due", "replenishment_due IS NOT NULL".to_string(), "Email + SMS", "Remind them of the product they are about to run out of, with a one-click reorder; no discount needed."),
            ("cart_abandoners", "Cart abandoners (14 days)", "cart_abandonment_rate > 0 AND last_active_date >= -14d".to_string(), "Email + SMS", "A cart reminder within a day, with reviews of what they left."),
            ("checkout_abandoners", "Checkout abandoners", "checkouts_begun >= 1 AND cart_abandonment_rate >= 0.5".to_string(), "Email", "Ask what stopped them (shipping cost, payment) and answer it."),
        ];
        let category_query;
        if let Some(category) = &top_category {
            category_query = format!(
                "products_purchased MATCHES (category = '{}')",
                category.replace('\'', "\\'")
            );
            specs.insert(
                10,
                ("category_buyers", "Category buyers", category_query, "Email + Meta", "New products and cross-sells from the category they buy; swap in another category in the query."),
            );
        }
        let templates = specs
            .into_iter()
            .filter_map(|(key, name, query, channel, action)| {
                // A template the data cannot answer (no events, no models)
                // is left out rather than shown broken.
                let m = members(analysis, &query).ok()?;
                Some(Template {
                    key: key.to_string(),
                    name: name.to_string(),
                    count: m.iter().filter(|&&x| x).count() as u64,
                    query,
                    channel: channel.to_string(),
                    action: action.to_string(),
                })
            })
            .collect();
        let attributes = ATTRIBUTES
            .iter()
            .map(|a| AttributeHelp {
                name: a.name.to_string(),
                kind: a.kind.describe().to_string(),
                about: a.about.to_string(),
                shopify: a.shopify,
                missing: attributes::missing(a.needs, analysis).map(str::to_string),
                values: match a.kind {
                    Kind::Enum(values) => values.iter().map(|v| v.to_string()).collect(),
                    _ => store_values(a.name, analysis),
                },
            })
            .collect();
        Library {
            templates,
            attributes,
            products: top_labels(analysis, |item| Some(item.product)),
            categories: categories(analysis),
        }
    }
}

fn categories(analysis: &Analysis) -> Vec<String> {
    top_labels(analysis, |item| item.category.get())
}

/// The most sold labels of the product lines (by lines), best first.
fn top_labels(
    analysis: &Analysis,
    pick: impl Fn(&crate::sales::SoldItem) -> Option<u32>,
) -> Vec<String> {
    let mut counts: rustc_hash::FxHashMap<u32, u64> = Default::default();
    for item in &analysis.sales.items {
        if let Some(label) = pick(item) {
            *counts.entry(label).or_default() += 1;
        }
    }
    let mut ranked: Vec<(u32, u64)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked
        .into_iter()
        .take(VALUES)
        .map(|(l, _)| analysis.sales.labels.name(l).to_string())
        .collect()
}

/// The store's own values of a text or list attribute, most common first.
fn store_values(name: &str, analysis: &Analysis) -> Vec<String> {
    let Some(attribute) = attributes::find(name) else {
        return Vec::new();
    };
    if !matches!(attribute.kind, Kind::List | Kind::Text)
        || matches!(name, "customer_id" | "email")
        || attributes::missing(attribute.needs, analysis).is_some()
    {
        return Vec::new();
    }
    let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
    for i in 0..analysis.customers.len() {
        match attributes::field(attribute.attr, analysis, i) {
            attributes::Field::Text(t) => *counts.entry(t.into_owned()).or_default() += 1,
            attributes::Field::List(list) => {
                for t in list {
                    *counts.entry(t.into_owned()).or_default() += 1;
                }
            }
            _ => {}
        }
    }
    let mut ranked: Vec<(String, u64)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.into_iter().take(VALUES).map(|(v, _)| v).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::DemoStore;
    use crate::pipeline::{analyze_bytes, Options};

    #[test]
    fn the_demo_store_gets_working_templates_and_help() {
        let analysis = analyze_bytes(
            "demo.csv",
            &DemoStore::default().generate(),
            &Options::default(),
        )
        .expect("analyses");
        let library = Library::of(&analysis);
        let keys: Vec<&str> = library.templates.iter().map(|t| t.key.as_str()).collect();
        for key in [
            "high_value",
            "vip",
            "repeat",
            "first_time",
            "at_risk",
            "likely_churners",
            "category_buyers",
            "buy_soon",
        ] {
            assert!(keys.contains(&key), "{key} in {keys:?}");
        }
        // No events in the demo store: the abandoner templates are left out.
        assert!(!keys.contains(&"cart_abandoners"));
        for t in &library.templates {
            let m = members(&analysis, &t.query).expect("a template's query works");
            assert_eq!(
                m.iter().filter(|&&x| x).count() as u64,
                t.count,
                "{}",
                t.key
            );
            assert!(!t.action.is_empty() && !t.channel.is_empty());
        }
        let high = library
            .templates
            .iter()
            .find(|t| t.key == "high_value")
            .expect("high value");
        let share = high.count as f64 / analysis.customers.buyers() as f64;
        assert!((0.1..=0.3).contains(&share), "about the top fifth: {share}");
        let tags = library
            .attributes
            .iter()
            .find(|a| a.name == "customer_tags")
            .expect("tags");
        assert!(tags
            .missing
            .as_deref()
            .is_some_and(|m| m.contains("customers export")));
        let rfm = library
            .attributes
            .iter()
            .find(|a| a.name == "rfm_group")
            .expect("rfm");
        assert!(rfm.missing.is_none() && rfm.values.contains(&"CHAMPIONS".to_string()));
        let clusters = library
            .attributes
            .iter()
            .find(|a| a.name == "cluster_name")
            .expect("cluster names");
        assert_eq!(clusters.values.len(), analysis.clustering.summary.k);
        assert!(library.products.iter().any(|p| p == "Linen Throw Blanket"));
    }
}
