//! The repeat-buying model in use: BG/NBD or MBG/NBD, behind one set of
//! predictions, so that scoring, backtests and propensity do not care which.

use rand::Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma};
use serde::{Deserialize, Serialize};

use super::bgnbd::BgNbd;
use super::fit::{FitError, Fitted};
use super::history::Grouped;
use super::mbgnbd::MbgNbd;

/// Which repeat-buying model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    Bgnbd,
    Mbgnbd,
}

impl ModelKind {
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Bgnbd => "BG/NBD",
            ModelKind::Mbgnbd => "MBG/NBD",
        }
    }
}

/// A fitted repeat-buying model.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum RepeatModel {
    Bgnbd(BgNbd),
    Mbgnbd(MbgNbd),
}

impl RepeatModel {
    /// Fits a model of `kind` to `data`.
    pub fn fit(kind: ModelKind, data: &Grouped) -> Result<Fitted<RepeatModel>, FitError> {
        Self::fit_near(kind, data, None)
    }

    /// Fits a model of `kind` to `data`, starting from `hint` (a fit of the
    /// same store on other dates) when it is of that kind.
    pub fn fit_near(
        kind: ModelKind,
        data: &Grouped,
        hint: Option<&RepeatModel>,
    ) -> Result<Fitted<RepeatModel>, FitError> {
        Ok(match (kind, hint) {
            (ModelKind::Bgnbd, Some(RepeatModel::Bgnbd(h))) => {
                BgNbd::fit_near(data, 0.0, Some(*h))?.map(RepeatModel::Bgnbd)
            }
            (ModelKind::Mbgnbd, Some(RepeatModel::Mbgnbd(h))) => {
                MbgNbd::fit_near(data, 0.0, Some(*h))?.map(RepeatModel::Mbgnbd)
            }
            (ModelKind::Bgnbd, _) => BgNbd::fit(data, 0.0)?.map(RepeatModel::Bgnbd),
            (ModelKind::Mbgnbd, _) => MbgNbd::fit(data, 0.0)?.map(RepeatModel::Mbgnbd),
        })
    }

    pub fn kind(&self) -> ModelKind {
        match self {
            RepeatModel::Bgnbd(_) => ModelKind::Bgnbd,
            RepeatModel::Mbgnbd(_) => ModelKind::Mbgnbd,
        }
    }

    pub fn log_likelihood(&self, data: &Grouped) -> f64 {
        match self {
            RepeatModel::Bgnbd(m) => m.log_likelihood(data),
            RepeatModel::Mbgnbd(m) => m.log_likelihood(data),
        }
    }

    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        match self {
            RepeatModel::Bgnbd(m) => m.p_alive(x, t_x, t),
            RepeatModel::Mbgnbd(m) => m.p_alive(x, t_x, t),
        }
    }

    pub fn conditional_expected(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> Option<f64> {
        match self {
            RepeatModel::Bgnbd(m) => m.conditional_expected(horizon, x, t_x, t),
            RepeatModel::Mbgnbd(m) => m.conditional_expected(horizon, x, t_x, t),
        }
    }

    pub fn p_no_purchase(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        match self {
            RepeatModel::Bgnbd(m) => m.p_no_purchase(horizon, x, t_x, t),
            RepeatModel::Mbgnbd(m) => m.p_no_purchase(horizon, x, t_x, t),
        }
    }

    /// One possible future of a customer with history (x, t_x, T): the
    /// number of purchases in the next `horizon` units, drawn from the
    /// model's posterior (alive or not; if alive, a purchase rate and a
    /// drop-out probability given the history, then the purchases).
    pub fn simulate_purchases(
        &self,
        rng: &mut impl Rng,
        x: f64,
        t_x: f64,
        t: f64,
        horizon: f64,
    ) -> u32 {
        self.futures(x, t_x, t).draw(rng, horizon)
    }

    /// The posterior of a history, set up once for drawing many futures
    /// (a band draws hundreds: the chance of being alive and the two
    /// distributions are the same for every draw).
    pub fn futures(&self, x: f64, t_x: f64, t: f64) -> Futures {
        let (r, alpha, a, b_posterior) = match self {
            // BG/NBD customers survived a drop-out chance after each repeat
            // purchase; MBG/NBD customers after the first purchase too.
            RepeatModel::Bgnbd(m) => (m.r, m.alpha, m.a, m.b + x),
            RepeatModel::Mbgnbd(m) => (m.r, m.alpha, m.a, m.b + x + 1.0),
        };
        Futures {
            alive: self.p_alive(x, t_x, t),
            rate: Gamma::new(r + x, 1.0 / (alpha + t)).ok(),
            dropout: Beta::new(a, b_posterior).ok(),
        }
    }

    /// The rate's shape and scale: (r, α).
    fn rate(&self) -> (f64, f64) {
        match self {
            RepeatModel::Bgnbd(m) => (m.r, m.alpha),
            RepeatModel::Mbgnbd(m) => (m.r, m.alpha),
        }
    }

    /// The time by which the customer has more likely than not bought again
    /// (the median wait): where P(no purchase) falls to ½. `None` when the
    /// customer is more likely gone than active, so that never happens.
    pub fn median_time_to_next_purchase(&self, x: f64, t_x: f64, t: f64) -> Option<f64> {
        let alive = self.p_alive(x, t_x, t);
        if alive <= 0.5 {
            return None;
        }
        let (r, alpha) = self.rate();
        // alive · (1 − ((α+T)/(α+T+h))^(r+x)) = ½, solved for h.
        let h = (alpha + t) * ((1.0 - 0.5 / alive).powf(-1.0 / (r + x)) - 1.0);
        h.is_finite().then_some(h)
    }
}

