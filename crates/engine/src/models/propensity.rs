//! Purchase propensity: will a customer buy within the next N days? A
//! logistic regression on what each customer's history looked like at a
//! cut date, trained and tested on two successive time windows so that it
//! never sees the future it is judged on, and compared honestly with the
//! repeat-buying model's ranking (BG/NBD or MBG/NBD) on the same window.
//!
//! Windows (N days each): features at `as_of − 2N` with labels from the
//! next N days train the model; features at `as_of − N` with labels from
//! the last N days test it. The model that ranks the test window better
//! gives the per-customer score, refitted on the latest window.

use serde::{Deserialize, Serialize};

use super::history::{histories, Grouped, History};
use super::rank::{auc, top_decile_lift};
use super::repeat::{ModelKind, RepeatModel};
use super::scores::UNIT;
use rustc_hash::FxHashMap;

use crate::behaviour::DayActivity;
use crate::customers::{CustomerTable, Purchase};
use crate::date::Date;
use crate::sales::SoldItem;

/// The usual horizon; shorter histories get a third of their length.
pub const HORIZON_DAYS: i32 = 90;
const MIN_HORIZON_DAYS: i32 = 14;

/// The features, in order (for reports).
pub const FEATURES: [&str; 12] = [
    "days since last order",
    "days since first order",
    "orders (log)",
    "revenue (log)",
    "average order value (log)",
    "average days between orders",
    "share of orders with a discount",
    "product categories bought (log)",
    "share of item spend in the store's top category",
    "item views in the 90 days before (log)",
    "add-to-carts in the 90 days before (log)",
    "days since last active on the site (at most 365)",
];

/// What the features are computed from, all cut at the same date.
pub struct Sources<'a> {
    pub purchases: &'a [Purchase],
    /// Product lines (for categories); their `purchase` indexes `purchases`.
    pub items: &'a [SoldItem],
    pub customers: &'a CustomerTable,
}
const K: usize = FEATURES.len();

/// Which ranking won on the test window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Winner {
    LogisticRegression,
    RepeatModel,
}

/// The honest comparison, for `summary.json` and the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PropensityReport {
    pub horizon_days: i32,
    pub train_cut: Date,
    pub test_cut: Date,
    pub train_customers: u64,
    pub test_customers: u64,
    /// Share of test customers who bought in the test window.
    pub test_base_rate: f64,
    /// The repeat-buying model compared against.
    pub repeat_model: ModelKind,
    pub logistic_auc: Option<f64>,
    pub repeat_model_auc: Option<f64>,
    pub logistic_lift: Option<f64>,
    pub repeat_model_lift: Option<f64>,
    pub winner: Winner,
    pub verdict: String,
    /// Standardised coefficients of the deployed regression, by feature.
    pub coefficients: Vec<(String, f64)>,
}

/// The report and every customer's probability of buying in the horizon
/// (by table position; `None` for prospects).
#[derive(Clone, Debug, PartialEq)]
pub struct Propensity {
    pub report: PropensityReport,
    pub scores: Vec<Option<f64>>,
}

