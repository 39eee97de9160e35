use leptos::prelude::*;
use segmenter_engine::funnel::{Funnel, Step};

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
        let funnels = state
            .finished
            .with(|f| f.as_ref().map(|f| f.summary.funnels.clone()))
            .unwrap_or_default();
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
                <FunnelTable funnels/>
            </section>
        }
        .into_any()
    }
}

/// Funnel friction per segment: the conversion at each step for the
/// customers the events name, the weakest step marked, and the abandoned
/// checkouts, which open in the customer list.
#[component]
fn FunnelTable(funnels: Vec<Funnel>) -> impl IntoView {
    let state = expect_context::<AppState>();
    if funnels.is_empty() {
        return ().into_any();
    }
    let rows = funnels
        .into_iter()
        .map(|f| {
            let name = f.group.map_or("All customers", |g| g.label());
            let code = f.group.map_or("ALL", |g| g.code());
            let filter = match f.group {
                Some(g) => format!("abandoned_checkout_date IS NOT NULL AND rfm_group = {}", g.code()),
                None => "abandoned_checkout_date IS NOT NULL".to_string(),
            };
            let label = format!("Abandoned checkouts: {name}");
            let cells = Step::ALL
                .iter()
                .map(|&step| {
                    let weakest = f.weakest == Some(step);
                    let text = f.conversion(step).map_or_else(|| "–".to_string(), format::percent);
                    view! {
                        <td class="num" class:weakest=weakest data-step=format!("{step:?}")>
                            {text}{weakest.then_some(" ⚑")}
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr data-group=code>
                    <th scope="row">{name}</th>
                    <td class="num">{format::int(f.customers)}</td>
                    {cells}
                    <td class="num">
                        {if f.abandoned_checkout > 0 {
                            view! {
                                <button type="button" class="link-button" data-abandoned=f.abandoned_checkout
                                    on:click=move |_| state.show_customers(label.clone(), filter.clone())>
                                    {format::int(f.abandoned_checkout)}
                                </button>
                            }.into_any()
                        } else {
                            view! { <span data-abandoned="0">"0"</span> }.into_any()
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3 class="funnel-title">"Where each segment gets stuck"</h3>
        <div class="table-scroll">
            <table class="data" id="segment-funnels">
                <thead>
                    <tr>
                        <th scope="col">"Segment"</th>
                        <th scope="col" class="num" title="Customers of the segment the analytics events name">"With events"</th>
                        {Step::ALL.iter().map(|s| view! { <th scope="col" class="num">{s.label()}</th> }).collect_view()}
                        <th scope="col" class="num">"Abandoned checkouts"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="muted small">"Each step: of the customers who reached it, the share who went on. ⚑ marks where the segment drops off most (with at least 10 customers at that step)."</p>
    }
    .into_any()
}
