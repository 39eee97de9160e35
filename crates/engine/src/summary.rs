//! The store-level summary: the `summary.json` of the CLI contract and the
//! numbers the page shows above the customer table.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::behaviour::BehaviourSummary;
use crate::cluster::ClusterSummary;
use crate::models::scores::ModelSummary;
use crate::sales::ProductSummary;

/// Best sellers listed in the summary.
const TOP_PRODUCTS: usize = 10;
use crate::date::Date;
use crate::ingest::{Exclusion, FileReport, RowIssue};
use crate::pipeline::Analysis;
use crate::rfm::RfmGroup;

/// `summary.json`. The first keys are the CLI contract's and keep its names;
/// later keys add detail for people.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub rows_read: u64,
    pub rows_used: u64,
    /// Every reason, zeros included, so the keys are the same for every file.
    pub rows_excluded: BTreeMap<Exclusion, u64>,
    /// Customers with at least one counted purchase.
    pub customers: u64,
    /// Customers a customers export names without a counted purchase.
    pub prospects: u64,
    pub orders: u64,
    pub revenue: f64,
    pub currency: Option<String>,
    pub first_order: Option<Date>,
    pub last_order: Option<Date>,
    pub as_of: Option<Date>,
    /// Customers per group, every group included.
    pub rfm_groups: BTreeMap<RfmGroup, u64>,
    /// The fitted purchase and spend models (the CLI contract's `models`).
    pub models: ModelSummary,
    /// Customer clusters (the CLI contract's `clusters`).
    pub clusters: ClusterSummary,
    /// Members per named segment (the CLI contract's `segments`).
    #[serde(default)]
    pub segments: BTreeMap<String, u64>,
    /// How the named segments overlap, and warnings (too small for a
    /// platform, near duplicates); absent without segments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_guard: Option<crate::segments::guard::Guard>,
    /// Each named segment's make-up by country and region against all
    /// customers, with warnings (the fairness check).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub segment_make_up: BTreeMap<String, Vec<crate::segments::fairness::Dimension>>,
    /// Treatment against control per segment, from a results file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub campaign: Vec<crate::segments::campaign::Lift>,
    /// Platform files written, with what each left out and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exports: Vec<crate::export::activation::ExportReport>,
    /// The segment table: one row per group, every group included.
    pub rfm_group_stats: Vec<GroupStats>,
    /// Distinct products and the best sellers, from the files' product lines.
    pub products: ProductSummary,
    /// Products with a repurchase cycle (the CLI contract's
    /// `replenishment`), by name.
    #[serde(default)]
    pub replenishment: BTreeMap<String, ReplenishmentEntry>,
    /// Cross-sells, bundles and how recommendations fared on a time split.
    #[serde(default)]
    pub interest: crate::interest::InterestSummary,
    /// Funnel friction per RFM group (with analytics events).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub funnels: Vec<crate::funnel::Funnel>,
    /// The same for each named segment.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub segment_funnels: BTreeMap<String, crate::funnel::Funnel>,
    /// Per RFM group, the products most often among its members' top
    /// recommendations (what to offer that group).
    #[serde(default)]
    pub offers_by_group: Vec<GroupOffers>,
    /// The numbers behind the page's charts (R × F grid, value spread,
    /// cohort retention).
    #[serde(default)]
    pub figures: crate::figures::Figures,
    /// Store-wide shopping behaviour from analytics events (GA4), when read.
    pub behaviour: Option<BehaviourSummary>,
    pub files: Vec<FileReport>,
    /// A first look: customers and RFM groups are final, the models,
    /// clusters and recommendations are still being worked out (the page
    /// shows this while the worker goes on; never in summary.json).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub provisional: bool,
    /// Stage timings, when the host gave a clock (not part of the contract:
    /// they differ from run to run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timings: Option<crate::pipeline::Timings>,
    /// Example problems with their file, line and column.
    pub issues: Vec<RowIssue>,
    pub warnings: Vec<String>,
}

/// One row of the segment summary table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupStats {
    pub group: RfmGroup,
    pub customers: u64,
    /// Share of customers (0–1).
    pub share: f64,
    pub revenue: f64,
    /// Share of revenue (0–1).
    pub revenue_share: f64,
    /// Mean days since the last order; `None` for an empty group.
    pub avg_recency_days: Option<f64>,
    /// Mean orders per customer; `None` for an empty group.
    pub avg_orders: Option<f64>,
    /// Revenue per order; `None` for an empty group.
    pub aov: Option<f64>,
}

