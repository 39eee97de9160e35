//! Warming the engine while the page waits for a file.
//!
//! V8 runs new wasm in a baseline tier and compiles a function's optimised
//! code only once the function has been busy for a while, on a background
//! thread; a call already under way keeps the baseline code until it
//! returns. A merchant's first file would pay for both in its long loops
//! (the tokenizer's, k-means'), on a machine whose other core is drawing
//! the page. So the engine worker analyses two small generated stores, one
//! of each layout, as soon as it starts (1.2–1.9 s of one core). Measured
//! on 2 cores, drop to everything on screen, cold against warmed: the 95 MiB
//! Shopify export 3.6–4.1 s against 3.4–3.5 s, the 95 MiB narrow table
//! 5.0–5.6 s against 4.2–5.0 s (three runs each; an earlier pair 4.0–4.2 s
//! against 3.0–3.5 s). The page's first message stops the warm-up at its
//! next step, so at most one small step runs before the merchant's work.

use std::cell::Cell;
use std::rc::Rc;

use segmenter_engine::demo::{DemoStore, Shape};
use segmenter_engine::ingest::{split, FileOptions, PartReader};
use segmenter_engine::pipeline::{Options, CHUNK_BYTES};

use crate::session::{analyse_bytes, yield_now, QuietSink};

/// Customers in each warm-up store: enough for every loop to run long
/// enough for V8 to optimise it, few enough for each step to take tens of
/// milliseconds in the baseline tier.
const CUSTOMERS: u32 = 1500;

/// One warm-up store of each layout.
const SHAPES: [Shape; 2] = [Shape::Narrow, Shape::Shopify];

/// The warm-up store of `shape`, as a file's bytes.
fn store(shape: Shape) -> Option<Vec<u8>> {
    let store = DemoStore {
        customers: CUSTOMERS,
        ..DemoStore::default()
    };
    let mut bytes = Vec::new();
    store.write(shape, &mut bytes).ok().map(|_| bytes)
}

/// Analyses the warm-up stores, unless `stop` is set; returns whether it
/// finished.
pub async fn warm_up(stop: Rc<Cell<bool>>) -> bool {
    for shape in SHAPES {
        yield_now().await;
        if stop.get() {
            return false;
        }
        let Some(bytes) = store(shape) else {
            return false;
        };
        // A stopped sink ends the analysis at its next slice (cancelled).
        let mut sink = QuietSink::new(stop.clone());
        let analysed = analyse_bytes(
            "warm-up.csv",
            &bytes,
            &Options::default(),
            &mut sink,
            &mut |_| {},
        )
        .await;
        if analysed.is_err() {
            return false;
        }
    }
    true
}

/// A helper's warm-up: it only ever reads pieces of files, so it reads the
/// warm-up stores as a piece would be read, unless `stop` is set (a piece
/// to read has arrived); steps of 1 MiB keep that wait short.
pub async fn warm_up_reading(stop: Rc<Cell<bool>>) {
    for shape in SHAPES {
        yield_now().await;
        if stop.get() {
            return;
        }
        let Some(bytes) = store(shape) else {
            return;
        };
        let head = &bytes[..bytes.len().min(split::HEAD_BYTES)];
        let Some(plan) = split::plan("warm-up.csv", &FileOptions::default(), head) else {
            return;
        };
        let Ok(mut reader) = PartReader::new(&plan) else {
            return;
        };
        let data = bytes.get(plan.data_start as usize..).unwrap_or_default();
        for piece in data.chunks(CHUNK_BYTES / 8) {
            yield_now().await;
            if stop.get() || reader.push(piece).is_err() {
                return;
            }
        }
        // Its answer is packed too (`Part::encode`), though never sent.
        reader.finish().encode(|_| ());
    }
}
