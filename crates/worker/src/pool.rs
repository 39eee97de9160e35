//! Helper workers: more instances of this same worker, each with its own
//! copy of the engine, that read pieces of a large file while this worker
//! reads the first piece (see `ingest::split`). They need nothing a static
//! host cannot give: no shared memory, no cross-origin isolation.
//!
//! Each helper reads one piece and is ended once it has answered, so the
//! piece's memory is given back at once and no late answer can reach
//! another analysis. Their successors are started ahead of the next file
//! ([`Pool`]) and warm up on small generated pieces meanwhile: a helper
//! started only when a file arrives spent 120–270 ms loading while this
//! worker read, then read its piece in V8's baseline tier, and this worker
//! waited for it (on a 29 MiB file, for 390 ms of its 1.3 s).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use segmenter_engine::ingest::{PartFrames, SplitPlan};
use segmenter_engine::protocol::{Event, Request, PROTOCOL_VERSION};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{DedicatedWorkerGlobalScope, ErrorEvent, File, MessageEvent, Worker, WorkerOptions};

use crate::envelope::describe;

/// The script that starts this worker (beside it in the site).
const WORKER_SCRIPT: &str = "./worker-loader.js";

/// The name helpers are started with, so they know they are helpers.
pub const HELPER_NAME: &str = "segmenter-helper";

/// Helpers worth starting here: one per core besides this worker's.
fn helpers_wanted(scope: &DedicatedWorkerGlobalScope) -> usize {
    let cores = scope.navigator().hardware_concurrency();
    if cores.is_finite() && cores >= 2.0 {
        (cores as usize - 1).min(7)
    } else {
        0
    }
}

/// The helpers for the next file, started ahead of it.
pub struct Pool {
    wanted: usize,
    spares: RefCell<Vec<Rc<Helper>>>,
}

impl Pool {
    /// An empty pool for this machine; [`Pool::replenish`] fills it.
    pub fn new(scope: &DedicatedWorkerGlobalScope) -> Pool {
        Pool {
            wanted: helpers_wanted(scope),
            spares: RefCell::default(),
        }
    }

    /// Helpers a file is read with.
    pub fn wanted(&self) -> usize {
        self.wanted
    }

    /// A helper for one piece: a spare one, else one started now.
    pub fn take(&self) -> Result<Rc<Helper>, JsValue> {
        match self.spares.borrow_mut().pop() {
            Some(helper) => Ok(helper),
            None => Helper::start(),
        }
    }

    /// Starts helpers until there are as many spares as a file wants; a
    /// helper that cannot start is left to [`Pool::take`] to report.
    pub fn replenish(&self) {
        let mut spares = self.spares.borrow_mut();
        while spares.len() < self.wanted {
            match Helper::start() {
                Ok(helper) => spares.push(helper),
                Err(_) => return,
            }
        }
    }
}

/// Messages from one helper, taken in order.
#[derive(Default)]
struct Mailbox {
    arrived: VecDeque<Result<JsValue, JsValue>>,
    /// Resolves the `receive` waiting for the next message.
    waiting: Option<(js_sys::Function, js_sys::Function)>,
}

