//! Ward's tree (dendrogram) of a sample of customers: the top groups as
//! leaves, coloured by the k-means cluster most of their customers are in,
//! joined where they merge; the cut into as many groups as k-means found
//! is marked.

use leptos::prelude::*;

use segmenter_engine::cluster::alternatives::HierarchySummary;

use super::colour;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 16.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 46.0;

#[component]
pub fn TreeView(hierarchy: HierarchySummary) -> impl IntoView {
    let tree = &hierarchy.tree;
    let leaves = tree.leaf_sizes.len();
    if leaves < 2 || tree.merges.len() + 1 != leaves {
        return ().into_any();
    }
    let top = tree
        .merges
        .iter()
        .map(|m| m.height)
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let step = (WIDTH - LEFT - RIGHT) / leaves as f64;
    let plot = HEIGHT - TOP - BOTTOM;
    let y = move |h: f64| TOP + plot * (1.0 - h / top);
    // x and height of every node: leaves first, then merges in order.
    let mut nodes: Vec<(f64, f64)> = (0..leaves)
        .map(|i| (LEFT + step * (i as f64 + 0.5), 0.0))
        .collect();
    let mut links = Vec::new();
    for m in &tree.merges {
        let (Some(&(xl, hl)), Some(&(xr, hr))) = (nodes.get(m.left), nodes.get(m.right)) else {
            return ().into_any();
        };
        links.push(format!(
            "M{xl:.1},{:.1}V{:.1}H{xr:.1}V{:.1}",
            y(hl),
            y(m.height),
            y(hr)
        ));
        nodes.push(((xl + xr) / 2.0, m.height));
    }
    // The cut into as many groups as k-means found: between the merge that
    // leaves k groups and the next.
    let k = hierarchy.sizes.len();
    let heights: Vec<f64> = tree.merges.iter().map(|m| m.height).collect();
    // (With as many groups as leaves, every leaf is a group: no line.)
    let cut = (k >= 2 && k < leaves).then(|| {
        let below = heights[heights.len() - k];
        let above = heights[heights.len() - k + 1];
        y((below + above) / 2.0)
    });
    let leaf_marks = (0..leaves)
        .map(|i| {
            let (x, _) = nodes[i];
            let (cluster, share) = tree.leaf_clusters[i];
            let tip = format!(
                "{} customers, {:.0} % of them in cluster {cluster}",
                tree.leaf_sizes[i],
                share * 100.0
            );
            view! {
                <g>
                    <title>{tip}</title>
                    <rect x=x - 7.0 y=HEIGHT - BOTTOM + 4.0 width="14" height="14" rx="3" fill=colour(cluster)/>
                    <text x=x y=HEIGHT - BOTTOM + 32.0 class="tick" text-anchor="middle">{tree.leaf_sizes[i]}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart tree">
            <h3>"How the groups nest"</h3>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="tree-caption" id="cluster-tree">
                <path d=links.join(" ") class="links"/>
                {cut.map(|cy| view! {
                    <line x1=LEFT x2=WIDTH - RIGHT y1=cy y2=cy class="cut"/>
                    <text x=WIDTH - RIGHT y=cy - 4.0 class="tick" text-anchor="end">{format!("{k} groups")}</text>
                })}
                {leaf_marks}
            </svg>
            <figcaption id="tree-caption">
                {hierarchy.summary.clone()}
                " Leaves are groups of sampled customers (their number below), coloured by the cluster most of them are in; the higher two branches join, the less alike they are."
            </figcaption>
        </figure>
    }
    .into_any()
}
