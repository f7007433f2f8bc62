"""The pipeline's read side against hand-computed fixtures: tiny warehouses built through the real loader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from board.i18n import tier_name
from board.metrics import pipeline
from board.metrics.pipeline import RegisterQuery
from board.selection import Selection
from etl import warehouse
from tests.clerk_files import csv, project


@pytest.fixture
def build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A factory: a warehouse in tmp_path holding ``projects`` (and ``funding``), which the board reads."""

    def make(projects: list[dict], funding: list[dict] = ()) -> Path:
        db = warehouse.init(tmp_path / "w.duckdb")
        for name, rows in (("projects", projects), ("funding", list(funding))):
            if rows:
                res = warehouse.load_file(db, csv(tmp_path / f"{name}.csv", name, rows))
                assert res.status == "loaded", res.errors.to_dict(orient="records")
        monkeypatch.setenv("DASHBOARD_DB", str(db))
        return db

    return make


def _tiers(df) -> dict[str, tuple[int, float]]:
    return {r.tier: (r.projects, round(r.amount, 2)) for r in df.itertuples()}


def test_size_tier_boundaries_belong_to_the_upper_tier(build):
    amounts = {"A": "2999.99", "B": "3000", "C": "9999.99", "D": "1亿", "E": "30000", "F": "5亿", "G": "10亿", "H": "0"}
    rows = [project(pid, amount, signed="2026-03-05") for pid, amount in amounts.items()]
    rows += [project("X", "3000", signed="2025-12-31"), project("Y", "1亿", signed="2026-11-02")]  # outside Jan–Oct
    build(rows)
    got = _tiers(pipeline.tiers(Selection(2026, 10)))
    assert got == {
        "t1": (2, 2999.99),  # 2999.99 and 0
        "t2": (2, 12999.99),  # exactly 3000万, and 9999.99
        "t3": (1, 10000.0),  # exactly 1亿
        "t4": (1, 30000.0),
        "t5": (1, 50000.0),
        "t6": (1, 100000.0),
    }
    df = pipeline.tiers(Selection(2026, 10))
    assert df["share"].sum() == pytest.approx(1.0) and df.loc[1, "share"] == pytest.approx(2 / 8)
    assert _tiers(pipeline.tiers(Selection(2026, 11)))["t3"] == (2, 20000.0)  # Y signed in November
    assert tier_name("t2", "zh") == "3000万–1亿元" and tier_name("t6", "en") == "CNY 1 bn and over"


def test_newly_started_and_carry_over_across_the_year_boundary(build):
    build(
        [
            project("P1", "1000", status="开工", signed="2025-10-01", started_date="2025-11-10"),  # carried into 2026
            project("P2", "1000", status="开工", signed="2026-01-05", started_date="2026-02-01"),  # new in 2026
            project(  # completed in 2025: not carried over
                "P3", "1000", status="竣工", signed="2025-01-05", started_date="2025-03-01", completed_date="2025-12-20"
            ),
            project(  # completed in 2026: under construction in 2026 until then
                "P4", "1000", status="竣工", signed="2025-05-05", started_date="2025-06-01", completed_date="2026-05-01"
            ),
            project(
                "P5", "1000", status="停滞", signed="2025-03-05", started_date="2025-04-01"
            ),  # stalled: start year only
            project("P6", "1000", status="签约", signed="2026-03-05"),  # not started
        ]
    )
    got = pipeline.starts(Selection(2026, 11)).set_index("measure")
    assert got["actual"].to_dict() == {"new": 1.0, "carry_over": 2.0, "under_construction": 3.0}  # P2; P1, P4
    assert got["prior"].to_dict() == {"new": 4.0, "carry_over": 0.0, "under_construction": 4.0}  # 2025 Jan–Nov
    january = pipeline.starts(Selection(2026, 1)).set_index("measure")["actual"].to_dict()
    assert january == {"new": 0.0, "carry_over": 2.0, "under_construction": 2.0}  # P2 starts in February


