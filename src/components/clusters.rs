use leptos::prelude::*;

use segmenter_engine::cluster::Candidate;

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
                <KChart candidates=c.candidates.clone() chosen=c.k/>
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

/// How well each number of groups separated the customers: silhouette
/// (higher is better) and the within-group spread (inertia, the elbow),
/// with the chosen k marked. Davies–Bouldin and Calinski–Harabasz are in
/// the tooltip of each point.
#[component]
fn KChart(candidates: Vec<Candidate>, chosen: usize) -> impl IntoView {
    const WIDTH: f64 = 640.0;
    const HEIGHT: f64 = 170.0;
    const LEFT: f64 = 40.0;
    const RIGHT: f64 = 40.0;
    const TOP: f64 = 12.0;
    const BOTTOM: f64 = 34.0;
    if candidates.len() < 2 {
        return ().into_any();
    }
    let (first, last) = (
        candidates[0].k as f64,
        candidates[candidates.len() - 1].k as f64,
    );
    let x = move |k: usize| LEFT + (k as f64 - first) / (last - first) * (WIDTH - LEFT - RIGHT);
    let plot = HEIGHT - TOP - BOTTOM;
    let best_silhouette = candidates
        .iter()
        .filter_map(|c| c.silhouette)
        .fold(0.0f64, f64::max)
        .max(0.05);
    let y_s = move |s: f64| TOP + plot * (1.0 - (s / best_silhouette).clamp(0.0, 1.0));
    let max_inertia = candidates
        .iter()
        .map(|c| c.inertia)
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let y_i = move |v: f64| TOP + plot * (1.0 - v / max_inertia);
    let line = |points: Vec<(f64, f64)>| {
        points
            .iter()
            .map(|(a, b)| format!("{a:.1},{b:.1}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let silhouette_line = line(
        candidates
            .iter()
            .filter_map(|c| c.silhouette.map(|s| (x(c.k), y_s(s))))
            .collect(),
    );
    let inertia_line = line(
        candidates
            .iter()
            .map(|c| (x(c.k), y_i(c.inertia)))
            .collect(),
    );
    let points = candidates
        .iter()
        .map(|c| {
            let tip = format!(
                "k = {}: silhouette {}, Davies–Bouldin {}, Calinski–Harabasz {}",
                c.k,
                c.silhouette.map_or("–".into(), |v| format!("{v:.3}")),
                c.davies_bouldin.map_or("–".into(), |v| format!("{v:.2}")),
                c.calinski_harabasz.map_or("–".into(), |v| format!("{v:.0}"))
            );
            let cy = y_s(c.silhouette.unwrap_or(0.0));
            let class = if c.k == chosen { "point chosen" } else { "point" };
            view! {
                <g>
                    <title>{tip}</title>
                    <circle cx=x(c.k) cy=cy r=if c.k == chosen { 6.0 } else { 3.5 } class=class data-k=c.k/>
                    <text x=x(c.k) y=HEIGHT - BOTTOM + 16.0 class="tick" text-anchor="middle">{c.k}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart k-chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="k-chart-caption" id="k-chart">
                <polyline points=inertia_line class="inertia"/>
                <polyline points=silhouette_line class="silhouette"/>
                {points}
                <text x=LEFT + (WIDTH - LEFT - RIGHT) / 2.0 y=HEIGHT - 4.0 class="axis" text-anchor="middle">
                    "Number of groups (k)"
                </text>
            </svg>
            <figcaption id="k-chart-caption">
                <span class="key silhouette"></span>"Silhouette (higher: better separated) "
                <span class="key inertia"></span>"Spread within groups (the elbow)"
                {format!(" — k = {chosen} chosen")}
            </figcaption>
        </figure>
    }
    .into_any()
}
