//! How well a clustering separates the customers: silhouette (on a sample,
//! higher is better, −1..1), Davies–Bouldin (lower is better) and
//! Calinski–Harabasz (higher is better).

use ndarray::{ArrayView1, ArrayView2};

use super::kmeans::{mean, sizes};

/// Points the silhouette looks at: it costs n² distances.
pub const SILHOUETTE_SAMPLE: usize = 2000;

fn distance(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// Up to `size` of `n` row numbers, drawn at random with a fixed seed
/// (deterministic), in order. Evenly spaced rows would be cheaper but can
/// line up with a pattern in the file's order.
pub fn sample_rows(n: usize, size: usize) -> Vec<usize> {
    if n <= size {
        return (0..n).collect();
    }
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x5eed);
    let mut rows: Vec<usize> = (0..n).collect();
    // A partial Fisher–Yates shuffle: the first `size` places are a sample.
    for i in 0..size {
        let j = rng.random_range(i..n);
        rows.swap(i, j);
    }
    let mut chosen = rows[..size].to_vec();
    chosen.sort_unstable();
    chosen
}

/// Mean silhouette over a sample of at most `SILHOUETTE_SAMPLE` points
/// (deterministic). `None` for one cluster.
pub fn silhouette(data: ArrayView2<'_, f64>, labels: &[u16], k: usize) -> Option<f64> {
    SampleDistances::of(data).silhouette(labels, k)
}

/// The distances between every two points of the silhouette's sample,
/// computed once: choosing k scores a dozen labellings of the same points,
/// and the distances, not the sums, are what cost.
pub struct SampleDistances {
    /// The sampled row numbers, in order.
    rows: Vec<usize>,
    /// Row `a`'s distances to the rows after it, row after row (the upper
    /// triangle without the diagonal).
    upper: Vec<f64>,
}

impl SampleDistances {
    pub fn of(data: ArrayView2<'_, f64>) -> SampleDistances {
        let rows = sample_rows(data.nrows(), SILHOUETTE_SAMPLE);
        let m = rows.len();
        let mut upper = Vec::with_capacity(m * m.saturating_sub(1) / 2);
        for (a, &i) in rows.iter().enumerate() {
            for &j in &rows[a + 1..] {
                upper.push(distance(data.row(i), data.row(j)));
            }
        }
        SampleDistances { rows, upper }
    }

    /// Mean silhouette of the sample under `labels` (of all rows).
    pub fn silhouette(&self, labels: &[u16], k: usize) -> Option<f64> {
        let m = self.rows.len();
        if k < 2 || m < 2 {
            return None;
        }
        let label = |a: usize| labels[self.rows[a]] as usize;
        // Each point's summed distance to every cluster, from one pass over
        // the triangle in storage order (reading it by columns missed the
        // cache on every step). Point `a` still receives its distances in
        // sample order (rows `b < a` are passed before its own row), so
        // the sums are those of a plain double loop, to the last bit.
        let mut sums = vec![0.0; m * k];
        let mut size = vec![0usize; k];
        let mut at = 0;
        for a in 0..m {
            let own = label(a);
            size[own] += 1;
            for b in a + 1..m {
                let d = self.upper[at];
                at += 1;
                sums[a * k + label(b)] += d;
                sums[b * k + own] += d;
            }
        }
        let mut total = 0.0;
        let mut counted = 0usize;
        for a in 0..m {
            let sum = &sums[a * k..(a + 1) * k];
            let own = label(a);
            let count = |c: usize| size[c] - usize::from(c == own);
            if count(own) == 0 {
                continue; // a singleton in the sample: silhouette 0 by convention
            }
            let within = sum[own] / count(own) as f64;
            let nearest = (0..k)
                .filter(|&c| c != own && count(c) > 0)
                .map(|c| sum[c] / count(c) as f64)
                .fold(f64::INFINITY, f64::min);
            if nearest.is_finite() {
                total += (nearest - within) / within.max(nearest).max(1e-12);
                counted += 1;
            }
        }
        (counted > 0).then(|| total / counted as f64)
    }
}

/// Davies–Bouldin index: the mean over clusters of the worst ratio of
/// within-cluster scatter to between-centre distance.
pub fn davies_bouldin(
    data: ArrayView2<'_, f64>,
    labels: &[u16],
    centres: ArrayView2<'_, f64>,
) -> Option<f64> {
    let k = centres.nrows();
    let size = sizes(labels, k);
    let mut scatter = vec![0.0; k];
    for (i, &l) in labels.iter().enumerate() {
        scatter[l as usize] += distance(data.row(i), centres.row(l as usize));
    }
    let live: Vec<usize> = (0..k).filter(|&c| size[c] > 0).collect();
    if live.len() < 2 {
        return None;
    }
    for &c in &live {
        scatter[c] /= size[c] as f64;
    }
    let total: f64 = live
        .iter()
        .map(|&a| {
            live.iter()
                .filter(|&&b| b != a)
                .map(|&b| {
                    (scatter[a] + scatter[b]) / distance(centres.row(a), centres.row(b)).max(1e-12)
                })
                .fold(0.0, f64::max)
        })
        .sum();
    Some(total / live.len() as f64)
}

