"""The project pipeline (项目推进), the key projects (重点项目) and the project register (项目库): read side.

Every function takes the sidebar's Selection. A township or park filter keeps the projects that answer to a
selected unit (v_project_units: their township, park or responsible unit, the same rule as the facts); an
industry filter keeps the projects of the selected industries. Money is in 万元 (total_investment,
contract_investment, funds in place), durations in calendar days, counts in projects.

**The period** is the year through the as-of month: 1 January to ``as_of``, the last day of the as-of month
(board.metrics.projects.as_of_date). "Projects signed in the period" have a signing date in it.

**Stages** are the first five project statuses (etl.contracts.PROJECT_STATUSES): 在谈 → 签约 → 开工 → 竣工 →
投产; 停滞 and 终止 are leaks. Stage dates are in order (signed ≤ started ≤ completed ≤ production: a
contract rule), so a project *reached* a stage by a day when the date of that stage, or of any later one, is
on or before it. The status is today's: it has no date, so "in negotiation", "stalled" and "terminated" are
as the latest file says, whatever the as-of month.

SQL lives here only, as constant texts with bound parameters (DuckDB's numbered ``$n``). The only SQL put
together in code are the register's ORDER BY clauses, one text per whitelisted column of :data:`SORTS`
(identifiers from this module, never from user input).
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass

import pandas as pd

from board import db
from board.metrics import facts
from board.metrics.projects import as_of_date
from board.selection import Selection
from etl.contracts import METHODS, PROJECT_STATUSES, SIZE_TIERS

NEGOTIATING, SIGNED, STARTED, COMPLETED, IN_PRODUCTION, STALLED, TERMINATED = PROJECT_STATUSES
STAGES: tuple[str, ...] = PROJECT_STATUSES[:5]  # the funnel, in order
LEAKS: tuple[str, ...] = (STALLED, TERMINATED)  # shown beside it
TIERS: tuple[str, ...] = tuple(code for code, _, _, _ in SIZE_TIERS)
# A breakdown's URL value → the v_projects column it groups by (identifiers from code only).
BREAKDOWNS: dict[str, str] = {
    "township": "township",
    "industry": "industry",
    "origin": "investor_origin",
    "method": "method",
}
SPANS: tuple[str, ...] = ("signed_started", "started_production")  # the stage lead times
PAGE_SIZE = 50  # register rows per page
# The register's sortable columns: sort key → the SQL expression it orders by (a status by its stage order).
SORTS: dict[str, str] = {
    "signed_date": "signed_date",
    "project_id": "project_id",
    "name": "name",
    "township": "township",
    "park": "park",
    "industry": "industry",
    "status": "stage_order",
    "size_tier": "size_tier",
    "total_investment": "total_investment",
    "contract_investment": "contract_investment",
    "started_date": "started_date",
    "completed_date": "completed_date",
    "production_date": "production_date",
    "lead_person": "lead_person",
}


def period_start(sel: Selection) -> dt.date:
    """The first day of the period: 1 January of the selection's year."""
    return dt.date(sel.year, 1, 1)


def _units(sel: Selection) -> list:
    """The parameters $1–$3 of every query here: townships, parks, industries."""
    return [list(sel.townships), list(sel.parks), list(sel.industries)]


# The selected projects, the CTE ``selected`` of every query below. Grain: one row per project (v_projects).
# Parameters: $1 townships, $2 parks, $3 industries (each a list; empty = no filter). Bound directly rather than
# through a parameter CTE: DuckDB then skips the v_project_units subqueries of an empty list.
_SELECTED = """selected AS (
  SELECT pr.* FROM v_projects pr
  WHERE (len($1::VARCHAR[]) = 0
         OR pr.project_id IN (SELECT project_id FROM v_project_units WHERE list_contains($1::VARCHAR[], unit)))
    AND (len($2::VARCHAR[]) = 0
         OR pr.project_id IN (SELECT project_id FROM v_project_units WHERE list_contains($2::VARCHAR[], unit)))
    AND (len($3::VARCHAR[]) = 0 OR list_contains($3::VARCHAR[], pr.industry)))"""

