use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The title bar, with the privacy promise up front.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="topbar">
            <div class="brand">
                <svg class="logo" aria-hidden="true" viewBox="0 0 32 32" width="26" height="26">
                    <circle cx="16" cy="16" r="14" fill="currentColor"/>
                    <path d="M16 2a14 14 0 0 1 14 14H16z" fill="#f2b33d"/>
                </svg>
                <span class="name">"Segmenter"</span>
            </div>
            <p class="promise">
                <svg class="lock" aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
                    <path d="M4 7V5a4 4 0 0 1 8 0v2h1v8H3V7zm2 0h4V5a2 2 0 0 0-4 0z" fill="currentColor"/>
                </svg>
                "Private by design: your files are analysed on this device and never uploaded. "
                <a href="#privacy" on:click=|_| open_privacy()>"How?"</a>
            </p>
        </header>
    }
}

/// Opens the privacy panel (a `<details>`) that the link scrolls to.
fn open_privacy() {
    if let Some(panel) = document()
        .get_element_by_id("privacy")
        .and_then(|e| e.dyn_into::<web_sys::HtmlDetailsElement>().ok())
    {
        panel.set_open(true);
    }
}
