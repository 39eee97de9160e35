//! The special functions the purchase models need: log-gamma, digamma,
//! log-beta and Gauss's hypergeometric function. Written here (a few dozen
//! lines, tested against published values) rather than pulled in with a
//! linear-algebra stack the wasm build does not need.

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: about 15 significant digits).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = COEFFICIENTS[0];
    for (i, &c) in COEFFICIENTS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// ψ(x) = d/dx ln Γ(x) for x > 0.
pub fn digamma(mut x: f64) -> f64 {
    let mut result = 0.0;
    // Recurrence ψ(x) = ψ(x + 1) − 1/x up to where the series is accurate.
    while x < 10.0 {
        result -= 1.0 / x;
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    result + x.ln()
        - 0.5 * inv
        - inv2
            * (1.0 / 12.0
                - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 / 132.0))))
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
pub fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// ₂F₁(a, b; c; z) for 0 ≤ z < 1 by its power series, summed until the
/// terms stop mattering. The purchase models call it with z = t / (α + T + t),
/// which is below 1 for every finite horizon; near 1 the series needs many
/// terms, so the sum is capped and `None` says it did not settle.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Option<f64> {
    hyp2f1_many(a, b, c, [z])[0]
}

/// ₂F₁(a, b; c; z) at several z at once: the ratio of successive terms
/// is the same for every z but for the factor z, so each term costs one
/// division for all of them (a customer's expected purchases over a dozen
/// horizons are a dozen z). Summed until every series has settled; `None`
/// for a z outside [0, 1).
pub fn hyp2f1_many<const N: usize>(a: f64, b: f64, c: f64, z: [f64; N]) -> [Option<f64>; N] {
    const MAX_TERMS: usize = 100_000;
    let valid = z.map(|z| (0.0..1.0).contains(&z));
    // Invalid z are summed as 0 (one term) and reported as None.
    let z = z.map(|z| if (0.0..1.0).contains(&z) { z } else { 0.0 });
    let mut terms = [1.0; N];
    let mut sums = [1.0; N];
    for n in 0..MAX_TERMS {
        let n = n as f64;
        let ratio = (a + n) * (b + n) / ((c + n) * (n + 1.0));
        let mut settled = true;
        for j in 0..N {
            terms[j] *= ratio * z[j];
            sums[j] += terms[j];
            settled &= terms[j].abs() <= 1e-15 * sums[j].abs();
        }
        if settled {
            let mut out = [None; N];
            for j in 0..N {
                out[j] = (valid[j] && sums[j].is_finite()).then_some(sums[j]);
            }
            return out;
        }
    }
    [None; N]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance * b.abs().max(1.0)
    }

    #[test]
    fn log_gamma_matches_known_values() {
        assert!(close(ln_gamma(1.0), 0.0, 1e-14));
        assert!(close(
            ln_gamma(0.5),
            std::f64::consts::PI.sqrt().ln(),
            1e-14
        ));
        assert!(close(ln_gamma(10.0), 362_880f64.ln(), 1e-14));
        assert!(close(ln_gamma(0.1), 2.252_712_651_734_206, 1e-13));
        assert!(close(ln_gamma(171.5), 709.143_163_030_928_2, 1e-13));
    }

    #[test]
    fn digamma_matches_known_values() {
        let euler = 0.577_215_664_901_532_9;
        assert!(close(digamma(1.0), -euler, 1e-13));
        assert!(close(digamma(0.5), -euler - 2.0 * 2f64.ln(), 1e-13));
        assert!(close(digamma(10.0), 2.251_752_589_066_721, 1e-13));
        assert!(close(digamma(0.01), -100.560_885_457_869_2, 1e-12));
    }

    #[test]
    fn digamma_is_the_derivative_of_log_gamma() {
        for x in [0.2, 0.9, 2.5, 7.0, 40.0] {
            let h = 1e-6 * x;
            let numeric = (ln_gamma(x + h) - ln_gamma(x - h)) / (2.0 * h);
            assert!(close(digamma(x), numeric, 1e-7), "x = {x}");
        }
    }

    #[test]
    fn hypergeometric_special_cases() {
        // ₂F₁(1, 1; 2; z) = −ln(1 − z) / z.
        for z in [0.1f64, 0.5, 0.9, 0.99] {
            let exact = -(1.0 - z).ln() / z;
            assert!(
                close(hyp2f1(1.0, 1.0, 2.0, z).expect("converges"), exact, 1e-11),
                "z = {z}"
            );
        }
        // ₂F₁(a, b; b; z) = (1 − z)^−a.
        assert!(close(
            hyp2f1(0.7, 2.0, 2.0, 0.6).expect("converges"),
            0.4f64.powf(-0.7),
            1e-12
        ));
        assert_eq!(hyp2f1(1.0, 1.0, 2.0, 0.0), Some(1.0));
        assert_eq!(hyp2f1(1.0, 1.0, 2.0, 1.0), None);
    }

    #[test]
    fn many_z_at_once_agree_with_one_at_a_time() {
        // 2F1(1, 1; 2; z) = −ln(1 − z) / z.
        let z = [0.05, 0.3, 0.0, 0.9, 1.0, -0.2];
        let got = hyp2f1_many(1.0, 1.0, 2.0, z);
        for j in 0..4 {
            let want = if z[j] == 0.0 {
                1.0
            } else {
                -(1.0 - z[j]).ln() / z[j]
            };
            assert!(
                close(got[j].expect("settles"), want, 1e-13),
                "z {}: {:?}",
                z[j],
                got[j]
            );
        }
        assert_eq!((got[4], got[5]), (None, None), "outside [0, 1)");
        // A heavy buyer's series (large a, b) stays finite term by term.
        let (a, b, c) = (1000.8, 1002.4, 2002.2);
        let many = hyp2f1_many(a, b, c, [0.2, 0.5]);
        for (j, z) in [0.2, 0.5].into_iter().enumerate() {
            let one = hyp2f1(a, b, c, z).expect("settles");
            assert!(
                close(many[j].expect("settles"), one, 1e-14),
                "{many:?} vs {one}"
            );
        }
    }
}
