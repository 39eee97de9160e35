//! The envelope around protocol messages: `{protocol, message, files?,
//! bytes?, frames?}`. `message` is the serde form of a `Request` or `Event`;
//! `files` carries the merchant's `File` objects (the browser passes them by
//! reference), `bytes` an export and `frames` a piece of a file read by a
//! helper, transferred rather than copied.

use js_sys::{Array, Object, Reflect, Uint8Array};
use segmenter_engine::protocol::{Event, Request, PROTOCOL_VERSION};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, File};

/// A request as it arrived: the message and any files beside it.
pub struct Incoming {
    pub request: Request,
    pub files: Vec<File>,
}

/// Opens an envelope from the page.
pub fn open(data: &JsValue) -> Result<Incoming, String> {
    let protocol = Reflect::get(data, &"protocol".into())
        .ok()
        .and_then(|v| v.as_f64());
    if protocol != Some(f64::from(PROTOCOL_VERSION)) {
        return Err(format!(
            "the page speaks protocol {protocol:?}, this worker {PROTOCOL_VERSION}: reload the page"
        ));
    }
    let message = Reflect::get(data, &"message".into()).map_err(describe)?;
    let request: Request = serde_wasm_bindgen::from_value(message).map_err(|e| e.to_string())?;
    let files = Reflect::get(data, &"files".into())
        .ok()
        .filter(Array::is_array)
        .map(|v| {
            Array::from(&v)
                .iter()
                .filter_map(|f| f.dyn_into::<File>().ok())
                .collect()
        })
        .unwrap_or_default();
    Ok(Incoming { request, files })
}

/// The envelope of `event`; `None` (logged) if it cannot be serialised.
fn envelope(event: &Event) -> Option<Object> {
    let envelope = Object::new();
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let message = match event.serialize(&serializer) {
        Ok(message) => message,
        Err(error) => {
            web_sys::console::error_1(&format!("cannot serialise event: {error}").into());
            return None;
        }
    };
    let _ = Reflect::set(&envelope, &"protocol".into(), &PROTOCOL_VERSION.into());
    let _ = Reflect::set(&envelope, &"message".into(), &message);
    Some(envelope)
}

/// Posts an event to the page, with export bytes transferred if given.
pub fn post(scope: &DedicatedWorkerGlobalScope, event: &Event, bytes: Option<Uint8Array>) {
    let Some(envelope) = envelope(event) else {
        return;
    };
    let result = match bytes {
        Some(bytes) => {
            let _ = Reflect::set(&envelope, &"bytes".into(), &bytes);
            let transfer = Array::of1(&bytes.buffer());
            scope.post_message_with_transfer(&envelope, &transfer)
        }
        None => scope.post_message(&envelope),
    };
    if let Err(error) = result {
        web_sys::console::error_1(&error);
    }
}

/// Posts an event with frames of bytes beside it (`Uint8Array`s, each
/// transferred).
pub fn post_frames(scope: &DedicatedWorkerGlobalScope, event: &Event, frames: &Array) {
    let Some(envelope) = envelope(event) else {
        return;
    };
    let _ = Reflect::set(&envelope, &"frames".into(), frames);
    let transfer: Array = frames
        .iter()
        .filter_map(|frame| frame.dyn_into::<Uint8Array>().ok())
        .map(|frame| JsValue::from(frame.buffer()))
        .collect();
    if let Err(error) = scope.post_message_with_transfer(&envelope, &transfer) {
        web_sys::console::error_1(&error);
    }
}

/// A JavaScript error as words.
pub fn describe(error: JsValue) -> String {
    if let Some(error) = error.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    error.as_string().unwrap_or_else(|| format!("{error:?}"))
}
