//! The MBG/NBD model (Batislam, Denizel & Filiztekin 2007): BG/NBD with one
//! change, that a customer may also drop out right after the first
//! purchase. So a one-time buyer who has not been back for long is likely
//! gone, where BG/NBD keeps every one-time buyer alive; stores with many
//! one-time buyers are described better.

use serde::{Deserialize, Serialize};

use super::bgnbd::expected_over;
use super::fit::{fit_positive, repeat_start, FitError, Fitted};
use super::history::{Grouped, Indexed};
use super::special::{digamma, ln_gamma};

/// MBG/NBD parameters (same meaning as BG/NBD's).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MbgNbd {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

impl MbgNbd {
    /// Fits the model to `data` (see `BgNbd::fit`).
    pub fn fit(data: &Grouped, penalizer: f64) -> Result<Fitted<MbgNbd>, FitError> {
        Self::fit_near(data, penalizer, None)
    }

    /// Fits starting from `hint` (a fit of similar data) when it converges
    /// there; else as `fit`.
    pub fn fit_near(
        data: &Grouped,
        penalizer: f64,
        hint: Option<MbgNbd>,
    ) -> Result<Fitted<MbgNbd>, FitError> {
        let starts = data.repeat_model_starts()?;
        let indexed = Indexed::of(data);
        let hint = repeat_start(
            data,
            hint.map(|h| [h.r, h.alpha, h.a, h.b]),
            |sample| {
                let fitted = Self::fit_near(sample, penalizer, None).ok()?;
                Some(fitted.map(|m| [m.r, m.alpha, m.a, m.b]))
            },
            negative_log_likelihood,
        );
        let fitted = fit_positive(
            |params, gradient| negative_log_likelihood(&indexed, params, gradient),
            &starts,
            penalizer,
            hint,
        )?;
        Ok(fitted.map(|p| MbgNbd {
            r: p[0],
            alpha: p[1],
            a: p[2],
            b: p[3],
        }))
    }

    /// Total log-likelihood of `data`.
    pub fn log_likelihood(&self, data: &Grouped) -> f64 {
        let params = [self.r, self.alpha, self.a, self.b];
        -negative_log_likelihood(&Indexed::of(data), &params, &mut [0.0; 4]) * data.customers()
    }

    /// Probability that a customer with history (x, t_x, T) is still active.
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let ln_odds = (self.a / (self.b + x)).ln()
            + (self.r + x) * ((self.alpha + t) / (self.alpha + t_x)).ln();
        1.0 / (1.0 + ln_odds.exp())
    }

    /// Expected purchases in the next `horizon` units.
    pub fn conditional_expected(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> Option<f64> {
        self.conditional_expected_many([horizon], x, t_x, t)[0]
    }

    /// [`Self::conditional_expected`] over several horizons at once.
    pub fn conditional_expected_many<const N: usize>(
        &self,
        horizons: [f64; N],
        x: f64,
        t_x: f64,
        t: f64,
    ) -> [Option<f64>; N] {
        let MbgNbd { r, alpha, a, b } = *self;
        let a = if (a - 1.0).abs() < 1e-9 {
            1.0 + 1e-9
        } else {
            a
        };
        let series = [r + x, b + x + 1.0, a + b + x];
        let factor = (a + b + x) / (a - 1.0) * self.p_alive(x, t_x, t);
        expected_over(horizons, r + x, alpha + t, series, factor)
    }

    /// Probability of no purchase in the next `horizon` units.
    pub fn p_no_purchase(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        let alive = self.p_alive(x, t_x, t);
        let none_while_alive = ((self.alpha + t) / (self.alpha + t + horizon)).powf(self.r + x);
        (1.0 - alive) + alive * none_while_alive
    }
}

/// The terms that depend on x only, computed once per distinct x.
struct PerX {
    a1_x: f64,
    psi_rx: f64,
    a2_x: f64,
    psi_abx1: f64,
    psi_bx1: f64,
}

