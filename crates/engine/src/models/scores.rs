//! Per-customer predictions from the fitted models: probability alive,
//! expected purchases over 30 / 90 / 365 days, 12-month CLV, the expected
//! next order, the average gap between orders and the predicted spend tier.
//!
//! Customers with the same history share their predictions, so each
//! distinct (x, t_x, T) is computed once.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::backtest::{backtest_on, default_calibration_end, Backtest, Split};
use super::fit::{FitError, Fitted, Method};
use super::gamma_gamma::{GammaGamma, Spend};
use super::history::{histories, Grouped, History, TimeUnit};
use super::propensity::{propensity, PropensityReport, Sources};
use super::repeat::{ModelKind, RepeatModel};
use crate::customers::CustomerTable;
use crate::date::Date;
use crate::sales::Sales;
use crate::timing::Stopwatch;
use crate::wording::count;

/// The time unit of the fits: weeks keep the parameters on the scale of the
/// published fits whatever the store.
pub const UNIT: TimeUnit = TimeUnit::Week;
/// CLV horizon and discounting: 12 months at 1 % a month (about 12.7 % a
/// year), stated in the output.
pub const CLV_MONTHS: u32 = 12;
pub const MONTHLY_DISCOUNT: f64 = 0.01;
const DAYS_PER_MONTH: f64 = 365.25 / 12.0;
/// Next orders further out than this are not forecast.
const NEXT_ORDER_HORIZON_DAYS: f64 = 730.0;

/// Shopify's predicted spend tier for the coming year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SpendTier {
    Low,
    Medium,
    High,
}

impl SpendTier {
    pub fn code(self) -> &'static str {
        match self {
            SpendTier::Low => "LOW",
            SpendTier::Medium => "MEDIUM",
            SpendTier::High => "HIGH",
        }
    }
}

/// One customer's predictions; every field `None` for prospects and when
/// the model behind it could not be fitted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub p_alive: Option<f64>,
    pub expected_purchases_30d: Option<f64>,
    pub expected_purchases_90d: Option<f64>,
    pub expected_purchases_365d: Option<f64>,
    /// Expected value of one future transaction (Gamma-Gamma).
    pub expected_order_value: Option<f64>,
    pub predicted_clv_12m: Option<f64>,
    /// The day by which another order is more likely than not (the median
    /// wait); `None` when the customer is more likely gone than active or
    /// the day is over two years out.
    pub expected_next_order: Option<Date>,
    /// Observed: first to last purchase day over the repeat purchases.
    pub avg_days_between_orders: Option<f64>,
    pub predicted_spend_tier: Option<SpendTier>,
    /// Probability of an order in the propensity horizon (see the report).
    pub purchase_propensity: Option<f64>,
    /// The 80 % range of purchases in the next 365 days (10th and 90th
    /// percentiles of the model's simulated futures for this customer).
    pub purchases_365d_low: Option<f64>,
    pub purchases_365d_high: Option<f64>,
    /// The 12-month CLV scaled to that range.
    pub predicted_clv_12m_low: Option<f64>,
    pub predicted_clv_12m_high: Option<f64>,
}

impl Scores {
    pub fn churn_probability(&self) -> Option<f64> {
        self.p_alive.map(|p| 1.0 - p)
    }
}

/// A fit as `summary.json` reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitReport<T> {
    /// The parameters; `None` when the fit failed.
    #[serde(flatten)]
    pub params: Option<T>,
    pub log_likelihood: Option<f64>,
    pub converged: bool,
    pub method: Option<Method>,
    pub penalizer: Option<f64>,
    /// Why the fit failed, in words.
    pub error: Option<String>,
}