/// Trains, tests and scores; `Err` says why there is no propensity model.
/// `today`: every customer's history as of `as_of` in [`UNIT`], which the
/// caller has from scoring (the repeat model scores today from it).
pub fn propensity(
    sources: &Sources<'_>,
    as_of: Date,
    current: Option<&RepeatModel>,
    today: &[Option<History>],
) -> Result<Propensity, String> {
    let purchases = sources.purchases;
    let customers = sources.customers.len();
    let kind = current.map_or(ModelKind::Bgnbd, RepeatModel::kind);
    let first = purchases
        .iter()
        .map(|p| p.date)
        .filter(|&d| d <= as_of)
        .min()
        .ok_or("there are no purchases")?;
    let span = as_of.days_since(first);
    let horizon = if span >= 3 * HORIZON_DAYS {
        HORIZON_DAYS
    } else {
        span / 3
    };
    if horizon < MIN_HORIZON_DAYS {
        return Err(format!(
            "the orders cover {span} days; training and testing on separate windows needs at least {}",
            3 * MIN_HORIZON_DAYS
        ));
    }
    let test_cut = as_of.add_days(-horizon);
    let train_cut = test_cut.add_days(-horizon);

    // Each cut's customers with a history, labelled. One cut at a time, and
    // today's only if the regression is deployed: a million customers'
    // features take 100 MB at each cut (and their accumulators 40 MB), so
    // all three at once made this the analysis's peak.
    let rows = |cut: Date, until: Date| -> (Vec<[f64; K]>, Vec<bool>) {
        let [x] = features_at(sources, [cut]);
        x.into_iter()
            .zip(bought_between(sources, cut, until))
            .filter_map(|(f, label)| f.map(|f| (f, label)))
            .unzip()
    };
    let (train_rows, train_labels) = rows(train_cut, test_cut);
    let positives = train_labels.iter().filter(|&&b| b).count();
    if positives < 5 || positives + 5 > train_labels.len() {
        return Err(format!(
            "too few customers bought, or did not buy, in the training window ({positives} of {} bought)",
            train_labels.len()
        ));
    }
    let model = Logistic::fit(&train_rows, &train_labels);
    let train_customers = train_rows.len() as u64;
    drop(train_rows);
    let (test_rows, test_labels) = rows(test_cut, as_of);
    let logistic_scores: Vec<f64> = test_rows.iter().map(|f| model.predict(f)).collect();

    // The repeat-buying model fitted on the history up to the test cut,
    // scored as the probability of at least one purchase in the horizon.
    let unit = UNIT;
    let calibration = histories(purchases, customers, test_cut, unit);
    let repeat = RepeatModel::fit_near(kind, &Grouped::of(calibration.iter().flatten()), current)
        .ok()
        .map(|f| f.params);
    let repeat_scores: Option<Vec<f64>> = repeat.map(|m| {
        calibration
            .iter()
            .flatten()
            .map(|h| {
                1.0 - m.p_no_purchase(f64::from(horizon) / unit.days(), f64::from(h.x), h.t_x, h.t)
            })
            .collect()
    });

    let logistic_auc = auc(&logistic_scores, &test_labels);
    let repeat_auc = repeat_scores.as_ref().and_then(|s| auc(s, &test_labels));
    let logistic_lift = top_decile_lift(&logistic_scores, &test_labels);
    let repeat_lift = repeat_scores
        .as_ref()
        .and_then(|s| top_decile_lift(s, &test_labels));
    // Ties go to the repeat-buying model: the simpler story wins unless beaten.
    let winner = match (logistic_auc, repeat_auc) {
        (Some(l), Some(b)) if l > b + 0.005 => Winner::LogisticRegression,
        (Some(_), None) => Winner::LogisticRegression,
        _ => Winner::RepeatModel,
    };
    let base_rate =
        test_labels.iter().filter(|&&b| b).count() as f64 / test_labels.len().max(1) as f64;
    let verdict = verdict(horizon, logistic_auc, repeat_auc, winner, base_rate, kind);

    // The deployed model: refitted on the latest window, applied to today.
    let deployed = Logistic::fit(&test_rows, &test_labels);
    let test_customers = test_rows.len() as u64;
    drop(test_rows);
    let scores: Vec<Option<f64>> = match winner {
        Winner::LogisticRegression => {
            let [now] = features_at(sources, [as_of]);
            now.iter()
                .map(|f| f.map(|f| deployed.predict(&f)))
                .collect()
        }
        // The model already fitted on the whole history scores today.
        Winner::RepeatModel => today
            .iter()
            .map(|h| {
                let (h, m) = (h.as_ref()?, current?);
                Some(
                    1.0 - m.p_no_purchase(
                        f64::from(horizon) / unit.days(),
                        f64::from(h.x),
                        h.t_x,
                        h.t,
                    ),
                )
            })
            .collect(),
    };
    Ok(Propensity {
        report: PropensityReport {
            horizon_days: horizon,
            train_cut,
            test_cut,
            train_customers,
            test_customers,
            test_base_rate: base_rate,
            repeat_model: kind,
            logistic_auc,
            repeat_model_auc: repeat_auc,
            logistic_lift,
            repeat_model_lift: repeat_lift,
            winner,
            verdict,
            coefficients: FEATURES
                .iter()
                .zip(&deployed.weights[1..])
                .map(|(name, w)| (name.to_string(), *w))
                .collect(),
        },
        scores,
    })
}

