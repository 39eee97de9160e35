//! Customer clusters: natural groups found by k-means on the buyers'
//! features, the number of groups chosen by silhouette (with Davies–Bouldin
//! and Calinski–Harabasz shown beside it) unless the merchant sets it, each
//! group named and described from how it differs from the store's typical
//! customer. Beside them, on a sample: Ward's tree (how the groups nest),
//! HDBSCAN (dense groups and the outliers no group fits) and a flat picture
//! of the buyers on their two main directions of difference.

pub mod alternatives;
pub mod density;
mod describe;
pub mod explain;
pub mod features;
pub mod hamerly;
pub mod hierarchy;
pub mod kmeans;
pub mod lloyd32;
pub mod mixture;
pub mod projection;
pub mod quality;

use ndarray::{ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use self::alternatives::{DensitySummary, HierarchySummary, MembershipSummary};
use self::features::{Feature, FeatureMatrix};
use self::hamerly::hamerly;
use self::kmeans::{kmeans_quick, KMeans};
use self::lloyd32::Points32;
use self::projection::Projection;
use crate::customers::CustomerTable;
use crate::models::scores::Scores;
use crate::rfm::RfmGroup;
use crate::sales::Sales;
use crate::timing::Stopwatch;

/// The most groups tried.
pub const MAX_K: usize = 12;
/// Rows used to choose k (a seeded sample); the final fit uses every buyer.
const SELECTION_SAMPLE: usize = 20_000;
/// k-means++ starts for the chosen k (the lowest inertia wins).
const CHOSEN_STARTS: usize = 3;
/// Fewer buyers than this are not clustered.
const MIN_BUYERS: usize = 30;
/// Buyers in the sample that Ward's tree, HDBSCAN and the picture use
/// (each costs n² distances, Ward n² memory).
pub const VIEW_SAMPLE: usize = 2000;

/// What the merchant chose.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterOptions {
    /// Features to cluster on; `None`: every feature the data has.
    #[serde(default)]
    pub features: Option<Vec<Feature>>,
    /// Number of groups; `None`: the k with the best silhouette.
    #[serde(default)]
    pub k: Option<usize>,
}

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
    /// Categories with the largest share of the cluster's item spend.
    #[serde(default)]
    pub top_categories: Vec<(String, f64)>,
    /// The cluster's most common RFM groups and their shares.
    #[serde(default)]
    pub rfm_mix: Vec<(RfmGroup, f64)>,
    /// Share of its customers who clearly belong (soft membership).
    #[serde(default)]
    pub clear_share: Option<f64>,
}

/// `clusters` in `summary.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterSummary {
    pub k: usize,
    pub silhouette: Option<f64>,
    pub davies_bouldin: Option<f64>,
    pub calinski_harabasz: Option<f64>,
    /// The k the silhouette suggests (`k` differs when the merchant chose).
    #[serde(default)]
    pub suggested_k: usize,
    /// Features clustered on.
    pub features: Vec<Feature>,
    /// Every feature the data offers (those the merchant can switch on).
    #[serde(default)]
    pub available: Vec<Feature>,
    /// The store's top categories: the names of `category_1`, `category_2`…
    #[serde(default)]
    pub categories: Vec<String>,
    pub sizes: Vec<u64>,
    pub clusters: Vec<ClusterInfo>,
    /// Every k tried (the elbow chart).
    pub candidates: Vec<Candidate>,
    /// Ward's tree on a sample, and how well it agrees with k-means.
    #[serde(default)]
    pub hierarchy: Option<HierarchySummary>,
    /// HDBSCAN on a sample: dense groups and outliers.
    #[serde(default)]
    pub density: Option<DensitySummary>,
    /// Sampled buyers on the two main directions of difference.
    #[serde(default)]
    pub projection: Option<Projection>,
    /// How surely buyers belong to their clusters.
    #[serde(default)]
    pub membership: Option<MembershipSummary>,
    /// Why there are no clusters, when there are none.
    pub skipped: Option<String>,
}

/// Clusters and each customer's cluster (by table position; prospects none).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Clustering {
    pub summary: ClusterSummary,
    pub labels: Vec<Option<u16>>,
    /// Each customer's probability for their own cluster.
    pub membership: Vec<Option<f32>>,
}

/// What clustering reads.
#[derive(Clone, Copy)]
pub struct ClusterInput<'a> {
    pub customers: &'a CustomerTable,
    pub scores: &'a [Scores],
    pub sales: &'a Sales,
    /// Each customer's RFM group.
    pub rfm: &'a [RfmGroup],
}

impl Clustering {
    /// Clusters the buyers of `customers` on the features `options` name
    /// (every feature the data has by default), in `options.k` groups or
    /// the number the silhouette prefers among 2..=12. Deterministic for a
    /// seed.
    /// No clusters yet for `customers` customers.
    pub fn pending(customers: usize) -> Clustering {
        Clustering {
            summary: ClusterSummary::default(),
            labels: vec![None; customers],
            membership: vec![None; customers],
        }
    }

    pub fn run(input: &ClusterInput<'_>, seed: u64, options: &ClusterOptions) -> Clustering {
        Clustering::run_timed(input, seed, options, &mut Stopwatch::off())
    }