impl<T> FitReport<T> {
    fn of(result: &Result<Fitted<T>, FitError>, log_likelihood: impl FnOnce(&T) -> f64) -> Self
    where
        T: Clone,
    {
        match result {
            Ok(fitted) => FitReport {
                log_likelihood: Some(log_likelihood(&fitted.params)),
                params: Some(fitted.params.clone()),
                converged: true,
                method: Some(fitted.method),
                penalizer: Some(fitted.penalizer),
                error: None,
            },
            Err(error) => FitReport {
                params: None,
                log_likelihood: None,
                converged: false,
                method: None,
                penalizer: None,
                error: Some(error.to_string()),
            },
        }
    }
}

/// A repeat-buying model's report with its time unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BgNbdReport {
    #[serde(flatten)]
    pub fit: FitReport<RepeatModel>,
    pub time_unit: TimeUnit,
    /// Customers (with at least one purchase) the fit learnt from.
    pub customers: u64,
}

/// The Gamma-Gamma report with the check of its assumption.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GammaGammaReport {
    #[serde(flatten)]
    pub fit: FitReport<GammaGamma>,
    /// Repeat buyers the fit learnt from.
    pub customers: u64,
    /// Correlation of purchase count and mean spend among repeat buyers;
    /// the model assumes it is near 0.
    pub frequency_spend_correlation: Option<f64>,
}

/// `models` in `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelSummary {
    pub bgnbd: BgNbdReport,
    pub mbgnbd: BgNbdReport,
    /// The repeat-buying model the predictions use, and why.
    pub model: ModelKind,
    pub model_choice: String,
    pub gamma_gamma: GammaGammaReport,
    pub clv_months: u32,
    pub monthly_discount_rate: f64,
    /// The check of the model against the store's own later purchases.
    pub backtest: Option<Backtest>,
    /// Why there is no backtest, when there is none.
    pub backtest_skipped: Option<String>,
    /// What limits how far the predictions can be trusted, and what would
    /// make them more trustworthy.
    pub warnings: Vec<String>,
    /// Store-wide: expected purchases in the next 90 days, the next year's
    /// discounted CLV over all customers, and customers more likely gone
    /// than active.
    pub expected_purchases_90d: f64,
    pub predicted_clv_12m: f64,
    pub likely_churned: u64,
    /// Customers per predicted spend tier.
    pub spend_tiers: Vec<(SpendTier, u64)>,
    /// Who buys in the next N days: the regression against the repeat model.
    pub propensity: Option<PropensityReport>,
    pub propensity_skipped: Option<String>,
}

/// The fitted models and every customer's scores.
#[derive(Clone, Debug, PartialEq)]
pub struct Predictions {
    pub summary: ModelSummary,
    /// By customer table position.
    pub scores: Vec<Scores>,
    /// The repeat-buying model the scores come from.
    pub model: Option<RepeatModel>,
    pub gamma_gamma: Option<GammaGamma>,
    /// Grouping and fitting the model in use, when a clock was given (ms).
    pub fit_ms: Option<f64>,
}

impl<T> FitReport<T> {
    /// A fit not yet made.
    fn pending() -> Self {
        FitReport {
            params: None,
            log_likelihood: None,
            converged: false,
            method: None,
            penalizer: None,
            error: None,
        }
    }
}

impl Predictions {
    /// No predictions yet for `customers` customers (every score empty):
    /// what a first look at the customers carries while the models fit.
    pub fn pending(customers: usize) -> Predictions {
        let report = BgNbdReport {
            fit: FitReport::pending(),
            time_unit: UNIT,
            customers: 0,
        };
        Predictions {
            summary: ModelSummary {
                bgnbd: report.clone(),
                mbgnbd: report,
                model: ModelKind::Bgnbd,
                model_choice: String::new(),
                gamma_gamma: GammaGammaReport {
                    fit: FitReport::pending(),
                    customers: 0,
                    frequency_spend_correlation: None,
                },
                clv_months: CLV_MONTHS,
                monthly_discount_rate: MONTHLY_DISCOUNT,
                backtest: None,
                backtest_skipped: None,
                warnings: Vec::new(),
                expected_purchases_90d: 0.0,
                predicted_clv_12m: 0.0,
                likely_churned: 0,
                spend_tiers: Vec::new(),
                propensity: None,
                propensity_skipped: None,
            },
            scores: vec![Scores::default(); customers],
            model: None,
            gamma_gamma: None,
            fit_ms: None,
        }
    }