fn verdict(
    horizon: i32,
    logistic: Option<f64>,
    repeat: Option<f64>,
    winner: Winner,
    base: f64,
    kind: ModelKind,
) -> String {
    let show = |v: Option<f64>| v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.2}"));
    let name = kind.name();
    let which = match winner {
        Winner::LogisticRegression => {
            "the regression on order history ranks better, so it gives the scores".to_string()
        }
        Winner::RepeatModel => {
            format!("the regression does not beat {name}, so {name} gives the scores")
        }
    };
    format!(
        "Who buys in the next {horizon} days, tested on the last {horizon} days ({:.0} % of customers bought): \
         a regression trained on the window before scored AUC {} against {name}'s {}; {which}.",
        base * 100.0,
        show(logistic),
        show(repeat),
    )
}

/// Whether each customer bought in (cut, until].
fn bought_between(sources: &Sources<'_>, cut: Date, until: Date) -> Vec<bool> {
    let mut bought = vec![false; sources.customers.len()];
    for p in sources
        .purchases
        .iter()
        .filter(|p| p.date > cut && p.date <= until)
    {
        if let Some(b) = bought.get_mut(p.customer as usize) {
            *b = true;
        }
    }
    bought
}

/// Each customer's features at each of `cuts`, from what happened up to
/// that cut only: one pass over the purchases (and the product lines) for
/// all the cuts. The analysis asks for one cut at a time, which holds a
/// third of the memory for little more time.
fn features_at<const C: usize>(
    sources: &Sources<'_>,
    cuts: [Date; C],
) -> [Vec<Option<[f64; K]>>; C] {
    let (purchases, customers) = (sources.purchases, sources.customers.len());
    #[derive(Clone, Copy, Default)]
    struct Acc {
        first: Option<Date>,
        last: Option<Date>,
        orders: u32,
        revenue: f64,
        discounted: u32,
    }
    // A customer's accumulators at every cut side by side: purchases come
    // in order of their orders, not customers, and one cache line per
    // purchase beats one per cut.
    let mut acc = vec![[Acc::default(); C]; customers];
    for p in purchases {
        let Some(at_cuts) = acc.get_mut(p.customer as usize) else {
            continue;
        };
        for (a, &cut) in at_cuts.iter_mut().zip(&cuts) {
            if p.date > cut {
                continue;
            }
            a.first = Some(a.first.map_or(p.date, |d| d.min(p.date)));
            a.last = Some(a.last.map_or(p.date, |d| d.max(p.date)));
            a.orders += 1;
            a.revenue += p.amount;
            a.discounted += u32::from(p.discounted());
        }
    }
    let categories = category_features(sources, cuts);
    std::array::from_fn(|c| {
        let cut = cuts[c];
        acc.iter()
            .enumerate()
            .map(|(i, at_cuts)| {
                let a = &at_cuts[c];
                let (first, last) = (a.first?, a.last?);
                let activity = activity_features(sources.customers.activity(i), cut);
                let orders = f64::from(a.orders);
                let tenure = f64::from(cut.days_since(first));
                let span = f64::from(last.days_since(first));
                Some([
                    f64::from(cut.days_since(last)),
                    tenure,
                    orders.ln_1p(),
                    a.revenue.max(0.0).ln_1p(),
                    (a.revenue.max(0.0) / orders).ln_1p(),
                    if a.orders > 1 {
                        span / (orders - 1.0)
                    } else {
                        tenure
                    },
                    f64::from(a.discounted) / orders,
                    categories[c][i].0,
                    categories[c][i].1,
                    activity.0,
                    activity.1,
                    activity.2,
                ])
            })
            .collect()
    })
}

/// (item views and add-to-carts in the 90 days before `cut`, both log;
/// days since the last activity, at most 365) from analytics events.
fn activity_features(days: &[DayActivity], cut: Date) -> (f64, f64, f64) {
    let window = cut.add_days(-HORIZON_DAYS);
    let (mut views, mut carts, mut last) = (0u32, 0u32, None);
    for d in days.iter().filter(|d| d.date <= cut) {
        if d.date > window {
            views += d.item_views;
            carts += d.add_to_carts;
        }
        last = Some(d.date);
    }
    let since = last.map_or(365.0, |l| f64::from(cut.days_since(l)).min(365.0));
    (f64::from(views).ln_1p(), f64::from(carts).ln_1p(), since)
}

