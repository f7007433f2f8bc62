"""Load throughput at province scale: rows/s per dataset of the province warehouse's build (bench/province.py).

The build goes through the real ETL (read, normalise, validate, pseudonymise, keep, insert, swap) file by
file into a warehouse that grows as it goes: the returnees load into a warehouse that already holds the
province's projects, the targets into one that holds everything. The figures are those recorded when the
warehouse was built (reused while its schema matches; BENCH_PROVINCE_REBUILD=1 builds it again).
BENCH_PROVINCE_FRACTION (default 0.05) scales the province down; 1 is the full province (10M returnees).
The naive baseline (pandas + a per-row Python loop, bench/etl_bench.py) is timed on a slice of the same
returnees file in this run.
"""

from __future__ import annotations

import os

from bench import etl_bench, province

FRACTION = float(os.environ.get("BENCH_PROVINCE_FRACTION", "0.05"))
NAIVE_ROWS = 20_000


def main() -> None:
    db = province.warehouse_path(province.SEED, FRACTION, rebuild=os.environ.get("BENCH_PROVINCE_REBUILD") == "1")
    rec = province.build_record(db)
    print(
        f"  {db.name}: {rec['counties']} counties, {rec['townships']:,} townships; built in {rec['total_seconds']} s"
        f" (generation {rec['generate_seconds']} s), peak RSS {rec['peak_rss_mib']:,} MiB"
    )
    rows = seconds = 0
    for x in rec["loads"]:
        rate = x["rows"] / x["seconds"] if x["seconds"] else 0.0
        rows, seconds = rows + x["rows"], seconds + x["seconds"]
        print(f"  {x['dataset']:<10} {x['file']:<18} {x['rows']:>11,} rows {x['seconds']:8.2f} s {rate:>11,.0f} rows/s")
    print(f"  all        {'':<18} {rows:>11,} rows {seconds:8.2f} s {rows / seconds:>11,.0f} rows/s")
    returnees = next(x for x in rec["loads"] if x["dataset"] == "returnees")
    ours = returnees["rows"] / returnees["seconds"]
    path = db.with_name(db.stem + "-files") / returnees["file"]
    dt, n = etl_bench._naive(path, NAIVE_ROWS)
    print(f"  naive returnees CSV (pandas + per-row loop) {n:,} rows {dt:.2f} s {n / dt:,.0f} rows/s")
    print(f"  ratio returnees ours / naive: {ours / (n / dt):.1f}x")


if __name__ == "__main__":
    main()
