//! How predicted 12-month value is spread over buyers: a histogram over
//! ranges that grow by round steps (… $10, $25, $50, $100, $250 …).
//! Value is long-tailed (most customers are worth little, a few many times
//! the median), so equal-width bars would put nearly everyone in the first
//! bar; growing ranges show the whole spread and still read as plain
//! amounts. Below the first edge (the 5th percentile) is one bar, above the
//! last (the 99th) one open bar.

use serde::{Deserialize, Serialize};

/// The percentiles the first and last edges sit at (rounded outwards).
const LOW: f64 = 0.05;
const HIGH: f64 = 0.99;
/// The smallest edge: a first bar below one cent says nothing.
const SMALLEST_EDGE: f64 = 0.01;

/// One bar: values in `low .. high` (`high` is `None` for the open last bar).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValueBin {
    pub low: f64,
    pub high: Option<f64>,
    pub customers: u64,
    /// Their predicted value summed.
    pub value: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValueSpread {
    pub bins: Vec<ValueBin>,
    pub customers: u64,
    pub median: f64,
    pub mean: f64,
}

impl ValueSpread {
    /// `None` for no values (no fitted models).
    pub fn of(values: &[f64]) -> Option<ValueSpread> {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let quantile = |q: f64| sorted[((n - 1) as f64 * q).round() as usize];
        let edges = round_edges(quantile(LOW), quantile(HIGH));
        let first_low = sorted[0].min(0.0);
        let mut bins: Vec<ValueBin> = std::iter::once(first_low)
            .chain(edges.iter().copied())
            .enumerate()
            .map(|(i, low)| ValueBin {
                low,
                high: edges.get(i).copied(),
                customers: 0,
                value: 0.0,
            })
            .collect();
        for &v in &sorted {
            // Bars above the value's own: the bar is the count of edges ≤ v.
            let b = edges.partition_point(|&e| e <= v);
            bins[b].customers += 1;
            bins[b].value += v;
        }
        // An empty first or open last bar says nothing.
        if bins.last().is_some_and(|b| b.customers == 0) && bins.len() > 1 {
            bins.pop();
        }
        if bins.len() > 1 && bins[0].customers == 0 {
            bins.remove(0);
        }
        Some(ValueSpread {
            bins,
            customers: n as u64,
            median: quantile(0.5),
            mean: sorted.iter().sum::<f64>() / n as f64,
        })
    }
}

/// Round edges (1, 2.5, 5 × 10ᵏ) from the largest at or below `low` to the
/// smallest at or above `high`.
fn round_edges(low: f64, high: f64) -> Vec<f64> {
    let start = round_at_or_below(low.max(SMALLEST_EDGE));
    let mut edges = vec![start];
    let mut edge = start;
    while edge < high && edges.len() < 40 {
        edge = next_round(edge);
        edges.push(edge);
    }
    edges
}

fn round_at_or_below(x: f64) -> f64 {
    let power = 10f64.powf(x.log10().floor());
    [5.0, 2.5, 1.0]
        .iter()
        .map(|m| m * power)
        .find(|&e| e <= x * (1.0 + 1e-9))
        .unwrap_or(power)
}

fn next_round(edge: f64) -> f64 {
    let power = 10f64.powf((edge * (1.0 + 1e-9)).log10().floor());
    let mantissa = edge / power;
    if mantissa < 2.0 {
        2.5 * power
    } else if mantissa < 4.0 {
        5.0 * power
    } else {
        10.0 * power
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn edges_are_round_and_grow() {
        assert_eq!(
            round_edges(12.0, 600.0),
            vec![10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0]
        );
        assert_eq!(round_edges(0.0, 0.0), vec![0.01]);
        assert_eq!(round_edges(3.0, 2.0), vec![2.5]);
    }

    #[test]
    fn a_long_tail_is_spread_over_growing_ranges() {
        let mut values: Vec<f64> = (1..=1000).map(f64::from).collect();
        values.extend([50_000.0, 90_000.0]);
        let spread = ValueSpread::of(&values).expect("test data");
        let lows: Vec<f64> = spread.bins.iter().map(|b| b.low).collect();
        assert_eq!(lows, vec![0.0, 50.0, 100.0, 250.0, 500.0, 1000.0]);
        assert_eq!(spread.bins.last().expect("test data").high, None);
        // The first bar holds everything under the first edge.
        assert_eq!(spread.bins[0].customers, 49);
        assert_eq!(spread.bins.last().expect("test data").customers, 3);
        // The nearest-rank median of 1,002 values (index 500.5 rounds up).
        assert_eq!(spread.median, 502.0);
    }

    #[test]
    fn nothing_to_spread_is_none() {
        assert_eq!(ValueSpread::of(&[]), None);
        assert_eq!(ValueSpread::of(&[f64::NAN]), None);
    }

    proptest! {
        #[test]
        fn every_value_lands_in_the_bin_that_covers_it(
            values in proptest::collection::vec(-50.0f64..100_000.0, 1..300)
        ) {
            let spread = ValueSpread::of(&values).expect("test data");
            let counted: u64 = spread.bins.iter().map(|b| b.customers).sum();
            prop_assert_eq!(counted, values.len() as u64);
            let total: f64 = spread.bins.iter().map(|b| b.value).sum();
            let expected: f64 = values.iter().sum();
            prop_assert!((total - expected).abs() <= 1e-6 * expected.abs().max(1.0));
            for pair in spread.bins.windows(2) {
                prop_assert_eq!(pair[0].high, Some(pair[1].low));
            }
            for &v in &values {
                prop_assert!(spread.bins[0].low <= v);
            }
        }
    }
}