/// One helper worker.
pub struct Helper {
    worker: Worker,
    mailbox: Rc<RefCell<Mailbox>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Helper {
    /// Starts a helper; it announces itself with `Event::Ready` once loaded.
    pub fn start() -> Result<Rc<Helper>, JsValue> {
        let options = WorkerOptions::new();
        options.set_name(HELPER_NAME);
        let worker = Worker::new_with_options(WORKER_SCRIPT, &options)?;
        let mailbox = Rc::new(RefCell::new(Mailbox::default()));
        let deliver = |mailbox: Rc<RefCell<Mailbox>>| {
            move |message: Result<JsValue, JsValue>| {
                let mut inbox = mailbox.borrow_mut();
                match inbox.waiting.take() {
                    Some((resolve, reject)) => {
                        let _ = match message {
                            Ok(data) => resolve.call1(&JsValue::NULL, &data),
                            Err(error) => reject.call1(&JsValue::NULL, &error),
                        };
                    }
                    None => inbox.arrived.push_back(message),
                }
            }
        };
        let on_data = deliver(mailbox.clone());
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            on_data(Ok(event.data()))
        });
        let on_failure = deliver(mailbox.clone());
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            on_failure(Err(JsValue::from_str(&event.message())))
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Rc::new(Helper {
            worker,
            mailbox,
            _on_message: on_message,
            _on_error: on_error,
        }))
    }

    /// The helper's next message (its envelope), or what went wrong in it.
    async fn receive(&self) -> Result<JsValue, JsValue> {
        if let Some(message) = self.mailbox.borrow_mut().arrived.pop_front() {
            return message;
        }
        let mailbox = self.mailbox.clone();
        let promise = Promise::new(&mut |resolve, reject| {
            mailbox.borrow_mut().waiting = Some((resolve, reject));
        });
        JsFuture::from(promise).await
    }

    /// Reads bytes `start..end` of `file` in the helper: waits for it to be
    /// ready, asks, and returns the part it read. Runs as soon as it is
    /// called (a promise), whatever this worker is doing meanwhile.
    pub fn read_piece(
        self: &Rc<Self>,
        file: File,
        plan: SplitPlan,
        start: u64,
        end: u64,
    ) -> Promise {
        let helper = self.clone();
        future_to_promise(async move {
            let ready = event_of(&helper.receive().await?)?;
            if !matches!(ready, Event::Ready { protocol } if protocol == PROTOCOL_VERSION) {
                return Err(JsValue::from_str("the helper did not start"));
            }
            let plan = Box::new(plan);
            helper.post(&Request::ReadPiece { plan, start, end }, &file)?;
            let answer = helper.receive().await?;
            match event_of(&answer)? {
                Event::Piece => Reflect::get(&answer, &"frames".into())?
                    .dyn_into::<Array>()
                    .map(JsValue::from)
                    .map_err(|_| JsValue::from_str("the helper's piece had no frames")),
                Event::Failed { message, .. } => Err(JsValue::from_str(&message)),
                _ => Err(JsValue::from_str("the helper answered something else")),
            }
        })
    }

    fn post(&self, request: &Request, file: &File) -> Result<(), JsValue> {
        let envelope = Object::new();
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        let message = request
            .serialize(&serializer)
            .map_err(|e| JsValue::from_str(&e.to_string()))?;
        Reflect::set(&envelope, &"protocol".into(), &PROTOCOL_VERSION.into())?;
        Reflect::set(&envelope, &"message".into(), &message)?;
        Reflect::set(&envelope, &"files".into(), &Array::of1(file))?;
        self.worker.post_message(&envelope)
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// The event in an envelope a helper posted.
fn event_of(data: &JsValue) -> Result<Event, JsValue> {
    let message = Reflect::get(data, &"message".into())?;
    serde_wasm_bindgen::from_value(message).map_err(|e| JsValue::from_str(&e.to_string()))
}

/// The encoded part in `helper`'s answer (`Part::encode`); `None` when it
/// failed (the piece is then read again by this worker, which reports any
/// real error itself). The helper is ended as soon as it has answered: its
/// memory (as much again as its piece, held until the worker ends) is given
/// back before the part is merged here, the ingest's peak.
pub async fn part_of(answer: Promise, helper: Rc<Helper>) -> Option<EncodedPart> {
    let answer = JsFuture::from(answer).await;
    drop(helper);
    match answer {
        Ok(frames) => frames.dyn_into().ok().map(EncodedPart),
        Err(error) => {
            web_sys::console::warn_1(
                &format!("a helper could not read its piece: {}", describe(error)).into(),
            );
            None
        }
    }
}

/// An encoded part as it arrived: frames left in their JavaScript buffers
/// and copied into this worker's memory one at a time while it is merged,
/// so the worker's memory (which never shrinks) never holds it whole.
pub struct EncodedPart(Array);

impl PartFrames for EncodedPart {
    fn count(&self) -> usize {
        self.0.length() as usize
    }

    /// A frame that is not bytes comes out empty (and fails to decode).
    fn copy_into(&self, i: usize, into: &mut Vec<u8>) {
        into.clear();
        if let Ok(frame) = self.0.get(i as u32).dyn_into::<Uint8Array>() {
            into.resize(frame.length() as usize, 0);
            frame.copy_to(into);
        }
    }
}
