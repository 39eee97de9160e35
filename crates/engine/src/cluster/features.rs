//! The per-customer feature matrix clustering works on: what the data
//! offers about each buyer, skewed measures log-transformed, every column
//! robustly scaled (median and interquartile range) so that no single
//! measure dominates the distances and a few extreme customers do not set
//! the scale.

use ndarray::Array2;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::customers::CustomerTable;
use crate::models::scores::Scores;
use crate::sales::Sales;

/// Categories (or Shopify vendors) whose spend shares can be features: the
/// store's best sellers by revenue.
pub const TOP_CATEGORIES: usize = 4;

/// A feature a merchant can switch on or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Feature {
    Spend,
    Orders,
    Recency,
    Tenure,
    OrderValue,
    DiscountShare,
    RefundRate,
    PredictedValue,
    ChanceActive,
    ItemViews,
    CartAbandonment,
    /// Share of the customer's item spend in the store's n-th best-selling
    /// category (0-based; names in `FeatureMatrix::categories`).
    Category(u8),
}

impl Feature {
    /// Every feature, in matrix order.
    pub const ALL: [Feature; 15] = [
        Feature::Spend,
        Feature::Orders,
        Feature::Recency,
        Feature::Tenure,
        Feature::OrderValue,
        Feature::DiscountShare,
        Feature::RefundRate,
        Feature::PredictedValue,
        Feature::ChanceActive,
        Feature::ItemViews,
        Feature::CartAbandonment,
        Feature::Category(0),
        Feature::Category(1),
        Feature::Category(2),
        Feature::Category(3),
    ];

    /// The name in `summary.json`, the CLI and the page's requests.
    pub fn key(self) -> &'static str {
        match self {
            Feature::Spend => "spend",
            Feature::Orders => "orders",
            Feature::Recency => "recency",
            Feature::Tenure => "tenure",
            Feature::OrderValue => "order_value",
            Feature::DiscountShare => "discount_share",
            Feature::RefundRate => "refund_rate",
            Feature::PredictedValue => "predicted_value",
            Feature::ChanceActive => "chance_active",
            Feature::ItemViews => "item_views",
            Feature::CartAbandonment => "cart_abandonment",
            Feature::Category(0) => "category_1",
            Feature::Category(1) => "category_2",
            Feature::Category(2) => "category_3",
            Feature::Category(_) => "category_4",
        }
    }

    /// The feature named `key` (see [`Feature::key`]).
    pub fn from_key(key: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.key() == key)
    }

    /// What the feature measures, in words; `categories` names the store's
    /// top categories.
    pub fn label(self, categories: &[String]) -> String {
        match self {
            Feature::Spend => "spend".into(),
            Feature::Orders => "orders".into(),
            Feature::Recency => "days since last order".into(),
            Feature::Tenure => "days since first order".into(),
            Feature::OrderValue => "average order value".into(),
            Feature::DiscountShare => "share of orders with a discount".into(),
            Feature::RefundRate => "share of spend refunded".into(),
            Feature::PredictedValue => "predicted 12-month value".into(),
            Feature::ChanceActive => "chance still active".into(),
            Feature::ItemViews => "item views".into(),
            Feature::CartAbandonment => "cart abandonment".into(),
            Feature::Category(n) => match categories.get(usize::from(n)) {
                Some(name) => format!("share of spend on {name}"),
                None => format!("share of spend on category {}", n + 1),
            },
        }
    }

    /// Shown as a percentage (a share), not as a count or amount.
    pub fn is_share(self) -> bool {
        matches!(
            self,
            Feature::DiscountShare
                | Feature::RefundRate
                | Feature::ChanceActive
                | Feature::CartAbandonment
                | Feature::Category(_)
        )
    }

    /// The raw value for customer `i`, on the scale used for distances
    /// (logarithms for the skewed counts and amounts); `None` when the data
    /// does not say.
    fn value(
        self,
        c: &CustomerTable,
        scores: &[Scores],
        shares: &CategoryShares,
        i: usize,
    ) -> Option<f64> {
        let log = |v: f64| v.max(0.0).ln_1p();
        match self {
            Feature::Spend => Some(log(c.revenue[i])),
            Feature::Orders => Some(log(f64::from(c.orders[i]))),
            Feature::Recency => c.recency_days(i).map(|d| log(f64::from(d))),
            Feature::Tenure => c.tenure_days(i).map(|d| log(f64::from(d))),
            Feature::OrderValue => c.aov(i).map(log),
            Feature::DiscountShare => c.discount_share(i),
            Feature::RefundRate => c.refund_rate(i),
            Feature::PredictedValue => scores.get(i).and_then(|s| s.predicted_clv_12m).map(log),
            Feature::ChanceActive => scores.get(i).and_then(|s| s.p_alive),
            Feature::ItemViews => c.behaviour(i).map(|b| log(f64::from(b.item_views))),
            Feature::CartAbandonment => c.behaviour(i).and_then(|b| b.abandonment_rate()),
            Feature::Category(n) => shares.share(i, usize::from(n)),
        }
    }
}

impl Serialize for Feature {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for Feature {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let key = String::deserialize(deserializer)?;
        Feature::from_key(&key)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown feature {key:?}")))
    }
}

