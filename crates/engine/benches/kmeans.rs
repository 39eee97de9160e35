//! One Lloyd iteration of k-means on 1M × 10 points, k = 8, natively;
//! `scripts/bench.sh` runs scikit-learn's KMeans (Lloyd, one thread, one
//! iteration from the same centres) on the same points, which this
//! benchmark writes as raw little-endian f64, and reports the ratio. The
//! browser runs the same step on the same points (`bench/wasm`; the
//! checksum shows the points are equal).
//!
//! Also: k-means to convergence from the same start, plain Lloyd against
//! Hamerly's bounds (what the analysis runs): same result, less work.
//!
//!     cargo bench -p segmenter-engine --bench kmeans -- [--write POINTS.f64] [--json OUT]
//!
//! A benchmark, not a test: it reports and never fails on speed.

use std::io::Write;
use std::time::Instant;

use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use segmenter_engine::cluster::hamerly::hamerly;
use segmenter_engine::cluster::kmeans::{lloyd, lloyd_step};
use segmenter_engine::cluster::lloyd32::Points32;

const N: usize = 1_000_000;
const D: usize = 10;
const K: usize = 8;
const RUNS: usize = 3;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let noise = Normal::new(0.0, 1.0).expect("valid");
    // Eight groups around random centres: a realistic assignment mix.
    let group_centres: Array2<f64> =
        Array2::from_shape_fn((K, D), |_| noise.sample(&mut rng) * 3.0);
    let data: Array2<f64> = Array2::from_shape_fn((N, D), |(i, j)| {
        group_centres[[i % K, j]] + noise.sample(&mut rng)
    });
    if let Some(path) = value("--write") {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("writable"));
        for v in data.iter() {
            out.write_all(&v.to_le_bytes()).expect("write");
        }
    }
    // Initial centres: the first K points (the Python peer takes the same).
    let init = Array2::from_shape_fn((K, D), |(i, j)| data[[i, j]]);
    let mut best = f64::INFINITY;
    for _ in 0..RUNS {
        let mut centres = init.clone();
        let mut labels = vec![u16::MAX; N];
        let start = Instant::now();
        lloyd_step(data.view(), &mut centres, &mut labels);
        best = best.min(start.elapsed().as_secs_f64());
    }
    eprintln!("one Lloyd iteration on {N} × {D}, k = {K}: {best:.3} s");
    // The same iteration on the points held feature-major in f32 (what a
    // caller converts once, as scikit-learn's float32 input).
    let points = Points32::new(data.view());
    let mut best32 = f64::INFINITY;
    for _ in 0..RUNS {
        let mut centres = init.clone();
        let mut labels = vec![u16::MAX; N];
        let start = Instant::now();
        points.lloyd_step(&mut centres, &mut labels);
        best32 = best32.min(start.elapsed().as_secs_f64());
    }
    eprintln!("the same on f32, feature-major: {best32:.4} s");
    // To convergence with more centres than groups (12 for 8), which makes
    // k-means wander for many iterations as real customer data does.
    const K_MORE: usize = 12;
    let start_centres = Array2::from_shape_fn((K_MORE, D), |(i, j)| data[[i, j]]);
    let timed = |f: &dyn Fn() -> segmenter_engine::cluster::kmeans::KMeans| {
        let start = Instant::now();
        let fit = f();
        (start.elapsed().as_secs_f64(), fit)
    };
    let (lloyd_s, plain) = timed(&|| lloyd(data.view(), start_centres.clone()));
    let (hamerly_s, fast) = timed(&|| hamerly(data.view(), start_centres.clone()));
    assert_eq!(
        plain.labels, fast.labels,
        "Hamerly's bounds change no label"
    );
    eprintln!(
        "k = {K_MORE} to convergence ({} iterations): Lloyd {lloyd_s:.3} s, Hamerly {hamerly_s:.3} s",
        plain.iterations
    );
    let checksum: f64 = data.sum();
    let json = format!(
        "{{\"n\": {N}, \"d\": {D}, \"k\": {K}, \"seconds\": {best}, \"f32_seconds\": {best32}, \"checksum\": {checksum}, \"converge_k\": {K_MORE}, \"converge_iterations\": {}, \"lloyd_converge_seconds\": {lloyd_s}, \"hamerly_converge_seconds\": {hamerly_s}}}",
        plain.iterations
    );
    match value("--json") {
        Some(path) => std::fs::write(path, json).expect("writable"),
        None => println!("{json}"),
    }
}
