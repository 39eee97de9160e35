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
        Ok(match kind {
            ModelKind::Bgnbd => BgNbd::fit(data, 0.0)?.map(RepeatModel::Bgnbd),
            ModelKind::Mbgnbd => MbgNbd::fit(data, 0.0)?.map(RepeatModel::Mbgnbd),
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
}