    /// Fits the models on `purchases` (customers by table position) as of
    /// the table's analysis date and scores every customer.
    pub fn fit(sales: &Sales, customers: &CustomerTable, watch: &mut Stopwatch<'_>) -> Predictions {
        let purchases = &sales.purchases[..];
        let as_of = customers.as_of;
        let history = histories(purchases, customers.len(), as_of, UNIT);
        let buyers: Vec<&History> = history.iter().flatten().collect();
        watch.lap("histories");
        let grouped = Grouped::of(buyers.iter().copied());
        let grouped_ms = watch.lap("grouping histories");
        let bgnbd_fit = RepeatModel::fit(ModelKind::Bgnbd, &grouped);
        let bgnbd_ms = watch.lap("BG/NBD fit");
        let mbgnbd_fit = RepeatModel::fit(ModelKind::Mbgnbd, &grouped);
        let mbgnbd_ms = watch.lap("MBG/NBD fit");
        let repeat = repeat_spend(&buyers);
        let gamma_gamma_fit = GammaGamma::fit(&repeat, 0.0);
        watch.lap("Gamma-Gamma fit");
        let first_purchase = purchases
            .iter()
            .map(|p| p.date)
            .filter(|&d| d <= as_of)
            .min();

        // Backtest both repeat-buying models on the same split.
        let split = first_purchase
            .and_then(|first| default_calibration_end(first, as_of))
            .map(|end| Split::new(purchases, customers.len(), end, as_of, UNIT));
        let test = |kind, hint: Option<&RepeatModel>| {
            split.as_ref().map(|split| backtest_on(split, kind, hint))
        };
        let bg_test = test(ModelKind::Bgnbd, bgnbd_fit.as_ref().ok().map(|f| &f.params));
        let mbg_test = test(
            ModelKind::Mbgnbd,
            mbgnbd_fit.as_ref().ok().map(|f| &f.params),
        );
        let one_time_share =
            buyers.iter().filter(|h| h.x == 0).count() as f64 / buyers.len().max(1) as f64;
        watch.lap("backtests");
        let (kind, choice) = choose(&bgnbd_fit, &mbgnbd_fit, &bg_test, &mbg_test, one_time_share);
        let chosen_test = match kind {
            ModelKind::Bgnbd => bg_test,
            ModelKind::Mbgnbd => mbg_test,
        };
        let (backtest, backtest_skipped) = match (chosen_test, first_purchase) {
            (_, None) => (None, Some("there are no purchases".to_string())),
            (None, Some(first)) => (
                None,
                Some(format!(
                    "the orders cover {} days; a backtest needs at least {} to hold some back",
                    as_of.days_since(first),
                    super::backtest::MIN_HISTORY_DAYS
                )),
            ),
            (Some(Ok(report)), _) => (Some(report), None),
            (Some(Err(why)), _) => (None, Some(why)),
        };
        let mut warnings = reliability_warnings(
            buyers.len(),
            repeat.x.len(),
            first_purchase.map(|f| as_of.days_since(f)),
            repeat.correlation(),
        );
        if let Err(why) = &gamma_gamma_fit {
            warnings.push(format!(
                "The spend model could not be fitted ({why}), so value predictions use each customer's own average order value."
            ));
        }
        let report = |fit: &Result<Fitted<RepeatModel>, FitError>| BgNbdReport {
            fit: FitReport::of(fit, |m| m.log_likelihood(&grouped)),
            time_unit: UNIT,
            customers: buyers.len() as u64,
        };
        let mut summary = ModelSummary {
            bgnbd: report(&bgnbd_fit),
            mbgnbd: report(&mbgnbd_fit),
            model: kind,
            model_choice: choice,
            gamma_gamma: GammaGammaReport {
                fit: FitReport::of(&gamma_gamma_fit, |g| g.log_likelihood(&repeat)),
                customers: repeat.x.len() as u64,
                frequency_spend_correlation: repeat.correlation(),
            },
            clv_months: CLV_MONTHS,
            monthly_discount_rate: MONTHLY_DISCOUNT,
            backtest,
            backtest_skipped,
            warnings,
            expected_purchases_90d: 0.0,
            predicted_clv_12m: 0.0,
            likely_churned: 0,
            spend_tiers: Vec::new(),
            propensity: None,
            propensity_skipped: None,
        };
        let model = match kind {
            ModelKind::Bgnbd => bgnbd_fit.ok(),
            ModelKind::Mbgnbd => mbgnbd_fit.ok(),
        }
        .map(|f| f.params);
        // The fit of the model in use, grouping included.
        let fit_ms = match (grouped_ms, bgnbd_ms, mbgnbd_ms) {
            (Some(grouped), Some(bg), Some(mbg)) => Some(
                grouped
                    + match kind {
                        ModelKind::Bgnbd => bg,
                        ModelKind::Mbgnbd => mbg,
                    },
            ),
            _ => None,
        };
        let gamma_gamma = gamma_gamma_fit.ok().map(|f| f.params);
        let mut scores = score_all(&history, model, gamma_gamma, as_of);
        assign_spend_tiers(&mut scores);
        watch.lap("scores");
        let sources = Sources {
            purchases,
            items: &sales.items,
            customers,
        };
        match propensity(&sources, as_of, model.as_ref(), &history) {
            Ok(found) => {
                for (s, p) in scores.iter_mut().zip(found.scores) {
                    s.purchase_propensity = p;
                }
                summary.propensity = Some(found.report);
            }
            Err(why) => summary.propensity_skipped = Some(why),
        }
        watch.lap("propensity");
        summary.expected_purchases_90d =
            scores.iter().filter_map(|s| s.expected_purchases_90d).sum();
        summary.predicted_clv_12m = scores.iter().filter_map(|s| s.predicted_clv_12m).sum();
        summary.likely_churned = scores
            .iter()
            .filter(|s| s.p_alive.is_some_and(|p| p < 0.5))
            .count() as u64;
        summary.spend_tiers = [SpendTier::High, SpendTier::Medium, SpendTier::Low]
            .into_iter()
            .map(|tier| {
                let n = scores
                    .iter()
                    .filter(|s| s.predicted_spend_tier == Some(tier))
                    .count();
                (tier, n as u64)
            })
            .collect();
        Predictions {
            summary,
            scores,
            model,
            gamma_gamma,
            fit_ms,
        }
    }
}

