"""Ventures (创业): ventures started in the period by type, township and industry; the jobs they created, the
multiplier (jobs per venture), guaranteed start-up loans and their interest subsidy, jobs per 万元 of loan, and
returnee entrepreneurs.

**The period** is the year through the as-of month: a venture counts when its start date (创办日期) lies between 1
January and the last day of the as-of month. A township filter keeps the ventures of the chosen townships, an
industry filter those of the chosen industries; ventures have no park (a park filter does not apply to them).

**Definitions** (DOMAIN.md §5), every ratio NaN ("—" on screen) when its denominator is 0, never 0 or infinity:

- jobs (带动就业, 人) = Σ jobs of the ventures; a blank jobs cell is "not reported", not 0;
- jobs per venture (the multiplier, 人/个) = Σ jobs ÷ the ventures that reported jobs;
- loans (创业担保贷款, 万元) = Σ loan; borrowers = ventures with a loan > 0; interest subsidy (贴息, 万元) = Σ
  loan_subsidy;
- jobs per 万元 of loan (人/万元) = Σ jobs of the ventures with a loan > 0 that reported jobs ÷ Σ their loans;
- returnee ventures: ``returnee_type`` = ventures of type 返乡创业 (what the catalogue metric ``returnee_ventures``
  counts; its headline against the target comes from board.metrics.progress, not from here), and
  ``by_returnee`` = ventures whose founder's person_key is in the returnee registry (any type), with
  ``returnee_founders`` the distinct such founders (persons) and ``returnee_jobs`` the jobs of their ventures. The registry is joined in the warehouse: no person
  row leaves it.

Money in 万元, jobs and founders in 人 (counts of persons: pages show them with kind ``people``), ventures in 个.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from board import db
from board.metrics.projects import as_of_date
from board.selection import Selection
from etl.contracts import VENTURE_TYPES

RETURNEE_TYPE = "返乡创业"
# A breakdown's name → the v_ventures column it groups by (identifiers from code only).
BREAKDOWNS: dict[str, str] = {"venture_type": "venture_type", "township": "township", "industry": "industry"}
SUMS = ("ventures", "jobs_reported", "jobs", "borrowers", "loan", "loan_subsidy", "loan_jobs", "loan_with_jobs")
SUMS += ("investment", "returnee_type", "by_returnee", "returnee_founders", "returnee_jobs")

# The selected ventures of the period, the CTE ``picked``: $1 townships, $2 industries (empty = all), $3 first
# day, $4 last day of the period. ``is_returnee``: the founder is in the returnee registry (the semi-join kept at
# load time as the rollup venture_returnees, etl.people_rollups).
_PICKED = """picked AS (
  SELECT v.*, v.venture_id IN (SELECT venture_id FROM venture_returnees) AS is_returnee
  FROM v_ventures v
  WHERE v.start_date BETWEEN $3 AND $4
    AND (len($1::VARCHAR[]) = 0 OR list_contains($1::VARCHAR[], v.township))
    AND (len($2::VARCHAR[]) = 0 OR list_contains($2::VARCHAR[], v.industry)))"""
# The sums of a group of ventures (SUMS, in order).
_SUMS_SQL = """count(*) AS ventures, count(jobs) AS jobs_reported, coalesce(sum(jobs), 0) AS jobs,
  count(*) FILTER (WHERE loan > 0) AS borrowers, coalesce(sum(loan), 0) AS loan,
  coalesce(sum(loan_subsidy), 0) AS loan_subsidy,
  coalesce(sum(jobs) FILTER (WHERE loan > 0), 0) AS loan_jobs,
  coalesce(sum(loan) FILTER (WHERE loan > 0 AND jobs IS NOT NULL), 0) AS loan_with_jobs,
  coalesce(sum(investment), 0) AS investment,
  count(*) FILTER (WHERE venture_type = $5) AS returnee_type,
  count(*) FILTER (WHERE is_returnee) AS by_returnee,
  count(DISTINCT person_key) FILTER (WHERE is_returnee) AS returnee_founders,
  coalesce(sum(jobs) FILTER (WHERE is_returnee), 0) AS returnee_jobs"""
# Grain: one row (the whole selection).
_SUMMARY_SQL = "WITH " + _PICKED + "\nSELECT " + _SUMS_SQL + "\nFROM picked"  # noqa: S608 -- constant fragments
# One text per breakdown. Grain: one row per value of the column among the period's ventures (NULL: not recorded).
_BREAKDOWN_SQL: dict[str, str] = {
    by: "WITH "  # noqa: S608 -- the column comes from BREAKDOWNS; every value is a bound parameter
    + _PICKED
    + "\nSELECT "
    + column
    + " AS key, "
    + _SUMS_SQL
    + "\nFROM picked GROUP BY 1"
    for by, column in BREAKDOWNS.items()
}


def ratio(num: pd.Series | float, den: pd.Series | float):
    """num ÷ den, NaN where den is 0 or missing (never infinity or 0 for "no denominator")."""
    if isinstance(den, pd.Series):
        d = pd.to_numeric(den, errors="coerce").astype("float64")
        return (pd.to_numeric(num, errors="coerce").astype("float64") / d.where(d > 0)).astype("float64")
    return float(num) / float(den) if den and not np.isnan(den) else np.nan


def _with_ratios(df: pd.DataFrame) -> pd.DataFrame:
    df = df.astype({c: "float64" for c in SUMS})
    df["jobs_per_venture"] = ratio(df["jobs"], df["jobs_reported"])
    df["jobs_per_loan"] = ratio(df["loan_jobs"], df["loan_with_jobs"])
    return df


def _params(sel: Selection, year: int | None = None) -> list:
    year = sel.year if year is None else year
    last = as_of_date(Selection(year, sel.month))
    return [list(sel.townships), list(sel.industries), dt.date(year, 1, 1), last, RETURNEE_TYPE]


@db.cached
def summary(sel: Selection) -> pd.DataFrame:
    """The period's ventures and the same months of the year before.

    Grain: one row per year (the selection's year, then the year before). Columns: year, the SUMS (ventures,
    jobs_reported = ventures that reported jobs, jobs, borrowers, loan, loan_subsidy, loan_jobs = jobs of the
    borrowers, loan_with_jobs = loans of the borrowers that reported jobs, investment, returnee_type,
    by_returnee, returnee_founders, returnee_jobs = jobs of the ventures founded by a
    registered returnee), jobs_per_venture (人/个) and jobs_per_loan (人/万元), NaN without a denominator.
    """
    rows = [
        db.query(_SUMMARY_SQL, _params(sel, year)).assign(year=year) for year in (sel.year, sel.year - 1)
    ]  # fmt: skip
    df = pd.concat(rows, ignore_index=True)
    return _with_ratios(df[["year", *SUMS]])


@db.cached
def breakdown(sel: Selection, by: str) -> pd.DataFrame:
    """The period's ventures by ``by`` (a key of BREAKDOWNS: venture_type, township or industry).

    Grain: one row per value with ventures; by type every type of the contract is listed (none started: 0), in
    the contract's order; otherwise most ventures first (then most jobs, then the name), the blank value last.
    Columns: key (NA: not recorded), the SUMS and ratios of :func:`summary` (without year).
    """
    df = db.query(_BREAKDOWN_SQL[by], _params(sel))
    if by == "venture_type":
        df = pd.DataFrame({"key": list(VENTURE_TYPES)}).merge(df, on="key", how="left").fillna(dict.fromkeys(SUMS, 0))
        return _with_ratios(df).reset_index(drop=True)
    df = _with_ratios(df)
    df["blank"] = df["key"].isna()
    order = ["blank", "ventures", "jobs", "key"]
    df = df.sort_values(order, ascending=[True, False, False, True], na_position="last", kind="stable")
    return df.drop(columns="blank").reset_index(drop=True)
