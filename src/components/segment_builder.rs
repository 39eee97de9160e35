//! The segment editor: a query in Shopify's segment language, its member
//! count as the merchant types (the worker answers), the error at its
//! column, suggestions for what can come next, and ready segments.

use std::time::Duration;

use leptos::html::Textarea;
use leptos::prelude::*;

use segmenter_engine::export::activation::Format;
use segmenter_engine::segments::library::Template;
use segmenter_engine::segments::SegmentDefinition;

use crate::format;
use crate::state::AppState;

/// Quiet time after a keystroke before the query is sent.
const DEBOUNCE: Duration = Duration::from_millis(120);

#[component]
pub fn SegmentBuilder() -> impl IntoView {
    let state = expect_context::<AppState>();
    let editor = NodeRef::<Textarea>::new();
    let text = RwSignal::new(String::new());
    let generation = StoredValue::new(0u32);

    // Sends the editor's text and cursor once typing pauses.
    let send = move || {
        let Some(area) = editor.get_untracked() else {
            return;
        };
        let (query, cursor) = text_and_cursor(&area);
        let cursor = cursor as u32;
        text.set(query.clone());
        let mine = generation.get_value().wrapping_add(1);
        generation.set_value(mine);
        set_timeout(
            move || {
                if generation.get_value() == mine {
                    state.ask_segment(query, cursor);
                }
            },
            DEBOUNCE,
        );
    };
    let load = move |query: String| {
        if let Some(area) = editor.get_untracked() {
            area.set_value(&query);
            let _ = area.focus();
            let end = query.encode_utf16().count() as u32;
            let _ = area.set_selection_range(end, end);
        }
        send();
    };
    // A query sent from elsewhere on the page (the customer drill-down).
    Effect::new(move |_| {
        if let Some(query) = state.editor_request.get() {
            state.editor_request.set(None);
            load(query);
        }
    });
    let choose = move |from: usize, insert: String| {
        let Some(area) = editor.get_untracked() else {
            return;
        };
        let (query, cursor) = text_and_cursor(&area);
        // `from` came with an answer about an earlier text: keep it inside
        // this one, on a character boundary.
        let mut from = from.min(cursor);
        while !query.is_char_boundary(from) {
            from -= 1;
        }
        let next = format!(
            "{}{} {}",
            &query[..from],
            insert,
            query[cursor..].trim_start()
        );
        let caret =
            (query[..from].encode_utf16().count() + insert.encode_utf16().count() + 1) as u32;
        area.set_value(&next);
        let _ = area.focus();
        let _ = area.set_selection_range(caret, caret);
        send();
    };

    let result = move || {
        let answer = state.segment.get()?;
        if text.with(|t| t.trim().is_empty()) {
            return None;
        }
        Some(match (answer.preview, answer.error) {
            (Some(p), _) => view! {
                <p id="segment-result" class="segment-count" data-count=p.count>
                    <strong>{format!("{} customers", format::int(p.count))}</strong>
                    {format!(" · {} of customers · {} of revenue", format::percent(p.share), format::percent(p.revenue_share))}
                </p>
                <MakeUp dimensions=p.make_up/>
                {p.funnel.map(|f| view! { <SegmentFunnel funnel=f/> })}
            }
            .into_any(),
            (None, Some(e)) => {
                let query = text.get();
                let (before, after) = query.split_at(e.offset.min(query.len()));
                view! {
                    <div id="segment-error" class="query-error" role="alert" data-column=e.column>
                        <pre><code>{before.to_string()}<mark>{after.chars().next().map_or("␣".to_string(), |c| c.to_string())}</mark>{after.chars().skip(1).collect::<String>()}</code></pre>
                        <p>{format!("Column {}: {}", e.column, e.message)}</p>
                    </div>
                }
                .into_any()
            }
            _ => ().into_any(),
        })
    };
    let suggestions = move || {
        let answer = state.segment.get()?;
        let from = answer.completion.from;
        let options = answer.completion.options;
        (!options.is_empty()).then(|| {
            view! {
                <div class="suggestions" id="segment-suggestions" role="listbox" aria-label="Suggestions">
                    {options.into_iter().map(|o| {
                        let insert = o.insert.clone();
                        view! {
                            <button type="button" class="suggestion" class:unavailable=o.unavailable
                                title=o.detail.clone() on:click=move |_| choose(from, insert.clone())>
                                <code>{o.insert.clone()}</code>
                                <span class="small muted">{o.detail.clone()}</span>
                            </button>
                        }
                    }).collect_view()}
                </div>
            }
        })
    };
    let name = RwSignal::new("my-segment".to_string());
    // Percent of each segment held out as a control group (0: none).
    let control = state.holdout_percent;
    let holdout = move || state.holdout();
    let query_now = move || {
        editor
            .get_untracked()
            .map(|a| a.value())
            .unwrap_or_default()
    };
    let definitions = move || {
        let query = query_now();
        if query.trim().is_empty() {
            return Vec::new();
        }
        let name = name.get_untracked();
        vec![SegmentDefinition {
            name: if name.trim().is_empty() {
                "segment".into()
            } else {
                name.trim().to_string()
            },
            query,
        }]
    };
    let export = move |format: Format| {
        state.export_segments(format, definitions(), holdout());
    };
    let save = move |_| {
        if let Some(definition) = definitions().pop() {
            state.save_segment(definition);
        }
    };
    let results = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let file = input.files().and_then(|f| f.get(0));
        input.set_value("");
        let (Some(file), Some(h)) = (file, holdout()) else {
            state.campaign_error.set(Some(
                "Set the control group share the campaign was exported with, then choose the results file.".into(),
            ));
            return;
        };
        // The segment in the editor, then every saved one: a lift each.
        let mut segments = definitions();
        for saved in state.saved.get_untracked() {
            if !segments.iter().any(|d| d.name == saved.name) {
                segments.push(saved);
            }
        }
        state.campaign_results(file, segments, h);
    };
    let lifts = move || {
        let (lifts, unknown) = state.campaign.get()?;
        Some(view! {
            <div id="campaign-lift">
                {lifts.into_iter().map(|l| view! {
                    <p class="small" data-treatment=l.treatment data-control=l.control>{l.summary.clone()}</p>
                    <p class="small muted">{format!(
                        "{} treated, {} held out; revenue per customer {:+.2} (95 % interval {:+.2} to {:+.2}).",
                        format::int(l.treatment), format::int(l.control),
                        l.revenue_lift.value, l.revenue_lift.low, l.revenue_lift.high
                    )}</p>
                }).collect_view()}
                {(unknown > 0).then(|| view! { <p class="small muted">{format!("{} rows of the results name no customer of these files.", format::int(unknown))}</p> })}
            </div>
        })
    };
    let exports = view! {
        <div class="segment-export" id="segment-export">
            <label>
                "Name "
                <input type="text" id="segment-name" prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev)) maxlength="60"/>
            </label>
            <button type="button" class="button small primary" id="save-segment" on:click=save>"Save"</button>
            <span class="small muted">"Download for "</span>
            {[
                (Format::Shopify, "Shopify tags"),
                (Format::Klaviyo, "Klaviyo"),
                (Format::Meta, "Meta"),
                (Format::Google, "Google Ads"),
                (Format::Tiktok, "TikTok"),
                (Format::Csv, "CSV"),
                (Format::Json, "JSON"),
            ]
            .into_iter()
            .map(|(format, label)| view! {
                <button type="button" class="button small" data-format=format.key() on:click=move |_| export(format)>{label}</button>
            })
            .collect_view()}
            <p class="small muted">
                "Audience files (Meta, Google Ads, TikTok) hold this segment's members, hashed with SHA-256 on this device; Shopify and Klaviyo files hold every customer with the segment as a tag or property. Customers who declined marketing are left out of marketing files."
            </p>
            {move || state.export_note.get().map(|note| view! { <p class="small" id="export-note" role="status">{note}</p> })}
            <div class="campaign">
                <label>
                    "Hold out "
                    <input type="number" id="holdout-share" min="0" max="50" step="1"
                        prop:value=move || control.get().to_string()
                        on:input=move |ev| control.set(event_target_value(&ev).parse().unwrap_or(0.0))/>
                    " % as a control group (same split every time; ad audiences get the rest)"
                </label>
                <label class="button small">
                    "Measure a campaign…"
                    <input type="file" id="results-input" accept=".csv,text/csv" class="visually-hidden" on:change=results/>
                </label>
                <span class="small muted">"results file: customer or email, converted (1/0), revenue"</span>
                {move || state.campaign_error.get().map(|e| view! { <p class="error small" role="alert">{e}</p> })}
                {lifts}
            </div>
        </div>
    };
    let templates = move || {
        let library = state.library.get()?;
        Some(view! {
            <aside class="templates" aria-labelledby="templates-title">
                <h3 id="templates-title">"Ready segments"</h3>
                <ul id="segment-templates">
                    {library.templates.iter().cloned().map(|t| view! { <TemplateItem template=t load/> }).collect_view()}
                </ul>
            </aside>
        })
    };

    view! {
        <section class="panel" aria-labelledby="builder-title" id="segment-builder">
            <div class="panel-head">
                <h2 id="builder-title">"Build a segment"</h2>
                <p class="muted">
                    "Write conditions as in Shopify's segment editor — "
                    <code>"number_of_orders > 3 AND amount_spent >= 100"</code>
                    " — or start from a ready segment. Our scores work too: "
                    <code>"churn_probability"</code>", "<code>"predicted_clv"</code>", "<code>"cluster"</code>"…"
                </p>
            </div>
            <div class="builder">
                <div class="editor">
                    <label for="segment-query" class="visually-hidden">"Segment query"</label>
                    // The pause is on the page for the benchmarks, which time a query typed.
                    <textarea id="segment-query" node_ref=editor rows="3" spellcheck="false" autocomplete="off"
                        data-pause-ms=DEBOUNCE.as_millis().to_string()
                        placeholder="last_order_date < -90d AND p_alive > 0.5"
                        on:input=move |_| send() on:click=move |_| send() on:keyup=move |ev| {
                            // Arrow keys move the cursor without input.
                            if ev.key().starts_with("Arrow") { send() }
                        }></textarea>
                    {suggestions}
                    {result}
                    {exports}
                </div>
                {templates}
            </div>
        </section>
    }
}

