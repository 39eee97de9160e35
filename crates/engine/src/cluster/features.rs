//! The per-customer feature matrix clustering works on: what the data
//! offers about each buyer, skewed measures log-transformed, every column
//! robustly scaled (median and interquartile range) so that no single
//! measure dominates the distances and a few extreme customers do not set
//! the scale.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::customers::CustomerTable;
use crate::models::scores::Scores;

/// A feature a merchant can switch on or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    Spend,
    Orders,
    Recency,
    Tenure,
    OrderValue,
    DiscountShare,
    PredictedValue,
    ChanceActive,
    ItemViews,
    CartAbandonment,
}

impl Feature {
    /// Every feature, in matrix order.
    pub const ALL: [Feature; 10] = [
        Feature::Spend,
        Feature::Orders,
        Feature::Recency,
        Feature::Tenure,
        Feature::OrderValue,
        Feature::DiscountShare,
        Feature::PredictedValue,
        Feature::ChanceActive,
        Feature::ItemViews,
        Feature::CartAbandonment,
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
            Feature::PredictedValue => "predicted_value",
            Feature::ChanceActive => "chance_active",
            Feature::ItemViews => "item_views",
            Feature::CartAbandonment => "cart_abandonment",
        }
    }

    /// The feature named `key` (see [`Feature::key`]).
    pub fn from_key(key: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Feature::Spend => "spend",
            Feature::Orders => "orders",
            Feature::Recency => "days since last order",
            Feature::Tenure => "days since first order",
            Feature::OrderValue => "average order value",
            Feature::DiscountShare => "share of orders with a discount",
            Feature::PredictedValue => "predicted 12-month value",
            Feature::ChanceActive => "chance still active",
            Feature::ItemViews => "item views",
            Feature::CartAbandonment => "cart abandonment",
        }
    }

    /// The raw value for customer `i`, on the scale used for distances
    /// (logarithms for the skewed counts and amounts); `None` when the data
    /// does not say.
    fn value(self, c: &CustomerTable, scores: &[Scores], i: usize) -> Option<f64> {
        let log = |v: f64| v.max(0.0).ln_1p();
        match self {
            Feature::Spend => Some(log(c.revenue[i])),
            Feature::Orders => Some(log(f64::from(c.orders[i]))),
            Feature::Recency => c.recency_days(i).map(|d| log(f64::from(d))),
            Feature::Tenure => c.tenure_days(i).map(|d| log(f64::from(d))),
            Feature::OrderValue => c.aov(i).map(log),
            Feature::DiscountShare => c.discount_share(i),
            Feature::PredictedValue => scores.get(i).and_then(|s| s.predicted_clv_12m).map(log),
            Feature::ChanceActive => scores.get(i).and_then(|s| s.p_alive),
            Feature::ItemViews => c.behaviour(i).map(|b| log(f64::from(b.item_views))),
            Feature::CartAbandonment => c.behaviour(i).and_then(|b| b.abandonment_rate()),
        }
    }
}

/// Buyers' features, scaled, with what each column is.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureMatrix {
    pub features: Vec<Feature>,
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
        wanted: &[Feature],
    ) -> FeatureMatrix {
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
                        .value(customers, scores, i as usize)
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
            scaled: self.scaled.select(ndarray::Axis(1), &keep),
            raw: self.raw.select(ndarray::Axis(1), &keep),
            rows: self.rows.clone(),
            centre: keep.iter().map(|&j| self.centre[j]).collect(),
            scale: keep.iter().map(|&j| self.scale[j]).collect(),
        }
    }
}
