//! Customers as rows: the record behind `customers.csv` and the page's
//! customer table, with sorting, filtering and paging done here (in the
//! worker), so the page only ever holds the rows it shows.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::behaviour::Behaviour;
use crate::date::Date;
use crate::models::scores::Scores;
use crate::pipeline::Analysis;
use crate::rfm::RfmGroup;
use crate::summary::cents;

/// One customer with every per-customer field, in `customers.csv` order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerRow {
    pub customer_id: String,
    pub email: Option<String>,
    pub orders: u32,
    pub revenue: f64,
    /// Order fields are `None` for prospects (no counted order).
    pub first_order: Option<Date>,
    pub last_order: Option<Date>,
    pub recency_days: Option<i32>,
    pub frequency: u32,
    pub tenure_days: Option<i32>,
    pub aov: Option<f64>,
    pub r: Option<u8>,
    pub f: Option<u8>,
    pub m: Option<u8>,
    pub rfm_group: RfmGroup,
    /// Predictions from the fitted models (empty for prospects).
    pub scores: Scores,
    /// The customer's cluster (1-based) and its name; `None` for prospects.
    pub cluster: Option<u16>,
    pub cluster_name: Option<String>,
    /// How surely the customer belongs to that cluster (0–1, soft
    /// membership from a Gaussian mixture).
    pub cluster_probability: Option<f64>,
    /// Country of the latest order that names one, as the file writes it.
    pub country: Option<String>,
    /// Share of orders with a discount (0–1); `None` for prospects.
    pub discount_share: Option<f64>,
    /// Share of what the customer paid that was refunded (0–1).
    pub refund_rate: Option<f64>,
    /// Shopping behaviour from analytics events, when they name the customer.
    pub behaviour: Option<Behaviour>,
}

/// A column of the customer table, for sorting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerColumn {
    CustomerId,
    Email,
    Orders,
    Revenue,
    FirstOrder,
    LastOrder,
    RecencyDays,
    Frequency,
    TenureDays,
    Aov,
    R,
    F,
    M,
    RfmGroup,
    PAlive,
    ChurnProbability,
    ExpectedPurchases30d,
    ExpectedPurchases90d,
    ExpectedPurchases365d,
    PredictedClv12m,
    Purchases365dLow,
    Purchases365dHigh,
    PredictedClv12mLow,
    PredictedClv12mHigh,
    ExpectedNextOrder,
    PredictedSpendTier,
    AvgDaysBetweenOrders,
    PurchasePropensity,
    Cluster,
    ClusterName,
    ClusterProbability,
    Country,
    DiscountShare,
    RefundRate,
}

impl CustomerColumn {
    /// Every column, in `customers.csv` order.
    pub const ALL: [CustomerColumn; 34] = [
        CustomerColumn::CustomerId,
        CustomerColumn::Email,
        CustomerColumn::Orders,
        CustomerColumn::Revenue,
        CustomerColumn::FirstOrder,
        CustomerColumn::LastOrder,
        CustomerColumn::RecencyDays,
        CustomerColumn::Frequency,
        CustomerColumn::TenureDays,
        CustomerColumn::Aov,
        CustomerColumn::R,
        CustomerColumn::F,
        CustomerColumn::M,
        CustomerColumn::RfmGroup,
        CustomerColumn::PAlive,
        CustomerColumn::ChurnProbability,
        CustomerColumn::ExpectedPurchases30d,
        CustomerColumn::ExpectedPurchases90d,
        CustomerColumn::ExpectedPurchases365d,
        CustomerColumn::PredictedClv12m,
        CustomerColumn::Purchases365dLow,
        CustomerColumn::Purchases365dHigh,
        CustomerColumn::PredictedClv12mLow,
        CustomerColumn::PredictedClv12mHigh,
        CustomerColumn::ExpectedNextOrder,
        CustomerColumn::PredictedSpendTier,
        CustomerColumn::AvgDaysBetweenOrders,
        CustomerColumn::PurchasePropensity,
        CustomerColumn::Cluster,
        CustomerColumn::ClusterName,
        CustomerColumn::ClusterProbability,
        CustomerColumn::Country,
        CustomerColumn::DiscountShare,
        CustomerColumn::RefundRate,
    ];

