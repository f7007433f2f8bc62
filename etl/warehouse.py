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
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from etl import assessment_rules, clock, keep, maintain, schema, store
from etl.check import Checked, Context, check, read_context
from etl.contracts import DATASETS, Dataset
from etl.pseudonym import load_key
from etl.store import Refused
from etl.validate import Validated

LOCK_TIMEOUT_ENV = "DASHBOARD_LOCK_TIMEOUT"


class WarehouseBusy(Exception):
    """Another load or rollback holds the writer lock longer than the timeout."""


# --------------------------------------------------------------------------- the writer


def _lock_timeout() -> float:
    return float(os.environ.get(LOCK_TIMEOUT_ENV, "60"))


@contextmanager
def writer_lock(
    db_path: Path, timeout: float | None = None, on_wait: Callable[[float], None] | None = None
) -> Iterator[None]:
    """Hold the single-writer lock of ``db_path`` or raise WarehouseBusy after ``timeout`` s. While another
    writer holds it, ``on_wait`` (if given) is called about twice a second with the seconds waited so far
    (the upload page shows "busy, retrying" with it)."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock = open(str(db_path) + ".lock", "a+")
    start = time.monotonic()
    deadline = start + (_lock_timeout() if timeout is None else timeout)
    told = start
    try:
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                now = time.monotonic()
                if now >= deadline:
                    raise WarehouseBusy(str(db_path)) from None
                if on_wait is not None and (told == start or now - told >= 0.5):
                    told = now
                    on_wait(now - start)
                time.sleep(0.05)
        yield
    finally:
        lock.close()


# Seconds of each step of the last build_and_swap in this process (copy, apply, commit, checkpoint, fsync): the
# writes benchmark reads them (bench/writes_bench.py).
SWAP_TIMES: dict[str, float] = {}


class Precopy:
    """A private copy of the live file made *without* the writer lock, while the file being loaded is checked
    (copying is I/O in the kernel, checking is Python: they overlap). The live file is never written in place
    (every write swaps in a new inode), so a copy read from one open descriptor is that version exactly;
    :func:`build_and_swap` uses it only if the live file is still that version under the lock, else copies
    again. ``discard`` stops an unfinished copy and removes it."""

    CHUNK = 64 << 20

    def __init__(self, db_path: Path):
        self.path = Path(db_path).with_name(f"{Path(db_path).name}.precopy-{os.getpid()}-{os.urandom(4).hex()}")
        self.version: tuple[int, int] | None = None
        self._stop = threading.Event()
        self._done = threading.Event()
        self._ok = False
        self._thread = threading.Thread(target=self._copy, args=(Path(db_path),), daemon=True)
        self._thread.start()

    def _copy(self, src: Path) -> None:
        try:
            with open(src, "rb") as fin, open(self.path, "wb") as fout:
                st = os.fstat(fin.fileno())
                self.version = (st.st_ino, st.st_mtime_ns)
                left = st.st_size
                while left > 0 and not self._stop.is_set():
                    n = os.copy_file_range(fin.fileno(), fout.fileno(), min(left, self.CHUNK))
                    if n == 0:
                        break
                    left -= n
                self._ok = left == 0 and not self._stop.is_set()
        except OSError:
            self._ok = False
        finally:
            self._done.set()

    def take(self, version: tuple[int, int] | None) -> Path | None:
        """The finished copy if it is of ``version`` (the live file's now), else None (and it is removed)."""
        self._done.wait()
        if self._ok and version is not None and self.version == version:
            return self.path
        self.discard()
        return None

    def discard(self) -> None:
        self._stop.set()
        self._done.wait()
        self.path.unlink(missing_ok=True)


@contextmanager
def build_and_swap(db_path: Path, precopy: Precopy | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a private copy inside BEGIN; swapped in on success.

    Call only while holding :func:`writer_lock`. On any exception the transaction is
    rolled back explicitly, the copy deleted and the live file left untouched. ``precopy``: a copy made
    before the lock (:class:`Precopy`), used when the live file has not changed since.
    """
    db_path = Path(db_path)
    tmp = db_path.with_name(db_path.name + ".building")
    for stale in (tmp, Path(str(tmp) + ".wal")):
        stale.unlink(missing_ok=True)  # left by a writer that crashed; we hold the lock
    times = SWAP_TIMES
    times.clear()
    t = time.perf_counter()
    ready = precopy.take(store.version(db_path)) if precopy is not None else None
    times["precopied"] = float(ready is not None)
    if ready is not None:
        os.replace(ready, tmp)
    elif db_path.exists():
        shutil.copyfile(db_path, tmp)
    times["copy"] = time.perf_counter() - t
    con = duckdb.connect(str(tmp))
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            t = time.perf_counter()
            yield con
            # A statement that failed inside the transaction (even if the caller swallowed the
            # error) leaves it aborted; COMMIT would then silently commit nothing. Probe first.
            con.execute("SELECT 1")
            times["apply"] = time.perf_counter() - t
        except BaseException:
            con.execute("ROLLBACK")
            raise
        t = time.perf_counter()
        con.execute("COMMIT")
        times["commit"] = time.perf_counter() - t
        t = time.perf_counter()
        con.execute("CHECKPOINT")
        con.close()
        times["checkpoint"] = time.perf_counter() - t
        t = time.perf_counter()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        times["fsync"] = time.perf_counter() - t
        os.replace(tmp, db_path)
    finally:
        con.close()
        tmp.unlink(missing_ok=True)


def init(db_path: Path | None = None) -> Path:
    """Create (or migrate) the warehouse schema and views; create the pseudonym key; register the assessment rules
    file as the rule version in force (etl.assessment_rules; an invalid file changes nothing)."""
    db_path = Path(db_path or store.default_db_path())
    load_key()
    rules, rules_text = assessment_rules.load()
    with writer_lock(db_path), build_and_swap(db_path) as con:
        # the derived tables (current state, facts, rollups) are rebuilt from the history when their definition
        # changed (or the warehouse predates them); otherwise the loads keep them and init leaves them alone
        rebuild = _stored_fingerprint(con) != schema.derived_fingerprint()
        for stmt in schema.all_ddl(rebuild=rebuild):
            con.execute(stmt)
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('derived_fingerprint', ?), ('unit_facts.appended', '0')"
            if rebuild
            else "INSERT OR IGNORE INTO meta VALUES ('derived_fingerprint', ?)",
            [schema.derived_fingerprint()],
        )
        for key, value in schema.DEFAULT_SETTINGS.items():
            con.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT DO NOTHING", [key, value])
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [schema.SCHEMA_VERSION])
        assessment_rules.register(con, rules, rules_text, "init")
    store.uploads_dir(db_path).mkdir(parents=True, exist_ok=True)
    return db_path


def _stored_fingerprint(con) -> str | None:
    """The derived tables' definition digest recorded by the last init; None for a new or older warehouse."""
    # (a failed statement would abort the caller's transaction: look the table up first)
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'meta'").fetchone()[0]:
        return None
    row = con.execute("SELECT value FROM meta WHERE key = 'derived_fingerprint'").fetchone()
    return row[0] if row else None


# --------------------------------------------------------------------------- load


@dataclass
class LoadResult:
    """What happened to one file. ``status``: loaded | noop | rejected. ``kept_path``: where the file (or its
    pseudonymised copy) was kept, also for a rejected file."""

    status: str
    checked: Checked
    batch_id: int | None = None
    rows_loaded: int = 0
    kept_path: Path | None = None

    @property
    def dataset(self) -> str | None:
        return self.checked.dataset.name if self.checked.dataset else None

    @property
    def rows_read(self) -> int:
        return self.checked.rows_read

    @property
    def rows_rejected(self) -> int:
        return self.checked.rows_bad

    @property
    def errors(self) -> pd.DataFrame:
        return self.checked.errors

    @property
    def warnings(self) -> pd.DataFrame:
        return self.checked.warnings

    @property
    def duplicate_of(self) -> int | None:
        return self.checked.duplicate_of


def load_file(
    db_path: Path | None,
    file_path: Path | str,
    *,
    dataset: str | None = None,
    skip_invalid: bool = False,
    user: str = "cli",
    data: bytes | None = None,
    sheet: str | None = None,
    on_wait: Callable[[float], None] | None = None,
    townships: Collection[str] = (),
) -> LoadResult:
    """Load one file as one batch (one transaction); all-or-nothing unless ``skip_invalid`` (then the rows in
    error are quarantined). The file is checked by etl.check before the writer lock is taken, so a bad or slow
    file never holds up another load; under the lock it is checked again only if a batch committed meanwhile.
    ``on_wait``: called while another writer holds the lock (see :func:`writer_lock`). ``townships``: the
    account's townships (empty = all, as the CLI): every check of the file is restricted to them (etl.check),
    so a row of another township is never loaded, only quarantined."""
    db_path = store.require(Path(db_path or store.default_db_path()))
    file_path = Path(file_path)
    given = data is not None
    data = data if given else file_path.read_bytes()
    key = load_key()

    def checked_now(data: bytes | None) -> tuple[Context, Checked, bytes | None]:
        """The check against the warehouse as it is now; the file's bytes, None when they are not needed any
        more (a file of ours with personal data is never kept as given: its bytes leave memory early)."""
        ctx = read_context(db_path)
        data = data if data is not None else file_path.read_bytes()  # read again for a second check
        checked = check(data, file_path.name, ctx, key=key, dataset=dataset, sheet=sheet, townships=townships)
        done = checked.status == "noop" or not checked.loadable(skip_invalid)
        return ctx, checked, None if not given and not done and checked.validated.has_personal_data else data

    precopy = Precopy(db_path)  # the writer's copy of the warehouse, made while the file is checked
    try:
        return _load_checked(db_path, file_path, data, checked_now, precopy, skip_invalid, user, on_wait)
    finally:
        precopy.discard()


def _load_checked(db_path, file_path, data, checked_now, precopy, skip_invalid, user, on_wait) -> LoadResult:
    """load_file once the file is read: check, then under the lock (re-check if needed) insert and swap."""
    ctx, checked, data = checked_now(data)
    if checked.status == "noop" or not checked.loadable(skip_invalid):
        return _refuse(db_path, checked, data, file_path.name)
    with writer_lock(db_path, on_wait=on_wait), ThreadPoolExecutor(max_workers=1) as pool:
        if store.version(db_path) != ctx.version:  # another batch committed since the check: check against it
            ctx, checked, data = checked_now(data)
            if checked.status == "noop" or not checked.loadable(skip_invalid):
                return _refuse(db_path, checked, data, file_path.name)
        v = checked.validated
        batch_id = ctx.next_batch
        kept = keep.kept_path(db_path, v, checked.sha256, file_path.name, batch_id)
        # The kept copy is written (pyarrow, GIL released) while DuckDB inserts; both finish before the swap.
        keeping = pool.submit(keep.write_kept, kept, v, data or b"")
        try:
            with build_and_swap(db_path, precopy) as con:
                _insert_batch(con, v, batch_id, file_path.name, checked.sha256, user, kept)
                maintain.after_load(con, v.dataset, batch_id)  # current state, facts, rollups (etl.maintain)
                keeping.result()
        except BaseException:
            wait([keeping])
            with suppress(OSError):  # cleaning up must not hide why the load failed
                kept.unlink(missing_ok=True)
            raise
        return LoadResult("loaded", checked, batch_id, int(v.valid.sum()), kept)


def _refuse(db_path: Path, checked: Checked, data: bytes, file_name: str) -> LoadResult:
    """A no-op (the same bytes are loaded) or a refusal; a refused file is kept (pseudonymised if personal)."""
    if checked.status == "noop":
        return LoadResult("noop", checked)
    v = checked.validated
    kept = keep.keep_rejected(db_path, v, data, checked.sha256, file_name) if v is not None else None
    return LoadResult("rejected", checked, kept_path=kept)


def _insert_batch(con, v: Validated, batch_id: int, file_name: str, sha: str, user: str, kept: Path) -> None:
    ds: Dataset = v.dataset
    good = v.frame if v.valid.all() else v.frame.loc[v.valid]  # all valid (the usual file): no copy
    con.register("incoming", pa.Table.from_pandas(good, preserve_index=False))  # Arrow scans without Python objects
    con.execute(schema.insert_sql(ds), [batch_id])
    con.unregister("incoming")
    if not v.valid.all():
        bad = keep.bad_rows(v)
        cells = bad.drop(columns=["reason", "reason_en", "_row"]).astype("object").where(bad.notna(), None)
        payload = pd.DataFrame(
            {
                "batch_id": batch_id,
                "dataset": ds.name,
                "row": bad["_row"].astype("int64").tolist(),
                "reason": bad["reason"].astype("str").tolist(),
                "reason_en": bad["reason_en"].astype("str").tolist(),
                "cells": [json.dumps(r, ensure_ascii=False) for r in cells.to_dict(orient="records")],
            }
        )
        con.register("bad", payload)
        con.execute(
            'INSERT INTO quarantine (batch_id, dataset, "row", reason, cells, reason_en) '
            "SELECT batch_id, dataset, row, reason, CAST(cells AS JSON), reason_en FROM bad"
        )
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
            clock.now(),
            str(kept),
            json.dumps(warnings, ensure_ascii=False),
        ],
    )