/// Calinski–Harabasz index: between-cluster over within-cluster dispersion,
/// each per degree of freedom.
pub fn calinski_harabasz(
    data: ArrayView2<'_, f64>,
    labels: &[u16],
    centres: ArrayView2<'_, f64>,
) -> Option<f64> {
    let (n, k) = (data.nrows(), centres.nrows());
    if k < 2 || n <= k {
        return None;
    }
    let overall = mean(data);
    let size = sizes(labels, k);
    let between: f64 = (0..k)
        .map(|c| {
            size[c] as f64
                * centres
                    .row(c)
                    .iter()
                    .zip(&overall)
                    .map(|(x, m)| (x - m) * (x - m))
                    .sum::<f64>()
        })
        .sum();
    let within: f64 = labels
        .iter()
        .enumerate()
        .map(|(i, &l)| distance(data.row(i), centres.row(l as usize)).powi(2))
        .sum();
    (within > 0.0).then(|| (between / (k - 1) as f64) / (within / (n - k) as f64))
}

/// Adjusted Rand index of two labelings of the same rows: 1 when they
/// group the rows identically (whatever the numbers), about 0 when they
/// agree no more than chance would.
pub fn adjusted_rand(a: &[u16], b: &[u16]) -> f64 {
    let ka = a.iter().copied().max().map_or(0, |m| m as usize + 1);
    let kb = b.iter().copied().max().map_or(0, |m| m as usize + 1);
    let mut table = vec![0f64; ka * kb];
    for (&x, &y) in a.iter().zip(b) {
        table[x as usize * kb + y as usize] += 1.0;
    }
    let pairs = |n: f64| n * (n - 1.0) / 2.0;
    let sum_cells: f64 = table.iter().map(|&n| pairs(n)).sum();
    let sum_rows: f64 = table.chunks(kb.max(1)).map(|r| pairs(r.iter().sum())).sum();
    let sum_cols: f64 = (0..kb)
        .map(|j| pairs((0..ka).map(|i| table[i * kb + j]).sum()))
        .sum();
    let total = pairs(a.len().min(b.len()) as f64);
    if total <= 0.0 {
        return 1.0;
    }
    let expected = sum_rows * sum_cols / total;
    let max = (sum_rows + sum_cols) / 2.0;
    if (max - expected).abs() < 1e-12 {
        // Both put everything in one group (or each row alone).
        return 1.0;
    }
    (sum_cells - expected) / (max - expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn well_separated_groups_score_well() {
        let data = Array2::from_shape_fn((60, 2), |(i, j)| {
            let base = (i / 20) as f64 * 10.0;
            base + (i % 4) as f64 * 0.1 + j as f64 * 0.01
        });
        let labels: Vec<u16> = (0..60).map(|i| (i / 20) as u16).collect();
        let centres =
            Array2::from_shape_fn((3, 2), |(c, j)| c as f64 * 10.0 + 0.15 + j as f64 * 0.01);
        assert!(silhouette(data.view(), &labels, 3).expect("3 clusters") > 0.9);
        assert!(davies_bouldin(data.view(), &labels, centres.view()).expect("3") < 0.1);
        assert!(calinski_harabasz(data.view(), &labels, centres.view()).expect("3") > 1000.0);
        // A random split scores badly.
        let mixed: Vec<u16> = (0..60).map(|i| (i % 3) as u16).collect();
        assert!(silhouette(data.view(), &mixed, 3).expect("3") < 0.1);
    }

    /// The silhouette as its definition reads (Rousseeuw 1987): for each
    /// sampled point, mean distances by a double loop in sample order.
    fn plain_silhouette(data: ArrayView2<'_, f64>, labels: &[u16], k: usize) -> Option<f64> {
        let rows = sample_rows(data.nrows(), SILHOUETTE_SAMPLE);
        let (mut total, mut counted) = (0.0, 0usize);
        for &i in &rows {
            let (mut sum, mut count) = (vec![0.0; k], vec![0usize; k]);
            for &j in rows.iter().filter(|&&j| j != i) {
                sum[labels[j] as usize] += distance(data.row(i), data.row(j));
                count[labels[j] as usize] += 1;
            }
            let own = labels[i] as usize;
            if count[own] == 0 {
                continue;
            }
            let within = sum[own] / count[own] as f64;
            let nearest = (0..k)
                .filter(|&c| c != own && count[c] > 0)
                .map(|c| sum[c] / count[c] as f64)
                .fold(f64::INFINITY, f64::min);
            if nearest.is_finite() {
                total += (nearest - within) / within.max(nearest).max(1e-12);
                counted += 1;
            }
        }
        (counted > 0).then(|| total / counted as f64)
    }

    proptest::proptest! {
        #[test]
        fn the_silhouette_is_the_plain_double_loop_to_the_bit(
            n in 2usize..80,
            k in 2usize..6,
            seed in 0u64..1000,
        ) {
            use rand::{Rng, SeedableRng};
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let data = Array2::from_shape_fn((n, 3), |_| rng.random::<f64>() * 10.0);
            // Some clusters empty or single, as real labellings can be.
            let labels: Vec<u16> = (0..n).map(|_| rng.random_range(0..k as u16)).collect();
            let fast = silhouette(data.view(), &labels, k);
            let plain = plain_silhouette(data.view(), &labels, k);
            proptest::prop_assert_eq!(fast.map(f64::to_bits), plain.map(f64::to_bits));
        }
    }
}
