"""The benchmarks' province warehouse: built once through the real ETL, reused while its schema matches."""

from __future__ import annotations

import os

import duckdb

from bench import province
from etl import schema


def test_built_once_reused_while_the_schema_matches_migrated_when_older(tmp_path, monkeypatch):
    for name in province.BUILD_CAPS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DASHBOARD_MAX_UPLOAD_MB", "300")  # an operator's own setting
    said: list[str] = []
    db = province.warehouse_path(2012, 0.0002, root=tmp_path, say=lambda *a, **k: said.append(a[0]))
    assert db == tmp_path / "province-2012-0.0002.duckdb"
    # the build raised the other caps for its own loads only: the rest of the process keeps the clerks' caps
    assert os.environ["DASHBOARD_MAX_UPLOAD_MB"] == "300"
    assert not {n for n in province.BUILD_CAPS if n != "DASHBOARD_MAX_UPLOAD_MB"} & set(os.environ)
    assert province.schema_version(db) == schema.SCHEMA_VERSION
    rec = province.build_record(db)
    assert (rec["counties"], rec["townships"], rec["fraction"]) == (2, 40, 0.0002)
    loads = {x["dataset"]: x["rows"] for x in rec["loads"]}
    assert loads["returnees"] == 2_000 and loads["labor"] == 40 * 59  # 0.0002 × 10M; 40 townships × 59 months
    assert list(loads)[-1] == "targets"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("province-2012")) == [
        "province-2012-0.0002-build.json",
        "province-2012-0.0002-files",
        "province-2012-0.0002.duckdb",
    ]
    built = db.stat().st_mtime_ns
    n_said = len(said)
    assert province.warehouse_path(2012, 0.0002, root=tmp_path, say=said.append) == db
    assert db.stat().st_mtime_ns == built and len(said) == n_said  # reused, nothing built or said
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    assert province.schema_version(db) == "0"
    province.warehouse_path(2012, 0.0002, root=tmp_path, say=lambda *a, **k: None)
    assert province.schema_version(db) == schema.SCHEMA_VERSION  # a stale file is migrated, not rebuilt
    rec = province.build_record(db)
    assert [(m["from"], m["to"]) for m in rec["migrations"]] == [("0", schema.SCHEMA_VERSION)]
    assert {x["dataset"]: x["rows"] for x in rec["loads"]} == loads  # the build's own figures are kept
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM cur_returnees").fetchone() == (2_000,)
