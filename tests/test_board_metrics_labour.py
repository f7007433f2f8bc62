"""Labour's read side against hand-computed fixtures: township-months and targets built through the real loader;
totals, the organised share with a zero denominator, months, townships, the target metrics from the facts."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from board.metrics import labour
from board.selection import Selection
from tests.clerk_files import loaded

COLS = ("township", "period", "local_transfer", "export_total", "export_organized", "new_urban_jobs", "new_positions")
LABOR = [
    ("青石镇", "2026-01", "10", "100", "60", "3", "7"),
    ("青石镇", "2026-02", "20", "200", "", "4", "1"),  # organised export not reported
    ("柳河镇", "2026-01", "5", "0", "0", "10", "2"),  # no export at all
    ("柳河镇", "2026-03", "1", "50", "50", "", ""),  # 柳河镇 sent nothing for February
    ("青石镇", "2025-01", "8", "80", "40", "2", "5"),
]
TARGETS = [
    {"year": "2026", "unit": "全县", "metric": "new_jobs", "target": "100"},
    {"year": "2026", "unit": "青石镇", "metric": "new_jobs", "target": "20"},
    {"year": "2026", "unit": "青石镇", "metric": "labor_export", "target": "600"},
]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = loaded(tmp_path, [("labor", [dict(zip(COLS, r, strict=True)) for r in LABOR]), ("targets", TARGETS)])
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    return path


def test_totals_with_targets_only_for_the_catalogue_metrics(db):
    df = labour.totals(Selection(2026, 3)).set_index("measure")
    assert df["actual"].to_dict() == {
        "export_total": 350, "export_organized": 110, "new_urban_jobs": 17, "local_transfer": 36, "new_positions": 10,
    }  # fmt: skip
    assert df.loc["local_transfer", "prior"] == 8 and df.loc["local_transfer", "yoy"] == pytest.approx(3.5)
    jobs = df.loc["new_urban_jobs"]
    assert (jobs["metric"], jobs["target"], jobs["pace"]) == ("new_jobs", 100, 0.25)
    assert jobs["rate"] == pytest.approx(0.17) and jobs["ahead"] is False
    export = df.loc["export_total"]
    assert export["metric"] == "labor_export" and math.isnan(export["rate"]) and export["note"] == "no_target"
    for col in labour.OWN:  # no target metric: no target, no rate
        assert math.isnan(df.loc[col, "target"]) and df.loc[col, "note"] == "no_target_metric"


def test_a_township_filter_uses_its_own_targets_and_industry_or_park_do_not_apply(db):
    town = labour.totals(Selection(2026, 3, townships=("青石镇",))).set_index("measure")
    assert town.loc["new_urban_jobs", "actual"] == 7 and town.loc["new_urban_jobs", "rate"] == pytest.approx(0.35)
    assert town.loc["export_total", "rate"] == pytest.approx(0.5)
    other = labour.totals(Selection(2026, 3, industries=("食品加工",), parks=("甲园",))).set_index("measure")
    assert other.loc["new_urban_jobs", "actual"] == 17 and other.loc["new_urban_jobs", "target"] == 100


def test_the_organised_share_counts_rows_reporting_both_and_is_nan_without_export(db):
    share, before = labour.organised_share(Selection(2026, 3))
    assert share == pytest.approx(110 / 150)  # 青石镇 February reported no organised export: left out
    assert before == pytest.approx(0.5)
    assert math.isnan(labour.organised_share(Selection(2026, 1, townships=("柳河镇",)))[0])  # export 0: "—"


def test_month_by_month(db):
    df = labour.monthly(Selection(2026, 3)).set_index("month")
    assert df.loc[1, ["local_transfer", "export_total", "export_organized", "new_urban_jobs", "new_positions"]].tolist() == [
        15, 100, 60, 13, 9,
    ]  # fmt: skip
    assert df.loc[1, "organised_share"] == pytest.approx(0.6)
    assert math.isnan(df.loc[2, "export_organized"]) and math.isnan(df.loc[2, "organised_share"])
    assert df.loc[3, "export_total"] == 50 and df.loc[3, "new_urban_jobs"] == 0
    assert df.loc[3, "new_jobs_cumulative"] == 17 and df.loc[3, "labor_export_cumulative"] == 350
    assert df.loc[4:, "local_transfer"].isna().all() and df.loc[4:, "new_jobs_cumulative"].isna().all()
    own = labour.series(Selection(2026, 3), "local_transfer")
    assert own["cumulative"].tolist()[:3] == [15, 35, 36] and own["cumulative"].iloc[3:].isna().all()


def test_by_township(db):
    df = labour.by_township(Selection(2026, 3), ("青石镇", "柳河镇", "新集镇")).set_index("township")
    assert df.loc["青石镇", ["local_transfer", "export_total", "new_urban_jobs"]].tolist() == [30, 300, 7]
    assert df.loc["青石镇", "organised_share"] == pytest.approx(0.6)
    assert df.loc["青石镇", "new_jobs_rate"] == pytest.approx(0.35) and df.loc["青石镇", "labor_export_rate"] == 0.5
    assert df.loc["柳河镇", "organised_share"] == 1.0 and math.isnan(df.loc["柳河镇", "new_jobs_rate"])
    assert df.loc["新集镇"].drop(["pace", "new_jobs_ahead", "labor_export_ahead"]).isna().all()  # reported nothing
