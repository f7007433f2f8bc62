"""The DuckDB warehouse: readers, the single writer (build-then-swap), batches, load and rollback.

Concurrency design (README, "Readers and writers"): there is one writer at a time, chosen
by an OS file lock next to the warehouse (``<db>.lock``). A writer never opens the live
file read-write: it copies it, applies one batch inside one explicit transaction, COMMITs,
CHECKPOINTs, closes and ``os.replace``-s the copy over the live file. Readers only ever open
the live file read-only; a reader sees the state before or after a batch, never between,
never a lock error, and cannot starve the writer (they lock different files).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from etl import contracts, schema
from etl.contracts import DATASETS, Dataset
from etl.pseudonym import load_key

DB_ENV = "DASHBOARD_DB"
LOCK_TIMEOUT_ENV = "DASHBOARD_LOCK_TIMEOUT"
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "data" / "warehouse.duckdb"
READER_CONFIG = {"enable_external_access": False, "lock_configuration": True}


class WarehouseBusy(Exception):
    """Another load or rollback holds the writer lock longer than the timeout."""


class Refused(Exception):
    """An operation the warehouse will not do, with the reason in Chinese and English."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh = zh
        self.en = en


class NoWarehouse(Refused):
    """The warehouse file does not exist yet."""


def default_db_path() -> Path:
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


def uploads_dir(db_path: Path) -> Path:
    """Where kept upload files live: ``uploads/`` beside the warehouse file."""
    return Path(db_path).parent / "uploads"


# --------------------------------------------------------------------------- readers


class Reader:
    """A hardened read-only view of one version of the warehouse file.

    The file is ATTACHed read-only into a private in-memory database so that a new
    version of the file is really opened (``duckdb.connect(path)`` would hand back the
    process-wide cached instance of the old file). External access and configuration
    are locked before the object is handed out.
    """

    def __init__(self, db_path: Path):
        self.path = Path(db_path)
        self.version = warehouse_version(self.path)
        self._con = duckdb.connect(":memory:")
        self._con.execute("ATTACH " + _sql_string(str(self.path)) + " AS wh (READ_ONLY)")
        self._con.execute("USE wh")
        for key, value in READER_CONFIG.items():
            self._con.execute("SET " + key + " = " + ("true" if value else "false"))

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for one call (thread-safe use: one cursor per call)."""
        cur = self._con.cursor()
        cur.execute("USE wh")
        return cur

    def close(self) -> None:
        self._con.close()


def _sql_string(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def warehouse_version(db_path: Path) -> tuple[int, int]:
    """(inode, mtime_ns) of the live file: changes whenever a batch or rollback commits."""
    st = os.stat(db_path)
    return (st.st_ino, st.st_mtime_ns)


def open_reader(db_path: Path | None = None) -> Reader:
    return Reader(Path(db_path or default_db_path()))


# --------------------------------------------------------------------------- the writer


def _lock_timeout() -> float:
    return float(os.environ.get(LOCK_TIMEOUT_ENV, "60"))


@contextmanager
def writer_lock(db_path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the single-writer lock of ``db_path`` or raise WarehouseBusy after ``timeout`` s."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock = open(str(db_path) + ".lock", "a+")
    deadline = time.monotonic() + (_lock_timeout() if timeout is None else timeout)
    try:
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(str(db_path)) from None
                time.sleep(0.05)
        yield
    finally:
        lock.close()


@contextmanager
def build_and_swap(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a private copy inside BEGIN; swapped in on success.

    Call only while holding :func:`writer_lock`. On any exception the transaction is
    rolled back explicitly, the copy deleted and the live file left untouched.
    """
    db_path = Path(db_path)
    tmp = db_path.with_name(db_path.name + ".building")
    for stale in (tmp, Path(str(tmp) + ".wal")):
        stale.unlink(missing_ok=True)  # left by a writer that crashed; we hold the lock
    if db_path.exists():
        shutil.copyfile(db_path, tmp)
    con = duckdb.connect(str(tmp))
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
            # A statement that failed inside the transaction (even if the caller swallowed the
            # error) leaves it aborted; COMMIT would then silently commit nothing. Probe first.
            con.execute("SELECT 1")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
        con.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, db_path)
    finally:
        con.close()
        tmp.unlink(missing_ok=True)


def init(db_path: Path | None = None) -> Path:
    """Create (or migrate) the warehouse schema and views; create the pseudonym key."""
    db_path = Path(db_path or default_db_path())
    load_key()
    with writer_lock(db_path), build_and_swap(db_path) as con:
        for stmt in schema.all_ddl():
            con.execute(stmt)
        for key, value in schema.DEFAULT_SETTINGS.items():
            con.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT DO NOTHING", [key, value])
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [schema.SCHEMA_VERSION])
    uploads_dir(db_path).mkdir(parents=True, exist_ok=True)
    return db_path


def _require(db_path: Path) -> None:
    if not Path(db_path).exists():
        raise NoWarehouse(
            "数据仓库不存在：" + str(db_path) + "，请先运行 python -m etl init",
            "no warehouse at " + str(db_path) + "; run python -m etl init first",
        )