def _funnel_projects() -> list[dict]:
    return [
        project("F1", "100", status="在谈", signed=""),
        project("F2", "200", status="签约", signed="2026-02-01"),
        project("F3", "300", status="开工", signed="2026-01-10", started_date="2026-03-01", township="柳河镇"),
        project("F4", "400", status="开工", signed="2026-03-01", started_date="2026-08-01"),  # started after June
        project(
            "F5",
            "500",
            status="投产",
            signed="2026-01-05",
            started_date="2026-01-20",
            completed_date="2026-04-01",
            production_date="2026-05-01",
        ),  # fmt: skip
        project("F6", "600", status="终止", signed="2026-02-15"),
        project("F7", "700", status="停滞", signed="2026-01-20", started_date="2026-02-20", township="柳河镇"),
        project("F8", "800", status="开工", signed="2025-12-01", started_date="2026-01-10"),  # signed the year before
        project("F9", "900", status="签约", signed="2026-07-15"),  # signed after June
    ]


def test_funnel_counts_the_cohort_by_stage_reached_by_the_as_of_day(build):
    build(_funnel_projects())
    df = pipeline.funnel(Selection(2026, 6)).set_index("stage")
    assert df["projects"].to_dict() == {"在谈": 7, "签约": 6, "开工": 3, "竣工": 1, "投产": 1, "停滞": 1, "终止": 1}
    assert df["amount"].to_dict() == {
        "在谈": 2800.0,  # F1–F7
        "签约": 2700.0,  # F2–F7
        "开工": 1500.0,  # F3, F5, F7 (F4 only in August)
        "竣工": 500.0,
        "投产": 500.0,
        "停滞": 700.0,
        "终止": 600.0,
    }
    assert list(df["kind"]) == ["stage"] * 5 + ["leak"] * 2
    assert df.loc["开工", "of_previous"] == pytest.approx(3 / 6) and df.loc["开工", "of_cohort"] == pytest.approx(3 / 7)
    assert df["of_previous"].isna().tolist() == [True, False, False, False, False, True, True]
    august = pipeline.funnel(Selection(2026, 8)).set_index("stage")["projects"]
    assert (august["签约"], august["开工"]) == (7, 4)  # F9 signed in July; F4 started in August
    town = pipeline.funnel(Selection(2026, 6, townships=("柳河镇",))).set_index("stage")["projects"]
    assert town.to_dict() == {"在谈": 2, "签约": 2, "开工": 2, "竣工": 0, "投产": 0, "停滞": 1, "终止": 0}


def test_breakdowns_of_the_projects_signed_in_the_period(build):
    methods = {
        "F1": "以商招商",
        "F2": "以商招商",
        "F3": "网络招商",
        "F4": "以商招商",
        "F5": "网络招商",
        "F7": "网络招商",
    }
    origins = {"F2": "长三角", "F4": "境外", "F5": "省内", "F6": "省内", "F7": "省内", "F8": "长三角", "F9": "长三角"}
    rows = _funnel_projects()
    for row in rows:
        row.update(method=methods.get(row["project_id"], ""), investor_origin=origins.get(row["project_id"], ""))
    build(rows)
    sel = Selection(2026, 6)
    method = pipeline.breakdown(sel, "method").set_index("key")
    assert method.loc["网络招商", ["projects", "amount", "started"]].tolist() == [3, 1500.0, 3]  # F3, F5, F7
    assert method.loc["以商招商", ["projects", "amount", "started"]].tolist() == [2, 600.0, 0]  # F2, F4 (F1 unsigned)
    assert method.loc["以商招商", "started_share"] == 0.0
    assert method.loc["驻点招商", "projects"] == 0  # every method of the contract is listed
    assert len(method) == 9 + 1 and pd.isna(method.index[-1])  # and the blank one (F6) last
    origin = pipeline.breakdown(sel, "origin")
    assert list(origin["key"].fillna("(blank)")) == ["省内", "境外", "长三角", "(blank)"]  # F5–F7; F4; F2; F3
    assert list(origin["projects"]) == [3, 1, 1, 1]
    towns = pipeline.breakdown(sel, "township").set_index("key")["projects"].to_dict()
    assert towns == {"青石镇": 4, "柳河镇": 2}


