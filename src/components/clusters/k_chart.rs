//! The elbow chart: silhouette and within-group spread for every k tried.

use leptos::prelude::*;

use segmenter_engine::cluster::Candidate;

/// How well each number of groups separated the customers: silhouette
/// (higher is better) and the within-group spread (inertia, the elbow),
/// with the k in use and the suggested k marked. Davies–Bouldin and
/// Calinski–Harabasz are in the tooltip of each point and in the table
/// below the chart.
#[component]
pub fn KChart(candidates: Vec<Candidate>, chosen: usize, suggested: usize) -> impl IntoView {
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
            let class = match (c.k == chosen, c.k == suggested) {
                (true, _) => "point chosen",
                (false, true) => "point suggested",
                _ => "point",
            };
            view! {
                <g>
                    <title>{tip}</title>
                    <circle cx=x(c.k) cy=cy r=if c.k == chosen { 6.0 } else { 3.5 } class=class data-k=c.k/>
                    <text x=x(c.k) y=HEIGHT - BOTTOM + 16.0 class="tick" text-anchor="middle">{c.k}</text>
                </g>
            }
        })
        .collect_view();
    let rows = candidates
        .iter()
        .map(|c| {
            let fmt = |v: Option<f64>, digits: usize| {
                v.map_or("–".to_string(), |v| format!("{v:.digits$}"))
            };
            view! {
                <tr class:chosen=c.k == chosen>
                    <td>{c.k}</td>
                    <td>{fmt(c.silhouette, 3)}</td>
                    <td>{fmt(c.davies_bouldin, 2)}</td>
                    <td>{fmt(c.calinski_harabasz, 0)}</td>
                </tr>
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
                {if chosen == suggested {
                    format!(" — k = {chosen}, the best silhouette")
                } else {
                    format!(" — k = {chosen} chosen by you; the silhouette suggests {suggested}")
                }}
            </figcaption>
            <details class="small">
                <summary>"All three measures for every k"</summary>
                <table class="metrics" id="k-table">
                    <thead><tr>
                        <th scope="col">"k"</th>
                        <th scope="col">"Silhouette (higher is better)"</th>
                        <th scope="col">"Davies–Bouldin (lower is better)"</th>
                        <th scope="col">"Calinski–Harabasz (higher is better)"</th>
                    </tr></thead>
                    <tbody>
                        {rows}
                    </tbody>
                </table>
            </details>
        </figure>
    }
    .into_any()
}
