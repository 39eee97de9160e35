//! k-means against scikit-learn's KMeans on the same data from the same
//! initial centres (reference figures written by
//! `bench/models/sklearn_kmeans_reference.py` and committed).

use ndarray::Array2;

use super::kmeans::lloyd;

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
    let ours = lloyd(data.view(), init);
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
