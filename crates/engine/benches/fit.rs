//! BG/NBD fitting speed on a million customers, natively; `scripts/bench.sh`
//! runs the Python `lifetimes` package's `BetaGeoFitter` on the same
//! customers (written to a CSV by this benchmark) and reports the ratio.
//!
//!     cargo bench -p segmenter-engine --bench fit -- [--customers N] [--write CSV]
//!         [--write-orders CSV] [--json OUT]
//!
//! `--write` writes the customers' (frequency, recency, T) for `lifetimes`;
//! `--write-orders` writes their purchases as an order table
//! (`customer_id,order_date,amount`) for the page, so the browser benchmark
//! fits the same customers after reading them like any merchant file.
//!
//! Customers are simulated from known BG/NBD parameters over two years,
//! with whole-day purchase dates as real exports have. The timing covers
//! grouping the histories and the fit, best of 3. A benchmark, not a test:
//! it reports and never fails on speed.

use std::io::Write;
use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Bernoulli, Beta, Distribution, Exp, Gamma};
use segmenter_engine::models::bgnbd::BgNbd;
use segmenter_engine::models::history::{Grouped, History};
use segmenter_engine::Date;

const RUNS: usize = 3;
const TRUE: BgNbd = BgNbd {
    r: 0.8,
    alpha: 6.0,
    a: 0.7,
    b: 2.5,
};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let customers: usize = value("--customers").map_or(1_000_000, |v| v.parse().expect("a number"));
    let (histories, orders) = simulate(customers, 42);
    if let Some(path) = value("--write-orders") {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("writable"));
        writeln!(out, "customer_id,order_date,amount").expect("write");
        let start = Date::from_ymd(2024, 1, 1).expect("valid");
        for &(customer, day) in &orders {
            writeln!(out, "C{customer},{},25.00", start.add_days(day as i32)).expect("write");
        }
    }
    if let Some(path) = value("--write") {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("writable"));
        writeln!(out, "frequency,recency,T").expect("write");
        for h in &histories {
            writeln!(out, "{},{},{}", h.x, h.t_x, h.t).expect("write");
        }
    }
    let mut best = f64::INFINITY;
    let mut best_grouping = f64::INFINITY;
    let mut fitted = None;
    let mut groups = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let grouped = Grouped::of(&histories);
        let grouping = start.elapsed().as_secs_f64();
        let fit = BgNbd::fit(&grouped, 0.0).expect("fits");
        let total = start.elapsed().as_secs_f64();
        if total < best {
            best = total;
            best_grouping = grouping;
        }
        groups = grouped.len();
        fitted = Some(fit.params);
    }
    let m = fitted.expect("ran");
    eprintln!(
        "{customers} customers, {groups} distinct (x, t_x, T); grouped and fitted in {best:.3} s (grouping {best_grouping:.3} s): r {:.4} alpha {:.4} a {:.4} b {:.4}",
        m.r, m.alpha, m.a, m.b
    );
    let json = format!(
        "{{\"customers\": {customers}, \"groups\": {groups}, \"seconds\": {best}, \"grouping_seconds\": {best_grouping}, \"r\": {}, \"alpha\": {}, \"a\": {}, \"b\": {}}}",
        m.r, m.alpha, m.a, m.b
    );
    match value("--json") {
        Some(path) => std::fs::write(path, json).expect("writable"),
        None => println!("{json}"),
    }
}

/// Customers joining over the first year, watched for two; weeks, with
/// purchase times rounded down to whole days. Also returns every purchase
/// as (customer, day), the first purchases included.
fn simulate(customers: usize, seed: u64) -> (Vec<History>, Vec<(usize, u32)>) {
    let mut orders = Vec::new();
    let (window, end) = (364.0, 728.0);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rate = Gamma::new(TRUE.r, 1.0 / TRUE.alpha).expect("valid");
    let dropout = Beta::new(TRUE.a, TRUE.b).expect("valid");
    let histories = (0..customers)
        .map(|i| {
            let first = (window * i as f64 / customers as f64).floor();
            orders.push((i, first as u32));
            let t_days = end - first;
            let lambda: f64 = rate.sample(&mut rng);
            let p: f64 = dropout.sample(&mut rng);
            let wait = Exp::new(lambda / 7.0).expect("valid");
            let leave = Bernoulli::new(p).expect("valid");
            let (mut x, mut last, mut now) = (0u32, 0.0f64, 0.0f64);
            loop {
                now += wait.sample(&mut rng);
                if now > t_days {
                    break;
                }
                // Same-day purchases are one transaction, as in real data.
                if now.floor() == last && x > 0 || now.floor() == 0.0 {
                    continue;
                }
                x += 1;
                last = now.floor();
                orders.push((i, (first + last) as u32));
                if leave.sample(&mut rng) {
                    break;
                }
            }
            History {
                x,
                t_x: last / 7.0,
                t: t_days / 7.0,
                repeat_value: 0.0,
                mean_value: 0.0,
            }
        })
        .collect();
    (histories, orders)
}
