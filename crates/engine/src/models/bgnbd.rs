//! The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005): while
//! alive, a customer buys at a Poisson rate λ (gamma-distributed across
//! customers, shape r and rate α); after each purchase they drop out with
//! probability p (beta-distributed, a and b).
//!
//! Fitted by maximum likelihood on grouped histories, over the logarithms
//! of the parameters (so they stay positive) with the analytic gradient.

use serde::{Deserialize, Serialize};

use super::fit::{fit_positive, repeat_start, FitError, Fitted};
use super::history::{Grouped, Indexed};
use super::special::{digamma, hyp2f1, hyp2f1_many, ln_beta, ln_gamma};

/// BG/NBD parameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BgNbd {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

impl BgNbd {
    fn from_slice(p: &[f64]) -> BgNbd {
        BgNbd {
            r: p[0],
            alpha: p[1],
            a: p[2],
            b: p[3],
        }
    }

    /// Fits the model to `data`; `penalizer` adds λ·Σθ² to the mean negative
    /// log-likelihood (0 reproduces the published fits).
    pub fn fit(data: &Grouped, penalizer: f64) -> Result<Fitted<BgNbd>, FitError> {
        Self::fit_near(data, penalizer, None)
    }

    /// Fits starting from `hint` (a fit of similar data) when it converges
    /// there; else as `fit`.
    pub fn fit_near(
        data: &Grouped,
        penalizer: f64,
        hint: Option<BgNbd>,
    ) -> Result<Fitted<BgNbd>, FitError> {
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
        Ok(fitted.map(|p| BgNbd::from_slice(&p)))
    }

    /// Total log-likelihood of `data`.
    pub fn log_likelihood(&self, data: &Grouped) -> f64 {
        let params = [self.r, self.alpha, self.a, self.b];
        -negative_log_likelihood(&Indexed::of(data), &params, &mut [0.0; 4]) * data.customers()
    }

    /// Probability that a customer with history (x, t_x, T) is still active.
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        if x == 0.0 {
            return 1.0;
        }
        let ln_odds = (self.a / (self.b + x - 1.0)).ln()
            + (self.r + x) * ((self.alpha + t) / (self.alpha + t_x)).ln();
        1.0 / (1.0 + ln_odds.exp())
    }

    /// Expected purchases in the next `horizon` units by a customer with
    /// history (x, t_x, T). `None` when the hypergeometric series does not
    /// settle (an extreme horizon).
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
        let BgNbd { r, alpha, a, b } = *self;
        let a = nudge_from_one(a);
        let series = [r + x, b + x, a + b + x - 1.0];
        let factor = (a + b + x - 1.0) / (a - 1.0) * self.p_alive(x, t_x, t);
        expected_over(horizons, r + x, alpha + t, series, factor)
    }

    /// Expected purchases in `horizon` units by a new customer.
    pub fn unconditional_expected(&self, horizon: f64) -> Option<f64> {
        let BgNbd { r, alpha, a, b } = *self;
        let a = nudge_from_one(a);
        let f = hyp2f1(r, b, a + b - 1.0, horizon / (alpha + horizon))?;
        let value = (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + horizon)).powf(r) * f);
        value.is_finite().then_some(value)
    }

    /// Probability of no purchase in the next `horizon` units:
    /// P(dead) + P(alive) · E[e^(−λ·horizon) | history].
    pub fn p_no_purchase(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        let alive = self.p_alive(x, t_x, t);
        let none_while_alive = ((self.alpha + t) / (self.alpha + t + horizon)).powf(self.r + x);
        (1.0 - alive) + alive * none_while_alive
    }
}

/// Expected purchases over each horizon h in the form BG/NBD and MBG/NBD
/// share: factor · (1 − (ageα / (ageα + h))^shape · ₂F₁(series; h / (ageα + h))),
/// with ageα = α + T.
pub(super) fn expected_over<const N: usize>(
    horizons: [f64; N],
    shape: f64,
    age_alpha: f64,
    [a, b, c]: [f64; 3],
    factor: f64,
) -> [Option<f64>; N] {
    let horizons = horizons.map(|h| h.max(0.0));
    let values = hyp2f1_many(a, b, c, horizons.map(|h| h / (age_alpha + h)));
    let mut out = [None; N];
    for j in 0..N {
        out[j] = if horizons[j] == 0.0 {
            Some(0.0)
        } else {
            values[j].and_then(|f| {
                let power = (age_alpha / (age_alpha + horizons[j])).powf(shape);
                let value = factor * (1.0 - power * f);
                (value.is_finite() && value >= 0.0).then_some(value)
            })
        };
    }
    out
}

