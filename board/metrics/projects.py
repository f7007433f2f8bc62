"""Investment projects one by one: the stalled lists (the seeds' 重签约轻落地) and a single project's record.

A township or park filter keeps the projects that answer to a selected unit (v_project_units, the same
rule as the facts); an industry filter keeps projects of the selected industries. Dates are as of the end
of the as-of month. Money in 万元.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from board import db
from board.selection import Selection

# Grain: one row per stalled project. Stalled = status 停滞; or status 签约, not started, signed more than
# ``days`` days before the as-of day; or status 开工, started before the window of the last ``months`` months
# (the as-of month included) and no funds in place in it. ``days_stuck``: since signing (not started), since
# the last month with funds or else the start (no funds), since the latest funds or stage date (停滞).
_STALLED_SQL = """
WITH p AS (SELECT ?::DATE AS as_of_day, ?::INTEGER AS days, ?::INTEGER AS months, ?::VARCHAR[] AS towns,
                  ?::VARCHAR[] AS inds, ?::VARCHAR[] AS parks, ?::VARCHAR AS st_stalled, ?::VARCHAR AS st_signed,
                  ?::VARCHAR AS st_started),
w AS (SELECT strftime(as_of_day - to_months(months - 1), '%Y-%m') AS first_period,
             strftime(as_of_day, '%Y-%m') AS last_period,
             date_trunc('month', as_of_day - to_months(months - 1))::DATE AS first_day FROM p),
last_funds AS (
  SELECT f.project_id, max(f.period) AS period FROM v_funding f, p
  WHERE f.funds_in_place > 0 AND f.period <= strftime(p.as_of_day, '%Y-%m') GROUP BY f.project_id),
funded AS (SELECT DISTINCT f.project_id FROM v_funding f, w
           WHERE f.funds_in_place > 0 AND f.period BETWEEN w.first_period AND w.last_period),
picked AS (
  SELECT pr.*, lf.period AS last_funds_period,
         last_day(strptime(lf.period || '-01', '%Y-%m-%d'))::DATE AS last_funds_day,
         CASE WHEN pr.status = p.st_stalled THEN 'status'
              WHEN pr.status = p.st_signed THEN 'not_started' ELSE 'no_funds' END AS reason,
         p.as_of_day
  FROM v_projects pr CROSS JOIN p CROSS JOIN w LEFT JOIN last_funds lf USING (project_id)
  WHERE (len(p.towns) = 0 OR EXISTS (SELECT 1 FROM v_project_units u
                                     WHERE u.project_id = pr.project_id AND list_contains(p.towns, u.unit)))
    AND (len(p.parks) = 0 OR EXISTS (SELECT 1 FROM v_project_units u
                                     WHERE u.project_id = pr.project_id AND list_contains(p.parks, u.unit)))
    AND (len(p.inds) = 0 OR list_contains(p.inds, pr.industry))
    AND (pr.status = p.st_stalled
         OR (pr.status = p.st_signed AND pr.started_date IS NULL AND pr.signed_date < p.as_of_day - to_days(p.days))
         OR (pr.status = p.st_started AND pr.started_date < w.first_day
             AND pr.project_id NOT IN (SELECT project_id FROM funded))))
SELECT project_id, name, township, park, industry, responsible_unit, lead_person, status, total_investment,
       signed_date, started_date, last_funds_period, reason,
       date_diff('day', CASE reason
           WHEN 'not_started' THEN signed_date
           WHEN 'no_funds' THEN coalesce(last_funds_day, started_date)
           ELSE greatest(last_funds_day, signed_date, started_date, completed_date, production_date) END,
         as_of_day) AS days_stuck
FROM picked
ORDER BY days_stuck DESC NULLS LAST, project_id"""


def as_of_date(sel: Selection) -> dt.date:
    """The last day of the as-of month."""
    nxt = dt.date(sel.year + sel.month // 12, sel.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


@db.cached
def stalled_projects(sel: Selection, signed_days: int, no_funds_months: int) -> pd.DataFrame:
    """Stalled projects at the end of the as-of month (the 三未 lists), filters applied.

    Grain: one row per project. Columns: project_id, name, township, park, industry, responsible_unit,
    lead_person, status, total_investment (万元), signed_date, started_date, last_funds_period ('YYYY-MM' of
    the last month with funds in place, NA when none), reason (status | not_started | no_funds), days_stuck.
    """
    params = [as_of_date(sel), signed_days, no_funds_months, list(sel.townships), list(sel.industries)]
    params += [list(sel.parks), "停滞", "签约", "开工"]
    return db.query(_STALLED_SQL, params)


# A township scope (the last parameter, a list; empty = every township): a project is in it when it answers to
# one of the scope's townships (v_project_units, the rule of the township filter).
_IN_SCOPE = """(len(?::VARCHAR[]) = 0 OR project_id IN (SELECT project_id FROM v_project_units
                                                     WHERE list_contains(?::VARCHAR[], unit)))"""
_PROJECT_SQL = (
    """SELECT project_id, name, investor, investor_origin, township, park, industry, method,
  responsible_unit, lead_person, total_investment, contract_investment, foreign_contract, status, signed_date,
  started_date, completed_date, production_date, land_mu, standard_factory, planned_jobs, key_project, size_tier
FROM v_projects WHERE project_id = ? AND """
    + _IN_SCOPE
)  # noqa: S608 -- constant fragments
_FUNDS_SQL = (
    """SELECT period, year, month, funds_in_place, out_of_province, foreign_actual, fixed_asset_investment
FROM v_funding WHERE project_id = ? AND """
    + _IN_SCOPE
    + " ORDER BY period"
)  # noqa: S608 -- constant fragments
# Search by ID or name: an exact ID first, then IDs and names containing the text (wildcards escaped).
_SEARCH_SQL = (
    "SELECT project_id, name, township, status, total_investment FROM v_projects "  # noqa: S608 -- constants
    + r"WHERE (project_id ILIKE ? ESCAPE '\' OR name ILIKE ? ESCAPE '\') AND "
    + _IN_SCOPE
    + "\nORDER BY project_id <> ?, project_id LIMIT ?"
)


@db.cached
def project(project_id: str, scope: tuple[str, ...] = ()) -> dict | None:
    """One project's record (v_projects, money in 万元), or None when there is no such project, or it answers
    to none of the townships of ``scope`` (a township-restricted account's Selection.scope; () = all)."""
    df = db.query(_PROJECT_SQL, [project_id, list(scope), list(scope)])
    return None if df.empty else df.iloc[0].to_dict()


@db.cached
def project_funds(project_id: str, scope: tuple[str, ...] = ()) -> pd.DataFrame:
    """Grain: one row per month with a funding record of the project: period, year, month, funds_in_place,
    out_of_province, fixed_asset_investment (万元), foreign_actual (万美元), cumulative (funds in place). Empty
    when the project is outside ``scope`` (as :func:`project`)."""
    df = db.query(_FUNDS_SQL, [project_id, list(scope), list(scope)])
    df["cumulative"] = df["funds_in_place"].cumsum()
    return df


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@db.cached
def search_projects(text: str, limit: int = 50, scope: tuple[str, ...] = ()) -> pd.DataFrame:
    """Projects whose ID or name contains ``text`` (case-insensitive), an exact ID first, within ``scope`` (as
    :func:`project`). Grain: one row per project: project_id, name, township, status, total_investment (万元)."""
    pattern = _like(text.strip())
    return db.query(_SEARCH_SQL, [pattern, pattern, list(scope), list(scope), text.strip(), limit])
