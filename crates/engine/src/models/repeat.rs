//! The repeat-buying model in use: BG/NBD or MBG/NBD, behind one set of
//! predictions, so that scoring, backtests and propensity do not care which.

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

    /// Expected purchases over several horizons at once (cheaper than one
    /// by one: see `special::hyp2f1_many`).
    pub fn conditional_expected_many<const N: usize>(
        &self,
        horizons: [f64; N],
        x: f64,
        t_x: f64,
        t: f64,
    ) -> [Option<f64>; N] {
        match self {
            RepeatModel::Bgnbd(m) => m.conditional_expected_many(horizons, x, t_x, t),
            RepeatModel::Mbgnbd(m) => m.conditional_expected_many(horizons, x, t_x, t),
        }
    }

    pub fn p_no_purchase(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        match self {
            RepeatModel::Bgnbd(m) => m.p_no_purchase(horizon, x, t_x, t),
            RepeatModel::Mbgnbd(m) => m.p_no_purchase(horizon, x, t_x, t),
        }
    }

    /// The posterior distribution of a history's purchases in the next
    /// `horizon` units: alive or not; if alive, a Poisson purchase rate
    /// drawn from Gamma(r + x, α + T) and a drop-out chance after each
    /// purchase from Beta(a, b + x) (MBG/NBD: b + x + 1, having survived
    /// the first purchase too).
    pub fn future_purchases(&self, x: f64, t_x: f64, t: f64, horizon: f64) -> FuturePurchases {
        let (r, alpha, a, b_posterior) = match self {
            RepeatModel::Bgnbd(m) => (m.r, m.alpha, m.a, m.b + x),
            RepeatModel::Mbgnbd(m) => (m.r, m.alpha, m.a, m.b + x + 1.0),
        };
        FuturePurchases {
            alive: self.p_alive(x, t_x, t),
            shape: r + x,
            // Poisson counts over a gamma-distributed rate are negative
            // binomial; this is its chance of "no purchase" per trial.
            stay: (alpha + t) / (alpha + t + horizon),
            a,
            b: b_posterior,
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

/// The distribution of one history's purchases over a horizon (see
/// [`RepeatModel::future_purchases`]), exactly: while alive, the count is
/// the smaller of the purchases a Poisson process makes (negative binomial
/// over the gamma-distributed rate) and the purchase after which the
/// customer drops out (geometric over the beta-distributed chance), the two
/// independent. So P(X ≥ k) = P(alive) · P(N ≥ k) · B(a, b + k − 1) / B(a, b)
/// for k ≥ 1, each factor a running product in k.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FuturePurchases {
    alive: f64,
    shape: f64,
    stay: f64,
    a: f64,
    b: f64,
}

impl FuturePurchases {
    /// Counts checked before giving up on a quantile (a pathological rate).
    const MAX_COUNT: u32 = 10_000;

    /// The smallest count k with P(X ≤ k) ≥ `q`, for each of the ascending
    /// `quantiles`.
    pub fn quantiles<const N: usize>(&self, quantiles: [f64; N]) -> [u32; N] {
        let mut out = [0; N];
        let valid = self.alive.is_finite()
            && self.shape > 0.0
            && self.stay > 0.0
            && self.stay <= 1.0
            && self.a > 0.0
            && self.b > 0.0;
        if !valid {
            return out; // no purchases can be forecast
        }
        let alive = self.alive.clamp(0.0, 1.0);
        // P(N = n) (its logarithm: for a heavy buyer over a long horizon
        // P(N = 0) underflows) and P(N ≤ n) of the negative binomial N.
        let ln_buy = (1.0 - self.stay).ln();
        let mut ln_pmf = self.shape * self.stay.ln();
        let mut below_or_at = ln_pmf.exp();
        // P(G ≥ k) of the geometric drop-out purchase G, from P(G ≥ 1) = 1.
        let mut survives = 1.0;
        // P(X ≤ 0): gone, or alive without a purchase.
        let mut cdf = 1.0 - alive * (1.0 - below_or_at);
        let mut next = 0;
        for k in 0..=Self::MAX_COUNT {
            while next < N && cdf >= quantiles[next] {
                out[next] = k;
                next += 1;
            }
            if next == N {
                return out;
            }
            // Step to k + 1: P(X ≤ k + 1) = 1 − alive · P(N ≥ k + 2) · P(G ≥ k + 2).
            let n = f64::from(k);
            ln_pmf += ((self.shape + n) / (n + 1.0)).ln() + ln_buy;
            below_or_at += ln_pmf.exp();
            survives *= (self.b + n) / (self.a + self.b + n);
            cdf = 1.0 - alive * (1.0 - below_or_at).max(0.0) * survives;
        }
        for slot in &mut out[next..] {
            *slot = Self::MAX_COUNT;
        }
        out
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

    /// The model's generative story, drawn: alive or not; a rate and a
    /// drop-out chance from their posteriors; purchases until the horizon
    /// or the drop-out.
    fn simulate(
        m: &RepeatModel,
        rng: &mut impl rand::Rng,
        x: f64,
        t_x: f64,
        t: f64,
        horizon: f64,
    ) -> u32 {
        use rand_distr::{Beta, Distribution, Exp, Gamma};
        let (r, alpha, a, b) = match m {
            RepeatModel::Bgnbd(m) => (m.r, m.alpha, m.a, m.b + x),
            RepeatModel::Mbgnbd(m) => (m.r, m.alpha, m.a, m.b + x + 1.0),
        };
        if rng.random::<f64>() >= m.p_alive(x, t_x, t) {
            return 0;
        }
        let lambda: f64 = Gamma::new(r + x, 1.0 / (alpha + t))
            .expect("valid")
            .sample(rng);
        let p: f64 = Beta::new(a, b).expect("valid").sample(rng);
        let wait = Exp::new(lambda).expect("valid");
        let (mut count, mut now) = (0, 0.0);
        loop {
            now += wait.sample(rng);
            if now > horizon {
                return count;
            }
            count += 1;
            if rng.random::<f64>() < p {
                return count;
            }
        }
    }

    fn models() -> [RepeatModel; 2] {
        [
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
        ]
    }

    #[test]
    fn simulated_futures_average_to_the_expected_purchases() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for m in models() {
            for (x, t_x, t) in [(0.0, 0.0, 20.0), (2.0, 30.43, 38.86), (6.0, 20.0, 22.0)] {
                let n = 40_000;
                let mean = (0..n)
                    .map(|_| f64::from(simulate(&m, &mut rng, x, t_x, t, 39.0)))
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

    #[test]
    fn exact_purchase_quantiles_match_simulated_futures() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let n = 40_000;
        for m in models() {
            for (x, t_x, t) in [
                (0.0, 0.0, 20.0),
                (2.0, 30.43, 38.86),
                (6.0, 20.0, 22.0),
                (25.0, 50.0, 52.0),
            ] {
                let mut counts: Vec<u32> = (0..n)
                    .map(|_| simulate(&m, &mut rng, x, t_x, t, 52.0))
                    .collect();
                counts.sort_unstable();
                let future = m.future_purchases(x, t_x, t, 52.0);
                // Each exact quantile sits where the simulated distribution
                // crosses it, give or take sampling error (±1 %).
                for q in [0.1, 0.25, 0.5, 0.75, 0.9] {
                    let [k] = future.quantiles([q]);
                    let at_or_below = counts.partition_point(|&c| c <= k) as f64 / f64::from(n);
                    let below = counts.partition_point(|&c| c < k) as f64 / f64::from(n);
                    assert!(
                        at_or_below >= q - 0.01 && below <= q + 0.01,
                        "{m:?} ({x}, {t_x}, {t}) q {q}: k {k}, simulated P(X<k) {below}, P(X<=k) {at_or_below}"
                    );
                }
                let [low, high] = future.quantiles([0.1, 0.9]);
                assert_eq!(
                    (low, high),
                    (future.quantiles([0.1])[0], future.quantiles([0.9])[0])
                );
            }
        }
    }

    #[test]
    fn a_gone_customer_has_no_future_purchases_and_a_heavy_buyer_many() {
        let m = models()[0];
        // Long silent after many purchases: almost surely gone.
        let future = m.future_purchases(20.0, 10.0, 200.0, 52.0);
        assert_eq!(future.quantiles([0.1, 0.9]), [0, 0]);
        // 3,000 purchase days in 3,000 days, bought yesterday: P(N = 0)
        // underflows, yet about 365 more days of buying are forecast (the
        // rate's posterior is tight around one a day; drop-out is rare).
        let days = 3000.0 / 7.0;
        let [low, high] = m
            .future_purchases(3000.0, days, days, 52.0)
            .quantiles([0.1, 0.9]);
        assert!(
            (300..=365).contains(&low) && (350..=420).contains(&high),
            "{low}..{high}"
        );
        // No time ahead, no purchases.
        assert_eq!(
            m.future_purchases(3.0, 10.0, 12.0, 0.0)
                .quantiles([0.5, 0.9]),
            [0, 0]
        );
    }
}
