//! Other ways of grouping the same buyers, set beside k-means: Ward's tree
//! (do the k-means groups nest the way a bottom-up merge finds them?),
//! HDBSCAN (which buyers sit in dense groups, and how many fit none), both
//! on a sample, and soft membership (how surely each buyer belongs to
//! their group). Agreement is the adjusted Rand index.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::density::{hdbscan, Hdbscan};
use super::explain::{self, Standing};
use super::features::Feature;
use super::hierarchy::{cut, top, ward, TreeTop};
use super::mixture::{Mixture, Spread};
use super::quality::adjusted_rand;
use super::ClusterInfo;
use crate::wording::{count, thousands};

/// Leaves drawn at the top of Ward's tree.
const TREE_LEAVES: usize = 12;

/// `clusters.hierarchy` in `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HierarchySummary {
    /// Buyers in the sample.
    pub sample: u64,
    /// Ward's tree cut into as many groups as k-means found: their sizes,
    /// largest first.
    pub sizes: Vec<u64>,
    /// Adjusted Rand index of that cut against the k-means clusters on the
    /// sample (1: the same groups).
    pub agreement: f64,
    pub tree: TreeTop,
    pub summary: String,
}

/// Ward's tree on the sample; `ids` are the rows' k-means cluster ids.
pub fn hierarchy(sample: ArrayView2<'_, f64>, ids: &[u16], k: usize) -> HierarchySummary {
    let tree = ward(sample);
    let groups = cut(&tree, k);
    let agreement = adjusted_rand(&groups, ids);
    let mut sizes = vec![0u64; groups.iter().map(|&g| g as usize + 1).max().unwrap_or(0)];
    for &g in &groups {
        sizes[g as usize] += 1;
    }
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let summary = format!(
        "Merging the {} sampled customers bottom-up (Ward) and cutting into {k} groups {} ({}).",
        thousands(sample.nrows() as u64),
        match agreement {
            a if a >= 0.8 => "finds nearly the same groups as k-means",
            a if a >= 0.5 => "finds broadly the same groups as k-means",
            _ => "groups them differently from k-means: the groups are not sharply separated",
        },
        format_args!("agreement {agreement:.2}")
    );
    HierarchySummary {
        sample: sample.nrows() as u64,
        sizes,
        agreement,
        tree: top(&tree, TREE_LEAVES, ids),
        summary,
    }
}

/// `clusters.density` in `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DensitySummary {
    /// Buyers in the sample, and in all.
    pub sample: u64,
    pub buyers: u64,
    pub min_cluster_size: usize,
    /// Dense groups, largest first.
    pub groups: Vec<DensityGroup>,
    /// Sampled buyers in no dense group, and their share.
    pub outliers: u64,
    pub outlier_share: f64,
    /// How the outliers differ from the store ("High spenders · frequent
    /// buyers"), when they do.
    pub outlier_name: Option<String>,
    /// Adjusted Rand index against k-means among the buyers in groups.
    pub agreement: Option<f64>,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DensityGroup {
    pub size: u64,
    /// The k-means cluster most of the group is in, and that share.
    pub cluster: u16,
    pub cluster_name: String,
    pub cluster_share: f64,
}

/// HDBSCAN on the sample. `ids` are the rows' k-means cluster ids;
/// `buyers` is the number of buyers the sample was drawn from.
pub fn density(
    sample: ArrayView2<'_, f64>,
    ids: &[u16],
    features: &[Feature],
    categories: &[String],
    buyers: usize,
    clusters: &[ClusterInfo],
) -> DensitySummary {
    let n = sample.nrows();
    let params = Hdbscan {
        min_cluster_size: (n / 50).max(15),
        min_samples: 10,
    };
    let labels = hdbscan(sample, params);
    let groups_found = labels
        .iter()
        .flatten()
        .map(|&g| g as usize + 1)
        .max()
        .unwrap_or(0);
    let mut members: Vec<Vec<u16>> = vec![Vec::new(); groups_found];
    let mut outlier_rows = Vec::new();
    for (row, label) in labels.iter().enumerate() {
        match label {
            Some(g) => members[*g as usize].push(ids[row]),
            None => outlier_rows.push(row),
        }
    }
    let name_of = |id: u16| {
        clusters
            .iter()
            .find(|c| c.id == id)
            .map_or_else(String::new, |c| c.name.clone())
    };
    let mut groups: Vec<DensityGroup> = members
        .iter()
        .map(|ids| {
            let mut tally = std::collections::BTreeMap::<u16, u64>::new();
            for &id in ids {
                *tally.entry(id).or_default() += 1;
            }
            let (cluster, most) = tally
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map_or((0, 0), |(&c, &m)| (c, m));
            DensityGroup {
                size: ids.len() as u64,
                cluster,
                cluster_name: name_of(cluster),
                cluster_share: most as f64 / ids.len().max(1) as f64,
            }
        })
        .collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.size));
    let (grouped, grouped_ids): (Vec<u16>, Vec<u16>) = labels
        .iter()
        .zip(ids)
        .filter_map(|(l, &id)| Some(((*l)?, id)))
        .unzip();
    let agreement = (grouped.len() >= 2).then(|| adjusted_rand(&grouped, &grouped_ids));
    let outlier_share = outlier_rows.len() as f64 / n.max(1) as f64;
    let outlier_name = (!outlier_rows.is_empty()).then(|| {
        let standings: Vec<Standing> = features
            .iter()
            .enumerate()
            .map(|(j, &feature)| Standing {
                feature,
                // From the average sampled buyer (see describe.rs).
                z: outlier_rows.iter().map(|&r| sample[[r, j]]).sum::<f64>()
                    / outlier_rows.len() as f64
                    - sample.column(j).sum() / n as f64,
            })
            .collect();
        explain::name(&standings, categories)
    });
    let sampled = if n < buyers {
        format!("Of {} sampled customers, ", thousands(n as u64))
    } else {
        "Of all customers, ".to_string()
    };
    let summary = match groups.len() {
        0 => format!(
            "{sampled}none sit in a dense group: the customers spread evenly, without natural clumps."
        ),
        found => format!(
            "{sampled}{} fall into {}; {} ({:.0} %) fit no group{}.",
            thousands((n - outlier_rows.len()) as u64),
            count(found as u64, "dense group", "dense groups"),
            count(outlier_rows.len() as u64, "customer", "customers"),
            outlier_share * 100.0,
            match (&outlier_name, n < buyers) {
                (Some(name), true) => format!(
                    " — about {} across the store, mostly {}",
                    thousands((outlier_share * buyers as f64).round() as u64),
                    name.to_lowercase()
                ),
                (Some(name), false) => format!(", mostly {}", name.to_lowercase()),
                _ => String::new(),
            }
        ),
    };
    DensitySummary {
        sample: n as u64,
        buyers: buyers as u64,
        min_cluster_size: params.min_cluster_size,
        groups,
        outliers: outlier_rows.len() as u64,
        outlier_share,
        outlier_name,
        agreement,
        summary,
    }
}

