//! Two bars per row (a share of customers and a share of revenue), so a
//! merchant sees at once which groups earn more than their size.

use leptos::prelude::*;

#[derive(Clone)]
pub struct BarPair {
    pub label: String,
    /// CSS classes of the row's dot (its colour).
    pub dot: String,
    pub first: f64,
    pub second: f64,
    pub tip: String,
    pub on_select: Callback<()>,
    pub key: String,
}

#[component]
pub fn BarPairs(
    id: &'static str,
    first_name: &'static str,
    second_name: &'static str,
    rows: Vec<BarPair>,
) -> impl IntoView {
    let max = rows
        .iter()
        .map(|r| r.first.max(r.second))
        .fold(0.0f64, f64::max)
        .max(1e-9);
    // The longest bar takes 80 % of the row: its label sits beside it.
    let width = move |v: f64| format!("width: {:.1}%", (v / max * 80.0).clamp(0.0, 80.0));
    let percent = |v: f64| format!("{:.1} %", v * 100.0);
    view! {
        <div class="bar-pairs" id=id>
            <p class="legend-line" aria-hidden="true">
                <span class="key first"></span>{first_name}
                <span class="key second"></span>{second_name}
            </p>
            <ul>
                {rows.into_iter().map(|row| {
                    let select = row.on_select;
                    view! {
                        <li>
                            <button class="bar-pair tip" data-key=row.key data-tip=row.tip.clone() aria-label=row.tip
                                on:click=move |_| select.run(())>
                                <span class="bar-pair-label">
                                    <span class=format!("dot {}", row.dot)></span>
                                    {row.label}
                                </span>
                                <span class="bar-pair-bars">
                                    <span class="pair-bar first"><span style=width(row.first)></span><em>{percent(row.first)}</em></span>
                                    <span class="pair-bar second"><span style=width(row.second)></span><em>{percent(row.second)}</em></span>
                                </span>
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}
