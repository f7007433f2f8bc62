"""Jobs from investment (投资带动就业): how many jobs each 亿元 invested brings, for the projects in production.

**Projects in production** (DOMAIN.md §5) are those whose production date, else completion date, lies in the
period (the set the catalogue metric ``projects_in_production`` counts): with ``basis`` "year" the selection's year
through the end of the as-of month; with "all", every project in production by then (累计).

**Jobs per 亿元** (人/亿元) = Σ planned_jobs ÷ (Σ total_investment ÷ 10,000), over the projects in production that
recorded their planned jobs (a blank 计划用工 is "not recorded": such a project is left out of both sums and
counted in ``no_jobs``). NaN ("—") when that investment is 0.

A township or park filter keeps the projects that answer to a selected unit (v_project_units: township, park or
responsible unit, the rule of the facts); an industry filter keeps the projects of the chosen industries (the
selection CTE of board.metrics.pipeline). Money in 万元, jobs in 人 (planned positions: counts of persons).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from board import db
from board.metrics.pipeline import _SELECTED, _units
from board.metrics.projects import as_of_date
from board.selection import Selection

BASES: tuple[str, ...] = ("year", "all")  # 当年投产 | 累计投产
EVER = dt.date(1900, 1, 1)  # the first day of "all"
YI = 10_000.0  # 万元 per 亿元
GROUPS: dict[str, str] = {"industry": "industry", "township": "township"}  # breakdown → v_projects column

# The projects in production in the period, the CTE ``producing``: $4 first day, $5 last day.
_PRODUCING = (
    _SELECTED  # noqa: S608 -- constant fragments; every value is a bound parameter
    + """,
producing AS (
  SELECT *, coalesce(production_date, completed_date) AS in_production_date FROM selected
  WHERE coalesce(production_date, completed_date) BETWEEN $4 AND $5)"""
)
_SUMS = """count(*) AS projects, count(*) FILTER (WHERE planned_jobs IS NULL) AS no_jobs,
  coalesce(sum(planned_jobs), 0) AS jobs,
  coalesce(sum(total_investment) FILTER (WHERE planned_jobs IS NOT NULL), 0) AS investment"""
# Grain: one row per group of all (key), or of the key projects only.
_SUMMARY_SQL = (
    "WITH "  # noqa: S608 -- constant fragments
    + _PRODUCING
    + "\nSELECT 'all' AS part, "
    + _SUMS
    + " FROM producing\nUNION ALL SELECT 'key', "
    + _SUMS
    + " FROM producing WHERE key_project ORDER BY part"
)
# One text per breakdown. Grain: one row per value of the column among the projects in production.
_GROUP_SQL: dict[str, str] = {
    by: "WITH " + _PRODUCING + "\nSELECT " + column + " AS key, " + _SUMS + "\nFROM producing GROUP BY 1"  # noqa: S608
    for by, column in GROUPS.items()
}
# Grain: one row per project in production; most planned jobs first.
_PROJECTS_SQL = (
    "WITH "  # noqa: S608 -- constant fragments
    + _PRODUCING
    + """
SELECT project_id, name, township, park, industry, coalesce(key_project, false) AS key_project, total_investment,
       planned_jobs, in_production_date
FROM producing ORDER BY planned_jobs DESC NULLS LAST, total_investment DESC, project_id"""
)


def per_yi(jobs: pd.Series, investment: pd.Series) -> pd.Series:
    """Jobs per 亿元: jobs ÷ (investment in 万元 ÷ 10,000); NaN where the investment is 0 or missing."""
    inv = pd.to_numeric(investment, errors="coerce").astype("float64")
    return (pd.to_numeric(jobs, errors="coerce").astype("float64") / (inv.where(inv > 0) / YI)).astype("float64")


def _params(sel: Selection, basis: str) -> list:
    if basis not in BASES:
        raise ValueError(basis)
    first = dt.date(sel.year, 1, 1) if basis == "year" else EVER
    return [*_units(sel), first, as_of_date(sel)]


def _with_rate(df: pd.DataFrame) -> pd.DataFrame:
    df = df.astype({"projects": "int64", "no_jobs": "int64", "jobs": "float64", "investment": "float64"})
    df["jobs_per_yi"] = per_yi(df["jobs"], df["investment"])
    return df


@db.cached
def summary(sel: Selection, basis: str = "year") -> pd.DataFrame:
    """The projects in production: all of them and the key projects (重点项目) among them.

    Grain: one row per part ('all', 'key'). Columns: part, projects (count), no_jobs (of them, without planned
    jobs), jobs (Σ planned jobs, 人), investment (Σ total investment of those with planned jobs, 万元),
    jobs_per_yi (人/亿元; NaN without investment).
    """
    return _with_rate(db.query(_SUMMARY_SQL, _params(sel, basis))).set_index("part").loc[["all", "key"]].reset_index()


@db.cached
def by_group(sel: Selection, by: str, basis: str = "year") -> pd.DataFrame:
    """The projects in production by ``by`` (industry or township).

    Grain: one row per value with projects in production; the most jobs per 亿元 first (those without a rate
    last, then by jobs and name). Columns: key, the columns of :func:`summary` (without part).
    """
    df = _with_rate(db.query(_GROUP_SQL[by], _params(sel, basis)))
    df["no_rate"] = df["jobs_per_yi"].isna()
    order = ["no_rate", "jobs_per_yi", "jobs", "key"]
    df = df.sort_values(order, ascending=[True, False, False, True], na_position="last", kind="stable")
    return df.drop(columns="no_rate").reset_index(drop=True)


@db.cached
def projects(sel: Selection, basis: str = "year") -> pd.DataFrame:
    """The projects in production, one row per project, most planned jobs first. Columns: project_id, name,
    township, park, industry, key_project (bool), total_investment (万元), planned_jobs (人; NA when not
    recorded), in_production_date (production date, else completion date), jobs_per_yi (人/亿元)."""
    df = db.query(_PROJECTS_SQL, _params(sel, basis))
    df["jobs_per_yi"] = per_yi(df["planned_jobs"], df["total_investment"])
    return df