#[component]
fn TemplateItem(template: Template, load: impl Fn(String) + Copy + 'static) -> impl IntoView {
    let query = template.query.clone();
    view! {
        <li data-template=template.key.clone()>
            <button type="button" class="template" on:click=move |_| load(query.clone())>
                <span class="template-name">{template.name.clone()}</span>
                <span class="template-count">{format::int(template.count)}</span>
            </button>
            <p class="small muted">{format!("{}: {}", template.channel, template.action)}</p>
        </li>
    }
}

/// The editor's text and its cursor as a byte offset (the browser counts
/// UTF-16 units; the engine counts bytes); the end when there is none.
fn text_and_cursor(area: &web_sys::HtmlTextAreaElement) -> (String, usize) {
    let text = area.value();
    let cursor = match area.selection_start().ok().flatten() {
        Some(units) => utf16_to_byte(&text, units as usize),
        None => text.len(),
    };
    (text, cursor)
}

/// The byte offset of UTF-16 position `units` in `text`.
fn utf16_to_byte(text: &str, units: usize) -> usize {
    let mut seen = 0;
    for (i, c) in text.char_indices() {
        if seen >= units {
            return i;
        }
        seen += c.len_utf16();
    }
    text.len()
}

/// Where the segment's customers are against all customers (the fairness
/// check), with a warning where a place is strongly under- or
/// over-represented.
#[component]
fn MakeUp(dimensions: Vec<segmenter_engine::segments::fairness::Dimension>) -> impl IntoView {
    if dimensions.is_empty() {
        return ().into_any();
    }
    let warnings: Vec<String> = dimensions.iter().flat_map(|d| d.warnings.clone()).collect();
    view! {
        <div class="make-up" id="segment-make-up">
            {dimensions.into_iter().map(|d| view! {
                <p class="small muted" data-dimension=d.name.clone()>
                    <span class="make-up-name">{format!("By {}: ", d.name)}</span>
                    {d.parts.iter().map(|p| format!(
                        "{} {} ({} of all)",
                        p.value,
                        format::percent(p.segment_share),
                        format::percent(p.base_share)
                    )).collect::<Vec<_>>().join(" · ")}
                </p>
            }).collect_view()}
            {(!warnings.is_empty()).then(|| view! {
                <ul class="warnings small" id="segment-fairness" role="status">
                    {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
    .into_any()
}

/// The segment's funnel from analytics events, in one line.
#[component]
fn SegmentFunnel(funnel: segmenter_engine::funnel::Funnel) -> impl IntoView {
    use segmenter_engine::funnel::Step;
    let steps = Step::ALL
        .iter()
        .map(|&step| {
            let flag = if funnel.weakest == Some(step) {
                " ⚑"
            } else {
                ""
            };
            format!(
                "{} {}{flag}",
                step.label(),
                funnel
                    .conversion(step)
                    .map_or_else(|| "–".to_string(), format::percent)
            )
        })
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <p class="small muted" id="segment-funnel" data-abandoned=funnel.abandoned_checkout>
            <span class="make-up-name">{format!("Funnel ({} with events): ", format::int(funnel.customers))}</span>
            {steps}
            {format!(" · {} abandoned checkouts", format::int(funnel.abandoned_checkout))}
        </p>
    }
}
