"""The dashboard's read access: one hardened reader per warehouse file and query results cached by version.

The warehouse file is replaced atomically when a batch commits; its (inode, mtime_ns) token is the
version (etl.store). Every cached result is keyed by it, so pages show a new batch on their next rerun.

Outside a Streamlit server (the command line: ``python -m etl bulletin``) the same functions run in "bare mode":
no Streamlit cache (it would warn on every call), a process-local reader and a small process-local cache keyed
the same way, so the bulletin reads exactly what the pages read.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from etl import store

T = TypeVar("T")


def db_path() -> Path:
    """The warehouse file: $DASHBOARD_DB, else data/warehouse.duckdb of the repository (etl.store decides)."""
    return store.default_db_path()


def bare() -> bool:
    """True outside a Streamlit runtime (the command line); AppTest and a server have one."""
    from streamlit import runtime

    return not runtime.exists()


if bare():  # the command line: st.cache_data (never called in bare mode) would still warn for each cached function
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)


@st.cache_resource(show_spinner=False)
def _shared_reader(path: str) -> store.Reader:
    return store.Reader(Path(path))


@functools.cache
def _bare_reader(path: str) -> store.Reader:
    return store.Reader(Path(path))


def reader(path: str) -> store.Reader:
    """The shared hardened Reader for ``path`` (one per process; it reopens a replaced file)."""
    return _bare_reader(path) if bare() else _shared_reader(path)


def _token(path: Path) -> tuple[int, int]:
    token = store.version(path)
    if token is None:
        raise store.NoWarehouse(path)
    return token


@st.cache_data(ttl=3600, max_entries=2000, show_spinner=False)
def _cached_query(path: str, token: tuple[int, int], sql: str, params: tuple) -> pd.DataFrame:
    return reader(path).query(sql, [list(p) if isinstance(p, tuple) else p for p in params])


@functools.lru_cache(maxsize=256)
def _bare_query(path: str, token: tuple[int, int], sql: str, params: tuple) -> pd.DataFrame:
    return reader(path).query(sql, [list(p) if isinstance(p, tuple) else p for p in params])


def query(sql: str, params: Sequence = ()) -> pd.DataFrame:
    """Run a constant SQL text with bound parameters (lists as tuples); cached by parameters and version."""
    path = db_path()
    args = (str(path), _token(path), sql, tuple(tuple(p) if isinstance(p, list) else p for p in params))
    if bare():
        return _bare_query(*args).copy()  # callers may change their frame: the cached one stays as read
    return _cached_query(*args)


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
        if bare():  # the command line: no Streamlit cache (query keeps its own)
            return fn(*args, **kwargs)
        path = db_path()
        return stored(str(path), _token(path), *args, **kwargs)

    return call


def has_data() -> bool:
    """True when the warehouse exists and holds at least one loaded batch."""
    if store.version(db_path()) is None:
        return False
    try:
        n = query("SELECT count(*) AS n FROM v_batches WHERE status = 'loaded'")["n"].iloc[0]
    except duckdb.CatalogException:  # a file that is not (yet) a warehouse
        return False
    return bool(n)
