//! Ingest on whole files: the fixtures in `tests/data` (see its README) and
//! small inline files for each quirk.

use proptest::prelude::*;

use super::*;
use crate::pipeline::{analyze_bytes, Options};

const SHOPIFY: &[u8] = include_bytes!("../../tests/data/shopify_orders_small.csv");
const GENERIC: &[u8] = include_bytes!("../../tests/data/generic_orders_bom_crlf.csv");

pub(super) fn ingest_chunks(
    name: &str,
    bytes: &[u8],
    chunk: usize,
    as_of: Option<Date>,
) -> Ingested {
    let mut ingest = Ingest::new(as_of);
    ingest.begin_file(name).expect("begin");
    for piece in bytes.chunks(chunk.max(1)) {
        ingest.push(piece).expect("push");
    }
    ingest.end_file().expect("end");
    ingest.finish().expect("finish")
}

pub(super) fn ingest(name: &str, bytes: &[u8]) -> Ingested {
    ingest_chunks(name, bytes, usize::MAX, None)
}

pub(super) fn date(text: &str) -> Date {
    Date::parse_timestamp(text).expect("date")
}

pub(super) fn excluded(quality: &DataQuality, reason: Exclusion) -> u64 {
    quality.rows_excluded.get(&reason).copied().unwrap_or(0)
}

#[test]
fn shopify_fixture_counts_every_row() {
    let got = ingest("orders.csv", SHOPIFY);
    let q = &got.quality;
    assert_eq!(q.rows_read, 19);
    assert_eq!(q.rows_used, 11);
    assert_eq!(excluded(q, Exclusion::NoCustomer), 1);
    assert_eq!(excluded(q, Exclusion::Cancelled), 2);
    assert_eq!(excluded(q, Exclusion::Refunded), 1);
    assert_eq!(excluded(q, Exclusion::Voided), 1);
    assert_eq!(excluded(q, Exclusion::InvalidDate), 2);
    assert_eq!(excluded(q, Exclusion::MalformedRow), 1);
    assert_eq!(q.rows_used + q.rows_excluded_total(), q.rows_read);
    assert_eq!(q.files[0].format, "shopify_orders");

    assert_eq!(got.totals.orders, 7);
    assert!((got.totals.revenue - 382.99).abs() < 1e-9);
    assert_eq!(got.totals.currency.as_deref(), Some("USD"));
    assert_eq!(got.totals.first_order, Some(date("2025-01-05")));
    assert_eq!(got.totals.last_order, Some(date("2025-12-06")));
    assert_eq!(got.totals.as_of, Some(date("2025-12-06")));
}

#[test]
fn shopify_customers_are_keyed_by_normalised_email() {
    let c = ingest("orders.csv", SHOPIFY).customers;
    let ids: Vec<&str> = c.id.iter().map(|s| &**s).collect();
    // dev@ only has a refunded order; BEN@Example.com is ben@example.com.
    assert_eq!(
        ids,
        [
            "ann@example.com",
            "ben@example.com",
            "cara@example.com",
            "eve@example.com"
        ]
    );
    assert_eq!(c.orders, [4, 1, 1, 1]);
    // ann: 120 + (80 − 30 refunded) + 60 + 42.50
    assert!((c.revenue[0] - 272.5).abs() < 1e-9);
    // Refund rate: 30 refunded of the 302.50 ann paid.
    assert!((c.refunded[0] - 30.0).abs() < 1e-9);
    assert!((c.refund_rate(0).expect("paid") - 30.0 / 302.5).abs() < 1e-12);
    assert_eq!(c.refund_rate(1), Some(0.0));
    assert_eq!(c.recency_days(0), Some(0));
    assert_eq!(
        c.tenure_days(0),
        Some(date("2025-12-06").days_since(date("2025-01-05")))
    );
    assert_eq!(c.recency_days(1), Some(16));
}

#[test]
fn invalid_values_are_reported_with_file_line_and_column() {
    let q = ingest("orders.csv", SHOPIFY).quality;
    let bad_date = q
        .issues
        .iter()
        .find(|i| i.reason == Exclusion::InvalidDate)
        .expect("the bad date is reported");
    assert_eq!(bad_date.file, "orders.csv");
    assert_eq!(bad_date.column.as_deref(), Some("Created at"));
    assert_eq!(bad_date.value.as_deref(), Some("not a date"));
    // Header is line 1; the Notes field of #1005 spans two lines.
    assert_eq!(bad_date.line, 18);
    let short = q
        .issues
        .iter()
        .find(|i| i.reason == Exclusion::MalformedRow)
        .expect("the short row is reported");
    assert_eq!(short.line, 21);
    assert!(short.expected.contains("79 fields"), "{}", short.expected);
}