    /// The `customers.csv` header name.
    pub fn code(self) -> &'static str {
        match self {
            CustomerColumn::CustomerId => "customer_id",
            CustomerColumn::Email => "email",
            CustomerColumn::Orders => "orders",
            CustomerColumn::Revenue => "revenue",
            CustomerColumn::FirstOrder => "first_order",
            CustomerColumn::LastOrder => "last_order",
            CustomerColumn::RecencyDays => "recency_days",
            CustomerColumn::Frequency => "frequency",
            CustomerColumn::TenureDays => "tenure_days",
            CustomerColumn::Aov => "aov",
            CustomerColumn::R => "r",
            CustomerColumn::F => "f",
            CustomerColumn::M => "m",
            CustomerColumn::RfmGroup => "rfm_group",
            CustomerColumn::PAlive => "p_alive",
            CustomerColumn::ChurnProbability => "churn_probability",
            CustomerColumn::ExpectedPurchases30d => "expected_purchases_30d",
            CustomerColumn::ExpectedPurchases90d => "expected_purchases_90d",
            CustomerColumn::ExpectedPurchases365d => "expected_purchases_365d",
            CustomerColumn::PredictedClv12m => "predicted_clv_12m",
            CustomerColumn::Purchases365dLow => "purchases_365d_low",
            CustomerColumn::Purchases365dHigh => "purchases_365d_high",
            CustomerColumn::PredictedClv12mLow => "predicted_clv_12m_low",
            CustomerColumn::PredictedClv12mHigh => "predicted_clv_12m_high",
            CustomerColumn::ExpectedNextOrder => "expected_next_order",
            CustomerColumn::PredictedSpendTier => "predicted_spend_tier",
            CustomerColumn::AvgDaysBetweenOrders => "avg_days_between_orders",
            CustomerColumn::PurchasePropensity => "purchase_propensity",
            CustomerColumn::Cluster => "cluster",
            CustomerColumn::ClusterName => "cluster_name",
            CustomerColumn::ClusterProbability => "cluster_probability",
            CustomerColumn::Country => "country",
            CustomerColumn::DiscountShare => "discount_share",
            CustomerColumn::RefundRate => "refund_rate",
        }
    }
}

/// Which customers the page asks for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerQuery {
    pub sort: CustomerColumn,
    pub descending: bool,
    /// Only customers of this group, when set.
    pub group: Option<RfmGroup>,
    pub offset: u32,
    pub limit: u32,
}

impl Default for CustomerQuery {
    fn default() -> Self {
        CustomerQuery {
            sort: CustomerColumn::Revenue,
            descending: true,
            group: None,
            offset: 0,
            limit: 25,
        }
    }
}

/// A page of customers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerPage {
    pub query: CustomerQuery,
    /// Customers matching the query's filter (all pages).
    pub total: u32,
    pub rows: Vec<CustomerRow>,
}

