"""The peer of the k-means benchmark: scikit-learn's KMeans, Lloyd, one
iteration from the first k points, limited to one thread, on the points
`cargo bench --bench kmeans -- --write FILE` wrote (raw little-endian f64).
Prints one JSON line with the best of 3.

    python bench/models/sklearn_kmeans_step.py POINTS.f64 N D K
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits


def main() -> None:
    path, n, d, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    data = np.fromfile(path, dtype="<f8").reshape(n, d)
    init = data[:k].copy()
    best = float("inf")
    with threadpool_limits(limits=1):
        for _ in range(3):
            model = KMeans(n_clusters=k, init=init, n_init=1, max_iter=1, tol=0.0, algorithm="lloyd")
            start = time.perf_counter()
            model.fit(data)
            best = min(best, time.perf_counter() - start)
    print(json.dumps({"n": n, "d": d, "k": k, "seconds": best}))


if __name__ == "__main__":
    main()
