use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, File, FileList, HtmlInputElement};

use crate::state::AppState;

/// Where files come in: drag and drop, a file picker, or the demo store.
#[component]
pub fn DropZone() -> impl IntoView {
    let state = expect_context::<AppState>();
    let dragging = RwSignal::new(false);
    let disabled = move || state.busy() || !state.engine_ready.get();

    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        let files = ev.data_transfer().and_then(|dt| dt.files());
        state.analyze_files(file_list(files));
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok());
        if let Some(input) = input {
            state.analyze_files(file_list(input.files()));
            // Picking the same file again must fire `change` again.
            input.set_value("");
        }
    };

    view! {
        <section
            class="drop-zone"
            class:dragging=move || dragging.get()
            aria-label="Load your store data"
            on:dragover=move |ev: DragEvent| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <h1>"Find your customer segments"</h1>
            <p class="lead">
                "Drop your Shopify orders and customers exports here, or any order CSV or "
                "spreadsheet, plus GA4 events if you have them. "
                "RFM scores and named groups appear in seconds."
            </p>
            <div class="actions">
                <label class="button primary" class:disabled=disabled>
                    "Choose files…"
                    <input
                        id="file-input"
                        type="file"
                        accept=".csv,.tsv,.txt,.json,.jsonl,.ndjson,.xlsx,text/csv,text/plain,application/json"
                        multiple
                        class="visually-hidden"
                        prop:disabled=disabled
                        on:change=on_pick
                    />
                </label>
                <button class="button" id="demo-button" prop:disabled=disabled on:click=move |_| state.load_demo()>
                    "Try the demo store"
                </button>
            </div>
            <p class="hint">
                "Reads Shopify orders and customers exports, order tables from other systems "
                "(a customer or email, a date and an amount, in any of several languages; "
                "you choose the columns when the names do not say), the Online Retail and "
                "CDNOW data sets, and Google Analytics 4 events (BigQuery JSON or CSV): "
                "CSV, TSV or text in UTF-8 or UTF-16, and Excel workbooks (.xlsx)."
            </p>
            <Show when=move || !state.engine_ready.get()>
                <p class="hint">"Starting the analysis engine…"</p>
            </Show>
        </section>
    }
}

fn file_list(list: Option<FileList>) -> Vec<File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}
