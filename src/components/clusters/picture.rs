//! Sampled customers on the two directions along which customers differ
//! most (principal components), coloured by cluster.

use leptos::prelude::*;

use segmenter_engine::cluster::projection::{Axis, Projection};
use segmenter_engine::cluster::ClusterInfo;

use super::colour;
use crate::format;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 380.0;
const PAD: f64 = 28.0;

/// "more spend, fewer orders": the two measures that make up an axis most.
fn axis_words(axis: &Axis, categories: &[String]) -> String {
    axis.loadings
        .iter()
        .take(2)
        .map(|(feature, weight)| {
            let direction = if *weight >= 0.0 { "more" } else { "less" };
            format!("{direction} {}", feature.label(categories))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
pub fn Picture(
    projection: Projection,
    clusters: Vec<ClusterInfo>,
    categories: Vec<String>,
) -> impl IntoView {
    if projection.points.is_empty() || projection.axes.len() < 2 {
        return ().into_any();
    }
    // Robust extent: the 1st to 99th percentile, so a few far customers do
    // not squeeze everyone else into a corner (they are drawn at the edge).
    let extent = |pick: fn(&(f32, f32, u16)) -> f32| {
        let mut values: Vec<f32> = projection.points.iter().map(pick).collect();
        values.sort_by(f32::total_cmp);
        let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize] as f64;
        let (low, high) = (at(0.01), at(0.99));
        if high - low < 1e-9 {
            (low - 1.0, high + 1.0)
        } else {
            (low, high)
        }
    };
    let (x0, x1) = extent(|p| p.0);
    let (y0, y1) = extent(|p| p.1);
    let sx = move |v: f32| PAD + (f64::from(v) - x0) / (x1 - x0) * (WIDTH - 2.0 * PAD);
    let sy = move |v: f32| HEIGHT - PAD - (f64::from(v) - y0) / (y1 - y0) * (HEIGHT - 2.0 * PAD);
    // Hovering a dot names its group.
    let name_of = |id: u16| {
        clusters
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| format!("Group {id}"), |c| c.name.clone())
    };
    let dots = projection
        .points
        .iter()
        .map(|&(x, y, id)| {
            let cx = sx(x).clamp(2.0, WIDTH - 2.0);
            let cy = sy(y).clamp(2.0, HEIGHT - 2.0);
            view! {
                <circle cx=format!("{cx:.1}") cy=format!("{cy:.1}") r="2.4" fill=colour(id)>
                    <title>{name_of(id)}</title>
                </circle>
            }
        })
        .collect_view();
    let shown = projection.axes[0].variance_share + projection.axes[1].variance_share;
    let x_words = axis_words(&projection.axes[0], &categories);
    let y_words = axis_words(&projection.axes[1], &categories);
    let legend = clusters
        .iter()
        .map(|c| {
            view! {
                <li><span class="swatch" style=format!("background: {}", colour(c.id))></span>{c.name.clone()}</li>
            }
        })
        .collect_view();
    view! {
        <figure class="chart picture">
            <h3>"How the groups lie"</h3>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="picture-caption" id="cluster-picture"
                data-points=projection.points.len()>
                <rect x="0" y="0" width=WIDTH height=HEIGHT class="plot-area"/>
                <g class="dots">{dots}</g>
                <text x=WIDTH - PAD y=HEIGHT - 8.0 class="axis" text-anchor="end">{format!("→ {x_words}")}</text>
                <text x=12.0 y=PAD - 10.0 class="axis">{format!("↑ {y_words}")}</text>
            </svg>
            <figcaption id="picture-caption">
                {format!(
                    "Each dot is one of {} sampled customers, placed on the two directions along which customers differ most ({:.0} % of all the variation). Nearby dots are similar customers.",
                    format::int(projection.points.len() as u64),
                    shown * 100.0
                )}
            </figcaption>
            <ul class="legend">{legend}</ul>
        </figure>
    }
    .into_any()
}
