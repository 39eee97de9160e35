//! Hierarchical clusters: Ward's method (each merge joins the two groups
//! whose union adds the least within-group spread) on a sample of buyers,
//! computed by kodama (the fastcluster algorithms in Rust). Its tree shows
//! how the groups nest: which small groups are close cousins and which
//! stand apart, and where a cut into k groups falls.

use kodama::{linkage, Dendrogram, Method};
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::kmeans::squared_distance_slices;

/// Ward's tree of the rows of `data` (heights as SciPy's `linkage(method =
/// "ward")`). Costs n² memory: give it a sample.
pub fn ward(data: ArrayView2<'_, f64>) -> Dendrogram<f64> {
    let data = data.as_standard_layout();
    let (n, d) = data.dim();
    let x = data.as_slice().expect("standard layout");
    let d = d.max(1);
    let mut condensed = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            condensed.push(
                squared_distance_slices(&x[i * d..(i + 1) * d], &x[j * d..(j + 1) * d]).sqrt(),
            );
        }
    }
    linkage(&mut condensed, n, Method::Ward)
}

/// Union-find roots after the first `steps` merges of the tree.
fn roots_after(tree: &Dendrogram<f64>, steps: usize) -> Vec<usize> {
    let n = tree.observations();
    let mut parent: Vec<usize> = (0..2 * n).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (i, step) in tree.steps().iter().take(steps).enumerate() {
        let (a, b) = (
            find(&mut parent, step.cluster1),
            find(&mut parent, step.cluster2),
        );
        parent[a] = n + i;
        parent[b] = n + i;
    }
    (0..n).map(|i| find(&mut parent, i)).collect()
}

/// The tree cut into (at most) `k` groups: labels 0.. in order of first row.
pub fn cut(tree: &Dendrogram<f64>, k: usize) -> Vec<u16> {
    let n = tree.observations();
    let roots = roots_after(tree, n.saturating_sub(k.max(1)));
    let mut number = std::collections::HashMap::new();
    roots
        .iter()
        .map(|r| {
            let next = number.len() as u16;
            *number.entry(*r).or_insert(next)
        })
        .collect()
}

/// The top of the tree, for drawing: the groups left when the tree is cut
/// into `leaves` groups, in an order where no branches cross, and the
/// merges above them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TreeTop {
    /// Rows under each leaf, in drawing order.
    pub leaf_sizes: Vec<u64>,
    /// For each leaf, the k-means cluster (1-based id) most of its rows are
    /// in, and that share.
    pub leaf_clusters: Vec<(u16, f64)>,
    /// Merges from low to high: `left`/`right` below `leaf_sizes.len()` are
    /// leaves, others are earlier merges (`leaves + index`).
    pub merges: Vec<TreeMerge>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TreeMerge {
    pub left: usize,
    pub right: usize,
    pub height: f64,
}

/// The top `leaves` groups of `tree` and the merges above them. `cluster`
/// gives each row's k-means cluster (1-based id) to label the leaves.
pub fn top(tree: &Dendrogram<f64>, leaves: usize, cluster: &[u16]) -> TreeTop {
    let n = tree.observations();
    let leaves = leaves.clamp(1, n.max(1));
    let first_kept = n - leaves;
    let roots = roots_after(tree, first_kept);
    // Leaves are the roots at the cut; the kept merges refer to them by
    // kodama's label (a row below n, else n + step).
    let steps = &tree.steps()[first_kept..];
    let root = if steps.is_empty() {
        roots.first().copied().unwrap_or(0)
    } else {
        n + n - 2
    };
    // Drawing order: depth first from the root, left before right.
    let mut order = Vec::new();
    let mut stack = vec![root];
    while let Some(label) = stack.pop() {
        let kept = label >= n && label - n >= first_kept;
        if kept {
            let step = &tree.steps()[label - n];
            stack.push(step.cluster2);
            stack.push(step.cluster1);
        } else {
            order.push(label);
        }
    }
    let leaf_index: std::collections::HashMap<usize, usize> =
        order.iter().enumerate().map(|(i, &l)| (l, i)).collect();
    let mut leaf_sizes = vec![0u64; order.len()];
    let mut votes: Vec<std::collections::BTreeMap<u16, u64>> =
        vec![Default::default(); order.len()];
    for (row, r) in roots.iter().enumerate() {
        if let Some(&leaf) = leaf_index.get(r) {
            leaf_sizes[leaf] += 1;
            if let Some(&c) = cluster.get(row) {
                *votes[leaf].entry(c).or_default() += 1;
            }
        }
    }
    let leaf_clusters = votes
        .iter()
        .zip(&leaf_sizes)
        .map(|(v, &size)| {
            v.iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map_or((0, 0.0), |(&c, &count)| {
                    (c, count as f64 / size.max(1) as f64)
                })
        })
        .collect();
    let id = |label: usize| -> usize {
        match leaf_index.get(&label) {
            Some(&leaf) => leaf,
            None => order.len() + (label - n - first_kept),
        }
    };
    let merges = steps
        .iter()
        .map(|s| TreeMerge {
            left: id(s.cluster1),
            right: id(s.cluster2),
            height: s.dissimilarity,
        })
        .collect();
    TreeTop {
        leaf_sizes,
        leaf_clusters,
        merges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn cuts_and_top_of_a_small_tree() {
        // Three pairs far apart: cut in 3 gives the pairs.
        let points = [0.0, 0.1, 10.0, 10.1, 30.0, 30.2];
        let data = Array2::from_shape_fn((6, 1), |(i, _)| points[i]);
        let tree = ward(data.view());
        assert_eq!(cut(&tree, 3), [0, 0, 1, 1, 2, 2]);
        assert_eq!(cut(&tree, 1), [0; 6]);
        assert_eq!(cut(&tree, 6), [0, 1, 2, 3, 4, 5]);
        let top = top(&tree, 3, &[1, 1, 2, 2, 3, 3]);
        assert_eq!(top.leaf_sizes.iter().sum::<u64>(), 6);
        assert_eq!(top.merges.len(), 2);
        // The last merge joins the earlier merge (id 3) and a leaf.
        let last = top.merges[1];
        assert!(last.left == 3 || last.right == 3, "{top:?}");
        assert!(top.leaf_clusters.iter().all(|&(_, share)| share == 1.0));
        // The two near pairs are neighbours in the drawing.
        let order: Vec<u16> = top.leaf_clusters.iter().map(|l| l.0).collect();
        assert_ne!(order[1], 3, "the far pair is drawn at an edge: {order:?}");
    }
}