# One row: per stage, the cohort's projects that reached it by $5 and their total investment; the leaks.
# $4 first day of the period, $5 as-of day, $6 在谈, $7 停滞, $8 终止.
_FUNNEL_SQL = (
    "WITH "  # noqa: S608 -- constant fragments of this module; every value is a bound parameter
    + _SELECTED
    + """,
cohort AS (
  SELECT total_investment AS amount, status,
         least(signed_date, started_date, completed_date, production_date) <= $5 AS signed,
         least(started_date, completed_date, production_date) <= $5 AS started,
         least(completed_date, production_date) <= $5 AS completed,
         production_date <= $5 AS in_production
  FROM selected
  WHERE signed_date BETWEEN $4 AND $5 OR status = $6)
SELECT count(*) AS n0, coalesce(sum(amount), 0) AS a0,
       count(*) FILTER (WHERE signed) AS n1, coalesce(sum(amount) FILTER (WHERE signed), 0) AS a1,
       count(*) FILTER (WHERE started) AS n2, coalesce(sum(amount) FILTER (WHERE started), 0) AS a2,
       count(*) FILTER (WHERE completed) AS n3, coalesce(sum(amount) FILTER (WHERE completed), 0) AS a3,
       count(*) FILTER (WHERE in_production) AS n4, coalesce(sum(amount) FILTER (WHERE in_production), 0) AS a4,
       count(*) FILTER (WHERE status = $7) AS n5, coalesce(sum(amount) FILTER (WHERE status = $7), 0) AS a5,
       count(*) FILTER (WHERE status = $8) AS n6, coalesce(sum(amount) FILTER (WHERE status = $8), 0) AS a6
FROM cohort"""
)

# One row per size tier with projects signed in the period: tier, projects, amount. $4 first day, $5 as-of day.
_TIERS_SQL = (
    "WITH "  # noqa: S608 -- constant fragments of this module; every value is a bound parameter
    + _SELECTED
    + """
SELECT size_tier AS tier, count(*) AS projects, sum(total_investment) AS amount
FROM selected WHERE signed_date BETWEEN $4 AND $5 GROUP BY size_tier"""
)

# One text per breakdown (the grouping column from BREAKDOWNS). One row per value of the column among the
# projects signed in the period: key, projects, amount, contract, started (reached 开工 by $5).
_BREAKDOWN_SQL: dict[str, str] = {
    by: "WITH "  # noqa: S608 -- the column comes from BREAKDOWNS; every value is a bound parameter
    + _SELECTED
    + "\nSELECT "
    + column
    + """ AS key, count(*) AS projects, sum(total_investment) AS amount, sum(contract_investment) AS contract,
       count(*) FILTER (WHERE least(started_date, completed_date, production_date) <= $5) AS started
FROM selected WHERE signed_date BETWEEN $4 AND $5
GROUP BY 1"""
    for by, column in BREAKDOWNS.items()
}

# One row per span and year of the later event (through $4): projects, median, min and max days.
_LEAD_TIMES_SQL = (
    "WITH "  # noqa: S608 -- constant fragments of this module; every value is a bound parameter
    + _SELECTED
    + """,
spans AS (
  SELECT 'signed_started' AS span, started_date AS later, date_diff('day', signed_date, started_date) AS days
  FROM selected WHERE signed_date IS NOT NULL AND started_date IS NOT NULL
  UNION ALL
  SELECT 'started_production', coalesce(production_date, completed_date),
         date_diff('day', started_date, coalesce(production_date, completed_date))
  FROM selected WHERE started_date IS NOT NULL AND coalesce(production_date, completed_date) IS NOT NULL)
SELECT span, year(later) AS year, count(*) AS projects, median(days) AS median_days, min(days) AS min_days,
       max(days) AS max_days
FROM spans WHERE later <= $4 GROUP BY ALL ORDER BY span, year"""
)

