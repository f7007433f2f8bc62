"""Targets against actuals on the demo warehouse: the same numbers as v_target_progress and as own SQL."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from board import meta
from board.metrics import progress
from board.selection import Selection
from etl.contracts import WHOLE_JURISDICTION
from etl.metric_catalogue import CARD_METRICS, get


@pytest.fixture
def con(board_env: Path):
    c = duckdb.connect(str(board_env), read_only=True)
    yield c
    c.close()


def _own_actual(con, metric: str, year: int, month: int, unit: str | None) -> float:
    """The test's own sum over v_metric_facts: a unit answers for facts whose township, park or responsible
    unit it is."""
    sql = """SELECT coalesce(sum(value), 0) FROM v_metric_facts WHERE metric = ? AND year = ? AND month <= ?
             AND (? IS NULL OR ? IN (township, park, responsible_unit))"""
    return con.execute(sql, [metric, year, month, unit, unit]).fetchone()[0]


def _applies(metric: str, field: str | None) -> bool:
    return field is None or {"townships": "township", "parks": "park"}[field] in get(metric).dims


@pytest.mark.parametrize(("year", "month"), [(2026, 11), (2025, 12)])
def test_cards_equal_v_target_progress(con, year, month):
    rows = con.execute(
        "SELECT unit, metric, target, actual, completion_rate FROM v_target_progress WHERE year = ? "
        "AND list_contains(?::VARCHAR[], metric)",
        [year, list(CARD_METRICS)],
    ).df()
    options = meta.options()
    field_of = {u: "townships" for u in options.townships} | {u: "parks" for u in options.parks}
    field_of |= {u: None for u in WHOLE_JURISDICTION}
    rows = rows[[u in field_of and _applies(m, field_of[u]) for u, m in zip(rows["unit"], rows["metric"], strict=True)]]
    assert len(rows) > 150
    for row in rows.itertuples():
        field = field_of[row.unit]
        sel = Selection(year, month, **({} if field is None else {field: (row.unit,)}))
        card = progress.progress(sel, (row.metric,)).iloc[0]
        assert card["actual"] == pytest.approx(row.actual, rel=1e-12, abs=1e-9), (row.unit, row.metric)
        assert card["target"] == row.target
        assert card["rate"] == pytest.approx(row.completion_rate, rel=1e-12)


def test_a_filter_a_metric_cannot_answer_gives_no_number_and_says_why(board_env):
    park = meta.options().parks[0]
    card = progress.progress(Selection(2026, 11, parks=(park,)), ("trainees",)).iloc[0]
    assert pd.isna(card["actual"]) and pd.isna(card["target"]) and card["note"] == "filter_na_park"


def test_township_numbers_match_own_sql_and_differ_from_the_county(con):
    sel = Selection(2026, 11)
    county = progress.progress(sel).set_index("metric")
    for town in meta.options().townships[:4]:
        mine = progress.progress(replace(sel, townships=(town,))).set_index("metric")
        for metric in CARD_METRICS:
            assert mine.loc[metric, "actual"] == pytest.approx(_own_actual(con, metric, 2026, 11, town))
            assert mine.loc[metric, "prior"] == pytest.approx(_own_actual(con, metric, 2025, 11, town))
            assert mine.loc[metric, "actual"] < county.loc[metric, "actual"]


def test_two_townships_sum_targets_and_count_each_fact_once(con):
    a, b = meta.options().townships[:2]
    both = progress.progress(Selection(2026, 11, townships=(a, b)), ("funds_in_place",)).iloc[0]
    targets = con.execute(
        "SELECT sum(target) FROM v_targets WHERE year = 2026 AND metric = 'funds_in_place' AND unit IN (?, ?)", [a, b]
    ).fetchone()[0]
    own = con.execute(
        """SELECT sum(value) FROM v_metric_facts WHERE metric = 'funds_in_place' AND year = 2026 AND month <= 11
           AND (? IN (township, park, responsible_unit) OR ? IN (township, park, responsible_unit))""",
        [a, b],
    ).fetchone()[0]
    assert both["target"] == targets
    assert both["actual"] == pytest.approx(own)


def test_a_township_and_a_park_count_what_answers_to_both(con):
    options = meta.options()
    park = options.parks[0]
    host = con.execute("SELECT parent FROM v_units WHERE name = ?", [park]).fetchone()[0]
    got = progress.progress(Selection(2026, 11, townships=(host,), parks=(park,)), ("funds_in_place",)).iloc[0]
    own = con.execute(
        """SELECT sum(value) FROM v_metric_facts WHERE metric = 'funds_in_place' AND year = 2026 AND month <= 11
           AND ? IN (township, park, responsible_unit) AND ? IN (township, park, responsible_unit)""",
        [host, park],
    ).fetchone()[0]
    assert own > 0
    assert got["actual"] == pytest.approx(own)
    assert got["note"] == "target_na_combo"


def test_a_township_ranking_under_a_park_filter_counts_what_answers_to_both_in_one_query(con, monkeypatch):
    from board import db

    options = meta.options()
    park = options.parks[0]
    host = con.execute("SELECT parent FROM v_units WHERE name = ?", [park]).fetchone()[0]
    sent: list[str] = []
    query = db.query
    monkeypatch.setattr(db, "query", lambda sql, params=(): sent.append(sql) or query(sql, params))
    sel = Selection(2026, 11, parks=(park,))
    ranking = progress.progress(sel, ("funds_in_place",), by="township", units=options.townships).set_index("township")
    assert len(sent) == 2  # the targets and one query of every township's facts (it was one per township)
    own = con.execute(
        """SELECT sum(value) FROM v_metric_facts WHERE metric = 'funds_in_place' AND year = 2026 AND month <= 11
           AND ? IN (township, park, responsible_unit) AND ? IN (township, park, responsible_unit)""",
        [host, park],
    ).fetchone()[0]
    assert own > 0
    assert ranking.loc[host, "actual"] == pytest.approx(own)
    others = [town for town in options.townships if town != host]
    assert (ranking.loc[others, "actual"] == 0).all()  # the park lies in one township: nothing counts elsewhere
    for town in (host, others[0]):  # the same numbers as the selection of that township and the park
        alone = progress.progress(Selection(2026, 11, townships=(town,), parks=(park,)), ("funds_in_place",)).iloc[0]
        assert ranking.loc[town, "actual"] == pytest.approx(alone["actual"])
        assert ranking.loc[town, "prior"] == pytest.approx(alone["prior"])


def test_a_park_ranking_under_a_township_filter_counts_what_answers_to_both(con):
    options = meta.options()
    park = options.parks[0]
    host = con.execute("SELECT parent FROM v_units WHERE name = ?", [park]).fetchone()[0]
    sel = Selection(2026, 11, townships=(host,))
    ranking = progress.progress(sel, ("funds_in_place", "contract_investment"), by="park", units=options.parks)
    for _, row in ranking.iterrows():
        alone = progress.progress(Selection(2026, 11, townships=(host,), parks=(row["park"],)), (row["metric"],))
        assert row["actual"] == pytest.approx(alone.iloc[0]["actual"]), (row["park"], row["metric"])
    assert ranking[ranking["park"] == park]["actual"].sum() > 0


def test_missing_target_is_none_not_zero(con):
    missing = con.execute(
        """SELECT t.township, m.metric FROM (SELECT DISTINCT township FROM v_labor) t,
           (SELECT unnest(?::VARCHAR[]) AS metric) m
           WHERE NOT EXISTS (SELECT 1 FROM v_targets v WHERE v.year = 2026 AND v.unit = t.township
                             AND v.metric = m.metric) ORDER BY 1, 2 LIMIT 1""",
        [list(CARD_METRICS)],
    ).fetchone()
    assert missing is not None, "the demo has a township without a target on some headline metric"
    row = progress.progress(Selection(2026, 11, townships=(missing[0],)), (missing[1],)).iloc[0]
    assert pd.isna(row["target"]) and pd.isna(row["rate"]) and row["ahead"] is None
    assert row["note"] == "no_target"


def test_industry_filter_keeps_actuals_and_drops_targets(board_env):
    industry = meta.options().industries[0]
    df = progress.progress(Selection(2026, 11, industries=(industry,))).set_index("metric")
    assert df.loc["funds_in_place", "actual"] > 0
    assert df["rate"].isna().all()
    assert df.loc["funds_in_place", "note"] == "target_na_industry"
    assert df.loc["trainees", "note"] == "filter_na_industry"  # trainees have no industry


@pytest.mark.parametrize("month", [3, 11])
def test_pace_verdict_and_cumulative_series(board_env, month):
    sel = Selection(2026, month)
    card = progress.progress(sel, ("funds_in_place",)).iloc[0]
    assert card["pace"] == pytest.approx(month / 12)
    assert card["ahead"] == (card["rate"] >= month / 12)
    series = progress.monthly(sel, "funds_in_place")
    assert list(series["month"]) == list(range(1, 13))
    assert series["cumulative"].iloc[month - 1] == pytest.approx(card["actual"])
    assert series["cumulative"].iloc[month:].isna().all()


def test_behind_pace_lists_every_unit_behind_and_no_other(con):
    """Completeness and correctness for a closed year: exactly the townships and parks whose headline
    completion rate in v_target_progress is below 100 % (序时 of December)."""
    options = meta.options()
    got = progress.behind_pace(Selection(2025, 12), options)
    expected = con.execute(
        """SELECT unit, metric FROM v_target_progress WHERE year = 2025 AND completion_rate < 1
           AND list_contains(?::VARCHAR[], metric) AND list_contains(?::VARCHAR[], unit) ORDER BY ALL""",
        [list(CARD_METRICS), list(options.townships + options.parks)],
    ).fetchall()
    expected = [(u, m) for u, m in expected if _applies(m, "townships" if u in options.townships else "parks")]
    assert len(expected) > 10
    assert sorted(zip(got["unit"], got["metric"], strict=True)) == expected
    assert list(got["rate"]) == sorted(got["rate"])  # slowest first


def test_behind_pace_through_a_month_matches_own_sums(con):
    options = meta.options()
    got = progress.behind_pace(Selection(2026, 6), options)
    own = set()
    for unit, metric, target in con.execute(
        "SELECT unit, metric, target FROM v_targets WHERE year = 2026 AND list_contains(?::VARCHAR[], metric) "
        "AND list_contains(?::VARCHAR[], unit) AND target > 0",
        [list(CARD_METRICS), list(options.townships + options.parks)],
    ).fetchall():
        if _applies(metric, "townships" if unit in options.townships else "parks"):
            if _own_actual(con, metric, 2026, 6, unit) / target < 6 / 12:
                own.add((unit, metric))
    assert len(own) > 5
    assert set(zip(got["unit"], got["metric"], strict=True)) == own


def test_behind_pace_is_empty_under_an_industry_filter(board_env):
    industry = meta.options().industries[0]
    assert progress.behind_pace(Selection(2026, 11, industries=(industry,)), meta.options()).empty