/// Futures of one history under a fitted model (see [`RepeatModel::futures`]).
pub struct Futures {
    alive: f64,
    rate: Option<Gamma<f64>>,
    dropout: Option<Beta<f64>>,
}

impl Futures {
    /// Purchases in the next `horizon` units in one drawn future.
    pub fn draw(&self, rng: &mut impl Rng, horizon: f64) -> u32 {
        if rng.random::<f64>() >= self.alive {
            return 0;
        }
        let (Some(rate), Some(dropout)) = (&self.rate, &self.dropout) else {
            return 0;
        };
        let lambda: f64 = rate.sample(rng);
        let p: f64 = dropout.sample(rng);
        let Ok(wait) = Exp::new(lambda) else {
            return 0;
        };
        let (mut count, mut now) = (0u32, 0.0);
        // A cap keeps a pathological draw (a huge rate) from running long.
        while count < 10_000 {
            now += wait.sample(rng);
            if now > horizon {
                break;
            }
            count += 1;
            if rng.random::<f64>() < p {
                break;
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_wait_is_where_a_purchase_becomes_likely() {
        let m = RepeatModel::Bgnbd(BgNbd {
            r: 0.242593,
            alpha: 4.413532,
            a: 0.792886,
            b: 2.425752,
        });
        let h = m
            .median_time_to_next_purchase(26.0, 30.85714, 31.0)
            .expect("active");
        assert!((m.p_no_purchase(h, 26.0, 30.85714, 31.0) - 0.5).abs() < 1e-9);
        // Gone more likely than not: no next purchase is expected.
        assert!(m.p_alive(1.0, 1.0, 78.0) < 0.5);
        assert_eq!(m.median_time_to_next_purchase(1.0, 1.0, 78.0), None);
        let json = serde_json::to_value(m).expect("json");
        assert_eq!(json["model"], "bgnbd");
    }

    #[test]
    fn simulated_futures_average_to_the_expected_purchases() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for m in [
            RepeatModel::Bgnbd(BgNbd {
                r: 0.242593,
                alpha: 4.413532,
                a: 0.792886,
                b: 2.425752,
            }),
            RepeatModel::Mbgnbd(MbgNbd {
                r: 0.525,
                alpha: 6.183,
                a: 0.891,
                b: 1.614,
            }),
        ] {
            for (x, t_x, t) in [(0.0, 0.0, 20.0), (2.0, 30.43, 38.86), (6.0, 20.0, 22.0)] {
                let n = 40_000;
                let mean = (0..n)
                    .map(|_| f64::from(m.simulate_purchases(&mut rng, x, t_x, t, 39.0)))
                    .sum::<f64>()
                    / f64::from(n);
                let want = m.conditional_expected(39.0, x, t_x, t).expect("settles");
                assert!(
                    (mean - want).abs() < 0.03 * want.max(0.5),
                    "{m:?} x={x}: {mean} vs {want}"
                );
            }
        }
    }
}
