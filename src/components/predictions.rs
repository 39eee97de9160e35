use leptos::prelude::*;
use segmenter_engine::models::backtest::{Backtest, Reliability};
use segmenter_engine::models::scores::{ModelSummary, SpendTier};
use segmenter_engine::wording::capitalise;

use crate::format;
use crate::state::AppState;

/// What the models expect, and the proof: the same models fitted on the
/// earlier history against what customers then did.
#[component]
pub fn PredictionPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let Some(f) = state.finished.get() else {
            return ().into_any();
        };
        let s = &f.summary;
        if s.customers == 0 {
            return ().into_any();
        }
        let models = s.models.clone();
        let currency = s.currency.clone();
        let failed = models.bgnbd.fit.error.clone();
        let tier = |t: SpendTier| {
            models
                .spend_tiers
                .iter()
                .find(|(x, _)| *x == t)
                .map_or(0, |(_, n)| *n)
        };
        let tiers = format!(
            "{} high · {} medium · {} low",
            format::int(tier(SpendTier::High)),
            format::int(tier(SpendTier::Medium)),
            format::int(tier(SpendTier::Low))
        );
        view! {
            <section class="panel" aria-labelledby="predictions-title" id="predictions">
                <div class="panel-head">
                    <h2 id="predictions-title">"Predictions"</h2>
                    <p class="muted">
                        {format!(
                            "Repeat buying (BG/NBD) and spend (Gamma-Gamma) learnt from {}; value discounted at {:.0} % a month",
                            segmenter_engine::wording::count(models.bgnbd.customers, "customer", "customers"),
                            models.monthly_discount_rate * 100.0
                        )}
                    </p>
                </div>
                {match failed {
                    Some(why) => view! {
                        <p class="alert" id="model-failed">{format!("No predictions: {why}.")}</p>
                    }.into_any(),
                    None => view! {
                        <dl class="kpis">
                            <div class="kpi">
                                <dt>"Orders expected, next 90 days"</dt>
                                <dd id="kpi-expected-90">{format::int(models.expected_purchases_90d.round() as u64)}</dd>
                            </div>
                            <div class="kpi">
                                <dt>"Value expected, next 12 months"</dt>
                                <dd id="kpi-clv">{format::money(models.predicted_clv_12m, currency.as_deref())}</dd>
                            </div>
                            <div class="kpi">
                                <dt>"Customers more likely gone than active"</dt>
                                <dd id="kpi-churned">{format::int(models.likely_churned)}</dd>
                            </div>
                            <div class="kpi wide">
                                <dt>"Predicted spend tier"</dt>
                                <dd class="small">{tiers}</dd>
                            </div>
                        </dl>
                    }.into_any(),
                }}
                <p class="muted small" id="model-choice">
                    {format!("Model in use: {}. {}.", models.model.name(), capitalise(&models.model_choice))}
                </p>
                <BacktestView models=models.clone()/>
                {models.propensity.as_ref().map(|p| view! {
                    <div class="backtest" id="propensity">
                        <h3>"Purchase propensity"</h3>
                        <p>{p.verdict.clone()}</p>
                    </div>
                })}
                {(!models.warnings.is_empty()).then(|| view! {
                    <ul class="warnings" id="model-warnings">
                        {models.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}
                    </ul>
                })}
            </section>
        }
        .into_any()
    }
}

/// The backtest: verdict, and predicted against actual purchases per
/// calibration frequency as a bar chart.
#[component]
fn BacktestView(models: ModelSummary) -> impl IntoView {
    let Some(test) = models.backtest else {
        let why = models
            .backtest_skipped
            .unwrap_or_else(|| "not enough history".into());
        return view! {
            <p class="muted" id="backtest-skipped">{format!("No backtest: {why}.")}</p>
        }
        .into_any();
    };
    let badge = match test.reliability {
        Reliability::Good => ("badge good", "Reliable"),
        Reliability::Fair => ("badge fair", "Use as a guide"),
        Reliability::Poor => ("badge poor", "Not reliable yet"),
    };
    view! {
        <div class="backtest" id="backtest">
            <h3>
                "Checked against your own history "
                <span class=badge.0 id="backtest-verdict">{badge.1}</span>
            </h3>
            <p>{test.verdict.clone()}</p>
            <BucketChart test=test.clone()/>
            <p class="muted small">
                {format!(
                    "Calibration up to {}, holdout {} to {}. Mean absolute error {:.2} purchases per customer.",
                    test.calibration_end,
                    test.calibration_end.add_days(1),
                    test.holdout_end,
                    test.mean_absolute_error
                )}
            </p>
        </div>
    }
    .into_any()
}

/// Grouped bars: actual and predicted mean purchases in the holdout, by how
/// many repeat purchases customers had made before it.
#[component]
fn BucketChart(test: Backtest) -> impl IntoView {
    const WIDTH: f64 = 640.0;
    const HEIGHT: f64 = 220.0;
    const LEFT: f64 = 40.0;
    const BOTTOM: f64 = 36.0;
    const TOP: f64 = 12.0;
    let plot_height = HEIGHT - BOTTOM - TOP;
    let highest = test
        .buckets
        .iter()
        .flat_map(|b| [b.actual_mean, b.predicted_mean])
        .fold(0.0f64, f64::max)
        .max(0.1);
    let step = nice_step(highest / 4.0);
    let top_value = (highest / step).ceil() * step;
    let y = move |v: f64| TOP + plot_height * (1.0 - v / top_value);
    let slot = (WIDTH - LEFT) / test.buckets.len().max(1) as f64;
    let bar = slot * 0.32;
    let grid = (0..=((top_value / step).round() as i32))
        .map(|i| {
            let v = f64::from(i) * step;
            view! {
                <line x1=LEFT x2=WIDTH y1=y(v) y2=y(v) class="grid"/>
                <text x=LEFT - 6.0 y=y(v) + 4.0 class="tick" text-anchor="end">{format_tick(v)}</text>
            }
        })
        .collect_view();
    let bars = test
        .buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let x0 = LEFT + slot * i as f64 + slot * 0.18;
            let label = format!("{} repeat purchases before: {} customers", b.frequency, b.customers);
            view! {
                <g>
                    <title>{format!("{label}; actual {:.2}, predicted {:.2} on average", b.actual_mean, b.predicted_mean)}</title>
                    <rect x=x0 y=y(b.actual_mean) width=bar height=(y(0.0) - y(b.actual_mean)).max(0.0) class="actual"/>
                    <rect x=x0 + bar y=y(b.predicted_mean) width=bar height=(y(0.0) - y(b.predicted_mean)).max(0.0) class="predicted"/>
                    <text x=x0 + bar y=HEIGHT - BOTTOM + 16.0 class="tick" text-anchor="middle">{b.frequency.clone()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="bucket-chart-caption" id="bucket-chart">
                {grid}
                {bars}
                <text x=LEFT + (WIDTH - LEFT) / 2.0 y=HEIGHT - 4.0 class="axis" text-anchor="middle">
                    "Repeat purchases before the holdout"
                </text>
            </svg>
            <figcaption id="bucket-chart-caption">
                <span class="key actual"></span>"Actual "
                <span class="key predicted"></span>"Predicted"
                " — mean purchases per customer in the holdout"
            </figcaption>
        </figure>
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let power = 10f64.powf(raw.max(1e-9).log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * power)
}

fn format_tick(v: f64) -> String {
    if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}