# --------------------------------------------------------------------------- load


@dataclass
class LoadResult:
    """What happened to one file. ``status``: loaded | noop | rejected."""

    status: str
    dataset: str | None = None
    batch_id: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    duplicate_of: int | None = None
    errors: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: pd.DataFrame = field(default_factory=pd.DataFrame)
    kept_path: Path | None = None
    validated: object | None = None


def load_file(
    db_path: Path | None,
    file_path: Path | str,
    *,
    dataset: str | None = None,
    skip_invalid: bool = False,
    user: str = "cli",
    data: bytes | None = None,
    sheet: str | None = None,
) -> LoadResult:
    """Load one file as one batch (one transaction); all-or-nothing unless ``skip_invalid``."""
    from etl.readers import FileRejected, read_file
    from etl.validate import detect_dataset, known_headers, validate

    db_path = Path(db_path or default_db_path())
    _require(db_path)
    file_path = Path(file_path)
    data = file_path.read_bytes() if data is None else data
    key = load_key()
    with writer_lock(db_path), ThreadPoolExecutor(max_workers=1) as pool:
        hashing = pool.submit(lambda: hashlib.sha256(data).hexdigest())  # GIL released: runs beside the reading
        reader = open_reader(db_path)
        try:
            cur = reader.cursor()
            loaded = {  # sha256 → (first loaded batch, dataset)
                sha: (batch_id, name)
                for sha, batch_id, name in cur.execute(
                    "SELECT sha256, min(batch_id), any_value(dataset) FROM batches WHERE status = 'loaded' GROUP BY 1"
                ).fetchall()
            }
            project_ids = {r[0] for r in cur.execute("SELECT project_id FROM v_projects").fetchall()}
            next_id = cur.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM batches").fetchone()[0]
        finally:
            reader.close()
        try:
            raw = read_file(data, file_path.name, sheet=sheet, known_headers=known_headers())
            sha = hashing.result()
            if sha not in loaded:
                ds_given = contracts.get(dataset) if dataset else detect_dataset(raw.headers)
                v = validate(raw, ds_given, key=key, known_project_ids=project_ids)
        except FileRejected as exc:
            sha = hashing.result()
            if sha not in loaded:
                errors = pd.DataFrame(
                    [
                        {
                            "row": pd.NA,
                            "column": "",
                            "value": "",
                            "code": exc.code,
                            "reason_zh": exc.zh,
                            "reason_en": exc.en,
                        }
                    ]
                )
                return LoadResult("rejected", dataset=dataset, errors=errors)
        if sha in loaded:  # the same bytes are already loaded: a no-op that says so
            return LoadResult("noop", dataset=loaded[sha][1], duplicate_of=loaded[sha][0])
        ds: Dataset = v.dataset
        n_read = len(v.frame)
        n_bad = int((~v.valid).sum())
        file_level = v.errors["row"].isna().any() if len(v.errors) else False
        result = LoadResult(
            "rejected",
            dataset=ds.name,
            rows_read=n_read,
            rows_rejected=n_bad,
            errors=v.errors,
            warnings=v.warnings,
            validated=v,
        )
        if file_level or (n_bad and not skip_invalid) or (n_read == 0):
            _keep_rejected(db_path, v, data, sha, file_path.name)
            return result
        kept = _kept_path(db_path, v, sha, file_path.name, next_id)
        # The kept copy is written (pyarrow, GIL released) while DuckDB inserts; both finish before the swap.
        keeping = pool.submit(_write_kept, kept, v, data)
        try:
            with build_and_swap(db_path) as con:
                _insert_batch(con, v, next_id, file_path.name, sha, user, kept)
                if ds.name in schema.FACT_SOURCES:
                    con.execute(schema.REFRESH_FACTS)
                keeping.result()
        except BaseException:
            wait([keeping])
            kept.unlink(missing_ok=True)
            raise
        result.status = "loaded"
        result.batch_id = next_id
        result.rows_loaded = n_read - n_bad
        result.kept_path = kept
        return result


def _insert_batch(con, v, batch_id: int, file_name: str, sha: str, user: str, kept: Path) -> None:
    ds: Dataset = v.dataset
    good = v.frame.loc[v.valid]
    con.register("incoming", pa.Table.from_pandas(good, preserve_index=False))  # Arrow scans without Python objects
    con.execute(schema.insert_sql(ds), [batch_id])
    con.unregister("incoming")
    if not v.valid.all():
        bad = v.bad_rows()
        reasons = bad["reason"].astype("str").tolist()
        rows = bad["_row"].astype("int64").tolist()
        cells = bad.drop(columns=["reason", "_row"]).astype("object").where(bad.notna(), None)
        payload = pd.DataFrame(
            {
                "batch_id": batch_id,
                "dataset": ds.name,
                "row": rows,
                "reason": reasons,
                "cells": [json.dumps(r, ensure_ascii=False) for r in cells.to_dict(orient="records")],
            }
        )
        con.register("bad", payload)
        con.execute('INSERT INTO quarantine SELECT batch_id, dataset, "row", reason, CAST(cells AS JSON) FROM bad')
        con.unregister("bad")
    raw = v.raw
    warnings = v.warnings[["row", "column", "code", "reason_zh"]].astype("str").to_dict(orient="records")
    con.execute(
        "INSERT INTO batches (batch_id, dataset, file_name, sha256, file_format, encoding, sheet, rows_read, "
        "rows_loaded, rows_rejected, user_name, loaded_at, kept_path, warnings) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            batch_id,
            ds.name,
            file_name,
            sha,
            raw.file_format,
            raw.encoding,
            raw.sheet,
            len(v.frame),
            int(v.valid.sum()),
            int((~v.valid).sum()),
            user,
            datetime.now(),
            str(kept),
            json.dumps(warnings, ensure_ascii=False),
        ],
    )


