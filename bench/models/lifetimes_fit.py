"""The peer of the BG/NBD fitting benchmark: the Python `lifetimes` package's
BetaGeoFitter on the customers `cargo bench --bench fit` wrote to a CSV
(frequency, recency, T in weeks). Prints one JSON line: the best of RUNS
fits and the parameters, so the two fits can be checked to agree.

    python bench/models/lifetimes_fit.py SUMMARY.csv [RUNS]
"""
import json
import sys
import time

import pandas as pd
from lifetimes import BetaGeoFitter


def main() -> None:
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    data = pd.read_csv(path)
    best = float("inf")
    fitter = None
    for _ in range(runs):
        start = time.perf_counter()
        fitter = BetaGeoFitter(penalizer_coef=0.0)
        fitter.fit(data["frequency"], data["recency"], data["T"])
        best = min(best, time.perf_counter() - start)
    p = fitter.params_
    print(json.dumps({
        "customers": len(data),
        "seconds": best,
        "r": float(p["r"]), "alpha": float(p["alpha"]), "a": float(p["a"]), "b": float(p["b"]),
    }))


if __name__ == "__main__":
    main()
