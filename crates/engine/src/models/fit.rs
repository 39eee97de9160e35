//! Maximum-likelihood fitting of positive parameters, with the recovery a
//! merchant's data needs: several starting points, a derivative-free
//! fallback when BFGS stalls, and a growing penaliser when the likelihood
//! runs off towards a boundary. A fit that still fails says why in words.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::history::{Grouped, Indexed};
use super::optimize::{bfgs, bfgs_warm, inverse_hessian_at, nelder_mead, Minimum};

/// Why a model could not be fitted, for the merchant.
#[derive(Clone, Debug, Error, PartialEq, Serialize, Deserialize)]
pub enum FitError {
    #[error("there are no customers with purchases to learn from")]
    NoData,
    #[error("every customer has bought only once (or only on one day), so there is no repeat buying to learn from yet")]
    NoRepeatPurchases,
    #[error("every repeat order has the same value ({0:.2}), so there is no spread in spend to model; each order is valued at that")]
    NoSpendVariation(f64),
    #[error("the fit did not settle on a best set of parameters ({0}); the data may be too small or too irregular")]
    NotConverged(String),
}

/// How a fit was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Bfgs,
    NelderMead,
}

/// Fitted parameters with how they were found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fitted<T> {
    pub params: T,
    pub method: Method,
    /// The penaliser that was in force (more than asked when the fit had to
    /// be pulled back from a boundary).
    pub penalizer: f64,
    pub iterations: usize,
    /// BFGS's inverse Hessian at the fit, in log-parameters (see [`Start`]).
    #[serde(skip)]
    pub inverse_hessian: Option<Vec<Vec<f64>>>,
}

impl<T> Fitted<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Fitted<U> {
        Fitted {
            params: f(self.params),
            method: self.method,
            penalizer: self.penalizer,
            iterations: self.iterations,
            inverse_hessian: self.inverse_hessian,
        }
    }

    /// Where to start a fit of the same model to more of the same data.
    pub fn start<const N: usize>(&self, params: [f64; N]) -> Start<N> {
        Start {
            params,
            inverse_hessian: self.inverse_hessian.clone(),
        }
    }
}

/// A place to start a fit: parameters found on similar data (the same store
/// on an earlier date, or a sample of the same customers), and the
/// curvature there when known.
#[derive(Clone, Debug, PartialEq)]
pub struct Start<const N: usize> {
    pub params: [f64; N],
    pub inverse_hessian: Option<Vec<Vec<f64>>>,
}

impl<const N: usize> Start<N> {
    /// Parameters alone.
    pub fn at(params: [f64; N]) -> Start<N> {
        Start {
            params,
            inverse_hessian: None,
        }
    }
}

/// Where to start fitting a repeat-buying model's (r, α, a, b) to `data`:
/// `hint` (a fit of the same store on other dates) when there is one, else
/// on a large store the fit of a sample of its customers (`fit_sample`)
/// with the curvature of the sample's likelihood (`likelihood`, with
/// `penalizer`) there: from them the full data's minimum is a few Newton-like
/// steps away, each one pass over the data.
pub(crate) fn repeat_start(
    data: &Grouped,
    hint: Option<[f64; 4]>,
    fit_sample: impl FnOnce(&Grouped) -> Option<Fitted<[f64; 4]>>,
    likelihood: fn(&Indexed, &[f64], &mut [f64]) -> f64,
) -> Option<Start<4>> {
    if let Some(params) = hint {
        return Some(Start::at(params));
    }
    let sample = data.thinned(SAMPLE_CUSTOMERS)?;
    let fitted = fit_sample(&sample)?;
    let indexed = Indexed::of(&sample);
    let mut objective = |p: &[f64], g: &mut [f64]| likelihood(&indexed, p, g);
    let theta: Vec<f64> = fitted.params.iter().map(|v| v.ln()).collect();
    let curvature = inverse_hessian_at(
        |theta, g| penalised(&mut objective, theta, g, fitted.penalizer),
        &theta,
    );
    Some(Start {
        params: fitted.params,
        // BFGS's own estimate, learnt along its path, if need be.
        inverse_hessian: curvature.or(fitted.inverse_hessian),
    })
}

/// Customers a sample fit looks at first on large stores (see
/// [`systematic_sample`]): enough for parameters within a few percent of
/// the full fit, whose minimum is then a few BFGS steps away.
pub const SAMPLE_CUSTOMERS: f64 = 20_000.0;

