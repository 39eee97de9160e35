"""Reference figures for the density and hierarchy tests: scikit-learn's
HDBSCAN (brute force, excess-of-mass selection) and SciPy's Ward linkage on
a fixed data set of uneven groups plus scattered outliers. The engine's tests
(crates/engine/src/cluster/reference_tests.rs) run their own HDBSCAN and
kodama's Ward on the same rows and must agree.

    python bench/models/sklearn_density_reference.py crates/engine/tests/data/density
"""
import json
import sys
from pathlib import Path

import numpy as np
import scipy
import sklearn
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.cluster import HDBSCAN

MIN_CLUSTER_SIZE = 15
MIN_SAMPLES = 5


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261125)
    # Four groups of different sizes and spreads in three dimensions, and
    # outliers scattered over the whole box.
    sizes = [160, 120, 80, 60]
    spreads = [0.5, 0.8, 0.3, 1.0]
    centres = rng.uniform(-8.0, 8.0, size=(4, 3))
    groups = [c + rng.normal(0.0, s, size=(m, 3)) for c, s, m in zip(centres, spreads, sizes)]
    noise = rng.uniform(-12.0, 12.0, size=(40, 3))
    data = np.vstack(groups + [noise])
    data = data[rng.permutation(len(data))]
    model = HDBSCAN(min_cluster_size=MIN_CLUSTER_SIZE, min_samples=MIN_SAMPLES,
                    algorithm="brute", copy=True).fit(data)
    # Mutual reachability distances tie (a sparse row is equally far from
    # all its neighbours), and where such a row bridges two groups its fate
    # depends on the order of equal edges: scikit-learn itself answers
    # differently for the same rows in another order. Those rows are listed
    # so that the test leaves them out.
    ambiguous = set()
    for seed in range(8):
        order = np.random.default_rng(seed).permutation(len(data))
        again = HDBSCAN(min_cluster_size=MIN_CLUSTER_SIZE, min_samples=MIN_SAMPLES,
                        algorithm="brute", copy=True).fit(data[order]).labels_
        back = np.empty_like(again)
        back[order] = again
        pairs = {}
        for row, (a, b) in enumerate(zip(model.labels_, back)):
            if (a < 0) != (b < 0) or (a >= 0 and pairs.setdefault(a, b) != b):
                ambiguous.add(row)
    ward = linkage(data, method="ward")
    np.savetxt(out / "data.csv", data, delimiter=",", fmt="%.17g")
    (out / "reference.json").write_text(json.dumps({
        "sklearn": sklearn.__version__,
        "scipy": scipy.__version__,
        "min_cluster_size": MIN_CLUSTER_SIZE,
        "min_samples": MIN_SAMPLES,
        "hdbscan_labels": [int(v) for v in model.labels_],
        "hdbscan_order_dependent_rows": sorted(int(r) for r in ambiguous),
        "ward_heights": [float(h) for h in ward[:, 2]],
        "ward_sizes": [int(s) for s in ward[:, 3]],
        "ward_4": [int(v) for v in fcluster(ward, 4, criterion="maxclust")],
    }) + "\n")


if __name__ == "__main__":
    main()