/// A customer is clearly in their cluster from this probability on.
pub const CLEAR: f64 = 0.8;

/// `clusters.membership` in `summary.json`: soft membership from a
/// Gaussian mixture started from the k-means clusters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MembershipSummary {
    /// Buyers the mixture was fitted on (a sample), and EM iterations.
    pub sample: u64,
    pub iterations: usize,
    /// Share of buyers whose probability for their own cluster is at least
    /// `CLEAR`.
    pub clear_share: f64,
    /// Buyers more likely in another cluster than their own (below 0.5).
    pub borderline: u64,
    pub summary: String,
}

/// Fits the mixture on the `fit_rows` of `data` (scaled features, one row
/// per buyer) from the k-means clusters `ids` (1-based, per row), then
/// scores every row. Returns the summary, each row's probability for its
/// own cluster, and each cluster's share of clear members (by id − 1).
pub fn membership(
    data: ArrayView2<'_, f64>,
    ids: &[u16],
    k: usize,
    fit_rows: &[usize],
) -> (MembershipSummary, Vec<f32>, Vec<f64>) {
    let sample = data.select(ndarray::Axis(0), fit_rows);
    let labels: Vec<u16> = fit_rows.iter().map(|&r| ids[r].saturating_sub(1)).collect();
    // scikit-learn's defaults: at most 100 iterations, stop when the mean
    // log-likelihood gains less than 0.001.
    // Shared spreads: with a variance per cluster and feature, clusters whose
    // members share a value (no refunds, one category) become spikes, and
    // EM drifts away from the k-means clusters it started from (on the
    // demo store half the buyers ended "more likely elsewhere").
    let mixture = Mixture::from_labels(sample.view(), &labels, k, Spread::SharedDiagonal).fit(
        sample.view(),
        100,
        1e-3,
    );
    let data = data.as_standard_layout();
    let d = data.ncols().max(1);
    let x = data.as_slice().expect("standard layout");
    let mut resp = vec![0.0; k];
    let mut clear = vec![0u64; k];
    let mut members = vec![0u64; k];
    let mut borderline = 0u64;
    let probabilities: Vec<f32> = x
        .chunks_exact(d)
        .zip(ids)
        .map(|(row, &id)| {
            mixture.responsibilities(row, &mut resp);
            let own = usize::from(id.max(1)) - 1;
            let p = resp.get(own).copied().unwrap_or(0.0);
            members[own] += 1;
            if p >= CLEAR {
                clear[own] += 1;
            }
            if p < 0.5 {
                borderline += 1;
            }
            p as f32
        })
        .collect();
    let n = ids.len().max(1) as f64;
    let clear_share = clear.iter().sum::<u64>() as f64 / n;
    let summary = format!(
        "Allowing customers to belong partly to several groups (a Gaussian mixture started from these groups), {:.0} % clearly belong to their group (probability {:.0} % or more); {} ({:.0} %) are more likely in another group: they sit on a border between groups.",
        clear_share * 100.0,
        CLEAR * 100.0,
        count(borderline, "customer", "customers"),
        borderline as f64 / n * 100.0
    );
    let per_cluster = clear
        .iter()
        .zip(&members)
        .map(|(&c, &m)| c as f64 / m.max(1) as f64)
        .collect();
    (
        MembershipSummary {
            sample: fit_rows.len() as u64,
            iterations: mixture.iterations,
            clear_share,
            borderline,
            summary,
        },
        probabilities,
        per_cluster,
    )
}