# One row per key project. $4 year, $5 as-of month, $6 as-of day, $7–$11 the statuses 签约, 开工, 竣工, 投产, 终止.
_KEY_SQL = (
    "WITH "  # noqa: S608 -- constant fragments of this module; every value is a bound parameter
    + _SELECTED
    + """,
funds AS (SELECT project_id, sum(funds_in_place) AS funds FROM v_funding WHERE year = $4 AND month <= $5
          GROUP BY project_id),
staged AS (
  SELECT s.*, coalesce(f.funds, 0) AS funds_this_year,
         CASE s.status WHEN $7 THEN s.signed_date WHEN $8 THEN s.started_date WHEN $9 THEN s.completed_date
                       WHEN $10 THEN s.production_date END AS stage_date
  FROM selected s LEFT JOIN funds f USING (project_id)
  WHERE s.key_project AND (s.signed_date IS NULL OR s.signed_date <= $6))
SELECT project_id, name, township, park, industry, responsible_unit, lead_person, status, total_investment,
       funds_this_year, stage_date,
       CASE WHEN stage_date <= $6 THEN date_diff('day', stage_date, $6) END AS days_in_stage
FROM staged ORDER BY status IN ($10, $11), total_investment DESC, project_id"""
)

# The register's filtered projects, the CTE ``found``: $4 search pattern ('' = none; ILIKE, backslash escapes),
# $5 status ('' = any), $6 size tier ('' = any).
_FOUND = (
    _SELECTED  # noqa: S608 -- constant fragments of this module; every value is a bound parameter
    + r""",
found AS (
  SELECT * FROM selected
  WHERE ($4::VARCHAR = '' OR name ILIKE $4 ESCAPE '\' OR project_id ILIKE $4 ESCAPE '\')
    AND ($5::VARCHAR = '' OR status = $5) AND ($6::VARCHAR = '' OR size_tier = $6))"""
)
_REGISTER_COUNT_SQL = "WITH " + _FOUND + "\nSELECT count(*) AS n FROM found"  # noqa: S608 -- constant fragments
_REGISTER_COLUMNS = """project_id, name, township, park, industry, status, size_tier, total_investment,
       contract_investment, signed_date, started_date, completed_date, production_date, lead_person, responsible_unit,
       list_position($7::VARCHAR[], status) AS stage_order"""
# One text per sort column and direction: $7 the statuses in stage order, $8 LIMIT (NULL = all), $9 OFFSET.
# Ties (and blanks, always last) are broken by project_id, so pages never overlap.
_REGISTER_SQL: dict[tuple[str, bool], str] = {
    (key, desc): "WITH "  # noqa: S608 -- the expression comes from SORTS; every value is a bound parameter
    + _FOUND
    + "\nSELECT "
    + _REGISTER_COLUMNS
    + "\nFROM found ORDER BY "
    + expr
    + (" DESC" if desc else " ASC")
    + " NULLS LAST, project_id LIMIT $8 OFFSET $9"
    for key, expr in SORTS.items()
    for desc in (False, True)
}


@db.cached
def funnel(sel: Selection) -> pd.DataFrame:
    """The stage funnel of the period's cohort, with its leaks.

    Cohort: the selected projects signed in the period (1 January through the as-of day) plus those whose
    status is 在谈 now (negotiation has no date). A stage counts a cohort project that reached it by the end
    of the as-of month (its date, or a later stage's, on or before that day); 在谈 counts the whole cohort.
    Leaks: cohort projects whose status is 停滞 or 终止 now (they also count in the stages they reached).

    Grain: one row per stage (STAGES, in order) then per leak (LEAKS). Columns: stage (the status word),
    kind ('stage' | 'leak'), projects (count), amount (Σ total investment, 万元), of_cohort (projects ÷ the
    cohort), of_previous (projects ÷ the previous stage's; NaN for the first stage and the leaks).
    """
    as_of = as_of_date(sel)
    params = [*_units(sel), period_start(sel), as_of, NEGOTIATING, STALLED, TERMINATED]
    row = db.query(_FUNNEL_SQL, params).iloc[0]
    out = pd.DataFrame(
        {
            "stage": [*STAGES, *LEAKS],
            "kind": ["stage"] * len(STAGES) + ["leak"] * len(LEAKS),
            "projects": [int(row[f"n{i}"]) for i in range(7)],
            "amount": [float(row[f"a{i}"]) for i in range(7)],
        }
    )
    cohort = out["projects"].iloc[0]
    out["of_cohort"] = out["projects"] / cohort if cohort else math.nan
    previous = out["projects"].shift(1).where(out["kind"] == "stage")
    out["of_previous"] = (out["projects"] / previous).where(previous > 0)
    return out.astype({"of_cohort": "float64", "of_previous": "float64"})


