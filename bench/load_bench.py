"""Load throughput and memory: end-to-end validated loads through etl.warehouse.load_file, each in a child process.

Per file: rows/s of the whole user-visible path (read, normalise, validate, pseudonymise, keep the copy, insert in
one transaction, swap), the child's peak RSS (``ru_maxrss``: the whole process, Python and libraries included),
the file's size and the ratio peak / size, and how far RSS grew during the load (the peak less what was resident
just before it: Python, the libraries, the warehouse's creation; Linux only); min / median / max of ``BENCH_LOAD_RUNS`` runs (3). Files:

- returnees CSV, 1M rows (personal: pseudonymised, kept as Parquet) and returnees XLSX, 100k rows, both as
  bench/etl_bench.py makes them (data/bench/returnees_<n>.csv|xlsx);
- funding CSV and training CSV (training is personal too) of a province scaled by ``BENCH_LOAD_FRACTION``
  (0.1: 10 counties), generated once under data/bench/load-<seed>-<fraction>-files/; each run loads them into a
  copy of a warehouse that already holds that province's units and projects (built once beside the files).

``BENCH_LOAD_BEFORE=<an older checkout>`` measures the same cases with that code too, in the same run. The naive
baseline (bench/etl_bench.py: pandas.read_csv, a Python loop over rows checking and hashing each ID,
an insert) runs on the first 20,000 rows of the returnees CSV in a child too, in the same run.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import etl_bench

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "data" / "bench"
RUNS = int(os.environ.get("BENCH_LOAD_RUNS", 3))
FRACTION = float(os.environ.get("BENCH_LOAD_FRACTION", 0.1))
SEED = 2012
TARGETS = {"csv": 300_000, "xlsx": 50_000}  # rows/s (issue 13); peak memory ≤ 3 × the file


# ---------------------------------------------------------------- the child: one load, one JSON line

# Run with ``python -c`` in the code tree being measured (this one, or BENCH_LOAD_BEFORE's: an older checkout
# measured in the same run), so it uses only what both have: etl.warehouse and bench.etl_bench._naive.
CHILD = """
import json, resource, shutil, sys, tempfile, time
from pathlib import Path
kind, path, dataset, base, tmpdir = sys.argv[1:6]
from etl import warehouse
from bench import etl_bench
with tempfile.TemporaryDirectory(dir=tmpdir) as tmp:
    db = Path(tmp) / "w.duckdb"
    if base:
        shutil.copyfile(base, db)
    else:
        warehouse.init(db)
    out = {}
    try:  # Linux: reset the peak RSS (VmHWM) to what is resident now (imports, the warehouse's creation)
        open("/proc/self/clear_refs", "w").write("5")
    except OSError:
        pass
    out["before"] = [int(x.split()[1]) * 1024 for x in open("/proc/self/status") if x.startswith("VmRSS:")][0]
    if kind == "naive":
        dt, n = etl_bench._naive(Path(path), etl_bench.NAIVE_ROWS)
    else:
        t = time.perf_counter()
        res = warehouse.load_file(db, path, dataset=dataset, user="bench")
        dt = time.perf_counter() - t
        if res.status != "loaded" or res.rows_rejected:
            raise SystemExit(f"{path}: {res.status}, {res.rows_rejected} rows rejected\\n{res.errors.head()}")
        n = res.rows_loaded
        out["kept"] = res.kept_path.stat().st_size if res.kept_path else 0
