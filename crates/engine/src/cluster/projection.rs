//! A flat picture of the clusters: the two directions along which buyers
//! differ most (principal components of the scaled features), and a sample
//! of buyers placed on them, coloured by cluster in the page.

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::features::Feature;

/// The picture: axes and sampled points.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    /// Per axis: the share of all variation it shows, and the features that
    /// make it up most (weight, signed).
    pub axes: Vec<Axis>,
    /// Sampled buyers: position on the two axes and 1-based cluster id.
    pub points: Vec<(f32, f32, u16)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    pub variance_share: f64,
    pub loadings: Vec<(Feature, f64)>,
}

/// Eigenvalues (descending) and unit eigenvectors (columns) of a symmetric
/// matrix, by cyclic Jacobi rotations: exact to rounding for the dozen
/// dimensions here, with no linear-algebra library.
pub fn symmetric_eigen(matrix: &Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let d = matrix.nrows();
    let mut a = matrix.clone();
    let mut v = Array2::<f64>::eye(d);
    for _sweep in 0..100 {
        let off: f64 = (0..d)
            .flat_map(|i| (0..d).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[[i, j]] * a[[i, j]])
            .sum();
        if off < 1e-22 {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                if a[[p, q]].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[[q, q]] - a[[p, p]]) / (2.0 * a[[p, q]]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..d {
                    let (akp, akq) = (a[[k, p]], a[[k, q]]);
                    a[[k, p]] = c * akp - s * akq;
                    a[[k, q]] = s * akp + c * akq;
                }
                for k in 0..d {
                    let (apk, aqk) = (a[[p, k]], a[[q, k]]);
                    a[[p, k]] = c * apk - s * aqk;
                    a[[q, k]] = s * apk + c * aqk;
                }
                for k in 0..d {
                    let (vkp, vkq) = (v[[k, p]], v[[k, q]]);
                    v[[k, p]] = c * vkp - s * vkq;
                    v[[k, q]] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&i, &j| a[[j, j]].total_cmp(&a[[i, i]]));
    let values = order.iter().map(|&i| a[[i, i]]).collect();
    let vectors = Array2::from_shape_fn((d, d), |(r, c)| v[[r, order[c]]]);
    (values, vectors)
}

/// Projects `data` (scaled features, one row per buyer) on its first two
/// principal components; `sample` rows are placed with their `labels`.
pub fn project(
    data: ArrayView2<'_, f64>,
    features: &[Feature],
    sample: &[usize],
    labels: &[u16],
) -> Projection {
    let (n, d) = data.dim();
    if n < 2 || d < 2 {
        return Projection::default();
    }
    let means: Vec<f64> = (0..d).map(|j| data.column(j).sum() / n as f64).collect();
    let mut covariance = Array2::<f64>::zeros((d, d));
    for row in data.rows() {
        for i in 0..d {
            let di = row[i] - means[i];
            for j in i..d {
                covariance[[i, j]] += di * (row[j] - means[j]);
            }
        }
    }
    for i in 0..d {
        for j in i..d {
            covariance[[i, j]] /= (n - 1) as f64;
            covariance[[j, i]] = covariance[[i, j]];
        }
    }
    let (values, mut vectors) = symmetric_eigen(&covariance);
    let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
    // A component's sign is arbitrary: point it so that its largest
    // loading is positive, so "right" means more of what names the axis.
    for c in 0..2 {
        let largest = (0..d)
            .max_by(|&a, &b| vectors[[a, c]].abs().total_cmp(&vectors[[b, c]].abs()))
            .unwrap_or(0);
        if vectors[[largest, c]] < 0.0 {
            vectors.column_mut(c).mapv_inplace(|v| -v);
        }
    }
    let axes = (0..2)
        .map(|c| {
            let mut loadings: Vec<(Feature, f64)> = features
                .iter()
                .enumerate()
                .map(|(j, &f)| (f, vectors[[j, c]]))
                .collect();
            loadings.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
            Axis {
                variance_share: if total > 0.0 {
                    values[c].max(0.0) / total
                } else {
                    0.0
                },
                loadings,
            }
        })
        .collect();
    let points = sample
        .iter()
        .filter(|&&r| r < n)
        .map(|&r| {
            let row = data.row(r);
            let at = |c: usize| -> f32 {
                let v: f64 = (0..d).map(|j| (row[j] - means[j]) * vectors[[j, c]]).sum();
                // Three decimals are plenty for a picture, and keep the
                // summary small.
                ((v * 1000.0).round() / 1000.0) as f32
            };
            (at(0), at(1), labels.get(r).copied().unwrap_or(0))
        })
        .collect();
    Projection { axes, points }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigen_decomposition_reassembles_the_matrix() {
        let m = ndarray::arr2(&[[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 1.0]]);
        let (values, vectors) = symmetric_eigen(&m);
        assert!(values.windows(2).all(|w| w[0] >= w[1]));
        let diag = Array2::from_diag(&ndarray::Array1::from(values.clone()));
        let back = vectors.dot(&diag).dot(&vectors.t());
        for (a, b) in back.iter().zip(m.iter()) {
            assert!((a - b).abs() < 1e-10);
        }
        // Trace is kept.
        assert!((values.iter().sum::<f64>() - 8.0).abs() < 1e-10);
    }

    #[test]
    fn the_first_axis_follows_the_widest_spread() {
        // Spread mostly along feature 1.
        let data = Array2::from_shape_fn((200, 2), |(i, j)| {
            let t = i as f64 / 20.0;
            if j == 1 {
                t * 3.0
            } else {
                (i % 7) as f64 * 0.1
            }
        });
        let p = project(
            data.view(),
            &[Feature::Spend, Feature::Orders],
            &[0, 199],
            &[1; 200],
        );
        assert_eq!(p.axes[0].loadings[0].0, Feature::Orders);
        assert!(p.axes[0].variance_share > 0.95);
        assert_eq!(p.points.len(), 2);
        assert!(
            p.points[1].0 > p.points[0].0,
            "more orders lie to the right"
        );
    }
}
