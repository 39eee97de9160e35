//! The customer drill-down: every customer, or those of a clicked segment,
//! grid cell, cluster or bar, sorted and searched in the worker. The list
//! is virtualised: the page holds and draws only the rows in view (plus a
//! margin), and asks the worker for another window as the merchant
//! scrolls, so a million customers scroll as smoothly as a hundred.

use leptos::prelude::*;
use leptos::{ev, html};
use segmenter_engine::customer_rows::{CustomerColumn, CustomerQuery, CustomerRow};

use crate::format;
use crate::state::AppState;

/// Height of one row; rows are drawn at fixed heights so a scroll position
/// maps to a row without measuring.
const ROW_PX: f64 = 40.0;
/// Rows the viewport shows.
const VIEW_ROWS: u32 = 12;
/// Rows fetched beyond the viewport on each side.
const OVERSCAN: u32 = 24;
/// Browsers cap an element's height (about 33.5 M px in Chromium); past
/// this the scrollbar maps onto rows proportionally instead of pixel-exact.
const MAX_SCROLL_PX: f64 = 4_000_000.0;

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
    (CustomerColumn::PredictedClv12m, "Value next 12 months"),
    (CustomerColumn::ClusterName, "Cluster"),
    (CustomerColumn::R, "R · F · M"),
];

/// Height of the scrolled content for `total` rows.
fn content_px(total: u32) -> f64 {
    (f64::from(total) * ROW_PX).min(MAX_SCROLL_PX)
}

/// The row (with its fraction) at the top of the viewport when scrolled
/// to `scroll_top`.
fn top_row(scroll_top: f64, total: u32) -> f64 {
    let full = f64::from(total) * ROW_PX;
    if full <= MAX_SCROLL_PX {
        return (scroll_top / ROW_PX).max(0.0);
    }
    let travel = MAX_SCROLL_PX - f64::from(VIEW_ROWS) * ROW_PX;
    (scroll_top / travel).clamp(0.0, 1.0) * f64::from(total.saturating_sub(VIEW_ROWS))
}

#[component]
pub fn CustomerTable() -> impl IntoView {
    let state = expect_context::<AppState>();
    let query = state.query;
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = NodeRef::<html::Div>::new();
    let currency = move || {
        state
            .finished
            .with(|f| f.as_ref().and_then(|f| f.summary.currency.clone()))
    };
    let total = move || state.page.with(|p| p.as_ref().map_or(0, |p| p.total));
    let top = move || top_row(scroll_top.get(), total());

    // A new list (sort, filter, search) starts at its top.
    Effect::new(move |previous: Option<CustomerQuery>| {
        let key = query.get();
        if previous.is_some_and(|p| !p.same_list(&key)) {
            if let Some(element) = viewport.get_untracked() {
                element.set_scroll_top(0);
            }
            scroll_top.set(0.0);
            query.update(|q| q.offset = 0);
        }
        key
    });
    // Ask for another window when the rows in view are not in the one held.
    Effect::new(move |_| {
        let total = total();
        let first = top().floor() as u32;
        let end = (first + VIEW_ROWS + 1).min(total);
        let (offset, limit) = query.with_untracked(|q| (q.offset, q.limit));
        if first < offset || end > offset + limit {
            query.update(|q| {
                q.offset = first.saturating_sub(OVERSCAN);
                q.limit = VIEW_ROWS + 2 * OVERSCAN;
            });
        }
    });

    let sort_by = move |column: CustomerColumn| {
        query.update(|q| {
            if q.sort == column {
                q.descending = !q.descending;
            } else {
                q.sort = column;
                // Text reads best A→Z; numbers and dates best first.
                q.descending = !matches!(
                    column,
                    CustomerColumn::CustomerId
                        | CustomerColumn::Email
                        | CustomerColumn::ClusterName
                );
            }
        })
    };
    let range = move || {
        let total = total();
        if total == 0 {
            return "No customers".to_string();
        }
        let first = top().floor() as u32;
        let end = (first + VIEW_ROWS).min(total);
        format!(
            "{}–{} of {}",
            format::int(u64::from(first) + 1),
            format::int(u64::from(end)),
            format::int(u64::from(total))
        )
    };
    // Typing waits for a pause before the worker searches.
    let typed = StoredValue::new(0u32);
    let search = move |text: String| {
        let ticket = typed.get_value() + 1;
        typed.set_value(ticket);
        set_timeout(
            move || {
                if typed.get_value() == ticket {
                    let text = text.trim().to_string();
                    query.update(|q| q.search = (!text.is_empty()).then_some(text));
                }
            },
            std::time::Duration::from_millis(250),
        );
    };
    let error = move || {
        state
            .page
            .with(|p| p.as_ref().and_then(|p| p.error.clone()))
    };

    let rows = move || {
        let total = total();
        let exact = top();
        let first = exact.floor() as u32;
        let currency = currency();
        let shift = scroll_top.get() - (exact - exact.floor()) * ROW_PX;
        let style = format!("transform: translateY({shift:.1}px)");
        let list = query.get();
        let drawn = state.page.with(|page| {
            let Some(page) = page else {
                return Vec::new();
            };
            // Rows of the list asked for only (not a list being replaced).
            let current = page.query.same_list(&list);
            (first..(first + VIEW_ROWS + 1).min(total))
                .map(|index| {
                    let row = index
                        .checked_sub(page.query.offset)
                        .and_then(|at| page.rows.get(at as usize))
                        .filter(|_| current);
                    match row {
                        Some(row) => customer_row(index, row, currency.as_deref()).into_any(),
                        None => view! {
                            <div class="c-row pending" role="row" aria-rowindex=index + 2>
                                <span role="cell" class="muted">"…"</span>
                            </div>
                        }
                        .into_any(),
                    }
                })
                .collect::<Vec<_>>()
        });
        view! { <div class="c-window" style=style>{drawn}</div> }
    };

    view! {
        <section class="panel customers" id="customers" aria-labelledby="customers-title">
            <div class="panel-head">
                <h2 id="customers-title" tabindex="-1">"Customers"</h2>
                <div class="toolbar">
                    {move || state.drill_label.get().map(|label| view! {
                        <span class="chip" id="customer-filter">
                            {label}
                            <button
                                class="chip-clear"
                                aria-label="Show all customers"
                                on:click=move |_| state.show_all_customers()
                            >"×"</button>
                        </span>
                        <button type="button" class="button small" id="edit-as-segment" on:click=move |_| state.edit_as_segment()>
                            "Edit as a segment"
                        </button>
                        <button type="button" class="button small" id="download-shown" on:click=move |_| state.download_shown()>
                            "Download these"
                        </button>
                    })}
                    <label class="search">
                        <span class="visually-hidden">"Search customers by email, id, country or cluster"</span>
                        <input
                            type="search"
                            id="customer-search"
                            placeholder="Search email, id, country…"
                            on:input=move |ev| search(event_target_value(&ev))
                        />
                    </label>
                    <button class="button primary" id="download-csv" on:click=move |_| state.download_customers()>
                        "Download customers CSV"
                    </button>
                </div>
            </div>
            {move || error().map(|e| view! { <p class="alert error small" role="alert">{format!("This filter cannot be applied: {e}")}</p> })}
            <div class="c-scroll-x">
                <div class="c-table" id="customer-table" role="table" aria-label="Customers"
                    aria-rowcount=move || total() + 1>
                    <div class="c-row c-head" role="row" aria-rowindex="1">
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
                                <span role="columnheader" aria-sort=aria class=numeric_class(column)>
                                    <button class="sort" data-column=column.code() on:click=move |_| sort_by(column)>
                                        {label}{arrow}
                                    </button>
                                </span>
                            }
                        }).collect_view()}
                    </div>
                    <div
                        class="c-viewport"
                        role="rowgroup"
                        node_ref=viewport
                        tabindex="0"
                        aria-label="Customer rows; scroll or use the arrow keys"
                        // A short list gets a short box.
                        style=move || format!("height: {}px", f64::from(total().clamp(1, VIEW_ROWS)) * ROW_PX)
                        on:scroll=move |e: ev::Event| {
                            let element: web_sys::HtmlElement = event_target(&e);
                            scroll_top.set(f64::from(element.scroll_top()));
                        }
                    >
                        <div class="c-spacer" style=move || format!("height: {}px", content_px(total()))></div>
                        {rows}
                    </div>
                </div>
            </div>
            <p class="muted small" id="customer-range" aria-live="polite">{range}</p>
        </section>
    }
}

