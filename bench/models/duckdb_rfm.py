"""Native DuckDB on the benchmark's files: the same RFM query as the
DuckDB-wasm peer (bench/browser/peers/columns.js writes it to SQL_FILE with
{source} where the file goes), read_csv straight from disk, best of 3 on
each thread count. Prints one JSON line.

    python bench/models/duckdb_rfm.py FILE SQL_FILE THREADS...
"""
import json
import sys
import time

import duckdb

RUNS = 3


def main() -> None:
    path, sql_file, *threads = sys.argv[1:]
    source = f"read_csv('{path}', header = true, all_varchar = true)"
    sql = open(sql_file, encoding="utf-8").read().replace("{source}", source)
    result = {"file": path, "duckdb": duckdb.__version__}
    for count in threads:
        best = float("inf")
        for _ in range(RUNS):
            connection = duckdb.connect()
            connection.execute(f"SET threads = {int(count)}")
            start = time.perf_counter()
            customers, checksum = connection.execute(sql).fetchone()
            best = min(best, time.perf_counter() - start)
            connection.close()
        result[f"threads_{count}_seconds"] = best
        result["customers"] = int(customers)
        result["checksum"] = int(checksum)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
