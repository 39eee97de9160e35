//! Each layout and dialect on its fixture (see `tests/data/README.md`).

use super::tests::{date, excluded, ingest};
use super::*;

const ONLINE_RETAIL: &[u8] = include_bytes!("../../tests/data/online_retail_sample.csv");
const ONLINE_RETAIL_II: &[u8] = include_bytes!("../../tests/data/online_retail_ii_sample.csv");
const CDNOW_SAMPLE: &[u8] = include_bytes!("../../tests/data/cdnow_sample.txt");
const GERMAN: &[u8] = include_bytes!("../../tests/data/german_orders_semicolon.csv");
const AMBIGUOUS: &[u8] = include_bytes!("../../tests/data/ambiguous_dates.csv");

fn ids(got: &Ingested) -> Vec<&str> {
    got.customers.id.iter().map(|s| &**s).collect()
}

#[test]
fn online_retail_invoices_cancellations_and_adjustments() {
    let got = ingest("Online Retail.csv", ONLINE_RETAIL);
    let q = &got.quality;
    assert_eq!(q.files[0].format, "online_retail");
    assert_eq!(q.rows_read, 11);
    assert_eq!(q.rows_used, 6);
    assert_eq!(excluded(q, Exclusion::Cancelled), 1);
    assert_eq!(excluded(q, Exclusion::NotASale), 2);
    assert_eq!(excluded(q, Exclusion::NoCustomer), 2);
    assert_eq!(q.rows_used + q.rows_excluded_total(), q.rows_read);
    // `17850.0` and `17850` are one customer.
    assert_eq!(ids(&got), ["12583", "13047", "17850"]);
    assert_eq!(got.customers.orders, [1, 2, 2]);
    assert!((got.customers.revenue[2] - (6.0 * 2.55 + 6.0 * 3.39 + 6.0 * 1.85)).abs() < 1e-9);
    // 12/13/2010 shows the column is month-first, so 12/1/2010 is 1 December.
    assert_eq!(got.totals.first_order, Some(date("2010-12-01")));
    assert_eq!(got.totals.last_order, Some(date("2010-12-13")));
    assert!(q.warnings.is_empty(), "{:?}", q.warnings);
}

#[test]
fn online_retail_ii() {
    let got = ingest("online_retail_II.csv", ONLINE_RETAIL_II);
    let q = &got.quality;
    assert_eq!(q.files[0].format, "online_retail");
    assert_eq!((q.rows_read, q.rows_used), (4, 2));
    assert_eq!(excluded(q, Exclusion::Cancelled), 1);
    assert_eq!(excluded(q, Exclusion::NotASale), 1);
    assert_eq!(ids(&got), ["13085"]);
    assert!((got.totals.revenue - (12.0 * 6.95 + 12.0 * 6.75)).abs() < 1e-9);
}

#[test]
fn cdnow_sample_without_header() {
    let got = ingest("CDNOW_sample.txt", CDNOW_SAMPLE);
    let q = &got.quality;
    assert_eq!(q.files[0].format, "cdnow");
    assert_eq!(q.files[0].delimiter, Some(Delimiter::Whitespace));
    // Published counts: 6,919 purchases by 2,357 customers (tests/data/README.md).
    assert_eq!((q.rows_read, q.rows_used), (6919, 6919));
    assert_eq!(got.customers.len(), 2357);
    assert!((got.totals.revenue - 244_091.94).abs() < 1e-6);
    assert_eq!(got.totals.first_order, Some(date("1997-01-01")));
    assert_eq!(got.totals.last_order, Some(date("1998-06-30")));
}

#[test]
fn cdnow_with_header() {
    let file = b" customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n 00002 19970112  1   12.00\r\n 00001 19970115  2   20.00\r\n";
    let got = ingest("CDNOW_master.txt", file);
    assert_eq!(got.quality.rows_read, 3);
    assert_eq!(ids(&got), ["00001", "00002"]);
    assert_eq!(got.customers.orders, [2, 1]);
}