/// A systematic sample of about `customers` of the customers behind
/// grouped data whose groups weigh `weights` (every k-th customer in the
/// order the groups come, so each is equally likely to be drawn): the
/// groups drawn, with how many of their customers. `None` when there are
/// not many more customers than that.
pub fn systematic_sample(weights: &[f64], customers: f64) -> Option<Vec<(usize, f64)>> {
    let total: f64 = weights.iter().sum();
    if total <= 2.0 * customers {
        return None;
    }
    let step = total / customers;
    let (mut passed, mut next) = (0.0, step / 2.0);
    let mut sample = Vec::new();
    for (i, &weight) in weights.iter().enumerate() {
        passed += weight;
        let mut taken = 0.0;
        while next < passed {
            taken += 1.0;
            next += step;
        }
        if taken > 0.0 {
            sample.push((i, taken));
        }
    }
    Some(sample)
}

/// Minimises `objective(p, gradient)` (a mean negative log-likelihood and
/// its gradient in p) over positive p, plus `penalizer`·Σp², trying each of
/// `starts`. A `hint` (a fit of similar data, such as the same store a few
/// months earlier) is tried alone first: when it converges there, the
/// other starts are not needed. Returns the parameters as a vector.
pub fn fit_positive<const N: usize>(
    mut objective: impl FnMut(&[f64], &mut [f64]) -> f64,
    starts: &[[f64; N]],
    penalizer: f64,
    hint: Option<Start<N>>,
) -> Result<Fitted<Vec<f64>>, FitError> {
    if let Some(hint) = hint {
        let mut in_log_space = |theta: &[f64], g: &mut [f64]| -> f64 {
            penalised(&mut objective, theta, g, penalizer)
        };
        let theta: Vec<f64> = hint.params.iter().map(|v| v.max(1e-12).ln()).collect();
        let m = bfgs_warm(
            &mut in_log_space,
            &theta,
            hint.inverse_hessian.as_deref(),
            1000,
        );
        if m.converged && m.x.iter().all(|t| t.abs() < 25.0) {
            return Ok(Fitted {
                params: m.x.iter().map(|t| t.exp()).collect(),
                method: Method::Bfgs,
                penalizer,
                iterations: m.iterations,
                inverse_hessian: Some(m.inverse_hessian),
            });
        }
    }
    let mut last: Option<Minimum> = None;
    // The asked-for penaliser first; larger ones only if the fit runs away.
    for extra in [0.0, 1e-3, 1e-2, 1e-1] {
        let lambda = penalizer + extra;
        let mut in_log_space =
            |theta: &[f64], g: &mut [f64]| -> f64 { penalised(&mut objective, theta, g, lambda) };
        // Starts in order until one converges to a sane point: the
        // likelihoods here have one maximum in practice, and every start
        // costs a full fit.
        let mut best: Option<Minimum> = None;
        for start in starts {
            let theta: Vec<f64> = start.iter().map(|v| v.max(1e-12).ln()).collect();
            let m = bfgs(&mut in_log_space, &theta, 1000);
            let done = m.converged && m.x.iter().all(|t| t.abs() < 25.0);
            if best.as_ref().is_none_or(|b| better(&m, b)) {
                best = Some(m);
            }
            if done {
                break;
            }
        }
        let Some(mut best) = best else {
            return Err(FitError::NoData);
        };
        let mut method = Method::Bfgs;
        if !best.converged && best.value.is_finite() {
            // Bounded: each step is a pass over the data.
            let polished = nelder_mead(
                |t| in_log_space(t, &mut vec![0.0; t.len()]),
                &best.x,
                0.3,
                2_000,
            );
            if polished.converged && polished.value <= best.value + 1e-9 {
                best = polished;
                method = Method::NelderMead;
            }
        }
        // A converged fit with a parameter at an extreme (a probability
        // parameter in the millions) is a boundary, not a fit.
        let sane = best.x.iter().all(|t| t.abs() < 25.0);
        if best.converged && sane {
            let inverse_hessian = (method == Method::Bfgs).then_some(best.inverse_hessian);
            return Ok(Fitted {
                params: best.x.iter().map(|t| t.exp()).collect(),
                method,
                penalizer: lambda,
                iterations: best.iterations,
                inverse_hessian,
            });
        }
        last = Some(best);
    }
    let detail = match last {
        Some(m) if m.value.is_finite() => format!(
            "stopped after {} steps at parameters {}",
            m.iterations,
            m.x.iter()
                .map(|t| format!("{:.3}", t.exp()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => "the likelihood could not be evaluated".to_string(),
    };
    Err(FitError::NotConverged(detail))
}

/// The objective at log-parameters `theta` plus λ·Σp², with its gradient
/// in `theta`.
fn penalised(
    objective: &mut impl FnMut(&[f64], &mut [f64]) -> f64,
    theta: &[f64],
    g: &mut [f64],
    lambda: f64,
) -> f64 {
    let p: Vec<f64> = theta.iter().map(|t| t.exp()).collect();
    let mut gp = vec![0.0; p.len()];
    let value = objective(&p, &mut gp);
    let penalty: f64 = p.iter().map(|v| v * v).sum::<f64>() * lambda;
    for k in 0..p.len() {
        g[k] = p[k] * (gp[k] + 2.0 * lambda * p[k]);
    }
    value + penalty
}

/// Converged beats not converged; then the lower objective.
fn better(a: &Minimum, b: &Minimum) -> bool {
    match (a.converged, b.converged) {
        (true, false) => true,
        (false, true) => false,
        _ => a.value < b.value,
    }
}

/// Checks an analytic gradient against central finite differences (for
/// the models' tests).
#[cfg(test)]
pub(crate) fn assert_gradient<const N: usize>(
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    at: [f64; N],
) {
    let mut g = [0.0; N];
    f(&at, &mut g);
    for k in 0..N {
        let h = 1e-6 * at[k];
        let (mut up, mut down) = (at, at);
        up[k] += h;
        down[k] -= h;
        let numeric = (f(&up, &mut [0.0; N]) - f(&down, &mut [0.0; N])) / (2.0 * h);
        assert!(
            (g[k] - numeric).abs() < 1e-6 * numeric.abs().max(1.0),
            "parameter {k}: analytic {} vs numeric {numeric}",
            g[k]
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_systematic_sample_draws_every_kth_customer() {
        assert_eq!(systematic_sample(&[3.0, 1.0], 10.0), None, "small");
        // 100 customers in groups of 10, 30, 60; every 5th is drawn.
        let sample = systematic_sample(&[10.0, 30.0, 60.0], 20.0).expect("large");
        assert_eq!(sample, [(0, 2.0), (1, 6.0), (2, 12.0)]);
        let drawn: f64 = systematic_sample(&[7.0; 1000], 500.0)
            .expect("large")
            .iter()
            .map(|s| s.1)
            .sum();
        assert_eq!(drawn, 500.0);
    }

    #[test]
    fn fits_a_positive_quadratic_bowl() {
        // Minimum at p = (2, 0.5).
        let f = |p: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * (p[0] - 2.0);
            g[1] = 2.0 * (p[1] - 0.5);
            (p[0] - 2.0).powi(2) + (p[1] - 0.5).powi(2)
        };
        let fitted = fit_positive(f, &[[1.0, 1.0]], 0.0, None).expect("fits");
        assert!((fitted.params[0] - 2.0).abs() < 1e-6);
        assert!((fitted.params[1] - 0.5).abs() < 1e-6);
        assert_eq!(fitted.method, Method::Bfgs);
        assert_eq!(fitted.penalizer, 0.0);
    }

    #[test]
    fn a_runaway_parameter_is_pulled_back_by_the_penaliser() {
        // Decreasing forever in p[0]: no finite maximum-likelihood point.
        let f = |p: &[f64], g: &mut [f64]| {
            g[0] = -1.0 / (1.0 + p[0]);
            -(1.0 + p[0]).ln()
        };
        let fitted = fit_positive(f, &[[1.0]], 0.0, None).expect("a penalised fit");
        assert!(fitted.penalizer > 0.0);
        assert!(fitted.params[0].is_finite());
    }

    #[test]
    fn nowhere_finite_is_an_error_in_words() {
        let f = |_: &[f64], g: &mut [f64]| {
            g.fill(f64::NAN);
            f64::NAN
        };
        let error = fit_positive(f, &[[1.0]], 0.0, None).expect_err("no fit");
        assert!(
            error.to_string().contains("could not be evaluated"),
            "{error}"
        );
    }
}
