//! The one place that talks to the engine's Web Worker.
//!
//! Requests wait in a queue until the worker has announced `Ready` (messages
//! posted while its wasm loads would be lost). Files are posted as `File`
//! objects beside the request, so the worker reads them itself; export bytes
//! come back as a transferred buffer.

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect, Uint8Array};
use segmenter_engine::protocol::{Event, Request, PROTOCOL_VERSION};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, MessageEvent, Worker};

/// Loads the worker crate's glue and wasm (www/worker-loader.js).
const WORKER_SCRIPT: &str = "./worker-loader.js";

type Handler = Box<dyn Fn(Event, Option<Uint8Array>)>;

struct Bridge {
    worker: Worker,
    ready: bool,
    queue: Vec<JsValue>,
    handler: std::rc::Rc<Handler>,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

thread_local! {
    static BRIDGE: RefCell<Option<Bridge>> = const { RefCell::new(None) };
}

/// Starts the worker; `handler` receives every event it posts.
pub fn start(handler: impl Fn(Event, Option<Uint8Array>) + 'static) {
    spawn(std::rc::Rc::new(Box::new(handler)));
}

fn spawn(handler: std::rc::Rc<Handler>) {
    let worker = match Worker::new(WORKER_SCRIPT) {
        Ok(worker) => worker,
        Err(error) => {
            handler(
                Event::failed(format!("The analysis engine could not start: {error:?}")),
                None,
            );
            return;
        }
    };

    let on_message = {
        let handler = handler.clone();
        Closure::<dyn Fn(MessageEvent)>::new(move |message: MessageEvent| {
            match open(&message.data()) {
                Ok((event, bytes)) => {
                    if matches!(event, Event::Ready { .. }) {
                        flush_queue();
                    }
                    handler(event, bytes);
                }
                Err(message) => handler(Event::failed(message), None),
            }
        })
    };
    let on_error = {
        let handler = handler.clone();
        Closure::<dyn Fn(web_sys::Event)>::new(move |error: web_sys::Event| {
            error.prevent_default();
            // An ErrorEvent has a message; a script that failed to load has none.
            let detail = Reflect::get(&error, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "the engine script could not be loaded".into());
            // A worker that never became ready would fail again: no restart loop.
            let was_ready = BRIDGE.with_borrow(|slot| slot.as_ref().is_some_and(|b| b.ready));
            let message = if was_ready {
                format!("The analysis engine stopped unexpectedly ({detail}). It has been restarted; please try again.")
            } else {
                format!("The analysis engine could not start ({detail}). Please reload the page.")
            };
            handler(Event::failed(message), None);
            if was_ready {
                // Not from inside this handler: restarting drops it.
                wasm_bindgen_futures::spawn_local(async { restart() });
            }
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    BRIDGE.with_borrow_mut(|slot| {
        *slot = Some(Bridge {
            worker,
            ready: false,
            queue: Vec::new(),
            handler,
            _on_message: on_message,
            _on_error: on_error,
        });
    });
}

/// Replaces a crashed worker with a fresh one (the last analysis is lost).
fn restart() {
    let handler = BRIDGE.with_borrow_mut(|slot| {
        slot.take().map(|bridge| {
            bridge.worker.terminate();
            bridge.handler
        })
    });
    if let Some(handler) = handler {
        spawn(handler);
    }
}

/// Sends a request, with files beside it when it has any.
pub fn send(request: &Request, files: &[File]) {
    let envelope = match wrap(request, files) {
        Ok(envelope) => envelope,
        Err(error) => {
            web_sys::console::error_1(&error);
            return;
        }
    };
    BRIDGE.with_borrow_mut(|slot| {
        let Some(bridge) = slot else { return };
        if bridge.ready {
            if let Err(error) = bridge.worker.post_message(&envelope) {
                web_sys::console::error_1(&error);
            }
        } else {
            bridge.queue.push(envelope);
        }
    });
}

fn flush_queue() {
    BRIDGE.with_borrow_mut(|slot| {
        let Some(bridge) = slot else { return };
        bridge.ready = true;
        for envelope in bridge.queue.drain(..) {
            if let Err(error) = bridge.worker.post_message(&envelope) {
                web_sys::console::error_1(&error);
            }
        }
    });
}

fn wrap(request: &Request, files: &[File]) -> Result<JsValue, JsValue> {
    let envelope = Object::new();
    let message = request
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(JsValue::from)?;
    Reflect::set(&envelope, &"protocol".into(), &PROTOCOL_VERSION.into())?;
    Reflect::set(&envelope, &"message".into(), &message)?;
    if !files.is_empty() {
        let list: Array = files.iter().collect();
        Reflect::set(&envelope, &"files".into(), &list)?;
    }
    Ok(envelope.into())
}

fn open(data: &JsValue) -> Result<(Event, Option<Uint8Array>), String> {
    let protocol = Reflect::get(data, &"protocol".into())
        .ok()
        .and_then(|v| v.as_f64());
    if protocol != Some(f64::from(PROTOCOL_VERSION)) {
        return Err(
            "The page and the analysis engine are out of step: please reload the page.".into(),
        );
    }
    let message = Reflect::get(data, &"message".into()).map_err(|e| format!("{e:?}"))?;
    let event: Event = serde_wasm_bindgen::from_value(message).map_err(|e| e.to_string())?;
    let bytes = Reflect::get(data, &"bytes".into())
        .ok()
        .and_then(|b| b.dyn_into::<Uint8Array>().ok());
    Ok((event, bytes))
}
