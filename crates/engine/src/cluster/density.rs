//! Density-based clusters: HDBSCAN (Campello, Moulavi and Sander 2013, as
//! implemented by the `hdbscan` library and scikit-learn). Groups are
//! regions where customers sit close together; customers in sparse regions
//! belong to no group and are reported as outliers, which k-means cannot do.
//!
//! Written here rather than taken from a crate: the maintained Rust
//! implementation does not build for wasm32 (a dependency of it fails on
//! 32-bit targets). The steps follow the reference implementation so that
//! results match scikit-learn's `HDBSCAN` (checked in `density_tests.rs`).
//!
//! It costs n² distances, so the analysis runs it on a sample of buyers.

use ndarray::ArrayView2;

use super::kmeans::squared_distance_slices;

/// Parameters, named as in scikit-learn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hdbscan {
    /// The fewest customers that make a group.
    pub min_cluster_size: usize,
    /// Neighbours (counting the customer) within the core distance.
    pub min_samples: usize,
}

/// Labels per row: `Some(cluster)` (0-based, in order of first row) or
/// `None` for an outlier.
pub fn hdbscan(data: ArrayView2<'_, f64>, params: Hdbscan) -> Vec<Option<u16>> {
    let n = data.nrows();
    if n < 2 || n < params.min_cluster_size {
        return vec![None; n];
    }
    let data = data.as_standard_layout();
    let d = data.ncols().max(1);
    let x = data.as_slice().expect("standard layout");
    let row = |i: usize| &x[i * d..(i + 1) * d];
    let core = core_distances(x, d, n, params.min_samples.clamp(1, n));
    // Prim's minimum spanning tree over mutual reachability distances,
    // max(core(a), core(b), d(a, b)), computed on the fly (no n² matrix).
    let mut in_tree = vec![false; n];
    let mut best = vec![f64::INFINITY; n];
    let mut from = vec![0usize; n];
    let mut edges: Vec<(usize, usize, f64)> = Vec::with_capacity(n - 1);
    let mut current = 0;
    in_tree[0] = true;
    for _ in 1..n {
        let mut next = usize::MAX;
        let mut next_weight = f64::INFINITY;
        for j in 0..n {
            if in_tree[j] {
                continue;
            }
            let reach = squared_distance_slices(row(current), row(j))
                .sqrt()
                .max(core[current])
                .max(core[j]);
            if reach < best[j] {
                best[j] = reach;
                from[j] = current;
            }
            if best[j] < next_weight {
                next_weight = best[j];
                next = j;
            }
        }
        in_tree[next] = true;
        edges.push((from[next], next, next_weight));
        current = next;
    }
    edges.sort_by(|a, b| a.2.total_cmp(&b.2));
    let tree = single_linkage(n, &edges);
    let condensed = condense(n, &tree, params.min_cluster_size.max(2));
    let selected = select_clusters(n, &condensed);
    label(n, &condensed, &selected)
}

/// Distance to the `k`-th nearest row, counting the row itself as the first.
fn core_distances(x: &[f64], d: usize, n: usize, k: usize) -> Vec<f64> {
    let mut scratch = vec![0.0; n];
    (0..n)
        .map(|i| {
            let a = &x[i * d..(i + 1) * d];
            for (j, slot) in scratch.iter_mut().enumerate() {
                *slot = squared_distance_slices(a, &x[j * d..(j + 1) * d]);
            }
            let (_, kth, _) = scratch.select_nth_unstable_by(k - 1, f64::total_cmp);
            kth.sqrt()
        })
        .collect()
}

/// A merge of the single-linkage tree: node `n + i` joins `left` and `right`.
#[derive(Clone, Copy, Debug)]
struct Merge {
    left: usize,
    right: usize,
    distance: f64,
    size: usize,
}

