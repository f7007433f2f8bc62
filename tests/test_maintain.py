"""The derived tables kept at load time (etl.maintain) equal a full recomputation from the history after any
sequence of loads, replacing loads and rollbacks; carry-over across a year boundary; migration of an old warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl import maintain, metric_catalogue, schema, warehouse
from etl.contracts import DATASETS
from tests.clerk_files import csv, project, q

AS_OF = "2026-11-27"


# --------------------------------------------------------------------------- the check: the old full SQL


def _old_views(con) -> None:
    """The schema-7 public views: current state computed from the history on every read."""
    for ds in DATASETS.values():
        con.execute(
            "CREATE OR REPLACE VIEW v_" + ds.name + " AS " + schema.view_body(ds, f"({schema.current_select(ds)})")
        )


def _diff(con, a: str, b: str) -> list:
    """Rows of ``a`` not in ``b`` and of ``b`` not in ``a`` (as multisets)."""
    return con.execute(f"({a} EXCEPT ALL {b}) UNION ALL ({b} EXCEPT ALL {a})").fetchall()


def _facts(table: str) -> str:
    """One row per fact: its columns and the sorted list of the units it counts under (fact ids differ)."""
    return (
        "SELECT metric, year, month, township, park, responsible_unit, industry, project_id, value, "
        f"list(unit ORDER BY unit) AS units FROM {table} GROUP BY fact_id, metric, year, month, township, park, "
        "responsible_unit, industry, project_id, value"
    )


def assert_derived_equal_recomputed(db: Path, tmp_path: Path) -> None:
    """Every current-state table, the facts and the rollups of ``db`` equal what the full SQL computes from the
    history (on a copy, with the schema-7 views), whole tables compared."""
    copy = tmp_path / "check.duckdb"
    shutil.copyfile(db, copy)
    con = duckdb.connect(str(copy))
    try:
        for ds in DATASETS.values():
            stored = "SELECT * FROM " + schema.cur_table(ds)
            assert _diff(con, stored, schema.current_select(ds)) == [], ds.name
        _old_views(con)
        con.execute("CREATE TABLE chk_facts AS " + schema.UNIT_FACTS_SELECT)
        assert _diff(con, _facts("unit_facts"), _facts("chk_facts")) == []
        # fact ids: one id per fact (its '*' row once)
        assert con.execute(
            "SELECT count(*) FROM (SELECT fact_id FROM unit_facts GROUP BY fact_id HAVING count(*) FILTER "
            "(WHERE unit = '*') <> 1 OR count(DISTINCT metric) <> 1)"
        ).fetchone() == (0,)
        sums = "SELECT metric, year, month, unit, industry, round(actual, 6) FROM ({})"
        chk_sums = schema.UNIT_SUMS_SELECT.format(where="").replace("unit_facts", "chk_facts")
        assert _diff(con, sums.format("SELECT * FROM unit_sums"), sums.format(chk_sums)) == []
        chk_dims = schema.FACT_DIMS_SELECT.format(table="chk_facts", also="")
        assert _diff(con, "SELECT * FROM fact_dims", chk_dims) == []
        assert _diff(con, "SELECT * FROM returnee_townships", schema.RETURNEE_TOWNSHIPS_SELECT) == []
    finally:
        con.close()
        copy.unlink()


# --------------------------------------------------------------------------- the demo county, reworked files


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory) -> tuple[Path, Path]:
    """(warehouse, files) of a small demo county, built once; tests work on copies of the warehouse."""
    from etl import demo

    root = tmp_path_factory.mktemp("maintain")
    mp = pytest.MonkeyPatch()
    mp.setenv("DASHBOARD_PSEUDONYM_KEY", str(root / "key"))
    try:
        demo.build(root / "w.duckdb", root / "files", seed=11, returnees=300)
    finally:
        mp.undo()
    return root / "w.duckdb", root / "files"


@pytest.fixture()
def county(demo_files, tmp_path, monkeypatch) -> tuple[Path, Path]:
    db, files = demo_files
    monkeypatch.setenv("DASHBOARD_PSEUDONYM_KEY", str(db.parent / "key"))
    copy = tmp_path / "wh" / "w.duckdb"
    copy.parent.mkdir()
    shutil.copyfile(db, copy)
    return copy, files


def _read(files: Path, dataset: str) -> pd.DataFrame:
    """A demo file as text cells under its Chinese headers."""
    (path,) = [p for p in files.iterdir() if p.stem.split("_", 1)[1] == dataset]
    if path.suffix == ".xlsx":
        raw = pd.read_excel(path, dtype=str, header=None, engine="calamine")
        first = DATASETS[dataset].columns[0].zh
        at = next(i for i, v in enumerate(raw[0]) if v == first)
        frame = raw.iloc[at + 1 :].copy()
        frame.columns = raw.iloc[at]
        return frame.reset_index(drop=True)
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, dtype=str, encoding=enc, keep_default_na=False)
        except UnicodeDecodeError:
            continue
    raise AssertionError(path)


def _zh(dataset: str, col: str) -> str:
    return DATASETS[dataset].column(col).zh


def _write(tmp_path: Path, name: str, frame: pd.DataFrame) -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _reworked(files: Path, dataset: str, seed: int) -> pd.DataFrame:
    """A sample of a demo file's rows with some cells changed: a replacing batch."""
    df = _read(files, dataset)
    df = df.sample(n=min(len(df), 40), random_state=seed).reset_index(drop=True)
    z = lambda c: _zh(dataset, c)  # noqa: E731
    half = len(df) // 2
    if dataset == "projects":
        towns = sorted(set(df[z("township")].dropna()))
        df.loc[:half, z("township")] = towns[seed % len(towns)]
        df.loc[half:, z("signed_date")] = "2020-06-15"
        df.loc[::3, z("total_investment")] = "12345"
    elif dataset == "funding":
        df.loc[:half, z("funds_in_place")] = "99999"
    elif dataset == "parks":
        df.loc[:half, z("revenue")] = "1234.5"
    elif dataset in ("training", "ventures"):
        df.loc[:half, z("start_date")] = "2021-03-0" + str(1 + seed % 8)
    elif dataset == "labor":
        df.loc[:half, z("new_urban_jobs")] = "5"
    elif dataset == "leads":
        df.loc[:half, z("reported_date")] = "2024-02-02"
        df.loc[half:, z("valuable")] = "否"
    elif dataset == "returnees":
        towns = sorted(set(df[z("township")].dropna()))
        df.loc[:half, z("township")] = towns[seed % len(towns)]
    return df


