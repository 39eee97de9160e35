//! One Lloyd iteration of the engine's k-means, built for wasm32 with the
//! page's flags (SIMD on), for `bench/browser/kmeans.mjs`: the browser
//! times `step()` with its own clock. The points are those of the native
//! benchmark (`crates/engine/benches/kmeans.rs`): same generator, same
//! seed; `checksum()` lets the script confirm it.

use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use segmenter_engine::cluster::kmeans::lloyd_step;
use segmenter_engine::cluster::lloyd32::Points32;
use segmenter_engine::ingest::csv::{CsvTokenizer, Record};
use segmenter_engine::ingest::Ingest;
use segmenter_engine::pipeline::CHUNK_BYTES;
use wasm_bindgen::prelude::*;

/// The benchmark's points: `k` groups around random centres in `d`
/// dimensions, unit spread (as in the native benchmark).
pub fn points(n: usize, d: usize, k: usize, seed: u64) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let noise = Normal::new(0.0, 1.0).expect("valid");
    let centres: Array2<f64> = Array2::from_shape_fn((k, d), |_| noise.sample(&mut rng) * 3.0);
    Array2::from_shape_fn((n, d), |(i, j)| {
        centres[[i % k, j]] + noise.sample(&mut rng)
    })
}

#[wasm_bindgen]
pub struct LloydBench {
    data: Array2<f64>,
    /// The same points feature-major in f32 (converted once, untimed).
    points: Points32,
    init: Array2<f64>,
}

#[wasm_bindgen]
impl LloydBench {
    /// `n` points in `d` dimensions, `k` centres: the first `k` points (as
    /// the native benchmark and the scikit-learn peer take them).
    #[wasm_bindgen(constructor)]
    pub fn new(n: usize, d: usize, k: usize, seed: u32) -> LloydBench {
        let data = points(n, d, k, u64::from(seed));
        let init = Array2::from_shape_fn((k, d), |(i, j)| data[[i, j]]);
        let points = Points32::new(data.view());
        LloydBench { data, points, init }
    }

    /// One Lloyd iteration from the initial centres; returns the sum of the
    /// new centres (so the work cannot be skipped, and runs can be compared).
    pub fn step(&self) -> f64 {
        let mut centres = self.init.clone();
        let mut labels = vec![u16::MAX; self.data.nrows()];
        lloyd_step(self.data.view(), &mut centres, &mut labels);
        centres.sum()
    }

    /// The same iteration on the f32, feature-major points.
    pub fn step32(&self) -> f64 {
        let mut centres = self.init.clone();
        let mut labels = vec![u16::MAX; self.points.len()];
        self.points.lloyd_step(&mut centres, &mut labels);
        centres.sum()
    }

    /// Sum of every coordinate: equal to the native benchmark's.
    pub fn checksum(&self) -> f64 {
        self.data.sum()
    }
}

/// The ingest's stages on bytes already in wasm memory (a generated store in
/// the benchmark's shape), for comparing the browser with native runs and
/// for telling the tokenizer's share from the rows' (`bench/browser/ingest`).
#[wasm_bindgen]
pub struct IngestBench {
    bytes: Vec<u8>,
}

#[wasm_bindgen]
impl IngestBench {
    /// The demo store with `customers` customers, Shopify's 79 columns
    /// (`shopify = true`) or the narrow table, 40 variants per product.
    #[wasm_bindgen(constructor)]
    pub fn new(customers: u32, shopify: bool) -> IngestBench {
        IngestBench {
            bytes: generated_store(customers, shopify),
        }
    }

    /// Bytes of the store.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the store is empty (never).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Records in the file, by the tokenizer alone.
    pub fn tokenize(&self) -> u32 {
        let mut tokenizer = CsvTokenizer::new(b',');
        let mut records = 0u32;
        let mut count = |_: Record<'_>| -> Result<(), ()> {
            records += 1;
            Ok(())
        };
        for chunk in self.bytes.chunks(CHUNK_BYTES) {
            let _ = tokenizer.feed(chunk, &mut count);
        }
        let _ = tokenizer.finish(&mut count);
        records
    }

    /// Rows read into orders (tokenizing included), without the end of the
    /// ingest (customers, purchases).
    pub fn push(&self) -> u32 {
        pushed(&self.bytes).rows_read() as u32
    }

    /// The whole ingest; returns the customers.
    pub fn ingest(&self) -> u32 {
        pushed(&self.bytes)
            .finish()
            .map_or(0, |i| i.customers.len() as u32)
    }
}

/// The demo store with `customers` customers, Shopify's 79 columns
/// (`shopify = true`) or the narrow table, 40 variants per product (the
/// benchmark files' generator and settings).
fn generated_store(customers: u32, shopify: bool) -> Vec<u8> {
    let store = segmenter_engine::demo::DemoStore {
        customers,
        variants: 40,
        ..segmenter_engine::demo::DemoStore::default()
    };
    let shape = if shopify {
        segmenter_engine::demo::Shape::Shopify
    } else {
        segmenter_engine::demo::Shape::Narrow
    };
    let mut bytes = Vec::new();
    store.write(shape, &mut bytes).expect("writes to memory");
    bytes
}

/// An ingest with every byte of `bytes` pushed, in the page's slices.
fn pushed(bytes: &[u8]) -> Ingest {
    let mut ingest = Ingest::new(None);
    let _ = ingest.begin_file("bench.csv");
    for chunk in bytes.chunks(CHUNK_BYTES) {
        let _ = ingest.push(chunk);
    }
    ingest
}

/// The whole analysis of a generated store in wasm memory, with the
/// engine's own stage timings (`Stopwatch`) on the browser's clock: which
/// model stages cost what in the browser, set beside `segmenter analyze
/// --timings` on the same store natively.
#[wasm_bindgen]
pub fn analysis_stages(customers: u32, shopify: bool) -> String {
    let Ok(ingested) = pushed(&generated_store(customers, shopify)).finish() else {
        return String::from("[]");
    };
    let analysis = segmenter_engine::Analysis::timed(
        ingested,
        &segmenter_engine::Options::default(),
        &mut || Some(js_sys::Date::now()),
    );
    let stages: Vec<String> = analysis
        .timings
        .map(|t| t.stages)
        .unwrap_or_default()
        .iter()
        .map(|s| format!("[{:?},{:.1}]", s.stage, s.ms))
        .collect();
    format!("[{}]", stages.join(","))
}
