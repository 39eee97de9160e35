//! Hamerly's k-means (2010): the same assignments and centres as Lloyd's
//! iterations, with most distance computations skipped. Each row keeps an
//! upper bound on the distance to its own centre and a lower bound on the
//! distance to any other; while the upper bound stays below both the lower
//! bound and half the gap to the nearest other centre, the row cannot
//! change cluster and costs nothing. After the first few iterations nearly
//! every row is settled, so a refit of millions of customers from good
//! centres takes a few full passes instead of dozens.

use ndarray::{Array2, ArrayView2};

use super::kmeans::{squared_distance_slices, KMeans, MAX_ITERATIONS};

/// The nearest and second-nearest centre of `row` (index, squared
/// distances), ties to the lower index as in Lloyd's step.
fn two_nearest(row: &[f64], centres: &[f64], d: usize) -> (usize, f64, f64) {
    let (mut best, mut first, mut second) = (0, f64::INFINITY, f64::INFINITY);
    for (c, centre) in centres.chunks_exact(d).enumerate() {
        let dist = squared_distance_slices(row, centre);
        if dist < first {
            second = first;
            first = dist;
            best = c;
        } else if dist < second {
            second = dist;
        }
    }
    (best, first, second)
}

/// Means of the rows per label; an empty cluster keeps its centre.
fn means(x: &[f64], d: usize, labels: &[u16], centres: &mut [f64]) {
    let k = centres.len() / d;
    let mut sums = vec![0.0; k * d];
    let mut counts = vec![0usize; k];
    for (row, &label) in x.chunks_exact(d).zip(labels) {
        let l = label as usize;
        counts[l] += 1;
        for (s, v) in sums[l * d..(l + 1) * d].iter_mut().zip(row) {
            *s += v;
        }
    }
    for c in 0..k {
        if counts[c] > 0 {
            for j in 0..d {
                centres[c * d + j] = sums[c * d + j] / counts[c] as f64;
            }
        }
    }
}

/// k-means from `centres` until no label changes: Lloyd's result, computed
/// with Hamerly's bounds.
pub fn hamerly(data: ArrayView2<'_, f64>, centres: Array2<f64>) -> KMeans {
    hamerly_until(data, centres, 0.0)
}

