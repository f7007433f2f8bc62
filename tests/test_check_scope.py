"""The township restriction of an account, in the one read-and-check path (etl.check, etl.validate) and in the
load that re-checks (etl.warehouse.load_file) and the worker's preview (etl.sandbox): no Streamlit here."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import check, sandbox, warehouse
from etl.pseudonym import load_key
from tests.checking import valid_id
from tests.clerk_files import csv, project, q

OWN, OTHER = "青石镇", "柳河镇"
UNITS = [
    {"name": OWN, "type": "镇街", "aliases": "青石"},
    {"name": OTHER, "type": "镇街", "aliases": "柳河"},
    {"name": "城关街道", "type": "镇街"},
    {"name": "青石工业园", "type": "园区"},
]
IDS = [valid_id(f"1101051990030712{i}") for i in range(4)]


def returnee(idn: str, township: str, date: str = "2026-02-01") -> dict:
    return {"id_number": idn, "township": township, "return_date": date, "status": "县内就业"}


@pytest.fixture()
def db(tmp_path) -> Path:
    """Registry of three townships and a park; project P1 in 青石镇, P2 in 柳河镇."""
    db = warehouse.init(tmp_path / "wh" / "w.duckdb")
    assert warehouse.load_file(db, csv(tmp_path / "u.csv", "units", UNITS)).status == "loaded"
    rows = [project("P1", "100"), project("P2", "200", township=OTHER)]
    assert warehouse.load_file(db, csv(tmp_path / "p.csv", "projects", rows)).status == "loaded"
    return db


def checked(db: Path, path: Path, townships=(OWN,)) -> check.Checked:
    return check.check(path.read_bytes(), path.name, check.read_context(db), key=load_key(), townships=townships)


def located(c: check.Checked) -> list[tuple[int, str, str, str]]:
    return [(int(r.row), r.column, r.value, r.code) for r in c.errors.itertuples()]


def test_a_row_of_another_township_is_a_located_error_naming_the_allowed_ones(db, tmp_path):
    path = csv(tmp_path / "r.csv", "returnees", [returnee(IDS[0], OWN), returnee(IDS[1], OTHER)])
    c = checked(db, path)
    assert located(c) == [(3, "镇街", OTHER, "township_not_allowed")]  # row 3 as in Excel: the header is row 1
    assert OWN in c.errors["reason_zh"].iat[0] and OWN in c.errors["reason_en"].iat[0]
    assert c.errors["reason_zh"].iat[0].startswith("第3行「镇街」值“柳河镇”")
    assert c.loadable(skip_invalid=True) and not c.loadable()
    assert c.validated.valid.tolist() == [True, False]
    assert checked(db, path, ()).status == "ok"  # the county office (and the CLI): every township


def test_an_alias_counts_as_its_township_and_an_unknown_name_gets_one_error(db, tmp_path):
    rows = [returnee(IDS[0], "青石"), returnee(IDS[1], "青石乡"), returnee(IDS[2], "青石工业园")]
    c = checked(db, csv(tmp_path / "r.csv", "returnees", rows))
    codes = {row: code for row, _, _, code in located(c)}
    assert 2 not in codes  # 青石 is 青石镇's registered alias
    assert codes[3] == "unit_unknown_suggest" and codes[4] == "unit_wrong_type"  # their own errors, not a second
    assert len(c.errors) == 2
    other = checked(db, csv(tmp_path / "o.csv", "returnees", [returnee(IDS[3], "柳河")]))
    assert located(other) == [(2, "镇街", "柳河", "township_not_allowed")]  # another's alias: shown as typed


def test_two_townships_allowed(db, tmp_path):
    rows = [returnee(IDS[0], OWN), returnee(IDS[1], OTHER), returnee(IDS[2], "城关街道")]
    c = checked(db, csv(tmp_path / "r.csv", "returnees", rows), (OWN, OTHER))
    assert located(c) == [(4, "镇街", "城关街道", "township_not_allowed")]
    assert "柳河镇、青石镇" in c.errors["reason_zh"].iat[0]


@pytest.mark.parametrize(
    ("dataset", "rows"),
    [
        ("units", [{"name": "新镇", "type": "镇街"}]),
        ("targets", [{"year": "2026", "unit": OWN, "metric": "contract_investment", "target": "100"}]),
        ("parks", [{"park": "青石工业园", "period": "2026-03"}]),
        (
            "leads",
            [
                {
                    "lead_id": "L1",
                    "person": "王",
                    "rank": "一般干部",
                    "unit": OWN,
                    "reported_date": "2026-03-01",
                    "valuable": "是",
                }
            ],
        ),  # fmt: skip
    ],
)
def test_a_dataset_without_a_township_column_is_refused_whole(db, tmp_path, dataset, rows):
    path = csv(tmp_path / "f.csv", dataset, rows)
    c = checked(db, path)
    assert (c.status, c.dataset.name, c.errors["code"].tolist()) == ("rejected", dataset, ["scope_dataset"])
    assert c.errors["row"].isna().all() and not c.loadable(skip_invalid=True)
    assert OWN in c.errors["reason_zh"].iat[0] and "county office" in c.errors["reason_en"].iat[0]
    res = warehouse.load_file(db, path, skip_invalid=True, townships=(OWN,))
    assert res.status == "rejected" and res.errors["code"].tolist() == ["scope_dataset"]
    assert "scope_dataset" not in checked(db, path, ()).errors["code"].tolist()  # the county office: checked as usual


def test_the_county_office_loads_a_units_file(db, tmp_path):
    path = csv(tmp_path / "u2.csv", "units", [*UNITS, {"name": "新镇", "type": "镇街"}])
    assert warehouse.load_file(db, path, townships=(OWN,)).status == "rejected"
    assert warehouse.load_file(db, path).status == "loaded"
    assert q(db, "SELECT count(*) FROM v_units WHERE name = '新镇'") == [(1,)]


def test_funding_is_allowed_for_the_accounts_own_projects_only(db, tmp_path):
    rows = [
        {"project_id": "P1", "period": "2026-04", "funds_in_place": "10"},
        {"project_id": "P2", "period": "2026-04", "funds_in_place": "20"},
    ]
    c = checked(db, csv(tmp_path / "f.csv", "funding", rows))
    assert located(c) == [(3, "项目编号", "P2", "project_not_allowed")]
    assert OTHER in c.errors["reason_zh"].iat[0] and OWN in c.errors["reason_zh"].iat[0]


def test_a_project_of_another_township_cannot_be_taken_over(db, tmp_path):
    rows = [project("P2", "999"), project("P3", "50"), project("P4", "60", township=OTHER)]  # P2 is 柳河镇's
    c = checked(db, csv(tmp_path / "p.csv", "projects", rows))
    assert located(c) == [(2, "项目编号", "P2", "project_not_allowed"), (4, "所属镇街", OTHER, "township_not_allowed")]


def test_the_quarantine_load_keeps_only_the_accounts_rows(db, tmp_path):
    rows = [returnee(IDS[0], OWN), returnee(IDS[1], OTHER), returnee(IDS[2], "青石")]
    path = csv(tmp_path / "r.csv", "returnees", rows)
    assert warehouse.load_file(db, path, townships=(OWN,)).status == "rejected"  # all-or-nothing: nothing
    assert q(db, "SELECT count(*) FROM v_returnees") == [(0,)]
    res = warehouse.load_file(db, path, skip_invalid=True, townships=(OWN,), user="clerk")
    assert (res.status, res.rows_loaded, res.rows_rejected) == ("loaded", 2, 1)
    assert q(db, "SELECT township, count(*) FROM v_returnees GROUP BY 1") == [(OWN, 2)]
    [(row, reason)] = q(db, 'SELECT "row", reason FROM v_quarantine WHERE batch_id = ?', [res.batch_id])
    assert row == 3 and OWN in reason


def test_the_worker_checks_with_the_restriction(db, tmp_path):
    data = csv(tmp_path / "r.csv", "returnees", [returnee(IDS[0], OWN), returnee(IDS[1], OTHER)]).read_bytes()
    p = sandbox.preview("table", data, "r.csv", db, townships=(OWN,))
    assert (p.status, p.rows_bad, p.can_quarantine) == ("rejected", 1, True)
    assert p.errors["code"].tolist() == ["township_not_allowed"]
    assert sandbox.preview("table", data, "r.csv", db).status == "ok"
    b = sandbox.preview(
        "boundaries", b'{"type": "FeatureCollection", "features": []}', "b.geojson", db, townships=(OWN,)
    )
    assert (b.status, b.can_load, b.errors["code"].tolist()) == ("rejected", False, ["scope_boundaries"])


def test_a_record_of_another_township_cannot_be_replaced(db, tmp_path):
    county = csv(tmp_path / "c.csv", "returnees", [returnee(IDS[0], OTHER), returnee(IDS[1], OWN)])
    assert warehouse.load_file(db, county).status == "loaded"
    rows = [returnee(IDS[0], OWN), returnee(IDS[1], OWN, "2026-03-01"), returnee(IDS[2], OWN)]
    path = csv(tmp_path / "r.csv", "returnees", rows)
    c = checked(db, path)
    assert located(c) == [(2, "", "", "record_not_allowed")]  # IDS[0] is 柳河镇's returnee; IDS[1] was 青石镇's
    assert c.errors["reason_zh"].iat[0].startswith("第2行的记录") and OTHER in c.errors["reason_zh"].iat[0]
    assert IDS[0] not in " ".join(c.errors.astype(str).to_numpy().ravel())
    assert c.validated.valid.tolist() == [False, True, True]
    assert checked(db, path, ()).status == "ok"  # the county office may move a person to another township
    res = warehouse.load_file(db, path, skip_invalid=True, townships=(OWN,))
    assert (res.status, res.rows_loaded, res.rows_rejected) == ("loaded", 2, 1)
    assert q(db, "SELECT township, count(*) FROM v_returnees GROUP BY 1 ORDER BY 1") == [(OTHER, 1), (OWN, 2)]