def starts(sel: Selection) -> pd.DataFrame:
    """Newly started projects against projects under construction including carry-over (上年接转), from the
    catalogue metrics ``projects_started_new`` and ``projects_started`` summed in board.metrics.facts.

    Grain: one row per measure: new (newly started in the period), carry_over (started in an earlier year and
    still under construction in this one: under construction − newly started, which is exact because both
    count a project started this year in its start month and a carried-over one in January), under_construction
    (the catalogue's 开工项目). Columns: measure, actual (projects, 1 January through the as-of month), prior
    (the same months of the year before).
    """
    sums, unit = facts.sums(sel, ("projects_started_new", "projects_started"), {})
    rows = []
    for measure in ("new", "carry_over", "under_construction"):
        row: dict[str, object] = {"measure": measure}
        for col, year in (("actual", sel.year), ("prior", sel.year - 1)):
            new = float(sums.get((unit, "projects_started_new", year), 0.0))
            all_ = float(sums.get((unit, "projects_started", year), 0.0))
            row[col] = {"new": new, "carry_over": all_ - new, "under_construction": all_}[measure]
        rows.append(row)
    return pd.DataFrame(rows, columns=["measure", "actual", "prior"])


@db.cached
def tiers(sel: Selection) -> pd.DataFrame:
    """The projects signed in the period by size tier (etl.contracts.SIZE_TIERS on total investment; a
    boundary belongs to the upper tier: exactly 3000万 is 3000万–1亿, exactly 1亿 is 1–3亿).

    Grain: one row per tier, all six in order (none signed: 0). Columns: tier (code t1…t6), projects (count),
    amount (Σ total investment, 万元), share (of the projects), amount_share (of the amount).
    """
    df = db.query(_TIERS_SQL, [*_units(sel), period_start(sel), as_of_date(sel)])
    out = pd.DataFrame({"tier": list(TIERS)}).merge(df, on="tier", how="left").fillna({"projects": 0, "amount": 0.0})
    out = out.astype({"projects": "int64", "amount": "float64"})
    n, total = out["projects"].sum(), out["amount"].sum()
    out["share"] = out["projects"] / n if n else math.nan
    out["amount_share"] = out["amount"] / total if total else math.nan
    return out


@db.cached
def breakdown(sel: Selection, by: str) -> pd.DataFrame:
    """The projects signed in the period by township, industry, investor origin (客商来源地, as recorded) or
    attraction method (招商方式); ``by`` is a key of BREAKDOWNS.

    Grain: one row per value, most projects first (then the larger amount, then the name), the blank one (key
    missing) last; by method, every method of the contract is listed (none signed: 0). Columns: key, projects (count), amount (Σ total investment, 万元),
    contract (Σ contract investment, 万元), started (projects that reached 开工 by the end of the as-of month),
    started_share (started ÷ projects).
    """
    df = db.query(_BREAKDOWN_SQL[by], [*_units(sel), period_start(sel), as_of_date(sel)])
    if by == "method":
        missing = [m for m in METHODS if m not in set(df["key"])]
        zeros = pd.DataFrame({"key": missing, "projects": 0, "amount": 0.0, "contract": 0.0, "started": 0})
        df = pd.concat([df, zeros], ignore_index=True) if missing else df
    df = df.astype({"projects": "int64", "started": "int64", "amount": "float64", "contract": "float64"})
    df["started_share"] = (df["started"] / df["projects"]).where(df["projects"] > 0)
    df["blank"] = df["key"].isna()
    order = ["blank", "projects", "amount", "key"]
    df = df.sort_values(order, ascending=[True, False, False, True], na_position="last", kind="stable")
    return df.drop(columns="blank").reset_index(drop=True)