/// Repeat buyers' purchase counts and mean repeat values (Gamma-Gamma's input).
fn repeat_spend(buyers: &[&History]) -> Spend {
    let repeaters: Vec<&&History> = buyers.iter().filter(|h| h.x > 0).collect();
    Spend {
        x: repeaters.iter().map(|h| f64::from(h.x)).collect(),
        mean_value: repeaters.iter().map(|h| h.repeat_value).collect(),
    }
}

type Tested = Option<Result<Backtest, String>>;

/// BG/NBD or MBG/NBD, and why: the one whose holdout total is closer to
/// what happened on the store's own data (then the better ranking; BG/NBD,
/// the published standard, wins ties); without a backtest, MBG/NBD when
/// most customers bought once, since BG/NBD would keep all of them active.
fn choose(
    bgnbd: &Result<Fitted<RepeatModel>, FitError>,
    mbgnbd: &Result<Fitted<RepeatModel>, FitError>,
    bg_test: &Tested,
    mbg_test: &Tested,
    one_time_share: f64,
) -> (ModelKind, String) {
    match (bgnbd.is_ok(), mbgnbd.is_ok()) {
        (true, false) => return (ModelKind::Bgnbd, "MBG/NBD could not be fitted".into()),
        (false, true) => return (ModelKind::Mbgnbd, "BG/NBD could not be fitted".into()),
        (false, false) => return (ModelKind::Bgnbd, "neither model could be fitted".into()),
        (true, true) => {}
    }
    if let (Some(Ok(bg)), Some(Ok(mbg))) = (bg_test, mbg_test) {
        let error = |t: &Backtest| {
            let actual = (t.actual_purchases as f64).max(1.0);
            (t.predicted_purchases - actual).abs() / actual
        };
        let (e_bg, e_mbg) = (error(bg), error(mbg));
        let (a_bg, a_mbg) = (bg.auc.unwrap_or(0.5), mbg.auc.unwrap_or(0.5));
        // Totals first (what a merchant plans with); within 2 points, the
        // better ranking; BG/NBD, the published standard, wins ties.
        let mbg_wins =
            e_mbg < e_bg - 0.02 || ((e_mbg - e_bg).abs() <= 0.02 && a_mbg > a_bg + 0.005);
        let numbers = format!(
            "holdout purchases off by {:.0} % with BG/NBD and {:.0} % with MBG/NBD; AUC {a_bg:.2} and {a_mbg:.2}",
            e_bg * 100.0,
            e_mbg * 100.0
        );
        return if mbg_wins {
            (
                ModelKind::Mbgnbd,
                format!("MBG/NBD predicted this store's own holdout better ({numbers})"),
            )
        } else {
            (
                ModelKind::Bgnbd,
                format!("BG/NBD predicted this store's own holdout as well or better ({numbers})"),
            )
        };
    }
    if one_time_share >= 0.5 {
        (
            ModelKind::Mbgnbd,
            format!("{:.0} % of customers bought once; MBG/NBD lets them drop out, BG/NBD would keep them all active", one_time_share * 100.0),
        )
    } else {
        (
            ModelKind::Bgnbd,
            "the standard model; too little history to compare both on a holdout".into(),
        )
    }
}

