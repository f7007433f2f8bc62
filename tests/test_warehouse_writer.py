"""The single writer: build-then-swap atomicity, the silent-COMMIT trap, readers during writes, busy."""

from __future__ import annotations

import multiprocessing as mp
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl import store, warehouse

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def db(tmp_path) -> Path:
    path = warehouse.init(tmp_path / "w.duckdb")
    with warehouse.writer_lock(path), warehouse.build_and_swap(path) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
    return path


def _count(db: Path) -> int:
    r = store.Reader(db)
    try:
        return r.cursor().execute("SELECT count(*) FROM t").fetchone()[0]
    finally:
        r.close()


def test_failure_in_the_middle_leaves_the_file_untouched(db):
    before = db.read_bytes()
    with pytest.raises(duckdb.Error), warehouse.writer_lock(db), warehouse.build_and_swap(db) as con:
        con.execute("INSERT INTO t SELECT range FROM range(1000)")
        con.execute("INSERT INTO no_such_table VALUES (1)")
    assert db.read_bytes() == before
    assert _count(db) == 0
    assert not list(db.parent.glob("*.building*"))


def test_swallowed_failed_statement_is_not_silently_committed(db):
    before = db.read_bytes()
    with pytest.raises(duckdb.Error), warehouse.writer_lock(db), warehouse.build_and_swap(db) as con:
        con.execute("INSERT INTO t VALUES (1)")
        try:
            con.execute("INSERT INTO t VALUES ('not a number')")
        except duckdb.Error:
            pass  # a careless caller swallows it; the writer must still refuse to COMMIT
    assert db.read_bytes() == before


def test_success_is_visible_to_new_readers_and_old_readers_keep_their_snapshot(db):
    reader = store.Reader(db)
    old = reader.cursor()  # a read in flight when the batch commits
    with warehouse.writer_lock(db), warehouse.build_and_swap(db) as con:
        con.execute("INSERT INTO t SELECT range FROM range(10)")
    assert _count(db) == 10
    assert old.execute("SELECT count(*) FROM t").fetchone()[0] == 0
    assert reader.cursor().execute("SELECT count(*) FROM t").fetchone()[0] == 10  # the next read follows the file
    reader.close()


def test_reader_connection_is_hardened(db):
    r = store.Reader(db)
    cur = r.cursor()
    for stmt in (
        "SELECT * FROM read_csv('/etc/passwd')",
        "SET enable_external_access = true",
        "INSERT INTO t VALUES (1)",
        "ATTACH '/tmp/other.duckdb' AS o",
    ):
        with pytest.raises(duckdb.Error):
            cur.execute(stmt)
    r.close()


def _writer(db: str, batches: int) -> None:
    for _ in range(batches):
        with warehouse.writer_lock(Path(db)), warehouse.build_and_swap(Path(db)) as con:
            con.execute("INSERT INTO t SELECT range FROM range(500)")
            con.execute("SELECT sum(a.x) FROM t a, range(200)").fetchall()  # work between the halves
            con.execute("INSERT INTO t SELECT range FROM range(500)")


def test_reader_during_loads_sees_whole_batches_only(db):
    ctx = mp.get_context("spawn")
    proc = ctx.Process(target=_writer, args=(str(db), 6))
    proc.start()
    seen = set()
    while proc.is_alive() or not seen:
        n = _count(db)  # opens, reads, closes: never a lock error, never a half batch
        assert n % 1000 == 0, n
        seen.add(n)
    proc.join()
    assert proc.exitcode == 0
    assert _count(db) == 6000


def test_busy_warehouse_exits_3(db, tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("年度,责任单位,指标,目标值\n2026,全县,到位资金,1000\n", encoding="utf-8")
    with warehouse.writer_lock(db):
        proc = subprocess.run(
            [sys.executable, "-m", "etl", "--db", str(db), "load", str(f)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, warehouse.LOCK_TIMEOUT_ENV: "0.2"},
        )
    assert proc.returncode == 3, proc.stderr
    assert "忙" in proc.stderr


def test_a_copy_made_before_the_lock_is_used_while_the_file_is_unchanged(db):
    pre = warehouse.Precopy(db)
    with warehouse.writer_lock(db), warehouse.build_and_swap(db, pre) as con:
        con.execute("INSERT INTO t VALUES (1)")
    assert warehouse.SWAP_TIMES["precopied"] == 1.0
    assert _count(db) == 1
    assert [p.name for p in db.parent.iterdir() if ".precopy-" in p.name or p.name.endswith(".building")] == []


def test_a_copy_of_an_older_version_is_discarded(db):
    pre = warehouse.Precopy(db)
    with warehouse.writer_lock(db), warehouse.build_and_swap(db) as con:  # another batch commits meanwhile
        con.execute("INSERT INTO t VALUES (1)")
    with warehouse.writer_lock(db), warehouse.build_and_swap(db, pre) as con:
        con.execute("INSERT INTO t VALUES (2)")
    assert warehouse.SWAP_TIMES["precopied"] == 0.0
    assert _count(db) == 2  # both rows: the second batch was applied to the newer file, not the stale copy
    assert [p.name for p in db.parent.iterdir() if ".precopy-" in p.name] == []
