//! Google Analytics 4 events on their fixtures (see `tests/data/README.md`):
//! the row accounting, the per-customer behaviour, and the join to customers.

use super::tests::{date, excluded};
use super::*;

const EVENTS: &[u8] = include_bytes!("../../tests/data/ga4_events_store.jsonl");
const EVENTS_CSV: &[u8] = include_bytes!("../../tests/data/ga4_events_flat.csv");
const BIGQUERY_SAMPLE: &[u8] = include_bytes!("../../tests/data/ga4_bigquery_sample.jsonl");
const SHOPIFY_ORDERS: &[u8] = include_bytes!("../../tests/data/shopify_orders_small.csv");
const SHOPIFY_CUSTOMERS: &[u8] = include_bytes!("../../tests/data/shopify_customers_small.csv");

fn ingest_files(as_of: Option<Date>, files: &[(&str, &[u8])]) -> Ingested {
    let mut ingest = Ingest::new(as_of);
    for (name, bytes) in files {
        ingest.begin_file(name).expect("begin");
        ingest.push(bytes).expect("push");
        ingest.end_file().expect("end");
    }
    ingest.finish().expect("finish")
}

fn behaviour_of<'a>(got: &'a Ingested, email: &str) -> Option<&'a Behaviour> {
    let c = &got.customers;
    let i = (0..c.len()).find(|&i| c.email[i].as_deref() == Some(email))?;
    c.behaviour(i)
}

#[test]
fn every_event_row_is_counted_and_bad_rows_are_positioned() {
    let got = ingest_files(None, &[("events.jsonl", EVENTS)]);
    let q = &got.quality;
    assert_eq!(q.files[0].format, "ga4_events");
    assert_eq!(q.files[0].delimiter, Some(Delimiter::JsonLines));
    assert_eq!((q.rows_read, q.rows_used), (21, 18));
    assert_eq!(excluded(q, Exclusion::NoCustomer), 1);
    assert_eq!(excluded(q, Exclusion::MalformedRow), 1);
    assert_eq!(excluded(q, Exclusion::InvalidDate), 1);
    assert_eq!(q.rows_used + q.rows_excluded_total(), q.rows_read);
    let broken = q
        .issues
        .iter()
        .find(|i| i.reason == Exclusion::MalformedRow)
        .expect("the broken line is an example");
    assert_eq!(broken.line, 16);
    assert!(broken
        .column
        .as_deref()
        .is_some_and(|c| c.starts_with("character")));
    let bad_date = q
        .issues
        .iter()
        .find(|i| i.reason == Exclusion::InvalidDate)
        .expect("listed");
    assert_eq!(bad_date.value.as_deref(), Some("20251345"));
    // Events alone make no customers, and say so.
    assert!(got.customers.is_empty());
    assert!(q
        .warnings
        .iter()
        .any(|w| w.contains("analytics events but no orders")));
}

#[test]
fn store_wide_funnel_and_abandonment() {
    let got = ingest_files(None, &[("events.jsonl", EVENTS)]);
    let b = got.behaviour.expect("events were read");
    assert_eq!(b.events, 18);
    // ann, ben (by customer id), zoe signed in; two anonymous browsers.
    assert_eq!((b.visitors, b.signed_in, b.matched_customers), (5, 3, 0));
    assert_eq!(
        (b.item_views, b.add_to_carts, b.checkouts_begun, b.purchases),
        (7, 4, 2, 1)
    );
    assert_eq!((b.cart_sessions, b.abandoned_sessions), (4, 3));
    assert_eq!(b.abandonment_rate, Some(0.75));
    assert_eq!(b.first_event, Some(date("2025-12-01")));
    assert_eq!(b.last_event, Some(date("2025-12-07")));
}

