//! Our clusterings against the reference implementations on the same data:
//! k-means against scikit-learn's KMeans from the same initial centres,
//! HDBSCAN against scikit-learn's HDBSCAN, Ward against SciPy's linkage
//! (figures written by `bench/models/sklearn_kmeans_reference.py` and
//! `bench/models/sklearn_density_reference.py`, and committed).

use ndarray::Array2;

use super::density::{hdbscan, Hdbscan};
use super::hamerly::hamerly;
use super::hierarchy::{cut, ward};
use super::kmeans::lloyd;
use super::quality::adjusted_rand;

fn matrix(text: &str) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.parse().expect("a number")).collect())
        .collect();
    let (n, d) = (rows.len(), rows[0].len());
    Array2::from_shape_fn((n, d), |(i, j)| rows[i][j])
}

#[test]
fn lloyd_matches_scikit_learn_from_the_same_start() {
    let data = matrix(include_str!("../../tests/data/kmeans/data.csv"));
    let init = matrix(include_str!("../../tests/data/kmeans/init.csv"));
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/data/kmeans/sklearn.json")).expect("json");
    let ours = lloyd(data.view(), init.clone());
    assert_eq!(
        hamerly(data.view(), init),
        ours,
        "Hamerly's bounds change nothing"
    );
    let inertia = reference["inertia"].as_f64().expect("inertia");
    assert!(
        (ours.inertia - inertia).abs() <= 1e-6 * inertia,
        "inertia {} vs scikit-learn {inertia}",
        ours.inertia
    );
    let labels: Vec<u16> = reference["labels"]
        .as_array()
        .expect("labels")
        .iter()
        .map(|v| v.as_u64().expect("label") as u16)
        .collect();
    assert_eq!(ours.labels, labels, "same labels, cluster for cluster");
}

fn numbers(value: &serde_json::Value) -> Vec<f64> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_f64().expect("a number"))
        .collect()
}

#[test]
fn hdbscan_matches_scikit_learn() {
    let data = matrix(include_str!("../../tests/data/density/data.csv"));
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/data/density/reference.json"))
            .expect("json");
    let theirs: Vec<i64> = numbers(&reference["hdbscan_labels"])
        .iter()
        .map(|&v| v as i64)
        .collect();
    let ours = hdbscan(
        data.view(),
        Hdbscan {
            min_cluster_size: reference["min_cluster_size"].as_u64().expect("size") as usize,
            min_samples: reference["min_samples"].as_u64().expect("samples") as usize,
        },
    );
    // Rows whose fate turns on the order of equal distances (scikit-learn
    // itself labels them differently when the rows are shuffled) are left
    // out; there are few.
    let ambiguous: Vec<usize> = numbers(&reference["hdbscan_order_dependent_rows"])
        .iter()
        .map(|&v| v as usize)
        .collect();
    assert!(ambiguous.len() * 100 < theirs.len(), "{ambiguous:?}");
    let keep = |i: &usize| !ambiguous.contains(i);
    let ours: Vec<Option<u16>> = (0..ours.len()).filter(keep).map(|i| ours[i]).collect();
    let theirs: Vec<i64> = (0..theirs.len()).filter(keep).map(|i| theirs[i]).collect();
    // The same outliers, row for row.
    let outliers: Vec<bool> = ours.iter().map(Option::is_none).collect();
    let their_outliers: Vec<bool> = theirs.iter().map(|&l| l < 0).collect();
    let differ: Vec<(usize, Option<u16>, i64)> = (0..ours.len())
        .filter(|&i| outliers[i] != their_outliers[i])
        .map(|i| (i, ours[i], theirs[i]))
        .collect();
    assert!(
        differ.is_empty(),
        "rows where the outliers differ: {differ:?}"
    );
    assert!(theirs.iter().any(|&l| l < 0), "the fixture has outliers");
    // The same groups among the rest, whatever their numbers.
    let (a, b): (Vec<u16>, Vec<u16>) = ours
        .iter()
        .zip(&theirs)
        .filter_map(|(o, &t)| Some((o.as_ref().copied()?, t as u16)))
        .unzip();
    assert_eq!(adjusted_rand(&a, &b), 1.0);
    let groups = |labels: &[u16]| labels.iter().copied().max().map_or(0, |m| m + 1);
    assert_eq!(groups(&a), groups(&b));
}

#[test]
fn ward_matches_scipy() {
    let data = matrix(include_str!("../../tests/data/density/data.csv"));
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/data/density/reference.json"))
            .expect("json");
    let tree = ward(data.view());
    let heights = numbers(&reference["ward_heights"]);
    assert_eq!(tree.steps().len(), heights.len());
    for (step, h) in tree.steps().iter().zip(&heights) {
        assert!(
            (step.dissimilarity - h).abs() <= 1e-9 * h.max(1.0),
            "{} vs {h}",
            step.dissimilarity
        );
    }
    let sizes = numbers(&reference["ward_sizes"]);
    let ours: Vec<f64> = tree.steps().iter().map(|s| s.size as f64).collect();
    assert_eq!(ours, sizes);
    let four: Vec<u16> = numbers(&reference["ward_4"])
        .iter()
        .map(|&v| v as u16 - 1)
        .collect();
    assert_eq!(adjusted_rand(&cut(&tree, 4), &four), 1.0);
}

#[test]
fn soft_membership_matches_scikit_learn_gaussian_mixture() {
    use super::mixture::{Mixture, Spread};
    let data = matrix(include_str!("../../tests/data/kmeans/data.csv"));
    let kmeans: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/data/kmeans/sklearn.json")).expect("json");
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/data/kmeans/mixture.json")).expect("json");
    let labels: Vec<u16> = numbers(&kmeans["labels"])
        .iter()
        .map(|&v| v as u16)
        .collect();
    let iterations = reference["iterations"].as_u64().expect("iterations") as usize;
    let fit = Mixture::from_labels(data.view(), &labels, 5, Spread::Diagonal).fit(
        data.view(),
        iterations,
        0.0,
    );
    assert_eq!(fit.iterations, iterations);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1e-3);
    for (ours, theirs) in fit.weights.iter().zip(numbers(&reference["weights"])) {
        assert!(close(*ours, theirs), "weight {ours} vs {theirs}");
    }
    for (key, ours) in [("means", &fit.means), ("variances", &fit.variances)] {
        let theirs: Vec<f64> = reference[key]
            .as_array()
            .expect(key)
            .iter()
            .flat_map(numbers)
            .collect();
        for (a, b) in ours.iter().zip(&theirs) {
            assert!(close(*a, *b), "{key}: {a} vs {b}");
        }
    }
    let mut resp = [0.0; 5];
    for (i, row) in reference["probabilities"]
        .as_array()
        .expect("probabilities")
        .iter()
        .enumerate()
    {
        let row_data: Vec<f64> = data.row(i).to_vec();
        fit.responsibilities(&row_data, &mut resp);
        for (a, b) in resp.iter().zip(numbers(row)) {
            assert!((a - b).abs() <= 1e-6, "row {i}: {a} vs {b}");
        }
    }
}
