use leptos::prelude::*;
use segmenter_engine::customer_rows::{CustomerColumn, CustomerQuery, CustomerRow};

use crate::format;
use crate::state::AppState;

/// The columns shown, with their headings (all are in the CSV download).
const COLUMNS: [(CustomerColumn, &str); 11] = [
    (CustomerColumn::CustomerId, "Customer"),
    (CustomerColumn::RfmGroup, "Segment"),
    (CustomerColumn::Orders, "Orders"),
    (CustomerColumn::Revenue, "Revenue"),
    (CustomerColumn::Aov, "Avg. order"),
    (CustomerColumn::LastOrder, "Last order"),
    (CustomerColumn::RecencyDays, "Days since"),
    (CustomerColumn::PAlive, "Chance still active"),
    (CustomerColumn::ExpectedNextOrder, "Next order by"),
    (CustomerColumn::PredictedClv12m, "Value next 12 months"),
    (CustomerColumn::R, "R · F · M"),
];

/// Customers, sorted and paged by the worker; only the visible page is here.
#[component]
pub fn CustomerTable() -> impl IntoView {
    let state = expect_context::<AppState>();
    let query = state.query;
    let currency = move || {
        state
            .finished
            .with(|f| f.as_ref().and_then(|f| f.summary.currency.clone()))
    };

    let sort_by = move |column: CustomerColumn| {
        query.update(|q| {
            if q.sort == column {
                q.descending = !q.descending;
            } else {
                q.sort = column;
                // Text reads best A→Z; numbers and dates best first.
                q.descending =
                    !matches!(column, CustomerColumn::CustomerId | CustomerColumn::Email);
            }
            q.offset = 0;
        })
    };
    let total = move || state.page.with(|p| p.as_ref().map_or(0, |p| p.total));
    let range = move || {
        let q = query.get();
        let total = total();
        if total == 0 {
            "No customers".to_string()
        } else {
            let end = (q.offset + q.limit).min(total);
            format!(
                "{}–{} of {}",
                format::int(u64::from(q.offset) + 1),
                format::int(u64::from(end)),
                format::int(u64::from(total))
            )
        }
    };
    let can_prev = move || query.with(|q| q.offset > 0);
    let can_next = move || query.with(|q| q.offset + q.limit < total());
    let step = move |forward: bool| {
        query.update(|q| {
            q.offset = if forward {
                q.offset + q.limit
            } else {
                q.offset.saturating_sub(q.limit)
            }
        })
    };
    let filter = move || query.with(|q| q.group);

    view! {
        <section class="panel customers" aria-labelledby="customers-title">
            <div class="panel-head">
                <h2 id="customers-title">"Customers"</h2>
                <div class="toolbar">
                    {move || filter().map(|group| view! {
                        <span class="chip">
                            "Segment: " {group.label()}
                            <button
                                class="chip-clear"
                                aria-label="Show all customers"
                                on:click=move |_| query.set(CustomerQuery::default())
                            >"×"</button>
                        </span>
                    })}
                    <button class="button primary" id="download-csv" on:click=move |_| state.download_customers()>
                        "Download customers CSV"
                    </button>
                </div>
            </div>
            <div class="table-scroll">
                <table class="data" id="customer-table">
                    <thead>
                        <tr>
                            {COLUMNS.iter().map(|&(column, label)| {
                                let sorted = move || query.with(|q| q.sort == column);
                                let aria = move || match (sorted(), query.with(|q| q.descending)) {
                                    (false, _) => "none",
                                    (true, true) => "descending",
                                    (true, false) => "ascending",
                                };
                                let arrow = move || match aria() {
                                    "descending" => " ▼",
                                    "ascending" => " ▲",
                                    _ => "",
                                };
                                view! {
                                    <th scope="col" aria-sort=aria class=numeric_class(column)>
                                        <button class="sort" data-column=column_code(column) on:click=move |_| sort_by(column)>
                                            {label}{arrow}
                                        </button>
                                    </th>
                                }
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {move || state.page.get().map(|page| {
                            let currency = currency();
                            page.rows.into_iter().map(|row| customer_row(row, currency.as_deref())).collect_view()
                        })}
                    </tbody>
                </table>
            </div>
            <nav class="pager" aria-label="Customer pages">
                <button class="button small" prop:disabled=move || !can_prev() on:click=move |_| step(false)>"← Previous"</button>
                <span id="customer-range">{range}</span>
                <button class="button small" prop:disabled=move || !can_next() on:click=move |_| step(true)>"Next →"</button>
            </nav>
        </section>
    }
}

fn column_code(column: CustomerColumn) -> &'static str {
    column.code()
}

fn numeric_class(column: CustomerColumn) -> &'static str {
    match column {
        CustomerColumn::CustomerId | CustomerColumn::Email | CustomerColumn::RfmGroup => "",
        _ => "num",
    }
}

fn customer_row(row: CustomerRow, currency: Option<&str>) -> impl IntoView {
    let group = row.rfm_group;
    let s = row.scores;
    let dash = || "–".to_string();
    let rfm = match (row.r, row.f, row.m) {
        (Some(r), Some(f), Some(m)) => format!("{r} · {f} · {m}"),
        _ => dash(),
    };
    view! {
        <tr>
            // People know customers by email; the id is there on hover.
            <td class="ellipsis" title=row.customer_id.clone()>
                {row.email.clone().unwrap_or_else(|| row.customer_id.clone())}
            </td>
            <td class="nowrap">
                <span class=format!("dot g-{}", group.code().to_lowercase())></span>
                {group.label()}
            </td>
            <td class="num">{row.orders}</td>
            <td class="num">{format::money(row.revenue, currency)}</td>
            <td class="num">{row.aov.map_or_else(dash, |a| format::money(a, currency))}</td>
            <td class="num">{row.last_order.map_or_else(dash, |d| d.to_string())}</td>
            <td class="num">{row.recency_days.map_or_else(dash, |d| d.to_string())}</td>
            <td class="num">{s.p_alive.map_or_else(dash, format::percent)}</td>
            <td class="num">{s.expected_next_order.map_or_else(dash, |d| d.to_string())}</td>
            <td class="num">{s.predicted_clv_12m.map_or_else(dash, |v| format::money(v, currency))}</td>
            <td class="num">{rfm}</td>
        </tr>
    }
}
