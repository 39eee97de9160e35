//! What each k-means cluster is like, for the merchant: its size and
//! revenue, how its centre stands on every feature, the categories it buys
//! and its RFM groups, a name, a sentence and an action; clusters numbered
//! from the largest.

use rustc_hash::FxHashMap;

use super::explain::{self, Standing};
use super::features::FeatureMatrix;
use super::kmeans::{sizes, KMeans};
use super::{Candidate, ClusterInfo, ClusterInput, ClusterSummary, Clustering};
use crate::rfm::RfmGroup;
use crate::wording::thousands;

/// Categories and RFM groups listed per cluster.
const LISTED: usize = 3;

/// Names, describes and orders the clusters (largest first).
pub(super) fn describe(
    input: &ClusterInput<'_>,
    matrix: &FeatureMatrix,
    fit: KMeans,
    candidates: Vec<Candidate>,
) -> Clustering {
    let customers = input.customers;
    let KMeans {
        labels, centres, ..
    } = fit;
    let k = centres.nrows();
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
    let mut rfm: Vec<FxHashMap<RfmGroup, u64>> = vec![FxHashMap::default(); k];
    for (row, &label) in labels.iter().enumerate() {
        let customer = matrix.rows[row] as usize;
        revenue[label as usize] += customers.revenue[customer];
        per_customer[customer] = Some(new_id[label as usize]);
        if let Some(&group) = input.rfm.get(customer) {
            *rfm[label as usize].entry(group).or_default() += 1;
        }
    }
    // Item spend per cluster and category.
    let mut categories: Vec<FxHashMap<u32, f64>> = vec![FxHashMap::default(); k];
    let mut item_spend = vec![0.0f64; k];
    let label_of: FxHashMap<u32, usize> = matrix
        .rows
        .iter()
        .zip(&labels)
        .map(|(&r, &l)| (r, l as usize))
        .collect();
    for item in &input.sales.items {
        let Some(&c) = label_of.get(&item.customer) else {
            continue;
        };
        let spend = item.revenue().max(0.0);
        item_spend[c] += spend;
        if let Some(category) = item.category.get() {
            *categories[c].entry(category).or_default() += spend;
        }
    }
    // Standings are measured from the store's average buyer, not from the
    // median the columns were centred on: for a share most buyers have at
    // zero (discounts, a category) the median is 0 and every cluster would
    // look "high".
    let store_mean: Vec<f64> = (0..matrix.features.len())
        .map(|j| matrix.scaled.column(j).sum() / n.max(1) as f64)
        .collect();
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
                    z: centres[[c, j]] - store_mean[j],
                })
                .collect();
            let mut name = explain::name(&standings, &matrix.categories);
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
            let mut top_categories: Vec<(String, f64)> = categories[c]
                .iter()
                .map(|(&label, &spend)| {
                    (
                        input.sales.labels.name(label).to_string(),
                        spend / item_spend[c].max(f64::MIN_POSITIVE),
                    )
                })
                .collect();
            top_categories.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            top_categories.truncate(LISTED);
            let mut rfm_mix: Vec<(RfmGroup, f64)> = rfm[c]
                .iter()
                .map(|(&g, &count)| (g, count as f64 / size[c].max(1) as f64))
                .collect();
            rfm_mix.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            rfm_mix.truncate(LISTED);
            let facts = Facts {
                cluster: c,
                size: size[c],
                share,
                revenue_share,
                standings: &standings,
                top_categories: &top_categories,
                rfm_mix: &rfm_mix,
            };
            ClusterInfo {
                id: new_id[c],
                description: sentence(matrix, &labels, &facts),
                action: explain::action(&standings).to_string(),
                name,
                customers: size[c] as u64,
                share,
                revenue_share,
                standing: standings.iter().map(|s| (s.feature, s.z)).collect(),
                top_categories,
                rfm_mix,
                clear_share: None,
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
            suggested_k: k,
            features: matrix.features.clone(),
            available: Vec::new(),
            categories: matrix.categories.clone(),
            sizes: clusters.iter().map(|c| c.customers).collect(),
            clusters,
            candidates,
            hierarchy: None,
            density: None,
            projection: None,
            membership: None,
            skipped: None,
        },
        membership: vec![None; per_customer.len()],
        labels: per_customer,
    }
}

/// What the sentence about one cluster says.
struct Facts<'a> {
    cluster: usize,
    size: usize,
    share: f64,
    revenue_share: f64,
    standings: &'a [Standing],
    top_categories: &'a [(String, f64)],
    rfm_mix: &'a [(RfmGroup, f64)],
}

/// Measures in the sentence: the most distinctive.
const MEASURES_SHOWN: usize = 4;

/// "412 customers (14 % of buyers, 38 % of revenue). Typically: spend 310
/// (store 95), 6 orders (store 2), …. Mostly Champions (45 %) and Loyal
/// (30 %); 60 % of their item spend on Coffee."
fn sentence(matrix: &FeatureMatrix, labels: &[u16], facts: &Facts<'_>) -> String {
    // Counts and amounts by their median (a typical customer); shares by
    // their mean: most customers have none, so a median share says 0 %
    // even where the cluster's share is what sets it apart.
    let typical = |column: usize, members: bool, share: bool| -> f64 {
        let mut values: Vec<f64> = labels
            .iter()
            .enumerate()
            .filter(|(_, &l)| !members || l as usize == facts.cluster)
            .map(|(r, _)| matrix.raw[[r, column]])
            .collect();
        if share {
            return values.iter().sum::<f64>() / values.len().max(1) as f64;
        }
        values.sort_by(f64::total_cmp);
        values.get(values.len() / 2).copied().unwrap_or(0.0)
    };
    let mut parts = Vec::new();
    for standing in explain::ranked(facts.standings).iter().take(MEASURES_SHOWN) {
        let Some(j) = matrix.features.iter().position(|&f| f == standing.feature) else {
            continue;
        };
        let feature = standing.feature;
        let share = feature.is_share();
        // Counts and amounts were taken as ln(1 + x): show them as x.
        let show = |v: f64| {
            if share {
                format!("{:.0} %", v * 100.0)
            } else {
                format!("{:.0}", v.exp_m1())
            }
        };
        let (ours, store) = (typical(j, true, share), typical(j, false, share));
        parts.push(format!(
            "{} {} (store {})",
            feature.label(&matrix.categories),
            show(ours),
            show(store)
        ));
    }
    let mut text = format!(
        "{} customers ({:.0} % of buyers, {:.0} % of revenue). Typically: {}.",
        thousands(facts.size as u64),
        facts.share * 100.0,
        facts.revenue_share * 100.0,
        parts.join(", ")
    );
    let groups: Vec<String> = facts
        .rfm_mix
        .iter()
        .take(2)
        .filter(|(_, share)| *share >= 0.1)
        .map(|(g, share)| format!("{} ({:.0} %)", g.label(), share * 100.0))
        .collect();
    if !groups.is_empty() {
        text.push_str(&format!(" Mostly {}", groups.join(" and ")));
    }
    match facts.top_categories.first() {
        Some((name, share)) if *share >= 0.05 => {
            text.push_str(&format!(
                "{}{:.0} % of their item spend on {name}",
                if groups.is_empty() { " " } else { "; " },
                share * 100.0
            ));
            if !name.ends_with('.') {
                text.push('.');
            }
        }
        _ if !groups.is_empty() => text.push('.'),
        _ => {}
    }
    text
}
