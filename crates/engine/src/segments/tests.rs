//! Segments over real analyses: the demo store (counts checked against the
//! customer table directly) and the small Shopify exports.

use super::*;
use crate::demo::DemoStore;
use crate::pipeline::{analyze_bytes, Options};
use crate::rfm::RfmGroup;

fn demo() -> Analysis {
    analyze_bytes(
        "demo.csv",
        &DemoStore::default().generate(),
        &Options::default(),
    )
    .expect("analyses")
}

fn count(analysis: &Analysis, query: &str) -> usize {
    members(analysis, query)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .iter()
        .filter(|&&m| m)
        .count()
}

fn shop() -> Analysis {
    crate::pipeline::small_shop()
}

#[test]
fn counts_equal_the_customer_table() {
    let a = demo();
    let c = &a.customers;
    let n = c.len();
    let manual = |f: &dyn Fn(usize) -> bool| (0..n).filter(|&i| f(i)).count();
    assert_eq!(
        count(&a, "number_of_orders > 3 AND amount_spent >= 100"),
        manual(&|i| c.orders[i] > 3 && c.revenue[i] >= 100.0)
    );
    assert_eq!(
        count(&a, "amount_spent BETWEEN 100 AND 1000.99"),
        manual(&|i| (100.0..=1000.99).contains(&c.revenue[i]))
    );
    let cut = c.as_of.add_days(-30);
    assert_eq!(
        count(&a, "last_order_date < -30d"),
        manual(&|i| c.last_order[i].is_some_and(|d| d < cut))
    );
    assert_eq!(
        count(&a, "rfm_group = 'CHAMPIONS' OR rfm_group = LOYAL"),
        manual(&|i| matches!(a.rfm.group[i], RfmGroup::Champions | RfmGroup::Loyal))
    );
    // AND binds tighter than OR.
    assert_eq!(
        count(
            &a,
            "number_of_orders = 1 OR amount_spent > 500 AND rfm_group = 'LOYAL'"
        ),
        manual(&|i| c.orders[i] == 1 || (c.revenue[i] > 500.0 && a.rfm.group[i] == RfmGroup::Loyal))
    );
    assert_eq!(
        count(
            &a,
            "(number_of_orders = 1 OR amount_spent > 500) AND rfm_group = 'LOYAL'"
        ),
        manual(&|i| (c.orders[i] == 1 || c.revenue[i] > 500.0) && a.rfm.group[i] == RfmGroup::Loyal)
    );
    let s = &a.predictions.scores;
    assert_eq!(
        count(&a, "churn_probability > 0.5 AND predicted_clv >= 50"),
        manual(&|i| s[i].churn_probability().is_some_and(|p| p > 0.5)
            && s[i].predicted_clv_12m.is_some_and(|v| v >= 50.0))
    );
    assert_eq!(
        count(&a, "predicted_spend_tier = 'HIGH'"),
        manual(&|i| s[i].predicted_spend_tier.map(|t| t.code()) == Some("HIGH"))
    );
    assert_eq!(
        count(&a, "cluster = 1"),
        manual(&|i| a.clustering.labels[i] == Some(1))
    );
    let soon = c.as_of.add_days(14);
    assert_eq!(
        count(&a, "expected_next_order <= +14d"),
        manual(&|i| s[i].expected_next_order.is_some_and(|d| d <= soon))
    );
    assert_eq!(
        count(&a, "discount_share IS NULL"),
        manual(&|i| c.discount_share(i).is_none())
    );
    assert!(count(&a, "number_of_orders >= 1") > 0);
}

#[test]
fn products_purchased_matches_lines() {
    let a = demo();
    let name = "Linen Throw Blanket";
    let since = a.customers.as_of.add_months(-12);
    let mut manual = vec![false; a.customers.len()];
    for item in &a.sales.items {
        let day = a.sales.purchases[item.purchase as usize].date;
        if a.sales.labels.name(item.product) == name && day >= since {
            manual[item.customer as usize] = true;
        }
    }
    let expected = manual.iter().filter(|&&m| m).count();
    assert!(expected > 0);
    assert_eq!(
        count(
            &a,
            "products_purchased MATCHES (name = 'linen throw blanket', date >= -12m)"
        ),
        expected
    );
    assert_eq!(
        count(
            &a,
            "products_purchased NOT MATCHES (name = 'Linen Throw Blanket', date >= -12m)"
        ),
        a.customers.len() - expected
    );
    // Shopify vendors stand in for categories.
    assert!(
        count(
            &a,
            "products_purchased MATCHES (category IN ('ZenFit', 'TechSound'))"
        ) > 0
    );
    assert!(
        count(
            &a,
            "products_purchased MATCHES (name = 'Linen Throw Blanket', sum_quantity >= 3)"
        ) < expected + 1
    );
}

