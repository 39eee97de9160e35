"""The peer of the k-means benchmark: scikit-learn's KMeans (Lloyd), limited
to one thread, on the points `cargo bench --bench kmeans -- --write FILE`
wrote (raw little-endian f64), in float64 and in float32 (scikit-learn keeps
float32 input in float32, its fastest setting).

The time of one iteration is measured apart from KMeans' fixed costs (input
checks, the first assignment): (time with max_iter=4 − time with
max_iter=1) / 3, from the first k points, tol=0, best of 3 each (the
benchmark's points converge after 5 iterations). Prints one JSON line.

    python bench/models/sklearn_kmeans_step.py POINTS.f64 N D K
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

RUNS = 3
# Iterations timed beyond the first.
EXTRA = 3


def best_fit_seconds(data: np.ndarray, init: np.ndarray, iterations: int) -> tuple[float, int]:
    best = float("inf")
    done = 0
    for _ in range(RUNS):
        model = KMeans(n_clusters=len(init), init=init, n_init=1, max_iter=iterations, tol=0.0, algorithm="lloyd")
        start = time.perf_counter()
        model.fit(data)
        best = min(best, time.perf_counter() - start)
        done = model.n_iter_
    return best, done


def main() -> None:
    path, n, d, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    points = np.fromfile(path, dtype="<f8").reshape(n, d)
    result = {"n": n, "d": d, "k": k}
    with threadpool_limits(limits=1):
        for name, dtype in [("f64", np.float64), ("f32", np.float32)]:
            data = np.ascontiguousarray(points, dtype=dtype)
            init = data[:k].copy()
            one, _ = best_fit_seconds(data, init, 1)
            more, iterations = best_fit_seconds(data, init, 1 + EXTRA)
            if iterations < 1 + EXTRA:
                raise SystemExit(f"converged after {iterations} iterations; the difference would not be {EXTRA} iterations")
            result[f"{name}_iteration_seconds"] = (more - one) / EXTRA
            result[f"{name}_first_fit_seconds"] = one
    # The figure earlier reports used: one KMeans call with max_iter=1.
    result["seconds"] = result["f64_first_fit_seconds"]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