/// What limits trust in the predictions, each with what would help.
fn reliability_warnings(
    buyers: usize,
    repeat_buyers: usize,
    history_days: Option<i32>,
    spend_correlation: Option<f64>,
) -> Vec<String> {
    let mut warnings = Vec::new();
    if buyers < 500 {
        warnings.push(format!(
            "The predictions rest on {}. Below about 500 the scores of single customers are rough (store-wide totals hold up better); they firm up as customers accumulate.",
            count(buyers as u64, "customer", "customers")
        ));
    }
    if let Some(days) = history_days.filter(|&d| d < 180) {
        warnings.push(format!(
            "The orders cover {days} days. Six months or more let the models see how often customers come back; add older orders if you have them."
        ));
    }
    if repeat_buyers < 50 {
        warnings.push(format!(
            "Only {} bought on more than one day, so repeat buying and spend per order are learnt from few examples.",
            count(repeat_buyers as u64, "customer has", "customers have")
        ));
    }
    if let Some(r) = spend_correlation.filter(|r| r.abs() > 0.3) {
        warnings.push(format!(
            "Among repeat buyers, order value and purchase count are correlated (r = {r:.2}); the spend model assumes they are not, so CLV may be off for the most frequent buyers."
        ));
    }
    warnings
}

/// Scores every customer, computing each distinct history once.
fn score_all(
    history: &[Option<History>],
    model: Option<RepeatModel>,
    gamma_gamma: Option<GammaGamma>,
    as_of: Date,
) -> Vec<Scores> {
    let mut cache: FxHashMap<(u32, u64, u64, u64), Scores> = FxHashMap::default();
    history
        .iter()
        .map(|h| {
            let Some(h) = h else {
                return Scores::default();
            };
            let key = (
                h.x,
                h.t_x.to_bits(),
                h.t.to_bits(),
                h.repeat_value.to_bits(),
            );
            *cache
                .entry(key)
                .or_insert_with(|| score(h, model, gamma_gamma, as_of))
        })
        .collect()
}

