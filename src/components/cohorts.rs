//! Monthly cohort retention: of the customers whose first order fell in a
//! month, the share who ordered again in each later month.

use leptos::prelude::*;

use crate::charts::{HeatCell, Heatmap};
use crate::format;
use crate::state::AppState;

/// Customers across the cohorts shown for the chart to say anything.
const MIN_CUSTOMERS: u64 = 30;

#[component]
pub fn CohortPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let f = state.finished.get()?;
        let cohorts = f.summary.figures.cohorts.clone();
        // A handful of customers per month makes every share 0 % or 100 %.
        let customers: u64 = cohorts.cohorts.iter().map(|c| c.customers).sum();
        if cohorts.cohorts.len() < 2 || customers < MIN_CUSTOMERS {
            return None;
        }
        let span = cohorts.average.len();
        // Month 0 is everyone; the later months set the scale.
        let max = cohorts
            .cohorts
            .iter()
            .flat_map(|c| c.retained.iter().skip(1))
            .chain(cohorts.average.iter().skip(1))
            .fold(0.0f64, |m, &v| m.max(v));
        let cell = |label: &str, m: usize, share: Option<f64>, active: Option<u64>| match share {
            None => HeatCell::blank(format!("{label}, month {m}: not reached yet")),
            Some(share) => HeatCell {
                text: vec![format!("{:.0}%", share * 100.0)],
                tip: match active {
                    Some(n) => format!(
                        "{label}, month {m}: {} customers ordered ({})",
                        format::int(n),
                        format::percent(share)
                    ),
                    None => format!("{label}, month {m}: {} ordered", format::percent(share)),
                },
                intensity: if m == 0 || max <= 0.0 {
                    0.0
                } else {
                    (share / max).max(1e-6)
                },
                on_select: None,
                key: format!("{label}:{m}"),
            },
        };
        let mut cells = Vec::new();
        let mut rows = Vec::new();
        for c in cohorts.cohorts.iter().rev() {
            rows.push(format!("{} · {}", c.month, format::int(c.customers)));
            for m in 0..span {
                cells.push(cell(
                    &c.month,
                    m,
                    c.retained.get(m).copied(),
                    c.active.get(m).copied(),
                ));
            }
        }
        rows.push("All shown".to_string());
        for m in 0..span {
            cells.push(cell(
                "All cohorts",
                m,
                cohorts.average.get(m).copied(),
                None,
            ));
        }
        let partial = cohorts.partial_month.clone().map(|month| {
            format!(" {month} is counted up to the analysis date, so its figures are still rising.")
        });
        Some(view! {
            <section class="panel cohorts" id="cohorts" aria-labelledby="cohorts-title">
                <div class="panel-head">
                    <h2 id="cohorts-title">"Do new customers come back?"</h2>
                    <p class="muted">"Customers grouped by the month of their first order; each cell is the share who ordered again that many months later."</p>
                </div>
                <figure class="chart">
                    <Heatmap
                        id="cohort-grid"
                        label="Share of each first-order month's customers ordering in each later month".to_string()
                        corner="First order · customers".to_string()
                        rows=rows
                        columns=(0..span).map(|m| if m == 0 { "Month 0".to_string() } else { format!("+{m}") }).collect()
                        cells=cells
                    />
                    <figcaption>
                        "Darker is more customers returning. Month 0 is the first order's month (everyone)."
                        {partial}
                    </figcaption>
                </figure>
            </section>
        })
    }
}