def test_lead_time_medians_by_year_of_the_later_event(build):
    build(
        [
            project(
                "L1",
                "100",
                status="投产",
                signed="2025-01-01",
                started_date="2025-01-11",
                completed_date="2025-03-01",
                production_date="2025-03-12",
            ),  # fmt: skip  10 days to start, 60 to production
            project(
                "L2", "100", status="竣工", signed="2025-02-01", started_date="2025-02-21", completed_date="2025-05-01"
            ),  # 20 days; no production date: 69 days to completion
            project("L3", "100", status="开工", signed="2025-03-01", started_date="2025-04-10"),  # 40 days
            project("L4", "100", status="开工", signed="2025-12-01", started_date="2026-01-10"),  # 40 days, in 2026
            project("L5", "100", status="开工", signed="2026-01-01", started_date="2026-02-01"),  # 31 days
            project(
                "L6", "100", status="开工", signed="2020-01-01", started_date="2025-06-01"
            ),  # an outlier: 1978 days
            project("L7", "100", status="签约", signed="2026-01-01"),  # not started: no lead time
        ]
    )
    df = pipeline.lead_times(Selection(2026, 11))
    got = {(r.span, r.year): (r.projects, r.median_days, r.min_days, r.max_days) for r in df.itertuples()}
    assert got == {
        ("signed_started", 2025): (4, 30.0, 10, 1978),  # 10, 20, 40, 1978: the outlier counts, the median holds
        ("signed_started", 2026): (2, 35.5, 31, 40),
        ("started_production", 2025): (2, 64.5, 60, 69),
    }
    january = pipeline.lead_times(Selection(2026, 1))
    assert january[january["year"] == 2026]["projects"].tolist() == [1]  # L5 starts in February


def test_key_projects_funds_this_year_and_days_in_stage(build):
    build(
        [
            project("K1", "5000", status="开工", signed="2026-01-05", started_date="2026-03-01", key_project="是"),
            project("K2", "9000", status="在谈", signed="", key_project="是"),
            project(
                "K3",
                "100",
                status="投产",
                signed="2025-01-05",
                started_date="2025-02-01",
                completed_date="2026-01-10",
                production_date="2026-06-01",
                key_project="是",
            ),  # fmt: skip
            project("K4", "100", status="签约", signed="2026-09-01", key_project="是"),  # signed after April
            project("N1", "100", status="开工", signed="2026-01-05", started_date="2026-03-01", key_project="否"),
        ],
        [
            {"project_id": "K1", "period": "2025-12", "funds_in_place": "70"},
            {"project_id": "K1", "period": "2026-02", "funds_in_place": "100"},
            {"project_id": "K1", "period": "2026-05", "funds_in_place": "50"},
        ],
    )
    df = pipeline.key_projects(Selection(2026, 4)).set_index("project_id")
    assert list(df.index) == ["K2", "K1", "K3"]  # under way by total investment, then those in production
    assert df.loc["K1", "funds_this_year"] == 100.0  # February only: not 2025, not May
    assert df.loc["K1", "days_in_stage"] == (dt.date(2026, 4, 30) - dt.date(2026, 3, 1)).days
    assert df.loc["K2", "funds_this_year"] == 0.0 and df["days_in_stage"].isna().to_dict() == {
        "K2": True, "K1": False, "K3": True,  # 在谈 has no date; K3's production (June) lies after April
    }  # fmt: skip
    assert pipeline.key_projects(Selection(2026, 6)).set_index("project_id").loc["K3", "days_in_stage"] == 29


