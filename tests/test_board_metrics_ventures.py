"""Ventures' read side against hand-computed fixtures: a tiny warehouse (ventures and returnees) built through the
real loader; the multiplier, loans, jobs per 万元 of loan with zero denominators, returnee entrepreneurs."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from board.metrics import progress, ventures
from board.selection import Selection
from tests.clerk_files import loaded

VENTURES = [
    # id, type, township, industry, start, jobs, loan, subsidy, founder
    ("V1", "返乡创业", "青石镇", "食品加工", "2026-03-01", "6", "10", "0.5", "PK1"),
    ("V2", "家庭创业", "青石镇", "食品加工", "2026-04-10", "2", "5", "0.3", "PK2"),
    ("V3", "能人创办企业", "柳河镇", "装备制造", "2026-05-01", "30", "", "", "PK3"),  # PK3 is not a returnee
    ("V4", "返乡创业", "柳河镇", "装备制造", "2026-06-01", "", "20", "1", "PK1"),  # jobs not reported; PK1 again
    ("V5", "家庭创业", "柳河镇", "装备制造", "2026-11-05", "3", "", "", ""),  # after the as-of month (October)
    ("V6", "返乡创业", "青石镇", "食品加工", "2025-03-01", "4", "0", "", ""),  # the year before; a loan of 0
]
COLS = ("venture_id", "venture_type", "township", "industry", "start_date", "jobs", "loan", "loan_subsidy")
RETURNEES = [
    {"person_key": "PK1", "township": "青石镇", "return_date": "2025-12-01", "status": "自主创业"},
    {"person_key": "PK2", "township": "青石镇", "return_date": "2026-01-15", "status": "自主创业"},
]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    rows = [dict(zip((*COLS, "person_key"), v, strict=True)) for v in VENTURES]
    path = loaded(tmp_path, [("ventures", rows), ("returnees", RETURNEES)])
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    return path


def test_the_period_sums_and_ratios_by_hand(db):
    now, before = (r._asdict() for r in ventures.summary(Selection(2026, 10)).itertuples(index=False))
    assert now["year"] == 2026 and before["year"] == 2025
    assert now["ventures"] == 4  # V1–V4; V5 started in November
    assert (now["jobs_reported"], now["jobs"]) == (3, 38)  # V4 reported no jobs: not a 0
    assert now["jobs_per_venture"] == pytest.approx(38 / 3)
    assert (now["borrowers"], now["loan"], now["loan_subsidy"]) == (3, 35, pytest.approx(1.8))
    assert (now["loan_jobs"], now["loan_with_jobs"]) == (8, 15)  # V4's loan has no jobs to set against it
    assert now["jobs_per_loan"] == pytest.approx(8 / 15)
    assert now["returnee_type"] == 2  # V1, V4 (type 返乡创业)
    assert now["by_returnee"] == 3  # V1, V2, V4: the founder is in the returnee registry (V2 is 家庭创业)
    assert now["returnee_founders"] == 2  # PK1 founded two of them
    assert now["returnee_jobs"] == 8
    assert (before["ventures"], before["jobs"], before["jobs_per_venture"]) == (1, 4, 4)
    assert before["borrowers"] == 0 and math.isnan(before["jobs_per_loan"])  # no loan: no rate, not 0 or inf


def test_filters_and_zero_denominators(db):
    town = ventures.summary(Selection(2026, 10, townships=("青石镇",))).iloc[0]
    assert (town["ventures"], town["jobs"], town["jobs_per_venture"]) == (2, 8, 4)
    assert town["jobs_per_loan"] == pytest.approx(8 / 15)
    ind = ventures.summary(Selection(2026, 10, industries=("装备制造",))).iloc[0]
    assert (ind["ventures"], ind["jobs"], ind["jobs_per_venture"]) == (2, 30, 30)
    assert ind["loan"] == 20 and math.isnan(ind["jobs_per_loan"])  # the one loan reported no jobs
    none = ventures.summary(Selection(2026, 2)).iloc[0]  # nothing started in January–February
    assert none["ventures"] == 0 and math.isnan(none["jobs_per_venture"]) and math.isnan(none["jobs_per_loan"])


def test_breakdowns_by_type_township_and_industry(db):
    sel = Selection(2026, 10)
    by_type = ventures.breakdown(sel, "venture_type").set_index("key")
    assert list(by_type.index) == ["能人创办企业", "家庭创业", "返乡创业", "其他"]
    assert by_type["ventures"].tolist() == [1, 1, 2, 0]
    assert by_type.loc["能人创办企业", "jobs_per_venture"] == 30
    assert by_type.loc["返乡创业", "jobs_per_venture"] == 6  # V4 did not report jobs
    assert math.isnan(by_type.loc["其他", "jobs_per_venture"])
    # the 返乡创业 row is the catalogue metric the page shows against its target
    assert by_type.loc["返乡创业", "ventures"] == progress.progress(sel, ("returnee_ventures",))["actual"].iloc[0]
    towns = ventures.breakdown(sel, "township")
    assert towns["key"].tolist() == ["柳河镇", "青石镇"]  # two each: the more jobs first
    assert towns["jobs"].tolist() == [30, 8] and towns["by_returnee"].tolist() == [1, 2]
    inds = ventures.breakdown(sel, "industry").set_index("key")
    assert inds.loc["食品加工", "loan"] == 15 and inds.loc["食品加工", "jobs_per_loan"] == pytest.approx(8 / 15)


@pytest.mark.parametrize(
    ("num", "den", "want"), [(3.0, 2.0, 1.5), (3.0, 0.0, math.nan), (0.0, 0.0, math.nan), (1.0, math.nan, math.nan)]
)
def test_ratio_is_nan_without_a_denominator(num, den, want):
    got = ventures.ratio(num, den)
    assert (math.isnan(got) and math.isnan(want)) or got == want
