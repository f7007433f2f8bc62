"""The warehouse file seen read-only: where it is, its version, the hardened reader, batch and quarantine lists.

Used by both the read side (board) and the writer (etl.warehouse); nothing here writes. Readers open
the live file read-only, ATTACHed into a private in-memory database with external access and
configuration locked, and reopen it when a load or rollback has swapped in a new file.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import duckdb
import pandas as pd

DB_ENV = "DASHBOARD_DB"
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "data" / "warehouse.duckdb"
READER_CONFIG = {"enable_external_access": False, "lock_configuration": True}
READER_MEMORY_ENV = "DASHBOARD_READER_MEMORY_MB"


def reader_memory_mb() -> int:
    """The dashboard's DuckDB memory limit in MiB: $DASHBOARD_READER_MEMORY_MB, default 768 (one per process)."""
    return int(os.environ.get(READER_MEMORY_ENV) or 768)


class Refused(Exception):
    """An operation the warehouse will not do, with the reason in Chinese and English."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh = zh
        self.en = en


class NoWarehouse(Refused):
    """The warehouse file does not exist yet."""

    def __init__(self, path: Path):
        super().__init__(
            "数据仓库不存在：" + str(path) + "，请先运行 python -m etl init",
            "no warehouse at " + str(path) + "; run python -m etl init first",
        )
        self.path = path


def default_db_path() -> Path:
    """$DASHBOARD_DB, else data/warehouse.duckdb of the repository."""
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


def uploads_dir(db_path: Path) -> Path:
    """Where kept upload files live: ``uploads/`` beside the warehouse file."""
    return Path(db_path).parent / "uploads"


def version(db_path: Path) -> tuple[int, int] | None:
    """(inode, mtime_ns) of the live file, changed by every load and rollback; None when there is no file."""
    try:
        st = os.stat(db_path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def require(db_path: Path) -> Path:
    """``db_path`` when the warehouse exists; NoWarehouse otherwise."""
    if not Path(db_path).exists():
        raise NoWarehouse(Path(db_path))
    return Path(db_path)


def _sql_string(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


class Reader:
    """The hardened read-only view of the warehouse file at ``path``, reopened when the file is replaced.

    The file is ATTACHed read-only into a private in-memory database, so that a new version of the file
    is really opened (``duckdb.connect(path)`` would hand back the process-wide cached instance of the
    old one). Thread-safe: one ``cursor()`` per call.
    """

    def __init__(self, db_path: Path):
        self.path = Path(db_path)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._version: tuple[int, int] | None = None

    def _open(self) -> duckdb.DuckDBPyConnection:
        # DuckDB's default memory limit is 80 % of RAM per process: 8 sessions of a busy server measured 3.4 GB.
        con = duckdb.connect(":memory:", config={"memory_limit": f"{reader_memory_mb()}MB"})
        con.execute("ATTACH " + _sql_string(str(self.path)) + " AS wh (READ_ONLY)")
        con.execute("USE wh")
        for key, value in READER_CONFIG.items():
            con.execute("SET " + key + " = " + ("true" if value else "false"))
        return con

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the current version of the file (NoWarehouse when there is none)."""
        token = version(self.path)
        if token is None:
            raise NoWarehouse(self.path)
        with self._lock:
            if self._con is None or token != self._version:
                # The old connection is dropped, not closed: a cursor still reading keeps it alive.
                self._con, self._version = self._open(), token
            cur = self._con.cursor()
        cur.execute("USE wh")  # cursors do not inherit USE
        return cur

    def close(self) -> None:
        """Close the connection (cursors still reading keep their snapshot until they finish)."""
        with self._lock:
            if self._con is not None:
                self._con.close()
            self._con, self._version = None, None

    def query(self, sql: str, params: list | tuple = ()) -> pd.DataFrame:
        """Run constant SQL with bound parameters on a fresh cursor."""
        cur = self.cursor()
        try:
            return cur.execute(sql, list(params)).df()
        finally:
            cur.close()


BATCHES_SQL = """SELECT batch_id, dataset, file_name, sha256, rows_read, rows_loaded, rows_rejected, user_name,
  loaded_at, status, rolled_back_at, rolled_back_by FROM v_batches ORDER BY batch_id DESC"""
QUARANTINE_SQL = """SELECT "row", reason, reason_en, cells FROM v_quarantine WHERE batch_id = ? ORDER BY "row" """


def batches(reader: Reader) -> pd.DataFrame:
    """Grain: one row per batch (loaded or rolled back), newest first, with its file's SHA-256."""
    return reader.query(BATCHES_SQL)


def quarantine(reader: Reader, batch_id: int) -> pd.DataFrame:
    """Grain: one row per quarantined row of batch ``batch_id``, in file order: ``row`` (as in Excel),
    ``reason`` (Chinese), ``reason_en``, then one column per column of the file as headed there
    (personal columns masked)."""
    df = reader.query(QUARANTINE_SQL, [batch_id])
    cells = pd.DataFrame([json.loads(c) if c else {} for c in df["cells"]], index=df.index)
    cells = cells.astype("object").where(cells.notna(), "").astype("str")
    return pd.concat([df[["row", "reason", "reason_en"]].fillna(""), cells], axis=1)
