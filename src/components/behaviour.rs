use leptos::prelude::*;

use crate::format;
use crate::state::AppState;

/// Shopping behaviour from analytics events: the store's funnel from item
/// views to purchases, how often carts are left, and how many visitors the
/// events tie to customers. Shown only when events were read.
#[component]
pub fn BehaviourPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let Some(b) = state
            .finished
            .with(|f| f.as_ref().and_then(|f| f.summary.behaviour.clone()))
        else {
            return ().into_any();
        };
        let steps = [
            ("Item views", b.item_views),
            ("Added to cart", b.add_to_carts),
            ("Checkouts begun", b.checkouts_begun),
            ("Purchases", b.purchases),
        ];
        let widest = steps.iter().map(|s| s.1).max().unwrap_or(0).max(1) as f64;
        let period = match (b.first_event, b.last_event) {
            (Some(first), Some(last)) => format!("{first} to {last}"),
            _ => "–".to_string(),
        };
        let abandonment = b
            .abandonment_rate
            .map_or_else(|| "–".to_string(), format::percent);
        view! {
            <section class="panel" aria-labelledby="behaviour-title" id="behaviour">
                <div class="panel-head">
                    <h2 id="behaviour-title">"Shopping behaviour"</h2>
                    <p class="muted">
                        {format!("{} analytics events, {period}", format::int(b.events))}
                    </p>
                </div>
                <div class="behaviour">
                    <ol class="funnel" aria-label="From item views to purchases">
                        {steps
                            .into_iter()
                            .map(|(label, n)| {
                                let width = format!("width: {:.1}%", n as f64 / widest * 100.0);
                                view! {
                                    <li>
                                        <span class="funnel-label">{label}</span>
                                        <span class="funnel-bar"><span style=width></span></span>
                                        <span class="funnel-count">{format::int(n)}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                    <dl class="kpis">
                        <div class="kpi">
                            <dt>"Carts left without buying"</dt>
                            <dd id="kpi-abandonment">{abandonment}</dd>
                        </div>
                        <div class="kpi">
                            <dt>"Visitors"</dt>
                            <dd>{format::int(b.visitors)}</dd>
                        </div>
                        <div class="kpi">
                            <dt>"Signed in"</dt>
                            <dd>{format::int(b.signed_in)}</dd>
                        </div>
                        <div class="kpi">
                            <dt>"Matched to customers"</dt>
                            <dd id="kpi-matched">{format::int(b.matched_customers)}</dd>
                        </div>
                    </dl>
                </div>
            </section>
        }
        .into_any()
    }
}