@pytest.fixture
def register(build):
    """120 projects in two townships with distinct totals, three of them with wildcard characters in the name."""
    rows = [
        project(
            f"R{i:03d}",
            str(1000 + i),
            township="青石镇" if i % 2 else "柳河镇",
            signed=f"2026-{i % 9 + 1:02d}-01",
            status="签约" if i % 3 else "在谈",
        )  # fmt: skip
        for i in range(120)
    ]
    for row in rows:
        if row["status"] == "在谈":
            row["signed_date"] = ""
    rows[0]["name"], rows[1]["name"], rows[2]["name"], rows[3]["name"] = (
        "增长50%项目",
        "增长500项目",
        "A_B项目",
        "AxB项目",
    )
    rows[5].update(total_investment="3000", responsible_unit="柳河镇")  # a 青石镇 project that 柳河镇 answers for
    build(rows)
    return rows


def test_register_search_takes_wildcards_literally_and_ignores_case(register):
    sel = Selection(2026, 11)

    def names(text: str) -> list[str]:
        q = RegisterQuery(text=text, sort="project_id", descending=False)
        return list(pipeline.register_rows(sel, q)["name"])

    assert names("50%") == ["增长50%项目"]  # % is no wildcard: 增长500项目 does not match
    assert names("a_b") == ["A_B项目"]  # _ is no wildcard (AxB项目), and the case is ignored
    assert names("r11") == [f"项目R11{i}" for i in range(10)]  # the ID, case-insensitive
    assert names(" Ｒ119 ") == ["项目R119"]  # full-width letters as typed, spaces stripped
    assert names("\\") == [] and names("%") == ["增长50%项目"]
    assert pipeline.register_count(sel, RegisterQuery(text="项目")) == 120
    assert pipeline.like_pattern("50%_\\") == "%50\\%\\_\\\\%" and pipeline.like_pattern("  ") == ""


def test_register_filters_status_tier_and_units(register):
    sel = Selection(2026, 11)
    assert pipeline.register_count(sel, RegisterQuery()) == 120
    assert pipeline.register_count(sel, RegisterQuery(status="在谈")) == 40
    assert pipeline.register_count(sel, RegisterQuery(tier="t2")) == 1  # R005 at exactly 3000万
    assert pipeline.register_count(sel, RegisterQuery(tier="t1", status="签约")) == 79
    town = Selection(2026, 11, townships=("柳河镇",))
    ids = set(pipeline.register_rows(town, RegisterQuery())["project_id"])
    assert len(ids) == 61 and "R005" in ids  # its 60 projects and R005, whose responsible unit it is
    assert pipeline.register_count(Selection(2026, 11, industries=("食品加工",)), RegisterQuery()) == 0


def test_register_sorts_and_pages_in_sql(register):
    sel = Selection(2026, 11)
    q = RegisterQuery(sort="total_investment", descending=True)
    everything = pipeline.register_rows(sel, q)
    assert list(everything["total_investment"]) == sorted(everything["total_investment"], reverse=True)
    page2 = pipeline.register_page(sel, q, 2)
    assert list(page2["project_id"]) == list(everything["project_id"].iloc[50:100])  # rows 51–100
    assert len(pipeline.register_page(sel, q, 3)) == 20 and pipeline.pages(120) == 3 and pipeline.pages(0) == 1
    ascending = pipeline.register_page(sel, RegisterQuery(sort="total_investment", descending=False), 1)
    assert list(ascending["project_id"].iloc[:2]) == ["R000", "R001"]
    by_town = RegisterQuery(sort="township", descending=False)  # many ties: broken by project_id, pages never overlap
    pages = [pipeline.register_page(sel, by_town, p)["project_id"] for p in (1, 2, 3)]
    assert sorted(id_ for page in pages for id_ in page) == sorted(everything["project_id"])
    signed = pipeline.register_rows(sel, RegisterQuery(sort="signed_date", descending=False))
    assert signed["signed_date"].iloc[-40:].isna().all()  # blanks last, whatever the direction
    status = pipeline.register_rows(sel, RegisterQuery(sort="status", descending=False))
    assert list(status["status"].iloc[[0, -1]]) == ["在谈", "签约"]  # by stage order, not by the characters
    with pytest.raises(KeyError):
        pipeline.register_page(sel, RegisterQuery(sort="name; DROP TABLE batches"), 1)
