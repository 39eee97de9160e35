"""Reference figures for the soft-membership test: scikit-learn's
GaussianMixture (diagonal covariances) started from the k-means clusters of
the k-means fixture (its data and scikit-learn's labels), twenty EM
iterations. The engine's test (crates/engine/src/cluster/reference_tests.rs)
starts its own mixture from the same clusters and must agree.

    python bench/models/sklearn_mixture_reference.py crates/engine/tests/data/kmeans
"""
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

REG_COVAR = 1e-6
ITERATIONS = 20


def main() -> None:
    folder = Path(sys.argv[1])
    data = np.loadtxt(folder / "data.csv", delimiter=",")
    labels = np.array(json.loads((folder / "sklearn.json").read_text())["labels"])
    k = labels.max() + 1
    # The mixture of the hard clusters: shares, means, per-feature variances.
    weights = np.array([(labels == c).mean() for c in range(k)])
    means = np.array([data[labels == c].mean(axis=0) for c in range(k)])
    variances = np.array([data[labels == c].var(axis=0) for c in range(k)]) + REG_COVAR
    model = GaussianMixture(
        n_components=k, covariance_type="diag", reg_covar=REG_COVAR, tol=0.0,
        max_iter=ITERATIONS, weights_init=weights, means_init=means,
        precisions_init=1.0 / variances,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(data)
    (folder / "mixture.json").write_text(json.dumps({
        "sklearn": sklearn.__version__,
        "iterations": int(model.n_iter_),
        "weights": model.weights_.tolist(),
        "means": model.means_.tolist(),
        "variances": model.covariances_.tolist(),
        "probabilities": model.predict_proba(data).tolist(),
    }) + "\n")


if __name__ == "__main__":
    main()
