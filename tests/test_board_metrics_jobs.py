"""Jobs from investment against hand-computed fixtures: projects built through the real loader; jobs per 亿元 for
the projects in production (this year and to date), key projects, by industry and township, zero investment."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from board.metrics import jobs
from board.selection import Selection
from tests.clerk_files import loaded, project


def producing(pid: str, total: str, township: str, industry: str, produced: str, planned: str, **kw) -> dict:
    """A project in production on ``produced`` (signed, started and completed a year before)."""
    year = int(produced[:4]) - 1
    dates = {"signed_date": f"{year}-01-10", "started_date": f"{year}-02-10", "completed_date": f"{year}-12-20"}
    row = project(pid, total, township=township, status="投产", signed=dates.pop("signed_date"), industry=industry)
    return row | dates | {"production_date": produced, "planned_jobs": planned} | kw


PROJECTS = [
    producing("A", "20000", "青石镇", "新材料", "2026-05-01", "100", key_project="是"),
    producing("B", "5000", "柳河镇", "新材料", "2026-09-30", "50"),
    # completed in February, no production date: in production by its completion date
    project("C", "10000", township="青石镇", status="竣工", signed="2025-01-10", industry="食品加工",
            started_date="2025-03-01", completed_date="2026-02-01", planned_jobs="30"),
    producing("E", "0", "青石镇", "现代农业", "2026-03-01", "3"),  # no investment recorded as 0
    producing("F", "8000", "柳河镇", "新材料", "2026-04-01", ""),  # planned jobs not recorded
    producing("G", "10000", "青石镇", "新材料", "2025-06-01", "40"),  # in production the year before
    producing("H", "9000", "青石镇", "新材料", "2026-11-15", "70"),  # after the as-of month (October)
    project("S", "30000", township="青石镇", status="开工", signed="2026-01-05", started_date="2026-02-01",
            planned_jobs="500"),  # under construction: not in production
]  # fmt: skip


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = loaded(tmp_path, [("projects", PROJECTS)])
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    return path


def test_jobs_per_yi_of_the_projects_in_production_this_year(db):
    df = jobs.summary(Selection(2026, 10)).set_index("part")
    every, key = df.loc["all"], df.loc["key"]
    assert (every["projects"], every["no_jobs"]) == (5, 1)  # A, B, C, E, F; F without planned jobs
    assert (every["jobs"], every["investment"]) == (183, 35000)  # F's 8000 万元 left out with its blank jobs
    assert every["jobs_per_yi"] == pytest.approx(183 / 3.5)
    assert (key["projects"], key["jobs"], key["jobs_per_yi"]) == (1, 100, 50)


def test_to_date_adds_the_earlier_years(db):
    every = jobs.summary(Selection(2026, 10), "all").set_index("part").loc["all"]
    assert (every["projects"], every["jobs"], every["investment"]) == (6, 223, 45000)
    assert every["jobs_per_yi"] == pytest.approx(223 / 4.5)
    assert jobs.summary(Selection(2026, 11)).set_index("part").loc["all", "jobs"] == 253  # H in November


def test_filters_and_no_investment(db):
    town = jobs.summary(Selection(2026, 10, townships=("柳河镇",))).set_index("part").loc["all"]
    assert (town["jobs"], town["jobs_per_yi"]) == (50, 100)
    farm = jobs.summary(Selection(2026, 10, industries=("现代农业",))).set_index("part")
    assert farm.loc["all", "jobs"] == 3 and math.isnan(farm.loc["all", "jobs_per_yi"])  # 0 invested: no rate
    assert farm.loc["key", "projects"] == 0 and math.isnan(farm.loc["key", "jobs_per_yi"])


def test_industries_ranked_by_jobs_per_yi_and_townships(db):
    df = jobs.by_group(Selection(2026, 10), "industry")
    assert df["key"].tolist() == ["新材料", "食品加工", "现代农业"]  # 60, 30, then the one without a rate
    assert df["jobs_per_yi"].iloc[0] == pytest.approx(150 / 2.5) and df["jobs_per_yi"].iloc[1] == 30
    assert math.isnan(df["jobs_per_yi"].iloc[2])
    towns = jobs.by_group(Selection(2026, 10), "township").set_index("key")
    assert towns.loc["柳河镇", "jobs_per_yi"] == 100 and towns.loc["青石镇", "jobs_per_yi"] == pytest.approx(133 / 3)


def test_the_project_list_most_jobs_first(db):
    df = jobs.projects(Selection(2026, 10))
    assert df["project_id"].tolist() == ["A", "B", "C", "E", "F"]
    assert df["key_project"].tolist() == [True, False, False, False, False]
    assert str(df.loc[2, "in_production_date"])[:10] == "2026-02-01"  # C: its completion date
    assert (
        df.loc[0, "jobs_per_yi"] == 50 and math.isnan(df.loc[3, "jobs_per_yi"]) and math.isnan(df.loc[4, "jobs_per_yi"])
    )


def test_a_basis_outside_the_list_is_refused():
    with pytest.raises(ValueError):
        jobs._params(Selection(2026, 10), "ever")