fn numeric_class(column: CustomerColumn) -> &'static str {
    match column {
        CustomerColumn::CustomerId
        | CustomerColumn::Email
        | CustomerColumn::RfmGroup
        | CustomerColumn::ClusterName => "",
        _ => "num",
    }
}

fn customer_row(index: u32, row: &CustomerRow, currency: Option<&str>) -> impl IntoView {
    let group = row.rfm_group;
    let s = row.scores;
    let dash = || "–".to_string();
    let rfm = match (row.r, row.f, row.m) {
        (Some(r), Some(f), Some(m)) => format!("{r} · {f} · {m}"),
        _ => dash(),
    };
    view! {
        <div class="c-row" role="row" aria-rowindex=index + 2 data-customer=row.customer_id.clone()>
            // People know customers by email; the id is there on hover.
            <span role="cell" class="ellipsis" title=row.customer_id.clone()>
                {row.email.clone().unwrap_or_else(|| row.customer_id.clone())}
            </span>
            <span role="cell" class="nowrap ellipsis">
                <span class=format!("dot g-{}", group.code().to_lowercase())></span>
                {group.label()}
            </span>
            <span role="cell" class="num">{row.orders}</span>
            <span role="cell" class="num">{format::money(row.revenue, currency)}</span>
            <span role="cell" class="num">{row.aov.map_or_else(dash, |a| format::money(a, currency))}</span>
            <span role="cell" class="num">{row.last_order.map_or_else(dash, |d| d.to_string())}</span>
            <span role="cell" class="num">{row.recency_days.map_or_else(dash, |d| d.to_string())}</span>
            <span role="cell" class="num">{s.p_alive.map_or_else(dash, format::percent)}</span>
            <span role="cell" class="num">{s.predicted_clv_12m.map_or_else(dash, |v| format::money(v, currency))}</span>
            <span role="cell" class="ellipsis" title=row.cluster_name.clone()>{row.cluster_name.clone().unwrap_or_else(dash)}</span>
            <span role="cell" class="num">{rfm}</span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_lists_scroll_pixel_exact() {
        assert_eq!(content_px(100), 4000.0);
        assert_eq!(top_row(0.0, 100), 0.0);
        assert_eq!(top_row(400.0, 100), 10.0);
        assert_eq!(top_row(-5.0, 100), 0.0);
    }

    #[test]
    fn a_million_rows_fit_the_browser_s_height_cap_and_reach_the_last_row() {
        let total = 1_000_000;
        assert_eq!(content_px(total), MAX_SCROLL_PX);
        let travel = MAX_SCROLL_PX - f64::from(VIEW_ROWS) * ROW_PX;
        assert_eq!(top_row(travel, total), f64::from(total - VIEW_ROWS));
        assert_eq!(top_row(0.0, total), 0.0);
        let middle = top_row(travel / 2.0, total);
        assert!((middle - f64::from(total - VIEW_ROWS) / 2.0).abs() < 1.0);
    }
}