/// The conditional expectation divides by a − 1; a = 1 exactly is a
/// removable singularity, stepped around.
fn nudge_from_one(a: f64) -> f64 {
    if (a - 1.0).abs() < 1e-9 {
        1.0 + 1e-9
    } else {
        a
    }
}

/// The terms of the likelihood that depend on x but not on t_x or T,
/// computed once per distinct x (x takes few values; t_x and T many).
struct PerX {
    ln_gamma_rx: f64,
    psi_rx: f64,
    ln_beta_1: f64,
    psi_abx: f64,
    psi_bx: f64,
    /// For x > 0: ln B(a + 1, b + x − 1) and ψ(b + x − 1).
    ln_beta_2: f64,
    psi_bx1: f64,
}

/// Mean negative log-likelihood per customer, and its gradient with
/// respect to (r, α, a, b).
fn negative_log_likelihood(data: &Indexed, params: &[f64], gradient: &mut [f64]) -> f64 {
    let (r, alpha, a, b) = (params[0], params[1], params[2], params[3]);
    let (ln_times, inv_times) = data.logs(alpha);
    let ln_b_ab = ln_beta(a, b);
    let (psi_r, psi_a, psi_b, psi_ab) = (digamma(r), digamma(a), digamma(b), digamma(a + b));
    let psi_a1 = digamma(a + 1.0);
    let ln_alpha = alpha.ln();
    let ln_gamma_r = ln_gamma(r);
    let mut per_x: Vec<Option<PerX>> = (0..=data.max_x).map(|_| None).collect();
    let mut total = 0.0;
    let mut g = [0.0f64; 4];
    for i in 0..data.x.len() {
        let (x, w) = (data.x[i], data.weight[i]);
        let (at, atx) = (data.t_at[i] as usize, data.t_x_at[i] as usize);
        let terms = per_x[x as usize].get_or_insert_with(|| PerX {
            ln_gamma_rx: ln_gamma(r + x),
            psi_rx: digamma(r + x),
            ln_beta_1: ln_beta(a, b + x),
            psi_abx: digamma(a + b + x),
            psi_bx: digamma(b + x),
            ln_beta_2: if x > 0.0 {
                ln_beta(a + 1.0, b + x - 1.0)
            } else {
                0.0
            },
            psi_bx1: if x > 0.0 { digamma(b + x - 1.0) } else { 0.0 },
        });
        let ln_at = ln_times[at];
        let common = terms.ln_gamma_rx - ln_gamma_r + r * ln_alpha;
        let term1 = terms.ln_beta_1 - ln_b_ab - (r + x) * ln_at;
        let psi_abx = terms.psi_abx;
        // d term1 / d(r, α, a, b)
        let d1 = [
            -ln_at,
            -(r + x) * inv_times[at],
            psi_ab - psi_abx,
            terms.psi_bx - psi_abx - psi_b + psi_ab,
        ];
        let (ll, w1, w2, d2) = if x > 0.0 {
            let ln_atx = ln_times[atx];
            let term2 = terms.ln_beta_2 - ln_b_ab - (r + x) * ln_atx;
            // ln(e^term1 + e^term2) with one exponential: the smaller over
            // the larger is at most 1, and ln(1 + ratio) with ratio in
            // (0, 1] is accurate to the last bit of the sum as plain `ln`
            // (half the cost of `ln_1p`).
            let top = term1.max(term2);
            let ratio = (-(term1 - term2).abs()).exp();
            let one_plus = 1.0 + ratio;
            let share_of_top = 1.0 / one_plus;
            let (w1, w2) = if term1 >= term2 {
                (share_of_top, ratio * share_of_top)
            } else {
                (ratio * share_of_top, share_of_top)
            };
            let d2 = [
                -ln_atx,
                -(r + x) * inv_times[atx],
                psi_a1 - psi_abx - psi_a + psi_ab,
                terms.psi_bx1 - psi_abx - psi_b + psi_ab,
            ];
            (top + one_plus.ln(), w1, w2, d2)
        } else {
            (term1, 1.0, 0.0, [0.0; 4])
        };
        total += w * (common + ll);
        let d_common = [terms.psi_rx - psi_r + ln_alpha, r / alpha, 0.0, 0.0];
        for k in 0..4 {
            g[k] += w * (d_common[k] + w1 * d1[k] + w2 * d2[k]);
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
    use crate::models::history::History;

    /// The published CDNOW fit (models.md), exact to the digits given.
    const PUBLISHED: BgNbd = BgNbd {
        r: 0.242593,
        alpha: 4.413532,
        a: 0.792886,
        b: 2.425752,
    };

    fn close(got: f64, want: f64, relative: f64) -> bool {
        (got - want).abs() <= relative * want.abs()
    }

    #[test]
    fn published_predictions_are_reproduced_from_published_parameters() {
        let m = PUBLISHED;
        let e = m
            .conditional_expected(39.0, 2.0, 30.43, 38.86)
            .expect("settles");
        assert!(close(e, 1.226, 1e-3), "{e}");
        for (t, want) in [
            (1.0, 0.0532),
            (3.0, 0.1506),
            (32.0, 1.0437),
            (78.0, 1.8576),
            (52.0, 1.444),
        ] {
            let got = m.unconditional_expected(t).expect("settles");
            assert!(
                close(got, want, 2e-3),
                "E[X({t})] = {got}, published {want}"
            );
        }
        let e52 = m
            .conditional_expected(52.0, 26.0, 30.85714, 31.0)
            .expect("settles");
        assert!(close(e52, 25.75659, 1e-4), "{e52}");
        let alive = m.p_alive(26.0, 30.85714, 31.0);
        assert!(close(alive, 0.9688523, 1e-5), "{alive}");
        // Published: P(X(39) = 0) = 0.5737864 for a new customer (x = t_x = T = 0),
        // computed there from the rounded parameters (0.243, 4.414, ...).
        let none = m.p_no_purchase(39.0, 0.0, 0.0, 0.0);
        assert!(close(none, 0.5737864, 1e-3), "{none}");
        let rounded = BgNbd {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        };
        let none = rounded.p_no_purchase(39.0, 0.0, 0.0, 0.0);
        assert!(close(none, 0.5737864, 2e-5), "{none}");
    }

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
    fn prospects_of_one_purchase_are_alive_and_a_fit_needs_repeat_buying() {
        assert_eq!(PUBLISHED.p_alive(0.0, 0.0, 30.0), 1.0);
        let once = Grouped {
            x: vec![0.0],
            t_x: vec![0.0],
            t: vec![10.0],
            weight: vec![3.0],
        };
        assert!(matches!(
            BgNbd::fit(&once, 0.0),
            Err(FitError::NoRepeatPurchases)
        ));
        assert!(matches!(
            BgNbd::fit(&Grouped::default(), 0.0),
            Err(FitError::NoData)
        ));
    }

    /// One-off buyers with a few more orders dropped on them at random:
    /// no repeat-buying structure, and a likelihood whose best points run
    /// off along flat ridges (the end-to-end test's million-customer file).
    fn random_one_off_buyers(customers: usize, extra_orders: usize) -> Grouped {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let days = 730;
        let mut orders: Vec<Vec<u32>> = (0..customers)
            .map(|_| vec![rng.random_range(0..days)])
            .collect();
        for _ in 0..extra_orders {
            let customer = rng.random_range(0..customers);
            orders[customer].push(rng.random_range(0..days));
        }
        let histories: Vec<History> = orders
            .iter_mut()
            .map(|days_bought| {
                days_bought.sort_unstable();
                days_bought.dedup();
                let (first, last) = (days_bought[0], days_bought[days_bought.len() - 1]);
                History {
                    x: days_bought.len() as u32 - 1,
                    t_x: f64::from(last - first) / 7.0,
                    t: f64::from(days - first) / 7.0,
                    repeat_value: 0.0,
                    mean_value: 0.0,
                }
            })
            .collect();
        Grouped::of(&histories)
    }

    #[test]
    fn a_store_without_repeat_buying_structure_is_fitted_in_few_passes() {
        // Before BFGS gave up crawling along a ridge, this fit took 124,000
        // passes over the data, each step tens of line-search halvings
        // (on a million customers, minutes).
        let data = random_one_off_buyers(20_000, 4_000);
        let indexed = Indexed::of(&data);
        let passes = std::cell::Cell::new(0);
        let fitted = fit_positive(
            |p, g| {
                passes.set(passes.get() + 1);
                negative_log_likelihood(&indexed, p, g)
            },
            &data.repeat_model_starts().expect("repeat buyers"),
            0.0,
            None,
        );
        assert!(passes.get() < 2_000, "{} passes", passes.get());
        assert!(fitted.is_ok());
    }
}