#[test]
fn generic_layout_with_bom_and_crlf() {
    let got = ingest("generic.csv", GENERIC);
    let q = &got.quality;
    assert_eq!(q.files[0].format, "generic_orders");
    assert_eq!(q.rows_read, 10);
    assert_eq!(q.rows_used, 6);
    assert_eq!(excluded(q, Exclusion::NoCustomer), 1);
    assert_eq!(excluded(q, Exclusion::InvalidDate), 1);
    assert_eq!(excluded(q, Exclusion::InvalidAmount), 1);
    assert_eq!(excluded(q, Exclusion::Refunded), 1);
    assert_eq!(got.totals.orders, 5);
    assert!((got.totals.revenue - 175.5).abs() < 1e-9);
    assert_eq!(got.totals.currency, None);
    let c = &got.customers;
    let ids: Vec<&str> = c.id.iter().map(|s| &**s).collect();
    assert_eq!(ids, ["C1", "C2", "C3"]);
    // Two lines of order A-1 are one purchase; rows without an order id are
    // purchases of their own.
    assert_eq!(c.orders, [2, 1, 2]);
    assert!((c.revenue[0] - 55.5).abs() < 1e-9);
    let bad_amount = q
        .issues
        .iter()
        .find(|i| i.reason == Exclusion::InvalidAmount)
        .expect("reported");
    assert_eq!(
        (bad_amount.line, bad_amount.column.as_deref()),
        (10, Some("amount"))
    );
}

#[test]
fn as_of_excludes_later_orders_and_sets_the_clock() {
    let as_of = date("2025-09-30");
    let got = ingest_chunks("orders.csv", SHOPIFY, usize::MAX, Some(as_of));
    let q = &got.quality;
    // #1012 (2 rows), #1010 (3 rows) and #1008 (1 row) are later.
    assert_eq!(excluded(q, Exclusion::AfterAsOf), 6);
    assert_eq!(q.rows_used + q.rows_excluded_total(), q.rows_read);
    assert_eq!(got.totals.as_of, Some(as_of));
    assert_eq!(got.customers.len(), 3);
    assert_eq!(
        got.customers.recency_days(0),
        Some(as_of.days_since(date("2025-09-01")))
    );
}

#[test]
fn unrecognised_and_incomplete_headers_are_errors() {
    let mut ingest = Ingest::new(None);
    ingest.begin_file("x.csv").expect("begin");
    let err = ingest.push(b"foo,bar\n1,2\n").expect_err("unknown header");
    assert!(matches!(err, IngestError::UnrecognisedHeader { .. }));
    assert!(err.to_string().contains("x.csv"), "{err}");
    assert!(err.to_string().contains("foo, bar"), "{err}");

    let mut ingest = Ingest::new(None);
    ingest.begin_file("y.csv").expect("begin");
    let err = ingest
        .push(b"customer_id,order_date\nC1,2025-01-01\n")
        .expect_err("no amount");
    assert_eq!(err.to_string(), "y.csv: looks like an order table (customer_id, order_id, order_date, amount) but lacks the column(s) amount");
}

