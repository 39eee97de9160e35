//! The Web Worker that hosts the engine in the page. It registers a message
//! handler, announces itself, and from then on turns requests into engine
//! calls (see `session`). Everything here is glue: no numbers are made here.

mod envelope;
mod pool;
mod reader;
mod session;

use std::cell::RefCell;
use std::rc::Rc;

use segmenter_engine::protocol::{Event, PROTOCOL_VERSION};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let session = Rc::new(RefCell::new(session::Session::new(scope.clone())));

    let handler = Closure::<dyn Fn(MessageEvent)>::new(move |message: MessageEvent| {
        session::Session::receive(&session, message.data());
    });
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    handler.forget();

    // Messages posted before this point were dropped while the wasm loaded;
    // the page waits for this before it sends anything.
    envelope::post(
        &scope,
        &Event::Ready {
            protocol: PROTOCOL_VERSION,
        },
        None,
    );
}
