//! Minimisers for the handful of parameters the models have: BFGS with an
//! analytic gradient for the usual case, and Nelder–Mead, which needs no
//! gradient, as the fallback when BFGS stalls.
//!
//! Both work on unconstrained parameters (the models pass logarithms of
//! their positive parameters) and treat a non-finite objective as +∞, so a
//! step into a region where the likelihood overflows is simply refused.

/// How a minimisation ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub value: f64,
    pub iterations: usize,
    /// The gradient (BFGS) or the simplex (Nelder–Mead) met its tolerance.
    pub converged: bool,
    /// BFGS's approximation of the inverse Hessian at `x` (empty for
    /// Nelder–Mead): a warm start for the same objective on more data.
    pub inverse_hessian: Vec<Vec<f64>>,
}

/// Stop when every gradient component is below this.
const GRADIENT_TOLERANCE: f64 = 1e-7;

/// A step that moves no parameter by more than this has stalled.
const STALLED_STEP: f64 = 1e-10;

/// BFGS from `start`. `f` returns the objective and writes its gradient.
pub fn bfgs(
    f: impl FnMut(&[f64], &mut [f64]) -> f64,
    start: &[f64],
    max_iterations: usize,
) -> Minimum {
    bfgs_warm(f, start, None, max_iterations)
}

/// BFGS from `start` with a first inverse Hessian (else the identity): from
/// the minimum of a sample of the same data and its curvature, the full
/// data's minimum is a few steps away, where the identity would take tens.
pub fn bfgs_warm(
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    start: &[f64],
    inverse_hessian: Option<&[Vec<f64>]>,
    max_iterations: usize,
) -> Minimum {
    let n = start.len();
    let mut x = start.to_vec();
    let mut g = vec![0.0; n];
    let mut value = finite_or_inf(f(&x, &mut g));
    if !value.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return Minimum {
            x,
            value: f64::INFINITY,
            iterations: 0,
            converged: false,
            inverse_hessian: Vec::new(),
        };
    }
    let mut h = match inverse_hessian {
        Some(h) if h.len() == n && h.iter().all(|row| row.len() == n) => h.to_vec(),
        _ => identity(n),
    };
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    // Set after a stalled step made BFGS start again from steepest descent.
    let mut restarted = false;
    for iteration in 0..max_iterations {
        if g.iter().all(|v| v.abs() < GRADIENT_TOLERANCE) {
            return Minimum {
                x,
                value,
                iterations: iteration,
                converged: true,
                inverse_hessian: h,
            };
        }
        let mut direction: Vec<f64> = (0..n)
            .map(|i| -(0..n).map(|j| h[i][j] * g[j]).sum::<f64>())
            .collect();
        let mut slope: f64 = direction.iter().zip(&g).map(|(d, g)| d * g).sum();
        if slope >= 0.0 {
            // Not a descent direction: restart from steepest descent.
            h = identity(n);
            direction = g.iter().map(|v| -v).collect();
            slope = -g.iter().map(|v| v * v).sum::<f64>();
        }
        // Backtracking line search with the Armijo condition; steps are
        // capped so that a log-parameter never jumps by more than 5.
        let longest = direction.iter().map(|d| d.abs()).fold(0.0, f64::max);
        let mut step = if longest > 5.0 { 5.0 / longest } else { 1.0 };
        let mut accepted = false;
        for _ in 0..60 {
            for i in 0..n {
                x_new[i] = x[i] + step * direction[i];
            }
            let candidate = finite_or_inf(f(&x_new, &mut g_new));
            if candidate <= value + 1e-4 * step * slope && g_new.iter().all(|v| v.is_finite()) {
                accepted = true;
                update_inverse_hessian(&mut h, &x, &x_new, &g, &g_new);
                x.copy_from_slice(&x_new);
                g.copy_from_slice(&g_new);
                let improvement = value - candidate;
                value = candidate;
                if improvement.abs() <= 1e-15 * value.abs().max(1.0)
                    && g.iter().all(|v| v.abs() < GRADIENT_TOLERANCE.sqrt())
                {
                    return Minimum {
                        x,
                        value,
                        iterations: iteration + 1,
                        converged: true,
                        inverse_hessian: h,
                    };
                }
                if step * longest < STALLED_STEP {
                    // The search crawls: a flat ridge running off to a
                    // boundary, or a curvature estimate gone bad. Each such
                    // step costs tens of evaluations (the halvings) and
                    // gains nothing; steepest descent gets one more try.
                    if restarted {
                        let converged = g.iter().all(|v| v.abs() < GRADIENT_TOLERANCE.sqrt());
                        return Minimum {
                            x,
                            value,
                            iterations: iteration + 1,
                            converged,
                            inverse_hessian: h,
                        };
                    }
                    h = identity(n);
                    restarted = true;
                } else {
                    restarted = false;
                }
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            // No step along the direction improves: a minimum to numerical
            // precision, or a stall that the caller's fallback handles.
            let converged = g.iter().all(|v| v.abs() < GRADIENT_TOLERANCE.sqrt());
            return Minimum {
                x,
                value,
                iterations: iteration,
                converged,
                inverse_hessian: h,
            };
        }
    }
    Minimum {
        x,
        value,
        iterations: max_iterations,
        converged: false,
        inverse_hessian: h,
    }
}