fn score(
    h: &History,
    model: Option<RepeatModel>,
    gamma_gamma: Option<GammaGamma>,
    as_of: Date,
) -> Scores {
    let x = f64::from(h.x);
    let in_units = |days: f64| days / UNIT.days();
    let avg_days_between_orders = (h.x > 0).then(|| h.t_x * UNIT.days() / x);
    // Without a spend model, the customer's own average order value.
    let expected_order_value = match gamma_gamma {
        Some(g) => g.expected_value(x, h.repeat_value),
        None => Some(h.mean_value),
    };
    let Some(m) = model else {
        return Scores {
            avg_days_between_orders,
            expected_order_value,
            ..Scores::default()
        };
    };
    // Expected purchases over 30, 90 and 365 days and at the end of each
    // month of the CLV horizon, in one pass of the model's series.
    let mut horizons = [0.0; 3 + CLV_MONTHS as usize];
    horizons[..3].copy_from_slice(&[30.0, 90.0, 365.0].map(in_units));
    for (k, horizon) in horizons[3..].iter_mut().enumerate() {
        *horizon = in_units(DAYS_PER_MONTH * (k + 1) as f64);
    }
    let expected = m.conditional_expected_many(horizons, x, h.t_x, h.t);
    let expected_year = expected[2];
    let band = Some(purchase_band(&m, h, in_units(365.0)));
    // Discounted expected purchases month by month over the CLV horizon.
    let discounted_purchases = (1..=CLV_MONTHS).try_fold((0.0, 0.0), |(sum, before), k| {
        let cumulative = expected[2 + k as usize]?;
        let month = (cumulative - before).max(0.0);
        Some((
            sum + month / (1.0 + MONTHLY_DISCOUNT).powi(k as i32),
            cumulative,
        ))
    });
    // The day by which another order is more likely than not; none when
    // the customer is more likely gone, or not within two years.
    let next_order = m
        .median_time_to_next_purchase(x, h.t_x, h.t)
        .map(|units| units * UNIT.days())
        .filter(|&days| days <= NEXT_ORDER_HORIZON_DAYS)
        .map(|days| as_of.add_days(days.ceil().max(1.0) as i32));
    let clv = discounted_purchases
        .zip(expected_order_value)
        .map(|((purchases, _), value)| purchases * value);
    // The CLV range follows the purchase range in proportion.
    let scaled = |count: Option<f64>| match (clv, count, expected_year) {
        (Some(clv), Some(count), Some(mean)) if mean > 0.0 => Some(clv * count / mean),
        (Some(_), Some(_), _) => Some(0.0),
        _ => None,
    };
    Scores {
        p_alive: Some(m.p_alive(x, h.t_x, h.t)),
        expected_purchases_30d: expected[0],
        expected_purchases_90d: expected[1],
        expected_purchases_365d: expected_year,
        expected_order_value,
        predicted_clv_12m: clv,
        expected_next_order: next_order,
        avg_days_between_orders,
        predicted_spend_tier: None,
        purchase_propensity: None,
        purchases_365d_low: band.map(|b| b.0),
        purchases_365d_high: band.map(|b| b.1),
        predicted_clv_12m_low: scaled(band.map(|b| b.0)),
        predicted_clv_12m_high: scaled(band.map(|b| b.1)),
    }
}

/// 10th and 90th percentiles of the customer's purchase count over
/// `horizon` units, from the model's exact distribution of it.
fn purchase_band(m: &RepeatModel, h: &History, horizon: f64) -> (f64, f64) {
    let [low, high] = m
        .future_purchases(f64::from(h.x), h.t_x, h.t, horizon)
        .quantiles([0.10, 0.90]);
    (f64::from(low), f64::from(high))
}

