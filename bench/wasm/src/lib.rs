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