/// The inverse of the Hessian of `f` at `x`, from central differences of
/// its analytic gradient (2n evaluations); `None` unless the Hessian is
/// positive definite there (a minimum). At a sample's minimum this is the
/// curvature BFGS on the full data would otherwise learn over several of
/// its steps, each a pass over all the data.
pub fn inverse_hessian_at(
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    x: &[f64],
) -> Option<Vec<Vec<f64>>> {
    const STEP: f64 = 1e-4;
    let n = x.len();
    let mut hessian = vec![vec![0.0; n]; n];
    let (mut up, mut down) = (vec![0.0; n], vec![0.0; n]);
    let mut at = x.to_vec();
    for j in 0..n {
        at[j] = x[j] + STEP;
        let value_up = f(&at, &mut up);
        at[j] = x[j] - STEP;
        let value_down = f(&at, &mut down);
        at[j] = x[j];
        if !(value_up.is_finite() && value_down.is_finite()) {
            return None;
        }
        for i in 0..n {
            hessian[i][j] = (up[i] - down[i]) / (2.0 * STEP);
        }
    }
    let symmetric: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| (hessian[i][j] + hessian[j][i]) / 2.0)
                .collect()
        })
        .collect();
    invert_positive_definite(&symmetric)
}

/// The inverse of a symmetric matrix by its Cholesky factor; `None` unless
/// positive definite.
fn invert_positive_definite(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    // m = L·Lᵀ
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let sum: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = m[i][i] - sum;
                if !(d > 0.0 && d.is_finite()) {
                    return None;
                }
                l[i][i] = d.sqrt();
            } else {
                l[i][j] = (m[i][j] - sum) / l[j][j];
            }
        }
    }
    // Columns of the inverse (its rows too: it is symmetric): solve
    // L·Lᵀ·x = eᵢ.
    let mut inverse = Vec::with_capacity(n);
    for column in 0..n {
        let mut y = vec![0.0; n];
        for i in 0..n {
            let e = if i == column { 1.0 } else { 0.0 };
            y[i] = (e - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
        }
        let mut x = vec![0.0; n];
        for i in (0..n).rev() {
            x[i] = (y[i] - (i + 1..n).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
        }
        inverse.push(x);
    }
    Some(inverse)
}

/// The BFGS update of the inverse Hessian approximation `h`.
fn update_inverse_hessian(h: &mut [Vec<f64>], x: &[f64], x_new: &[f64], g: &[f64], g_new: &[f64]) {
    let n = x.len();
    let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
    let y: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
    let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
    if sy <= 1e-12 {
        return; // curvature condition fails: keep the old approximation
    }
    let rho = 1.0 / sy;
    let hy: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| h[i][j] * y[j]).sum())
        .collect();
    let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
    for i in 0..n {
        for j in 0..n {
            h[i][j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
    }
}

fn identity(n: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect()
}

fn finite_or_inf(value: f64) -> f64 {
    if value.is_finite() {
        value
    } else {
        f64::INFINITY
    }
}

/// Nelder–Mead from `start` with initial steps of `scale` along each axis.
pub fn nelder_mead(
    mut f: impl FnMut(&[f64]) -> f64,
    start: &[f64],
    scale: f64,
    max_iterations: usize,
) -> Minimum {
    let n = start.len();
    let mut simplex: Vec<Vec<f64>> = vec![start.to_vec()];
    for i in 0..n {
        let mut vertex = start.to_vec();
        vertex[i] += scale;
        simplex.push(vertex);
    }
    let mut values: Vec<f64> = simplex.iter().map(|v| finite_or_inf(f(v))).collect();
    for iteration in 0..max_iterations {
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        simplex = order.iter().map(|&i| simplex[i].clone()).collect();
        values = order.iter().map(|&i| values[i]).collect();
        let spread = values[n] - values[0];
        let size = simplex
            .iter()
            .skip(1)
            .flat_map(|v| v.iter().zip(&simplex[0]).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        if spread.abs() < 1e-12 * values[0].abs().max(1.0) && size < 1e-9 {
            return Minimum {
                x: simplex[0].clone(),
                value: values[0],
                iterations: iteration,
                converged: true,
                inverse_hessian: Vec::new(),
            };
        }
        let centroid: Vec<f64> = (0..n)
            .map(|j| simplex[..n].iter().map(|v| v[j]).sum::<f64>() / n as f64)
            .collect();
        let toward = |t: f64| -> Vec<f64> {
            (0..n)
                .map(|j| centroid[j] + t * (simplex[n][j] - centroid[j]))
                .collect()
        };
        let reflected = toward(-1.0);
        let fr = finite_or_inf(f(&reflected));
        if fr < values[0] {
            let expanded = toward(-2.0);
            let fe = finite_or_inf(f(&expanded));
            if fe < fr {
                simplex[n] = expanded;
                values[n] = fe;
            } else {
                simplex[n] = reflected;
                values[n] = fr;
            }
        } else if fr < values[n - 1] {
            simplex[n] = reflected;
            values[n] = fr;
        } else {
            let contracted = if fr < values[n] {
                toward(-0.5)
            } else {
                toward(0.5)
            };
            let fc = finite_or_inf(f(&contracted));
            if fc < values[n].min(fr) {
                simplex[n] = contracted;
                values[n] = fc;
            } else {
                // Shrink towards the best vertex.
                let best = simplex[0].clone();
                for (vertex, value) in simplex.iter_mut().zip(values.iter_mut()).skip(1) {
                    for (v, b) in vertex.iter_mut().zip(&best) {
                        *v = b + 0.5 * (*v - b);
                    }
                    *value = finite_or_inf(f(vertex));
                }
            }
        }
    }
    let best = (0..=n)
        .min_by(|&a, &b| values[a].total_cmp(&values[b]))
        .unwrap_or(0);
    Minimum {
        x: simplex[best].clone(),
        value: values[best],
        iterations: max_iterations,
        converged: false,
        inverse_hessian: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rosenbrock's valley: a classic hard case with its minimum at (1, 1).
    fn rosenbrock(x: &[f64], g: &mut [f64]) -> f64 {
        let (a, b) = (x[0], x[1]);
        g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
        g[1] = 200.0 * (b - a * a);
        (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
    }

    #[test]
    fn bfgs_finds_the_rosenbrock_minimum() {
        let m = bfgs(rosenbrock, &[-1.2, 1.0], 500);
        assert!(m.converged, "{m:?}");
        assert!(
            (m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6,
            "{m:?}"
        );
    }

    #[test]
    fn the_inverse_hessian_is_found_at_a_minimum_and_refused_elsewhere() {
        // At (1, 1) Rosenbrock's Hessian is [[802, −400], [−400, 200]],
        // whose inverse is [[0.5, 1], [1, 2.005]].
        let inverse = inverse_hessian_at(rosenbrock, &[1.0, 1.0]).expect("a minimum");
        let want = [[0.5, 1.0], [1.0, 2.005]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((inverse[i][j] - want[i][j]).abs() < 1e-5, "{inverse:?}");
            }
        }
        // A saddle of x² − y² has no positive-definite Hessian.
        let saddle = |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * x[0];
            g[1] = -2.0 * x[1];
            x[0] * x[0] - x[1] * x[1]
        };
        assert_eq!(inverse_hessian_at(saddle, &[0.0, 0.0]), None);
    }

    #[test]
    fn nelder_mead_finds_the_rosenbrock_minimum() {
        let m = nelder_mead(|x| rosenbrock(x, &mut [0.0, 0.0]), &[-1.2, 1.0], 0.5, 5000);
        assert!(m.converged, "{m:?}");
        assert!(
            (m.x[0] - 1.0).abs() < 1e-4 && (m.x[1] - 1.0).abs() < 1e-4,
            "{m:?}"
        );
    }

    #[test]
    fn an_objective_that_is_nowhere_finite_is_reported_not_a_panic() {
        let m = bfgs(
            |_, g| {
                g.fill(f64::NAN);
                f64::NAN
            },
            &[0.0],
            10,
        );
        assert!(!m.converged);
        assert_eq!(m.value, f64::INFINITY);
    }
}
