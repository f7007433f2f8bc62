"""The dashboard's read access: a hardened reader that follows the file when a batch commits."""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest

from board import db, meta
from etl import warehouse


def test_reader_follows_the_file_when_a_batch_commits(tmp_path, demo_db, monkeypatch):
    live = tmp_path / "live.duckdb"
    warehouse.init(live)
    monkeypatch.setenv("DASHBOARD_DB", str(live))
    assert db.has_data() is False
    staged = tmp_path / "staged.duckdb"
    shutil.copy(demo_db, staged)
    os.replace(staged, live)  # what a committing writer does
    assert db.has_data() is True
    assert meta.options().latest_month[2026] == 11


def test_reader_is_hardened(board_env):
    with pytest.raises(duckdb.Error):
        db.query("SELECT * FROM read_csv('/etc/passwd')")
    with pytest.raises(duckdb.Error):
        db.query("SET enable_external_access = true")


def test_no_warehouse_is_a_clear_error(tmp_path, monkeypatch):
    from etl.store import NoWarehouse

    monkeypatch.setenv("DASHBOARD_DB", str(tmp_path / "none.duckdb"))
    assert db.has_data() is False
    with pytest.raises(NoWarehouse):
        db.query("SELECT 1")


def test_the_reader_has_a_memory_limit_from_the_environment(tmp_path, monkeypatch):
    import duckdb

    from etl import store

    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    monkeypatch.setenv(store.READER_MEMORY_ENV, "300")
    cur = store.Reader(db).cursor()
    limit = cur.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit == "286.1 MiB", limit  # 300 MB (10^6 bytes) as DuckDB shows it
