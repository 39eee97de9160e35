//! Lloyd's iteration on a million buyers as fast as one core allows: the
//! points held feature by feature (each feature's values side by side, so
//! eight buyers' values of a feature load as one vector) in f32, distances
//! computed for eight buyers at once, the centres' sums kept in f64. The
//! loops are plain arrays the compiler turns into SIMD (wasm `simd128`,
//! SSE/AVX natively); f32 halves the bytes read per distance, and f64 sums
//! keep a million additions exact enough.
//!
//! Distances in f32 can rank two nearly equidistant centres differently
//! from f64 (a relative gap below about 1e-6); such a buyer sits on the
//! boundary either way.

use ndarray::{Array2, ArrayView2};

/// Buyers per block: the lanes of the distance loop.
const LANES: usize = 8;

/// Points stored feature-major in f32.
#[derive(Clone, Debug)]
pub struct Points32 {
    n: usize,
    d: usize,
    /// Feature `f` of point `i` at `f * n + i`.
    columns: Vec<f32>,
}

impl Points32 {
    pub fn new(data: ArrayView2<'_, f64>) -> Points32 {
        let (n, d) = data.dim();
        let mut columns = vec![0.0f32; n * d];
        for (i, row) in data.rows().into_iter().enumerate() {
            for (f, &v) in row.iter().enumerate() {
                columns[f * n + i] = v as f32;
            }
        }
        Points32 { n, d, columns }
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
        let (k, d) = centres.dim();
        assert_eq!(d, self.d, "centres of another dimension");
        assert_eq!(labels.len(), self.n, "a label per point");
        let centre32: Vec<f32> = centres.iter().map(|&v| v as f32).collect();
        let mut sums = vec![0.0f64; k * d];
        let mut counts = vec![0usize; k];
        let mut changed = false;
        let full = self.n / LANES * LANES;
        for start in (0..full).step_by(LANES) {
            let nearest = self.nearest_block(start, &centre32, k);
            for (lane, &c) in nearest.iter().enumerate() {
                let i = start + lane;
                changed |= labels[i] != c;
                labels[i] = c;
            }
        }
        for (i, label) in labels.iter_mut().enumerate().skip(full) {
            let c = self.nearest_one(i, &centre32, k);
            changed |= *label != c;
            *label = c;
        }
        for &label in labels.iter() {
            counts[label as usize] += 1;
        }
        // Sums feature by feature: each pass reads one contiguous column
        // (adding them block by block during the assignment measured slower).
        for f in 0..d {
            let column = &self.columns[f * self.n..(f + 1) * self.n];
            for (&v, &label) in column.iter().zip(labels.iter()) {
                sums[label as usize * d + f] += f64::from(v);
            }
        }
        for (c, &count) in counts.iter().enumerate() {
            if count > 0 {
                for f in 0..d {
                    centres[[c, f]] = sums[c * d + f] / count as f64;
                }
            }
        }
        changed
    }

    /// The nearest centre of points `start..start + LANES` (ties to the
    /// lower centre, as the f64 step).
    #[inline]
    fn nearest_block(&self, start: usize, centres: &[f32], k: usize) -> [u16; LANES] {
        let d = self.d;
        let mut best = [f32::INFINITY; LANES];
        let mut arg = [0u16; LANES];
        for c in 0..k {
            let centre = &centres[c * d..(c + 1) * d];
            let mut acc = [0.0f32; LANES];
            for (f, &cf) in centre.iter().enumerate() {
                let at = f * self.n + start;
                let values: &[f32; LANES] = self.columns[at..at + LANES]
                    .try_into()
                    .expect("a block of LANES values");
                for lane in 0..LANES {
                    let diff = values[lane] - cf;
                    acc[lane] += diff * diff;
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

    fn nearest_one(&self, i: usize, centres: &[f32], k: usize) -> u16 {
        let d = self.d;
        let mut best = (0u16, f32::INFINITY);
        for c in 0..k {
            let dist: f32 = (0..d)
                .map(|f| {
                    let diff = self.columns[f * self.n + i] - centres[c * d + f];
                    diff * diff
                })
                .sum();
            if dist < best.1 {
                best = (c as u16, dist);
            }
        }
        best.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::kmeans::lloyd_step;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, Normal};

    #[test]
    fn the_f32_step_gives_the_f64_step_s_labels_and_centres() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let noise = Normal::new(0.0, 1.0).expect("valid");
        // 1003 points: full blocks and a tail.
        let (n, d, k) = (1003, 7, 5);
        let data = Array2::from_shape_fn((n, d), |(i, _)| {
            (i % k) as f64 * 4.0 + noise.sample(&mut rng)
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