# --------------------------------------------------------------------------- batches and rollback


def _overlapping_later_batches(con, ds: Dataset, batch_id: int) -> list[int]:
    return [r[0] for r in con.execute(schema.overlap_sql(ds), [batch_id, batch_id]).fetchall()]


def rollback(
    db_path: Path | None, batch_id: int, *, user: str = "cli", on_wait: Callable[[float], None] | None = None
) -> dict:
    """Undo one batch exactly: its rows leave the current state, earlier values return.

    Refuses (``Refused``) when a later batch changed the same keys, or when undoing a
    projects batch would leave funding rows pointing at projects that no longer exist.
    No row is deleted: the batch is marked rolled back and stays queryable. ``on_wait``: as for
    :func:`writer_lock`.
    """
    db_path = Path(db_path or store.default_db_path())
    store.require(db_path)
    with writer_lock(db_path, on_wait=on_wait), build_and_swap(db_path) as con:
        row = con.execute("SELECT dataset, status FROM batches WHERE batch_id = ?", [batch_id]).fetchone()
        if row is None:
            raise Refused("批次 " + str(batch_id) + " 不存在", "batch " + str(batch_id) + " does not exist")
        if row[1] != "loaded":
            raise Refused(
                "批次 " + str(batch_id) + " 已回滚过", "batch " + str(batch_id) + " has already been rolled back"
            )
        if row[0] == "boundaries":  # a boundaries batch replaced the previous one whole (etl.boundaries)
            from etl import boundaries

            later = boundaries.later_batches(con, batch_id)
            ds = None
        else:
            ds = DATASETS[row[0]]
            later = _overlapping_later_batches(con, ds, batch_id)
        if later:
            ids = ", ".join(str(i) for i in later)
            raise Refused(
                "不能回滚批次 " + str(batch_id) + "：之后的批次 " + ids + " 修改了相同的记录，请先回滚这些批次",
                "cannot roll back batch " + str(batch_id) + ": later batch(es) " + ids
                + " changed the same records; roll those back first",
            )  # fmt: skip
        change = maintain.Change(con, ds, batch_id) if ds is not None else None
        con.execute(
            "UPDATE batches SET status = 'rolled_back', rolled_back_at = ?, rolled_back_by = ? WHERE batch_id = ?",
            [clock.now(), user, batch_id],
        )
        if change is not None:
            change.apply_rollback()
        if ds is not None and ds.name == "projects":
            n, example, ids = con.execute(
                "SELECT count(*), min(project_id), list(DISTINCT batch_id ORDER BY batch_id) FROM v_funding f "
                "WHERE NOT EXISTS (SELECT 1 FROM v_projects p WHERE p.project_id = f.project_id)"
            ).fetchone()
            if n:
                names = ", ".join(str(i) for i in ids)
                raise Refused(
                    "不能回滚批次 " + str(batch_id) + "：资金到位批次 " + names + " 中有 " + str(n) + " 条记录（如 "
                    + str(example) + "）依赖其中的项目，请先回滚批次 " + names,
                    "cannot roll back batch " + str(batch_id) + ": " + str(n) + " funding rows of batch(es) " + names
                    + " (e.g. " + str(example) + ") refer to its projects; roll back batch(es) " + names + " first",
                )  # fmt: skip
        if change is not None:
            change.refresh()
    return {"batch_id": batch_id, "dataset": row[0]}
