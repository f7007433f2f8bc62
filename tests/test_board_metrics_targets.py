"""Every unit against its target (board.metrics.targets): hand-computed fixtures, then the demo county against
v_target_progress, the overview's cards and the test's own SQL."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from board import meta
from board.metrics import progress, targets
from board.selection import Selection
from etl.contracts import WHOLE_JURISDICTION
from etl.metric_catalogue import CARD_METRICS, TARGET_METRICS, get
from tests.clerk_files import loaded, project

UNITS = [
    {"name": "青石镇", "type": "镇街", "code": "510999101000"},
    {"name": "柳河镇", "type": "镇街", "code": "510999102000"},
    {"name": "高新园", "type": "园区", "parent": "青石镇"},
    {"name": "招商局", "type": "部门"},
]
# Contract investment (= total investment, the contract column left blank) by signing month:
#   2026: Jan P1 1000 (青石镇, 高新园, 招商局) · Apr P2 2000 (青石镇, 招商局) · May P3 4000 (柳河镇) · Jun P4 3000 (青石镇, 高新园)
#         · Sep P8 700 (青石镇, after the as-of month of the tests)
#   2025: Feb P6 800 (柳河镇) · May P5 500 (青石镇, 高新园, 招商局) · Jun P7 100 (柳河镇, 招商局)
PROJECTS = [
    project("P1", "1000", township="青石镇", park="高新园", responsible_unit="招商局", signed="2026-01-15"),
    project("P2", "2000", township="青石镇", responsible_unit="招商局", signed="2026-04-10"),
    project("P3", "4000", township="柳河镇", signed="2026-05-20"),
    project("P4", "3000", township="青石镇", park="高新园", signed="2026-06-05"),
    project("P8", "700", township="青石镇", signed="2026-09-01"),
    project("P5", "500", township="青石镇", park="高新园", responsible_unit="招商局", signed="2025-05-01"),
    project("P6", "800", township="柳河镇", signed="2025-02-01"),
    project("P7", "100", township="柳河镇", responsible_unit="招商局", signed="2025-06-15"),
]
TARGETS = [
    ("全县", "合同引资", "25000"),
    ("青石镇", "合同引资", "10000"),
    ("柳河镇", "合同引资", "0"),  # a zero target: no rate, never a division
    ("高新园", "合同引资", "8000"),
    ("招商局", "合同引资", "6000"),
    ("招商局", "新增就业", "50"),  # new jobs are counted by township only: no number for a department
    ("高新园", "技能培训", "30"),  # nor for a park
]
SEL = Selection(2026, 6)


def _warehouse(tmp_path: Path, registry: bool) -> Path:
    rows = [{"year": "2026", "unit": u, "metric": m, "target": v} for u, m, v in TARGETS]
    files = [("units", UNITS)] if registry else []
    return loaded(tmp_path, [*files, ("projects", PROJECTS), ("targets", rows)])


@pytest.fixture(params=[True, False], ids=["registry", "no_registry"])
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request) -> bool:
    """The dashboard pointed at a tiny warehouse, with or without a unit registry (without one, a unit is typed
    by how the facts use its name and ordered by name); whether it has one."""
    monkeypatch.setenv("DASHBOARD_DB", str(_warehouse(tmp_path, registry=request.param)))
    return request.param


def _rows(sel: Selection, metric: str = "contract_investment", period: str = "ytd") -> pd.DataFrame:
    return targets.unit_progress(sel, metric, period).set_index("unit")


@pytest.mark.parametrize(
    ("period", "month", "months", "pace"),
    [
        ("ytd", 6, (1, 6), 6 / 12),
        ("ytd", 1, (1, 1), 1 / 12),
        ("month", 6, (6, 6), 1 / 12),
        ("month", 12, (12, 12), 1 / 12),
        ("quarter", 6, (4, 6), 3 / 12),
        ("quarter", 4, (4, 4), 1 / 12),
        ("quarter", 8, (7, 8), 2 / 12),
        ("quarter", 12, (10, 12), 3 / 12),
        ("quarter", 1, (1, 1), 1 / 12),
    ],
)
def test_period_months_and_pace(period, month, months, pace):
    assert targets.months_of(period, month) == months
    assert targets.period_pace(period, month) == pytest.approx(pace)
    if period == "quarter":
        assert targets.quarter(month) == (months[0] - 1) // 3 + 1


def test_ytd_every_unit_type_matched_to_its_facts(tiny):
    df = _rows(SEL)
    towns = ["青石镇", "柳河镇"] if tiny else ["柳河镇", "青石镇"]  # by division code, else by name
    assert list(df.index) == ["全县", *towns, "高新园", "招商局"]  # the area, townships, parks, departments
    assert list(df["type"]) == ["area", "township", "township", "park", "department"]
    expected = {"全县": 10000, "青石镇": 6000, "柳河镇": 4000, "高新园": 4000, "招商局": 3000}  # P8 is after June
    assert df["actual"].to_dict() == expected
    assert df["prior"].to_dict() == {"全县": 1400, "青石镇": 500, "柳河镇": 900, "高新园": 500, "招商局": 600}
    assert df.loc["招商局", "yoy"] == pytest.approx((3000 - 600) / 600)
    assert df["rate"].to_dict() == pytest.approx(
        {"全县": 0.4, "青石镇": 0.6, "柳河镇": float("nan"), "高新园": 0.5, "招商局": 0.5}, nan_ok=True
    )
    assert (df["pace"] == 0.5).all()
    assert df.loc["全县", "gap"] == pytest.approx(-10.0)  # percentage points
    assert df["ahead"].to_dict() == {"全县": False, "青石镇": True, "柳河镇": None, "高新园": True, "招商局": True}
    assert df.loc["柳河镇", "note"] == "target_zero" and pd.isna(df.loc["柳河镇", "gap"])


def test_ranks_within_the_type_and_overall_without_the_whole_area(tiny):
    df = _rows(SEL)
    assert df["rank_all"].to_dict() == pytest.approx(
        {"全县": float("nan"), "青石镇": 1, "柳河镇": float("nan"), "高新园": 2, "招商局": 2}, nan_ok=True
    )  # 高新园 and 招商局 tie at 50 %
    assert df.loc[["青石镇", "高新园", "招商局"], "rank_type"].tolist() == [1, 1, 1]
    assert df.loc[["青石镇", "高新园", "招商局"], "n_type"].tolist() == [1, 1, 1]  # 柳河镇 has no rate
    assert df.loc["青石镇", "n_all"] == 3 and pd.isna(df.loc["全县", "n_all"])


def test_the_month_alone(tiny):
    df = _rows(SEL, period="month")  # June: P4 3000 (青石镇, 高新园); June 2025: P7 100 (柳河镇, 招商局)
    assert df["actual"].to_dict() == {"全县": 3000, "青石镇": 3000, "柳河镇": 0, "高新园": 3000, "招商局": 0}
    assert df["prior"].to_dict() == {"全县": 100, "青石镇": 0, "柳河镇": 100, "高新园": 0, "招商局": 100}
    assert df["pace"].tolist() == pytest.approx([1 / 12] * 5)
    assert df.loc["全县", "rate"] == pytest.approx(3000 / 25000)
    assert df.loc["全县", "ahead"] is True  # 12 % ≥ 8.3 %
    assert df.loc["招商局", "rate"] == 0 and df.loc["招商局", "ahead"] is False
    assert df.loc["招商局", "yoy"] == pytest.approx(-1.0)
    assert pd.isna(df.loc["青石镇", "yoy"])  # no prior: no ratio


def test_the_quarter_to_the_as_of_month(tiny):
    df = _rows(SEL, period="quarter")  # April–June: P2 2000, P3 4000, P4 3000; 2025: P5 500, P7 100
    assert df["actual"].to_dict() == {"全县": 9000, "青石镇": 5000, "柳河镇": 4000, "高新园": 3000, "招商局": 2000}
    assert df["prior"].to_dict() == {"全县": 600, "青石镇": 500, "柳河镇": 100, "高新园": 500, "招商局": 600}
    assert (df["pace"] == 0.25).all()
    assert df.loc["招商局", "rate"] == pytest.approx(2000 / 6000)
    assert df.loc["全县", "gap"] == pytest.approx((9000 / 25000 - 0.25) * 100)
    assert df["ahead"].to_dict() == {"全县": True, "青石镇": True, "柳河镇": None, "高新园": True, "招商局": True}
    may = _rows(Selection(2026, 5), period="quarter")  # April–May only
    assert may.loc["全县", "actual"] == 6000 and may.loc["全县", "pace"] == pytest.approx(2 / 12)


def test_a_metric_a_unit_type_cannot_answer_gives_no_number_and_says_why(tiny):
    jobs = _rows(SEL, "new_jobs").loc["招商局"]
    assert pd.isna(jobs["actual"]) and pd.isna(jobs["target"]) and pd.isna(jobs["rate"])
    assert jobs["note"] == "filter_na_unit"
    training = _rows(SEL, "trainees").loc["高新园"]
    assert pd.isna(training["actual"]) and training["note"] == "filter_na_park"


def test_heat_table_holds_the_cumulative_rates_month_by_month(tiny):
    heat = targets.monthly_completion(SEL, "contract_investment").set_index("unit")
    assert list(heat.index) == ["全县", "青石镇", "高新园", "招商局"]  # 柳河镇's zero target has no rate
    assert [c for c in heat.columns if isinstance(c, int)] == [1, 2, 3, 4, 5, 6]
    months = list(range(1, 7))
    assert heat.loc["全县", months].tolist() == pytest.approx([0.04, 0.04, 0.04, 0.12, 0.28, 0.40])
    assert heat.loc["高新园", months].tolist() == pytest.approx([1 / 8, 1 / 8, 1 / 8, 1 / 8, 1 / 8, 4 / 8])
    assert heat.loc["招商局", months].tolist() == pytest.approx([1 / 6, 1 / 6, 1 / 6, 0.5, 0.5, 0.5])
    assert heat.loc[:, 6].to_dict() == pytest.approx(_rows(SEL)["rate"].dropna().to_dict())


def test_the_township_filter_does_not_narrow_the_rows(tiny):
    mine = targets.unit_progress(Selection(2026, 6, townships=("青石镇",)), "contract_investment")
    pd.testing.assert_frame_equal(mine, targets.unit_progress(SEL, "contract_investment"))


def test_an_industry_filter_keeps_the_actuals_and_drops_every_target(tiny):
    df = _rows(Selection(2026, 6, industries=("新材料",)))
    assert df["actual"].to_dict() == {"全县": 10000, "青石镇": 6000, "柳河镇": 4000, "高新园": 4000, "招商局": 3000}
    assert df["target"].isna().all() and df["rate"].isna().all() and df["rank_all"].isna().all()
    assert set(df["note"]) == {"target_na_industry"}
    assert targets.monthly_completion(Selection(2026, 6, industries=("新材料",)), "contract_investment").empty
    assert _rows(Selection(2026, 6, industries=("食品加工",)))["actual"].sum() == 0


def test_no_target_for_the_metric_gives_no_rows(tiny):
    assert targets.unit_progress(SEL, "funds_in_place").empty


# --- the demo county -----------------------------------------------------------------------------------------


@pytest.fixture
def con(board_env: Path):
    c = duckdb.connect(str(board_env), read_only=True)
    yield c
    c.close()


def _answers(metric: str, unit_type: str) -> bool:
    dim = {"area": None, "township": "township", "park": "park", "department": "unit"}[unit_type]
    return dim is None or dim in get(metric).dims


def test_every_units_actual_equals_v_target_progress_for_a_closed_year(con):
    expected = con.execute(
        "SELECT unit, metric, target, actual, completion_rate FROM v_target_progress WHERE year = 2025"
    ).df()
    got = pd.concat([targets.unit_progress(Selection(2025, 12), m, "ytd") for m in TARGET_METRICS])
    got = got[[_answers(m, ty) for m, ty in zip(got["metric"], got["type"], strict=True)]]
    assert len(got) > 300 and set(got["type"]) >= {"area", "township", "park"}
    merged = got.merge(expected, on=["unit", "metric"], suffixes=("", "_v"), validate="one_to_one")
    assert len(merged) == len(got)
    assert merged["actual"].to_numpy() == pytest.approx(merged["actual_v"].to_numpy(), rel=1e-12, abs=1e-9)
    assert (merged["target"] == merged["target_v"]).all()
    rated = merged.dropna(subset=["completion_rate"])
    assert rated["rate"].to_numpy() == pytest.approx(rated["completion_rate"].to_numpy(), rel=1e-12)
    assert merged.loc[merged["completion_rate"].isna(), "rate"].isna().all()


@pytest.mark.parametrize(("year", "month"), [(2026, 11), (2025, 12), (2026, 4)])
def test_the_whole_area_row_equals_the_overview_card(board_env, year, month):
    sel = Selection(year, month)
    cards = progress.progress(sel).set_index("metric")
    for metric in CARD_METRICS:
        area = targets.unit_progress(sel, metric).query("type == 'area'").iloc[0]
        assert area["unit"] in WHOLE_JURISDICTION
        card = cards.loc[metric]
        for col in ("actual", "prior", "target", "rate", "yoy", "pace"):
            assert area[col] == pytest.approx(card[col], nan_ok=True), (metric, col)
        assert area["ahead"] == card["ahead"]


def test_township_and_park_rows_equal_their_cards(board_env):
    sel = Selection(2026, 11)
    df = targets.unit_progress(sel, "funds_in_place")
    options = meta.options()
    for row in df[df["type"].isin(["township", "park"])].itertuples():
        field = "townships" if row.type == "township" else "parks"
        card = progress.progress(Selection(2026, 11, **{field: (row.unit,)}), ("funds_in_place",)).iloc[0]
        assert row.unit in getattr(options, field)
        assert (row.actual, row.prior, row.target) == pytest.approx((card["actual"], card["prior"], card["target"]))
        assert row.rate == pytest.approx(card["rate"])


@pytest.mark.parametrize(("period", "first"), [("month", 9), ("quarter", 7), ("ytd", 1)])
def test_period_actuals_equal_own_sql_over_the_same_months(con, period, first):
    df = targets.unit_progress(Selection(2026, 9), "funds_in_place", period).set_index("unit")
    sql = """SELECT coalesce(sum(value), 0) FROM v_metric_facts WHERE metric = 'funds_in_place' AND year = ?
             AND month BETWEEN ? AND 9 AND (? IS NULL OR ? IN (township, park, responsible_unit))"""
    for unit in [df.index[0], *meta.options().townships[:3], meta.options().parks[0]]:
        key = None if unit in WHOLE_JURISDICTION else unit
        assert df.loc[unit, "actual"] == pytest.approx(con.execute(sql, [2026, first, key, key]).fetchone()[0])
        assert df.loc[unit, "prior"] == pytest.approx(con.execute(sql, [2025, first, key, key]).fetchone()[0])
    assert df["pace"].iloc[0] == pytest.approx((9 - first + 1) / 12)


def test_the_demo_heat_table_ends_at_the_ytd_rate(board_env):
    sel = Selection(2026, 11)
    heat = targets.monthly_completion(sel, "contract_investment").set_index("unit")
    rates = targets.unit_progress(sel, "contract_investment")
    assert heat[11].to_dict() == pytest.approx(rates.dropna(subset=["rate"]).set_index("unit")["rate"].to_dict())
    months = heat[list(range(1, 12))]
    assert (months.diff(axis=1).iloc[:, 1:] >= -1e-12).all().all()  # cumulative: never falls


def test_a_scope_keeps_its_townships_rows_only(tiny):
    df = _rows(Selection(2026, 6, scope=("青石镇",)))
    assert list(df.index) == ["青石镇"]  # no whole area, other township, park or department
    assert df.loc["青石镇", "actual"] == 6000 and df.loc["青石镇", "rate"] == pytest.approx(0.6)
    assert df.loc["青石镇", "rank_all"] == 1 and df.loc["青石镇", "n_all"] == 1
    assert list(targets.monthly_completion(Selection(2026, 6, scope=("青石镇",)), "contract_investment")["unit"]) == ["青石镇"]  # fmt: skip


def test_a_scoped_card_is_the_townships_own_never_the_whole_area(tiny):
    cards = progress.progress(Selection(2026, 6, scope=("青石镇",)), ("contract_investment",)).iloc[0]
    assert (cards["actual"], cards["target"], cards["rate"]) == (6000, 10000, pytest.approx(0.6))  # P1+P2+P4
    ranking = progress.progress(SEL, ("contract_investment",), by="township", units=("青石镇", "柳河镇"))
    assert list(ranking["township"]) == ["青石镇", "柳河镇"]
    scoped = replace(SEL, scope=("柳河镇",))
    ranking = progress.progress(scoped, ("contract_investment",), by="township", units=("青石镇", "柳河镇"))
    assert list(ranking["township"]) == ["柳河镇"] and ranking["actual"].tolist() == [4000]  # P3