/// Kruskal over the sorted spanning tree edges: the single-linkage tree.
fn single_linkage(n: usize, edges: &[(usize, usize, f64)]) -> Vec<Merge> {
    let mut parent: Vec<usize> = (0..2 * n - 1).collect();
    let mut size = vec![1usize; 2 * n - 1];
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    edges
        .iter()
        .enumerate()
        .map(|(i, &(a, b, distance))| {
            let (left, right) = (find(&mut parent, a), find(&mut parent, b));
            let node = n + i;
            parent[left] = node;
            parent[right] = node;
            size[node] = size[left] + size[right];
            Merge {
                left,
                right,
                distance,
                size: size[node],
            }
        })
        .collect()
}

/// A row of the condensed tree: `child` (a row below `n`, or a cluster)
/// leaves cluster `parent` at density `lambda` (1 / distance).
#[derive(Clone, Copy, Debug)]
struct Condensed {
    parent: usize,
    child: usize,
    lambda: f64,
    size: usize,
}

/// The single-linkage tree seen from the top: a split only makes new
/// clusters when both sides have at least `min_size` rows; otherwise the
/// small side's rows fall out of the cluster that goes on. Clusters are
/// numbered from `n` (the root) in order of creation.
fn condense(n: usize, tree: &[Merge], min_size: usize) -> Vec<Condensed> {
    let root = 2 * n - 2;
    let node = |id: usize| tree[id - n];
    let size_of = |id: usize| if id < n { 1 } else { node(id).size };
    let mut relabel = vec![0usize; 2 * n - 1];
    relabel[root] = n;
    let mut next_label = n + 1;
    let mut out = Vec::new();
    let mut stack = vec![root];
    // Depth first, right before left, like the reference's breadth-first
    // walk this only affects the numbering of clusters, not their content.
    let mut order = Vec::new();
    while let Some(id) = stack.pop() {
        order.push(id);
        if id >= n {
            stack.push(node(id).right);
            stack.push(node(id).left);
        }
    }
    // Rows that coincide merge at distance 0 (infinite density); count them
    // at twice the highest finite density instead, so that a stack of
    // identical customers is very stable but not infinitely so.
    let closest = tree
        .iter()
        .map(|m| m.distance)
        .filter(|&d| d > 0.0)
        .fold(f64::INFINITY, f64::min);
    let floor = if closest.is_finite() {
        closest / 2.0
    } else {
        1.0
    };
    let mut falls_out_whole = vec![false; 2 * n - 1];
    for &id in &order {
        if id < n || falls_out_whole[id] {
            continue;
        }
        let m = node(id);
        let lambda = 1.0 / m.distance.max(floor);
        let (left, right) = (m.left, m.right);
        let (left_size, right_size) = (size_of(left), size_of(right));
        let parent = relabel[id];
        let drop_all = |child: usize, out: &mut Vec<Condensed>, falls: &mut [bool]| {
            let mut stack = vec![child];
            while let Some(c) = stack.pop() {
                if c < n {
                    out.push(Condensed {
                        parent,
                        child: c,
                        lambda,
                        size: 1,
                    });
                } else {
                    falls[c] = true;
                    stack.push(node(c).left);
                    stack.push(node(c).right);
                }
            }
        };
        match (left_size >= min_size, right_size >= min_size) {
            (true, true) => {
                for (child, size) in [(left, left_size), (right, right_size)] {
                    relabel[child] = next_label;
                    next_label += 1;
                    out.push(Condensed {
                        parent: relabel[id],
                        child: relabel[child],
                        lambda,
                        size,
                    });
                }
            }
            (false, false) => {
                drop_all(left, &mut out, &mut falls_out_whole);
                drop_all(right, &mut out, &mut falls_out_whole);
            }
            (true, false) => {
                relabel[left] = relabel[id];
                drop_all(right, &mut out, &mut falls_out_whole);
            }
            (false, true) => {
                relabel[right] = relabel[id];
                drop_all(left, &mut out, &mut falls_out_whole);
            }
        }
    }
    out
}

