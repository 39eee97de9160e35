//! Opt-in memory of the last analysis, in this browser only.
//!
//! Nothing is written until the merchant ticks "Remember": then the files
//! analysed (as the browser's own `File` objects), how each was read, the
//! analysis date and the saved segments go into one IndexedDB record, and a
//! flag in `localStorage` says there is something to restore. The flag is
//! checked first so that a visit without opt-in never even creates the
//! database. "Forget everything" deletes the database and clears this
//! origin's `localStorage` and `sessionStorage`.

use js_sys::{Array, Object, Promise, Reflect};
use segmenter_engine::ingest::FileOptions;
use segmenter_engine::segments::SegmentDefinition;
use segmenter_engine::Date;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

const DATABASE: &str = "segmenter";
const STORE: &str = "remembered";
const KEY: &str = "last-analysis";
/// `localStorage` key set while something is remembered.
const FLAG: &str = "segmenter.remember";

/// What is kept of the last analysis.
pub struct Remembered {
    /// The files and how each was read; empty for the demo store.
    pub files: Vec<(File, FileOptions)>,
    pub settings: Settings,
}

/// Everything but the files, kept as JSON.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Settings {
    pub demo: bool,
    pub as_of: Option<Date>,
    pub options: Vec<FileOptions>,
    pub saved: Vec<SegmentDefinition>,
}

/// Whether the merchant has opted in (and not forgotten since).
pub fn is_on() -> bool {
    local_storage().is_some_and(|s| s.get_item(FLAG).ok().flatten().is_some())
}

/// Keeps `remembered`, replacing what was kept.
pub async fn save(remembered: &Remembered) -> Result<(), String> {
    let storage = local_storage().ok_or("this browser keeps no local storage")?;
    storage.set_item(FLAG, "1").map_err(describe)?;
    let mut settings = remembered.settings.clone();
    settings.options = remembered.files.iter().map(|(_, o)| o.clone()).collect();
    let files: Array = remembered
        .files
        .iter()
        .map(|(f, _)| JsValue::from(f))
        .collect();
    let record = Object::new();
    Reflect::set(&record, &"files".into(), &files).map_err(describe)?;
    let json = serde_json::to_string(&settings).map_err(|e| e.to_string())?;
    Reflect::set(&record, &"settings".into(), &json.into()).map_err(describe)?;

    let db = open().await?;
    let result = async {
        let tx = db
            .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
            .map_err(describe)?;
        let store = tx.object_store(STORE).map_err(describe)?;
        store.put_with_key(&record, &KEY.into()).map_err(describe)?;
        JsFuture::from(transaction_done(&tx))
            .await
            .map_err(describe)?;
        Ok(())
    }
    .await;
    db.close();
    result
}

/// What was kept, if the merchant opted in and something is there.
pub async fn load() -> Result<Option<Remembered>, String> {
    if !is_on() {
        return Ok(None);
    }
    let db = open().await?;
    let result = async {
        let tx = db.transaction_with_str(STORE).map_err(describe)?;
        let store = tx.object_store(STORE).map_err(describe)?;
        let request = store.get(&KEY.into()).map_err(describe)?;
        let record = JsFuture::from(request_done(&request))
            .await
            .map_err(describe)?;
        if record.is_undefined() || record.is_null() {
            return Ok(None);
        }
        let json = Reflect::get(&record, &"settings".into())
            .map_err(describe)?
            .as_string()
            .unwrap_or_default();
        let settings: Settings = serde_json::from_str(&json).map_err(|e| e.to_string())?;
        let files: Array = Reflect::get(&record, &"files".into())
            .map_err(describe)?
            .dyn_into()
            .map_err(describe)?;
        let files = files
            .iter()
            .filter_map(|f| f.dyn_into::<File>().ok())
            .zip(
                settings
                    .options
                    .iter()
                    .cloned()
                    .chain(std::iter::repeat_with(FileOptions::default)),
            )
            .collect();
        Ok(Some(Remembered { files, settings }))
    }
    .await;
    db.close();
    result
}

/// Deletes everything this page ever stored in the browser.
pub async fn forget() -> Result<(), String> {
    if let Some(storage) = local_storage() {
        storage.clear().map_err(describe)?;
    }
    if let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
        storage.clear().map_err(describe)?;
    }
    let factory = factory()?;
    let request = factory.delete_database(DATABASE).map_err(describe)?;
    JsFuture::from(request_done(&request))
        .await
        .map_err(describe)?;
    Ok(())
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn factory() -> Result<web_sys::IdbFactory, String> {
    web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| "this browser offers no IndexedDB (a private window may not)".to_string())
}

async fn open() -> Result<IdbDatabase, String> {
    let request: IdbOpenDbRequest = factory()?.open_with_u32(DATABASE, 1).map_err(describe)?;
    let upgrade = Closure::once_into_js(move |event: web_sys::Event| {
        let db = event
            .target()
            .and_then(|t| t.dyn_into::<IdbOpenDbRequest>().ok())
            .and_then(|r| r.result().ok())
            .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
        if let Some(db) = db {
            let _ = db.create_object_store(STORE);
        }
    });
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let db = JsFuture::from(request_done(&request))
        .await
        .map_err(describe)?;
    db.dyn_into::<IdbDatabase>().map_err(describe)
}

/// A promise for a request's result.
fn request_done(request: &IdbRequest) -> Promise {
    let request = request.clone();
    Promise::new(&mut |resolve, reject| {
        let ok_request = request.clone();
        let ok = Closure::once_into_js(move |_: web_sys::Event| {
            let result = ok_request.result().unwrap_or(JsValue::UNDEFINED);
            let _ = resolve.call1(&JsValue::NULL, &result);
        });
        let failed = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject.call1(
                &JsValue::NULL,
                &"the browser's storage refused the request".into(),
            );
        });
        request.set_onsuccess(Some(ok.unchecked_ref()));
        request.set_onerror(Some(failed.unchecked_ref()));
    })
}

/// A promise that settles when a transaction has been written.
fn transaction_done(tx: &web_sys::IdbTransaction) -> Promise {
    let tx = tx.clone();
    Promise::new(&mut |resolve, reject| {
        let done = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let reject_abort = reject.clone();
        let failed = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject.call1(
                &JsValue::NULL,
                &"the browser's storage could not write".into(),
            );
        });
        let aborted = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject_abort.call1(
                &JsValue::NULL,
                &"the browser's storage is full or refused".into(),
            );
        });
        tx.set_oncomplete(Some(done.unchecked_ref()));
        tx.set_onerror(Some(failed.unchecked_ref()));
        tx.set_onabort(Some(aborted.unchecked_ref()));
    })
}

fn describe(value: JsValue) -> String {
    value
        .as_string()
        .or_else(|| {
            value
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{value:?}"))
}
