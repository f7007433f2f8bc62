"""Metric functions against the demo warehouse: the same numbers as v_target_progress and as own SQL."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from board import db, meta, metrics
from board.filters import Selection
from etl import warehouse
from etl.contracts import WHOLE_JURISDICTION


@pytest.fixture
def con(board_env: Path):
    c = duckdb.connect(str(board_env), read_only=True)
    yield c
    c.close()


def _own_actual(con, metric: str, year: int, month: int, unit: str | None) -> float:
    """The test's own sum over v_metric_facts: a unit answers for facts whose township/park/unit is it."""
    sql = """SELECT coalesce(sum(value), 0) FROM v_metric_facts WHERE metric = ? AND year = ? AND month <= ?
             AND (? IS NULL OR ? IN (township, park, unit))"""
    return con.execute(sql, [metric, year, month, unit, unit]).fetchone()[0]


@pytest.mark.parametrize(("year", "month"), [(2026, 11), (2025, 12)])
def test_cards_equal_v_target_progress(con, year, month):
    progress = con.execute(
        "SELECT unit, metric, target, actual, completion_rate FROM v_target_progress WHERE year = ?", [year]
    ).df()
    options = meta.options()
    assert options.latest_month[2026] == 11
    checked = 0
    for row in progress.itertuples():
        if row.metric not in metrics.CARD_METRICS:
            continue
        whole = row.unit in WHOLE_JURISDICTION
        if not whole and row.unit not in options.townships + options.parks:
            continue  # a department's target: not a filter choice
        field = "townships" if row.unit in options.townships else "parks"
        sel = Selection(year, month, **({} if whole else {field: (row.unit,)}))
        card = metrics.progress(sel, (row.metric,)).iloc[0]
        if pd.isna(card["actual"]):  # e.g. trainees under a park filter: not broken down by park
            assert card["note"] == "filter_na_park"
            continue
        assert card["actual"] == pytest.approx(row.actual, rel=1e-12, abs=1e-9), (row.unit, row.metric)
        assert card["target"] == row.target
        assert card["rate"] == pytest.approx(row.completion_rate, rel=1e-12)
        checked += 1
    assert checked > 150


def test_township_numbers_match_own_sql_and_differ_from_the_county(con):
    sel = Selection(2026, 11)
    county = metrics.progress(sel).set_index("metric")
    towns = meta.options().townships
    for town in towns[:4]:
        mine = metrics.progress(replace(sel, townships=(town,))).set_index("metric")
        for metric in metrics.CARD_METRICS:
            assert mine.loc[metric, "actual"] == pytest.approx(_own_actual(con, metric, 2026, 11, town))
            assert mine.loc[metric, "prior"] == pytest.approx(_own_actual(con, metric, 2025, 11, town))
            assert mine.loc[metric, "actual"] < county.loc[metric, "actual"]


def test_two_townships_sum_targets_and_count_each_fact_once(con):
    a, b = meta.options().townships[:2]
    both = metrics.progress(Selection(2026, 11, townships=(a, b)), ("funds_in_place",)).iloc[0]
    targets = con.execute(
        "SELECT sum(target) FROM v_targets WHERE year = 2026 AND metric = 'funds_in_place' AND unit IN (?, ?)", [a, b]
    ).fetchone()[0]
    own = con.execute(
        """SELECT sum(value) FROM v_metric_facts WHERE metric = 'funds_in_place' AND year = 2026 AND month <= 11
           AND (? IN (township, park, unit) OR ? IN (township, park, unit))""",
        [a, b],
    ).fetchone()[0]
    assert both["target"] == targets
    assert both["actual"] == pytest.approx(own)


def test_missing_target_is_none_not_zero(con):
    missing = con.execute(
        """SELECT t.township, m.metric FROM (SELECT DISTINCT township FROM v_labor) t,
           (SELECT unnest(?::VARCHAR[]) AS metric) m
           WHERE NOT EXISTS (SELECT 1 FROM v_targets v WHERE v.year = 2026 AND v.unit = t.township
                             AND v.metric = m.metric) LIMIT 1""",
        [list(metrics.CARD_METRICS)],
    ).fetchone()
    assert missing is not None, "the demo has a township without a target on some headline metric"
    row = metrics.progress(Selection(2026, 11, townships=(missing[0],)), (missing[1],)).iloc[0]
    assert pd.isna(row["target"]) and pd.isna(row["rate"]) and row["ahead"] is None
    assert row["note"] == "no_target"


def test_industry_filter_keeps_actuals_and_drops_targets(board_env):
    industry = meta.options().industries[0]
    df = metrics.progress(Selection(2026, 11, industries=(industry,))).set_index("metric")
    assert df.loc["funds_in_place", "actual"] > 0
    assert df["rate"].isna().all()
    assert df.loc["funds_in_place", "note"] == "target_na_industry"
    assert df.loc["trainees", "note"] == "filter_na_industry"  # trainees have no industry


@pytest.mark.parametrize("month", [3, 11])
def test_pace_verdict_and_cumulative_series(board_env, month):
    sel = Selection(2026, month)
    card = metrics.progress(sel, ("funds_in_place",)).iloc[0]
    assert card["pace"] == pytest.approx(month / 12)
    assert card["ahead"] == (card["rate"] >= month / 12)
    series = metrics.monthly(sel, "funds_in_place")
    assert list(series["month"]) == list(range(1, 13))
    assert series["cumulative"].iloc[month - 1] == pytest.approx(card["actual"])
    assert series["cumulative"].iloc[month:].isna().all()


def test_behind_pace_lists_only_units_below_pace(board_env):
    df = metrics.behind_pace(Selection(2026, 11), meta.options())
    assert len(df) > 0
    assert (df["rate"] < 11 / 12).all()


def test_stalled_projects_follow_the_definition(con):
    sel = Selection(2026, 11)
    df = metrics.stalled_projects(sel, 180, 6)
    n_status = con.execute("SELECT count(*) FROM v_projects WHERE status = '停滞'").fetchone()[0]
    assert (df["reason"] == "status").sum() == n_status
    late = df[df["reason"] == "not_started"]
    assert (pd.to_datetime(late["signed_date"]) < pd.Timestamp(dt.date(2026, 11, 30) - dt.timedelta(180))).all()
    no_funds = df[df["reason"] == "no_funds"]["project_id"].tolist()
    if no_funds:
        recent = con.execute(
            "SELECT count(*) FROM v_funding WHERE funds_in_place > 0 AND period >= '2026-06' AND list_contains(?, project_id)",
            [no_funds],
        ).fetchone()[0]
        assert recent == 0
    assert len(metrics.stalled_projects(sel, 10_000, 600)) == n_status  # thresholds are settings


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


@pytest.mark.parametrize("metric", metrics.CARD_METRICS)
def test_named_metric_functions_are_the_card_numbers(board_env, metric):
    sel = Selection(2026, 11, townships=(meta.options().townships[0],))
    assert getattr(metrics, metric)(sel) == metrics.progress(sel).set_index("metric").loc[metric, "actual"]
