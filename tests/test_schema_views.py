"""The public views compute DOMAIN.md §5 exactly: target progress, carry-over, park flows, units."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import warehouse
from tests.clerk_files import csv, project, q


@pytest.fixture()
def db(tmp_path) -> Path:
    db = warehouse.init(tmp_path / "w.duckdb")
    projects = [
        project("A1", "2亿", township="青石镇", signed="2025-05-01", contract_investment="1.5亿"),
        project("A2", "8000", township="青石镇", signed="2026-02-10", park="高新园", responsible_unit="招商局"),
        project("B1", "30000", township="柳河镇", signed="2026-07-01", status="开工", started_date="2026-08-01"),
        project(
            "C1",
            "5000",
            township="柳河镇",
            status="投产",
            signed="2024-01-05",
            started_date="2024-03-01",
            completed_date="2025-06-01",
            production_date="2026-01-15",
        ),
        project("D1", "100", township="城关街道", status="开工", signed="2024-06-01", started_date="2024-09-01"),
    ]
    funding = [
        {"project_id": "B1", "period": "2026-08", "funds_in_place": "1000", "out_of_province": "600"},
        {"project_id": "B1", "period": "2026-09", "funds_in_place": "500", "out_of_province": ""},
        {"project_id": "A1", "period": "2025-12", "funds_in_place": "700", "out_of_province": "700"},
    ]
    targets = [
        {"year": "2026", "unit": "全县", "metric": "合同引资", "target": "40000"},
        {"year": "2026", "unit": "柳河镇", "metric": "contract_investment", "target": "20000"},
        {"year": "2026", "unit": "高新园", "metric": "合同引资", "target": "10000"},
        {"year": "2026", "unit": "招商局", "metric": "合同引资", "target": "0"},
        {"year": "2026", "unit": "全县", "metric": "到位资金", "target": "3000"},
        {"year": "2026", "unit": "全县", "metric": "开工项目", "target": "4"},
        {"year": "2026", "unit": "全县", "metric": "竣工投产项目", "target": "2"},
        {"year": "2026", "unit": "全县", "metric": "亿元以上签约项目", "target": "2"},
        {"year": "2026", "unit": "青石镇", "metric": "新增就业", "target": "100"},
    ]
    for name, rows in (("projects", projects), ("funding", funding), ("targets", targets)):
        res = warehouse.load_file(db, csv(tmp_path / (name + ".csv"), name, rows))
        assert res.status == "loaded", res.errors.to_dict(orient="records")
    return db


def progress(db, unit, metric):
    return q(
        db,
        "SELECT target, actual, completion_rate FROM v_target_progress WHERE year = 2026 AND unit = ? AND metric = ?",
        [unit, metric],
    )[0]


def test_whole_county_contract_investment_counts_projects_signed_in_the_year(db):
    # A2 8000 + B1 30000 signed in 2026; A1 (2025) and C1 (2024) are other years
    assert progress(db, "全县", "contract_investment") == (40000.0, 38000.0, 0.95)


def test_township_park_and_responsible_unit_targets_match_their_projects(db):
    assert progress(db, "柳河镇", "contract_investment") == (20000.0, 30000.0, 1.5)
    assert progress(db, "高新园", "contract_investment")[1] == 8000.0
    target, actual, rate = progress(db, "招商局", "contract_investment")
    assert (target, actual, rate) == (0.0, 8000.0, None)  # a zero target gives no rate, never a division


def test_funds_in_place_by_month_in_year(db):
    assert progress(db, "全县", "funds_in_place")[:2] == (3000.0, 1500.0)


def test_projects_started_include_carry_over(db):
    # B1 started 2026; D1 started 2024 and not completed; C1 completed 2025 → not in 2026
    assert progress(db, "全县", "projects_started")[1] == 2.0


def test_in_production_and_signed_100m(db):
    assert progress(db, "全县", "projects_in_production")[1] == 1.0  # C1 production 2026-01-15
    assert progress(db, "全县", "projects_signed_100m")[1] == 1.0  # B1 30000万 ≥ 1亿; A2 8000 is not


def test_unit_without_facts_has_zero_actual_not_missing(db):
    assert progress(db, "青石镇", "new_jobs") == (100.0, 0.0, 0.0)


def test_contract_investment_blank_means_total(db):
    assert q(
        db, "SELECT project_id, contract_investment FROM v_projects WHERE project_id IN ('A1','A2') ORDER BY 1"
    ) == [
        ("A1", 15000.0),
        ("A2", 8000.0),
    ]


def test_facts_follow_every_load_and_rollback(db, tmp_path):
    before = progress(db, "全县", "contract_investment")[1]
    extra = warehouse.load_file(
        db, csv(tmp_path / "more.csv", "projects", [project("E1", "1000", township="城关街道", signed="2026-10-01")])
    )
    assert progress(db, "全县", "contract_investment")[1] == before + 1000
    warehouse.rollback(db, extra.batch_id)
    assert progress(db, "全县", "contract_investment")[1] == before


def test_a_returnees_batch_leaves_the_facts_as_they_were(db, tmp_path):
    facts = q(db, "SELECT * FROM v_metric_facts ORDER BY ALL")
    row = {"person_key": "K1", "township": "青石镇", "return_date": "2026-02-01"}
    assert warehouse.load_file(db, csv(tmp_path / "r.csv", "returnees", [row])).status == "loaded"
    assert q(db, "SELECT * FROM v_metric_facts ORDER BY ALL") == facts


def test_size_tiers_put_each_boundary_in_the_upper_tier(tmp_path):
    db = warehouse.init(tmp_path / "t.duckdb")
    amounts = {"A": "2999.99", "B": "3000", "C": "9999.99", "D": "1亿", "E": "30000", "F": "5亿", "G": "10亿", "H": "0"}
    rows = [project(pid, amount) for pid, amount in amounts.items()]
    assert warehouse.load_file(db, csv(tmp_path / "p.csv", "projects", rows)).status == "loaded"
    got = dict(q(db, "SELECT project_id, size_tier FROM v_projects"))
    assert got == {"A": "t1", "B": "t2", "C": "t2", "D": "t3", "E": "t4", "F": "t5", "G": "t6", "H": "t1"}
