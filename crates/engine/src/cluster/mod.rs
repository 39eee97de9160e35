//! Customer clusters: natural groups found by k-means on the buyers'
//! features, the number of groups chosen by silhouette (with Davies–Bouldin
//! and Calinski–Harabasz shown beside it), each group named and described
//! from how it differs from the store's typical customer.

pub mod explain;
pub mod features;
pub mod kmeans;
pub mod quality;

use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use self::explain::Standing;
use self::features::{Feature, FeatureMatrix};
use self::kmeans::{kmeans, lloyd, sizes, KMeans};
use crate::customers::CustomerTable;
use crate::models::scores::Scores;
use crate::wording::thousands;

/// The most groups tried.
pub const MAX_K: usize = 12;
/// Rows used to choose k (a seeded sample); the final fit uses every buyer.
const SELECTION_SAMPLE: usize = 20_000;
/// Fewer buyers than this are not clustered.
const MIN_BUYERS: usize = 30;

/// One candidate number of groups, with its quality figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub k: usize,
    pub inertia: f64,
    pub silhouette: Option<f64>,
    pub davies_bouldin: Option<f64>,
    pub calinski_harabasz: Option<f64>,
}

/// One cluster as the merchant sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterInfo {
    /// 1-based, largest cluster first.
    pub id: u16,
    pub name: String,
    pub description: String,
    pub action: String,
    pub customers: u64,
    pub share: f64,
    pub revenue_share: f64,
    /// The centre on each feature, in scaled units (0 = the store's median).
    pub standing: Vec<(Feature, f64)>,
}

/// `clusters` in `summary.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterSummary {
    pub k: usize,
    pub silhouette: Option<f64>,
    pub davies_bouldin: Option<f64>,
    pub calinski_harabasz: Option<f64>,
    pub features: Vec<Feature>,
    pub sizes: Vec<u64>,
    pub clusters: Vec<ClusterInfo>,
    /// Every k tried (the elbow chart).
    pub candidates: Vec<Candidate>,
    /// Why there are no clusters, when there are none.
    pub skipped: Option<String>,
}

/// Clusters and each customer's cluster (by table position; prospects none).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Clustering {
    pub summary: ClusterSummary,
    pub labels: Vec<Option<u16>>,
}

impl Clustering {
    /// Clusters the buyers of `customers` on every feature the data has,
    /// choosing k from 2..=12 by silhouette. Deterministic for a seed.
    pub fn run(customers: &CustomerTable, scores: &[Scores], seed: u64) -> Clustering {
        let matrix = FeatureMatrix::build(customers, scores, &Feature::ALL);
        let n = matrix.rows.len();
        let skip = |why: String| Clustering {
            summary: ClusterSummary {
                skipped: Some(why),
                ..ClusterSummary::default()
            },
            labels: vec![None; customers.len()],
        };
        if n < MIN_BUYERS {
            return skip(format!(
                "{} with orders; clustering needs at least {MIN_BUYERS}",
                crate::wording::count(n as u64, "customer", "customers")
            ));
        }
        if matrix.features.len() < 2 {
            return skip("the customers differ on fewer than two measures".to_string());
        }
        let (k, fit, candidates) = choose_and_fit(matrix.scaled.view(), seed);
        describe(customers, &matrix, fit.labels, fit.centres, k, candidates)
    }
}

/// Tries k = 2..=12 on a sample, keeps the k with the highest silhouette
/// (ties to fewer groups, easier to act on), and refines that k's best
/// centres on every row (Lloyd from a good start converges in a few passes,
/// where fresh restarts on a million rows would take many).
pub fn choose_and_fit(data: ArrayView2<'_, f64>, seed: u64) -> (usize, KMeans, Vec<Candidate>) {
    let rows = quality::sample_rows(data.nrows(), SELECTION_SAMPLE);
    let everyone = rows.len() == data.nrows();
    let sample = data.select(Axis(0), &rows);
    let max_k = MAX_K.min(sample.nrows() / 5).max(2);
    let mut fits = Vec::new();
    let candidates: Vec<Candidate> = (2..=max_k)
        .map(|k| {
            let fit = kmeans(sample.view(), k, 3, seed);
            let candidate = Candidate {
                k,
                inertia: fit.inertia,
                silhouette: quality::silhouette(sample.view(), &fit.labels, k),
                davies_bouldin: quality::davies_bouldin(
                    sample.view(),
                    &fit.labels,
                    fit.centres.view(),
                ),
                calinski_harabasz: quality::calinski_harabasz(
                    sample.view(),
                    &fit.labels,
                    fit.centres.view(),
                ),
            };
            fits.push(fit);
            candidate
        })
        .collect();
    let chosen = candidates
        .iter()
        .enumerate()
        .fold(None::<(usize, &Candidate)>, |best, (i, c)| match best {
            Some((_, b)) if b.silhouette.unwrap_or(-1.0) >= c.silhouette.unwrap_or(-1.0) - 1e-9 => {
                best
            }
            _ => Some((i, c)),
        })
        .map_or(0, |(i, _)| i);
    let k = candidates.get(chosen).map_or(2, |c| c.k);
    let fit = fits.swap_remove(chosen);
    let fit = if everyone {
        fit
    } else {
        lloyd(data, fit.centres)
    };
    (k, fit, candidates)
}