@db.cached
def lead_times(sel: Selection) -> pd.DataFrame:
    """Stage lead times of the selected projects: signed → started, and started → production (the production
    date, else the completion date), by the year of the later event, through the end of the as-of month.

    Every project with both dates counts; outliers are not removed (the median is robust to them; min and max
    show how far they go). Grain: one row per span (SPANS) and year. Columns: span, year, projects (count),
    median_days, min_days, max_days (calendar days).
    """
    df = db.query(_LEAD_TIMES_SQL, [*_units(sel), as_of_date(sel)])
    return df.astype({"year": "int64", "projects": "int64", "median_days": "float64"})


@db.cached
def key_projects(sel: Selection) -> pd.DataFrame:
    """The key projects (key_project = true) of the selection, signed by the as-of day or not signed yet.

    Grain: one row per project: those still under way first (status other than 投产 and 终止), then those, each
    group by total investment, largest first. Columns: project_id, name, township, park, industry,
    responsible_unit, lead_person, status, total_investment (万元), funds_this_year (Σ funds in place of the
    selection's year through the as-of month, v_funding, 万元; 0 when none), stage_date (the date of the stage the
    status names: 签约 → signed, 开工 → started, 竣工 → completed, 投产 → production; none for 在谈, 停滞, 终止),
    days_in_stage (days from stage_date to the end of the as-of month; NA without a stage date or when that date
    lies after the as-of day, the status being today's).
    """
    as_of = as_of_date(sel)
    params = [*_units(sel), sel.year, sel.month, as_of, SIGNED, STARTED, COMPLETED, IN_PRODUCTION, TERMINATED]
    return db.query(_KEY_SQL, params)


@dataclass(frozen=True)
class RegisterQuery:
    """The register's own filters and order: ``text`` searched in name and ID (case-insensitive, as typed:
    % and _ are plain characters), ``status`` (a PROJECT_STATUSES word, "" = any), ``tier`` (a SIZE_TIERS
    code, "" = any), ``sort`` (a key of SORTS) and its direction."""

    text: str = ""
    status: str = ""
    tier: str = ""
    sort: str = "signed_date"
    descending: bool = True


def like_pattern(text: str) -> str:
    """The ILIKE pattern (escape character backslash) of a search text: '' for none, else '%text%' with the
    text NFKC-normalised (full-width letters and digits as typed on a Chinese keyboard) and stripped, and its
    wildcards % and _ and the backslash escaped, so they match themselves."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return ""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _register_params(sel: Selection, rq: RegisterQuery) -> list:
    return [*_units(sel), like_pattern(rq.text), rq.status, rq.tier]


@db.cached
def register_count(sel: Selection, rq: RegisterQuery) -> int:
    """How many projects the register shows for the selection's units and industries and ``rq``'s filters
    (the year and month do not limit the register)."""
    return int(db.query(_REGISTER_COUNT_SQL, _register_params(sel, rq))["n"].iloc[0])


def register_page(sel: Selection, rq: RegisterQuery, page: int) -> pd.DataFrame:
    """Page ``page`` (from 1) of the register: rows (page − 1) × PAGE_SIZE + 1 … page × PAGE_SIZE of the
    filtered projects sorted by ``rq.sort`` (blanks last, ties by project_id), sorted and cut in SQL.

    Grain: one row per project. Columns: project_id, name, township, park, industry, status, size_tier (code),
    total_investment, contract_investment (万元), signed_date, started_date, completed_date, production_date,
    lead_person, responsible_unit, stage_order (the status's position in PROJECT_STATUSES, from 1).
    """
    sql = _REGISTER_SQL[rq.sort, rq.descending]  # KeyError for a column that is not whitelisted
    offset = (max(page, 1) - 1) * PAGE_SIZE
    return db.query(sql, [*_register_params(sel, rq), list(PROJECT_STATUSES), PAGE_SIZE, offset])


def register_rows(sel: Selection, rq: RegisterQuery) -> pd.DataFrame:
    """Every row of the filtered, sorted register (what its export holds); columns as register_page."""
    sql = _REGISTER_SQL[rq.sort, rq.descending]
    return db.query(sql, [*_register_params(sel, rq), list(PROJECT_STATUSES), None, 0])


def pages(total: int) -> int:
    """How many register pages ``total`` rows fill (at least 1)."""
    return max(1, math.ceil(total / PAGE_SIZE))
