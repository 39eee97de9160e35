//! Parameter recovery: data simulated from known BG/NBD and Gamma-Gamma
//! parameters gives those parameters back, within sampling error.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma};

use super::bgnbd::BgNbd;
use super::gamma_gamma::{GammaGamma, Spend};
use super::history::{Grouped, History};

const TRUE_BGNBD: BgNbd = BgNbd {
    r: 0.8,
    alpha: 6.0,
    a: 0.7,
    b: 2.5,
};
const TRUE_GG: GammaGamma = GammaGamma {
    p: 5.0,
    q: 4.0,
    gamma: 60.0,
};

/// Customers who join uniformly over the first `window` weeks and are
/// watched until week `end`, buying and dropping out as BG/NBD says, each
/// transaction's value as Gamma-Gamma says.
fn simulate(customers: usize, seed: u64) -> Vec<History> {
    let (window, end) = (52.0, 104.0);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rate = Gamma::new(TRUE_BGNBD.r, 1.0 / TRUE_BGNBD.alpha).expect("valid");
    let dropout = Beta::new(TRUE_BGNBD.a, TRUE_BGNBD.b).expect("valid");
    let scale = Gamma::new(TRUE_GG.q, 1.0 / TRUE_GG.gamma).expect("valid");
    (0..customers)
        .map(|i| {
            let first = window * i as f64 / customers as f64;
            let t = end - first;
            let lambda: f64 = rate.sample(&mut rng);
            let p: f64 = dropout.sample(&mut rng);
            let nu: f64 = scale.sample(&mut rng);
            let value = Gamma::new(TRUE_GG.p, 1.0 / nu).expect("valid");
            let wait = Exp::new(lambda).expect("valid");
            let (mut x, mut t_x, mut now, mut spent) = (0u32, 0.0, 0.0, 0.0);
            loop {
                now += wait.sample(&mut rng);
                if now > t {
                    break;
                }
                x += 1;
                t_x = now;
                spent += value.sample(&mut rng);
                if rand_distr::Bernoulli::new(p)
                    .expect("valid")
                    .sample(&mut rng)
                {
                    break;
                }
            }
            History {
                x,
                t_x,
                t,
                repeat_value: if x > 0 { spent / f64::from(x) } else { 0.0 },
                mean_value: 0.0,
            }
        })
        .collect()
}

#[test]
fn bgnbd_recovers_the_parameters_it_was_simulated_with() {
    let histories = simulate(20_000, 7);
    let fitted = BgNbd::fit(&Grouped::of(&histories), 0.0)
        .expect("fits")
        .params;
    // Sampling error with 20,000 customers is a few per cent; 15 % is a
    // bound no correct fit misses and a broken one rarely meets.
    for (name, got, want) in [
        ("r", fitted.r, TRUE_BGNBD.r),
        ("alpha", fitted.alpha, TRUE_BGNBD.alpha),
        ("a", fitted.a, TRUE_BGNBD.a),
        ("b", fitted.b, TRUE_BGNBD.b),
    ] {
        assert!(
            (got - want).abs() / want < 0.15,
            "{name}: {got} vs {want} ({fitted:?})"
        );
    }
    // And the fit is better than the truth on its own sample, as an MLE is.
    let data = Grouped::of(&histories);
    assert!(fitted.log_likelihood(&data) >= TRUE_BGNBD.log_likelihood(&data));
}

#[test]
fn gamma_gamma_recovers_the_mean_spend_it_was_simulated_with() {
    let histories = simulate(20_000, 11);
    let spend = Spend {
        x: histories
            .iter()
            .filter(|h| h.x > 0)
            .map(|h| f64::from(h.x))
            .collect(),
        mean_value: histories
            .iter()
            .filter(|h| h.x > 0)
            .map(|h| h.repeat_value)
            .collect(),
    };
    let fitted = GammaGamma::fit(&spend, 0.0).expect("fits").params;
    // p, q and γ trade off against each other; the population mean spend
    // p·γ/(q − 1) is what they pin down, and p itself is well identified.
    let mean = |g: &GammaGamma| g.expected_value(0.0, 0.0).expect("q > 1");
    assert!(
        (mean(&fitted) - mean(&TRUE_GG)).abs() / mean(&TRUE_GG) < 0.05,
        "{fitted:?}"
    );
    assert!(
        (fitted.p - TRUE_GG.p).abs() / TRUE_GG.p < 0.15,
        "{fitted:?}"
    );
    let correlation = spend.correlation().expect("buyers");
    assert!(
        correlation.abs() < 0.05,
        "independent by construction: {correlation}"
    );
}
