use leptos::prelude::*;
use segmenter_engine::pipeline::Stage;

use crate::format;
use crate::state::{AppState, Phase};

/// The progress bar of a running analysis, with its Cancel button.
#[component]
pub fn ProgressPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let source = move || match state.phase.get() {
        Phase::Running { source, .. } => Some(source),
        _ => None,
    };
    let started = move || match state.phase.get() {
        Phase::Running { started_ms, .. } => Some(started_ms),
        _ => None,
    };
    let fraction = move || {
        state.progress.with(|p| {
            p.as_ref().and_then(|p| {
                p.bytes_total
                    .filter(|&t| t > 0)
                    .map(|t| p.bytes_done as f64 / t as f64)
            })
        })
    };
    let detail = move || {
        state.progress.with(|p| match p {
            None => "Starting…".to_string(),
            Some(_) if state.provisional() => {
                "Segments ready below · predicting purchases and value, finding clusters…"
                    .to_string()
            }
            Some(p) if p.stage == Stage::Scoring => {
                format!("Scoring {} rows…", format::int(p.rows_done))
            }
            Some(p) => {
                let of = p
                    .bytes_total
                    .map(|t| format!(" of {}", format::bytes(t)))
                    .unwrap_or_default();
                let seconds = started().map(|t| (js_sys::Date::now() - t) / 1000.0);
                let speed = seconds
                    .filter(|&s| s > 0.05)
                    .map(|s| format!(" · {}/s", format::bytes((p.bytes_done as f64 / s) as u64)))
                    .unwrap_or_default();
                format!(
                    "Reading {}: {}{of} · {} rows{speed}",
                    p.file,
                    format::bytes(p.bytes_done),
                    format::int(p.rows_done)
                )
            }
        })
    };

    view! {
        <Show when=move || source().is_some()>
            <section class="panel progress-panel" aria-live="polite">
                <div class="progress-head">
                    <strong>"Analysing " {move || source().unwrap_or_default()}</strong>
                    <button class="button small" id="cancel-button" on:click=move |_| state.cancel()>
                        "Cancel"
                    </button>
                </div>
                <progress
                    max="1"
                    prop:value=move || fraction().unwrap_or(0.0)
                    aria-label="Analysis progress"
                ></progress>
                <p class="muted">{detail}</p>
            </section>
        </Show>
    }
}