/// Names, describes and orders the clusters (largest first).
fn describe(
    customers: &CustomerTable,
    matrix: &FeatureMatrix,
    labels: Vec<u16>,
    centres: Array2<f64>,
    k: usize,
    candidates: Vec<Candidate>,
) -> Clustering {
    let n = matrix.rows.len();
    let size = sizes(&labels, k);
    let mut order: Vec<usize> = (0..k).filter(|&c| size[c] > 0).collect();
    order.sort_by(|&a, &b| size[b].cmp(&size[a]).then(a.cmp(&b)));
    let mut new_id = vec![0u16; k];
    for (rank, &c) in order.iter().enumerate() {
        new_id[c] = rank as u16 + 1;
    }
    let total_revenue: f64 = matrix
        .rows
        .iter()
        .map(|&r| customers.revenue[r as usize])
        .sum();
    let mut revenue = vec![0.0; k];
    let mut per_customer = vec![None; customers.len()];
    for (row, &label) in labels.iter().enumerate() {
        let customer = matrix.rows[row] as usize;
        revenue[label as usize] += customers.revenue[customer];
        per_customer[customer] = Some(new_id[label as usize]);
    }
    let mut names_used: Vec<String> = Vec::new();
    let clusters: Vec<ClusterInfo> = order
        .iter()
        .map(|&c| {
            let standings: Vec<Standing> = matrix
                .features
                .iter()
                .enumerate()
                .map(|(j, &feature)| Standing {
                    feature,
                    z: centres[[c, j]],
                })
                .collect();
            let mut name = explain::name(&standings);
            let repeats = names_used.iter().filter(|u| **u == name).count();
            names_used.push(name.clone());
            if repeats > 0 {
                name = format!("{name} ({})", repeats + 1);
            }
            let share = size[c] as f64 / n as f64;
            let revenue_share = if total_revenue > 0.0 {
                revenue[c] / total_revenue
            } else {
                0.0
            };
            ClusterInfo {
                id: new_id[c],
                description: sentence(matrix, &labels, c, size[c], share, revenue_share),
                action: explain::action(&standings).to_string(),
                name,
                customers: size[c] as u64,
                share,
                revenue_share,
                standing: standings.iter().map(|s| (s.feature, s.z)).collect(),
            }
        })
        .collect();
    let chosen = candidates.iter().find(|c| c.k == k).cloned();
    Clustering {
        summary: ClusterSummary {
            k: clusters.len(),
            silhouette: chosen.as_ref().and_then(|c| c.silhouette),
            davies_bouldin: chosen.as_ref().and_then(|c| c.davies_bouldin),
            calinski_harabasz: chosen.as_ref().and_then(|c| c.calinski_harabasz),
            features: matrix.features.clone(),
            sizes: clusters.iter().map(|c| c.customers).collect(),
            clusters,
            candidates,
            skipped: None,
        },
        labels: per_customer,
    }
}

/// "412 customers (14 % of buyers, 38 % of revenue). Typically: spend 310
/// (store 95), 6 orders (store 2), last order 21 days ago (store 140)."
fn sentence(
    matrix: &FeatureMatrix,
    labels: &[u16],
    cluster: usize,
    size: usize,
    share: f64,
    revenue_share: f64,
) -> String {
    let median = |column: usize, members: bool| -> f64 {
        let mut values: Vec<f64> = labels
            .iter()
            .enumerate()
            .filter(|(_, &l)| !members || l as usize == cluster)
            .map(|(r, _)| matrix.raw[[r, column]])
            .collect();
        values.sort_by(f64::total_cmp);
        values.get(values.len() / 2).copied().unwrap_or(0.0)
    };
    let mut parts = Vec::new();
    for (j, feature) in matrix.features.iter().enumerate() {
        // Counts and amounts were taken as ln(1 + x): show them as x.
        let show = |v: f64| match feature {
            Feature::DiscountShare | Feature::ChanceActive | Feature::CartAbandonment => {
                format!("{:.0} %", v * 100.0)
            }
            _ => format!("{:.0}", v.exp_m1()),
        };
        let (ours, store) = (median(j, true), median(j, false));
        parts.push(format!(
            "{} {} (store {})",
            feature.label(),
            show(ours),
            show(store)
        ));
        if parts.len() == 4 {
            break;
        }
    }
    format!(
        "{} customers ({:.0} % of buyers, {:.0} % of revenue). Typically: {}.",
        thousands(size as u64),
        share * 100.0,
        revenue_share * 100.0,
        parts.join(", ")
    )
}

#[cfg(test)]
mod sklearn_tests;
#[cfg(test)]
mod tests;
