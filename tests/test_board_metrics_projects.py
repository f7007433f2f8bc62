"""Stalled projects on the demo warehouse: each rule of the definition, filters, thresholds as settings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from board import meta
from board.metrics import projects
from board.selection import Selection


@pytest.fixture
def con(board_env: Path):
    c = duckdb.connect(str(board_env), read_only=True)
    yield c
    c.close()


def test_stalled_projects_follow_the_definition(con):
    sel = Selection(2026, 11)
    df = projects.stalled_projects(sel, 180, 6)
    assert set(df["reason"]) == {"status", "not_started", "no_funds"}  # the demo has each kind
    n_status = con.execute("SELECT count(*) FROM v_projects WHERE status = '停滞'").fetchone()[0]
    assert (df["reason"] == "status").sum() == n_status
    late = df[df["reason"] == "not_started"]
    assert (pd.to_datetime(late["signed_date"]) < pd.Timestamp(dt.date(2026, 11, 30) - dt.timedelta(180))).all()
    no_funds = df[df["reason"] == "no_funds"]["project_id"].tolist()
    recent = con.execute(
        "SELECT count(*) FROM v_funding WHERE funds_in_place > 0 AND period >= '2026-06' AND list_contains(?, project_id)",
        [no_funds],
    ).fetchone()[0]
    assert recent == 0
    assert len(projects.stalled_projects(sel, 10_000, 600)) == n_status  # thresholds are settings


def test_a_township_filter_keeps_the_projects_that_answer_to_it(con):
    town = meta.options().townships[0]
    df = projects.stalled_projects(Selection(2026, 11, townships=(town,)), 180, 6)
    everyone = projects.stalled_projects(Selection(2026, 11), 180, 6)
    own = everyone[(everyone["township"] == town) | (everyone["park"] == town) | (everyone["responsible_unit"] == town)]
    assert len(df) > 0
    assert sorted(df["project_id"]) == sorted(own["project_id"])


def test_as_of_date_is_the_last_day_of_the_month():
    assert projects.as_of_date(Selection(2024, 2)) == dt.date(2024, 2, 29)
    assert projects.as_of_date(Selection(2026, 12)) == dt.date(2026, 12, 31)


# Hand-computed fixtures: the stalled rules on and around their threshold day, days stuck, last funds.
@pytest.fixture()
def tiny(tmp_path, monkeypatch):
    """Projects around the thresholds, as of 2026-06-30 (as-of month June), in a warehouse of their own."""
    from etl import warehouse
    from tests.clerk_files import csv, project

    db = warehouse.init(tmp_path / "w.duckdb")
    rows = [
        project("S180", "100", signed="2026-01-01"),  # 180 days before 06-30: not yet stalled (more than 180)
        project("S181", "100", signed="2025-12-31"),  # 181 days: stalled
        project("F5", "100", status="开工", signed="2025-01-01", started_date="2025-02-01"),  # funds in 2026-01
        project("F6", "100", status="开工", signed="2025-01-01", started_date="2025-02-01"),  # funds in 2025-12
        project("N1", "100", status="开工", signed="2025-01-01", started_date="2025-02-01"),  # never funded
        project("T1", "100", status="停滞", signed="2025-01-01", started_date="2025-02-01"),
        project("X%_1", "100", name="钛材100%_项目"),
    ]
    funding = [
        {"project_id": "F5", "period": "2026-01", "funds_in_place": "5"},
        {"project_id": "F6", "period": "2025-12", "funds_in_place": "5"},
        {"project_id": "T1", "period": "2025-10", "funds_in_place": "5"},
    ]
    assert warehouse.load_file(db, csv(tmp_path / "p.csv", "projects", rows)).status == "loaded"
    assert warehouse.load_file(db, csv(tmp_path / "f.csv", "funding", funding)).status == "loaded"
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    return db


def test_the_stalled_rules_on_and_around_their_thresholds(tiny):
    df = projects.stalled_projects(Selection(2026, 6), 180, 6).set_index("project_id")
    assert sorted(df.index) == ["F6", "N1", "S181", "T1"]  # F5 had funds in January: inside the 6 months
    assert df.loc["S181", "reason"] == "not_started" and df.loc["S181", "days_stuck"] == 181
    assert df.loc["F6", "reason"] == "no_funds" and df.loc["F6", "last_funds_period"] == "2025-12"
    assert df.loc["F6", "days_stuck"] == (dt.date(2026, 6, 30) - dt.date(2025, 12, 31)).days
    assert df.loc["N1", "days_stuck"] == (dt.date(2026, 6, 30) - dt.date(2025, 2, 1)).days  # since the start
    assert (
        df.loc["T1", "reason"] == "status"
        and df.loc["T1", "days_stuck"] == (dt.date(2026, 6, 30) - dt.date(2025, 10, 31)).days
    )
    # one day more and one month less: S181 is no longer late, F5 (funds in January) falls out of the window
    assert sorted(projects.stalled_projects(Selection(2026, 6), 181, 5)["project_id"]) == ["F5", "F6", "N1", "T1"]


def test_a_project_record_its_funds_and_search(tiny):
    record = projects.project("F5")
    assert (record["status"], record["size_tier"], record["total_investment"]) == ("开工", "t1", 100.0)
    assert projects.project("nope") is None
    funds = projects.project_funds("T1")
    assert funds[["period", "funds_in_place", "cumulative"]].values.tolist() == [["2025-10", 5.0, 5.0]]
    assert projects.search_projects("f")["project_id"].tolist() == ["F5", "F6"]  # case-insensitive, IDs and names
    assert projects.search_projects("%_")["project_id"].tolist() == ["X%_1"]  # wildcards are text
    assert projects.search_projects("F6")["project_id"].tolist()[0] == "F6"  # the exact ID first


def test_a_scope_hides_other_townships_projects_even_by_id(con):
    town = meta.options().townships[0]
    inside = {r[0] for r in con.execute("SELECT project_id FROM v_project_units WHERE unit = ?", [town]).fetchall()}
    outside = con.execute("SELECT min(project_id) FROM v_projects WHERE NOT list_contains(?, project_id)", [sorted(inside)]).fetchone()[0]  # fmt: skip
    mine = min(inside)
    assert projects.project(outside) is not None and projects.project(outside, (town,)) is None
    assert projects.project(mine, (town,))["project_id"] == mine
    assert projects.project_funds(outside, (town,)).empty
    assert set(projects.search_projects("", 10_000, (town,))["project_id"]) == inside
    everyone = projects.stalled_projects(Selection(2026, 11), 180, 6)
    scoped = projects.stalled_projects(Selection(2026, 11, scope=(town,)), 180, 6)
    assert set(scoped["project_id"]) == set(everyone["project_id"]) & inside