    /// [`Clustering::run`], marking each stage on `watch`.
    pub fn run_timed(
        input: &ClusterInput<'_>,
        seed: u64,
        options: &ClusterOptions,
        watch: &mut Stopwatch<'_>,
    ) -> Clustering {
        let customers = input.customers;
        let all = FeatureMatrix::build(customers, input.scores, input.sales, &Feature::ALL);
        let available = all.features.clone();
        let matrix = match &options.features {
            Some(wanted) => all.select(wanted),
            None => all,
        };
        let n = matrix.rows.len();
        let skip = |why: String| Clustering {
            summary: ClusterSummary {
                skipped: Some(why),
                available: available.clone(),
                ..ClusterSummary::default()
            },
            labels: vec![None; customers.len()],
            membership: vec![None; customers.len()],
        };
        if n < MIN_BUYERS {
            return skip(format!(
                "{} with orders; clustering needs at least {MIN_BUYERS}",
                crate::wording::count(n as u64, "customer", "customers")
            ));
        }
        if matrix.features.len() < 2 {
            return skip(if options.features.is_some() && available.len() >= 2 {
                "fewer than two measures are switched on; clustering needs two".to_string()
            } else {
                "the customers differ on fewer than two measures".to_string()
            });
        }
        watch.lap("cluster features");
        let (suggested_k, fit, candidates) = choose_and_fit(matrix.scaled.view(), seed, options.k);
        watch.lap("k-means (choosing k, then everyone)");
        let mut clustering = describe::describe(input, &matrix, fit, candidates);
        clustering.summary.suggested_k = suggested_k;
        clustering.summary.available = available;
        let sample = quality::sample_rows(n, VIEW_SAMPLE);
        // Cluster ids as the merchant sees them (largest first), per row.
        let ids: Vec<u16> = matrix
            .rows
            .iter()
            .map(|&r| clustering.labels[r as usize].unwrap_or(0))
            .collect();
        let sampled = matrix.scaled.select(ndarray::Axis(0), &sample);
        let sampled_ids: Vec<u16> = sample.iter().map(|&r| ids[r]).collect();
        let k = clustering.summary.k;
        watch.lap("describing clusters");
        clustering.summary.hierarchy =
            Some(alternatives::hierarchy(sampled.view(), &sampled_ids, k));
        watch.lap("hierarchical (sample)");
        clustering.summary.density = Some(alternatives::density(
            sampled.view(),
            &sampled_ids,
            &matrix.features,
            &matrix.categories,
            n,
            &clustering.summary.clusters,
        ));
        watch.lap("density-based (sample)");
        clustering.summary.projection = Some(projection::project(
            matrix.scaled.view(),
            &matrix.features,
            &sample,
            &ids,
        ));
        watch.lap("cluster picture");
        let fit_rows = quality::sample_rows(n, SELECTION_SAMPLE);
        let (membership, probabilities, clear) =
            alternatives::membership(matrix.scaled.view(), &ids, k, &fit_rows);
        for (&row, p) in matrix.rows.iter().zip(probabilities) {
            clustering.membership[row as usize] = Some(p);
        }
        for cluster in &mut clustering.summary.clusters {
            cluster.clear_share = clear.get(usize::from(cluster.id) - 1).copied();
        }
        clustering.summary.membership = Some(membership);
        watch.lap("cluster membership");
        clustering
    }
}

/// Tries k = 2..=12 on a sample and suggests the k with the highest
/// silhouette (ties to fewer groups, easier to act on); fits the suggested
/// k, or `fixed` when the merchant chose one, and refines those centres on
/// every row (from a good start k-means converges in a few passes, where
/// fresh restarts on a million rows would take many). Returns the
/// suggested k, the fit and every candidate.
pub fn choose_and_fit(
    data: ArrayView2<'_, f64>,
    seed: u64,
    fixed: Option<usize>,
) -> (usize, KMeans, Vec<Candidate>) {
    let rows = quality::sample_rows(data.nrows(), SELECTION_SAMPLE);
    let sample = data.select(Axis(0), &rows);
    let max_k = MAX_K.min(sample.nrows() / 5).max(2);
    let distances = quality::SampleDistances::of(sample.view());
    let points = Points32::new(sample.view());
    // One k-means++ start per k to compare them (scikit-learn's default);
    // the chosen k gets more starts below.
    let candidates: Vec<Candidate> = (2..=max_k)
        .map(|k| {
            let fit = kmeans_quick(sample.view(), &points, k, 1, seed);
            let candidate = Candidate {
                k,
                inertia: fit.inertia,
                silhouette: distances.silhouette(&fit.labels, k),
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
            candidate
        })
        .collect();
    let best = candidates
        .iter()
        .enumerate()
        .fold(None::<(usize, &Candidate)>, |best, (i, c)| match best {
            Some((_, b)) if b.silhouette.unwrap_or(-1.0) >= c.silhouette.unwrap_or(-1.0) - 1e-9 => {
                best
            }
            _ => Some((i, c)),
        })
        .map_or(0, |(i, _)| i);
    let suggested = candidates.get(best).map_or(2, |c| c.k);
    let chosen = fixed.map_or(suggested, |k| k.clamp(2, max_k));
    // The same seed: the first start is the candidate's, so the best of
    // these is at least as good.
    let fit = kmeans_quick(sample.view(), &points, chosen, CHOSEN_STARTS, seed);
    // Exact labels on everyone from the chosen centres (a few passes).
    let fit = hamerly(data, fit.centres);
    (suggested, fit, candidates)
}

#[cfg(test)]
mod reference_tests;
#[cfg(test)]
mod tests;