/// Shopify's definition: HIGH above the 70th percentile of predicted
/// next-year spend, LOW below the 10th (predicted zero included), MEDIUM
/// between. Spend here is expected purchases over 365 days × expected
/// order value.
fn assign_spend_tiers(scores: &mut [Scores]) {
    let spend = |s: &Scores| {
        s.expected_purchases_365d
            .zip(s.expected_order_value)
            .map(|(n, v)| n * v)
    };
    let mut values: Vec<f64> = scores.iter().filter_map(spend).collect();
    if values.is_empty() {
        return;
    }
    values.sort_by(f64::total_cmp);
    // Nearest rank: the smallest value with at least q of customers at or below it.
    let percentile = |q: f64| {
        let rank = (q * values.len() as f64).ceil() as usize;
        values[rank.clamp(1, values.len()) - 1]
    };
    let (low, high) = (percentile(0.10), percentile(0.70));
    for s in scores.iter_mut() {
        s.predicted_spend_tier = spend(s).map(|v| {
            if v > high {
                SpendTier::High
            } else if v < low || v <= 0.0 {
                SpendTier::Low
            } else {
                SpendTier::Medium
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::bgnbd::BgNbd;

    const CDNOW: RepeatModel = RepeatModel::Bgnbd(BgNbd {
        r: 0.242593,
        alpha: 4.413532,
        a: 0.792886,
        b: 2.425752,
    });

    #[test]
    fn clv_is_discounted_monthly_expected_purchases_times_expected_value() {
        let gg = GammaGamma {
            p: 6.25,
            q: 3.74,
            gamma: 15.44,
        };
        let h = History {
            x: 2,
            t_x: 30.43,
            t: 38.86,
            repeat_value: 22.35,
            mean_value: 22.35,
        };
        let as_of = Date::from_ymd(1997, 9, 30).expect("valid");
        let s = score(&h, Some(CDNOW), Some(gg), as_of);
        // The same sum written out from the model's formulas.
        let month = DAYS_PER_MONTH / 7.0;
        let mut want = 0.0;
        let mut before = 0.0;
        for k in 1..=12 {
            let cumulative = CDNOW
                .conditional_expected(month * f64::from(k), 2.0, 30.43, 38.86)
                .expect("settles");
            want += (cumulative - before) / 1.01f64.powi(k);
            before = cumulative;
        }
        let value = gg.expected_value(2.0, 22.35).expect("q > 1");
        let clv = s.predicted_clv_12m.expect("both models");
        assert!(
            (clv - want * value).abs() < 1e-9,
            "{clv} vs {}",
            want * value
        );
        // Discounting makes 12-month CLV less than undiscounted expected spend.
        assert!(clv < s.expected_purchases_365d.expect("fit") * value);
        let p = s.p_alive.expect("fit");
        assert!(p > 0.0 && p < 1.0);
        assert_eq!(s.avg_days_between_orders, Some(30.43 * 7.0 / 2.0));
        // The 80 % range brackets the expectation, and the CLV range follows it.
        let (low, high) = (
            s.purchases_365d_low.expect("band"),
            s.purchases_365d_high.expect("band"),
        );
        let mean = s.expected_purchases_365d.expect("fit");
        assert!(low <= mean && mean <= high, "{low} {mean} {high}");
        assert!(s.predicted_clv_12m_low.expect("band") <= clv);
        assert!(s.predicted_clv_12m_high.expect("band") >= clv);
        // Same history, same band.
        assert_eq!(score(&h, Some(CDNOW), Some(gg), as_of), s);
        assert!(s.expected_next_order.expect("date") > as_of);
    }

    #[test]
    fn expected_purchases_grow_with_the_horizon() {
        let h = History {
            x: 3,
            t_x: 20.0,
            t: 30.0,
            repeat_value: 10.0,
            mean_value: 10.0,
        };
        let s = score(&h, Some(CDNOW), None, Date::from_days(0));
        let (a, b, c) = (
            s.expected_purchases_30d.expect("fit"),
            s.expected_purchases_90d.expect("fit"),
            s.expected_purchases_365d.expect("fit"),
        );
        assert!(0.0 < a && a < b && b < c, "{a} {b} {c}");
        // Without a spend model, the customer's own average order value.
        assert_eq!(s.expected_order_value, Some(10.0));
        assert!(s.predicted_clv_12m.expect("clv") < c * 10.0);
    }

    #[test]
    fn spend_tiers_follow_the_percentiles() {
        let mut scores: Vec<Scores> = (0..10)
            .map(|i| Scores {
                expected_purchases_365d: Some(f64::from(i)),
                expected_order_value: Some(10.0),
                ..Scores::default()
            })
            .chain([Scores::default()])
            .collect();
        assign_spend_tiers(&mut scores);
        let tiers: Vec<Option<SpendTier>> = scores.iter().map(|s| s.predicted_spend_tier).collect();
        assert_eq!(tiers[0], Some(SpendTier::Low), "predicted zero");
        assert_eq!(tiers[1], Some(SpendTier::Medium));
        assert_eq!(
            tiers[6],
            Some(SpendTier::Medium),
            "the 70th percentile itself"
        );
        assert_eq!(tiers[7], Some(SpendTier::High), "the top 30 %");
        assert_eq!(tiers[10], None, "a prospect");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::customers::{Identities, Purchase};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Whatever the purchases (one customer or many, one day or years,
        /// zero and odd amounts), fitting never panics and no prediction is
        /// NaN or infinite: a value is a number or absent.
        #[test]
        fn predictions_are_numbers_or_absent(
            purchases in proptest::collection::vec((0u32..12, 0i32..900, 0.0f64..500.0), 1..120),
        ) {
            let mut ids = Identities::default();
            for c in 0..12 {
                ids.intern(&format!("c{c}"), None);
            }
            let start = Date::from_ymd(2024, 1, 1).expect("valid");
            let list: Vec<Purchase> = purchases
                .iter()
                .map(|&(c, day, amount)| Purchase::new(c, start.add_days(day), amount))
                .collect();
            let last = list.iter().map(|p| p.date).max().expect("one");
            let (table, position) = CustomerTable::build(
                ids,
                &list,
                FxHashMap::default(),
                FxHashMap::default(),
                last,
            );
            let list: Vec<Purchase> = list
                .iter()
                .map(|p| Purchase { customer: position[p.customer as usize].expect("a buyer"), ..*p })
                .collect();
            let sales = Sales {
                purchases: list,
                ..Sales::default()
            };
            let predictions = Predictions::fit(&sales, &table, &mut Stopwatch::off());
            for s in &predictions.scores {
                for value in [
                    s.p_alive, s.expected_purchases_30d, s.expected_purchases_90d,
                    s.expected_purchases_365d, s.expected_order_value, s.predicted_clv_12m,
                    s.avg_days_between_orders, s.purchase_propensity, s.purchases_365d_low,
                    s.purchases_365d_high, s.predicted_clv_12m_low, s.predicted_clv_12m_high,
                ]
                .into_iter()
                .flatten()
                {
                    prop_assert!(value.is_finite(), "{s:?}");
                }
                if let Some(p) = s.p_alive {
                    prop_assert!((0.0..=1.0).contains(&p));
                }
            }
            let m = &predictions.summary;
            prop_assert!(m.expected_purchases_90d.is_finite() && m.predicted_clv_12m.is_finite());
            if let Some(b) = &m.backtest {
                prop_assert!(b.mean_absolute_error.is_finite() && b.predicted_purchases.is_finite());
                for bucket in &b.buckets {
                    prop_assert!(bucket.actual_mean.is_finite() && bucket.predicted_mean.is_finite());
                }
            }
            // serde_json would write a NaN as null: the checks above are what count.
            serde_json::to_string(m).expect("serialises");
        }
    }
}
