//! Where the customers and the revenue are: each RFM group's share of
//! customers against its share of revenue, and the R × F grid as Shopify's
//! RFM report draws it. Every bar and cell opens its customers.

use leptos::prelude::*;
use segmenter_engine::figures::RfmGrid;
use segmenter_engine::summary::GroupStats;

use super::segments::group_filter;
use crate::charts::{shade_legend, BarPair, BarPairs, HeatCell, Heatmap};
use crate::format;
use crate::state::AppState;

#[component]
pub fn RfmCharts() -> impl IntoView {
    let state = expect_context::<AppState>();
    // The grid is shaded by customers or by revenue, as the merchant picks.
    let by_revenue = RwSignal::new(false);
    move || {
        let Some(f) = state.finished.get() else {
            return ().into_any();
        };
        let currency = f.summary.currency.clone();
        let groups = group_bars(state, &f.summary.rfm_group_stats, currency.as_deref());
        let grid = f.summary.figures.rfm_grid.clone();
        view! {
            <section class="panel rfm-charts" id="rfm-charts" aria-labelledby="rfm-charts-title">
                <div class="panel-head">
                    <h2 id="rfm-charts-title">"Where your customers and revenue are"</h2>
                    <p class="muted">"Select a bar or a cell to see its customers."</p>
                </div>
                <div class="chart-pair">
                    <figure class="chart">
                        <h3>"Segment sizes and revenue"</h3>
                        <BarPairs id="segment-bars" first_name="Share of customers" second_name="Share of revenue" rows=groups/>
                        <figcaption>"A group whose revenue bar is longer than its customer bar earns more than its size."</figcaption>
                    </figure>
                    <figure class="chart">
                        <h3>"Recency × frequency"</h3>
                        <div class="toggle" role="group" aria-label="Shade the grid by">
                            <button class="button small" aria-pressed=move || (!by_revenue.get()).to_string()
                                on:click=move |_| by_revenue.set(false)>"Customers"</button>
                            <button class="button small" aria-pressed=move || by_revenue.get().to_string()
                                on:click=move |_| by_revenue.set(true)>"Revenue"</button>
                        </div>
                        {move || grid_view(state, &grid, by_revenue.get(), currency.as_deref())}
                        <figcaption>
                            "R: how recently they ordered (5 = most recently); F: how often (5 = most orders). Scores are quintiles of your own customers; customers with the same value share a score, so a score can be skipped (an empty column)."
                        </figcaption>
                    </figure>
                </div>
            </section>
        }
        .into_any()
    }
}

fn group_bars(state: AppState, stats: &[GroupStats], currency: Option<&str>) -> Vec<BarPair> {
    stats
        .iter()
        .filter(|g| g.customers > 0)
        .map(|g| {
            let group = g.group;
            BarPair {
                label: group.label().to_string(),
                dot: format!("g-{}", group.code().to_lowercase()),
                first: g.share,
                second: g.revenue_share,
                tip: format!(
                    "{}: {} customers ({}), {} revenue ({}). Show them.",
                    group.label(),
                    format::int(g.customers),
                    format::percent(g.share),
                    format::money(g.revenue, currency),
                    format::percent(g.revenue_share),
                ),
                on_select: Callback::new(move |()| {
                    state.show_customers(group.label(), group_filter(group))
                }),
                key: group.code().to_string(),
            }
        })
        .collect()
}

fn grid_view(state: AppState, grid: &RfmGrid, by_revenue: bool, currency: Option<&str>) -> AnyView {
    let measure = |c: &segmenter_engine::figures::GridCell| {
        if by_revenue {
            c.revenue.max(0.0)
        } else {
            c.customers as f64
        }
    };
    let max = grid.cells.iter().map(measure).fold(0.0, f64::max);
    let cells = grid
        .cells
        .iter()
        .map(|c| {
            let (r, f) = (c.r, c.f);
            let tip = format!(
                "R {r} · F {f}: {} customers, {} revenue ({} of all). Show them.",
                format::int(c.customers),
                format::money(c.revenue, currency),
                format::percent(c.revenue_share)
            );
            if c.customers == 0 {
                return HeatCell {
                    key: format!("{r}{f}"),
                    ..HeatCell::blank(format!("R {r} · F {f}: no customers"))
                };
            }
            HeatCell {
                text: vec![format::int(c.customers), format::percent(c.revenue_share)],
                tip,
                intensity: if max > 0.0 { measure(c) / max } else { 0.0 },
                on_select: Some(Callback::new(move |()| {
                    state.show_customers(
                        format!("R {r} · F {f}"),
                        format!("r_score = {r} AND f_score = {f}"),
                    )
                })),
                key: format!("{r}{f}"),
            }
        })
        .collect();
    let legend = shade_legend(max, |v| {
        if by_revenue {
            format::money(v, currency)
        } else {
            format::int(v.round() as u64)
        }
    });
    view! {
        <Heatmap
            id="rfm-grid"
            label="Customers by recency score (rows) and frequency score (columns)".to_string()
            corner="R \\ F".to_string()
            rows=(1..=5).rev().map(|r| format!("R {r}")).collect()
            columns=(1..=5).map(|f| format!("F {f}")).collect()
            cells=cells
        />
        <p class="shade-legend" aria-hidden="true">
            {legend.into_iter().map(|(style, text)| view! { <span class="shade-key" style=style>{text}</span> }).collect_view()}
        </p>
        <p class="muted small">"Each cell: customers, and their share of revenue."</p>
    }
    .into_any()
}