/// Money rounded to cents, so that sums print as merchants write them.
pub fn cents(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

impl Summary {
    /// Summarises an analysis.
    pub fn of(analysis: &Analysis) -> Summary {
        let quality = &analysis.quality;
        let totals = &analysis.totals;
        let stats = group_stats(analysis);
        Summary {
            rows_read: quality.rows_read,
            rows_used: quality.rows_used,
            rows_excluded: Exclusion::ALL
                .iter()
                .map(|&r| (r, quality.rows_excluded.get(&r).copied().unwrap_or(0)))
                .collect(),
            customers: analysis.customers.buyers() as u64,
            prospects: (analysis.customers.len() - analysis.customers.buyers()) as u64,
            orders: totals.orders,
            revenue: cents(totals.revenue),
            currency: totals.currency.clone(),
            first_order: totals.first_order,
            last_order: totals.last_order,
            as_of: totals.as_of,
            rfm_groups: stats.iter().map(|s| (s.group, s.customers)).collect(),
            models: analysis.predictions.summary.clone(),
            clusters: analysis.clustering.summary.clone(),
            segments: BTreeMap::new(),
            segment_guard: None,
            segment_make_up: BTreeMap::new(),
            campaign: Vec::new(),
            exports: Vec::new(),
            rfm_group_stats: stats,
            products: analysis.sales.product_summary(TOP_PRODUCTS),
            figures: crate::figures::Figures::of(analysis),
            replenishment: analysis
                .interest
                .replenishment
                .cycles
                .iter()
                .map(|c| {
                    let entry = ReplenishmentEntry {
                        interval_days: c.interval_days,
                        customers: u64::from(c.repeat_customers),
                        due_customers: u64::from(c.due_customers),
                    };
                    (analysis.sales.labels.name(c.product).to_string(), entry)
                })
                .collect(),
            interest: analysis.interest.summary.clone(),
            offers_by_group: offers_by_group(analysis),
            funnels: crate::funnel::funnels(analysis),
            segment_funnels: BTreeMap::new(),
            behaviour: analysis.behaviour.clone(),
            files: quality.files.clone(),
            provisional: analysis.provisional,
            timings: analysis.timings.clone(),
            issues: quality.issues.clone(),
            warnings: quality.warnings.clone(),
        }
    }
}

/// What to offer one RFM group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupOffers {
    pub group: RfmGroup,
    /// Products and how many members have each among their first
    /// [`OFFER_DEPTH`] recommendations, most first.
    pub products: Vec<(String, u64)>,
    /// Products the group's members buy together in one order, strongest
    /// lift first (one rule per pair).
    #[serde(default)]
    pub bundles: Vec<crate::interest::Rule>,
}

/// Recommendations per customer counted for the group's offers.
pub const OFFER_DEPTH: usize = 3;
/// Products listed per group.
const OFFERS_SHOWN: usize = 3;

fn offers_by_group(analysis: &Analysis) -> Vec<GroupOffers> {
    let sales = &analysis.sales;
    // Each group's order lines, for the bundles its members buy.
    let mut lines: BTreeMap<RfmGroup, Vec<(u32, u32)>> = BTreeMap::new();
    for item in &sales.items {
        if let Some(&group) = analysis.rfm.group.get(item.customer as usize) {
            lines
                .entry(group)
                .or_default()
                .push((item.purchase, item.product));
        }
    }
    let mut bundles = |group: RfmGroup| {
        crate::interest::bundles(
            sales,
            lines.remove(&group).unwrap_or_default(),
            OFFERS_SHOWN,
        )
    };
    let mut counts: BTreeMap<RfmGroup, BTreeMap<u32, u64>> = BTreeMap::new();
    for (i, &group) in analysis.rfm.group.iter().enumerate() {
        for product in analysis.interest.recommended(i).take(OFFER_DEPTH) {
            *counts.entry(group).or_default().entry(product).or_insert(0) += 1;
        }
    }
    RfmGroup::ALL
        .iter()
        .filter_map(|&group| {
            let mut products: Vec<(u32, u64)> = counts.remove(&group)?.into_iter().collect();
            products.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            products.truncate(OFFERS_SHOWN);
            Some(GroupOffers {
                group,
                products: products
                    .into_iter()
                    .map(|(p, n)| (analysis.sales.labels.name(p).to_string(), n))
                    .collect(),
                bundles: bundles(group),
            })
        })
        .collect()
}

/// A product's repurchase cycle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplenishmentEntry {
    /// Median days between one customer's purchases of it.
    pub interval_days: f64,
    /// Customers who bought it more than once (the evidence).
    pub customers: u64,
    /// Customers due for it now or within 14 days.
    pub due_customers: u64,
}

/// Per-group sizes and value, in [`RfmGroup::ALL`] order.
pub fn group_stats(analysis: &Analysis) -> Vec<GroupStats> {
    let customers = &analysis.customers;
    let groups = &analysis.rfm.group;
    let total_customers = customers.len() as f64;
    let total_revenue: f64 = customers.revenue.iter().sum();

    #[derive(Default, Clone, Copy)]
    struct Acc {
        customers: u64,
        revenue: f64,
        orders: u64,
        /// Days since the last order, summed over buyers.
        recency: i64,
        buyers: u64,
    }
    let mut acc = [Acc::default(); RfmGroup::ALL.len()];
    for (i, &group) in groups.iter().enumerate() {
        let slot = &mut acc[group as usize];
        slot.customers += 1;
        slot.revenue += customers.revenue[i];
        slot.orders += u64::from(customers.orders[i]);
        if let Some(days) = customers.recency_days(i) {
            slot.recency += i64::from(days);
            slot.buyers += 1;
        }
    }
    RfmGroup::ALL
        .iter()
        .map(|&group| {
            let a = acc[group as usize];
            let n = a.customers as f64;
            let mean = |x: f64| (a.customers > 0).then(|| x / n);
            GroupStats {
                group,
                customers: a.customers,
                share: ratio(n, total_customers),
                revenue: cents(a.revenue),
                revenue_share: ratio(a.revenue, total_revenue),
                avg_recency_days: (a.buyers > 0).then(|| a.recency as f64 / a.buyers as f64),
                avg_orders: mean(a.orders as f64),
                aov: (a.orders > 0).then(|| cents(a.revenue / a.orders as f64)),
            }
        })
        .collect()
}

fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        part / whole
    } else {
        0.0
    }
}