/// (distinct categories bought, log; share of item spend in the store's
/// best-selling category) per customer, from product lines up to each of
/// `cuts`.
fn category_features<const C: usize>(
    sources: &Sources<'_>,
    cuts: [Date; C],
) -> [Vec<(f64, f64)>; C] {
    let n = sources.customers.len();
    let mut out = [(); C].map(|_| vec![(0.0, 0.0); n]);
    // Lines with a category and a customer, with their purchase's day.
    let lines = || {
        sources.items.iter().filter_map(|item| {
            let date = sources.purchases.get(item.purchase as usize)?.date;
            let category = item.category.get()?;
            ((item.customer as usize) < n).then_some((item, category, date))
        })
    };
    // The store's best-selling category at each cut (ties: the first).
    let mut store: FxHashMap<u32, [f64; C]> = FxHashMap::default();
    for (item, category, date) in lines() {
        let spend = store.entry(category).or_insert([0.0; C]);
        for c in 0..C {
            if date <= cuts[c] {
                spend[c] += item.revenue().max(0.0);
            }
        }
    }
    let top: [Option<u32>; C] = std::array::from_fn(|c| {
        store
            .iter()
            .max_by(|a, b| a.1[c].total_cmp(&b.1[c]).then(b.0.cmp(a.0)))
            .map(|(&category, _)| category)
    });
    // Each customer's spend, spend in the top category, and their distinct
    // categories: a bit per category when there are at most 64 (a store's
    // usual few), else the day each pair was first seen.
    // Per customer and cut, side by side (as in `features_at`).
    #[derive(Clone, Copy, Default)]
    struct Spend {
        total: f64,
        in_top: f64,
        categories: u64,
    }
    let mut spent = vec![[Spend::default(); C]; n];
    let few = store.keys().all(|&category| category < 64);
    let mut first_bought: FxHashMap<(u32, u32), Date> = FxHashMap::default();
    for (item, category, date) in lines() {
        let customer = item.customer as usize;
        let spend = item.revenue().max(0.0);
        for (c, at_cut) in spent[customer].iter_mut().enumerate() {
            if date <= cuts[c] {
                at_cut.total += spend;
                if Some(category) == top[c] {
                    at_cut.in_top += spend;
                }
                if few {
                    at_cut.categories |= 1 << category;
                }
            }
        }
        if !few {
            first_bought
                .entry((item.customer, category))
                .and_modify(|d| *d = (*d).min(date))
                .or_insert(date);
        }
    }
    let mut distinct = [(); C].map(|_| vec![0u32; n]);
    if few {
        for c in 0..C {
            for (count, at_cuts) in distinct[c].iter_mut().zip(&spent) {
                *count = at_cuts[c].categories.count_ones();
            }
        }
    }
    for (&(customer, _), &date) in &first_bought {
        for c in 0..C {
            if date <= cuts[c] {
                distinct[c][customer as usize] += 1;
            }
        }
    }
    for c in 0..C {
        for (i, slot) in out[c].iter_mut().enumerate() {
            if distinct[c][i] > 0 {
                let Spend { total, in_top, .. } = spent[i][c];
                let share = if total > 0.0 { in_top / total } else { 0.0 };
                *slot = (f64::from(distinct[c][i]).ln_1p(), share);
            }
        }
    }
    out
}

/// L2-regularised logistic regression on standardised features, fitted by
/// Newton's method (a handful of features: the Hessian is tiny).
#[derive(Clone, Debug, PartialEq)]
struct Logistic {
    standard: Standard,
    /// Intercept, then one weight per feature.
    weights: Vec<f64>,
}

/// Ridge penalty on the standardised weights (not the intercept).
const RIDGE: f64 = 1.0;

