//! linfa-clustering's KMeans on the points of the engine's k-means
//! benchmark: one Lloyd iteration from the first k points, best of 3.
//! Run with RAYON_NUM_THREADS=1 (scripts/bench.sh does) to compare one
//! thread with one thread.
//!
//!     segmenter-bench-peers POINTS.f64 N D K

use std::time::Instant;

use linfa::prelude::*;
use linfa::DatasetBase;
use linfa_clustering::{KMeans, KMeansInit};
use ndarray::Array2;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, n, d, k] = args.as_slice() else {
        eprintln!("usage: segmenter-bench-peers POINTS.f64 N D K");
        std::process::exit(2);
    };
    let (n, d, k): (usize, usize, usize) = (
        n.parse().expect("N"),
        d.parse().expect("D"),
        k.parse().expect("K"),
    );
    let bytes = std::fs::read(path).expect("readable points");
    let values: Vec<f64> = bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
        .collect();
    let data = Array2::from_shape_vec((n, d), values).expect("n × d points");
    let init = data.slice(ndarray::s![..k, ..]).to_owned();
    let dataset = DatasetBase::from(data);
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let params = KMeans::params(k)
            .n_runs(1)
            .max_n_iterations(1)
            .tolerance(1e-300)
            .init_method(KMeansInit::Precomputed(init.clone()));
        let start = Instant::now();
        let model = params.fit(&dataset).expect("a fit");
        best = best.min(start.elapsed().as_secs_f64());
        std::hint::black_box(model.centroids());
    }
    println!("{{\"n\": {n}, \"d\": {d}, \"k\": {k}, \"seconds\": {best}}}");
}