#[test]
fn german_semicolons_decimal_commas_and_dotted_dates() {
    let got = ingest("bestellungen.csv", GERMAN);
    let q = &got.quality;
    assert_eq!(q.files[0].format, "generic_orders");
    assert_eq!(q.files[0].delimiter, Some(Delimiter::Semicolon));
    assert_eq!((q.rows_read, q.rows_used), (4, 3));
    assert_eq!(excluded(q, Exclusion::InvalidDate), 1);
    assert_eq!(q.issues[0].column.as_deref(), Some("Bestelldatum"));
    assert_eq!(ids(&got), ["K-100", "K-200"]);
    assert!((got.customers.revenue[0] - 1334.40).abs() < 1e-9);
    assert_eq!(got.customers.first_order[0], Some(date("2025-02-03")));
    assert_eq!(got.customers.last_order[1], Some(date("2025-04-01")));
    assert_eq!(got.totals.currency.as_deref(), Some("EUR"));
}

#[test]
fn ambiguous_slash_dates_are_read_month_first_and_reported() {
    let got = ingest("orders.csv", AMBIGUOUS);
    assert_eq!(got.customers.first_order[0], Some(date("2025-01-02")));
    assert_eq!(got.totals.currency.as_deref(), Some("USD"));
    assert!((got.totals.revenue - 1020.0).abs() < 1e-9);
    let warning = &got.quality.warnings[0];
    assert!(
        warning.starts_with("orders.csv: No date in \"Date\""),
        "{warning}"
    );
}

#[test]
fn day_first_columns_are_recognised_from_one_telling_date() {
    let file = b"customer_id,order_date,amount\nA,02/03/2025,1\nB,25/03/2025,2\n";
    let got = ingest("uk.csv", file);
    // 25/03 can only be day-first, so 02/03 is 2 March.
    assert_eq!(got.customers.first_order[0], Some(date("2025-03-02")));
    assert!(got.quality.warnings.is_empty());
}

const SHOPIFY_ORDERS: &[u8] = include_bytes!("../../tests/data/shopify_orders_small.csv");
const SHOPIFY_CUSTOMERS: &[u8] = include_bytes!("../../tests/data/shopify_customers_small.csv");

fn ingest_files(files: &[(&str, &[u8])]) -> Ingested {
    let mut ingest = Ingest::new(None);
    for (name, bytes) in files {
        ingest.begin_file(name).expect("begin");
        ingest.push(bytes).expect("push");
        ingest.end_file().expect("end");
    }
    ingest.finish().expect("finish")
}

#[test]
fn customers_export_joins_orders_by_email_and_adds_prospects() {
    let customers = ("customers_export.csv", SHOPIFY_CUSTOMERS);
    let orders = ("orders_export.csv", SHOPIFY_ORDERS);
    let got = ingest_files(&[customers, orders]);
    let q = &got.quality;
    assert_eq!(q.files[0].format, "shopify_customers");
    assert_eq!((q.files[0].rows_read, q.files[0].rows_used), (8, 7));
    assert_eq!(
        excluded(q, Exclusion::NoCustomer),
        2,
        "one profile and one guest order"
    );
    assert_eq!((q.rows_read, q.rows_used), (27, 18));
    assert_eq!(q.rows_used + q.rows_excluded_total(), q.rows_read);

    let c = &got.customers;
    assert_eq!(c.len(), 7);
    assert_eq!(c.buyers(), 4);
    // The export's Customer ID becomes the key; eve has no profile.
    assert_eq!(
        ids(&got),
        [
            "8779761975521",
            "8779761975522",
            "8779761975523",
            "8779761975524",
            "8779761975525",
            "8779761975526",
            "eve@example.com"
        ]
    );
    assert_eq!(c.email[1].as_deref(), Some("ben@example.com"));
    assert_eq!(c.orders, [4, 1, 1, 0, 0, 0, 1]);
    let ann = c.profile(0).expect("ann has a profile");
    assert_eq!(ann.accepts_email_marketing, Some(true));
    assert_eq!(ann.tags.as_deref(), Some("vip, wholesale"));
    assert_eq!(ann.zip.as_deref(), Some("97205"));
    assert_eq!(
        c.profile(2).and_then(|p| p.country_code.as_deref()),
        Some("DE")
    );
    // Ivan has no email: a prospect known by his Customer ID only.
    assert_eq!(c.email[5], None);

    let warnings = q.warnings.join("\n");
    assert!(
        warnings.contains("1 customer row described a customer already listed"),
        "{warnings}"
    );
    assert!(
        warnings.contains("1 customer has orders in the shop's totals but none in the order files"),
        "{warnings}"
    );

    // The order of the files does not matter.
    let reversed = ingest_files(&[orders, customers]);
    assert_eq!(reversed.customers, got.customers);
}

