//! Registers the service worker (www/sw.js) that keeps the app's own files
//! in the browser, so the page opens and works with the network off. It
//! keeps code only: the merchant's files never pass through it.

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Registers the worker; `ready` turns true once it holds the app's files.
pub fn register(ready: RwSignal<bool>) {
    let Some(container) = web_sys::window().map(|w| w.navigator().service_worker()) else {
        return;
    };
    // Relative, so a copy served from a sub-path (/segmenter/) keeps its
    // worker, and its cache, to that path.
    let registered = container.register("./sw.js");
    let container = container.clone();
    wasm_bindgen_futures::spawn_local(async move {
        if JsFuture::from(registered).await.is_err() {
            return;
        }
        if let Ok(promise) = container.ready() {
            if JsFuture::from(promise).await.is_ok() {
                ready.set(true);
            }
        }
    });
}