#[test]
fn empty_binary_and_workbook_files_are_errors() {
    let mut ingest = Ingest::new(None);
    ingest.begin_file("empty.csv").expect("begin");
    assert!(matches!(ingest.end_file(), Err(IngestError::Empty { .. })));

    let mut ingest = Ingest::new(None);
    ingest.begin_file("image.png").expect("begin");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let err = ingest.push(png).expect_err("binary");
    assert!(
        err.to_string()
            .starts_with("image.png: this is not a text file"),
        "{err}"
    );

    let mut ingest = Ingest::new(None);
    ingest.begin_file("orders.xls").expect("begin");
    let err = ingest
        .push(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0")
        .expect_err("an old workbook");
    assert!(
        err.to_string()
            .contains("save it as an Excel workbook (.xlsx)"),
        "{err}"
    );

    // A ZIP is read as a workbook at the end of the file.
    let mut ingest = Ingest::new(None);
    ingest.begin_file("orders.xlsx").expect("begin");
    ingest.push(b"PK\x03\x04\x14\x00").expect("held");
    let err = ingest.end_file().expect_err("a broken workbook");
    assert!(matches!(err, IngestError::NotAWorkbook { .. }), "{err}");
}

#[test]
fn header_only_file_has_no_purchases_but_is_valid() {
    let got = ingest("h.csv", b"customer_id,order_id,order_date,amount\n");
    assert_eq!(got.quality.rows_read, 0);
    assert!(got.customers.is_empty());
    assert_eq!(got.totals.as_of, None);
    assert!(!got.quality.warnings.is_empty());
}

#[test]
fn unclosed_quote_is_a_malformed_row_with_its_line() {
    let file = b"customer_id,order_id,order_date,amount\nC1,A,2025-01-01,5\nC2,\"B,2025-01-02,6\nC3,C,2025-01-03,7\n";
    let got = ingest("q.csv", file);
    let q = &got.quality;
    assert_eq!(q.rows_read, 2);
    assert_eq!(excluded(q, Exclusion::MalformedRow), 1);
    assert_eq!(q.issues[0].line, 3);
    assert!(q.issues[0].expected.contains("closing quote"));
}

#[test]
fn customers_in_two_files_are_one_customer() {
    let mut ingest = Ingest::new(None);
    for (name, rows) in [
        ("a.csv", "C1,A,2025-01-01,5\n"),
        ("b.csv", "C1,B,2025-02-01,7\nC2,C,2025-02-02,1\n"),
    ] {
        ingest.begin_file(name).expect("begin");
        ingest
            .push(format!("customer_id,order_id,order_date,amount\n{rows}").as_bytes())
            .expect("push");
    }
    let got = ingest.finish().expect("finish");
    assert_eq!(got.customers.orders, [2, 1]);
    assert_eq!(got.quality.files.len(), 2);
    assert_eq!(got.quality.rows_read, 3);
}

#[test]
fn mixed_currencies_are_reported() {
    let file = "Name,Email,Financial Status,Created at,Total,Currency\n#1,a@x,paid,2025-01-01,5,USD\n#2,b@x,paid,2025-01-02,6,EUR\n";
    let got = ingest("m.csv", file.as_bytes());
    assert_eq!(got.totals.currency, None);
    assert!(got.quality.warnings[0].contains("EUR: 1 order, USD: 1 order"));
}

#[test]
fn shopify_header_without_total_is_an_error() {
    let mut ingest = Ingest::new(None);
    ingest.begin_file("s.csv").expect("begin");
    let err = ingest
        .push(b"Name,Email,Financial Status,Created at\n")
        .expect_err("missing Total");
    assert!(err.to_string().contains("Total"), "{err}");
}

#[test]
fn analysis_of_fixture_scores_rfm_as_documented() {
    let analysis = analyze_bytes("orders.csv", SHOPIFY, &Options::default()).expect("analysis");
    let rfm = &analysis.rfm;
    // ann, ben, cara, eve: see tests/data/README.md for the arithmetic.
    assert_eq!(rfm.r, [4, 3, 2, 1]);
    assert_eq!(rfm.f, [4, 1, 1, 1]);
    assert_eq!(rfm.m, [4, 3, 2, 1]);
    use crate::rfm::RfmGroup::*;
    assert_eq!(rfm.group, [Loyal, NeedsAttention, Dormant, Dormant]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Chunk boundaries (inside a BOM, a UTF-16 code unit, a quoted note, a
    /// CRLF, the first line) never change the result.
    #[test]
    fn chunked_ingest_equals_whole_file(chunk in 1usize..300) {
        let utf16 = generic_as_utf16_tabs();
        for (name, bytes) in [("s.csv", SHOPIFY), ("g.csv", GENERIC), ("u.txt", &utf16[..])] {
            let whole = ingest(name, bytes);
            let chunked = ingest_chunks(name, bytes, chunk, None);
            prop_assert_eq!(&whole.quality, &chunked.quality);
            prop_assert_eq!(&whole.customers, &chunked.customers);
        }
    }

    /// Whatever the bytes, ingest never panics and accounts for every row.
    #[test]
    fn arbitrary_rows_are_used_or_excluded(body in "[A-Za-z0-9@#.,\" \n-]{0,400}") {
        let file = format!("customer_id,order_id,order_date,amount\n{body}");
        let mut ingest = Ingest::new(None);
        ingest.begin_file("p.csv").expect("begin");
        ingest.push(file.as_bytes()).expect("header is valid");
        let got = ingest.finish().expect("finish");
        let q = &got.quality;
        prop_assert_eq!(q.rows_used + q.rows_excluded_total(), q.rows_read);
    }
}

/// The generic fixture as Excel's "Unicode text" would save it: UTF-16LE with
/// a byte-order mark, tab-separated.
fn generic_as_utf16_tabs() -> Vec<u8> {
    let text = String::from_utf8_lossy(GENERIC)
        .trim_start_matches('\u{feff}')
        .replace(',', "\t");
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

#[test]
fn utf16_tab_separated_reads_like_the_utf8_csv() {
    let utf8 = ingest("g.csv", GENERIC);
    let utf16 = ingest("g.csv", &generic_as_utf16_tabs());
    assert_eq!(utf16.quality.files[0].delimiter, Some(Delimiter::Tab));
    assert_eq!(utf8.quality.files[0].delimiter, Some(Delimiter::Comma));
    assert_eq!(utf16.customers, utf8.customers);
    assert_eq!(utf16.quality.rows_excluded, utf8.quality.rows_excluded);
    assert_eq!(utf16.quality.issues, utf8.quality.issues);
}

#[test]
fn semicolons_are_sniffed() {
    let file = "customer_id;order_id;order_date;amount\nC1;A;2025-01-01;5\n";
    let got = ingest("s.csv", file.as_bytes());
    assert_eq!(got.quality.files[0].delimiter, Some(Delimiter::Semicolon));
    assert_eq!(got.customers.len(), 1);
}

#[test]
fn a_file_shorter_than_its_magic_is_still_read() {
    let mut ingest = Ingest::new(None);
    ingest.begin_file("tiny.csv").expect("begin");
    ingest.push(b"a").expect("held");
    match ingest.end_file() {
        Err(IngestError::UnrecognisedHeader { found, .. }) => assert_eq!(found, ["a"]),
        other => panic!("expected the header to be read, got {other:?}"),
    }
}

#[test]
fn every_rejected_row_is_listed_with_its_line_and_order() {
    let got = ingest("orders.csv", SHOPIFY);
    let q = &got.quality;
    let listed: u64 = q.rejected.iter().map(|r| u64::from(r.rows)).sum();
    assert_eq!(listed, q.rows_excluded_total());
    let lines: Vec<u64> = q.rejected.iter().map(|r| r.line).collect();
    let mut sorted = lines.clone();
    sorted.sort_unstable();
    assert_eq!(lines, sorted, "in line order");
    let bad_date = q
        .rejected
        .iter()
        .find(|r| r.reason == Exclusion::InvalidDate)
        .expect("listed");
    assert_eq!((bad_date.line, bad_date.rows), (18, 2));
    assert_eq!(bad_date.order.as_deref(), Some("#1002"));
    assert!(bad_date
        .detail
        .as_deref()
        .is_some_and(|d| d.contains("not a date")));
    let cancelled = q
        .rejected
        .iter()
        .find(|r| r.reason == Exclusion::Cancelled)
        .expect("listed");
    assert_eq!(
        (cancelled.line, cancelled.rows, cancelled.order.as_deref()),
        (8, 2, Some("#1009"))
    );
}

/// First rows that lead into each layout, for the arbitrary-bytes property.
const HEADERS: [&str; 9] = [
    "Name,Email,Financial Status,Created at,Total,Cancelled at,Refunded Amount,Currency\n",
    "Customer ID,First Name,Email,Total Spent,Total Orders\n",
    "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n",
    " 00001 19970101  1   11.77\n",
    "customer_id;order_date;amount\n",
    "email\tdate\tprice\tqty\n",
    "event_date,event_name,user_pseudo_id,user_id,event_params\n",
    "{\"event_date\":\"20251201\",\"event_name\":\"view_item\",\"user_pseudo_id\":\"p\"}\n",
    "",
];

const WORKBOOK: &[u8] = include_bytes!("../../tests/data/orders_workbook.xlsx");

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The fuzz target's check on stable: whatever follows a header, cut
    /// anywhere, ingest does not panic and accounts for every row.
    #[test]
    fn any_bytes_in_any_chunks(
        header in 0usize..HEADERS.len(),
        body in proptest::collection::vec(any::<u8>(), 0..600),
        text in "[A-Za-z0-9@#.,;\t\"' /:$€()-]{0,300}",
        chunk in 1usize..64,
    ) {
        for tail in [&body[..], text.as_bytes()] {
            let mut bytes = HEADERS[header].as_bytes().to_vec();
            bytes.extend_from_slice(tail);
            let mut ingest = Ingest::new(None);
            ingest.begin_file("p.csv").expect("begin");
            let pushed = bytes.chunks(chunk).try_for_each(|piece| ingest.push(piece));
            if pushed.is_ok() {
                if let Ok(got) = ingest.finish() {
                    let q = &got.quality;
                    prop_assert_eq!(q.rows_used + q.rows_excluded_total(), q.rows_read);
                }
            }
        }
    }

    /// A workbook damaged anywhere (bytes flipped, cut short) is refused
    /// with a message or read with every row accounted for; never a panic.
    #[test]
    fn damaged_workbooks(at in 0usize..WORKBOOK.len(), byte in any::<u8>(), cut in any::<bool>()) {
        let mut bytes = WORKBOOK.to_vec();
        if cut {
            bytes.truncate(at);
        } else {
            bytes[at] = byte;
        }
        let mut ingest = Ingest::new(None);
        ingest.begin_file("w.xlsx").expect("begin");
        if ingest.push(&bytes).is_ok() {
            if let Ok(got) = ingest.finish() {
                let q = &got.quality;
                prop_assert_eq!(q.rows_used + q.rows_excluded_total(), q.rows_read);
            }
        }
    }
}
