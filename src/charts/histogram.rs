//! Vertical bars over value ranges (the spread of predicted value); each
//! bar is a button that shows the customers in its range.

use leptos::prelude::*;

#[derive(Clone)]
pub struct HistogramBar {
    /// Under the bar ("€50", "€500+").
    pub label: String,
    pub count: u64,
    pub tip: String,
    pub on_select: Callback<()>,
}

#[component]
pub fn Histogram(id: &'static str, label: String, bars: Vec<HistogramBar>) -> impl IntoView {
    let max = bars.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64;
    view! {
        <div class="histogram" id=id role="group" aria-label=label>
            {bars.into_iter().map(|bar| {
                let select = bar.on_select;
                let height = format!("height: {:.1}%", bar.count as f64 / max * 100.0);
                view! {
                    <button class="hist-bar tip" data-count=bar.count data-tip=bar.tip.clone()
                        aria-label=bar.tip on:click=move |_| select.run(())>
                        <span class="hist-fill-area"><span class="hist-fill" style=height></span></span>
                        <span class="hist-label">{bar.label}</span>
                    </button>
                }
            }).collect_view()}
        </div>
    }
}
