//! Excel workbooks on their fixtures (see `tests/data/README.md`).

use super::tests::{date, excluded, ingest};
use super::*;

const ORDERS_WORKBOOK: &[u8] = include_bytes!("../../tests/data/orders_workbook.xlsx");
const SHOPIFY_XLSX: &[u8] = include_bytes!("../../tests/data/shopify_orders_small.xlsx");
const SHOPIFY_CSV: &[u8] = include_bytes!("../../tests/data/shopify_orders_small.csv");
const ZIP_OF_CSV: &[u8] = include_bytes!("../../tests/data/orders_archive.zip");

fn ingest_with(name: &str, bytes: &[u8], options: FileOptions) -> Result<Ingested, IngestError> {
    let mut ingest = Ingest::new(None);
    ingest.begin_file_with(name, options)?;
    ingest.push(bytes)?;
    ingest.finish()
}

#[test]
fn reads_the_first_sheet_with_a_known_header() {
    let got = ingest("orders.xlsx", ORDERS_WORKBOOK);
    let q = &got.quality;
    let file = &q.files[0];
    assert_eq!(file.format, "generic_orders");
    assert_eq!(
        file.sheet.as_deref(),
        Some("Orders"),
        "the Notes sheet is skipped"
    );
    assert_eq!(file.sheets, ["Notes", "Orders", "Empty"]);
    // Rows 3-5 and 7-9 of the sheet; row 6 is empty and is no row.
    assert_eq!((q.rows_read, q.rows_used), (6, 4));
    assert_eq!(excluded(q, Exclusion::InvalidAmount), 1);
    assert_eq!(excluded(q, Exclusion::NoCustomer), 1);
    let bad = q
        .issues
        .iter()
        .find(|i| i.reason == Exclusion::InvalidAmount)
        .expect("the #N/A amount is an example");
    assert_eq!(bad.line, 8, "line numbers are the sheet's row numbers");
    assert_eq!(bad.column.as_deref(), Some("Amount"));
    assert_eq!(bad.value.as_deref(), Some("#N/A"));

    let c = &got.customers;
    // 17850 is a number cell, 13047.0 a decimal one, C-77 text.
    let ids: Vec<&str> = c.id.iter().map(|s| &**s).collect();
    assert_eq!(ids, ["13047", "17850", "C-77"]);
    assert_eq!(c.orders, [1, 2, 1]);
    assert!((c.revenue[1] - 62.49).abs() < 1e-9);
    // Date cells, and a date typed as text, read as days.
    assert_eq!(c.first_order[1], Some(date("2025-01-05")));
    assert_eq!(c.first_order[0], Some(date("2025-03-01")));
    assert_eq!(got.totals.currency.as_deref(), Some("EUR"));
}

#[test]
fn a_chosen_sheet_is_read_or_named_as_missing() {
    let notes = FileOptions {
        sheet: Some("Notes".into()),
        ..FileOptions::default()
    };
    let error = ingest_with("orders.xlsx", ORDERS_WORKBOOK, notes).expect_err("no orders there");
    assert!(
        matches!(error, IngestError::UnrecognisedHeader { .. }),
        "{error}"
    );

    let missing = FileOptions {
        sheet: Some("2024".into()),
        ..FileOptions::default()
    };
    let error = ingest_with("orders.xlsx", ORDERS_WORKBOOK, missing).expect_err("no such sheet");
    assert_eq!(
        error.to_string(),
        "orders.xlsx: the workbook has no worksheet named \"2024\"; its sheets are: Notes, Orders, Empty"
    );
    let orders = FileOptions {
        sheet: Some("Orders".into()),
        ..FileOptions::default()
    };
    let got = ingest_with("orders.xlsx", ORDERS_WORKBOOK, orders).expect("reads");
    assert_eq!(got.quality.rows_used, 4);
}

#[test]
fn a_shopify_export_saved_as_a_workbook_reads_like_the_csv() {
    let csv = ingest("orders_export.csv", SHOPIFY_CSV);
    let xlsx = ingest("orders_export.xlsx", SHOPIFY_XLSX);
    assert_eq!(xlsx.quality.files[0].format, "shopify_orders");
    assert_eq!(xlsx.customers, csv.customers);
    assert_eq!(xlsx.totals, csv.totals);
    assert_eq!(xlsx.quality.rows_read, csv.quality.rows_read);
    // The one difference: the row cut short in the CSV is a malformed row
    // there, but a sheet cannot tell a short row from empty trailing cells.
    assert_eq!(excluded(&csv.quality, Exclusion::MalformedRow), 1);
    assert_eq!(excluded(&xlsx.quality, Exclusion::MalformedRow), 0);
    assert_eq!(xlsx.quality.rows_used, csv.quality.rows_used);
}

#[test]
fn broken_workbooks_get_one_clear_message() {
    let error = ingest_with("orders.zip", ZIP_OF_CSV, FileOptions::default()).expect_err("zip");
    assert!(matches!(error, IngestError::NotAWorkbook { .. }), "{error}");
    assert!(error
        .to_string()
        .starts_with("orders.zip: a ZIP archive that is not a readable Excel workbook"));

    let truncated = &SHOPIFY_XLSX[..SHOPIFY_XLSX.len() / 2];
    let error = ingest_with("cut.xlsx", truncated, FileOptions::default()).expect_err("cut");
    assert!(matches!(error, IngestError::NotAWorkbook { .. }), "{error}");
}
