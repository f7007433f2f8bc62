"""The unit registry (单位名录): every unit name in every file is checked against it, with suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import warehouse
from tests.checking import validated
from tests.clerk_files import csv, project, q

UNITS = [
    {"name": "青石镇", "type": "镇街", "code": "510999101000", "parent": "全县", "aliases": "青石"},
    {"name": "城关街道", "type": "镇街", "code": "510999100000", "aliases": "城关镇;老城关"},
    {"name": "柳河镇", "type": "镇街", "code": "510999102000"},
    {"name": "红岩乡", "type": "镇街", "code": "510999103000", "last_year": "2020"},
    {"name": "高新园", "type": "园区", "parent": "城关街道"},
    {"name": "招商局", "type": "部门"},
]


def labor(town: str, period: str = "2026-03") -> dict:
    return {"township": town, "period": period, "new_urban_jobs": "5"}


@pytest.fixture()
def db(tmp_path) -> Path:
    db = warehouse.init(tmp_path / "w.duckdb")
    res = warehouse.load_file(db, csv(tmp_path / "units.csv", "units", UNITS))
    assert res.status == "loaded", res.errors.to_dict(orient="records")
    return db


def test_a_township_typo_is_refused_with_the_closest_registered_name(db, tmp_path):
    res = warehouse.load_file(db, csv(tmp_path / "l.csv", "labor", [labor("青石镇"), labor("青石乡", "2026-04")]))
    assert res.status == "rejected"
    err = res.errors.iloc[0]
    assert (err["row"], err["column"], err["value"], err["code"]) == (3, "镇街", "青石乡", "unit_unknown_suggest")
    assert "是否为「青石镇」" in err["reason_zh"] and "did you mean '青石镇'" in err["reason_en"]
    assert q(db, "SELECT count(*) FROM v_labor") == [(0,)]


def test_a_name_with_nothing_close_says_what_the_column_needs(db, tmp_path):
    res = warehouse.load_file(db, csv(tmp_path / "l.csv", "labor", [labor("完全不同的地方")]))
    assert res.errors["code"].tolist() == ["unit_unknown"]
    assert "镇街" in res.errors["reason_zh"].iat[0]


def test_an_alias_is_stored_under_its_canonical_name_with_a_warning(db, tmp_path):
    res = warehouse.load_file(db, csv(tmp_path / "l.csv", "labor", [labor("城关镇"), labor("老城关", "2026-04")]))
    assert res.status == "loaded"
    assert q(db, "SELECT DISTINCT township FROM v_labor") == [("城关街道",)]
    warned = res.warnings[res.warnings["code"] == "unit_alias"]
    assert warned["value"].tolist() == ["城关镇", "老城关"] and "城关街道" in warned["reason_zh"].iat[0]


def test_a_park_in_a_township_column_is_the_wrong_type(db, tmp_path):
    res = warehouse.load_file(db, csv(tmp_path / "l.csv", "labor", [labor("高新园")]))
    assert res.errors["code"].tolist() == ["unit_wrong_type"]
    assert "园区" in res.errors["reason_zh"].iat[0]


def test_a_unit_outside_its_years_is_an_error_for_those_rows_only(db, tmp_path):
    rows = [labor("红岩乡", "2019-05"), labor("红岩乡", "2026-05")]
    res = warehouse.load_file(db, csv(tmp_path / "l.csv", "labor", rows))
    assert res.errors[["row", "code"]].values.tolist() == [[3, "unit_out_of_years"]]
    assert "2026" in res.errors["reason_zh"].iat[0] and "…–2020" in res.errors["reason_zh"].iat[0]


def test_every_unit_column_is_checked(db, tmp_path):
    rows = [project("P1", "100", township="青石镇", park="高新区", responsible_unit="招商局")]
    res = warehouse.load_file(db, csv(tmp_path / "p.csv", "projects", rows))
    assert res.errors[["column", "code"]].values.tolist() == [["所属园区", "unit_unknown_suggest"]]
    targets = [
        {"year": "2026", "unit": "全县", "metric": "合同引资", "target": "1亿"},
        {"year": "2026", "unit": "招商局", "metric": "合同引资", "target": "1亿"},
        {"year": "2026", "unit": "招商处", "metric": "合同引资", "target": "1亿"},
    ]
    res = warehouse.load_file(db, csv(tmp_path / "t.csv", "targets", targets))
    assert res.errors[["row", "code"]].values.tolist() == [[4, "unit_unknown_suggest"]]


def test_with_an_empty_registry_the_same_findings_are_warnings(tmp_path):
    db = warehouse.init(tmp_path / "w.duckdb")
    first = warehouse.load_file(db, csv(tmp_path / "a.csv", "labor", [labor("青石镇"), labor("柳河镇")]))
    assert first.status == "loaded"
    assert first.warnings["code"].tolist().count("registry_empty") == 1
    res = warehouse.load_file(db, csv(tmp_path / "b.csv", "labor", [labor("青石乡", "2026-05")]))
    assert res.status == "loaded"  # a county may start without a registry
    near = res.warnings[res.warnings["code"] == "unit_near_seen"]
    assert near["value"].tolist() == ["青石乡"] and "青石镇" in near["reason_zh"].iat[0]


def test_a_registry_file_checks_its_codes_years_and_aliases():
    v = validated(
        "单位名称,类型,行政区划代码,别名,起始年度,终止年度\n"
        "甲镇,镇街,5109991010,,,\n"  # 10 digits
        "乙镇,镇街,510999102000,甲镇,,\n"  # an alias that is another unit's name
        "丙镇,township,510999103000,,2020,2018\n"  # English type accepted; last year before first
        "丁园,园区,,,,\n",
        dataset="units",
    )
    assert v.errors[["row", "code"]].values.tolist() == [[2, "code_digits"], [3, "aliases_unique"], [4, "not_before"]]
    assert v.frame["type"].tolist() == ["镇街", "镇街", "镇街", "园区"]


def test_a_park_location_is_a_pair_of_decimal_degrees_inside_china():
    v = validated(
        "单位名称,类型,经度,纬度\n"
        "甲园,园区,104.6176,30.0893\n"  # fine
        "乙园,园区,30.0893,104.6176\n"  # swapped: a latitude of 104 is refused
        "丙园,园区,104.5,\n"  # a longitude alone
        "丁园,园区,11650000,3345000\n"  # projected metres, not degrees
        "戊园,园区,,\n",  # no location: fine, the map simply has no point for it
        dataset="units",
    )
    found = v.errors[["row", "column", "value", "code"]].values.tolist()
    assert sorted(found) == sorted(
        [
            [3, "经度", "30.0893", "lon_range"],
            [3, "纬度", "104.6176", "lat_range"],
            [4, "经度", "104.5", "lon_lat_pair"],
            [5, "经度", "11650000", "lon_range"],
            [5, "纬度", "3345000", "lat_range"],
        ]
    )
    assert v.frame.loc[0, "lon"] == pytest.approx(104.6176) and v.frame.loc[0, "lat"] == pytest.approx(30.0893)


def test_a_warehouse_made_before_the_location_columns_gets_them_and_keeps_its_units(tmp_path):
    db = warehouse.init(tmp_path / "w.duckdb")
    assert warehouse.load_file(db, csv(tmp_path / "units.csv", "units", UNITS)).status == "loaded"
    import duckdb

    with duckdb.connect(str(db)) as con:  # as a schema-5 warehouse had it
        con.execute("DROP VIEW IF EXISTS v_units CASCADE")
        con.execute("ALTER TABLE ds_units DROP COLUMN lon")
        con.execute("ALTER TABLE ds_units DROP COLUMN lat")
    warehouse.init(db)
    rows = q(db, "SELECT name, lon, lat FROM v_units WHERE type = '园区'")
    assert rows == [("高新园", None, None)]
