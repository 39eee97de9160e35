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
use crate::segments::QueryError;
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
    /// Products to offer, best first (item-to-item, then popular).
    pub recommended_products: Vec<String>,
    /// Products due for replenishment now or within 14 days, soonest first.
    pub replenishment_due: Vec<String>,
    /// How surely the customer belongs to that cluster (0–1, soft
    /// membership from a Gaussian mixture).
    pub cluster_probability: Option<f64>,
    /// Country of the latest order that names one, as the file writes it.
    pub country: Option<String>,
    /// Share of orders with a discount (0–1); `None` for prospects.
    pub discount_share: Option<f64>,
    /// Share of what the customer paid that was refunded (0–1).
    pub refund_rate: Option<f64>,
    /// The customer's top categories by share of spend, with affinity
    /// (their share over the store's).
    pub top_categories: Vec<CategoryAffinity>,
    /// Shopping behaviour from analytics events, when they name the customer.
    pub behaviour: Option<Behaviour>,
}

/// One of a customer's top categories.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryAffinity {
    pub category: String,
    pub share: f64,
    pub affinity: f64,
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
    RecommendedProducts,
    ReplenishmentDue,
    ClusterProbability,
    Country,
    DiscountShare,
    RefundRate,
    TopCategories,
}

impl CustomerColumn {
    /// Every column, in `customers.csv` order.
    pub const ALL: [CustomerColumn; 37] = [
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
        CustomerColumn::RecommendedProducts,
        CustomerColumn::ReplenishmentDue,
        CustomerColumn::ClusterProbability,
        CustomerColumn::Country,
        CustomerColumn::DiscountShare,
        CustomerColumn::RefundRate,
        CustomerColumn::TopCategories,
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
            CustomerColumn::RecommendedProducts => "recommended_products",
            CustomerColumn::ReplenishmentDue => "replenishment_due",
            CustomerColumn::ClusterProbability => "cluster_probability",
            CustomerColumn::Country => "country",
            CustomerColumn::DiscountShare => "discount_share",
            CustomerColumn::RefundRate => "refund_rate",
            CustomerColumn::TopCategories => "top_categories",
        }
    }
}

/// Which customers the page asks for: a window of rows of one sorted,
/// filtered list (the page's table is virtualised, so it asks only for the
/// rows in view).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerQuery {
    pub sort: CustomerColumn,
    pub descending: bool,
    /// Only the customers this segment query selects (a clicked segment,
    /// grid cell, cluster or bar is one), when set.
    pub filter: Option<String>,
    /// Only customers whose id, email, country or cluster name contains
    /// this text (any case), when set.
    pub search: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

impl Default for CustomerQuery {
    fn default() -> Self {
        CustomerQuery {
            sort: CustomerColumn::Revenue,
            descending: true,
            filter: None,
            search: None,
            offset: 0,
            limit: 25,
        }
    }
}

impl CustomerQuery {
    /// Whether `other` asks for the same list (a window of it may differ).
    pub fn same_list(&self, other: &CustomerQuery) -> bool {
        (self.sort, self.descending, &self.filter, &self.search)
            == (other.sort, other.descending, &other.filter, &other.search)
    }
}

