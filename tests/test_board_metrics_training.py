"""Training: trainees by course, type, provider, township and end month; certification and employment rates over
the finished trainees (zero denominators, small cells); the subsidy; trained against untrained returnees (joined by
person key in SQL); on the hand-counted county of tests/people_files.py (see its docstring)."""

from __future__ import annotations

import math

import pytest

from board.metrics import progress, training
from board.selection import Selection

JUNE, JULY = Selection(2026, 6), Selection(2026, 7)


pytestmark = pytest.mark.usefixtures("people_env")  # the hand-counted county (tests/conftest.py)


def test_totals_count_the_views_classes_and_rate_the_finished_trainees():
    got = training.totals(JUNE)  # K1 (7), K2 (3, running on 30 June), K4 (2); K3 started in 2025
    assert (got["trainees"], got["ended"], got["certified"], got["employed"]) == (12, 9, 8, 5)
    assert got["cert_rate"] == pytest.approx(8 / 9)
    assert got["employment_rate"] == pytest.approx(5 / 9)  # C1 found work on 15 July: not yet by 30 June
    assert got["subsidy_yuan"] == 8000 and got["subsidy_wan"] == pytest.approx(0.8)  # K1 7 × 1000, K4 2 × 500
    assert got["subsidy_per_employed"] == pytest.approx(1600)


def test_a_month_later_the_running_class_has_ended_and_more_found_work():
    got = training.totals(JULY)
    assert (got["trainees"], got["ended"], got["certified"], got["employed"]) == (12, 12, 9, 7)
    assert got["employment_rate"] == pytest.approx(7 / 12)
    assert got["subsidy_yuan"] == 10_400 and got["subsidy_per_employed"] == pytest.approx(10_400 / 7)


def test_the_views_trainees_are_the_catalogues():
    for sel in (JUNE, JULY, Selection(2025, 12), Selection(2026, 6, townships=("甲镇",))):
        catalogue = progress.progress(sel, ("trainees",))["actual"].iloc[0]
        assert training.totals(sel)["trainees"] == catalogue, sel
        for by in training.BREAKDOWNS:
            assert training.breakdown(sel, by)["trainees"].sum() == catalogue, (sel, by)


def test_by_course_with_a_zero_denominator():
    courses = training.breakdown(JUNE, "course").set_index("key")
    weld = courses.loc["电焊工"]
    assert weld[["trainees", "ended", "certified", "employed"]].tolist() == [9, 9, 8, 5]
    assert weld["cert_rate"] == pytest.approx(8 / 9) and weld["employment_rate"] == pytest.approx(5 / 9)
    home = courses.loc["家政服务"]  # K2 has not ended by 30 June: nobody to rate
    assert home[["trainees", "ended"]].tolist() == [3, 0]
    assert math.isnan(home["cert_rate"]) and math.isnan(home["employment_rate"])
    assert math.isnan(home["subsidy_per_employed"])


def test_by_type_provider_and_township_with_blanks():
    types = training.breakdown(JUNE, "course_type").set_index("key")["trainees"].to_dict()
    assert types == {"skills": 7, "business": 3, "unknown": 2}
    providers = training.breakdown(JUNE, "provider").set_index("key")["trainees"].to_dict()
    assert providers == {"机构甲": 7, "机构乙": 3, "unknown": 2}
    towns = training.breakdown(JUNE, "township").set_index("key")["trainees"].to_dict()
    assert towns == {"甲镇": 9, "乙镇": 3}
    with pytest.raises(ValueError):
        training.breakdown(JUNE, "nonsense")


def test_cohorts_by_end_month_with_small_groups_suppressed():
    months = training.cohorts(JUNE)
    assert list(months["end_month"]) == ["2026-03", "2026-05", training.RUNNING]
    march, may, running = (months.iloc[i] for i in range(3))
    assert march[["trainees", "certified", "employed"]].tolist() == [7, 6, 5]
    assert march["cert_rate"] == pytest.approx(6 / 7) and march["employment_rate"] == pytest.approx(5 / 7)
    assert march["subsidy_wan"] == pytest.approx(0.7)
    # K4: 2 trainees, both certified: no rate and no subsidy that would give two people's figures away
    assert may[["trainees", "certified"]].tolist() == [2, 2]
    assert math.isnan(may["cert_rate"]) and math.isnan(may["subsidy_wan"])
    assert running["ended"] == 0 and math.isnan(running["employment_rate"])


def test_trained_returnees_placement_against_untrained_ones():
    got = training.trained_vs_untrained(JUNE).set_index("township")
    whole = got.loc[training.WHOLE]
    # trained by 30 June: A1–A6, C1 (K1), B1–B3 (K2), C2 (K3), D1, D2 (K4) = 13, placed A1–A5, C1, B1, C2 = 8;
    # untrained: A8, C3, C4, C5, D3, D4, D5 = 7, nobody placed (A7 returned in July)
    assert whole[["trained", "trained_placed", "untrained", "untrained_placed"]].tolist() == [13, 8, 7, 0]
    assert whole["trained_rate"] == pytest.approx(8 / 13) and whole["untrained_rate"] == 0.0
    assert whole["gap"] == pytest.approx(8 / 13)
    a = got.loc["甲镇"]
    assert a[["trained", "trained_placed", "untrained"]].tolist() == [6, 5, 1]
    assert a["trained_rate"] == pytest.approx(5 / 6) and math.isnan(a["untrained_rate"]) and math.isnan(a["gap"])
    b = got.loc["乙镇"]
    assert b[["trained", "untrained"]].tolist() == [3, 0] and math.isnan(b["untrained_rate"])  # nobody untrained
    assert list(got.index) == [training.WHOLE, "丁镇", "丙镇", "乙镇", "甲镇"]


def test_training_that_starts_after_the_views_month_does_not_count_as_trained():
    may = training.trained_vs_untrained(Selection(2026, 5)).set_index("township").loc[training.WHOLE]
    # by 31 May: K2 (10 June) has not started, A6 (30 June) has not returned: trained A1–A5, C1, C2, D1, D2 = 9
    assert may[["trained", "trained_placed", "untrained", "untrained_placed"]].tolist() == [9, 7, 10, 1]


def test_a_township_filter_without_trainees_gives_zero_and_no_rates():
    nobody = Selection(2026, 6, townships=("无人镇",))
    got = training.totals(nobody)
    assert got["trainees"] == 0 and math.isnan(got["cert_rate"]) and math.isnan(got["subsidy_per_employed"])
    assert training.cohorts(nobody).empty
    whole = training.trained_vs_untrained(nobody).iloc[0]
    assert whole["trained"] == 0 and math.isnan(whole["trained_rate"])