def _safe_name(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)
    return keep[-80:] or "upload"


def _kept_name(v, file_name: str) -> str:
    if v.dataset.has_personal_data:
        return _safe_name(Path(file_name).stem) + ".pseudonymised.csv"
    return _safe_name(file_name)


def _kept_bytes(v, data: bytes) -> bytes:
    """What is kept of an upload: the file itself, or a pseudonymised copy when it holds personal fields."""
    return v.pseudonymised_copy() if v.dataset.has_personal_data else data


def _kept_path(db_path: Path, v, sha: str, file_name: str, batch_id: int) -> Path:
    return uploads_dir(db_path) / (str(batch_id) + "-" + sha[:12] + "-" + _kept_name(v, file_name))


def _write_kept(path: Path, v, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_kept_bytes(v, data))


def _keep_rejected(db_path: Path, v, data: bytes, sha: str, file_name: str) -> Path:
    """Keep a rejected file too (pseudonymised when personal), outside the warehouse."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = uploads_dir(db_path) / "rejected" / (stamp + "-" + sha[:12] + "-" + _kept_name(v, file_name))
    _write_kept(out, v, data)
    return out


# --------------------------------------------------------------------------- batches and rollback


def batches(db_path: Path | None = None) -> pd.DataFrame:
    """One row per batch, newest first."""
    db_path = Path(db_path or default_db_path())
    _require(db_path)
    reader = open_reader(db_path)
    try:
        return reader.cursor().execute("SELECT * FROM v_batches ORDER BY batch_id DESC").df()
    finally:
        reader.close()


def _overlapping_later_batches(con, ds: Dataset, batch_id: int) -> list[int]:
    return [r[0] for r in con.execute(schema.overlap_sql(ds), [batch_id, batch_id]).fetchall()]


def rollback(db_path: Path | None, batch_id: int, *, user: str = "cli") -> dict:
    """Undo one batch exactly: its rows leave the current state, earlier values return.

    Refuses (``Refused``) when a later batch changed the same keys, or when undoing a
    projects batch would leave funding rows pointing at projects that no longer exist.
    No row is deleted: the batch is marked rolled back and stays queryable.
    """
    db_path = Path(db_path or default_db_path())
    _require(db_path)
    with writer_lock(db_path), build_and_swap(db_path) as con:
        row = con.execute("SELECT dataset, status FROM batches WHERE batch_id = ?", [batch_id]).fetchone()
        if row is None:
            raise Refused("批次 " + str(batch_id) + " 不存在", "batch " + str(batch_id) + " does not exist")
        if row[1] != "loaded":
            raise Refused(
                "批次 " + str(batch_id) + " 已回滚过", "batch " + str(batch_id) + " has already been rolled back"
            )
        ds = DATASETS[row[0]]
        later = _overlapping_later_batches(con, ds, batch_id)
        if later:
            ids = ", ".join(str(i) for i in later)
            raise Refused(
                "不能回滚批次 " + str(batch_id) + "：之后的批次 " + ids + " 修改了相同的记录，请先回滚这些批次",
                "cannot roll back batch " + str(batch_id) + ": later batch(es) " + ids
                + " changed the same records; roll those back first",
            )  # fmt: skip
        con.execute(
            "UPDATE batches SET status = 'rolled_back', rolled_back_at = ?, rolled_back_by = ? WHERE batch_id = ?",
            [datetime.now(), user, batch_id],
        )
        if ds.name in schema.FACT_SOURCES:
            con.execute(schema.REFRESH_FACTS)
        if ds.name == "projects":
            orphans = con.execute(
                "SELECT count(*), min(project_id) FROM v_funding f "
                "WHERE NOT EXISTS (SELECT 1 FROM v_projects p WHERE p.project_id = f.project_id)"
            ).fetchone()
            if orphans[0]:
                raise Refused(
                    "不能回滚批次 " + str(batch_id) + "：" + str(orphans[0]) + " 条资金到位记录（如 "
                    + str(orphans[1]) + "）依赖其中的项目，请先回滚相应的资金批次",
                    "cannot roll back batch " + str(batch_id) + ": " + str(orphans[0])
                    + " funding rows (e.g. " + str(orphans[1]) + ") refer to its projects; roll back that funding first",
                )  # fmt: skip
    return {"batch_id": batch_id, "dataset": ds.name}
