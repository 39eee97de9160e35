//! The proof on a store with planted structure: bundles put in on purpose
//! come out with the highest lift, and recommendations beat popularity.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::customers::Purchase;
use crate::sales::Maybe;
use crate::sales::SoldItem;

/// 600 customers, 3 orders each over a year, each order 1–3 of 30 products
/// drawn by popularity (product k weighs 30 − k); in 8 % of orders the
/// planted bundle "Shampoo" + "Conditioner" is added, in 6 % "Tent" +
/// "Sleeping bag".
fn planted_store() -> Sales {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut sales = Sales::default();
    let catalogue: Vec<u32> = (0..30)
        .map(|k| sales.labels.intern(&format!("Product {k:02}")))
        .collect();
    let bundles = [
        [
            sales.labels.intern("Shampoo"),
            sales.labels.intern("Conditioner"),
        ],
        [
            sales.labels.intern("Tent"),
            sales.labels.intern("Sleeping bag"),
        ],
    ];
    let weights: Vec<u32> = (0..30).map(|k| 30 - k).collect();
    let total: u32 = weights.iter().sum();
    let start = Date::from_ymd(2025, 1, 1).expect("a date");
    for customer in 0..600u32 {
        for _ in 0..3 {
            let purchase = sales.purchases.len() as u32;
            let date = start.add_days(rng.random_range(0..365));
            sales.purchases.push(Purchase::new(customer, date, 50.0));
            let mut lines = Vec::new();
            for _ in 0..rng.random_range(1..=3) {
                let mut pick = rng.random_range(0..total);
                let k = weights.iter().position(|&w| {
                    let hit = pick < w;
                    pick = pick.saturating_sub(w);
                    hit
                });
                lines.push(catalogue[k.unwrap_or(0)]);
            }
            let roll: f64 = rng.random();
            if roll < 0.08 {
                lines.extend(bundles[0]);
            } else if roll < 0.14 {
                lines.extend(bundles[1]);
            }
            for product in lines {
                sales.items.push(SoldItem {
                    purchase,
                    customer,
                    product,
                    sku: Maybe::NONE,
                    category: Maybe::NONE,
                    quantity: 1.0,
                    price: 10.0,
                    discount: 0.0,
                });
            }
        }
    }
    sales
}

#[test]
fn planted_bundles_come_first_by_lift() {
    let sales = planted_store();
    let interest = Interest::find(&sales, 600, None);
    let top: Vec<(&str, &str)> = interest.summary.bundles[..2]
        .iter()
        .map(|r| (r.from.as_str(), r.to.as_str()))
        .collect();
    assert!(top.contains(&("Conditioner", "Shampoo")), "{top:?}");
    assert!(top.contains(&("Sleeping bag", "Tent")), "{top:?}");
    for rule in &interest.summary.bundles[..2] {
        assert!(rule.lift > 5.0, "{rule:?}");
        assert!((rule.confidence - 1.0).abs() < 1e-9, "{rule:?}");
    }
    // Every other pair is near independence.
    for rule in &interest.summary.bundles[2..] {
        assert!(rule.lift < interest.summary.bundles[1].lift, "{rule:?}");
    }
}

#[test]
fn bundle_buyers_are_recommended_the_other_half() {
    let sales = planted_store();
    let shampoo = sales.labels.get("Shampoo").expect("planted");
    let conditioner = sales.labels.get("Conditioner").expect("planted");
    let interest = Interest::find(&sales, 600, None);
    // Someone with only the shampoo is offered the conditioner first.
    let owned = Baskets::from_pairs(
        sales
            .items
            .iter()
            .map(|i| (i.customer, i.product))
            .collect(),
        600,
    );
    let neighbours = Neighbours::from_counts(&CoCounts::count(&owned, 40));
    assert_eq!(neighbours.recommend(&[shampoo], 1), vec![conditioner]);
    // Everyone gets a full list of products they do not have.
    for c in 0..600 {
        let list: Vec<u32> = interest.recommended(c).collect();
        assert_eq!(list.len(), TOP_N);
        assert!(list.iter().all(|&p| !owned.contains(c, p)));
    }
}

#[test]
fn the_demo_store_s_planted_habits_are_found() {
    use crate::demo::DemoStore;
    use crate::pipeline::analyze_bytes;

    let bytes = DemoStore::default().generate();
    let analysis = analyze_bytes("demo.csv", &bytes, &Default::default()).expect("analyses");
    let interest = &analysis.interest;
    // Coffee subscribers reorder every 30 days (± 3): the only cycle.
    let cycles = &interest.replenishment.cycles;
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    assert_eq!(
        analysis.sales.labels.name(cycles[0].product),
        "Organic Ethiopian Coffee Beans"
    );
    assert!((cycles[0].interval_days - 30.0).abs() <= 1.0, "{cycles:?}");
    // The two strongest planted bundles lead the bundles.
    let top: Vec<(&str, &str)> = interest.summary.bundles[..2]
        .iter()
        .map(|r| (r.from.as_str(), r.to.as_str()))
        .collect();
    assert!(
        top.contains(&("Cork Yoga Block", "Premium Eco-Friendly Yoga Mat")),
        "{top:?}"
    );
    assert!(
        top.contains(&("Leather Key Ring", "Minimalist Leather Wallet")),
        "{top:?}"
    );
    // Each sizeable segment finds a planted bundle first among its orders.
    let planted = [
        ("Cork Yoga Block", "Premium Eco-Friendly Yoga Mat"),
        ("Leather Key Ring", "Minimalist Leather Wallet"),
        (
            "Ceramic Pour-Over Dripper",
            "Organic Ethiopian Coffee Beans",
        ),
    ];
    let summary = crate::summary::Summary::of(&analysis);
    let sizeable: Vec<_> = summary
        .offers_by_group
        .iter()
        .filter(|o| summary.rfm_groups.get(&o.group).is_some_and(|&n| n >= 300))
        .collect();
    assert!(!sizeable.is_empty());
    for offers in sizeable {
        let first = offers.bundles.first().expect("a bundle");
        assert!(
            planted.contains(&(first.from.as_str(), first.to.as_str())),
            "{:?}: {first:?}",
            offers.group
        );
    }
    // The time split has enough customers to say something.
    let evaluation = interest.summary.evaluation.as_ref().expect("an evaluation");
    assert!(evaluation.customers >= 100, "{evaluation:?}");
}