#[test]
fn a_customers_export_alone_lists_prospects() {
    let got = ingest_files(&[("customers_export.csv", SHOPIFY_CUSTOMERS)]);
    assert_eq!(got.customers.len(), 6);
    assert_eq!(got.customers.buyers(), 0);
    assert!(got
        .quality
        .warnings
        .iter()
        .any(|w| w.contains("hold no orders")));
}

#[test]
fn older_customers_export_header() {
    let file = "First Name,Last Name,Email,Company,Address1,Address2,City,Province,Province Code,Country,Country Code,Zip,Phone,Accepts Marketing,Total Spent,Total Orders,Tags,Note,Tax Exempt\nAnn,Smith,ann@example.com,,,,Leeds,,,United Kingdom,GB,,,yes,10.00,1,,,no\n";
    let got = ingest("customers.csv", file.as_bytes());
    assert_eq!(got.quality.files[0].format, "shopify_customers");
    let profile = got.customers.profile(0).expect("profile");
    assert_eq!(profile.country_code.as_deref(), Some("GB"));
    assert_eq!(profile.accepts_email_marketing, Some(true));
    assert_eq!(profile.shop_id, None);
}

#[test]
fn an_order_in_two_files_counts_once() {
    let once = ingest_files(&[("orders.csv", SHOPIFY_ORDERS)]);
    let twice = ingest_files(&[
        ("orders.csv", SHOPIFY_ORDERS),
        ("orders (1).csv", SHOPIFY_ORDERS),
    ]);
    assert_eq!(twice.customers, once.customers);
    assert_eq!(twice.totals, once.totals);
    let q = &twice.quality;
    assert_eq!(q.rows_read, 2 * once.quality.rows_read);
    // Every row of the second file's orders is a duplicate; its malformed
    // row belongs to no order and stays malformed.
    assert_eq!(excluded(q, Exclusion::Duplicate), 18);
    assert_eq!(q.rows_used + q.rows_excluded_total(), q.rows_read);
    assert!(q
        .warnings
        .iter()
        .any(|w| w.starts_with("orders (1).csv: 12 orders were also in an earlier file")));
}

#[test]
fn duplicates_are_found_across_files_of_the_same_layout_only() {
    let generic = "customer_id,order_id,order_date,amount\nC1,#1001,2025-01-05,10\n";
    let got = ingest_files(&[
        ("orders.csv", SHOPIFY_ORDERS),
        ("other.csv", generic.as_bytes()),
        ("orders (1).csv", SHOPIFY_ORDERS),
        ("orders (2).csv", SHOPIFY_ORDERS),
    ]);
    // The generic table's #1001 is another shop's order: not a duplicate.
    assert_eq!(excluded(&got.quality, Exclusion::Duplicate), 2 * 18);
    for name in ["orders (1).csv", "orders (2).csv"] {
        assert!(got
            .quality
            .warnings
            .iter()
            .any(|w| w.starts_with(&format!("{name}: 12 orders were also in an earlier file"))));
    }
    assert!(!got
        .quality
        .warnings
        .iter()
        .any(|w| w.starts_with("other.csv")));
}

#[test]
fn overlapping_exports_merge() {
    let january =
        "customer_id,order_id,order_date,amount\nC1,A,2025-01-05,10\nC2,B,2025-01-20,20\n";
    let later = "customer_id,order_id,order_date,amount\nC2,B,2025-01-20,20\nC1,C,2025-02-03,5\n";
    let got = ingest_files(&[
        ("jan.csv", january.as_bytes()),
        ("jan-feb.csv", later.as_bytes()),
    ]);
    assert_eq!(got.totals.orders, 3);
    assert_eq!(excluded(&got.quality, Exclusion::Duplicate), 1);
}

