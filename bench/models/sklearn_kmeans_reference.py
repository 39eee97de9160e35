"""Reference figures for the k-means test: scikit-learn's KMeans (Lloyd, one
run from given initial centres, run to strict convergence) on a fixed data
set. Writes the data, the initial centres and sklearn's result; the engine's
test (crates/engine/src/cluster/reference_tests.rs) runs its own Lloyd from
the same centres and must agree.

    python bench/models/sklearn_kmeans_reference.py crates/engine/tests/data/kmeans
"""
import json
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.cluster import KMeans


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261124)
    # Five overlapping groups in four dimensions: Lloyd needs several steps.
    centres = rng.normal(0.0, 2.5, size=(5, 4))
    labels = rng.integers(0, 5, size=600)
    data = centres[labels] + rng.normal(0.0, 1.0, size=(600, 4))
    init = data[rng.choice(600, size=5, replace=False)]
    model = KMeans(n_clusters=5, init=init, n_init=1, max_iter=1000, tol=0.0, algorithm="lloyd")
    model.fit(data)
    np.savetxt(out / "data.csv", data, delimiter=",", fmt="%.17g")
    np.savetxt(out / "init.csv", init, delimiter=",", fmt="%.17g")
    (out / "sklearn.json").write_text(json.dumps({
        "sklearn": sklearn.__version__,
        "inertia": float(model.inertia_),
        "iterations": int(model.n_iter_),
        "labels": [int(v) for v in model.labels_],
        "centres": model.cluster_centers_.tolist(),
    }) + "\n")


if __name__ == "__main__":
    main()
