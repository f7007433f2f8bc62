"""Small files into the province warehouse: load time, the first page queries after the load, rollback time.

A small file (under 10k rows) must load in ≤ 1 s whatever the warehouse size, and the first view after a load
must take ≤ 500 ms (issue 13). Each file is loaded into a copy of the province warehouse (bench/province.py;
BENCH_PROVINCE_FRACTION, default 1 when the full province is built, else 0.05; or BENCH_WRITES_DB, any warehouse
file, e.g. a partial build) three times with different values (three batches), each followed by the first page
queries on a fresh read-only connection (the overview's filter options and per-unit sums) and by its rollback:

- ours: the derived tables kept by etl.maintain (current state, only the touched facts, the rollups);
- baseline (BENCH_WRITES_BASELINE_ROUNDS rounds, default 1: about a minute per load at full scale), in the same
  run on another copy: what every load did before schema 8 (the current state computed
  from the history on every read through the window views, all facts rebuilt inside each load and rollback,
  and the pages' queries over the whole facts table).

The files are cut from the province's generated files: the parks rows of the latest month (236 rows, revenue
changed), 5,000 funding rows of the latest month (funds changed), 5,000 returnees rows (the first of the file).
Each step of the writer's swap (copy, apply, commit, checkpoint, fsync) is printed, and the file sizes.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
from pathlib import Path

import duckdb
import pandas as pd

from bench import province
from board import meta
from board.metrics import facts as board_facts
from etl import maintain, metric_catalogue, schema, store, warehouse
from etl.contracts import DATASETS

ROUNDS = 3
# The baseline rebuilds every fact inside each load and rollback (about a minute each at full province scale).
BASELINE_ROUNDS = int(os.environ.get("BENCH_WRITES_BASELINE_ROUNDS", "1"))
WORK = province.BENCH_DIR / "writes"

# The schema-7 read side (the baseline): the pages' queries over the whole facts table and the returnees.
OLD_YEARS = "SELECT DISTINCT year FROM v_unit_facts UNION SELECT year FROM v_targets ORDER BY year"
OLD_LATEST = """SELECT year, max(month) AS month FROM v_unit_facts
WHERE unit = '*' AND list_contains(?::VARCHAR[], metric) GROUP BY year ORDER BY year"""
OLD_DATA = """SELECT 'township' AS dim, township AS v FROM v_unit_facts WHERE township IS NOT NULL
UNION SELECT 'township', township FROM v_returnees
UNION SELECT 'industry', industry FROM v_unit_facts WHERE industry IS NOT NULL
UNION SELECT 'park', park FROM v_unit_facts WHERE park IS NOT NULL
UNION SELECT 'park', park FROM v_parks
ORDER BY dim, v"""
OLD_BY_UNIT = board_facts._BY_UNIT_SQL.replace("sum(f.actual)", "sum(f.value)").replace("v_unit_sums", "v_unit_facts")


def _fraction() -> float:
    if "BENCH_PROVINCE_FRACTION" in os.environ:
        return float(os.environ["BENCH_PROVINCE_FRACTION"])
    full = province.path_for(province.SEED, 1.0)
    return 1.0 if full.exists() else 0.05


def _source() -> tuple[Path, Path]:
    """(warehouse, its generated files)."""
    if os.environ.get("BENCH_WRITES_DB"):
        db = Path(os.environ["BENCH_WRITES_DB"])
        files = Path(os.environ.get("BENCH_WRITES_FILES", str(db.with_name(db.stem + "-files"))))
        return db, files
    db = province.warehouse_path(province.SEED, _fraction())
    return db, db.with_name(db.stem + "-files")


def _cut(files: Path, out: Path) -> dict[str, list[Path]]:
    """Per dataset, ROUNDS small files (different values, so each is a new batch)."""
    out.mkdir(parents=True, exist_ok=True)
    made: dict[str, list[Path]] = {}

    def read(stem: str) -> pd.DataFrame:
        path = next(files.glob(f"*_{stem}.csv"))
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return pd.read_csv(path, dtype=str, encoding=enc, keep_default_na=False, nrows=400_000)
            except UnicodeDecodeError:
                continue
        raise ValueError(path)

    zh = {ds: {c.name: c.zh for c in DATASETS[ds].columns} for ds in ("parks", "funding", "returnees")}
    parks = read("parks")
    period = zh["parks"]["period"]
    parks = parks[parks[period] == parks[period].max()].head(236)
    funding = read("funding")
    period = zh["funding"]["period"]
    funding = funding[funding[period] == funding[period].max()].head(5000)
    returnees = read("returnees").head(5000)
    for r in range(ROUNDS):
        p = parks.copy()
        col = zh["parks"]["revenue"]
        p[col] = (pd.to_numeric(p[col]) * (1.01 + r / 100)).round(2).astype(str)
        f = funding.copy()
        col = zh["funding"]["funds_in_place"]
        f[col] = (pd.to_numeric(f[col]) * (1.5 + r / 10) + 1).round(2).astype(str)
        e = returnees.copy()
        phone = zh["returnees"]["phone"]
        if phone in e.columns:
            e[phone] = e[phone].str[:-2] + f"{r:02d}"
        for name, frame in (("parks", p), ("funding", f), ("returnees", e)):
            path = out / f"{name}-{r}.csv"
            frame.to_csv(path, index=False, encoding="utf-8-sig")
            made.setdefault(name, []).append(path)
    return made


class _FullRebuild:
    """The baseline writer: nothing kept; every load and rollback of a fact source rebuilds all facts."""

    def __init__(self, con, ds, batch_id):
        self.con, self.ds = con, ds

    def apply_load(self) -> None:
        pass

    def apply_rollback(self) -> None:
        pass

    def refresh(self) -> None:
        if self.ds.name in schema.FACT_SOURCES:
            self.con.execute(schema.REFRESH_FACTS)


def _as_schema_7(db: Path) -> None:
    """Turn a copy into the schema-7 read side: the public views compute the current state from the history."""
    con = duckdb.connect(str(db))
    try:
        for ds in DATASETS.values():
            con.execute(
                "CREATE OR REPLACE VIEW v_" + ds.name + " AS " + schema.view_body(ds, f"({schema.current_select(ds)})")
            )
        con.execute(
            schema.TARGET_PROGRESS.replace(
                "sum(actual) AS actual FROM v_unit_sums", "sum(value) AS actual FROM unit_facts"
            )
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _first_view(db: Path, old: bool) -> float:
    """Seconds of the overview's first queries after a load: a fresh read-only connection, the filter options and
    the per-unit sums of the headline metrics for the latest year (the queries board.meta / board.metrics.facts
    run; the baseline runs their schema-7 text)."""
    monthly = [m.code for m in metric_catalogue.METRICS if m.monthly]
    t = time.perf_counter()
    reader = store.Reader(db)
    cur = reader.cursor()
    try:
        years_sql, latest_sql, data_sql = (
            (OLD_YEARS, OLD_LATEST, OLD_DATA) if old else (meta._YEARS_SQL, meta._LATEST_SQL, meta._DATA_SQL)
        )
        years = [r[0] for r in cur.execute(years_sql).fetchall()]
        cur.execute(latest_sql, [monthly]).fetchall()
        cur.execute(meta._UNITS_SQL).fetchall()
        cur.execute(data_sql).fetchall()
        year = max(y for y in years if y is not None)
        metrics = list(metric_catalogue.CARD_METRICS)
        cur.execute(OLD_BY_UNIT if old else board_facts._BY_UNIT_SQL, [metrics, year, []]).fetchall()
    finally:
        cur.close()
        reader.close()
    return time.perf_counter() - t


def _run(db: Path, made: dict[str, list[Path]], old: bool, rounds: int) -> dict[str, dict[str, list[float]]]:
    real = maintain.Change
    if old:
        maintain.Change = _FullRebuild  # type: ignore[misc]
    out: dict[str, dict[str, list[float]]] = {}
    try:
        for name, paths in made.items():
            rec = out.setdefault(name, {"load": [], "view": [], "rollback": [], "copy": [], "apply": [], "ckpt": []})
            for path in paths[:rounds]:
                t = time.perf_counter()
                res = warehouse.load_file(db, path, user="bench")
                rec["load"].append(time.perf_counter() - t)
                if res.status != "loaded":
                    raise RuntimeError(f"{path.name}: {res.status} {res.errors.head(3).to_dict(orient='records')}")
                sw = dict(warehouse.SWAP_TIMES)
                rec["copy"].append(sw.get("copy", 0.0))
                rec["apply"].append(sw.get("apply", 0.0))
                rec["ckpt"].append(sw.get("checkpoint", 0.0) + sw.get("fsync", 0.0))
                rec["view"].append(_first_view(db, old))
                print(
                    f"    {'baseline' if old else 'ours'} {path.name}: load {rec['load'][-1]:.2f} s "
                    f"(copy {sw.get('copy', 0):.2f}, apply {sw.get('apply', 0):.2f}, checkpoint "
                    f"{sw.get('checkpoint', 0):.2f}), first view {rec['view'][-1]:.2f} s",
                    flush=True,
                )
                t = time.perf_counter()
                warehouse.rollback(db, res.batch_id, user="bench")
                rec["rollback"].append(time.perf_counter() - t)
    finally:
        maintain.Change = real  # type: ignore[misc]
    return out


def _p50(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def _p95(xs: list[float]) -> float:
    return max(xs) if len(xs) < 20 else statistics.quantiles(xs, n=20)[-1]


def main() -> None:
    src, files = _source()
    os.environ.setdefault("DASHBOARD_PSEUDONYM_KEY", str(src.parent / "province.key"))
    os.environ.setdefault("DASHBOARD_LOCK_TIMEOUT", "600")
    WORK.mkdir(parents=True, exist_ok=True)
    ours_db, old_db = WORK / "ours.duckdb", WORK / "baseline.duckdb"
    print(f"  source {src} ({src.stat().st_size / 2**20:,.0f} MiB)", flush=True)
    t = time.perf_counter()
    shutil.copyfile(src, ours_db)
    copy_s = time.perf_counter() - t
    print(f"  copying it took {copy_s:.2f} s", flush=True)
    t = time.perf_counter()
    warehouse.init(ours_db)  # migrates an older warehouse once; on a current one it changes nothing
    print(f"  init (a migration when the copy is older) {time.perf_counter() - t:.1f} s", flush=True)
    if BASELINE_ROUNDS:
        shutil.copyfile(ours_db, old_db)
        _as_schema_7(old_db)
    print(f"  warehouse file after init: {ours_db.stat().st_size / 2**20:,.0f} MiB", flush=True)
    made = _cut(files, WORK / "files")
    print(f"  load average before the runs: {os.getloadavg()[0]:.1f} (2 cores)", flush=True)
    ours = _run(ours_db, made, old=False, rounds=ROUNDS)
    base = _run(old_db, made, old=True, rounds=BASELINE_ROUNDS)
    print(f"  load average after the runs: {os.getloadavg()[0]:.1f}", flush=True)
    print(f"  ({ROUNDS} rounds of ours, {BASELINE_ROUNDS} of the baseline; p95 of 3 = the worst)")
    print(f"  {'file':<16} {'':<9} {'ours p50':>9} {'p95':>7} {'baseline p50':>13} {'p95':>7} {'ratio':>6}")
    for name, paths in made.items():
        rows = len(pd.read_csv(paths[0], dtype=str))
        for step in ("load", "view", "rollback"):
            o, b = ours[name][step], base.get(name, {}).get(step) or [float("nan")]
            label = f"{name} {rows:,}" if step == "load" else ""
            print(
                f"  {label:<16} {step:<9} {_p50(o) * 1000:>7.0f}ms {_p95(o) * 1000:>5.0f}ms"
                f" {_p50(b) * 1000:>11.0f}ms {_p95(b) * 1000:>5.0f}ms {_p50(b) / _p50(o):>5.1f}x",
                flush=True,
            )
        o = ours[name]
        print(
            f"  {'':<16} ours' swap steps p50: copy {_p50(o['copy']) * 1000:.0f} ms, apply {_p50(o['apply']) * 1000:.0f}"
            f" ms, checkpoint+fsync {_p50(o['ckpt']) * 1000:.0f} ms",
            flush=True,
        )
    for p in (ours_db, old_db):
        p.unlink(missing_ok=True)
        Path(str(p) + ".lock").unlink(missing_ok=True)
    shutil.rmtree(store.uploads_dir(ours_db), ignore_errors=True)


if __name__ == "__main__":
    main()
