//! Clustering on planted groups and on the demo store.

use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::*;
use crate::demo::DemoStore;
use crate::pipeline::analyze_bytes;

#[test]
fn planted_groups_are_found_with_the_right_k() {
    // Four groups in five dimensions, centres 6 apart, unit spread.
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let noise = Normal::new(0.0, 1.0).expect("valid");
    let (n, d, groups) = (3000, 5, 4);
    let truth: Vec<u16> = (0..n).map(|i| (i % groups) as u16).collect();
    let data = Array2::from_shape_fn((n, d), |(i, j)| {
        let centre = if j == (i % groups) { 6.0 } else { 0.0 };
        centre + noise.sample(&mut rng)
    });
    let (k, fit, candidates) = choose_and_fit(data.view(), 42, None);
    assert_eq!(k, 4, "{candidates:?}");
    let ari = quality::adjusted_rand(&truth, &fit.labels);
    assert!(ari >= 0.9, "adjusted Rand index {ari}");
    assert_eq!(candidates.len(), 11, "k = 2..=12");
}

#[test]
fn the_demo_store_gets_named_deterministic_clusters() {
    let bytes = DemoStore::default().generate();
    let analysis = analyze_bytes("demo.csv", &bytes, &Default::default()).expect("analyses");
    let a = Clustering::run(
        &analysis.customers,
        &analysis.predictions.scores,
        42,
        &ClusterOptions::default(),
    );
    let s = &a.summary;
    assert!(s.skipped.is_none(), "{:?}", s.skipped);
    assert!((2..=MAX_K).contains(&s.k));
    let buyers = analysis.customers.buyers() as u64;
    assert_eq!(s.sizes.iter().sum::<u64>(), buyers);
    assert!(s.sizes.windows(2).all(|w| w[0] >= w[1]), "largest first");
    let labelled = a.labels.iter().flatten().count() as u64;
    assert_eq!(
        labelled, buyers,
        "every buyer in a cluster, prospects in none"
    );
    for c in &s.clusters {
        assert!(
            !c.name.is_empty() && c.description.contains("customers ("),
            "{c:?}"
        );
    }
    let names: Vec<&str> = s.clusters.iter().map(|c| c.name.as_str()).collect();
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "names are distinct: {names:?}");
    assert!(s.silhouette.expect("k ≥ 2") > 0.0);
    let b = Clustering::run(
        &analysis.customers,
        &analysis.predictions.scores,
        42,
        &ClusterOptions::default(),
    );
    assert_eq!(a, b, "same seed, same clusters");
}