/// A window of customers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerPage {
    pub query: CustomerQuery,
    /// Customers matching the query's filter and search (all windows).
    pub total: u32,
    pub rows: Vec<CustomerRow>,
    /// Why the filter could not be applied (a query error), when it could not.
    #[serde(default)]
    pub error: Option<String>,
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
            recommended_products: self
                .interest
                .recommended(i)
                .map(|p| self.sales.labels.name(p).to_string())
                .collect(),
            replenishment_due: self
                .interest
                .replenishment
                .due_for(i as u32)
                .iter()
                .map(|d| self.sales.labels.name(d.product).to_string())
                .collect(),
            cluster_probability: self.clustering.membership[i].map(f64::from),
            country: c.country[i].map(|l| self.sales.labels.name(l).to_string()),
            discount_share: c.discount_share(i),
            refund_rate: c.refund_rate(i),
            top_categories: self
                .interest
                .affinity
                .of(i)
                .map(|a| CategoryAffinity {
                    category: self.sales.labels.name(a.category).to_string(),
                    share: f64::from(a.share),
                    affinity: f64::from(a.affinity),
                })
                .collect(),
            behaviour: c.behaviour(i).copied(),
        }
    }

    /// Customer positions the query's filter and search keep, sorted by its
    /// column; ties keep customer-id order so that windows are stable.
    pub fn customer_order(&self, query: &CustomerQuery) -> Result<Vec<u32>, QueryError> {
        let members = match query.filter.as_deref().map(str::trim) {
            Some(filter) if !filter.is_empty() => Some(crate::segments::members(self, filter)?),
            _ => None,
        };
        let needle = query
            .search
            .as_deref()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        // Cluster names are few: which ones match is decided once.
        let clusters: Vec<u16> = needle.as_deref().map_or_else(Vec::new, |n| {
            self.clustering
                .summary
                .clusters
                .iter()
                .filter(|c| c.name.to_lowercase().contains(n))
                .map(|c| c.id)
                .collect()
        });
        let mut order: Vec<u32> = (0..self.customers.len() as u32)
            .filter(|&i| members.as_ref().is_none_or(|m| m[i as usize]))
            .filter(|&i| {
                needle
                    .as_deref()
                    .is_none_or(|n| self.mentions(i as usize, n, &clusters))
            })
            .collect();
        let compare = |a: &u32, b: &u32| {
            let ordering = self.compare(query.sort, *a as usize, *b as usize);
            if query.descending {
                ordering.reverse()
            } else {
                ordering
            }
        };
        // Stable sort: equal keys stay in id order.
        order.sort_by(compare);
        Ok(order)
    }

    /// Cuts a window out of an order from [`Analysis::customer_order`].
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
            error: None,
        }
    }

    /// Whether customer `i`'s id, email or country contains `needle`
    /// (already lower case), or they are in one of `clusters` (those whose
    /// name contains it).
    fn mentions(&self, i: usize, needle: &str, clusters: &[u16]) -> bool {
        let c = &self.customers;
        let contains = |text: &str| text.contains(needle) || text.to_lowercase().contains(needle);
        contains(&c.id[i])
            || c.email[i].as_deref().is_some_and(contains)
            || c.country[i].is_some_and(|l| contains(self.sales.labels.name(l)))
            || self.clustering.labels[i].is_some_and(|id| clusters.contains(&id))
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
            CustomerColumn::TopCategories => {
                let top = |i: usize| {
                    self.interest
                        .affinity
                        .of(i)
                        .next()
                        .map(|a| self.sales.labels.name(a.category))
                };
                top(a).cmp(&top(b))
            }
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
            CustomerColumn::RecommendedProducts => {
                let first = |i: usize| {
                    self.interest
                        .recommended(i)
                        .next()
                        .map(|p| self.sales.labels.name(p))
                };
                first(a).cmp(&first(b))
            }
            CustomerColumn::ReplenishmentDue => {
                let due = &self.interest.replenishment;
                let soonest = |i: usize| due.due_for(i as u32).first().map(|d| d.date);
                // The sooner due, the higher (first when sorted high to
                // low); nothing due is lowest.
                match (soonest(a), soonest(b)) {
                    (Some(x), Some(y)) => y.cmp(&x),
                    (x, y) => x.is_some().cmp(&y.is_some()),
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::small_shop;

    fn ids(analysis: &Analysis, query: &CustomerQuery) -> Vec<String> {
        let order = analysis.customer_order(query).expect("test data");
        order
            .iter()
            .map(|&i| analysis.customers.id[i as usize].to_string())
            .collect()
    }

    #[test]
    fn a_filter_keeps_the_segment_query_s_members_in_sort_order() {
        let analysis = small_shop();
        let query = CustomerQuery {
            filter: Some("number_of_orders >= 2".into()),
            sort: CustomerColumn::Orders,
            ..CustomerQuery::default()
        };
        let order = analysis.customer_order(&query).expect("test data");
        let expected = (0..analysis.customers.len())
            .filter(|&i| analysis.customers.orders[i] >= 2)
            .count();
        assert!(expected > 0 && expected < analysis.customers.len());
        assert_eq!(order.len(), expected);
        let orders: Vec<u32> = order
            .iter()
            .map(|&i| analysis.customers.orders[i as usize])
            .collect();
        assert!(orders.windows(2).all(|w| w[0] >= w[1]), "{orders:?}");
    }

    #[test]
    fn search_finds_ids_and_emails_in_any_case() {
        let analysis = small_shop();
        let email = analysis
            .customers
            .email
            .iter()
            .flatten()
            .next()
            .expect("test data")
            .to_string();
        let query = CustomerQuery {
            search: Some(format!("  {}  ", email.to_uppercase())),
            ..CustomerQuery::default()
        };
        let found = ids(&analysis, &query);
        assert!(!found.is_empty());
        for &i in &analysis.customer_order(&query).expect("test data") {
            let own = analysis.customers.email[i as usize]
                .as_deref()
                .unwrap_or("");
            assert!(own.to_lowercase().contains(&email.to_lowercase()));
        }
        let nobody = CustomerQuery {
            search: Some("no such customer anywhere".into()),
            ..CustomerQuery::default()
        };
        assert!(ids(&analysis, &nobody).is_empty());
    }

    #[test]
    fn a_filter_that_does_not_parse_is_an_error_not_an_empty_list() {
        let analysis = small_shop();
        let query = CustomerQuery {
            filter: Some("number_of_orders >=".into()),
            ..CustomerQuery::default()
        };
        assert!(analysis.customer_order(&query).is_err());
    }

    #[test]
    fn windows_of_one_list_are_the_same_list() {
        let query = CustomerQuery::default();
        let window = CustomerQuery {
            offset: 400,
            limit: 60,
            ..query.clone()
        };
        assert!(query.same_list(&window));
        let searched = CustomerQuery {
            search: Some("ann".into()),
            ..query.clone()
        };
        assert!(!query.same_list(&searched));
        let resorted = CustomerQuery {
            descending: false,
            ..query.clone()
        };
        assert!(!query.same_list(&resorted));
    }

    #[test]
    fn windows_cut_the_same_list() {
        let analysis = small_shop();
        let query = CustomerQuery::default();
        let order = analysis.customer_order(&query).expect("test data");
        let all = analysis.customer_page(
            &order,
            CustomerQuery {
                limit: 1000,
                ..query.clone()
            },
        );
        let window = analysis.customer_page(
            &order,
            CustomerQuery {
                offset: 2,
                limit: 3,
                ..query
            },
        );
        assert_eq!(window.total as usize, order.len());
        assert_eq!(window.rows, all.rows[2..5].to_vec());
    }
}
