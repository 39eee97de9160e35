//! Ingest throughput on a Shopify orders export, natively, as a ratio
//! against a peer on the same bytes in the same process: the `csv` crate
//! reading raw records (the floor of any CSV-based analysis), and the `csv`
//! crate with the per-customer aggregation a hand-written script would do.
//!
//!     cargo bench -p segmenter-engine --bench ingest -- [FILE] [--json OUT]
//!
//! Without FILE it generates the demo store with 1M lines in memory. Each
//! contender runs 3 times on bytes already in memory; the best run counts.
//! This is a benchmark, not a test: it reports and never fails on speed.

use std::collections::HashMap;
use std::time::Instant;

use segmenter_engine::demo::DemoStore;
use segmenter_engine::ingest::csv::{CsvTokenizer, Record};
use segmenter_engine::ingest::Ingest;
use segmenter_engine::pipeline::CHUNK_BYTES;
use segmenter_engine::rfm::Rfm;

const RUNS: usize = 3;
/// Customers for about one million lines (8.1 lines per customer).
const CUSTOMERS_FOR_1M_LINES: u32 = 123_000;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let json_out = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1).cloned());
    let file = args
        .iter()
        .find(|a| !a.starts_with("--") && Some(*a) != json_out.as_ref());
    let bytes = match file {
        Some(path) => std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}")),
        None => {
            eprintln!("generating the demo store with about 1M lines…");
            DemoStore {
                customers: CUSTOMERS_FOR_1M_LINES,
                ..DemoStore::default()
            }
            .generate()
        }
    };
    let mib = bytes.len() as f64 / (1024.0 * 1024.0);
    let lines = bytecount(&bytes);
    eprintln!("input: {mib:.1} MiB, {lines} lines");

    // Ingest (files → customer table) and RFM, as the label says; the
    // predictive models have their own benchmark (`--bench fit`).
    let ours = best_of(|| {
        let mut ingest = Ingest::new(None);
        ingest.begin_file("bench.csv").expect("begin");
        for chunk in bytes.chunks(CHUNK_BYTES) {
            ingest.push(chunk).expect("push");
        }
        let ingested = ingest.finish().expect("finish");
        let rfm = Rfm::score(&ingested.customers);
        ingested.customers.len() + rfm.group.len()
    });
    let tokenizer = best_of(|| {
        let mut tokenizer = CsvTokenizer::new(b',');
        let mut n = 0usize;
        let mut count = |_: Record<'_>| -> Result<(), ()> {
            n += 1;
            Ok(())
        };
        for chunk in bytes.chunks(8 << 20) {
            tokenizer.feed(chunk, &mut count).expect("infallible");
        }
        tokenizer.finish(&mut count).expect("infallible");
        n
    });
    let raw = best_of(|| {
        let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[..]);
        let mut record = csv::ByteRecord::new();
        let mut n = 0;
        while reader.read_byte_record(&mut record).expect("csv") {
            n += 1;
        }
        n
    });
    let aggregated = best_of(|| csv_aggregate(&bytes));

    let rows = [
        ("segmenter: ingest + customers + RFM", ours),
        ("segmenter: CSV tokenizer alone", tokenizer),
        ("csv crate: raw records", raw),
        (
            "csv crate: records + per-customer HashMap (orders, last date, spend)",
            aggregated,
        ),
    ];
    println!("| contender | best of {RUNS} | MiB/s | segmenter ÷ peer (time) |");
    println!("|---|---|---|---|");
    for (name, seconds) in rows {
        println!(
            "| {name} | {:.3} s | {:.0} | {:.2} |",
            seconds,
            mib / seconds,
            ours / seconds
        );
    }
    if let Some(path) = json_out {
        let json = format!(
            "{{\"mib\": {mib:.3}, \"lines\": {lines}, \"segmenter_s\": {ours:.6}, \"tokenizer_s\": {tokenizer:.6}, \"csv_raw_s\": {raw:.6}, \"csv_aggregate_s\": {aggregated:.6}}}\n"
        );
        std::fs::write(&path, json).unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
    }
}

/// The best wall time of [`RUNS`] runs, in seconds.
fn best_of<T>(mut run: impl FnMut() -> T) -> f64 {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(run());
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// What a script would do with the csv crate: per lower-cased email, the
/// orders (an order's lines are consecutive), the last date and the spend.
/// Shopify's export carries the order's Total on its first line; a narrow
/// table price and quantity on every line.
fn csv_aggregate(bytes: &[u8]) -> usize {
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let headers = reader.byte_headers().expect("header").clone();
    let column = |name: &[u8]| headers.iter().position(|h| h == name);
    let shopify = column(b"Total");
    let find = |shopify_name: &[u8], narrow_name: &[u8]| {
        column(if shopify.is_some() {
            shopify_name
        } else {
            narrow_name
        })
        .expect("column")
    };
    let (email, date, order) = (
        find(b"Email", b"email"),
        find(b"Created at", b"order_date"),
        find(b"Name", b"order_id"),
    );
    let (price, quantity) = (column(b"price"), column(b"quantity"));
    let number = |field: &[u8]| -> f64 {
        std::str::from_utf8(field)
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0.0)
    };
    struct Customer {
        orders: u32,
        spent: f64,
        last: Vec<u8>,
        order: Vec<u8>,
    }
    let mut customers: HashMap<Vec<u8>, Customer> = HashMap::new();
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).expect("csv") {
        let field = |i: usize| record.get(i).unwrap_or_default();
        let key = field(email).trim_ascii().to_ascii_lowercase();
        if key.is_empty() {
            continue;
        }
        let amount = match (shopify, price, quantity) {
            (Some(total), _, _) => number(field(total)),
            (None, Some(p), Some(q)) => number(field(p)) * number(field(q)),
            _ => 0.0,
        };
        let customer = customers.entry(key).or_insert_with(|| Customer {
            orders: 0,
            spent: 0.0,
            last: Vec::new(),
            order: Vec::new(),
        });
        if customer.order != field(order) {
            customer.orders += 1;
            customer.order = field(order).to_vec();
        }
        customer.spent += amount;
        if field(date) > &customer.last[..] {
            customer.last = field(date).to_vec();
        }
    }
    customers.len()
}

fn bytecount(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}
