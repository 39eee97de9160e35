use leptos::prelude::*;
use segmenter_engine::rfm::RfmGroup;

use crate::format;
use crate::state::AppState;

/// One row per RFM group: size, value and behaviour. A click on a row shows
/// that group's customers below.
#[component]
pub fn SegmentTable() -> impl IntoView {
    let state = expect_context::<AppState>();

    move || {
        let Some(f) = state.finished.get() else {
            return ().into_any();
        };
        let currency = f.summary.currency.clone();
        let rows: Vec<_> = f
            .summary
            .rfm_group_stats
            .iter()
            .filter(|g| g.customers > 0)
            .cloned()
            .collect();
        let empty = f.summary.rfm_group_stats.len() - rows.len();
        view! {
            <section class="panel segments" aria-labelledby="segments-title">
                <div class="panel-head">
                    <h2 id="segments-title">"Segments (RFM groups)"</h2>
                    <p class="muted">
                        "Recency, frequency and spend scored 1–5 against your own customers. "
                        "Select a segment to see its customers."
                    </p>
                </div>
                <div class="table-scroll">
                    <table class="data" id="segment-table">
                        <thead>
                            <tr>
                                <th scope="col">"Segment"</th>
                                <th scope="col" class="num">"Customers"</th>
                                <th scope="col">"Share"</th>
                                <th scope="col" class="num">"Revenue share"</th>
                                <th scope="col" class="num" title="Average days since the last order">"Days since last order"</th>
                                <th scope="col" class="num" title="Average orders per customer">"Orders each"</th>
                                <th scope="col" class="num" title="Average order value">"Avg. order"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows.into_iter().map(|g| {
                                let group = g.group;
                                let currency = currency.clone();
                                let select = move || state.show_customers(group.label(), group_filter(group));
                                let selected = move || state.query.with(|q| q.filter == Some(group_filter(group)));
                                view! {
                                    <tr
                                        class="clickable"
                                        class:selected=selected
                                        data-group=group.code()
                                        tabindex="0"
                                        on:click=move |_| select()
                                        on:keydown=move |ev| if ev.key() == "Enter" || ev.key() == " " {
                                            ev.prevent_default();
                                            select();
                                        }
                                    >
                                        <th scope="row" class="segment-cell">
                                            <span class="seg-name">
                                                <span class=format!("dot g-{}", group.code().to_lowercase())></span>
                                                {group.label()}
                                            </span>
                                            <span class="seg-meaning">{group.meaning()}</span>
                                        </th>
                                        <td class="num" data-testid="segment-customers">{format::int(g.customers)}</td>
                                        <td class="nowrap">
                                            <div class="bar" role="img" aria-label=format::percent(g.share)>
                                                <span style=format!("width: {:.1}%", g.share * 100.0)></span>
                                            </div>
                                            <span class="bar-label">{format::percent(g.share)}</span>
                                        </td>
                                        <td class="num">{format::percent(g.revenue_share)}</td>
                                        <td class="num">{format::mean(g.avg_recency_days)}</td>
                                        <td class="num">{format::mean(g.avg_orders)}</td>
                                        <td class="num">{g.aov.map(|a| format::money(a, currency.as_deref())).unwrap_or_else(|| "–".into())}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                {(empty > 0).then(|| view! {
                    <p class="muted small">{if empty == 1 { "1 other group has no customers in this data.".to_string() } else { format!("{empty} other groups have no customers in this data.") }}</p>
                })}
            </section>
        }
        .into_any()
    }
}

/// The segment query that selects `group`'s customers.
pub fn group_filter(group: RfmGroup) -> String {
    format!("rfm_group = {}", group.code())
}