impl Logistic {
    fn fit(rows: &[[f64; K]], labels: &[bool]) -> Logistic {
        let n = rows.len().max(1) as f64;
        let mut mean = [0.0; K];
        let mut scale = [1.0; K];
        for j in 0..K {
            mean[j] = rows.iter().map(|r| r[j]).sum::<f64>() / n;
            let var = rows.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n;
            scale[j] = if var > 1e-12 { var.sqrt() } else { 1.0 };
        }
        let standard = Standard {
            mean,
            inverse: scale.map(|s| 1.0 / s),
        };
        // On many customers, Newton first runs on a systematic sample of
        // them: its minimum is close enough to the full data's that three
        // full passes finish the fit, where starting from zero takes six to
        // eight. (Its penalty is not scaled down to the sample's size: the
        // heavier penalty gave the better start, a full step of 0.7 against
        // 2.4 on a million customers.)
        let mut w = vec![0.0; K + 1];
        if rows.len() > 2 * SAMPLE_ROWS {
            let step = rows.len() / SAMPLE_ROWS;
            let sample: Vec<[f64; K]> = rows.iter().step_by(step).copied().collect();
            let sample_labels: Vec<bool> = labels.iter().step_by(step).copied().collect();
            newton(&sample, &sample_labels, &standard, &mut w);
        }
        newton(rows, labels, &standard, &mut w);
        Logistic {
            standard,
            weights: w,
        }
    }

    fn predict(&self, row: &[f64; K]) -> f64 {
        sigmoid(dot(&self.weights, &self.standard.row(row)))
    }
}

/// Standardisation of the features: each less its mean, over its spread.
#[derive(Clone, Debug, PartialEq)]
struct Standard {
    mean: [f64; K],
    /// One over each feature's spread: a multiplication per value on every
    /// Newton pass, where a division cost several times as much.
    inverse: [f64; K],
}

impl Standard {
    /// A row standardised, an intercept column first. Computed afresh on
    /// every pass: a standardised copy of a million rows took 100 MB.
    fn row(&self, row: &[f64; K]) -> [f64; K + 1] {
        let mut z = [1.0; K + 1];
        for j in 0..K {
            z[j + 1] = (row[j] - self.mean[j]) * self.inverse[j];
        }
        z
    }
}

/// Newton stops after a step this small (largest change of a standardised
/// weight). It converges quadratically: what is left after such a step is
/// about its square (on a million customers, steps of 5e-5 were followed
/// by 3e-9), so a tighter bound only buys another pass over every row.
const STEP_TOLERANCE: f64 = 1e-4;

/// Rows a regression on many customers is first fitted to.
const SAMPLE_ROWS: usize = 20_000;

/// Newton's method for the ridge-penalised logistic log-likelihood of the
/// rows standardised by `standard`, from `w` (the intercept first).
fn newton(rows: &[[f64; K]], labels: &[bool], standard: &Standard, w: &mut [f64]) {
    // Newton converges in a handful of steps; 25 is a safety bound.
    for _ in 0..25 {
        let mut gradient = [0.0; K + 1];
        let mut hessian = [[0.0; K + 1]; K + 1];
        for (row, &y) in rows.iter().zip(labels) {
            let z = &standard.row(row);
            let p = sigmoid(dot(w, z));
            let residual = f64::from(u8::from(y)) - p;
            let weight = (p * (1.0 - p)).max(1e-10);
            for a in 0..=K {
                gradient[a] += residual * z[a];
                let wz = weight * z[a];
                // The Hessian is symmetric: fill the lower half only.
                for b in 0..=a {
                    hessian[a][b] += wz * z[b];
                }
            }
        }
        let lower = hessian;
        for (a, row) in hessian.iter_mut().enumerate() {
            for (b, cell) in row.iter_mut().enumerate().skip(a + 1) {
                *cell = lower[b][a];
            }
        }
        for a in 1..=K {
            gradient[a] -= RIDGE * w[a];
            hessian[a][a] += RIDGE;
        }
        let Some(step) = solve(hessian, gradient) else {
            break;
        };
        let size = step.iter().map(|s| s.abs()).fold(0.0, f64::max);
        for a in 0..=K {
            w[a] += step[a];
        }
        if size < STEP_TOLERANCE {
            break;
        }
    }
}

fn sigmoid(v: f64) -> f64 {
    1.0 / (1.0 + (-v).exp())
}

fn dot(w: &[f64], z: &[f64]) -> f64 {
    w.iter().zip(z).map(|(a, b)| a * b).sum()
}