hwm = [int(x.split()[1]) * 1024 for x in open("/proc/self/status") if x.startswith("VmHWM:")]
out |= {"seconds": dt, "rows": n, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}
out["load_peak"] = hwm[0] if hwm else out["peak"]
print(json.dumps(out))
"""


def _run(kind: str, path: Path, dataset: str = "", base: Path | None = None, root: Path = ROOT) -> dict:
    env = dict(os.environ, PYTHONPATH=str(root))
    cmd = [sys.executable, "-c", CHILD, kind, str(path), dataset, str(base or ""), str(CACHE)]
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:] or proc.stdout[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the files


def _province_files() -> tuple[Path, Path, Path]:
    """(funding CSV, training CSV, the warehouse holding their units and projects), made once."""
    from etl import demo, demo_profiles, demo_province, warehouse

    files = CACHE / f"load-{SEED}-{FRACTION:g}-files"
    base = CACHE / f"load-{SEED}-{FRACTION:g}-base.duckdb"
    funding, training = demo._path(files, "funding"), demo._path(files, "training")
    if base.exists() and funding.exists() and training.exists():
        return funding, training, base
    t = time.perf_counter()
    profile = demo_profiles.get("province", FRACTION)
    years = demo.demo_years(etl_bench.AS_OF)
    paths = {p.stem.split("_", 1)[1]: p for p in demo_province.generate(files, profile, seed=SEED, as_of=etl_bench.AS_OF, years=years)}  # fmt: skip
    tmp = base.with_name(base.name + ".building")
    tmp.unlink(missing_ok=True)
    warehouse.init(tmp)
    for name in ("units", "projects"):
        res = warehouse.load_file(tmp, paths[name], user="bench")
        assert res.status == "loaded", (name, res.status, res.errors.head())
    os.replace(tmp, base)
    print(f"  generated {files.name} and {base.name} in {time.perf_counter() - t:.0f} s", flush=True)
    return paths["funding"], paths["training"], base


# ---------------------------------------------------------------- report


def _mib(n: float) -> str:
    return f"{n / 2**20:,.0f}"


def _row(label: str, size: int, runs: list[dict], target: int | None) -> None:
    rates = sorted(r["rows"] / r["seconds"] for r in runs)
    peaks = sorted(r["peak"] for r in runs)
    own = sorted(r["load_peak"] - r["before"] for r in runs)
    n = runs[0]["rows"]
    kept = runs[0].get("kept")
    print(
        f"  {label:<24} {n:>9,} rows {_mib(size):>6} MiB  rows/s min/med/max "
        f"{rates[0]:>9,.0f} {statistics.median(rates):>9,.0f} {rates[-1]:>9,.0f}"
        + (f" (target ≥ {target:,})" if target else "")
    )
    print(
        f"  {'':<24} peak RSS MiB min/med/max {_mib(peaks[0])} {_mib(statistics.median(peaks))} {_mib(peaks[-1])}"
        f"  peak/file {statistics.median(peaks) / size:.1f}x (target ≤ 3x); growth during the load"
        f" {_mib(statistics.median(own))} MiB = {statistics.median(own) / size:.1f}x"
        + (f"  kept copy {_mib(kept)} MiB" if kept is not None else "")
    )


def main() -> None:
    os.environ.setdefault("DASHBOARD_PSEUDONYM_KEY", str(CACHE / "load-bench.key"))
    CACHE.mkdir(parents=True, exist_ok=True)
    from etl import demo

    csv = etl_bench._file(
        f"returnees_{etl_bench.CSV_ROWS}.csv",
        lambda p: demo.write_returnees_csv(p, etl_bench.CSV_ROWS, as_of=etl_bench.AS_OF),
    )
    xlsx = etl_bench._file(
        f"returnees_{etl_bench.XLSX_ROWS}.xlsx",
        lambda p: demo.write_returnees_xlsx(p, etl_bench.XLSX_ROWS, as_of=etl_bench.AS_OF),
    )
    funding, training, base = _province_files()
    cases = [
        ("returnees CSV", "load", csv, "returnees", None, TARGETS["csv"]),
        ("returnees XLSX", "load", xlsx, "returnees", None, TARGETS["xlsx"]),
        ("funding CSV (province)", "load", funding, "funding", base, TARGETS["csv"]),
        ("training CSV (province)", "load", training, "training", base, TARGETS["csv"]),
        ("naive CSV (20k rows)", "naive", csv, "", None, None),
    ]
    before = os.environ.get("BENCH_LOAD_BEFORE")  # an older checkout, measured in the same run
    roots = [("", ROOT)] + ([("before: ", Path(before))] if before else [])
    results: dict[str, list[dict]] = {}
    for _ in range(RUNS):  # interleaved: the machine's noise falls on every case alike
        for prefix, root in roots:
            for label, kind, path, dataset, b, _target in cases:
                if prefix and kind == "naive":
                    continue
                results.setdefault(prefix + label, []).append(_run(kind, path, dataset, b, root))
    print(f"  {RUNS} runs each, every load in its own process (peak RSS = the whole child process)")
    for prefix, _root in roots:
        for label, _kind, path, _dataset, _b, target in cases:
            if prefix + label in results:
                _row(prefix + label, path.stat().st_size, results[prefix + label], target)
    ours = statistics.median(r["rows"] / r["seconds"] for r in results["returnees CSV"])
    naive = statistics.median(r["rows"] / r["seconds"] for r in results["naive CSV (20k rows)"])
    print(f"  ratio returnees CSV ours / naive (median rows/s): {ours / naive:.1f}x")


if __name__ == "__main__":
    main()
