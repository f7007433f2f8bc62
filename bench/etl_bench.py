"""ETL throughput: validated end-to-end loads (rows/s) of a 1M-row returnees CSV and a 100k-row XLSX.

Each figure is the whole user-visible path of `python -m etl load`: read, decode, normalise,
validate, pseudonymise, keep the pseudonymised copy, insert in one transaction, swap. The
naive baseline is what a straightforward script does: pandas.read_csv, then a Python loop
over rows checking and hashing each cell, then an insert; measured on a slice in the same
run and reported per row.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import tempfile
import time
import unicodedata
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from etl import demo, warehouse
from etl.contracts import RETURNEES
from etl.pseudonym import load_key

AS_OF = date(2026, 11, 27)
CSV_ROWS = int(os.environ.get("BENCH_CSV_ROWS", 1_000_000))
XLSX_ROWS = int(os.environ.get("BENCH_XLSX_ROWS", 100_000))
NAIVE_ROWS = 20_000
CACHE = Path(__file__).resolve().parents[1] / "data" / "bench"


def _file(name: str, make) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / name
    if not path.exists():
        t = time.perf_counter()
        make(path)
        print(f"  generated {path.name} in {time.perf_counter() - t:.1f} s", flush=True)
    return path


def _load(path: Path) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        db = warehouse.init(Path(tmp) / "w.duckdb")
        t = time.perf_counter()
        res = warehouse.load_file(db, path, dataset="returnees")
        dt = time.perf_counter() - t
        assert res.status == "loaded", (res.status, res.errors.head())
        return dt, res.rows_loaded


def _naive(path: Path, n: int) -> tuple[float, int]:
    """pandas.read_csv + a per-row Python loop (NFKC, checksum, HMAC) + insert."""
    key = load_key()
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    t = time.perf_counter()
    df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", nrows=n, keep_default_na=False)
    id_col, date_col = RETURNEES.column("id_number").zh, RETURNEES.column("return_date").zh
    keys, dates = [], []
    for rec in df.itertuples(index=False):
        row = {c: unicodedata.normalize("NFKC", str(v)).strip() for c, v in zip(df.columns, rec, strict=True)}
        ident = row[id_col].upper()
        total = sum(int(ch) * w for ch, w in zip(ident[:17], weights, strict=True))
        assert "10X98765432"[total % 11] == ident[17]
        keys.append("P" + hmac.new(key, ident.encode(), hashlib.sha256).hexdigest()[:24])
        dates.append(pd.to_datetime(row[date_col].replace("/", "-")).date())
    out = pd.DataFrame({"person_key": keys, "return_date": dates})
    con = duckdb.connect()
    con.register("out", out)
    con.execute("CREATE TABLE r AS SELECT * FROM out")
    return time.perf_counter() - t, len(out)


def main() -> None:
    os.environ.setdefault("DASHBOARD_PSEUDONYM_KEY", str(Path(tempfile.mkdtemp()) / "bench.key"))
    csv = _file(f"returnees_{CSV_ROWS}.csv", lambda p: demo.write_returnees_csv(p, CSV_ROWS, as_of=AS_OF))
    xlsx = _file(f"returnees_{XLSX_ROWS}.xlsx", lambda p: demo.write_returnees_xlsx(p, XLSX_ROWS, as_of=AS_OF))
    dt, n = _load(csv)
    csv_rate = n / dt
    print(f"  CSV  {n:>9,} rows  {dt:6.2f} s  {csv_rate:>10,.0f} rows/s  (target ≥ 300,000)")
    dt, n = _load(xlsx)
    xlsx_rate = n / dt
    print(f"  XLSX {n:>9,} rows  {dt:6.2f} s  {xlsx_rate:>10,.0f} rows/s  (target ≥ 50,000)")
    dt, n = _naive(csv, NAIVE_ROWS)
    naive_rate = n / dt
    print(f"  naive CSV (pandas + per-row loop) {n:,} rows {dt:.2f} s {naive_rate:,.0f} rows/s")
    print(f"  ratio CSV ours / naive: {csv_rate / naive_rate:.1f}x")


if __name__ == "__main__":
    main()