/// Solves the symmetric positive-definite system by Cholesky; `None` when
/// it is not positive definite.
fn solve<const N: usize>(a: [[f64; N]; N], b: [f64; N]) -> Option<[f64; N]> {
    let mut l = [[0.0; N]; N];
    for i in 0..N {
        for j in 0..=i {
            let sum: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - sum;
                if d <= 0.0 || !d.is_finite() {
                    return None;
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - sum) / l[j][j];
            }
        }
    }
    let mut y = [0.0; N];
    for i in 0..N {
        y[i] = (b[i] - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
    }
    let mut x = [0.0; N];
    for i in (0..N).rev() {
        x[i] = (y[i] - (i + 1..N).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sales::Maybe;

    #[test]
    fn cholesky_solves_a_small_system() {
        let a = [[4.0, 2.0], [2.0, 3.0]];
        let x = solve(a, [2.0, 1.0]).expect("positive definite");
        assert!((x[0] - 0.5).abs() < 1e-12 && x[1].abs() < 1e-12, "{x:?}");
        assert_eq!(solve([[0.0, 0.0], [0.0, 1.0]], [1.0, 1.0]), None);
    }

    #[test]
    fn the_regression_learns_that_recent_customers_buy() {
        // Recency decides the label; the other features are noise.
        let rows: Vec<[f64; K]> = (0..400)
            .map(|i| {
                let recency = f64::from(i % 200);
                let noise = f64::from(i % 3) / 2.0;
                [
                    recency, 300.0, 1.0, 4.0, 3.0, 30.0, noise, 0.0, 0.0, noise, 0.0, 365.0,
                ]
            })
            .collect();
        let labels: Vec<bool> = rows.iter().map(|r| r[0] < 60.0).collect();
        let model = Logistic::fit(&rows, &labels);
        assert!(
            model.weights[1] < -1.0,
            "recency lowers the odds: {:?}",
            model.weights
        );
        let scores: Vec<f64> = rows.iter().map(|r| model.predict(r)).collect();
        assert!(auc(&scores, &labels).expect("both") > 0.99);
    }

    #[test]
    fn a_fit_started_on_a_sample_ends_where_one_from_zero_does() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let rows: Vec<[f64; K]> = (0..3 * SAMPLE_ROWS)
            .map(|_| std::array::from_fn(|j| rng.random::<f64>() * (j + 1) as f64))
            .collect();
        let labels: Vec<bool> = rows
            .iter()
            .map(|r| rng.random::<f64>() < sigmoid(r[0] - 0.3 * r[3] + 0.1 * r[7] - 1.0))
            .collect();
        let warm = Logistic::fit(&rows, &labels);
        let mut cold = vec![0.0; K + 1];
        newton(&rows, &labels, &warm.standard, &mut cold);
        for (a, b) in warm.weights.iter().zip(&cold) {
            assert!((a - b).abs() < 1e-7, "{:?} vs {cold:?}", warm.weights);
        }
        assert!(
            warm.weights[1] > 0.1 && warm.weights[4] < -0.1,
            "{:?}",
            warm.weights
        );
    }

    #[test]
    fn activity_after_the_cut_is_not_seen() {
        let cut = Date::from_ymd(2025, 6, 1).expect("valid");
        let day = |offset| DayActivity {
            date: cut.add_days(offset),
            item_views: 3,
            add_to_carts: 1,
            events: 5,
        };
        // 100 days before (outside the 90-day window), 10 before, 5 after.
        let days = [day(-100), day(-10), day(5)];
        let (views, carts, since) = activity_features(&days, cut);
        assert_eq!((views, carts, since), (3f64.ln_1p(), 1f64.ln_1p(), 10.0));
        assert_eq!(activity_features(&days[2..], cut), (0.0, 0.0, 365.0));
    }

    #[test]
    fn categories_bought_after_the_cut_are_not_seen() {
        // Category numbers below 64 (a bit each) and beyond.
        for offset in [0, 100] {
            categories_before_a_cut(offset);
        }
    }

    fn categories_before_a_cut(offset: u32) {
        let cut = Date::from_ymd(2025, 6, 1).expect("valid");
        let purchases = [
            Purchase::new(0, cut.add_days(-30), 30.0),
            Purchase::new(1, cut.add_days(-20), 10.0),
            Purchase::new(0, cut.add_days(10), 50.0),
        ];
        let item = |purchase: u32, customer: u32, category: u32, price: f64| SoldItem {
            purchase,
            customer,
            product: 0,
            sku: Maybe::NONE,
            category: Maybe::some(category + offset),
            quantity: 1.0,
            price,
            discount: 0.0,
        };
        // Category 7 sells most before the cut; category 9 only after it.
        let items = [
            item(0, 0, 7, 20.0),
            item(0, 0, 8, 10.0),
            item(1, 1, 7, 10.0),
            item(2, 0, 9, 50.0),
        ];
        let mut ids = crate::customers::Identities::default();
        ids.intern("a", None);
        ids.intern("b", None);
        let (table, _) = CustomerTable::build(
            ids,
            &purchases,
            FxHashMap::default(),
            FxHashMap::default(),
            cut.add_days(10),
        );
        let sources = Sources {
            purchases: &purchases,
            items: &items,
            customers: &table,
        };
        let [at_cut, after, before] =
            category_features(&sources, [cut, cut.add_days(10), cut.add_days(-25)]);
        assert_eq!(
            at_cut[0],
            (2f64.ln_1p(), 20.0 / 30.0),
            "two categories, 2/3 in the top one"
        );
        assert_eq!(at_cut[1], (1f64.ln_1p(), 1.0));
        // Ten days on, category 9 leads the store.
        assert_eq!(after[0], (3f64.ln_1p(), 50.0 / 80.0));
        assert_eq!(after[1], (1f64.ln_1p(), 0.0));
        // Before customer 1's first purchase.
        assert_eq!(before[0], (2f64.ln_1p(), 20.0 / 30.0));
        assert_eq!(before[1], (0.0, 0.0));
        // Each cut as if computed alone.
        let together = features_at(&sources, [cut, cut.add_days(10), cut.add_days(-25)]);
        for (c, day) in [cut, cut.add_days(10), cut.add_days(-25)]
            .into_iter()
            .enumerate()
        {
            let [alone] = features_at(&sources, [day]);
            assert_eq!(together[c], alone, "cut {c}");
        }
    }

    #[test]
    fn short_histories_get_no_model_but_a_reason() {
        let day = Date::from_ymd(2025, 1, 1).expect("valid");
        let purchases = [
            Purchase::new(0, day, 5.0),
            Purchase::new(0, day.add_days(20), 5.0),
        ];
        let mut ids = crate::customers::Identities::default();
        ids.intern("a", None);
        let (table, _) = CustomerTable::build(
            ids,
            &purchases,
            FxHashMap::default(),
            FxHashMap::default(),
            day.add_days(30),
        );
        let sources = Sources {
            purchases: &purchases,
            items: &[],
            customers: &table,
        };
        let error = propensity(&sources, day.add_days(30), None, &[]).expect_err("too short");
        assert!(error.contains("the orders cover 30 days"), "{error}");
    }
}

#[cfg(test)]
mod cdnow {
    use super::*;
    use crate::ingest::Ingest;
    use crate::models::history::TimeUnit;

    #[test]
    fn on_cdnow_both_rankings_beat_chance_and_the_winner_is_the_better_one() {
        let mut ingest = Ingest::new(None);
        ingest.begin_file("CDNOW_sample.txt").expect("begin");
        ingest
            .push(include_bytes!("../../tests/data/cdnow_sample.txt"))
            .expect("push");
        let got = ingest.finish().expect("finish");
        let as_of = got.customers.as_of;
        let history = histories(
            &got.sales.purchases,
            got.customers.len(),
            as_of,
            TimeUnit::Week,
        );
        let model = RepeatModel::fit(ModelKind::Bgnbd, &Grouped::of(history.iter().flatten()))
            .expect("fits")
            .params;
        let sources = Sources {
            purchases: &got.sales.purchases,
            items: &got.sales.items,
            customers: &got.customers,
        };
        let found = propensity(&sources, as_of, Some(&model), &history).expect("runs");
        let r = &found.report;
        assert_eq!(r.horizon_days, 90);
        assert_eq!(r.test_cut, as_of.add_days(-90));
        let (l, b) = (
            r.logistic_auc.expect("auc"),
            r.repeat_model_auc.expect("auc"),
        );
        assert!(l > 0.6 && b > 0.6, "{r:?}");
        match r.winner {
            Winner::LogisticRegression => assert!(l > b),
            Winner::RepeatModel => assert!(b + 0.005 >= l),
        }
        assert_eq!(found.scores.len(), got.customers.len());
        assert!(found
            .scores
            .iter()
            .flatten()
            .all(|p| (0.0..=1.0).contains(p)));
        eprintln!("{}", r.verdict);
    }
}
