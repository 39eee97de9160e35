//! k-means: k-means++ seeding, several restarts, Lloyd's iterations (run
//! with Hamerly's bounds, see `hamerly.rs`, or on a sample by the f32
//! kernel of `lloyd32.rs`); seeded and deterministic (same data and seed,
//! same clusters).

use ndarray::{Array2, ArrayView1, ArrayView2, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::hamerly::hamerly;
use super::lloyd32::Points32;

/// A k-means result.
#[derive(Clone, Debug, PartialEq)]
pub struct KMeans {
    pub centres: Array2<f64>,
    pub labels: Vec<u16>,
    /// Sum of squared distances to the assigned centres.
    pub inertia: f64,
    pub iterations: usize,
}

/// Iterations at most (scikit-learn's default).
pub(crate) const MAX_ITERATIONS: usize = 300;

/// The best of `restarts` k-means runs (lowest inertia).
pub fn kmeans(data: ArrayView2<'_, f64>, k: usize, restarts: usize, seed: u64) -> KMeans {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut best: Option<KMeans> = None;
    for _ in 0..restarts.max(1) {
        let centres = kmeans_plus_plus(data, k, &mut rng);
        let run = hamerly(data, centres);
        if best.as_ref().is_none_or(|b| run.inertia < b.inertia) {
            best = Some(run);
        }
    }
    best.expect("at least one run")
}

/// [`kmeans`] with scikit-learn's default stop (`tol` = 1e-4 of the mean
/// feature variance, on the centres' total squared move): for trying many
/// k on a sample, where the last iterations to a fixed point change nothing
/// that decides k. `points` are `data` as the f32 kernel holds them (made
/// once for every k tried); the seeding reads `data`. Refine the chosen
/// centres with [`hamerly`] for exact labels.
pub fn kmeans_quick(
    data: ArrayView2<'_, f64>,
    points: &Points32,
    k: usize,
    restarts: usize,
    seed: u64,
) -> KMeans {
    assert_eq!(points.len(), data.nrows(), "the points of `data`");
    let variance = data.var_axis(Axis(0), 0.0).mean().unwrap_or(0.0);
    let tolerance = 1e-4 * variance;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut best: Option<KMeans> = None;
    for _ in 0..restarts.max(1) {
        let centres = kmeans_plus_plus(data, k, &mut rng);
        let run = points.lloyd_until(centres, tolerance);
        if best.as_ref().is_none_or(|b| run.inertia < b.inertia) {
            best = Some(run);
        }
    }
    best.expect("at least one run")
}

fn squared_distance(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    a.iter().zip(b.iter()).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Squared Euclidean distance of two equally long rows. Four running sums
/// let the compiler keep several lanes busy (wasm SIMD, SSE) without
/// changing results beyond rounding.
#[inline]
pub fn squared_distance_slices(a: &[f64], b: &[f64]) -> f64 {
    let mut lanes = [0.0f64; 4];
    let (a4, a_rest) = a.split_at(a.len() / 4 * 4);
    let (b4, b_rest) = b.split_at(a4.len());
    for (x, y) in a4.chunks_exact(4).zip(b4.chunks_exact(4)) {
        for l in 0..4 {
            let diff = x[l] - y[l];
            lanes[l] += diff * diff;
        }
    }
    let mut sum = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
    for (x, y) in a_rest.iter().zip(b_rest) {
        sum += (x - y) * (x - y);
    }
    sum
}

/// k-means++: each next centre drawn with probability proportional to the
/// squared distance to the nearest centre chosen so far.
pub fn kmeans_plus_plus(data: ArrayView2<'_, f64>, k: usize, rng: &mut impl Rng) -> Array2<f64> {
    let n = data.nrows();
    let d = data.ncols();
    let mut centres = Array2::zeros((k, d));
    if n == 0 {
        return centres;
    }
    // Plain slices: ndarray's row views cost more than the arithmetic here.
    let data = data.as_standard_layout();
    let x = data.as_slice().expect("standard layout");
    let row = |i: usize| &x[i * d..(i + 1) * d];
    // Added in order, as ndarray's iterator did, so the draws are the same.
    let distance =
        |a: &[f64], b: &[f64]| -> f64 { a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum() };
    let first = rng.random_range(0..n);
    centres.row_mut(0).assign(&data.row(first));
    let mut nearest: Vec<f64> = (0..n).map(|i| distance(row(i), row(first))).collect();
    for c in 1..k {
        let total: f64 = nearest.iter().sum();
        let pick = if total > 0.0 {
            let mut target = rng.random::<f64>() * total;
            let mut chosen = n - 1;
            for (i, &d) in nearest.iter().enumerate() {
                if target < d {
                    chosen = i;
                    break;
                }
                target -= d;
            }
            chosen
        } else {
            rng.random_range(0..n)
        };
        centres.row_mut(c).assign(&data.row(pick));
        let centre = row(pick);
        for (i, slot) in nearest.iter_mut().enumerate() {
            *slot = slot.min(distance(row(i), centre));
        }
    }
    centres
}

/// Lloyd's iterations from `centres` until no label changes.
pub fn lloyd(data: ArrayView2<'_, f64>, mut centres: Array2<f64>) -> KMeans {
    let mut labels = vec![u16::MAX; data.nrows()];
    let mut iterations = 0;
    loop {
        iterations += 1;
        let changed = lloyd_step(data, &mut centres, &mut labels);
        if !changed || iterations >= MAX_ITERATIONS {
            break;
        }
    }
    let inertia = labels
        .iter()
        .enumerate()
        .map(|(i, &l)| squared_distance(data.row(i), centres.row(l as usize)))
        .sum();
    KMeans {
        centres,
        labels,
        inertia,
        iterations,
    }
}

/// One Lloyd iteration: assign every row to its nearest centre, then move
/// each centre to the mean of its members (an empty cluster keeps its
/// centre). Returns whether any label changed.
pub fn lloyd_step(
    data: ArrayView2<'_, f64>,
    centres: &mut Array2<f64>,
    labels: &mut [u16],
) -> bool {
    let data = data.as_standard_layout();
    let x = data.as_slice().expect("standard layout");
    let (k, d) = centres.dim();
    let mut c: Vec<f64> = centres.iter().copied().collect();
    let mut changed = false;
    for (row, label) in x.chunks_exact(d.max(1)).zip(labels.iter_mut()) {
        let mut best = (0usize, f64::INFINITY);
        for (j, centre) in c.chunks_exact(d.max(1)).enumerate() {
            let dist = squared_distance_slices(row, centre);
            if dist < best.1 {
                best = (j, dist);
            }
        }
        if *label != best.0 as u16 {
            *label = best.0 as u16;
            changed = true;
        }
    }
    let mut sums = vec![0.0; k * d];
    let mut counts = vec![0usize; k];
    for (row, &label) in x.chunks_exact(d.max(1)).zip(labels.iter()) {
        let l = label as usize;
        counts[l] += 1;
        for (s, v) in sums[l * d..(l + 1) * d].iter_mut().zip(row) {
            *s += v;
        }
    }
    for (j, &count) in counts.iter().enumerate() {
        if count > 0 {
            for (slot, s) in c[j * d..(j + 1) * d]
                .iter_mut()
                .zip(&sums[j * d..(j + 1) * d])
            {
                *slot = s / count as f64;
            }
        }
    }
    for (slot, v) in centres.iter_mut().zip(c) {
        *slot = v;
    }
    changed
}

/// Members per cluster.
pub fn sizes(labels: &[u16], k: usize) -> Vec<usize> {
    let mut sizes = vec![0; k];
    for &l in labels {
        sizes[l as usize] += 1;
    }
    sizes
}

/// Column means of `data` (the overall centre).
pub fn mean(data: ArrayView2<'_, f64>) -> Vec<f64> {
    data.mean_axis(Axis(0))
        .map(|m| m.to_vec())
        .unwrap_or_else(|| vec![0.0; data.ncols()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_obvious_groups_are_found_and_the_result_repeats() {
        let data = Array2::from_shape_fn((40, 2), |(i, j)| {
            let base = if i < 20 { 0.0 } else { 10.0 };
            base + (i % 5) as f64 * 0.1 + j as f64 * 0.05
        });
        let a = kmeans(data.view(), 2, 3, 7);
        assert_eq!(sizes(&a.labels, 2), [20, 20]);
        assert!(a.labels[..20].iter().all(|&l| l == a.labels[0]));
        assert!(a.labels[20..].iter().all(|&l| l == a.labels[20]));
        assert_ne!(a.labels[0], a.labels[20]);
        assert_eq!(kmeans(data.view(), 2, 3, 7), a, "seeded: the same result");
    }
}
