//! Lloyd's iterations as fast as one core allows, for trying many k on a
//! sample (and for the benchmark against scikit-learn): the points held
//! feature by feature in f32 (each feature's values side by side, so a
//! block of buyers' values of one feature load as a few vectors), the
//! centres' sums kept in f64. The loops are plain arrays the compiler turns
//! into SIMD (wasm `simd128`, SSE/AVX natively).
//!
//! What the profile showed and why the kernel is shaped so:
//! - Nearest centre: ‖x − c‖² = ‖x‖² − 2·c·x + ‖c‖², and ‖x‖² is the same for
//!   every centre, so the nearest centre is the one with the least
//!   ‖c‖² − 2·c·x: one multiply-add per feature instead of a subtract,
//!   multiply and add. The points are stored less their mean, which keeps
//!   that sum's cancellation small (centred customer features are a few
//!   units from zero).
//! - Centre sums: adding each value to its cluster's sum one by one was
//!   four in ten of an iteration (a load and a store per value). Four
//!   buyers' values of four features are transposed into four rows and
//!   each row added to its cluster's sums as one vector; the f32 partial
//!   sums go into f64 every [`FLUSH`] buyers.
//!
//! Distances in f32 can rank two nearly equidistant centres differently
//! from f64 (a relative gap below about 1e-6); such a buyer sits on the
//! boundary either way.

use ndarray::{Array2, ArrayView2};

use super::kmeans::{KMeans, MAX_ITERATIONS};

/// Buyers per block of the distance loop.
const LANES: usize = 16;
/// Buyers whose values are summed in f32 before the sums go into f64: few
/// enough that the partial sums stay exact to about 1e-6.
const FLUSH: usize = 256;

/// Points stored feature-major in f32, less each feature's mean.
#[derive(Clone, Debug)]
pub struct Points32 {
    n: usize,
    d: usize,
    /// Feature `f` of point `i`, less `offset[f]`, at `f * n + i`.
    columns: Vec<f32>,
    /// Each feature's mean.
    offset: Vec<f64>,
}

