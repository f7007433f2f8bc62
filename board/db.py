"""The one read connection to the warehouse (read-only, hardened) and cached queries keyed by its version.

The warehouse file is replaced atomically when a batch commits; its (inode, mtime_ns) token is the
version. The connection is reopened when the token changes, and every cached query result is keyed
by the token, so pages show the new batch on their next rerun.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from etl import warehouse

T = TypeVar("T")


def db_path() -> Path:
    """The warehouse file: $DASHBOARD_DB, else data/warehouse.duckdb of the repository (etl.warehouse decides)."""
    return warehouse.default_db_path()


def version(path: Path | None = None) -> tuple[int, int] | None:
    """The warehouse version token (inode, mtime_ns); None when the file does not exist."""
    path = path or db_path()
    if not path.exists():
        return None
    return tuple(warehouse.warehouse_version(path))


class Reader:
    """One hardened read-only reader (etl.warehouse.open_reader) per path, reopened when the file is
    replaced; a cursor per call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._reader: warehouse.Reader | None = None

    def cursor(self) -> duckdb.DuckDBPyConnection:
        token = version(self.path)
        with self._lock:
            if self._reader is None or token != self._reader.version:
                # The old reader is dropped, not closed: a cursor still reading keeps it alive.
                self._reader = warehouse.open_reader(self.path)
            return self._reader.cursor()


@st.cache_resource(show_spinner=False)
def reader(path: str) -> Reader:
    """The shared Reader for ``path`` (one per process)."""
    return Reader(Path(path))


@st.cache_data(ttl=3600, max_entries=2000, show_spinner=False)
def _cached_query(path: str, token: tuple[int, int], sql: str, params: tuple) -> pd.DataFrame:
    values = [list(p) if isinstance(p, tuple) else p for p in params]
    cur = reader(path).cursor()
    try:
        return cur.execute(sql, values).df()
    finally:
        cur.close()


class NoWarehouse(RuntimeError):
    """The warehouse file does not exist yet."""


def query(sql: str, params: Sequence = ()) -> pd.DataFrame:
    """Run a constant SQL text with bound parameters (lists as tuples); cached by parameters and version."""
    path = db_path()
    token = version(path)
    if token is None:
        raise NoWarehouse(str(path))
    return _cached_query(str(path), token, sql, tuple(tuple(p) if isinstance(p, list) else p for p in params))


def cached(fn: Callable[..., T]) -> Callable[..., T]:
    """Cache a read-side function's (small) result by its arguments and the warehouse version.

    The arguments must be hashable by st.cache_data (numbers, strings, tuples, frozen dataclasses).
    """

    def run(path: str, token: tuple[int, int], *args: Any, **kwargs: Any) -> T:
        return fn(*args, **kwargs)

    run.__module__, run.__qualname__ = fn.__module__, f"{fn.__qualname__}.cached"
    stored = st.cache_data(ttl=3600, max_entries=500, show_spinner=False)(run)

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> T:
        path = db_path()
        token = version(path)
        if token is None:
            raise NoWarehouse(str(path))
        return stored(str(path), token, *args, **kwargs)

    return call


def has_data() -> bool:
    """True when the warehouse exists and holds at least one loaded batch."""
    if version() is None:
        return False
    try:
        n = query("SELECT count(*) AS n FROM v_batches WHERE status = 'loaded'")["n"].iloc[0]
    except duckdb.CatalogException:  # a file that is not (yet) a warehouse
        return False
    return bool(n)
