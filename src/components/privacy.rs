//! "How we keep your data private": what happens to the merchant's files,
//! in plain words, with the evidence they can check themselves (the page's
//! security policy as the browser received it, offline use), and the only
//! storage choice there is: remember the last analysis, or forget it all.

use leptos::prelude::*;

use crate::state::AppState;

#[component]
pub fn PrivacyPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    // The policy as the browser received it with this page, not a copy.
    let policy = document()
        .query_selector(r#"meta[http-equiv="Content-Security-Policy"]"#)
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"));
    let offline = move || {
        if state.offline_ready.get() {
            "This page is ready to work offline: turn your network off and reload to see."
        } else {
            "Getting this page ready to work offline…"
        }
    };
    view! {
        <details class="panel privacy-panel" id="privacy">
            <summary><h2 class="inline">"How we keep your data private"</h2></summary>
            <ul>
                <li>"Your files are read on this device, by this page. They are never uploaded: there is no server that receives them and no account to sign in to."</li>
                <li>"The analysis runs inside the page, in a background worker running our engine compiled to WebAssembly. The page stays usable while it works."</li>
                <li>
                    "The page carries a security policy that forbids it to connect to any address other than the one it came from, and your browser enforces it. You can check in your browser's developer tools (Network tab): loading files, analysing and exporting make no requests to anywhere else."
                </li>
                <li>"Files you download (customer lists, Shopify tags, Klaviyo, Meta, Google and TikTok audiences) are made on this device; emails and phone numbers in ad audiences are hashed (SHA-256) here before you download them."</li>
                <li id="offline-status">{offline}</li>
                <li>"Nothing is stored in your browser unless you tick \u{201c}Remember\u{201d} below. The app's own code is kept for offline use; it holds none of your data."</li>
            </ul>
            <div class="privacy-actions">
                <label class="remember">
                    <input
                        type="checkbox"
                        id="remember"
                        prop:checked=move || state.remember.get()
                        on:change=move |ev| state.set_remember(event_target_checked(&ev))
                    />
                    "Remember my last analysis on this device (your files stay in this browser)"
                </label>
                <button type="button" class="button small" id="forget" on:click=move |_| state.forget_everything()>
                    "Forget everything"
                </button>
            </div>
            <p class="small muted" id="storage-note" aria-live="polite">{move || state.storage_note.get()}</p>
            {policy.map(|policy| view! {
                <details class="policy">
                    <summary>"The security policy, as your browser received it"</summary>
                    <pre><code id="csp-text">{policy}</code></pre>
                </details>
            })}
        </details>
    }
}
