"""board.metrics.assessment on a hand-built warehouse: points through the as-of month, quota compliance, the
township filter, the unit ranking's score (completion from the Targets page's rates, points, stalled deduction, caps)
computed by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from board.metrics import assessment
from etl import assessment_rules
from tests.clerk_files import loaded, project


@pytest.fixture(autouse=True)
def rules_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "assessment_rules.toml"
    monkeypatch.setenv(assessment_rules.ENV, str(path))
    return path


def lead(lid, person, rank, unit, day, valuable="是"):
    return {"lead_id": lid, "person": person, "rank": rank, "unit": unit, "reported_date": day, "valuable": valuable}


PROJECTS = [
    project("P1", 8000, signed="2026-03-05", lead_person="张三"),  # 青石镇: tier t2, 3 points
    project("P2", 2000, signed="2026-06-10", lead_person="张三", standard_factory="是"),  # 2 points, June
    project("P3", 20000, township="白马镇", signed="2026-02-01", lead_person="李四"),  # t3, 4 points
    project("P4", 500, township="白马镇", status="停滞", signed="2025-05-01", lead_person="李四", name="=1+2"),
]
LEADS = [
    lead("L1", "张三", "正科级", "青石镇", "2026-01-10"),
    lead("L2", "张三", "正科级", "青石镇", "2026-02-10"),
    lead("L3", "张三", "正科级", "青石镇", "2026-04-10"),  # the third: quota 3 met in April, +2
    lead("L4", "李四", "一般干部", "白马镇", "2026-05-10"),  # quota 1 met in May, +2
]
TARGETS = [
    {"year": 2026, "unit": "青石镇", "metric": "contract_investment", "target": 10000},
    {"year": 2026, "unit": "青石镇", "metric": "projects_signed", "target": 2},
    {"year": 2026, "unit": "白马镇", "metric": "contract_investment", "target": 20000},
]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = loaded(tmp_path, [("projects", PROJECTS), ("leads", LEADS), ("targets", TARGETS)])
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    return path


def test_points_count_through_the_as_of_month(db):
    v = assessment.current_version()
    april = assessment.people(2026, 4, v).set_index("person")
    # 张三: P1 (March) 3 + quota met by L3 in April 2 = 5; P2 is June's. 李四: P3 4; his lead is May's.
    assert april["points"].to_dict() == {"张三": 5.0, "李四": 4.0}
    assert april.loc["张三", ["valuable", "quota", "quota_state", "lead_points"]].tolist() == [3.0, 3.0, "met", 2.0]
    assert april.loc["李四", "quota_state"] == "no_leads"
    year = assessment.people(2026, 12, v).set_index("person")
    assert year["points"].to_dict() == {"张三": 7.0, "李四": 6.0}
    assert list(year["position"]) == [1, 2]


def test_the_breakdown_names_the_rule_of_every_item(db):
    items = assessment.breakdown(2026, 12, assessment.current_version())
    got = dict(zip(items["item_id"], zip(items["rule"], items["points"], strict=True), strict=True))
    assert got == {
        "L1": ("leads.counted", 0.0), "L2": ("leads.counted", 0.0), "L3": ("leads.met", 2.0),
        "L4": ("leads.met", 2.0), "P1": ("tier.t2", 3.0), "P2": ("standard_factory", 2.0), "P3": ("tier.t3", 4.0),
    }  # fmt: skip


def test_the_township_filter_keeps_the_items_of_its_units_and_projects(db):
    v = assessment.current_version()
    assert list(assessment.people(2026, 12, v, ("青石镇",))["person"]) == ["张三"]
    assert set(assessment.breakdown(2026, 12, v, ("白马镇",))["item_id"]) == {"P3", "L4"}


def test_the_unit_ranking_combines_completion_points_and_stalled_projects(db):
    v = assessment.current_version()
    got = assessment.units(2026, 4, v).set_index("unit")
    # 青石镇: contract 8000/10000 = 0.8 (weight 40), projects 1/2 = 0.5 (weight 20), funds: no target
    assert got.loc["青石镇", "completion"] == pytest.approx((40 * 0.8 + 20 * 0.5) / 60 * 100)
    assert got.loc["青石镇", "score"] == pytest.approx(70 + 5)
    # 白马镇: contract 20000/20000 = 1.0; points 4; P4 (停滞) is stalled: −1
    assert got.loc["白马镇", ["completion", "points", "stalled", "deduction"]].tolist() == [100.0, 4.0, 1.0, 1.0]
    assert got.loc["白马镇", "score"] == pytest.approx(103)
    assert list(got.index) == ["白马镇", "青石镇"] and list(got["position"]) == [1, 2]


def test_caps_of_a_new_rule_version_change_its_ranking_only(db):
    v1 = assessment.current_version()
    text = "[units]\nrate_cap = 0.9\npoints_cap = 3\nstalled_deduction = 2\n"
    v2, created = assessment_rules.save(db, text, "test")
    assert created and assessment.current_version() == v2
    new = assessment.units(2026, 4, v2).set_index("unit")
    assert new.loc["白马镇", "score"] == pytest.approx(90 + 3 - 2)
    assert new.loc["青石镇", "score"] == pytest.approx((40 * 0.8 + 20 * 0.5) / 60 * 100 + 3)
    assert assessment.units(2026, 4, v1).set_index("unit").loc["白马镇", "score"] == pytest.approx(103)
