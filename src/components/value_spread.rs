//! How predicted 12-month value is spread over buyers: a histogram whose
//! bars open the customers in their range.

use leptos::prelude::*;
use segmenter_engine::figures::ValueBin;

use crate::charts::{Histogram, HistogramBar};
use crate::format;
use crate::state::AppState;

#[component]
pub fn ValueSpreadChart() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let f = state.finished.get()?;
        let spread = f.summary.figures.predicted_value.clone()?;
        let currency = f.summary.currency.clone();
        let c = currency.as_deref();
        let bars = spread
            .bins
            .iter()
            .map(|bin| {
                let range = range_words(bin, c);
                let filter = range_filter(bin);
                let label = format!("Predicted value {range}");
                HistogramBar {
                    label: match bin.high {
                        Some(high) if bin.low <= 0.0 => {
                            format!("< {}", format::short_money(high, c))
                        }
                        Some(high) => format!(
                            "{}–{}",
                            format::short_money(bin.low, c),
                            format::short_money(high, c)
                        ),
                        None => format!("{}+", format::short_money(bin.low, c)),
                    },
                    count: bin.customers,
                    tip: format!(
                        "{range}: {} customers, {} predicted in all. Show them.",
                        format::int(bin.customers),
                        format::money(bin.value, c)
                    ),
                    on_select: Callback::new(move |()| {
                        state.show_customers(label.clone(), filter.clone())
                    }),
                }
            })
            .collect::<Vec<_>>();
        Some(view! {
            <section class="panel value-spread" id="value-spread" aria-labelledby="value-spread-title">
                <div class="panel-head">
                    <h2 id="value-spread-title">"How predicted value is spread"</h2>
                    <p class="muted">{format!(
                        "{} customers: half are predicted to spend less than {} in the next 12 months; the average is {} (a few big spenders pull it up).",
                        format::int(spread.customers),
                        format::money(spread.median, c),
                        format::money(spread.mean, c),
                    )}</p>
                </div>
                <figure class="chart">
                    <Histogram id="value-histogram" label="Customers by predicted value of the next 12 months".to_string() bars=bars/>
                    <figcaption>"Customers per range of predicted value; the ranges grow as values do, so the few high-value customers still show. Select a bar to see its customers."</figcaption>
                </figure>
            </section>
        })
    }
}

/// "€50 – €100" or "€500 and more".
fn range_words(bin: &ValueBin, currency: Option<&str>) -> String {
    match bin.high {
        Some(high) => format!(
            "{} – {}",
            format::money(bin.low, currency),
            format::money(high, currency)
        ),
        None => format!("{} and more", format::money(bin.low, currency)),
    }
}

/// The segment query for a bar's range (the low end included).
fn range_filter(bin: &ValueBin) -> String {
    let number = |v: f64| {
        let text = format!("{v:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    match bin.high {
        Some(high) => format!(
            "predicted_clv >= {} AND predicted_clv < {}",
            number(bin.low),
            number(high)
        ),
        None => format!("predicted_clv >= {}", number(bin.low)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_become_queries() {
        let closed = ValueBin {
            low: 0.0,
            high: Some(12.5),
            customers: 3,
            value: 10.0,
        };
        assert_eq!(
            range_filter(&closed),
            "predicted_clv >= 0 AND predicted_clv < 12.5"
        );
        let open = ValueBin {
            low: 250.0,
            high: None,
            customers: 1,
            value: 300.0,
        };
        assert_eq!(range_filter(&open), "predicted_clv >= 250");
    }
}