impl Points32 {
    pub fn new(data: ArrayView2<'_, f64>) -> Points32 {
        let (n, d) = data.dim();
        let offset: Vec<f64> = (0..d)
            .map(|f| data.column(f).sum() / n.max(1) as f64)
            .collect();
        let mut columns = vec![0.0f32; n * d];
        for (i, row) in data.rows().into_iter().enumerate() {
            for (f, &v) in row.iter().enumerate() {
                columns[f * n + i] = (v - offset[f]) as f32;
            }
        }
        Points32 {
            n,
            d,
            columns,
            offset,
        }
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// One Lloyd iteration: each point to its nearest centre, then each
    /// centre to the mean of its points (an empty cluster keeps its
    /// centre). Returns whether any label changed.
    pub fn lloyd_step(&self, centres: &mut Array2<f64>, labels: &mut [u16]) -> bool {
        let changed = self.assign(centres, labels);
        self.means(labels, centres);
        changed
    }

    /// Lloyd's iterations from `centres`, stopping when no label changes
    /// or once the centres together move less than `tolerance` (sum of
    /// squared moves) in an iteration; the labels are then assigned once
    /// more to the last centres. The same steps and stop as
    /// [`super::hamerly::hamerly_until`], which computes them in f64 with
    /// bounds that skip settled rows: on a sample of overlapping customer
    /// groups few rows settle, and this kernel's full passes cost less.
    pub fn lloyd_until(&self, mut centres: Array2<f64>, tolerance: f64) -> KMeans {
        let mut labels = vec![0u16; self.n];
        self.assign(&centres, &mut labels);
        let mut iterations = 1;
        let mut old = centres.clone();
        loop {
            old.assign(&centres);
            self.means(&labels, &mut centres);
            if iterations >= MAX_ITERATIONS {
                break;
            }
            iterations += 1;
            let moved: f64 = old
                .iter()
                .zip(centres.iter())
                .map(|(a, b)| (a - b) * (a - b))
                .sum();
            let changed = self.assign(&centres, &mut labels);
            if !changed || (tolerance > 0.0 && moved <= tolerance) {
                break;
            }
        }
        let inertia = self.inertia(&centres, &labels);
        KMeans {
            centres,
            labels,
            inertia,
            iterations,
        }
    }

    /// Sum of squared distances to the assigned centres, in f64.
    pub fn inertia(&self, centres: &Array2<f64>, labels: &[u16]) -> f64 {
        let mut total = 0.0;
        for f in 0..self.d {
            let column = &self.columns[f * self.n..(f + 1) * self.n];
            let shifted: Vec<f64> = centres
                .column(f)
                .iter()
                .map(|c| c - self.offset[f])
                .collect();
            for (&v, &label) in column.iter().zip(labels) {
                let diff = f64::from(v) - shifted[label as usize];
                total += diff * diff;
            }
        }
        total
    }

    /// Each point to its nearest centre (ties to the lower centre, as the
    /// f64 step). Returns whether any label changed.
    fn assign(&self, centres: &Array2<f64>, labels: &mut [u16]) -> bool {
        let (k, d) = centres.dim();
        assert_eq!(d, self.d, "centres of another dimension");
        assert_eq!(labels.len(), self.n, "a label per point");
        // Per centre: −2·c (shifted like the points) and ‖c‖².
        let mut scaled = vec![0.0f32; k * d];
        let mut norms = vec![0.0f32; k];
        for c in 0..k {
            let mut norm = 0.0f64;
            for f in 0..d {
                let v = centres[[c, f]] - self.offset[f];
                scaled[c * d + f] = (-2.0 * v) as f32;
                norm += v * v;
            }
            norms[c] = norm as f32;
        }
        let mut changed = false;
        let full = self.n / LANES * LANES;
        for start in (0..full).step_by(LANES) {
            let nearest = self.nearest_block(start, &scaled, &norms);
            for (label, &c) in labels[start..start + LANES].iter_mut().zip(&nearest) {
                changed |= *label != c;
                *label = c;
            }
        }
        for (i, label) in labels.iter_mut().enumerate().skip(full) {
            let c = self.nearest_one(i, &scaled, &norms);
            changed |= *label != c;
            *label = c;
        }
        changed
    }

    /// The nearest centre of points `start..start + LANES`.
    #[inline]
    fn nearest_block(&self, start: usize, scaled: &[f32], norms: &[f32]) -> [u16; LANES] {
        let d = self.d;
        let mut best = [f32::INFINITY; LANES];
        let mut arg = [0u16; LANES];
        for (c, &norm) in norms.iter().enumerate() {
            let centre = &scaled[c * d..(c + 1) * d];
            let mut acc = [norm; LANES];
            for (f, &cf) in centre.iter().enumerate() {
                let at = f * self.n + start;
                let values: &[f32; LANES] = self.columns[at..at + LANES]
                    .try_into()
                    .expect("a block of LANES values");
                for lane in 0..LANES {
                    acc[lane] += values[lane] * cf;
                }
            }
            for lane in 0..LANES {
                if acc[lane] < best[lane] {
                    best[lane] = acc[lane];
                    arg[lane] = c as u16;
                }
            }
        }
        arg
    }

    fn nearest_one(&self, i: usize, scaled: &[f32], norms: &[f32]) -> u16 {
        let d = self.d;
        let mut best = (0u16, f32::INFINITY);
        for (c, &norm) in norms.iter().enumerate() {
            let mut score = norm;
            for f in 0..d {
                score += self.columns[f * self.n + i] * scaled[c * d + f];
            }
            if score < best.1 {
                best = (c as u16, score);
            }
        }
        best.0
    }

    /// Each centre to the mean of its points; an empty cluster keeps its
    /// centre.
    fn means(&self, labels: &[u16], centres: &mut Array2<f64>) {
        let (k, d) = centres.dim();
        let n = self.n;
        let mut counts = vec![0usize; k];
        for &label in labels {
            counts[label as usize] += 1;
        }
        let mut sums = vec![0.0f64; k * d];
        let full = n / 4 * 4;
        let mut partial = Partial::new(k, d);
        let mut start = 0;
        while start < full {
            let end = (start + FLUSH).min(full);
            for s in (start..end).step_by(4) {
                let label: &[u16; 4] = labels[s..s + 4].try_into().expect("four labels");
                for g in 0..partial.groups {
                    // values[j]: feature 4g + j of points s..s + 4.
                    let values: [[f32; 4]; 4] = std::array::from_fn(|j| {
                        let f = 4 * g + j;
                        if f < d {
                            self.columns[f * n + s..f * n + s + 4]
                                .try_into()
                                .expect("four values")
                        } else {
                            [0.0; 4]
                        }
                    });
                    partial.add(g, label, &values);
                }
            }
            partial.flush_into(&mut sums, d);
            start = end;
        }
        for (i, &label) in labels.iter().enumerate().skip(full) {
            let c = label as usize;
            for f in 0..d {
                sums[c * d + f] += f64::from(self.columns[f * n + i]);
            }
        }
        for (c, &count) in counts.iter().enumerate() {
            if count > 0 {
                for f in 0..d {
                    centres[[c, f]] = sums[c * d + f] / count as f64 + self.offset[f];
                }
            }
        }
    }
}

/// Per cluster, f32 partial sums of its points' features in groups of
/// four (row `cluster * groups + g` holds features 4g..4g+4).
struct Partial {
    groups: usize,
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    rows: Vec<core::arch::wasm32::v128>,
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    rows: Vec<[f32; 4]>,
}

impl Partial {
    fn new(k: usize, d: usize) -> Partial {
        let groups = d.div_ceil(4);
        Partial {
            groups,
            rows: vec![Partial::ZERO; k * groups],
        }
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    const ZERO: core::arch::wasm32::v128 = core::arch::wasm32::f32x4(0.0, 0.0, 0.0, 0.0);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    const ZERO: [f32; 4] = [0.0; 4];

    /// Adds four points' values of features 4g..4g+4 (`values[j]`: feature
    /// 4g + j of the four points) to their clusters' rows: the 4 × 4 block
    /// transposed, each point's row added as one vector. The compiler
    /// finds this shape for SSE on its own but not for wasm, which gets
    /// the shuffles written out.
    #[inline(always)]
    fn add(&mut self, g: usize, label: &[u16; 4], values: &[[f32; 4]; 4]) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            use core::arch::wasm32::{f32x4, f32x4_add, i32x4_shuffle};
            let [a, b, c, e] = values.map(|v| f32x4(v[0], v[1], v[2], v[3]));
            let ab_low = i32x4_shuffle::<0, 4, 1, 5>(a, b);
            let ab_high = i32x4_shuffle::<2, 6, 3, 7>(a, b);
            let ce_low = i32x4_shuffle::<0, 4, 1, 5>(c, e);
            let ce_high = i32x4_shuffle::<2, 6, 3, 7>(c, e);
            let points = [
                i32x4_shuffle::<0, 1, 4, 5>(ab_low, ce_low),
                i32x4_shuffle::<2, 3, 6, 7>(ab_low, ce_low),
                i32x4_shuffle::<0, 1, 4, 5>(ab_high, ce_high),
                i32x4_shuffle::<2, 3, 6, 7>(ab_high, ce_high),
            ];
            for (&cluster, point) in label.iter().zip(points) {
                let row = &mut self.rows[cluster as usize * self.groups + g];
                *row = f32x4_add(*row, point);
            }
        }
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        for (p, &cluster) in label.iter().enumerate() {
            let row = &mut self.rows[cluster as usize * self.groups + g];
            for j in 0..4 {
                row[j] += values[j][p];
            }
        }
    }