/// Excess of mass: keep a cluster when it is more stable than its
/// descendants together, else keep them. The root is never kept (a single
/// all-embracing group says nothing).
fn select_clusters(n: usize, tree: &[Condensed]) -> Vec<bool> {
    let clusters = tree
        .iter()
        .map(|r| r.parent.max(r.child))
        .max()
        .map_or(n, |m| m.max(n))
        - n
        + 1;
    let mut birth = vec![0.0f64; clusters];
    for r in tree.iter().filter(|r| r.child >= n) {
        birth[r.child - n] = r.lambda;
    }
    let mut stability = vec![0.0f64; clusters];
    for r in tree {
        let p = r.parent - n;
        stability[p] += (r.lambda - birth[p]) * r.size as f64;
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); clusters];
    for r in tree.iter().filter(|r| r.child >= n) {
        children[r.parent - n].push(r.child - n);
    }
    let mut selected = vec![true; clusters];
    selected[0] = false;
    // Children are numbered after their parents: go bottom-up.
    for c in (1..clusters).rev() {
        let below: f64 = children[c].iter().map(|&ch| stability[ch]).sum();
        if below > stability[c] {
            selected[c] = false;
            stability[c] = below;
        } else {
            let mut stack = children[c].clone();
            while let Some(s) = stack.pop() {
                selected[s] = false;
                stack.extend_from_slice(&children[s]);
            }
        }
    }
    selected
}

/// Each row's nearest selected ancestor, numbered 0.. in order of first row.
fn label(n: usize, tree: &[Condensed], selected: &[bool]) -> Vec<Option<u16>> {
    let clusters = selected.len();
    let mut parent_of = vec![usize::MAX; clusters];
    let mut row_parent = vec![n; n];
    for r in tree {
        if r.child >= n {
            parent_of[r.child - n] = r.parent - n;
        } else {
            row_parent[r.child] = r.parent - n;
        }
    }
    let mut owner = vec![None::<usize>; clusters];
    for (c, slot) in owner.iter_mut().enumerate() {
        let mut at = c;
        loop {
            if selected[at] {
                *slot = Some(at);
                break;
            }
            if parent_of[at] == usize::MAX {
                break;
            }
            at = parent_of[at];
        }
    }
    let mut number = vec![None::<u16>; clusters];
    let mut next = 0u16;
    row_parent
        .iter()
        .map(|&p| {
            let cluster = owner.get(p).copied().flatten()?;
            Some(*number[cluster].get_or_insert_with(|| {
                next += 1;
                next - 1
            }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn two_dense_groups_and_a_far_point() {
        // Two tight lines of 10 points and one point far from both.
        let mut points: Vec<[f64; 2]> = (0..10).map(|i| [i as f64 * 0.1, 0.0]).collect();
        points.extend((0..10).map(|i| [i as f64 * 0.1, 50.0]));
        points.push([200.0, 200.0]);
        let data = Array2::from_shape_fn((points.len(), 2), |(i, j)| points[i][j]);
        let labels = hdbscan(
            data.view(),
            Hdbscan {
                min_cluster_size: 5,
                min_samples: 3,
            },
        );
        assert!(labels[..10].iter().all(|&l| l == Some(0)), "{labels:?}");
        assert!(labels[10..20].iter().all(|&l| l == Some(1)), "{labels:?}");
        assert_eq!(labels[20], None);
    }

    #[test]
    fn too_few_rows_are_all_outliers_and_nothing_panics() {
        let params = Hdbscan {
            min_cluster_size: 5,
            min_samples: 5,
        };
        assert_eq!(hdbscan(Array2::zeros((0, 2)).view(), params), vec![]);
        assert_eq!(hdbscan(Array2::zeros((3, 2)).view(), params), vec![None; 3]);
        // Identical rows: distances of zero everywhere.
        let same = hdbscan(Array2::zeros((30, 2)).view(), params);
        assert_eq!(same.len(), 30);
    }
}