impl Analysis {
    /// The full row of customer `i`.
    pub fn customer_row(&self, i: usize) -> CustomerRow {
        let c = &self.customers;
        CustomerRow {
            customer_id: c.id[i].to_string(),
            email: c.email[i].as_deref().map(str::to_string),
            orders: c.orders[i],
            revenue: cents(c.revenue[i]),
            first_order: c.first_order[i],
            last_order: c.last_order[i],
            recency_days: c.recency_days(i),
            frequency: c.frequency(i),
            tenure_days: c.tenure_days(i),
            aov: c.aov(i).map(cents),
            r: self.rfm.score_of(&self.rfm.r, i),
            f: self.rfm.score_of(&self.rfm.f, i),
            m: self.rfm.score_of(&self.rfm.m, i),
            rfm_group: self.rfm.group[i],
            scores: self.predictions.scores[i],
            cluster: self.clustering.labels[i],
            cluster_name: self.clustering.labels[i].and_then(|id| {
                self.clustering
                    .summary
                    .clusters
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| c.name.clone())
            }),
            cluster_probability: self.clustering.membership[i].map(f64::from),
            country: c.country[i].map(|l| self.sales.labels.name(l).to_string()),
            discount_share: c.discount_share(i),
            refund_rate: c.refund_rate(i),
            behaviour: c.behaviour(i).copied(),
        }
    }

    /// Customer positions filtered by `group` and sorted by `column`; ties
    /// keep customer-id order so that pages are stable.
    pub fn customer_order(
        &self,
        column: CustomerColumn,
        descending: bool,
        group: Option<RfmGroup>,
    ) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.customers.len() as u32)
            .filter(|&i| group.is_none_or(|g| self.rfm.group[i as usize] == g))
            .collect();
        let compare = |a: &u32, b: &u32| {
            let ordering = self.compare(column, *a as usize, *b as usize);
            if descending {
                ordering.reverse()
            } else {
                ordering
            }
        };
        // Stable sort: equal keys stay in id order.
        order.sort_by(compare);
        order
    }

    /// Cuts a page out of an order from [`Analysis::customer_order`].
    pub fn customer_page(&self, order: &[u32], query: CustomerQuery) -> CustomerPage {
        let start = (query.offset as usize).min(order.len());
        let end = start.saturating_add(query.limit as usize).min(order.len());
        CustomerPage {
            total: order.len() as u32,
            rows: order[start..end]
                .iter()
                .map(|&i| self.customer_row(i as usize))
                .collect(),
            query,
        }
    }

    fn compare(&self, column: CustomerColumn, a: usize, b: usize) -> Ordering {
        let c = &self.customers;
        match column {
            CustomerColumn::CustomerId => c.id[a].cmp(&c.id[b]),
            CustomerColumn::Email => c.email[a].cmp(&c.email[b]),
            CustomerColumn::Orders | CustomerColumn::Frequency => c.orders[a].cmp(&c.orders[b]),
            CustomerColumn::Revenue => c.revenue[a].total_cmp(&c.revenue[b]),
            CustomerColumn::FirstOrder => c.first_order[a].cmp(&c.first_order[b]),
            CustomerColumn::LastOrder => c.last_order[a].cmp(&c.last_order[b]),
            CustomerColumn::RecencyDays => c.recency_days(a).cmp(&c.recency_days(b)),
            CustomerColumn::TenureDays => c.tenure_days(a).cmp(&c.tenure_days(b)),
            CustomerColumn::Aov => by_value(c.aov(a), c.aov(b)),
            CustomerColumn::R => self.rfm.r[a].cmp(&self.rfm.r[b]),
            CustomerColumn::F => self.rfm.f[a].cmp(&self.rfm.f[b]),
            CustomerColumn::M => self.rfm.m[a].cmp(&self.rfm.m[b]),
            CustomerColumn::RfmGroup => self.rfm.group[a].cmp(&self.rfm.group[b]),
            CustomerColumn::Country => {
                let name = |i: usize| c.country[i].map(|l| self.sales.labels.name(l));
                name(a).cmp(&name(b))
            }
            CustomerColumn::DiscountShare => by_value(c.discount_share(a), c.discount_share(b)),
            CustomerColumn::RefundRate => by_value(c.refund_rate(a), c.refund_rate(b)),
            CustomerColumn::ClusterProbability => {
                let p = &self.clustering.membership;
                by_value(p[a].map(f64::from), p[b].map(f64::from))
            }
            CustomerColumn::PAlive => self.by_score(a, b, |s| s.p_alive),
            CustomerColumn::ChurnProbability => self.by_score(a, b, |s| s.churn_probability()),
            CustomerColumn::ExpectedPurchases30d => {
                self.by_score(a, b, |s| s.expected_purchases_30d)
            }
            CustomerColumn::ExpectedPurchases90d => {
                self.by_score(a, b, |s| s.expected_purchases_90d)
            }
            CustomerColumn::ExpectedPurchases365d => {
                self.by_score(a, b, |s| s.expected_purchases_365d)
            }
            CustomerColumn::PredictedClv12m => self.by_score(a, b, |s| s.predicted_clv_12m),
            CustomerColumn::Purchases365dLow => self.by_score(a, b, |s| s.purchases_365d_low),
            CustomerColumn::Purchases365dHigh => self.by_score(a, b, |s| s.purchases_365d_high),
            CustomerColumn::PredictedClv12mLow => self.by_score(a, b, |s| s.predicted_clv_12m_low),
            CustomerColumn::PredictedClv12mHigh => {
                self.by_score(a, b, |s| s.predicted_clv_12m_high)
            }
            CustomerColumn::AvgDaysBetweenOrders => {
                self.by_score(a, b, |s| s.avg_days_between_orders)
            }
            CustomerColumn::PurchasePropensity => self.by_score(a, b, |s| s.purchase_propensity),
            CustomerColumn::Cluster | CustomerColumn::ClusterName => {
                let l = &self.clustering.labels;
                l[a].cmp(&l[b])
            }
            CustomerColumn::ExpectedNextOrder => {
                let s = &self.predictions.scores;
                s[a].expected_next_order.cmp(&s[b].expected_next_order)
            }
            CustomerColumn::PredictedSpendTier => {
                let s = &self.predictions.scores;
                s[a].predicted_spend_tier.cmp(&s[b].predicted_spend_tier)
            }
        }
    }

    fn by_score(&self, a: usize, b: usize, value: impl Fn(&Scores) -> Option<f64>) -> Ordering {
        let s = &self.predictions.scores;
        by_value(value(&s[a]), value(&s[b]))
    }
}

/// Numbers in order; a missing value sorts below any number.
fn by_value(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (x, y) => x.is_some().cmp(&y.is_some()),
    }
}
