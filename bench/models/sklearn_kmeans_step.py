"""The peer of the k-means benchmark: scikit-learn's KMeans (Lloyd), limited
to one thread, on the points `cargo bench --bench kmeans -- --write FILE`
wrote (raw little-endian f64), in float64 and in float32 (scikit-learn keeps
float32 input in float32, its fastest setting).

The time of one iteration is measured apart from KMeans' fixed costs (input
checks, the first assignment): (time with max_iter=4 − time with
max_iter=1) / 3, from the first k points, tol=0 (the benchmark's points
converge after 5 iterations). The two fits alternate and the median of
RUNS differences is reported: the difference is a few tens of
milliseconds, and the difference of two best-of-3 times was this machine's
noise (it once gave 2.8 ms for float64). Prints one JSON line.

    python bench/models/sklearn_kmeans_step.py POINTS.f64 N D K
"""
import json
import statistics
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

RUNS = 15
# Iterations timed beyond the first.
EXTRA = 3


def fit_seconds(data: np.ndarray, init: np.ndarray, iterations: int) -> tuple[float, int]:
    model = KMeans(n_clusters=len(init), init=init, n_init=1, max_iter=iterations, tol=0.0, algorithm="lloyd")
    start = time.perf_counter()
    model.fit(data)
    return time.perf_counter() - start, model.n_iter_


def iteration_seconds(data: np.ndarray, init: np.ndarray) -> tuple[float, float]:
    """(median seconds per extra iteration, best time of a one-iteration fit)."""
    differences, firsts = [], []
    for _ in range(RUNS):
        one, _ = fit_seconds(data, init, 1)
        more, iterations = fit_seconds(data, init, 1 + EXTRA)
        if iterations < 1 + EXTRA:
            raise SystemExit(f"converged after {iterations} iterations; the difference would not be {EXTRA} iterations")
        differences.append((more - one) / EXTRA)
        firsts.append(one)
    return statistics.median(differences), min(firsts)


def main() -> None:
    path, n, d, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    points = np.fromfile(path, dtype="<f8").reshape(n, d)
    result = {"n": n, "d": d, "k": k}
    with threadpool_limits(limits=1):
        for name, dtype in [("f64", np.float64), ("f32", np.float32)]:
            data = np.ascontiguousarray(points, dtype=dtype)
            init = data[:k].copy()
            iteration, first = iteration_seconds(data, init)
            result[f"{name}_iteration_seconds"] = iteration
            result[f"{name}_first_fit_seconds"] = first
    # The figure earlier reports used: one KMeans call with max_iter=1.
    result["seconds"] = result["f64_first_fit_seconds"]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
