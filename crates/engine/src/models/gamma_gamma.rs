//! The Gamma-Gamma model of spend (Fader & Hardie 2013): a customer's
//! transaction values are gamma(p, ν) around their own mean, and ν is
//! gamma(q, γ) across customers. Fitted on repeat buyers from the number of
//! repeat transactions x and their mean value; it assumes spend does not
//! depend on how often a customer buys, which is checked and reported.

use serde::{Deserialize, Serialize};

use super::fit::{fit_positive, systematic_sample, FitError, Fitted, SAMPLE_CUSTOMERS};
use super::special::{digamma, ln_gamma};

/// Gamma-Gamma parameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GammaGamma {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
}

/// Repeat buyers' (x, mean repeat value) pairs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spend {
    pub x: Vec<f64>,
    pub mean_value: Vec<f64>,
}

impl Spend {
    /// Pearson correlation of x and the mean value: near 0 is what the model
    /// assumes.
    pub fn correlation(&self) -> Option<f64> {
        let n = self.x.len() as f64;
        if self.x.len() < 3 {
            return None;
        }
        let mx = self.x.iter().sum::<f64>() / n;
        let mv = self.mean_value.iter().sum::<f64>() / n;
        let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
        for (x, v) in self.x.iter().zip(&self.mean_value) {
            sxy += (x - mx) * (v - mv);
            sxx += (x - mx) * (x - mx);
            syy += (v - mv) * (v - mv);
        }
        let r = sxy / (sxx * syy).sqrt();
        r.is_finite().then_some(r)
    }
}

impl GammaGamma {
    /// Fits the model to repeat buyers with a positive mean value.
    pub fn fit(spend: &Spend, penalizer: f64) -> Result<Fitted<GammaGamma>, FitError> {
        let usable = grouped(spend);
        if usable.is_empty() {
            return Err(FitError::NoRepeatPurchases);
        }
        let n: f64 = usable.iter().map(|g| g.2).sum();
        let mean = usable.iter().map(|(_, m, w)| m * w).sum::<f64>() / n;
        let (low, high) = usable
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), (_, m, _)| {
                (lo.min(*m), hi.max(*m))
            });
        // Every order of the same value: no spread for the model to learn
        // (its likelihood keeps rising towards p → ∞).
        if high - low <= 1e-9 * mean {
            return Err(FitError::NoSpendVariation(mean));
        }
        let starts = [
            [1.0, 1.0, mean],
            [5.0, 3.0, mean * 2.0],
            [2.0, 5.0, mean / 2.0],
        ];
        // A large store: first the fit on a sample of its repeat buyers,
        // whose minimum and curvature put the full fit a few steps away.
        let weights: Vec<f64> = usable.iter().map(|g| g.2).collect();
        let hint = systematic_sample(&weights, SAMPLE_CUSTOMERS).and_then(|drawn| {
            let sample: Vec<(f64, f64, f64)> = drawn
                .iter()
                .map(|&(i, w)| (usable[i].0, usable[i].1, w))
                .collect();
            let sample = Rows::of(&sample);
            let fitted = fit_positive(
                |params, gradient| negative_log_likelihood(&sample, params, gradient),
                &starts,
                penalizer,
                None,
            )
            .ok()?;
            let p = &fitted.params;
            Some(fitted.start([p[0], p[1], p[2]]))
        });
        let rows = Rows::of(&usable);
        let fitted = fit_positive(
            |params, gradient| negative_log_likelihood(&rows, params, gradient),
            &starts,
            penalizer,
            hint,
        )?;
        Ok(fitted.map(|p| GammaGamma {
            p: p[0],
            q: p[1],
            gamma: p[2],
        }))
    }

    /// Total log-likelihood of the repeat buyers in `spend`.
    pub fn log_likelihood(&self, spend: &Spend) -> f64 {
        let rows = Rows::of(&grouped(spend));
        -negative_log_likelihood(&rows, &[self.p, self.q, self.gamma], &mut [0.0; 3]) * rows.n
    }

    /// Expected value of a customer's transactions given x repeat
    /// transactions of mean value m̄; for customers without repeat purchases
    /// the population mean. `None` when q ≤ 1 (the mean does not exist).
    pub fn expected_value(&self, x: f64, mean_value: f64) -> Option<f64> {
        let GammaGamma { p, q, gamma } = *self;
        if q <= 1.0 {
            return None;
        }
        let value = if x > 0.0 {
            p * (gamma + x * mean_value) / (p * x + q - 1.0)
        } else {
            p * gamma / (q - 1.0)
        };
        value.is_finite().then_some(value)
    }
}

/// Repeat buyers with a positive mean value, as distinct (x, m̄) with counts
/// (stores with round prices repeat them a lot).
fn grouped(spend: &Spend) -> Vec<(f64, f64, f64)> {
    let mut index: rustc_hash::FxHashMap<(u64, u64), usize> = rustc_hash::FxHashMap::default();
    let mut out: Vec<(f64, f64, f64)> = Vec::new();
    for (&x, &m) in spend.x.iter().zip(&spend.mean_value) {
        if !(x > 0.0 && m > 0.0 && m.is_finite()) {
            continue;
        }
        match index.get(&(x.to_bits(), m.to_bits())) {
            Some(&i) => out[i].2 += 1.0,
            None => {
                index.insert((x.to_bits(), m.to_bits()), out.len());
                out.push((x, m, 1.0));
            }
        }
    }
    out
}