/// Each buyer's share of item spend in the store's top categories.
struct CategoryShares {
    names: Vec<String>,
    /// Per customer row: spend in each top category, and item spend in all
    /// (zero for customers without product lines).
    spend: Vec<([f64; TOP_CATEGORIES], f64)>,
}

impl CategoryShares {
    /// The store's best-selling categories, when products carry categories
    /// and there are at least two.
    fn of(sales: &Sales) -> CategoryShares {
        let mut store: FxHashMap<u32, f64> = FxHashMap::default();
        for item in &sales.items {
            if let Some(c) = item.category.get() {
                *store.entry(c).or_default() += item.revenue().max(0.0);
            }
        }
        let mut ranked: Vec<(u32, f64)> = store.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        if ranked.len() < 2 {
            ranked.clear();
        }
        ranked.truncate(TOP_CATEGORIES);
        let customers = sales.items.iter().map(|i| i.customer as usize + 1).max();
        let mut spend = vec![([0.0; TOP_CATEGORIES], 0.0); customers.unwrap_or(0)];
        for item in &sales.items {
            let revenue = item.revenue().max(0.0);
            let entry = &mut spend[item.customer as usize];
            entry.1 += revenue;
            if let Some(rank) = ranked
                .iter()
                .position(|(c, _)| Some(*c) == item.category.get())
            {
                entry.0[rank] += revenue;
            }
        }
        CategoryShares {
            names: ranked
                .iter()
                .map(|(c, _)| sales.labels.name(*c).to_string())
                .collect(),
            spend,
        }
    }

    fn share(&self, customer: usize, rank: usize) -> Option<f64> {
        if rank >= self.names.len() {
            return None;
        }
        let (by_rank, total) = self.spend.get(customer)?;
        (*total > 0.0).then(|| by_rank[rank] / total)
    }
}

/// Buyers' features, scaled, with what each column is.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureMatrix {
    pub features: Vec<Feature>,
    /// The store's top categories (names of `Feature::Category(n)`).
    pub categories: Vec<String>,
    /// One row per buyer, in `rows` order.
    pub scaled: Array2<f64>,
    /// The unscaled values (for describing clusters).
    pub raw: Array2<f64>,
    /// Customer table positions of the rows.
    pub rows: Vec<u32>,
    /// Per column: median and scale used.
    pub centre: Vec<f64>,
    pub scale: Vec<f64>,
}

impl FeatureMatrix {
    /// The matrix over buyers for the `wanted` features the data has.
    /// Features without a value for most buyers, or without spread, are
    /// left out; a missing value takes the column's median.
    pub fn build(
        customers: &CustomerTable,
        scores: &[Scores],
        sales: &Sales,
        wanted: &[Feature],
    ) -> FeatureMatrix {
        let shares = CategoryShares::of(sales);
        let rows: Vec<u32> = (0..customers.len())
            .filter(|&i| customers.is_buyer(i))
            .map(|i| i as u32)
            .collect();
        let mut features = Vec::new();
        let mut columns: Vec<Vec<f64>> = Vec::new();
        let (mut centre, mut scale) = (Vec::new(), Vec::new());
        for &feature in wanted {
            let values: Vec<Option<f64>> = rows
                .iter()
                .map(|&i| {
                    feature
                        .value(customers, scores, &shares, i as usize)
                        .filter(|v| v.is_finite())
                })
                .collect();
            let mut known: Vec<f64> = values.iter().flatten().copied().collect();
            if known.len() * 2 < rows.len() || known.is_empty() {
                continue;
            }
            known.sort_by(f64::total_cmp);
            let quantile = |q: f64| known[((known.len() - 1) as f64 * q).round() as usize];
            let median = quantile(0.5);
            let mut spread = quantile(0.75) - quantile(0.25);
            if spread <= 1e-12 {
                // Many equal values (one-time buyers): fall back to the
                // standard deviation, and leave out a column with none.
                let mean = known.iter().sum::<f64>() / known.len() as f64;
                spread = (known.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
                    / known.len() as f64)
                    .sqrt();
                if spread <= 1e-12 {
                    continue;
                }
            }
            features.push(feature);
            columns.push(values.iter().map(|v| v.unwrap_or(median)).collect());
            centre.push(median);
            scale.push(spread);
        }
        let (n, d) = (rows.len(), features.len());
        let raw = Array2::from_shape_fn((n, d), |(r, j)| columns[j][r]);
        let scaled = Array2::from_shape_fn((n, d), |(r, j)| (columns[j][r] - centre[j]) / scale[j]);
        FeatureMatrix {
            features,
            categories: shares.names,
            scaled,
            raw,
            rows,
            centre,
            scale,
        }
    }

    /// The same buyers on only the `wanted` features the matrix has (each
    /// column was scaled on its own, so this equals building anew).
    pub fn select(&self, wanted: &[Feature]) -> FeatureMatrix {
        let keep: Vec<usize> = (0..self.features.len())
            .filter(|&j| wanted.contains(&self.features[j]))
            .collect();
        FeatureMatrix {
            features: keep.iter().map(|&j| self.features[j]).collect(),
            categories: self.categories.clone(),
            scaled: self.scaled.select(ndarray::Axis(1), &keep),
            raw: self.raw.select(ndarray::Axis(1), &keep),
            rows: self.rows.clone(),
            centre: keep.iter().map(|&j| self.centre[j]).collect(),
            scale: keep.iter().map(|&j| self.scale[j]).collect(),
        }
    }
}