DATASETS_REWORKED = ("projects", "funding", "parks", "training", "ventures", "labor", "leads", "returnees")


def _load(db: Path, path: Path) -> int:
    res = warehouse.load_file(db, path)
    assert res.status == "loaded", res.errors.head().to_dict(orient="records")
    return res.batch_id


def test_metric_sources_are_derived_from_the_catalogue():
    assert maintain.DEPENDS["funds_in_place"] == {"funding", "projects"}
    assert maintain.DEPENDS["contract_investment"] == {"projects"}
    assert maintain.DEPENDS["park_tax"] == {"parks"}
    assert maintain.DEPENDS["trainees"] == {"training"}
    assert maintain.CARRY == ("projects_started",)
    assert all(maintain.DEPENDS[m.code] for m in metric_catalogue.METRICS)


def test_the_built_demo_equals_a_full_recomputation(county, tmp_path):
    db, _ = county
    assert_derived_equal_recomputed(db, tmp_path)


@pytest.mark.parametrize("dataset", DATASETS_REWORKED)
def test_replacing_load_then_rollback_equals_recomputation(county, tmp_path, dataset):
    db, files = county
    before = q(db, f"SELECT * EXCLUDE (batch_id) FROM v_{dataset} ORDER BY ALL")
    facts_before = q(db, "SELECT metric, year, unit, round(sum(value), 6) FROM unit_facts GROUP BY ALL ORDER BY ALL")
    b1 = _load(db, _write(tmp_path, "a.csv", _reworked(files, dataset, 1)))
    assert_derived_equal_recomputed(db, tmp_path)
    b2 = _load(db, _write(tmp_path, "b.csv", _reworked(files, dataset, 2)))
    assert_derived_equal_recomputed(db, tmp_path)
    # b2 may overlap b1: roll back in reverse order; the earlier values come back exactly
    warehouse.rollback(db, b2)
    assert_derived_equal_recomputed(db, tmp_path)
    warehouse.rollback(db, b1)
    assert_derived_equal_recomputed(db, tmp_path)
    assert q(db, f"SELECT * EXCLUDE (batch_id) FROM v_{dataset} ORDER BY ALL") == before
    after = q(db, "SELECT metric, year, unit, round(sum(value), 6) FROM unit_facts GROUP BY ALL ORDER BY ALL")
    assert after == facts_before


def test_a_mixed_sequence_equals_recomputation(county, tmp_path):
    db, files = county
    loaded = []
    for i, dataset in enumerate(("funding", "projects", "training", "parks", "projects", "leads")):
        loaded.append(_load(db, _write(tmp_path, f"{i}.csv", _reworked(files, dataset, 10 + i))))
    assert_derived_equal_recomputed(db, tmp_path)
    warehouse.rollback(db, loaded[-1])  # leads
    warehouse.rollback(db, loaded[3])  # parks, out of order (nothing later touches its keys)
    assert_derived_equal_recomputed(db, tmp_path)


