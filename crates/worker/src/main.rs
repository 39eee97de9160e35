//! The Web Worker that hosts the engine in the page. It registers a message
//! handler, announces itself, and from then on turns requests into engine
//! calls (see `session`). Everything here is glue: no numbers are made here.

mod envelope;
mod pool;
mod reader;
mod session;
mod warm;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use segmenter_engine::protocol::{Event, PROTOCOL_VERSION};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let pool = Rc::new(pool::Pool::new(&scope));
    let session = Rc::new(RefCell::new(session::Session::new(
        scope.clone(),
        pool.clone(),
    )));
    // Any message from the page ends the warm-up: its work comes first.
    let stop_warm_up = Rc::new(Cell::new(false));
    let stop_on_message = stop_warm_up.clone();

    let handler = Closure::<dyn Fn(MessageEvent)>::new(move |message: MessageEvent| {
        stop_on_message.set(true);
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
    if scope.name() == pool::HELPER_NAME {
        // A helper only ever reads one piece of a file.
        wasm_bindgen_futures::spawn_local(warm::warm_up_reading(stop_warm_up));
    } else {
        wasm_bindgen_futures::spawn_local(async move {
            let started = js_sys::Date::now();
            if warm::warm_up(stop_warm_up).await {
                let elapsed_ms = js_sys::Date::now() - started;
                envelope::post(&scope, &Event::Warmed { elapsed_ms }, None);
                // (A stopped warm-up means a file came: the analysis of
                // it starts the next file's helpers when it ends.)
                session::replenish_soon(pool);
            }
        });
    }
}
