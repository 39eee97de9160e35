//! Clustering on planted groups and on the demo store.

use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::*;
use crate::demo::DemoStore;
use crate::pipeline::{analyze_bytes, Analysis};

fn input(analysis: &Analysis) -> ClusterInput<'_> {
    ClusterInput {
        customers: &analysis.customers,
        scores: &analysis.predictions.scores,
        sales: &analysis.sales,
        rfm: &analysis.rfm.group,
    }
}

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
    let a = Clustering::run(&input(&analysis), 42, &ClusterOptions::default());
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
    let b = Clustering::run(&input(&analysis), 42, &ClusterOptions::default());
    assert_eq!(a, b, "same seed, same clusters");
}

#[test]
fn the_demo_store_offers_refunds_and_vendor_shares_and_the_other_views() {
    let bytes = DemoStore::default().generate();
    let analysis = analyze_bytes("demo.csv", &bytes, &Default::default()).expect("analyses");
    let clustering = Clustering::run(&input(&analysis), 42, &ClusterOptions::default());
    // Soft membership: every buyer has a probability for their cluster.
    let buyers = analysis.customers.buyers();
    let probabilities: Vec<f32> = clustering.membership.iter().flatten().copied().collect();
    assert_eq!(probabilities.len(), buyers);
    assert!(probabilities.iter().all(|p| (0.0..=1.0).contains(p)));
    let m = clustering.summary.membership.clone().expect("membership");
    let clear = probabilities
        .iter()
        .filter(|&&p| f64::from(p) >= alternatives::CLEAR)
        .count();
    assert!((m.clear_share - clear as f64 / buyers as f64).abs() < 1e-12);
    assert_eq!(
        m.borderline as usize,
        probabilities.iter().filter(|&&p| p < 0.5).count()
    );
    assert!(m.clear_share > 0.5, "mostly clear on the demo store: {m:?}");
    let s = clustering.summary;
    // Shopify's Vendor stands in for the category; refunds are in the data.
    assert!(
        s.available.contains(&Feature::RefundRate),
        "{:?}",
        s.available
    );
    assert!(s.available.contains(&Feature::Category(0)));
    assert_eq!(s.categories.len(), features::TOP_CATEGORIES);
    assert!(
        s.categories.iter().any(|c| c == "ZenFit"),
        "{:?}",
        s.categories
    );
    for c in &s.clusters {
        assert!(
            !c.rfm_mix.is_empty() && !c.top_categories.is_empty(),
            "{c:?}"
        );
        let shares: f64 = c.rfm_mix.iter().map(|(_, share)| share).sum();
        assert!(shares <= 1.0 + 1e-9);
    }
    let h = s.hierarchy.expect("Ward's tree");
    assert_eq!(h.sample, VIEW_SAMPLE as u64);
    assert_eq!(h.sizes.iter().sum::<u64>(), h.sample);
    assert_eq!(h.tree.leaf_sizes.iter().sum::<u64>(), h.sample);
    assert_eq!(h.tree.merges.len() + 1, h.tree.leaf_sizes.len());
    assert!((-1.0..=1.0).contains(&h.agreement));
    let d = s.density.expect("HDBSCAN");
    let grouped: u64 = d.groups.iter().map(|g| g.size).sum();
    assert_eq!(
        grouped + d.outliers,
        d.sample,
        "every sampled buyer grouped or an outlier"
    );
    assert!(d.summary.contains("fit no group"), "{}", d.summary);
    let p = s.projection.expect("picture");
    assert_eq!(p.points.len(), VIEW_SAMPLE);
    assert!(p
        .points
        .iter()
        .all(|&(_, _, c)| (1..=s.k as u16).contains(&c)));
    assert!(p.axes[0].variance_share >= p.axes[1].variance_share);
}

#[test]
fn the_merchant_chooses_k_and_features() {
    let bytes = DemoStore::default().generate();
    let analysis = analyze_bytes("demo.csv", &bytes, &Default::default()).expect("analyses");
    let options = ClusterOptions {
        features: Some(vec![Feature::Spend, Feature::Orders, Feature::Recency]),
        k: Some(3),
    };
    let s = Clustering::run(&input(&analysis), 42, &options).summary;
    assert_eq!(s.k, 3);
    assert_eq!(
        s.features,
        [Feature::Spend, Feature::Orders, Feature::Recency]
    );
    assert!(s.available.len() > 3, "every feature stays on offer");
    assert!((2..=MAX_K).contains(&s.suggested_k));
    assert_eq!(s.clusters.len(), 3);
    // One feature is not enough.
    let one = ClusterOptions {
        features: Some(vec![Feature::Spend]),
        k: None,
    };
    let skipped = Clustering::run(&input(&analysis), 42, &one).summary;
    assert!(skipped.skipped.expect("skipped").contains("two"));
    // Feature names travel as their keys.
    let json = serde_json::to_string(&options).expect("json");
    assert_eq!(json, r#"{"features":["spend","orders","recency"],"k":3}"#);
    let back: ClusterOptions = serde_json::from_str(&json).expect("back");
    assert_eq!(back, options);
    for f in Feature::ALL {
        assert_eq!(Feature::from_key(f.key()), Some(f));
    }
}
