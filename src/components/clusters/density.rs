//! Dense groups (HDBSCAN) and the customers who fit none.

use leptos::prelude::*;

use segmenter_engine::cluster::alternatives::DensitySummary;

use super::colour;
use crate::format;

#[component]
pub fn DensityView(density: DensitySummary) -> impl IntoView {
    let rows = density
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            view! {
                <tr>
                    <td>{format!("Dense group {}", i + 1)}</td>
                    <td class="num">{format::int(g.size)}</td>
                    <td>
                        <span class="swatch" style=format!("background: {}", colour(g.cluster))></span>
                        {format!("{} ({})", g.cluster_name, format::percent(g.cluster_share))}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="density" id="cluster-density" data-outliers=density.outliers data-groups=density.groups.len()>
            <h3>"Dense groups and outliers"</h3>
            <p class="small">{density.summary.clone()}</p>
            {(!density.groups.is_empty()).then(|| view! {
                <table class="metrics">
                    <thead><tr>
                        <th scope="col">"Group"</th>
                        <th scope="col" class="num">"Sampled customers"</th>
                        <th scope="col">"Mostly in cluster"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            })}
            <p class="small muted">
                {format!(
                    "Density-based grouping (HDBSCAN, groups of at least {} customers) finds groups of any shape and leaves customers in sparse regions out, where k-means puts everyone in a group.",
                    density.min_cluster_size
                )}
            </p>
        </div>
    }
}