#[test]
fn events_join_customers_by_email_and_by_shop_customer_id() {
    let orders_only = ingest_files(
        None,
        &[
            ("orders_export.csv", SHOPIFY_ORDERS),
            ("events.jsonl", EVENTS),
        ],
    );
    // `Ann@Example.com` in GA4 is ann@example.com of the orders.
    let ann = behaviour_of(&orders_only, "ann@example.com").expect("ann is matched");
    assert_eq!(
        (
            ann.item_views,
            ann.add_to_carts,
            ann.checkouts_begun,
            ann.purchases
        ),
        (4, 2, 1, 1)
    );
    assert_eq!((ann.cart_sessions, ann.abandoned_sessions), (2, 1));
    assert_eq!(ann.abandonment_rate(), Some(0.5));
    assert_eq!(ann.last_active, Some(date("2025-12-07")));
    // Ben signed in with the shop's customer id, which only a customers export knows.
    assert!(behaviour_of(&orders_only, "ben@example.com").is_none());
    assert_eq!(
        orders_only.behaviour.as_ref().map(|b| b.matched_customers),
        Some(1)
    );
    assert!(
        orders_only
            .quality
            .warnings
            .iter()
            .any(|w| w.starts_with("2 signed-in visitors")),
        "{:?}",
        orders_only.quality.warnings
    );
    // Orders are untouched by events.
    assert_eq!(orders_only.totals.orders, 7);
    assert_eq!(orders_only.quality.rows_read, 19 + 21);

    let with_customers = ingest_files(
        None,
        &[
            ("customers_export.csv", SHOPIFY_CUSTOMERS),
            ("orders_export.csv", SHOPIFY_ORDERS),
            ("events.jsonl", EVENTS),
        ],
    );
    let ben = behaviour_of(&with_customers, "ben@example.com").expect("ben is matched by id");
    // Browsed and filled the cart anonymously, signed in at checkout: one abandoned session.
    assert_eq!(
        (ben.item_views, ben.add_to_carts, ben.checkouts_begun),
        (1, 1, 1)
    );
    assert_eq!((ben.cart_sessions, ben.abandoned_sessions), (1, 1));
    // The checkout he began is Shopify's abandoned checkout; Ann's was paid.
    assert_eq!(ben.abandoned_checkout, Some(date("2025-12-04")));
    let ann = behaviour_of(&with_customers, "ann@example.com").expect("ann");
    assert_eq!(ann.abandoned_checkout, None);
    assert_eq!(
        with_customers
            .behaviour
            .as_ref()
            .map(|b| b.matched_customers),
        Some(2)
    );
    // Customers the events do not name have no behaviour rather than zeros.
    assert!(behaviour_of(&with_customers, "cara@example.com").is_none());
}

#[test]
fn as_of_excludes_later_events() {
    let got = ingest_files(Some(date("2025-12-06")), &[("events.jsonl", EVENTS)]);
    assert_eq!(excluded(&got.quality, Exclusion::AfterAsOf), 1);
    assert_eq!(got.quality.rows_used, 17);
    assert_eq!(
        got.behaviour.map(|b| b.last_event),
        Some(Some(date("2025-12-05")))
    );
}

#[test]
fn the_flat_csv_gives_the_same_behaviour_as_the_json() {
    let json = ingest_files(None, &[("o.csv", SHOPIFY_ORDERS), ("events.jsonl", EVENTS)]);
    let csv = ingest_files(
        None,
        &[("o.csv", SHOPIFY_ORDERS), ("events.csv", EVENTS_CSV)],
    );
    assert_eq!(csv.quality.files[1].format, "ga4_events");
    assert_eq!(csv.quality.files[1].rows_read, 18);
    assert_eq!(csv.quality.files[1].rows_used, 18);
    assert_eq!(json.behaviour, csv.behaviour);
    assert_eq!(json.customers, csv.customers);
}

#[test]
fn googles_public_sample_reads_without_loss() {
    let got = ingest_files(None, &[("ga4_sample.jsonl", BIGQUERY_SAMPLE)]);
    let q = &got.quality;
    assert_eq!((q.rows_read, q.rows_used), (60, 60));
    let b = got.behaviour.expect("events");
    // Figures from the file itself (no user_id is set in Google's sample).
    assert_eq!((b.events, b.visitors, b.signed_in), (60, 17, 0));
    assert_eq!(b.item_views, 1);
    assert_eq!(b.first_event, Some(date("2020-11-01")));
    assert_eq!(b.last_event, Some(date("2020-11-12")));
}

#[test]
fn chunking_does_not_change_events() {
    let whole = ingest_files(None, &[("events.jsonl", EVENTS)]);
    for size in [1, 7, 300] {
        let mut ingest = Ingest::new(None);
        ingest.begin_file("events.jsonl").expect("begin");
        for chunk in EVENTS.chunks(size) {
            ingest.push(chunk).expect("push");
        }
        let got = ingest.finish().expect("finish");
        assert_eq!(got.quality, whole.quality, "chunks of {size}");
        assert_eq!(got.behaviour, whole.behaviour, "chunks of {size}");
    }
}

#[test]
fn json_that_is_not_events_is_one_clear_error() {
    let mut ingest = Ingest::new(None);
    ingest.begin_file("table.json").expect("begin");
    // The error comes as soon as the first line is read.
    let error = ingest
        .push(b"{\n  \"table_name\": \"events_20201201\"\n}\n")
        .expect_err("not events");
    assert!(matches!(error, IngestError::UnrecognisedJson { .. }));
    assert!(error.to_string().starts_with("table.json: a JSON file"));
}
