//! The analysis date and movement over time: analyse the data as it stood
//! on an earlier day, or compare the RFM groups then and now (the worker
//! reads the same files again as of that day).

use leptos::prelude::*;

use segmenter_engine::rfm::RfmGroup;
use segmenter_engine::segments::movement::Movement;
use segmenter_engine::Date;

use crate::charts::shade;
use crate::format;
use crate::state::AppState;

#[component]
pub fn MovementPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let f = state.finished.get()?;
        let as_of = f.summary.as_of?;
        let first = f.summary.first_order.unwrap_or(as_of);
        let analysis_date = RwSignal::new(as_of.to_string());
        let compare_date = RwSignal::new(as_of.add_days(-90).max(first).to_string());
        let parse = |text: String| Date::parse_timestamp(&text).filter(|_| text.len() == 10);
        let recompute = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if let Some(date) = parse(analysis_date.get_untracked()) {
                state.analyse_as_of(Some(date));
            }
        };
        let compare = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if let Some(date) = parse(compare_date.get_untracked()) {
                state.compare_with(date);
            }
        };
        let chosen = state.as_of.get_untracked().is_some();
        Some(view! {
            <section class="panel" aria-labelledby="movement-title" id="movement">
                <div class="panel-head">
                    <h2 id="movement-title">"Over time"</h2>
                    <p class="muted">{format!("Scores and segments as of {as_of}{}", if chosen { " (chosen)" } else { ", the day of the latest order" })}</p>
                </div>
                <div class="movement-forms">
                    <form on:submit=recompute id="as-of-form">
                        <label>"Analyse as of "
                            <input type="date" name="as-of" min=first.to_string() max=f.summary.last_order.unwrap_or(as_of).to_string()
                                prop:value=move || analysis_date.get() on:input=move |ev| analysis_date.set(event_target_value(&ev))/>
                        </label>
                        <button type="submit" class="button small">"Recompute"</button>
                        {chosen.then(|| view! {
                            <button type="button" class="button small" on:click=move |_| state.analyse_as_of(None)>"Back to the latest"</button>
                        })}
                    </form>
                    <form on:submit=compare id="compare-form">
                        <label>"Compare the groups with "
                            <input type="date" name="compare" min=first.to_string() max=as_of.to_string()
                                prop:value=move || compare_date.get() on:input=move |ev| compare_date.set(event_target_value(&ev))/>
                        </label>
                        <button type="submit" class="button small" disabled=move || state.movement_busy.get()>"Show movement"</button>
                    </form>
                </div>
                {move || state.movement_busy.get().then(|| view! { <p class="small muted" id="movement-busy">"Reading the files as of that day…"</p> })}
                {move || state.movement_error.get().map(|e| view! { <p class="error small" role="alert">{e}</p> })}
                {move || state.movement.get().map(|m| view! { <MovementTable movement=m/> })}
            </section>
        })
    }
}

#[component]
fn MovementTable(movement: std::sync::Arc<Movement>) -> impl IntoView {
    let from_groups: Vec<Option<RfmGroup>> = std::iter::once(None)
        .chain(RfmGroup::ALL.iter().copied().map(Some))
        .filter(|g| movement.moves.iter().any(|m| m.from == *g))
        .collect();
    let to_groups: Vec<RfmGroup> = RfmGroup::ALL
        .iter()
        .copied()
        .filter(|g| movement.moves.iter().any(|m| m.to == *g))
        .collect();
    let selected = RwSignal::new(None::<(Option<RfmGroup>, RfmGroup)>);
    let new: u64 = movement
        .moves
        .iter()
        .filter(|m| m.from.is_none())
        .map(|m| m.customers)
        .sum();
    let summary = format!(
        "Since {}: {} of {} customers changed group; {} are new.",
        movement.from_date,
        format::int(movement.changed),
        format::int(movement.matched),
        format::int(new)
    );
    let m = movement.clone();
    let rows = from_groups
        .iter()
        .map(|&from| {
            let m = m.clone();
            let row_total: u64 = to_groups.iter().map(|&to| m.count(from, to)).sum();
            let then = from.map_or("Not yet a customer", |g| g.label());
            let cells = to_groups
                .iter()
                .map(|&to| {
                    let n = m.count(from, to);
                    let moved = from.is_some_and(|f| f != to) && n != 0;
                    let stayed = from == Some(to);
                    let any = n != 0;
                    // Shaded by the share of the row: where those customers went.
                    let share = if row_total > 0 { n as f64 / row_total as f64 } else { 0.0 };
                    let tip = format!(
                        "{then} then, {} now: {} customers ({} of the row). Show who.",
                        to.label(),
                        format::int(n),
                        format::percent(share)
                    );
                    view! {
                        <td class="num" class:moved=moved class:stayed=stayed
                            data-from=from.map_or("NONE", |g| g.code()) data-to=to.code()>
                            {any.then(|| view! {
                                <button type="button" class="cell tip" style=shade(share) data-tip=tip.clone() aria-label=tip
                                    on:click=move |_| selected.set(Some((from, to)))>{format::int(n)}</button>
                            })}
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{from.map_or("Not yet a customer", |g| g.label())}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let who = move || {
        let (from, to) = selected.get()?;
        let cell = movement
            .moves
            .iter()
            .find(|x| x.from == from && x.to == to)?;
        Some(view! {
            <p class="small" id="movement-who">
                {format!(
                    "{} → {}: {} customers, e.g. {}",
                    from.map_or("Not yet a customer", |g| g.label()),
                    to.label(),
                    format::int(cell.customers),
                    cell.examples.join(", ")
                )}
            </p>
        })
    };
    view! {
        <p id="movement-summary">{summary}</p>
        <div class="table-scroll">
            <table class="data movement" id="movement-table">
                <thead>
                    <tr>
                        <th scope="col">"Then ↓ · now →"</th>
                        {to_groups.iter().map(|g| view! { <th scope="col" class="num">{g.label()}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {who}
    }
}
