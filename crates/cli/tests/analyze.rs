//! The `segmenter` binary against the CLI contract, on the engine's fixtures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../engine/tests/data")
        .join(name)
}

fn segmenter(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_segmenter"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// `segmenter analyze INPUT --out OUT EXTRA...`
fn analyze(input: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "analyze",
        input.to_str().expect("utf8 path"),
        "--out",
        out.to_str().expect("utf8 path"),
    ];
    args.extend_from_slice(extra);
    segmenter(&args)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("segmenter-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn read_summary(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("valid json")
}

#[test]
fn analyze_writes_the_contract_files() {
    let out = temp_dir("contract");
    let input = fixture("shopify_orders_small.csv");
    let result = analyze(&input, &out, &[]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );

    let s = read_summary(&out);
    assert_eq!(s["rows_read"], 19);
    assert_eq!(s["rows_used"], 11);
    let excluded: u64 = s["rows_excluded"]
        .as_object()
        .expect("object")
        .values()
        .map(|v| v.as_u64().expect("count"))
        .sum();
    assert_eq!(excluded, 8);
    assert_eq!(s["rows_excluded"]["cancelled"], 2);
    assert_eq!(s["rows_excluded"]["no_customer"], 1);
    assert_eq!(s["customers"], 4);
    assert_eq!(s["orders"], 7);
    assert_eq!(s["revenue"], 382.99);
    assert_eq!(s["currency"], "USD");
    assert_eq!(s["first_order"], "2025-01-05");
    assert_eq!(s["last_order"], "2025-12-06");
    assert_eq!(s["as_of"], "2025-12-06");
    assert_eq!(s["rfm_groups"]["LOYAL"], 1);
    assert_eq!(s["rfm_groups"]["DORMANT"], 2);
    assert_eq!(s["rfm_groups"]["CHAMPIONS"], 0);

    let csv = std::fs::read_to_string(out.join("customers.csv")).expect("customers.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("customer_id,email,orders,revenue,first_order,last_order,recency_days,frequency,tenure_days,aov,r,f,m,rfm_group,p_alive,churn_probability,expected_purchases_30d,expected_purchases_90d,expected_purchases_365d,predicted_clv_12m,purchases_365d_low,purchases_365d_high,predicted_clv_12m_low,predicted_clv_12m_high,expected_next_order,predicted_spend_tier,avg_days_between_orders,purchase_propensity,cluster,cluster_name,recommended_products,replenishment_due,cluster_probability,country,discount_share,refund_rate,top_categories")
    );
    let ann = lines.next().expect("a row");
    assert!(ann.starts_with("ann@example.com,ann@example.com,4,272.50,2025-01-05,2025-12-06,0,3,335,68.13,4,4,4,LOYAL,"), "{ann}");
    // Country, discount share, refund rate (30 of the 302.50 paid), and
    // her top categories (the export's vendors) by share of spend.
    assert!(
        ann.ends_with(",US,0.250,0.099,TechSound;Mountain Brew Co.;Serenity Home"),
        "{ann}"
    );
    // Predictions fill the model columns between (checked in the engine's model tests).
    let fields: Vec<&str> = ann.split(',').collect();
    // (no product name holds a comma, so the fields split plainly)
    assert_eq!(fields.len(), 37);
    assert!(fields[14..27].iter().all(|f| !f.is_empty()), "{ann}");
    // Products from the line items; the best seller by line revenue first.
    // The yoga mat sold only in cancelled and voided orders.
    assert_eq!(
        (
            s["products"]["distinct"].as_u64(),
            s["products"]["lines"].as_u64()
        ),
        (Some(4), Some(11))
    );
    assert_eq!(
        s["products"]["top"][0]["product"],
        "Portable Speaker \"Mini\""
    );
    assert_eq!(s["products"]["top"][0]["revenue"], 118.0);
    assert_eq!(s["products"]["top"][0]["customers"], 1);
    assert_eq!(lines.count(), 3);

    let rejected = std::fs::read_to_string(out.join("rejected.csv")).expect("rejected.csv");
    let mut lines = rejected.lines();
    assert_eq!(lines.next(), Some("file,line,rows,order,reason,detail"));
    assert_eq!(
        lines
            .next()
            .map(|l| l.split(',').skip(1).take(4).collect::<Vec<_>>().join(",")),
        Some("4,1,#1011,no_customer".to_string())
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn as_of_is_honoured() {
    let out = temp_dir("as-of");
    let input = fixture("shopify_orders_small.csv");
    let result = analyze(&input, &out, &["--as-of", "2025-09-30"]);
    assert!(result.status.success());
    let s = read_summary(&out);
    assert_eq!(s["as_of"], "2025-09-30");
    assert_eq!(s["rows_excluded"]["after_as_of"], 6);
    assert_eq!(s["customers"], 3);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn unusable_input_fails_with_one_line_reason() {
    let dir = temp_dir("bad");
    std::fs::create_dir_all(&dir).expect("dir");
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "foo,bar\n1,2\n").expect("write");
    let result = analyze(&bad, &dir.join("out"), &[]);
    assert!(!result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("bad.csv") && stderr.contains("header"),
        "{stderr}"
    );

    let missing = segmenter(&["analyze", "/no/such/file.csv", "--out", "/tmp/x"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/no/such/file.csv"));

    let bad_date = segmenter(&[
        "analyze",
        "x.csv",
        "--out",
        "/tmp/x",
        "--as-of",
        "2025-13-01",
    ]);
    assert!(!bad_date.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn all_rows_excluded_is_a_failure_that_still_explains() {
    let dir = temp_dir("excluded");
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("guests.csv");
    std::fs::write(
        &file,
        "customer_id,order_id,order_date,amount\n,A,2025-01-01,5\n",
    )
    .expect("write");
    let result = analyze(&file, &dir.join("out"), &[]);
    assert!(!result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("no_customer: 1"), "{stderr}");
    assert_eq!(
        read_summary(&dir.join("out"))["rows_excluded"]["no_customer"],
        1
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_export_analyses_like_the_engine_says() {
    let dir = temp_dir("demo");
    std::fs::create_dir_all(&dir).expect("dir");
    let csv = dir.join("demo.csv");
    let made = segmenter(&[
        "demo",
        "--out",
        csv.to_str().expect("utf8"),
        "--customers",
        "300",
    ]);
    assert!(made.status.success());
    let out = dir.join("out");
    let result = analyze(&csv, &out, &[]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let s = read_summary(&out);
    let bytes = std::fs::read(&csv).expect("demo csv");
    let engine =
        segmenter_engine::analyze_bytes("demo.csv", &bytes, &Default::default()).expect("engine");
    assert_eq!(s["customers"], engine.customers.len() as u64);
    assert_eq!(s["rows_read"], engine.quality.rows_read);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn customers_and_orders_together() {
    let out = temp_dir("pair");
    let customers = fixture("shopify_customers_small.csv");
    let orders = fixture("shopify_orders_small.csv");
    let result = segmenter(&[
        "analyze",
        customers.to_str().expect("utf8 path"),
        orders.to_str().expect("utf8 path"),
        "--out",
        out.to_str().expect("utf8 path"),
    ]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let s = read_summary(&out);
    assert_eq!(s["customers"], 4);
    assert_eq!(s["prospects"], 3);
    assert_eq!(s["rfm_groups"]["PROSPECTS"], 3);
    assert_eq!(s["rows_read"], 27);
    assert_eq!(s["rows_used"], 18);
    let csv = std::fs::read_to_string(out.join("customers.csv")).expect("customers.csv");
    assert_eq!(csv.lines().count(), 1 + 7);
    // A prospect: no order fields or scores, but the best sellers to offer.
    assert!(
        csv.contains("\n8779761975526,,0,0.00,,,,0,,,,,,PROSPECTS,,,,,,,,,,,,,,,,,\"Lavender & Vanilla Soy Candle;"),
        "{csv}"
    );
    // Warnings go to stderr for people, and stay in summary.json for scripts.
    assert!(String::from_utf8_lossy(&result.stderr).contains("merged"));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn analytics_events_add_behaviour_columns() {
    let out = temp_dir("ga4");
    let result = segmenter(&[
        "analyze",
        fixture("shopify_customers_small.csv")
            .to_str()
            .expect("utf8"),
        fixture("shopify_orders_small.csv").to_str().expect("utf8"),
        fixture("ga4_events_store.jsonl").to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let s = read_summary(&out);
    assert_eq!(s["rows_read"], 8 + 19 + 21);
    let excluded: u64 = s["rows_excluded"]
        .as_object()
        .expect("object")
        .values()
        .map(|v| v.as_u64().expect("count"))
        .sum();
    assert_eq!(s["rows_used"].as_u64().expect("count") + excluded, 48);
    assert_eq!(s["behaviour"]["events"], 18);
    assert_eq!(s["behaviour"]["matched_customers"], 2);
    assert_eq!(s["behaviour"]["abandonment_rate"], 0.75);

    let customers = std::fs::read_to_string(out.join("customers.csv")).expect("customers.csv");
    let header = customers.lines().next().expect("header");
    assert!(header.ends_with(
        "rfm_group,p_alive,churn_probability,expected_purchases_30d,expected_purchases_90d,expected_purchases_365d,predicted_clv_12m,purchases_365d_low,purchases_365d_high,predicted_clv_12m_low,predicted_clv_12m_high,expected_next_order,predicted_spend_tier,avg_days_between_orders,purchase_propensity,cluster,cluster_name,recommended_products,replenishment_due,cluster_probability,country,discount_share,refund_rate,top_categories,item_views,add_to_carts,checkouts_begun,web_purchases,cart_abandonment_rate,last_active"
    ));
    let ann = customers
        .lines()
        .find(|l| l.contains("ann@example.com"))
        .expect("ann");
    assert!(ann.ends_with(",4,2,1,1,0.500,2025-12-07"), "{ann}");
    let cara = customers
        .lines()
        .find(|l| l.contains("cara@example.com"))
        .expect("cara");
    assert!(cara.ends_with(",,,,,,"), "no events, no behaviour: {cara}");
}

#[test]
fn workbooks_and_chosen_sheets() {
    let out = temp_dir("xlsx");
    let book = fixture("orders_workbook.xlsx");
    let result = analyze(&book, &out, &[]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let s = read_summary(&out);
    assert_eq!(
        (s["rows_read"].as_u64(), s["rows_used"].as_u64()),
        (Some(6), Some(4))
    );
    assert_eq!(s["files"][0]["sheet"], "Orders");
    assert_eq!(s["customers"], 3);

    let result = analyze(&book, &out, &["--sheet", "Summary 2024"]);
    assert!(!result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr
            .contains("no worksheet named \"Summary 2024\"; its sheets are: Notes, Orders, Empty"),
        "{stderr}"
    );
}

#[test]
fn columns_can_be_named_when_the_header_does_not_say() {
    let dir = temp_dir("columns-input");
    std::fs::create_dir_all(&dir).expect("dir");
    let input = dir.join("till.csv");
    std::fs::write(
        &input,
        "Käufer;Wann;Summe\nA;01.02.2025;1,50\nB;03.02.2025;2\nA;04.02.2025;3\n",
    )
    .expect("write");
    let out = temp_dir("columns");
    let refused = analyze(&input, &out, &[]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("Name the columns with --column"),
        "{stderr}"
    );

    let mapped = analyze(
        &input,
        &out,
        &[
            "--column",
            "customer=Käufer",
            "--column",
            "date=Wann",
            "--column",
            "amount=Summe",
        ],
    );
    assert!(
        mapped.status.success(),
        "{}",
        String::from_utf8_lossy(&mapped.stderr)
    );
    let s = read_summary(&out);
    assert_eq!(
        (s["customers"].as_u64(), s["orders"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(s["revenue"], 6.5);

    let incomplete = analyze(&input, &out, &["--column", "customer=Käufer"]);
    assert!(!incomplete.status.success());
    assert!(String::from_utf8_lossy(&incomplete.stderr)
        .contains("also name the column(s) for order_date, amount"));
}

#[test]
fn cdnow_as_of_the_calibration_end_reproduces_the_published_fit() {
    let out = temp_dir("cdnow");
    let result = analyze(
        &fixture("cdnow_sample.txt"),
        &out,
        &["--as-of", "1997-09-30"],
    );
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let s = read_summary(&out);
    let bgnbd = &s["models"]["bgnbd"];
    assert_eq!(bgnbd["time_unit"], "week");
    assert_eq!(bgnbd["converged"], true);
    // Published (Fader, Hardie & Lee 2005); 1e-3 relative for exact weeks.
    for (key, want) in [
        ("r", 0.242593),
        ("alpha", 4.413532),
        ("a", 0.792886),
        ("b", 2.425752),
    ] {
        let got = bgnbd[key].as_f64().expect("a number");
        assert!((got - want).abs() / want < 1e-3, "{key}: {got}");
    }
    let ll = bgnbd["log_likelihood"].as_f64().expect("a number");
    assert!((ll - -9582.4256).abs() < 0.05, "{ll}");
    let gg = &s["models"]["gamma_gamma"];
    for (key, want) in [("p", 6.248804), ("q", 3.744588), ("gamma", 15.447741)] {
        let got = gg[key].as_f64().expect("a number");
        assert!((got - want).abs() / want < 1e-3, "{key}: {got}");
    }
    let customers = std::fs::read_to_string(out.join("customers.csv")).expect("customers.csv");
    assert_eq!(customers.lines().count(), 1 + 2357);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn clusters_are_in_the_summary_and_every_buyer_has_one() {
    let dir = temp_dir("clusters-input");
    std::fs::create_dir_all(&dir).expect("dir");
    let demo = dir.join("demo.csv");
    let made = segmenter(&["demo", "--out", demo.to_str().expect("utf8")]);
    assert!(made.status.success());
    let out = temp_dir("clusters");
    let result = analyze(&demo, &out, &["--seed", "7"]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let s = read_summary(&out);
    let k = s["clusters"]["k"].as_u64().expect("k");
    assert!((2..=12).contains(&k));
    assert!(s["clusters"]["silhouette"].as_f64().expect("silhouette") > 0.0);
    let sizes: u64 = s["clusters"]["sizes"]
        .as_array()
        .expect("sizes")
        .iter()
        .map(|v| v.as_u64().expect("size"))
        .sum();
    assert_eq!(sizes, s["customers"].as_u64().expect("customers"));
    let csv = std::fs::read_to_string(out.join("customers.csv")).expect("customers.csv");
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let at = header
        .iter()
        .position(|h| *h == "cluster")
        .expect("a cluster column");
    assert_eq!(header[at + 1], "cluster_name");
    // Same seed, same clusters.
    let again = temp_dir("clusters-again");
    analyze(&demo, &again, &["--seed", "7"]);
    let csv_again = std::fs::read_to_string(again.join("customers.csv")).expect("customers.csv");
    assert_eq!(csv, csv_again);
    // The merchant's k and features.
    let chosen = temp_dir("clusters-chosen");
    let result = analyze(
        &demo,
        &chosen,
        &[
            "--clusters",
            "3",
            "--cluster-features",
            "spend,orders,refund_rate",
        ],
    );
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let s = read_summary(&chosen);
    assert_eq!(s["clusters"]["k"], 3);
    assert_eq!(
        s["clusters"]["features"],
        serde_json::json!(["spend", "orders", "refund_rate"])
    );
    for key in ["hierarchy", "density", "projection"] {
        assert!(s["clusters"][key].is_object(), "clusters.{key}");
    }
    let bad = analyze(&demo, &chosen, &["--cluster-features", "spend,height"]);
    assert!(!bad.status.success());
    let reason = String::from_utf8_lossy(&bad.stderr);
    assert!(reason.contains("unknown feature \"height\""), "{reason}");
    let bad = analyze(&demo, &chosen, &["--clusters", "20"]);
    assert!(!bad.status.success());
}

#[test]
fn segments_are_counted_and_marked_per_customer() {
    let out = temp_dir("segments");
    let customers = fixture("shopify_customers_small.csv");
    let orders = fixture("shopify_orders_small.csv");
    let result = segmenter(&[
        "analyze",
        customers.to_str().expect("utf8"),
        orders.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
        "--segment",
        "vip=customer_tags CONTAINS 'vip'",
        "--segment",
        "repeat=number_of_orders >= 2 OR (amount_spent > 50 AND customer_countries CONTAINS 'US')",
        "--segment",
        "mugs=products_purchased MATCHES (name = 'Stoneware Mug, Set of 2')",
    ]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let s = read_summary(&out);
    // Only ann bought mugs in counted orders (dev's and cara's were refunded).
    assert_eq!(
        s["segments"],
        serde_json::json!({"vip": 1, "repeat": 2, "mugs": 1})
    );
    let csv = std::fs::read_to_string(out.join("customers.csv")).expect("customers.csv");
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .expect("header")
        .ends_with(",refund_rate,top_categories,vip,repeat,mugs"));
    let ann = lines.next().expect("ann");
    assert!(
        ann.starts_with("8779761975521,") && ann.ends_with(",1,1,1"),
        "{ann}"
    );
    let ben = lines.next().expect("ben");
    assert!(ben.ends_with(",0,1,0"), "{ben}");

    // A mistake is reported with its segment and column, in one line.
    let bad = segmenter(&[
        "analyze",
        orders.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
        "--segment",
        "big=amount_spent >> 5",
    ]);
    assert!(!bad.status.success());
    let reason = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(reason.lines().count(), 1, "{reason}");
    assert!(
        reason.contains("segment big: column 15: expected a value after `>`"),
        "{reason}"
    );
    // An attribute the files lack is named, with what would provide it.
    let lacking = segmenter(&[
        "analyze",
        orders.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
        "--segment",
        "vip=customer_tags CONTAINS 'vip'",
    ]);
    assert!(!lacking.status.success());
    assert!(String::from_utf8_lossy(&lacking.stderr).contains("Shopify customers export"));
}

#[test]
fn exports_are_written_in_the_platforms_layouts() {
    let out = temp_dir("exports");
    let customers = fixture("shopify_customers_small.csv");
    let orders = fixture("shopify_orders_small.csv");
    let result = segmenter(&[
        "analyze",
        customers.to_str().expect("utf8"),
        orders.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
        "--segment",
        "big=amount_spent > 50",
        "--export",
        "shopify,klaviyo,meta,google,tiktok,csv,json",
    ]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(out.join("exports").join(name)).expect(name);
    let first_line = |name: &str| read(name).lines().next().expect("header").to_string();
    assert_eq!(first_line("shopify_customer_tags.csv"), "Email,Tags");
    assert!(first_line("klaviyo_profiles.csv").starts_with("Email,"));
    assert_eq!(
        first_line("meta_customer_list.csv"),
        "email,phone,fn,ln,ct,st,zip,country,value"
    );
    assert_eq!(
        first_line("google_customer_match.csv"),
        "Email,Phone,First Name,Last Name,Country,Zip"
    );
    assert_eq!(
        first_line("tiktok_customer_file.csv"),
        "Email_SHA256,Phone_SHA256"
    );
    // sha256("ann@example.com"), checked with Python's hashlib.
    let ann = "71d4f55f72fa128dfb468a1a3901507c804b74316488744d769d7f4b16696476";
    assert!(read("meta_customer_list.csv").contains(ann));
    assert!(
        !read("meta_customer_list.csv").contains("ann@example.com"),
        "hashed, never in clear"
    );
    assert!(read("shopify_customer_tags.csv")
        .contains("ann@example.com,\"vip, wholesale, rfm:loyal, clv:high, seg:big\""));
    let s = read_summary(&out);
    let exports = s["exports"].as_array().expect("exports");
    assert_eq!(exports.len(), 7);
    assert_eq!(exports[1]["left_out"]["no marketing consent"], 3);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains(
            "exports/klaviyo_profiles.csv: 4 customers (left out: 3 no marketing consent)"
        ),
        "{stderr}"
    );
    let bad = analyze(&orders, &out, &["--export", "fax"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown format \"fax\""));
}

#[test]
fn holdout_split_and_campaign_lift() {
    let dir = temp_dir("campaign-input");
    std::fs::create_dir_all(&dir).expect("dir");
    let demo = dir.join("demo.csv");
    assert!(segmenter(&["demo", "--out", demo.to_str().expect("utf8")])
        .status
        .success());
    let out = temp_dir("campaign");
    let segment = "repeat=number_of_orders >= 2";
    let result = analyze(
        &demo,
        &out,
        &[
            "--segment",
            segment,
            "--holdout",
            "0.2",
            "--export",
            "csv,meta",
        ],
    );
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    // The plain file says each member's group; Meta gets the treatment only.
    let csv = std::fs::read_to_string(out.join("exports/segment_customers.csv")).expect("csv");
    let rows: Vec<(String, String)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[f.len() - 1].to_string())
        })
        .collect();
    let control = rows.iter().filter(|(_, g)| g == "control").count();
    let treatment = rows.iter().filter(|(_, g)| g == "treatment").count();
    assert_eq!(control + treatment, rows.len());
    assert!(
        (control as f64 / rows.len() as f64 - 0.2).abs() < 0.05,
        "{control} of {}",
        rows.len()
    );
    let meta = std::fs::read_to_string(out.join("exports/meta_customer_list.csv")).expect("meta");
    assert_eq!(meta.lines().count() - 1, treatment);
    // Results: treatment converts half the time, control never.
    let mut results = String::from("customer,converted,revenue\n");
    for (i, (id, group)) in rows.iter().enumerate() {
        let converted = group == "treatment" && i % 2 == 0;
        results.push_str(&format!(
            "{id},{},{}\n",
            u8::from(converted),
            if converted { 40 } else { 0 }
        ));
    }
    let file = dir.join("results.csv");
    std::fs::write(&file, results).expect("results");
    let again = temp_dir("campaign-results");
    let result = analyze(
        &demo,
        &again,
        &[
            "--segment",
            segment,
            "--holdout",
            "0.2",
            "--results",
            file.to_str().expect("utf8"),
        ],
    );
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let s = read_summary(&again);
    let lift = &s["campaign"][0];
    assert_eq!(lift["treatment"], treatment as u64);
    assert_eq!(lift["control"], control as u64);
    assert_eq!(lift["control_rate"], 0.0);
    assert!(lift["conversion_lift"]["low"].as_f64().expect("low") > 0.3);
    assert!(lift["summary"]
        .as_str()
        .expect("summary")
        .contains("raised conversion"));
    // Results without the split they belong to are refused.
    let bad = analyze(&demo, &again, &["--results", file.to_str().expect("utf8")]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("--results needs --segment and --holdout")
    );
}

#[test]
fn recommendations_replenishment_and_make_up_are_written() {
    let dir = temp_dir("interest");
    std::fs::create_dir_all(&dir).expect("dir");
    let csv = dir.join("demo.csv");
    assert!(segmenter(&["demo", "--out", csv.to_str().expect("utf8")])
        .status
        .success());
    let out = dir.join("out");
    let result = analyze(
        &csv,
        &out,
        &[
            "--segment",
            "germany=customer_countries CONTAINS 'DE'",
            "--segment",
            "due=replenishment_due CONTAINS 'Organic Ethiopian Coffee Beans'",
        ],
    );
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    let s = read_summary(&out);
    // The demo's coffee subscribers reorder every 30 days.
    let coffee = &s["replenishment"]["Organic Ethiopian Coffee Beans"];
    let interval = coffee["interval_days"].as_f64().expect("an interval");
    assert!((interval - 30.0).abs() <= 1.0, "{coffee}");
    let due = coffee["due_customers"].as_u64().expect("due");
    assert_eq!(s["segments"]["due"], due);
    assert!(
        s["interest"]["evaluation"]["customers"]
            .as_u64()
            .expect("evaluated")
            > 100
    );
    // A segment chosen by country is all that country, and not flagged.
    let country = &s["segment_make_up"]["germany"][0];
    assert_eq!(country["name"], "country");
    let de = country["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .find(|p| p["value"] == "DE")
        .expect("DE");
    assert_eq!(de["segment_share"], 1.0);
    assert_eq!(country["warnings"].as_array().map(Vec::len), Some(0));
    assert!(!stderr.contains("under-represented"), "{stderr}");
    // Every row lists what to offer; the due ones what is running out.
    let customers = std::fs::read_to_string(out.join("customers.csv")).expect("customers.csv");
    let mut reader = customers.lines();
    let header: Vec<&str> = reader.next().expect("header").split(',').collect();
    let due_column = header
        .iter()
        .position(|h| *h == "replenishment_due")
        .expect("column");
    let marked = header
        .iter()
        .position(|h| *h == "due")
        .expect("segment column");
    let rows: Vec<Vec<String>> = customers.lines().skip(1).map(split_csv).collect();
    let listed = rows
        .iter()
        .filter(|r| r[due_column].contains("Organic Ethiopian Coffee Beans"))
        .count() as u64;
    assert_eq!(listed, due);
    assert!(rows
        .iter()
        .all(|r| (r[marked] == "1") == r[due_column].contains("Organic Ethiopian Coffee Beans")));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Fields of one CSV line (quotes as the writer makes them).
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().expect("a field").push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            (c, _) => fields.last_mut().expect("a field").push(c),
        }
    }
    fields
}

/// The files of an analysis, without its timings.
fn outputs(dir: &Path) -> (Value, Vec<u8>, Vec<u8>) {
    let mut summary = read_summary(dir);
    summary.as_object_mut().expect("object").remove("timings");
    let read = |name: &str| std::fs::read(dir.join(name)).expect(name);
    (summary, read("customers.csv"), read("rejected.csv"))
}

/// `analyze` with `--threads N --timings`; returns how many pieces merged.
fn analyze_threaded(input: &Path, out: &Path, threads: &str) -> u64 {
    let result = analyze(input, out, &["--threads", threads, "--timings"]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    read_summary(out)["timings"]["pieces_merged"]
        .as_u64()
        .expect("pieces_merged")
}

#[test]
fn a_large_file_read_on_several_threads_gives_the_same_files() {
    let dir = temp_dir("threads");
    std::fs::create_dir_all(&dir).expect("dir");
    let input = dir.join("orders.csv");
    // About 18 MB: above the size from which files are read in pieces.
    let demo = segmenter(&[
        "demo",
        "--customers",
        "5200",
        "--out",
        input.to_str().expect("utf8"),
    ]);
    assert!(demo.status.success());
    let (one, three) = (dir.join("one"), dir.join("three"));
    assert_eq!(analyze_threaded(&input, &one, "1"), 0);
    assert_eq!(
        analyze_threaded(&input, &three, "3"),
        2,
        "two pieces merged"
    );
    assert_eq!(outputs(&one), outputs(&three));
}

#[test]
fn a_cut_that_falls_in_a_quoted_field_is_read_in_one_go() {
    let dir = temp_dir("quoted-cut");
    std::fs::create_dir_all(&dir).expect("dir");
    let input = dir.join("orders.csv");
    // A note of 17 MB whose lines look like rows: every cut falls inside
    // it and looks like a record start, and none can be merged.
    let mut text = String::from("customer,date,amount,note\n");
    for i in 0..2000 {
        text.push_str(&format!(
            "c{},2025-01-{:02},{}.5,\n",
            i % 300,
            1 + i % 28,
            i
        ));
    }
    text.push_str("c1,2025-02-01,9.5,\"");
    let fake = "k9,2025-01-01,1,n\n";
    text.push_str(&fake.repeat((17 << 20) / fake.len()));
    text.push_str("\"\nc2,2025-02-02,3.5,\n");
    std::fs::write(&input, text).expect("write");
    let (one, two) = (dir.join("one"), dir.join("two"));
    assert_eq!(analyze_threaded(&input, &one, "1"), 0);
    assert_eq!(analyze_threaded(&input, &two, "2"), 0, "nothing merged");
    assert_eq!(outputs(&one), outputs(&two));
    assert_eq!(read_summary(&two)["rows_read"], 2002);
}

#[test]
fn timings_include_the_segment_queries_only_when_there_are_some() {
    let input = fixture("shopify_orders_small.csv");
    let stages = |extra: &[&str]| -> Vec<(String, f64)> {
        let out = temp_dir(&format!("query-timings-{}", extra.len()));
        let result = analyze(&input, &out, extra);
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
        read_summary(&out)["timings"]["stages"]
            .as_array()
            .expect("stages")
            .iter()
            .map(|s| {
                let name = s["stage"].as_str().expect("name").to_string();
                (name, s["ms"].as_f64().expect("ms"))
            })
            .collect()
    };
    let with = stages(&["--timings", "--segment", "repeat=number_of_orders >= 2"]);
    let (last, ms) = with.last().expect("stages");
    assert_eq!(last, "segment queries", "timed after the analysis");
    assert!(*ms >= 0.0);
    let without = stages(&["--timings"]);
    assert!(without.iter().all(|(name, _)| name != "segment queries"));
    assert_eq!(without.len() + 1, with.len());
}
