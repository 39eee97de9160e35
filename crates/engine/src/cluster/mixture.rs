//! Soft membership: a Gaussian mixture with one component per k-means
//! cluster (diagonal covariances), started from the clusters and improved
//! by expectation–maximisation. A customer's probability for their own
//! cluster says whether they clearly belong or sit on a border, which hard
//! k-means labels cannot say. The updates follow scikit-learn's
//! `GaussianMixture(covariance_type="diag")`, and agree with it (tested);
//! the analysis pools the variances across components (see [`Spread`]).

use ndarray::{Array2, ArrayView2};

/// Added to every variance, as scikit-learn's `reg_covar`: keeps a
/// component on identical rows from collapsing to zero width.
pub const REG_COVAR: f64 = 1e-6;

/// How the components' spreads are modelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spread {
    /// Each component its own variance per feature (scikit-learn's
    /// `"diag"`).
    Diagonal,
    /// One variance per feature shared by all components (pooled within
    /// clusters): no component can shrink to a spike on a feature its
    /// members happen to share, so soft membership stays comparable to
    /// k-means' hard one.
    SharedDiagonal,
}

/// A fitted mixture.
#[derive(Clone, Debug, PartialEq)]
pub struct Mixture {
    pub spread: Spread,
    pub weights: Vec<f64>,
    /// k × d.
    pub means: Array2<f64>,
    /// k × d.
    pub variances: Array2<f64>,
    pub iterations: usize,
    /// Mean log-likelihood per row at the end.
    pub log_likelihood: f64,
    /// Per component: ln weight − ½ (d ln 2π + ln det), kept so that scoring
    /// a million rows takes no logarithms.
    constants: Vec<f64>,
}

impl Mixture {
    /// The starting mixture of a hard clustering: each cluster's share,
    /// mean and per-feature variance.
    pub fn from_labels(
        data: ArrayView2<'_, f64>,
        labels: &[u16],
        k: usize,
        spread: Spread,
    ) -> Mixture {
        let d = data.ncols();
        let mut counts = vec![0.0f64; k];
        let mut means = Array2::<f64>::zeros((k, d));
        for (row, &l) in data.rows().into_iter().zip(labels) {
            counts[l as usize] += 1.0;
            let mut m = means.row_mut(l as usize);
            m += &row;
        }
        for (c, &count) in counts.iter().enumerate() {
            if count > 0.0 {
                means.row_mut(c).mapv_inplace(|v| v / count);
            }
        }
        let mut variances = Array2::<f64>::zeros((k, d));
        for (row, &l) in data.rows().into_iter().zip(labels) {
            for j in 0..d {
                let diff = row[j] - means[[l as usize, j]];
                variances[[l as usize, j]] += diff * diff;
            }
        }
        let n = labels.len().max(1) as f64;
        for j in 0..d {
            let pooled = (0..k).map(|c| variances[[c, j]]).sum::<f64>() / n;
            for c in 0..k {
                variances[[c, j]] = match spread {
                    Spread::Diagonal => variances[[c, j]] / counts[c].max(1.0),
                    Spread::SharedDiagonal => pooled,
                } + REG_COVAR;
            }
        }
        let mut mixture = Mixture {
            spread,
            weights: counts.iter().map(|c| c / n).collect(),
            means,
            variances,
            iterations: 0,
            log_likelihood: f64::NEG_INFINITY,
            constants: Vec::new(),
        };
        mixture.prepare();
        mixture
    }

    /// Recomputes the per-component constants after the parameters change.
    fn prepare(&mut self) {
        let d = self.means.ncols() as f64;
        let ln_2pi = (2.0 * std::f64::consts::PI).ln();
        self.constants = self
            .weights
            .iter()
            .zip(self.variances.rows())
            .map(|(&w, vars)| {
                if w > 0.0 {
                    w.ln() - 0.5 * (d * ln_2pi + vars.iter().map(|v| v.ln()).sum::<f64>())
                } else {
                    f64::NEG_INFINITY
                }
            })
            .collect();
    }

    /// Per-component log of weight × density at `row`.
    fn log_joint(&self, row: &[f64], out: &mut [f64]) {
        for (c, slot) in out.iter_mut().enumerate() {
            let s: f64 = row
                .iter()
                .zip(self.means.row(c))
                .zip(self.variances.row(c))
                .map(|((x, m), var)| (x - m) * (x - m) / var)
                .sum();
            *slot = self.constants[c] - 0.5 * s;
        }
    }

    /// Each component's probability for `row` (they sum to 1); returns the
    /// row's log-likelihood.
    pub fn responsibilities(&self, row: &[f64], out: &mut [f64]) -> f64 {
        self.log_joint(row, out);
        let top = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = out.iter().map(|v| (v - top).exp()).sum();
        let log_norm = top + total.ln();
        for v in out.iter_mut() {
            *v = (*v - log_norm).exp();
        }
        log_norm
    }