def test_unit_facts_is_reordered_once_much_was_appended(county, tmp_path, monkeypatch):
    db, files = county
    monkeypatch.setattr(maintain, "RESORT_SHARE", 0.0)  # every refresh rewrites the table in order
    _load(db, _write(tmp_path, "f.csv", _reworked(files, "funding", 3)))
    assert q(db, "SELECT value FROM meta WHERE key = 'unit_facts.appended'") == [("0",)]
    ordered = q(db, f"SELECT metric, year, unit FROM unit_facts ORDER BY {schema.FACTS_ORDER}")
    assert q(db, "SELECT metric, year, unit FROM unit_facts") == ordered
    assert_derived_equal_recomputed(db, tmp_path)


# --------------------------------------------------------------------------- carry-over, hand-counted


def test_carry_over_moves_with_the_latest_year_and_back(tmp_path):
    db = warehouse.init(tmp_path / "w.duckdb")
    # P1 started in 2024 and is still building; the latest year anything speaks of is 2024
    _load(db, csv(tmp_path / "p.csv", "projects", [project("P1", "100", status="开工", signed="2024-01-05",
                                                          started_date="2024-02-01")]))  # fmt: skip
    started = "SELECT year FROM unit_facts WHERE metric = 'projects_started' AND unit = '*' ORDER BY 1"
    assert q(db, started) == [(2024,)]
    # funds of 2025-03 move the latest year to 2025: P1 is carried over into 2025
    b = _load(
        db, csv(tmp_path / "f.csv", "funding", [{"project_id": "P1", "period": "2025-03", "funds_in_place": "5"}])
    )
    assert q(db, started) == [(2024,), (2025,)]
    assert_derived_equal_recomputed(db, tmp_path)
    warehouse.rollback(db, b)
    assert q(db, started) == [(2024,)]
    assert_derived_equal_recomputed(db, tmp_path)
    # a projects batch signing P2 in 2026 moves it again, and completes nothing
    _load(db, csv(tmp_path / "p2.csv", "projects", [project("P2", "50", signed="2026-01-10")]))
    assert q(db, started) == [(2024,), (2025,), (2026,)]
    assert_derived_equal_recomputed(db, tmp_path)


def test_a_targets_batch_leaves_the_facts_alone(tmp_path):
    db = warehouse.init(tmp_path / "w.duckdb")
    _load(db, csv(tmp_path / "p.csv", "projects", [project("P1", "100")]))
    ids = q(db, "SELECT fact_id, unit FROM unit_facts ORDER BY ALL")
    _load(
        db,
        csv(tmp_path / "t.csv", "targets", [{"year": "2026", "unit": "青石镇", "metric": "签约项目", "target": "3"}]),
    )
    assert q(db, "SELECT fact_id, unit FROM unit_facts ORDER BY ALL") == ids
    assert q(db, "SELECT actual, target FROM v_target_progress") == [(1.0, 3.0)]


# --------------------------------------------------------------------------- migration


def test_init_migrates_a_schema_7_warehouse(county, tmp_path):
    """A warehouse made before the derived tables (no cur_*, no rollups, views over the history) gets them,
    computed from its history, on init."""
    db, _ = county
    con = duckdb.connect(str(db))
    try:
        expected = con.execute("SELECT * EXCLUDE (batch_id) FROM v_funding ORDER BY ALL").fetchall()
        _old_views(con)
        for ds in DATASETS.values():
            con.execute("DROP TABLE " + schema.cur_table(ds))
        for t in ("unit_sums", "fact_dims", "returnee_townships"):
            con.execute("DROP TABLE " + t)
        con.execute("DELETE FROM unit_facts WHERE metric = 'trainees'")  # stale facts are rebuilt too
        con.execute("DELETE FROM meta WHERE key IN ('derived_fingerprint', 'unit_facts.appended')")
        con.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    finally:
        con.close()
    warehouse.init(db)
    assert q(db, "SELECT value FROM meta WHERE key = 'schema_version'") == [(schema.SCHEMA_VERSION,)]
    assert q(db, "SELECT * EXCLUDE (batch_id) FROM v_funding ORDER BY ALL") == expected
    assert q(db, "SELECT count(*) > 0 FROM unit_facts WHERE metric = 'trainees'") == [(True,)]
    assert_derived_equal_recomputed(db, tmp_path)


def test_init_on_a_current_warehouse_keeps_the_derived_tables(county):
    db, _ = county
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO returnee_townships VALUES ('标记镇')")  # a marker a rebuild would drop
    con.close()
    warehouse.init(db)
    assert q(db, "SELECT count(*) FROM returnee_townships WHERE township = '标记镇'") == [(1,)]
