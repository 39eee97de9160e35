use leptos::prelude::*;

use crate::format;
use crate::state::AppState;

/// The store at a glance: customers, orders, revenue, period.
#[component]
pub fn Overview() -> impl IntoView {
    let state = expect_context::<AppState>();
    let finished = move || state.finished.get();

    move || {
        let Some(f) = finished() else {
            return ().into_any();
        };
        let s = &f.summary;
        let currency = s.currency.as_deref();
        let aov = if s.orders > 0 {
            format::money(s.revenue / s.orders as f64, currency)
        } else {
            "–".to_string()
        };
        let period = match (s.first_order, s.last_order) {
            (Some(first), Some(last)) => format!("{first} to {last}"),
            _ => "–".to_string(),
        };
        let as_of = s.as_of.map(|d| d.to_string()).unwrap_or_else(|| "–".into());
        let warnings = s.warnings.clone();
        view! {
            <section class="panel overview" aria-labelledby="overview-title">
                <div class="panel-head">
                    <h2 id="overview-title">"Your store at a glance"</h2>
                    <p class="muted">
                        {if s.provisional {
                            format!(
                                "{} · segments in {} on this device; predictions on the way",
                                f.source,
                                format::duration(f.elapsed_ms)
                            )
                        } else {
                            format!(
                                "{} · analysed in {} on this device",
                                f.source,
                                format::duration(f.elapsed_ms)
                            )
                        }}
                        {s.timings.clone().map(|t| view! {
                            <span
                                id="timings"
                                class="small"
                                data-ingest-ms=t.ingest_ms
                                data-rfm-ms=t.rfm_ms
                                data-fit-ms=t.fit_ms
                                data-models-ms=t.models_ms
                                data-peak-memory-bytes=t.peak_memory_bytes
                                data-pieces-merged=t.pieces_merged
                                data-stages=serde_json::to_string(&t.stages).unwrap_or_default()
                            >
                                {format!(
                                    " (reading {}, models {}, of which fitting {})",
                                    format::duration(t.ingest_ms),
                                    format::duration(t.models_ms),
                                    format::duration(t.fit_ms)
                                )}
                            </span>
                        })}
                    </p>
                </div>
                <dl class="kpis">
                    <div class="kpi">
                        <dt>"Customers"</dt>
                        <dd id="kpi-customers">{format::int(s.customers)}</dd>
                    </div>
                    {(s.prospects > 0).then(|| view! {
                        <div class="kpi">
                            <dt>"Prospects (no orders)"</dt>
                            <dd id="kpi-prospects">{format::int(s.prospects)}</dd>
                        </div>
                    })}
                    <div class="kpi">
                        <dt>"Orders"</dt>
                        <dd id="kpi-orders">{format::int(s.orders)}</dd>
                    </div>
                    <div class="kpi">
                        <dt>"Revenue (net of refunds)"</dt>
                        <dd id="kpi-revenue">{format::money(s.revenue, currency)}</dd>
                    </div>
                    <div class="kpi">
                        <dt>"Average order value"</dt>
                        <dd>{aov}</dd>
                    </div>
                    <div class="kpi wide">
                        <dt>"Orders placed"</dt>
                        <dd class="small">{period}</dd>
                    </div>
                    <div class="kpi">
                        <dt>"Measured as of"</dt>
                        <dd class="small" id="kpi-as-of">{as_of}</dd>
                    </div>
                </dl>
                {(!warnings.is_empty()).then(|| view! {
                    <ul class="warnings">
                        {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                    </ul>
                })}
            </section>
        }
        .into_any()
    }
}
