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
