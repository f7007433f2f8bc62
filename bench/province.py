"""The province warehouse of the benchmarks: built once through the real ETL, reused while its schema matches.

``warehouse(seed, fraction)`` returns data/bench/province-<seed>-<fraction>.duckdb, building it first when it
is missing; one built by an older schema version (etl.schema.SCHEMA_VERSION) is migrated (a copy upgraded
by etl.warehouse.init and renamed over it), not rebuilt. A missing one is built: the province profile
(etl/demo_profiles.py) generated into data/bench/province-<seed>-<fraction>-files/ and loaded file by file
with etl.warehouse.load_file, targets last, exactly as ``python -m etl init --demo --profile province`` does.
The build is written to a temporary file and renamed over the old one when complete, so an interrupted build
is never reused. Beside it, ``…-build.json`` records each file's rows and load time (the suite's figures).
Everything lives under data/bench/ (gitignored), with the build's own pseudonym key.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb

from etl import demo, demo_profiles, schema, warehouse

BENCH_DIR = Path(__file__).resolve().parents[1] / "data" / "bench"
AS_OF = date(2026, 11, 27)  # fixed, so a build is reusable whatever day it is
SEED = 2012


def path_for(seed: int = SEED, fraction: float = 1.0, root: Path = BENCH_DIR) -> Path:
    """Where the province warehouse of this seed and fraction lives."""
    return root / f"province-{seed}-{fraction:g}.duckdb"


def schema_version(db: Path) -> str | None:
    """The schema version recorded in a warehouse file; None when it is missing or unreadable."""
    if not db.exists():
        return None
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None


def build_record(db: Path) -> dict:
    """What the build of ``db`` measured (see :func:`build`): per file, dataset, rows and seconds."""
    return json.loads(db.with_name(db.stem + "-build.json").read_text())


def warehouse_path(
    seed: int = SEED, fraction: float = 1.0, *, root: Path = BENCH_DIR, rebuild: bool = False, say=print
) -> Path:
    """The province warehouse of this seed and fraction, built first if missing, stale or ``rebuild``."""
    db = path_for(seed, fraction, root)
    recorded = db.with_name(db.stem + "-build.json").exists()
    version = schema_version(db)
    if not rebuild and version == schema.SCHEMA_VERSION and recorded:
        return db
    if not rebuild and version is not None and recorded:
        migrate(db, say=say)  # only the schema moved on: etl.warehouse.init upgrades a copy (minutes, not a rebuild)
        return db
    build(db, seed=seed, fraction=fraction, say=say)
    return db


def migrate(db: Path, *, say=print) -> float:
    """Upgrade the warehouse ``db`` built by an older schema with etl.warehouse.init, on a copy renamed over it when
    done (an interrupted migration leaves the old file); record it in the build record. Returns the seconds."""
    os.environ.setdefault("DASHBOARD_PSEUDONYM_KEY", str(db.parent / "province.key"))
    tmp = db.with_name(db.name + ".migrating")
    old = schema_version(db)
    say(f"  migrating {db.name} from schema {old} to {schema.SCHEMA_VERSION} …", flush=True)
    started = time.perf_counter()
    shutil.copyfile(db, tmp)
    try:
        warehouse.init(tmp)
        os.replace(tmp, db)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".lock").unlink(missing_ok=True)
    seconds = round(time.perf_counter() - started, 1)
    path = db.with_name(db.stem + "-build.json")
    record = json.loads(path.read_text())
    record.setdefault("migrations", []).append({"from": old, "to": schema.SCHEMA_VERSION, "seconds": seconds})
    record["schema_version"] = schema.SCHEMA_VERSION
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    say(f"  migrated in {seconds} s", flush=True)
    return seconds


# The caps the build raises for its own loads (etl.readers), set only while it runs.
BUILD_CAPS = {
    "DASHBOARD_MAX_UPLOAD_MB": "4096",
    "DASHBOARD_MAX_XLSX_MB": "8192",
    "DASHBOARD_MAX_CSV_CELLS": "400000000",
    "DASHBOARD_MAX_XLSX_CELLS": "100000000",
}


@contextmanager
def _build_caps() -> Iterator[None]:
    """BUILD_CAPS in the environment (a value already set wins), restored afterwards: the clerk-facing caps of
    the rest of the process (a test run, a page bench) stay as they were."""
    before = {k: os.environ.get(k) for k in BUILD_CAPS}
    for k, v in BUILD_CAPS.items():
        os.environ.setdefault(k, v)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def build(db: Path, *, seed: int = SEED, fraction: float = 1.0, say=print) -> dict:
    """Generate the province (scaled by fraction) and load it into ``db`` through the real ETL; record and
    return the timings: generation seconds, each file's rows and load seconds, the process's peak memory."""
    db.parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DASHBOARD_PSEUDONYM_KEY", str(db.parent / "province.key"))
    # The province's files are one per dataset (the 10M returnees: a 1.44 GB CSV; the 1M ventures: a workbook of
    # ~0.5 GB of XML): over the clerk-facing caps (200 MB), which the build raises for itself, as an operator would.
    profile = demo_profiles.get("province", fraction)
    tmp = db.with_name(db.name + ".building")
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    files = db.with_name(db.stem + "-files")
    loads: list[dict] = []
    started = time.perf_counter()

    def load(path: Path):
        t = time.perf_counter()
        res = warehouse.load_file(tmp, path, user="bench")
        dt = time.perf_counter() - t
        name = path.stem.split("_", 1)[1]
        loads.append({"file": path.name, "dataset": name, "rows": res.rows_loaded, "seconds": round(dt, 3)})
        say(f"  loaded {path.name:<18} {res.rows_loaded:>11,} rows {dt:8.2f} s", flush=True)
        if res.status != "loaded":
            raise RuntimeError(f"{path.name}: {res.status}")
        return res

    say(f"  building {db.name} ({profile.counties} counties, {profile.returnees:,} returnees) …", flush=True)
    with _build_caps():
        demo.build(tmp, files, seed=seed, as_of=AS_OF, load=load, profile=profile)
    total = time.perf_counter() - started
    record = {
        "profile": profile.name,
        "fraction": fraction,
        "seed": seed,
        "as_of": AS_OF.isoformat(),
        "schema_version": schema.SCHEMA_VERSION,
        "counties": profile.counties,
        "townships": profile.counties * profile.townships,
        "total_seconds": round(total, 1),
        "loads": loads,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    # generation: everything but the loads (the files, and the targets sized from the loaded facts)
    record["generate_seconds"] = round(total - sum(x["seconds"] for x in loads), 1)
    os.replace(tmp, db)
    tmp.with_name(tmp.name + ".lock").unlink(missing_ok=True)  # the writer lock of the build's file
    db.with_name(db.stem + "-build.json").write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    return record
