//! The published CDNOW fits (Fader, Hardie & Lee 2005; Fader & Hardie 2013),
//! reproduced from the 2-decimal summary file and from the raw purchases
//! through the whole ingest path.

use super::bgnbd::BgNbd;
use super::gamma_gamma::{GammaGamma, Spend};
use super::history::{histories, Grouped, History, TimeUnit};
use crate::date::Date;
use crate::ingest::Ingest;

const SUMMARY: &str =
    include_str!("../../tests/data/cdnow_customers_summary_with_transactions.csv");
const SAMPLE: &[u8] = include_bytes!("../../tests/data/cdnow_sample.txt");

/// The CDNOW calibration summary (`ID,x,t_x,T,zbar`, weeks) as histories.
pub(crate) fn summary() -> Vec<History> {
    SUMMARY
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<f64> = line
                .split(',')
                .map(|v| v.parse().expect("number"))
                .collect();
            History {
                x: f[1] as u32,
                t_x: f[2],
                t: f[3],
                repeat_value: f[4],
                mean_value: f[4],
            }
        })
        .collect()
}

fn relative(got: f64, want: f64) -> f64 {
    (got - want).abs() / want.abs()
}

#[test]
fn bgnbd_on_the_summary_file_matches_the_published_fit() {
    let data = Grouped::of(&summary());
    assert_eq!(data.customers(), 2357.0);
    let fitted = BgNbd::fit(&data, 0.0).expect("fits");
    let m = fitted.params;
    for (got, want) in [
        (m.r, 0.242593),
        (m.alpha, 4.413532),
        (m.a, 0.792886),
        (m.b, 2.425752),
    ] {
        assert!(relative(got, want) < 1e-5, "{m:?}");
    }
    assert!((m.log_likelihood(&data) - -9582.4256).abs() < 1e-3);
    assert_eq!(fitted.penalizer, 0.0);
}

#[test]
fn gamma_gamma_on_the_summary_file_matches_the_published_fit() {
    let histories = summary();
    let spend = Spend {
        x: histories.iter().map(|h| f64::from(h.x)).collect(),
        mean_value: histories.iter().map(|h| h.repeat_value).collect(),
    };
    let fitted = GammaGamma::fit(&spend, 0.0).expect("fits");
    let g = fitted.params;
    for (got, want) in [(g.p, 6.248804), (g.q, 3.744588), (g.gamma, 15.447741)] {
        assert!(relative(got, want) < 1e-4, "{g:?}");
    }
    assert!((g.log_likelihood(&spend) - -4055.92).abs() < 0.05);
    let repeat: Spend = Spend {
        x: spend.x.iter().copied().filter(|&x| x > 0.0).collect(),
        mean_value: spend
            .x
            .iter()
            .zip(&spend.mean_value)
            .filter(|(&x, _)| x > 0.0)
            .map(|(_, &m)| m)
            .collect(),
    };
    assert_eq!(repeat.x.len(), 946);
    let correlation = repeat.correlation().expect("enough buyers");
    assert!((correlation - 0.1139).abs() < 5e-4, "{correlation}");
}

#[test]
fn bgnbd_from_the_raw_purchases_matches_the_published_fit() {
    let as_of = Date::from_ymd(1997, 9, 30).expect("valid");
    let mut ingest = Ingest::new(Some(as_of));
    ingest.begin_file("CDNOW_sample.txt").expect("begin");
    ingest.push(SAMPLE).expect("push");
    let got = ingest.finish().expect("finish");
    let h: Vec<History> = histories(
        &got.sales.purchases,
        got.customers.len(),
        as_of,
        TimeUnit::Week,
    )
    .into_iter()
    .flatten()
    .collect();
    assert_eq!(h.len(), 2357);
    // Published: Σx = 2,457 repeat transactions; 1,411 customers with x = 0.
    assert_eq!(h.iter().map(|h| h.x).sum::<u32>(), 2457);
    assert_eq!(h.iter().filter(|h| h.x == 0).count(), 1411);
    let m = BgNbd::fit(&Grouped::of(&h), 0.0).expect("fits").params;
    // Exact weeks differ from the 2-decimal file in the 4th significant digit.
    for (got, want) in [
        (m.r, 0.242593),
        (m.alpha, 4.413532),
        (m.a, 0.792886),
        (m.b, 2.425752),
    ] {
        assert!(relative(got, want) < 1e-3, "{m:?}");
    }
    assert!((m.log_likelihood(&Grouped::of(&h)) - -9582.4256).abs() < 0.05);
}