    /// Adds the partial sums to `sums` (cluster-major, `d` per cluster)
    /// and starts them again from zero.
    fn flush_into(&mut self, sums: &mut [f64], d: usize) {
        for (c, cluster) in sums.chunks_exact_mut(d).enumerate() {
            for (f, sum) in cluster.iter_mut().enumerate() {
                *sum += f64::from(self.lane(c * self.groups + f / 4, f % 4));
            }
        }
        self.rows.fill(Partial::ZERO);
    }

    fn lane(&self, row: usize, j: usize) -> f32 {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            use core::arch::wasm32::f32x4_extract_lane;
            let v = self.rows[row];
            match j {
                0 => f32x4_extract_lane::<0>(v),
                1 => f32x4_extract_lane::<1>(v),
                2 => f32x4_extract_lane::<2>(v),
                _ => f32x4_extract_lane::<3>(v),
            }
        }
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        self.rows[row][j]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::hamerly::hamerly_until;
    use crate::cluster::hamerly::tests::blobs;
    use crate::cluster::kmeans::{kmeans_plus_plus, lloyd_step};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, Normal};

    #[test]
    fn the_f32_step_gives_the_f64_step_s_labels_and_centres() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let noise = Normal::new(0.0, 1.0).expect("valid");
        // 1003 points: full blocks and a tail; far from the origin, so the
        // stored offset matters.
        let (n, d, k) = (1003, 7, 5);
        let data = Array2::from_shape_fn((n, d), |(i, _)| {
            100.0 + (i % k) as f64 * 4.0 + noise.sample(&mut rng)
        });
        let init = Array2::from_shape_fn((k, d), |(i, j)| data[[i * 3, j]]);
        let (mut c64, mut l64) = (init.clone(), vec![u16::MAX; n]);
        let (mut c32, mut l32) = (init, vec![u16::MAX; n]);
        let points = Points32::new(data.view());
        for _ in 0..5 {
            let a = lloyd_step(data.view(), &mut c64, &mut l64);
            let b = points.lloyd_step(&mut c32, &mut l32);
            assert_eq!(a, b);
            assert_eq!(l64, l32);
            for (x, y) in c64.iter().zip(c32.iter()) {
                assert!((x - y).abs() < 1e-5, "{x} vs {y}");
            }
        }
    }

    #[test]
    fn runs_to_hamerly_s_result_with_the_same_stop() {
        // Well separated, overlapping and structureless data; d = 1, 4
        // (whole groups of four features) and 13 (the analysis's count).
        for (seed, spread, k, d) in [
            (1, 4.0, 5, 13),
            (2, 1.0, 8, 4),
            (3, 0.0, 3, 1),
            (4, 2.0, 12, 6),
        ] {
            let data = blobs(2003, d, 5, spread, seed);
            let variance = data.var_axis(ndarray::Axis(0), 0.0).mean().unwrap_or(0.0);
            let tolerance = 1e-4 * variance;
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let start = kmeans_plus_plus(data.view(), k, &mut rng);
            let exact = hamerly_until(data.view(), start.clone(), tolerance);
            let fast = Points32::new(data.view()).lloyd_until(start, tolerance);
            assert_eq!(fast.labels, exact.labels, "seed {seed}");
            assert_eq!(fast.iterations, exact.iterations, "seed {seed}");
            assert!(
                (fast.inertia - exact.inertia).abs() <= 1e-5 * exact.inertia,
                "seed {seed}: {} vs {}",
                fast.inertia,
                exact.inertia
            );
            for (a, b) in fast.centres.iter().zip(exact.centres.iter()) {
                assert!((a - b).abs() <= 1e-5, "seed {seed}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn an_empty_cluster_keeps_its_centre() {
        let data = Array2::from_shape_fn((10, 2), |(i, j)| (i + j) as f64);
        let mut centres =
            Array2::from_shape_vec((2, 2), vec![0.0, 1.0, 100.0, 100.0]).expect("2 × 2");
        let mut labels = vec![u16::MAX; 10];
        Points32::new(data.view()).lloyd_step(&mut centres, &mut labels);
        assert!(labels.iter().all(|&l| l == 0));
        assert_eq!(centres.row(1).to_vec(), vec![100.0, 100.0]);
    }
}