#[test]
fn the_data_says_what_it_lacks() {
    let a = demo();
    let e = members(&a, "customer_tags CONTAINS 'vip'").expect_err("no customers export");
    assert_eq!(e.column, 1);
    assert!(e.message.contains("Shopify customers export"), "{e}");
    let e =
        members(&a, "number_of_orders > 1 AND companies IS NOT NULL").expect_err("Shopify only");
    assert_eq!(e.column, 26);
    assert!(
        e.message
            .contains("Shopify attribute this data does not have"),
        "{e}"
    );
    let e = members(&a, "amount_spend > 10").expect_err("typo");
    assert!(e.message.contains("did you mean `amount_spent`"), "{e}");
    let e = members(&a, "rfm_group = 'champions'").expect_err("case");
    assert_eq!(e.column, 13);
    assert!(e.message.contains("'CHAMPIONS'"), "{e}");
    let e = members(&a, "amount_spent > 'lots'").expect_err("type");
    assert!(e.message.contains("expected a number"), "{e}");
    let e = members(&a, "last_order_date > 5").expect_err("type");
    assert!(e.message.contains("expected a date"), "{e}");
    let e = members(
        &a,
        "products_purchased MATCHES (tag = 'Sports wear', date >= -12m)",
    )
    .expect_err("no product tags");
    assert_eq!(e.column, 29);
    assert!(e.message.contains("no product tags"), "{e}");
    let e = members(&a, "rfm_group > 'LOYAL'").expect_err("operator");
    assert!(e.message.contains("= or !="), "{e}");
}

#[test]
fn customers_export_attributes_work_when_it_is_there() {
    let a = shop();
    let id = |q: &str| -> Vec<String> {
        let m = members(&a, q).unwrap_or_else(|e| panic!("{q}: {e}"));
        (0..a.customers.len())
            .filter(|&i| m[i])
            .map(|i| a.customers.id[i].to_string())
            .collect()
    };
    assert_eq!(id("customer_tags CONTAINS 'VIP'"), ["8779761975521"]);
    assert_eq!(id("customer_countries CONTAINS 'de'"), ["8779761975523"]);
    assert_eq!(
        id("email_subscription_status = 'SUBSCRIBED' AND number_of_orders >= 1"),
        ["8779761975521", "8779761975523"]
    );
    assert!(id("customer_tags NOT CONTAINS 'vip'").len() == a.customers.len() - 1);
    assert_eq!(
        id("customer_email_domain = 'example.com'").len(),
        a.customers.len() - 1
    );
}

#[test]
fn segments_are_built_together_and_a_bad_one_is_named() {
    let a = demo();
    let defs = [
        SegmentDefinition {
            name: "vip".into(),
            query: "amount_spent > 500".into(),
        },
        SegmentDefinition {
            name: "broken".into(),
            query: "amount_spent >".into(),
        },
    ];
    let e = build(&a, &defs).expect_err("the second fails");
    assert_eq!(e.name, "broken");
    assert_eq!(e.to_string(), "segment broken: column 15: expected a value after `>` (a number, a date such as 2024-05-30 or -30d, or a 'quoted text'), found the end of the query");
    let built = build(&a, &defs[..1]).expect("builds");
    assert_eq!(built[0].count as usize, count(&a, "amount_spent > 500"));
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        /// Any text, and any recombination of the language's pieces, gives
        /// members or an error inside the query, never a panic.
        #[test]
        fn on_arbitrary_queries(
            noise in "\\PC{0,40}",
            pieces in proptest::collection::vec(prop_oneof![
                Just("amount_spent"), Just("last_order_date"), Just("customer_tags"),
                Just("products_purchased"), Just("rfm_group"), Just("MATCHES"), Just("("),
                Just(")"), Just(","), Just("AND"), Just("OR"), Just("NOT"), Just("BETWEEN"),
                Just("CONTAINS"), Just("IS"), Just("NULL"), Just("IN"), Just(">="), Just("="),
                Just("'x'"), Just("'"), Just("-30d"), Just("+2w"), Just("2024-05-30"),
                Just("3.5"), Just("today"), Just("date"), Just("name"), Just("ö"),
            ], 0..14),
        ) {
            let analysis = shop();
            for query in [noise.clone(), pieces.join(" ")] {
                match members(&analysis, &query) {
                    Ok(m) => prop_assert_eq!(m.len(), analysis.customers.len()),
                    Err(e) => {
                        prop_assert!(e.offset <= query.len());
                        prop_assert!(e.column >= 1 && e.column <= query.chars().count() + 1);
                    }
                }
            }
        }
    }
}

#[test]
fn only_product_queries_build_the_line_index() {
    let a = crate::pipeline::small_shop();
    let compiled = |q: &str| {
        let parsed = super::parser::parse(q).expect("parses");
        super::eval::compile(&parsed, q, &a).expect("compiles")
    };
    assert!(!compiled("number_of_orders >= 2 AND amount_spent > 10").reads_products());
    assert!(
        compiled("number_of_orders >= 2 OR products_purchased MATCHES (category = 'x')")
            .reads_products()
    );
    // Both paths give the same members: nobody bought 999 of anything.
    let with_products =
        "number_of_orders >= 1 AND products_purchased NOT MATCHES (sum_quantity >= 999)";
    let m = super::members(&a, with_products).expect("a product query");
    let plain = super::members(&a, "number_of_orders >= 1").expect("plain");
    assert!(m.iter().any(|&x| x));
    assert_eq!(m, plain);
}