/// Grouped repeat buyers ready for the likelihood: ln m̄ once, and x as a
/// position among its few distinct values, so that an evaluation takes the
/// gamma and digamma functions of p·x once per distinct x rather than once
/// per customer (one logarithm per customer remains).
struct Rows {
    at: Vec<u32>,
    m: Vec<f64>,
    ln_m: Vec<f64>,
    w: Vec<f64>,
    /// The distinct x.
    xs: Vec<f64>,
    n: f64,
}

impl Rows {
    fn of(data: &[(f64, f64, f64)]) -> Rows {
        let mut index: rustc_hash::FxHashMap<u64, u32> = rustc_hash::FxHashMap::default();
        let mut xs = Vec::new();
        let at = data
            .iter()
            .map(|&(x, _, _)| {
                *index.entry(x.to_bits()).or_insert_with(|| {
                    xs.push(x);
                    xs.len() as u32 - 1
                })
            })
            .collect();
        Rows {
            at,
            m: data.iter().map(|g| g.1).collect(),
            ln_m: data.iter().map(|g| g.1.ln()).collect(),
            w: data.iter().map(|g| g.2).collect(),
            n: data.iter().map(|g| g.2).sum(),
            xs,
        }
    }
}

/// Mean negative log-likelihood and its gradient in (p, q, γ).
fn negative_log_likelihood(data: &Rows, params: &[f64], gradient: &mut [f64]) -> f64 {
    let (p, q, gamma) = (params[0], params[1], params[2]);
    let (ln_gamma_q, psi_q, ln_g) = (ln_gamma(q), digamma(q), gamma.ln());
    // Per distinct x: ln Γ(px + q) − ln Γ(px), ψ(px + q), ψ(px + q) − ψ(px) + ln x, ln x.
    let per_x: Vec<[f64; 4]> = data
        .xs
        .iter()
        .map(|&x| {
            let px = p * x;
            let psi_pxq = digamma(px + q);
            [
                ln_gamma(px + q) - ln_gamma(px),
                psi_pxq,
                psi_pxq - digamma(px) + x.ln(),
                x.ln(),
            ]
        })
        .collect();
    let mut total = 0.0;
    let mut g = [0.0f64; 3];
    for i in 0..data.m.len() {
        let (m, ln_m, w) = (data.m[i], data.ln_m[i], data.w[i]);
        let k = data.at[i] as usize;
        let x = data.xs[k];
        let [gammas, psi_pxq, d_p, ln_x] = per_x[k];
        let (px, denominator) = (p * x, gamma + x * m);
        let ln_den = denominator.ln();
        total += w
            * (gammas - ln_gamma_q + q * ln_g + (px - 1.0) * ln_m + px * ln_x - (px + q) * ln_den);
        g[0] += w * x * (d_p + ln_m - ln_den);
        g[1] += w * (psi_pxq - psi_q + ln_g - ln_den);
        g[2] += w * (q / gamma - (px + q) / denominator);
    }
    for k in 0..3 {
        gradient[k] = -g[k] / data.n;
    }
    -total / data.n
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLISHED: GammaGamma = GammaGamma {
        p: 6.248804,
        q: 3.744588,
        gamma: 15.447741,
    };

    #[test]
    fn published_conditional_spend_is_reproduced() {
        // Customers 1, 2 and 6 of the CDNOW summary (x, zbar) and the
        // published E[M | x, zbar] (models.md).
        for (x, zbar, want) in [(2.0, 22.35, 24.65), (1.0, 11.77, 18.91), (0.0, 0.0, 35.17)] {
            let got = PUBLISHED.expected_value(x, zbar).expect("q > 1");
            assert!((got - want).abs() < 0.01, "x = {x}: {got} vs {want}");
        }
    }

    #[test]
    fn the_gradient_is_the_derivative_of_the_likelihood() {
        let data = [(1.0, 12.0, 1.0), (3.0, 30.5, 2.0), (7.0, 18.0, 1.0)];
        let p = [4.0, 3.0, 14.0];
        let data = Rows::of(&data);
        crate::models::fit::assert_gradient(|q, g| negative_log_likelihood(&data, q, g), p);
    }

    #[test]
    fn without_repeat_buyers_there_is_nothing_to_fit() {
        let spend = Spend {
            x: vec![0.0, 0.0],
            mean_value: vec![0.0, 0.0],
        };
        assert!(matches!(
            GammaGamma::fit(&spend, 0.0),
            Err(FitError::NoRepeatPurchases)
        ));
        assert_eq!(spend.correlation(), None);
    }

    #[test]
    fn one_price_for_everything_is_reported_not_chased() {
        let spend = Spend {
            x: vec![1.0, 2.0, 5.0],
            mean_value: vec![25.0; 3],
        };
        let error = GammaGamma::fit(&spend, 0.0).expect_err("no spread");
        assert_eq!(error, FitError::NoSpendVariation(25.0));
        assert!(error.to_string().contains("25.00"), "{error}");
    }
}