/// Mean negative log-likelihood per customer and its gradient in
/// (r, α, a, b); the form of the `lifetimes` implementation.
fn negative_log_likelihood(data: &Indexed, params: &[f64], gradient: &mut [f64]) -> f64 {
    let (r, alpha, a, b) = (params[0], params[1], params[2], params[3]);
    let (ln_times, inv_times) = data.logs(alpha);
    let (psi_r, psi_b, psi_ab) = (digamma(r), digamma(b), digamma(a + b));
    let (ln_gamma_r, ln_gamma_b, ln_gamma_ab) = (ln_gamma(r), ln_gamma(b), ln_gamma(a + b));
    let (ln_alpha, ln_a) = (alpha.ln(), a.ln());
    let mut per_x: Vec<Option<PerX>> = (0..=data.max_x).map(|_| None).collect();
    let mut total = 0.0;
    let mut g = [0.0f64; 4];
    for i in 0..data.x.len() {
        let (x, w) = (data.x[i], data.weight[i]);
        let (at, atx) = (data.t_at[i] as usize, data.t_x_at[i] as usize);
        let terms = per_x[x as usize].get_or_insert_with(|| PerX {
            a1_x: ln_gamma(r + x) - ln_gamma_r,
            psi_rx: digamma(r + x),
            a2_x: ln_gamma_ab + ln_gamma(b + x + 1.0) - ln_gamma_b - ln_gamma(a + b + x + 1.0),
            psi_abx1: digamma(a + b + x + 1.0),
            psi_bx1: digamma(b + x + 1.0),
        });
        let (ln_at, ln_atx) = (ln_times[at], ln_times[atx]);
        let (inv_at, inv_atx) = (inv_times[at], inv_times[atx]);
        let a1 = terms.a1_x + r * ln_alpha;
        let a3 = -(r + x) * ln_at;
        let a4 = ln_a - (b + x).ln() + (r + x) * (ln_at - ln_atx);
        // ln(1 + e^a4), and its derivative σ(a4), without overflow.
        let (softplus, sigma) = if a4 > 0.0 {
            (a4 + (-a4).exp().ln_1p(), 1.0 / (1.0 + (-a4).exp()))
        } else {
            (a4.exp().ln_1p(), a4.exp() / (1.0 + a4.exp()))
        };
        total += w * (a1 + terms.a2_x + a3 + softplus);
        let d = [
            terms.psi_rx - psi_r + ln_alpha - ln_at + sigma * (ln_at - ln_atx),
            r / alpha - (r + x) * inv_at + sigma * (r + x) * (inv_at - inv_atx),
            psi_ab - terms.psi_abx1 + sigma / a,
            psi_ab + terms.psi_bx1 - psi_b - terms.psi_abx1 - sigma / (b + x),
        ];
        for k in 0..4 {
            g[k] += w * d[k];
        }
    }
    let n = data.customers;
    for k in 0..4 {
        gradient[k] = -g[k] / n;
    }
    -total / n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gradient_is_the_derivative_of_the_likelihood() {
        let data = Grouped {
            x: vec![0.0, 1.0, 4.0, 2.0],
            t_x: vec![0.0, 3.0, 20.0, 9.5],
            t: vec![30.0, 25.0, 22.0, 38.0],
            weight: vec![5.0, 2.0, 1.0, 3.0],
        };
        let data = Indexed::of(&data);
        let p = [0.4, 3.0, 0.9, 2.2];
        crate::models::fit::assert_gradient(|q, g| negative_log_likelihood(&data, q, g), p);
    }

    #[test]
    fn the_published_cdnow_fit_is_reproduced() {
        let histories = crate::models::cdnow_tests::summary();
        let m = MbgNbd::fit(&Grouped::of(&histories), 0.0)
            .expect("fits")
            .params;
        // Published to 3 decimals (models.md).
        for (got, want) in [(m.r, 0.525), (m.alpha, 6.183), (m.a, 0.891), (m.b, 1.614)] {
            assert!((got - want).abs() < 1e-3 * want.max(1.0), "{m:?}");
        }
        // One-time buyers can be gone; long-absent ones likely are.
        assert!(m.p_alive(0.0, 0.0, 38.0) < 1.0);
        assert!(m.p_alive(0.0, 0.0, 38.0) < m.p_alive(0.0, 0.0, 2.0));
        let e = m
            .conditional_expected(39.0, 2.0, 30.43, 38.86)
            .expect("settles");
        assert!(e > 0.5 && e < 2.0, "{e}");
    }
}