#[test]
fn product_lines_and_countries_are_kept_for_counted_purchases() {
    let got = ingest("Online Retail.csv", ONLINE_RETAIL);
    let sales = &got.sales;
    // The six used rows; cancelled, non-sale and guest rows sold nothing.
    assert_eq!(sales.items.len(), 6);
    let names: Vec<&str> = sales
        .items
        .iter()
        .map(|i| sales.labels.name(i.product))
        .collect();
    assert!(names.contains(&"ASSORTED COLOUR BIRD ORNAMENT, BOXED"));
    let paper = sales
        .items
        .iter()
        .filter(|i| sales.labels.name(i.product) == "PAPER CHAIN KIT 50'S CHRISTMAS")
        .map(|i| (i.quantity, i.price))
        .collect::<Vec<_>>();
    assert_eq!(paper, [(10.0, 2.95), (3.0, 2.95)]);
    let c = &got.customers;
    let country = |i: usize| c.country[i].map(|l| sales.labels.name(l));
    assert_eq!(ids(&got), ["12583", "13047", "17850"]);
    assert_eq!(country(0), Some("France"));
    assert_eq!(country(2), Some("United Kingdom"));
}

#[test]
fn generic_tables_net_discounts_off_unit_prices_but_not_off_totals() {
    let unit_prices = b"customer,date,product,category,price,qty,discount\n\
        A,2025-01-01,Mug,Kitchen,10,3,5\n\
        A,2025-01-02,Tee,,20,1,\n";
    let got = ingest("lines.csv", unit_prices);
    assert!((got.customers.revenue[0] - (25.0 + 20.0)).abs() < 1e-9);
    assert_eq!(got.customers.discount_share(0), Some(0.5));
    let mug = got.sales.items[0];
    assert_eq!(got.sales.labels.name(mug.product), "Mug");
    assert_eq!(
        mug.category.get().map(|c| got.sales.labels.name(c)),
        Some("Kitchen")
    );
    assert_eq!((mug.quantity, mug.price, mug.discount), (3.0, 10.0, 5.0));
    assert!((mug.revenue() - 25.0).abs() < 1e-9);

    let totals = b"customer,date,product,total,qty,discount\nA,2025-01-01,Mug,25,3,5\n";
    let got = ingest("totals.csv", totals);
    assert!(
        (got.customers.revenue[0] - 25.0).abs() < 1e-9,
        "a total is what was paid"
    );
    assert!(
        (got.sales.items[0].price - 10.0).abs() < 1e-9,
        "price before the discount"
    );
}

#[test]
fn an_unsure_guess_is_reported_and_a_chosen_map_is_not() {
    let file = b"customer_id,date,shipped,amount,total\nA,2025-01-01,2025-01-03,10,12\n";
    let got = ingest("export.csv", file);
    assert_eq!(got.quality.warnings.len(), 1, "{:?}", got.quality.warnings);
    assert!(got.quality.warnings[0].starts_with(
        "export.csv: several columns could hold the amount (amount, total); \"amount\" was used."
    ));
    assert_eq!(got.customers.revenue, [10.0]);

    let mut ingest = Ingest::new(None);
    let columns = ColumnMap {
        customer: Some("customer_id".into()),
        date: Some("date".into()),
        amount: Some("total".into()),
        ..ColumnMap::default()
    };
    let options = FileOptions {
        columns: Some(columns),
        ..FileOptions::default()
    };
    ingest
        .begin_file_with("export.csv", options)
        .expect("begin");
    ingest.push(file).expect("push");
    let got = ingest.finish().expect("finish");
    assert!(
        got.quality.warnings.is_empty(),
        "{:?}",
        got.quality.warnings
    );
    assert_eq!(got.customers.revenue, [12.0]);
    let report = &got.quality.files[0];
    assert_eq!(
        report.columns.as_ref().and_then(|c| c.amount.as_deref()),
        Some("total")
    );
    assert_eq!(
        report.header,
        ["customer_id", "date", "shipped", "amount", "total"]
    );
}
