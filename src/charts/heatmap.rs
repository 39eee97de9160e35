//! A grid of cells shaded by a value: the R × F grid, cohort retention and
//! movement between groups. Cells that lead somewhere are buttons.

use leptos::prelude::*;

use super::shade;

/// One cell: its text, its tooltip (also its accessible name), how dark it
/// is (0–1), and what a click does.
#[derive(Clone)]
pub struct HeatCell {
    pub text: Vec<String>,
    pub tip: String,
    pub intensity: f64,
    pub on_select: Option<Callback<()>>,
    /// `data-cell`, for tests and styling.
    pub key: String,
}

impl HeatCell {
    /// A cell with nothing in it (not observed, or not applicable).
    pub fn blank(tip: impl Into<String>) -> HeatCell {
        HeatCell {
            text: Vec::new(),
            tip: tip.into(),
            intensity: 0.0,
            on_select: None,
            key: String::new(),
        }
    }
}

/// `cells` row by row, `columns.len()` per row.
#[component]
pub fn Heatmap(
    id: &'static str,
    /// Read as the grid's name by screen readers.
    label: String,
    corner: String,
    rows: Vec<String>,
    columns: Vec<String>,
    cells: Vec<HeatCell>,
) -> impl IntoView {
    let width = columns.len().max(1);
    let template = format!(
        "grid-template-columns: minmax(64px, max-content) repeat({width}, minmax(52px, 1fr))"
    );
    let header = columns
        .into_iter()
        .map(|c| view! { <div class="heat-head" role="columnheader">{c}</div> })
        .collect_view();
    let mut cells = cells.into_iter();
    let body = rows
        .into_iter()
        .map(|row| {
            let row_cells: Vec<HeatCell> = cells.by_ref().take(width).collect();
            view! {
                <div class="heat-row" role="row">
                    <div class="heat-side" role="rowheader">{row}</div>
                    {row_cells.into_iter().map(cell).collect_view()}
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="heatmap" id=id role="table" aria-label=label style=template>
            <div class="heat-row" role="row">
                <div class="heat-head corner" role="columnheader">{corner}</div>
                {header}
            </div>
            {body}
        </div>
    }
}

fn cell(cell: HeatCell) -> AnyView {
    let style = shade(cell.intensity);
    let empty = cell.intensity <= 0.0;
    let lines = cell
        .text
        .into_iter()
        .enumerate()
        .map(
            |(i, t)| view! { <span class=if i == 0 { "heat-main" } else { "heat-sub" }>{t}</span> },
        )
        .collect_view();
    match cell.on_select {
        Some(select) => view! {
            <div role="cell" class="heat-slot">
                <button
                    class="heat-cell tip"
                    class:empty=empty
                    style=style
                    data-cell=cell.key
                    data-tip=cell.tip.clone()
                    aria-label=cell.tip
                    on:click=move |_| select.run(())
                >
                    {lines}
                </button>
            </div>
        }
        .into_any(),
        None => view! {
            <div
                role="cell"
                class="heat-cell static tip"
                class:empty=empty
                style=style
                data-cell=cell.key
                data-tip=cell.tip.clone()
                title=cell.tip
            >
                {lines}
            </div>
        }
        .into_any(),
    }
}
