//! The merchant's saved segments: sizes, the overlap of every pair, the
//! guard's warnings (too small for a platform, near duplicates), and the
//! platform files for all of them at once.

use leptos::prelude::*;

use segmenter_engine::export::activation::Format;

use crate::format;
use crate::state::AppState;

#[component]
pub fn SavedSegments() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let saved = state.saved.get();
        if saved.is_empty() {
            return ().into_any();
        }
        let guard = state.guard.get();
        let list = saved
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let name = d.name.clone();
                let size = guard
                    .as_ref()
                    .and_then(|g| g.sizes.get(i))
                    .map_or("…".to_string(), |n| format::int(*n));
                view! {
                    <li data-segment=d.name.clone()>
                        <strong>{d.name.clone()}</strong>
                        <span class="saved-count">{size}</span>
                        <code class="small">{d.query.clone()}</code>
                        <button type="button" class="button small" on:click=move |_| state.remove_saved(&name)>"Remove"</button>
                    </li>
                }
            })
            .collect_view();
        let matrix = guard.clone().filter(|g| g.names.len() >= 2).map(|g| {
            let header = g.names.iter().map(|n| view! { <th scope="col" class="num">{n.clone()}</th> }).collect_view();
            let rows = g
                .names
                .iter()
                .enumerate()
                .map(|(a, n)| {
                    let cells = (0..g.names.len())
                        .map(|b| {
                            let both = g.overlap[a][b];
                            let share = both as f64 / g.sizes[a].max(1) as f64;
                            view! {
                                <td class="num" class:diagonal=a == b title=format!("{} of {} also in {}", format::percent(share), g.names[a], g.names[b])>
                                    {format::int(both)}
                                </td>
                            }
                        })
                        .collect_view();
                    view! { <tr><th scope="row">{n.clone()}</th>{cells}</tr> }
                })
                .collect_view();
            view! {
                <div class="table-scroll">
                    <table class="data overlap" id="overlap-table">
                        <thead><tr><th scope="col">"Customers in both"</th>{header}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        });
        let warnings = guard.map(|g| {
            g.warnings
                .into_iter()
                .map(|w| view! { <li>{w}</li> })
                .collect_view()
        });
        let download = move |format: Format| {
            state.export_segments(format, state.saved.get_untracked(), state.holdout());
        };
        view! {
            <section class="panel" aria-labelledby="saved-title" id="saved-segments">
                <div class="panel-head">
                    <h2 id="saved-title">"Saved segments"</h2>
                    <p class="muted">"Checked together: how they overlap, and whether each is big enough to use."</p>
                </div>
                <ul class="saved-list">{list}</ul>
                {move || state.guard_error.get().map(|e| view! { <p class="error small" role="alert">{e}</p> })}
                {matrix}
                <ul class="guard-warnings" id="guard-warnings">{warnings}</ul>
                <p class="small">
                    "All saved segments as "
                    <button type="button" class="button small" data-format="shopify" on:click=move |_| download(Format::Shopify)>"Shopify tags"</button>" "
                    <button type="button" class="button small" data-format="klaviyo" on:click=move |_| download(Format::Klaviyo)>"Klaviyo properties"</button>
                </p>
            </section>
        }
        .into_any()
    }
}
