"""Returnees: counts by township, status, intent, age band and gender, the monthly trend, placement rates with
small-cell rules and zero denominators; on the hand-counted county of tests/people_files.py (see its docstring)."""

from __future__ import annotations

import math

import duckdb
import pytest

from board.metrics import returnees
from board.selection import Selection

JUNE, JULY = Selection(2026, 6), Selection(2026, 7)


pytestmark = pytest.mark.usefixtures("people_env")  # the hand-counted county (tests/conftest.py)


def row(df, key: str, value: str) -> dict:
    found = df[df[key] == value]
    assert len(found) == 1, (value, df)
    return found.iloc[0].to_dict()


# ---------------------------------------------------------------- age bands


@pytest.mark.parametrize(
    ("age", "band"),
    [(None, "unknown"), (16, "a_u25"), (24, "a_u25"), (25, "a25"), (34, "a25"), (35, "a35"), (44, "a35"),
     (45, "a45"), (54, "a45"), (55, "a55"), (80, "a55")],
)  # fmt: skip
def test_age_bands_put_a_boundary_age_in_the_upper_band_in_python_and_in_sql(age, band):
    assert returnees.age_band(age) == band
    got = (
        duckdb.connect()
        .execute(f"SELECT {returnees.age_band_sql('a')} FROM (SELECT ?::INTEGER AS a)", [age])
        .fetchone()[0]
    )
    assert (got or "unknown") == band


def test_age_is_the_views_year_minus_the_birth_year_from_the_id_and_gender_comes_from_the_id():
    # 甲镇, returned January–June 2026: born 2002 (24), 2001 (25), 1992 (34) male; 1991 (35), 1972 (54), 1971 (55) female
    ages = returnees.by_age_gender(Selection(2026, 6, townships=("甲镇",))).set_index("age_band")
    assert ages.loc["a_u25", ["male", "female"]].tolist() == [1, 0]
    assert ages.loc["a25", ["male", "female"]].tolist() == [2, 0]
    assert ages.loc["a35", ["male", "female"]].tolist() == [0, 1]
    assert ages.loc["a45", ["male", "female"]].tolist() == [0, 1]
    assert ages.loc["a55", ["male", "female"]].tolist() == [0, 1]
    assert "unknown" not in ages.index


def test_without_an_id_the_gender_column_is_used_and_the_age_is_unknown():
    ages = returnees.by_age_gender(Selection(2026, 6, townships=("丁镇",))).set_index("age_band")
    assert ages.loc["unknown", ["male", "female", "unknown", "returnees"]].tolist() == [3, 2, 0, 5]
    assert ages.loc[["a_u25", "a25", "a35", "a45", "a55"], "returnees"].sum() == 0


# ---------------------------------------------------------------- counts and placement


def test_placement_by_township_with_small_cells_and_a_blank_status():
    towns = returnees.by_township(JUNE)
    assert list(towns["township"]) == ["甲镇", "丁镇", "丙镇", "乙镇"]  # most first, then by name
    a, b, c, d = (row(towns, "township", x) for x in ("甲镇", "乙镇", "丙镇", "丁镇"))
    assert (a["returnees"], a["placed"], a["local_job"], a["outside_job"], a["self_employed"]) == (6, 5, 2, 1, 2)
    assert a["placement_rate"] == pytest.approx(5 / 6)
    assert (b["returnees"], b["placed"]) == (3, 1) and math.isnan(b["placement_rate"])  # denominator < 5
    assert (c["returnees"], c["placed"]) == (5, 2) and math.isnan(c["placement_rate"])  # numerator 1–4
    assert (d["returnees"], d["placed"], d["unknown"]) == (5, 0, 1)
    assert d["placement_rate"] == 0.0  # nobody placed of 5: shown as 0 %


def test_the_cards_add_up_the_townships_and_compare_with_the_same_months_before():
    got = returnees.summary(JUNE)
    assert (got["returnees"], got["placed"], got["waiting"]) == (19, 8, 5)
    assert got["placement_rate"] == pytest.approx(8 / 19)
    assert got["prior"] == 1 and got["yoy"] == pytest.approx(18.0)  # A8 returned in February 2025


def test_the_all_cohort_counts_everyone_registered_by_the_months_end():
    towns = returnees.by_township(JUNE, "all")
    a = row(towns, "township", "甲镇")
    assert (a["returnees"], a["placed"]) == (7, 5)  # + A8 (2025); A7 returned in July
    assert a["placement_rate"] == pytest.approx(5 / 7)
    assert math.isnan(returnees.summary(JUNE, "all")["prior"])
    july = row(returnees.by_township(JULY), "township", "甲镇")
    assert (july["returnees"], july["placed"]) == (7, 6)  # A7 is in July's period


def test_a_zero_denominator_gives_no_rate():
    nobody = Selection(2026, 6, townships=("无人镇",))
    got = returnees.summary(nobody)
    assert got["returnees"] == 0 and math.isnan(got["placement_rate"])
    assert returnees.by_township(nobody).empty
    assert returnees.by_status(nobody)["returnees"].sum() == 0
    assert returnees.waiting_by_skill(nobody).empty


def test_status_and_intent_counts():
    status = returnees.by_status(JUNE).set_index("status")
    assert status["returnees"].to_dict() == {
        "waiting": 5, "local_job": 4, "outside_job": 2, "self_employed": 2, "farming": 4, "in_training": 1,
        "unknown": 1,
    }  # fmt: skip
    assert status.loc["waiting", "share"] == pytest.approx(5 / 19)
    assert math.isnan(status.loc["local_job", "share"])  # 4 people: no share that gives them away
    assert status["placed"].sum() == 3
    intent = returnees.by_intent(JUNE).set_index("intent")["returnees"].to_dict()
    assert intent == {"job": 9, "venture": 2, "training": 3, "farming": 3, "undecided": 0, "unknown": 2}


def test_people_waiting_for_work_by_skill_and_intent():
    waiting = returnees.waiting_by_skill(JUNE)
    assert list(waiting["skill"]) == ["厨师", "电焊", "unknown"]
    got = waiting.set_index("skill")
    assert got.loc["厨师", ["job", "training", "waiting"]].tolist() == [2, 0, 2]  # D1, D2
    assert got.loc["电焊", ["job", "training", "waiting"]].tolist() == [1, 1, 2]  # A6, C3
    assert got.loc["unknown", ["job", "training", "waiting"]].tolist() == [0, 1, 1]  # B2


def test_the_monthly_trend_fills_empty_months_from_january_of_the_year_before():
    months = returnees.monthly(JUNE)
    assert (months["year"].iloc[0], months["month"].iloc[0]) == (2025, 1)
    assert (months["year"].iloc[-1], months["month"].iloc[-1]) == (2026, 6)
    assert len(months) == 18
    got = {(y, m): n for y, m, n in zip(months["year"], months["month"], months["returnees"], strict=True) if n}
    assert got == {(2025, 2): 1, (2026, 1): 6, (2026, 2): 6, (2026, 3): 1, (2026, 4): 5, (2026, 6): 1}
    assert (
        months.loc[months["year"] == 2026, "in_period"].all()
        and not months.loc[months["year"] == 2025, "in_period"].any()
    )
    town = returnees.monthly(Selection(2026, 6, townships=("乙镇",)))
    assert town["returnees"].sum() == 3


def test_every_query_of_the_module_returns_groups_never_a_person_row():
    for sql in (returnees._BREAKDOWN_SQL, returnees._MONTHLY_SQL):
        assert "GROUP BY" in sql and "person_key" not in sql
