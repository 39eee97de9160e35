use leptos::prelude::*;

use crate::state::{AppState, Phase};

/// Why the last run stopped, when it did not finish.
#[component]
pub fn StatusMessage() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || match state.phase.get() {
        Phase::Failed(message) => view! {
            <div class="panel alert error" role="alert">
                <strong>"We could not analyse this file. "</strong>
                <span class="error-message">{message}</span>
            </div>
        }
        .into_any(),
        Phase::Cancelled => view! {
            <div class="panel alert" role="status">"Analysis cancelled."</div>
        }
        .into_any(),
        _ => ().into_any(),
    }
}
