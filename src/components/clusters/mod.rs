//! The clusters panel: the groups k-means found, each named, described and
//! given an action; the merchant's choice of measures and number of
//! groups; and the other views of the same buyers (the picture, Ward's
//! tree, the dense groups and outliers).

mod controls;
mod density;
mod k_chart;
mod picture;
mod tree;

use leptos::prelude::*;

use segmenter_engine::cluster::ClusterInfo;

use self::controls::ClusterControls;
use self::density::DensityView;
use self::k_chart::KChart;
use self::picture::Picture;
use self::tree::TreeView;
use crate::format;
use crate::state::AppState;

/// Colours of clusters 1, 2, … (Okabe–Ito, then darker tones): told apart
/// with colour-blindness, and every chart also names the cluster.
const PALETTE: [&str; 12] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7a7a00", "#6a3d9a",
    "#1f6f5c", "#8c564b", "#5a6670", "#b8860b",
];

/// The colour of cluster `id` (1-based).
pub(crate) fn colour(id: u16) -> &'static str {
    PALETTE[(usize::from(id).max(1) - 1) % PALETTE.len()]
}

#[component]
pub fn ClusterPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let Some(f) = state.finished.get() else {
            return ().into_any();
        };
        if f.summary.customers == 0 {
            return ().into_any();
        }
        let c = f.summary.clusters.clone();
        let busy = move || state.reclustering.get();
        let error = move || state.recluster_error.get();
        let body = match &c.skipped {
            Some(why) => view! { <p class="muted" id="clusters-skipped">{format!("No clusters: {why}.")}</p> }
                .into_any(),
            None => {
                let quality = format!(
                    "{} groups found by k-means on {} measures; silhouette {} (1 is perfectly separated, 0 overlapping)",
                    c.k,
                    c.features.len(),
                    c.silhouette.map_or("–".to_string(), |s| format!("{s:.2}"))
                );
                let categories = c.categories.clone();
                view! {
                    <p class="muted" id="clusters-quality">{quality}</p>
                    <KChart candidates=c.candidates.clone() chosen=c.k suggested=c.suggested_k/>
                    <div class="cluster-grid">
                        {c.clusters.iter().cloned().map(|cluster| view! { <ClusterCard cluster/> }).collect_view()}
                    </div>
                    {c.membership.clone().map(|m| view! {
                        <p class="small muted" id="cluster-membership" data-borderline=m.borderline>{m.summary}</p>
                    })}
                    <div class="cluster-views">
                        {c.projection.clone().map(|p| view! { <Picture projection=p clusters=c.clusters.clone() categories=categories.clone()/> })}
                        {c.hierarchy.clone().map(|h| view! { <TreeView hierarchy=h/> })}
                    </div>
                    {c.density.clone().map(|d| view! { <DensityView density=d/> })}
                }
                .into_any()
            }
        };
        view! {
            <section class="panel" aria-labelledby="clusters-title" id="clusters" aria-busy=move || busy().to_string()>
                <div class="panel-head">
                    <h2 id="clusters-title">"Customer clusters"</h2>
                    {move || busy().then(|| view! { <span class="badge" id="reclustering">"Regrouping…"</span> })}
                </div>
                <ClusterControls summary=c.clone()/>
                {move || error().map(|e| view! { <p class="error small" role="alert">{e}</p> })}
                {body}
            </section>
        }
        .into_any()
    }
}

/// One cluster: name, size and revenue, the sentence, its RFM groups and
/// categories, and what to do.
#[component]
fn ClusterCard(cluster: ClusterInfo) -> impl IntoView {
    let state = expect_context::<AppState>();
    let (id, name) = (cluster.id, cluster.name.clone());
    let show =
        move |_| state.show_customers(format!("Cluster {id}: {name}"), format!("cluster = {id}"));
    let rfm = cluster
        .rfm_mix
        .iter()
        .map(|(group, share)| format!("{} {}", group.label(), format::percent(*share)))
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <article class="cluster" data-cluster=cluster.id style=format!("--cluster: {}", colour(cluster.id))>
            <h3><span class="swatch" aria-hidden="true"></span>{cluster.name.clone()}</h3>
            <p class="cluster-share">
                <span class="bar" role="img" aria-label=format::percent(cluster.share)>
                    <span style=format!("width: {:.1}%", cluster.share * 100.0)></span>
                </span>
                <span class="bar-label">
                    {format!("{} of customers · {} of revenue", format::percent(cluster.share), format::percent(cluster.revenue_share))}
                </span>
            </p>
            <p class="small">{cluster.description.clone()}</p>
            {(!rfm.is_empty()).then(|| view! { <p class="small muted rfm-mix">{format!("RFM groups: {rfm}")}</p> })}
            {cluster.clear_share.map(|share| view! {
                <p class="small muted clear-share">{format!("{} clearly belong here; the rest sit near another group.", format::percent(share))}</p>
            })}
            <p class="small action">{cluster.action.clone()}</p>
            <button type="button" class="button small see-customers" on:click=show>
                "See these customers"
            </button>
        </article>
    }
}