/// [`hamerly`], also stopping once the centres together move less than
/// `tolerance` (sum of squared moves) in an iteration, as scikit-learn's
/// `tol` does; the labels are then assigned once more to the last centres.
/// The last few iterations to a fixed point move a handful of borderline
/// rows and change nothing a merchant sees, so trying many k stops early.
pub fn hamerly_until(data: ArrayView2<'_, f64>, centres: Array2<f64>, tolerance: f64) -> KMeans {
    let data = data.as_standard_layout();
    let (n, d) = data.dim();
    let k = centres.nrows();
    let x = data.as_slice().expect("standard layout");
    let mut c: Vec<f64> = centres.iter().copied().collect();
    let mut labels = vec![0u16; n];
    let mut upper = vec![0.0f64; n];
    let mut lower = vec![0.0f64; n];
    for (i, row) in x.chunks_exact(d).enumerate() {
        let (best, first, second) = two_nearest(row, &c, d);
        labels[i] = best as u16;
        upper[i] = first.sqrt();
        lower[i] = second.sqrt();
    }
    let mut iterations = 1;
    let mut old = c.clone();
    let mut moved = vec![0.0f64; k];
    let mut half_gap = vec![0.0f64; k];
    loop {
        old.copy_from_slice(&c);
        means(x, d, &labels, &mut c);
        if iterations >= MAX_ITERATIONS {
            break;
        }
        iterations += 1;
        for (j, m) in moved.iter_mut().enumerate() {
            *m = squared_distance_slices(&old[j * d..(j + 1) * d], &c[j * d..(j + 1) * d]).sqrt();
        }
        let settled = tolerance > 0.0 && moved.iter().map(|m| m * m).sum::<f64>() <= tolerance;
        // The two largest moves: a row's lower bound drops by the largest
        // move of a centre other than its own.
        let (mut top, mut top_at, mut runner) = (0.0, usize::MAX, 0.0);
        for (j, &m) in moved.iter().enumerate() {
            if m > top {
                runner = top;
                top = m;
                top_at = j;
            } else if m > runner {
                runner = m;
            }
        }
        for (j, gap) in half_gap.iter_mut().enumerate() {
            let centre = &c[j * d..(j + 1) * d];
            *gap = (0..k)
                .filter(|&o| o != j)
                .map(|o| squared_distance_slices(centre, &c[o * d..(o + 1) * d]))
                .fold(f64::INFINITY, f64::min)
                .sqrt()
                / 2.0;
        }
        let mut changed = false;
        for (i, row) in x.chunks_exact(d).enumerate() {
            let a = labels[i] as usize;
            upper[i] += moved[a];
            lower[i] -= if a == top_at { runner } else { top };
            let bound = half_gap[a].max(lower[i]);
            if upper[i] <= bound {
                continue;
            }
            upper[i] = squared_distance_slices(row, &c[a * d..(a + 1) * d]).sqrt();
            if upper[i] <= bound {
                continue;
            }
            let (best, first, second) = two_nearest(row, &c, d);
            if best != a {
                labels[i] = best as u16;
                changed = true;
            }
            upper[i] = first.sqrt();
            lower[i] = second.sqrt();
        }
        if !changed || settled {
            break;
        }
    }
    let inertia = x
        .chunks_exact(d)
        .zip(&labels)
        .map(|(row, &l)| squared_distance_slices(row, &c[l as usize * d..(l as usize + 1) * d]))
        .sum();
    KMeans {
        centres: Array2::from_shape_vec((k, d), c).expect("k × d centres"),
        labels,
        inertia,
        iterations,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::cluster::kmeans::{kmeans_plus_plus, lloyd};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, Normal};

    /// `n` rows around `groups` centres spread by `spread`, unit noise.
    pub(crate) fn blobs(n: usize, d: usize, groups: usize, spread: f64, seed: u64) -> Array2<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let noise = Normal::new(0.0, 1.0).expect("valid");
        let centres = Array2::from_shape_fn((groups, d), |_| noise.sample(&mut rng) * spread);
        Array2::from_shape_fn((n, d), |(i, j)| {
            centres[[i % groups, j]] + noise.sample(&mut rng)
        })
    }

    #[test]
    fn gives_lloyds_labels_centres_and_inertia() {
        // Well separated, overlapping and structureless data, several k.
        for (seed, spread, k) in [(1, 4.0, 5), (2, 1.0, 8), (3, 0.0, 3), (4, 2.0, 12)] {
            let data = blobs(3000, 6, 5, spread, seed);
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let start = kmeans_plus_plus(data.view(), k, &mut rng);
            let slow = lloyd(data.view(), start.clone());
            let fast = hamerly(data.view(), start);
            assert_eq!(fast.labels, slow.labels, "seed {seed}");
            assert_eq!(fast.iterations, slow.iterations, "seed {seed}");
            assert!((fast.inertia - slow.inertia).abs() <= 1e-9 * slow.inertia);
            for (a, b) in fast.centres.iter().zip(slow.centres.iter()) {
                assert!((a - b).abs() <= 1e-9, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn one_centre_and_duplicate_rows_are_handled() {
        let data = Array2::from_shape_fn((50, 2), |(i, _)| (i / 25) as f64);
        let one = hamerly(data.view(), Array2::zeros((1, 2)));
        assert!(one.labels.iter().all(|&l| l == 0));
        assert!((one.centres[[0, 0]] - 0.5).abs() < 1e-12);
        // Two identical starting centres: one stays empty, nothing breaks.
        let two = hamerly(data.view(), Array2::zeros((2, 2)));
        assert_eq!(two.labels, lloyd(data.view(), Array2::zeros((2, 2))).labels);
    }
}