    /// Expectation–maximisation from `self` for at most `max_iterations`,
    /// stopping when the mean log-likelihood improves by less than `tol`
    /// (scikit-learn's rule; `tol = 0` runs every iteration).
    pub fn fit(mut self, data: ArrayView2<'_, f64>, max_iterations: usize, tol: f64) -> Mixture {
        let data = data.as_standard_layout();
        let (n, d) = data.dim();
        let k = self.weights.len();
        if n == 0 || k == 0 {
            return self;
        }
        let x = data.as_slice().expect("standard layout");
        let mut resp = vec![0.0f64; k];
        let mut previous = f64::NEG_INFINITY;
        for iteration in 1..=max_iterations {
            // E-step, accumulating what the M-step needs.
            let mut nk = vec![0.0f64; k];
            let mut sum_x = Array2::<f64>::zeros((k, d));
            let mut sum_x2 = Array2::<f64>::zeros((k, d));
            let mut log_likelihood = 0.0;
            for row in x.chunks_exact(d) {
                log_likelihood += self.responsibilities(row, &mut resp);
                for c in 0..k {
                    let r = resp[c];
                    if r == 0.0 {
                        continue;
                    }
                    nk[c] += r;
                    for j in 0..d {
                        sum_x[[c, j]] += r * row[j];
                        sum_x2[[c, j]] += r * row[j] * row[j];
                    }
                }
            }
            log_likelihood /= n as f64;
            // M-step.
            for c in 0..k {
                let weight = nk[c] + 10.0 * f64::EPSILON;
                self.weights[c] = weight / n as f64;
                for j in 0..d {
                    let mean = sum_x[[c, j]] / weight;
                    self.means[[c, j]] = mean;
                    let variance = sum_x2[[c, j]] / weight - mean * mean;
                    self.variances[[c, j]] = variance.max(0.0) + REG_COVAR;
                }
            }
            if self.spread == Spread::SharedDiagonal {
                // Pooled: Σ_c n_c · variance_c / n for each feature.
                for j in 0..d {
                    let pooled = (0..k)
                        .map(|c| nk[c] * (self.variances[[c, j]] - REG_COVAR))
                        .sum::<f64>()
                        / n as f64;
                    for c in 0..k {
                        self.variances[[c, j]] = pooled + REG_COVAR;
                    }
                }
            }
            let total: f64 = self.weights.iter().sum();
            for w in &mut self.weights {
                *w /= total;
            }
            self.prepare();
            self.iterations = iteration;
            self.log_likelihood = log_likelihood;
            if (log_likelihood - previous).abs() < tol {
                break;
            }
            previous = log_likelihood;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_clear_groups_and_a_border_row() {
        let mut rows: Vec<[f64; 2]> = (0..50).map(|i| [(i % 5) as f64 * 0.1, 0.0]).collect();
        rows.extend((0..50).map(|i| [10.0 + (i % 5) as f64 * 0.1, 0.0]));
        rows.push([5.2, 0.0]);
        let data = Array2::from_shape_fn((rows.len(), 2), |(i, j)| {
            rows[i][j] + j as f64 * (i % 3) as f64 * 0.01
        });
        let mut labels: Vec<u16> = (0..100).map(|i| u16::from(i >= 50)).collect();
        labels.push(1);
        let start = Mixture::from_labels(data.view(), &labels, 2, Spread::Diagonal);
        let fit = start.fit(data.view(), 100, 1e-8);
        let mut resp = [0.0; 2];
        fit.responsibilities(&[0.2, 0.0], &mut resp);
        assert!(resp[0] > 0.999, "{resp:?}");
        fit.responsibilities(&[10.2, 0.01], &mut resp);
        assert!(resp[1] > 0.999, "{resp:?}");
        assert!((resp.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(
            fit.weights.iter().all(|w| (w - 0.5).abs() < 0.02),
            "{:?}",
            fit.weights
        );
    }

    #[test]
    fn shared_spreads_pool_the_clusters_variances() {
        // Two groups with different spreads on x; y constant within each.
        let rows: Vec<[f64; 2]> = (0..40)
            .map(|i| {
                if i < 20 {
                    [(i % 4) as f64, 0.0]
                } else {
                    [100.0 + (i % 2) as f64 * 8.0, 5.0]
                }
            })
            .collect();
        let data = Array2::from_shape_fn((40, 2), |(i, j)| rows[i][j]);
        let labels: Vec<u16> = (0..40).map(|i| u16::from(i >= 20)).collect();
        let start = Mixture::from_labels(data.view(), &labels, 2, Spread::SharedDiagonal);
        // Within-group variances on x: 1.25 and 16; pooled (20·1.25 + 20·16) / 40.
        let pooled = (20.0 * 1.25 + 20.0 * 16.0) / 40.0 + REG_COVAR;
        assert!((start.variances[[0, 0]] - pooled).abs() < 1e-12);
        assert_eq!(start.variances[[0, 0]], start.variances[[1, 0]]);
        // y does not vary within groups: only the floor, shared.
        assert!((start.variances[[1, 1]] - REG_COVAR).abs() < 1e-15);
        let fit = start.fit(data.view(), 50, 1e-9);
        assert_eq!(fit.variances[[0, 0]], fit.variances[[1, 0]], "still shared");
        let mut resp = [0.0; 2];
        fit.responsibilities(&[2.0, 0.0], &mut resp);
        assert!(resp[0] > 0.999);
    }
}
