use leptos::prelude::*;

use crate::format;
use crate::state::AppState;

/// The natural groups k-means found, each named, described and given an
/// action, with how well the groups separate.
#[component]
pub fn ClusterPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let Some(f) = state.finished.get() else {
            return ().into_any();
        };
        let c = f.summary.clusters.clone();
        if let Some(why) = c.skipped {
            if f.summary.customers == 0 {
                return ().into_any();
            }
            return view! {
                <section class="panel" id="clusters">
                    <h2>"Customer clusters"</h2>
                    <p class="muted">{format!("No clusters: {why}.")}</p>
                </section>
            }
            .into_any();
        }
        let quality = format!(
            "{} groups found by k-means on {} measures; silhouette {} (1 is perfectly separated, 0 overlapping)",
            c.k,
            c.features.len(),
            c.silhouette.map_or("–".to_string(), |s| format!("{s:.2}"))
        );
        view! {
            <section class="panel" aria-labelledby="clusters-title" id="clusters">
                <div class="panel-head">
                    <h2 id="clusters-title">"Customer clusters"</h2>
                    <p class="muted">{quality}</p>
                </div>
                <div class="cluster-grid">
                    {c.clusters.into_iter().map(|cluster| view! {
                        <article class="cluster" data-cluster=cluster.id>
                            <h3>{cluster.name.clone()}</h3>
                            <p class="cluster-share">
                                <span class="bar" role="img" aria-label=format::percent(cluster.share)>
                                    <span style=format!("width: {:.1}%", cluster.share * 100.0)></span>
                                </span>
                                <span class="bar-label">
                                    {format!("{} of customers · {} of revenue", format::percent(cluster.share), format::percent(cluster.revenue_share))}
                                </span>
                            </p>
                            <p class="small">{cluster.description.clone()}</p>
                            <p class="small action">{cluster.action.clone()}</p>
                        </article>
                    }).collect_view()}
                </div>
            </section>
        }
        .into_any()
    }
}
