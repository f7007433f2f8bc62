"""Metric functions of DOMAIN.md §5 over the warehouse views; every page, export and bulletin uses these.

All SQL is constant text with bound parameters. Filters are AND-combined (an empty list = all): a
township or park filter keeps what the selected units answer for — facts whose township, park or
responsible unit is one of them, the rule of v_target_progress — and the industry filter keeps facts
of the selected industries. Money in 万元, foreign capital in 万美元, projects and ventures as counts,
people in 人.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd

from board import db
from board.filters import Options, Selection
from etl.contracts import TARGET_METRICS, WHOLE_JURISDICTION

# The overview's headline cards, in display order.
CARD_METRICS: tuple[str, ...] = (
    "contract_investment", "funds_in_place", "out_of_province_funds", "foreign_actual", "projects_signed",
    "projects_signed_100m", "projects_in_production", "new_jobs", "returnee_ventures", "trainees",
)  # fmt: skip
# Metric → display kind (board.fmt.KINDS), i.e. its unit.
KIND: dict[str, str] = {
    "contract_investment": "money", "funds_in_place": "money", "out_of_province_funds": "money",
    "foreign_contract": "usd", "foreign_actual": "usd", "fixed_asset_investment": "money",
    "projects_signed": "projects", "projects_signed_100m": "projects", "projects_started": "projects",
    "projects_in_production": "projects", "valuable_leads": "items", "park_revenue": "money",
    "park_output": "money", "park_tax": "money", "returnee_ventures": "ventures", "trainees": "people",
    "new_jobs": "people", "labor_export": "people",
}  # fmt: skip
assert set(KIND) == set(TARGET_METRICS)

# Actuals come from v_metric_facts (one row per contribution of a source row to a metric and month).
# A township or park filter keeps what the selected units answer for — facts whose township, park or
# responsible unit is one of them, the rule of v_target_progress; the industry filter keeps facts of
# those industries. The prior year is fetched too, for the year-on-year change; the as-of month is
# applied in pandas so that one cached result serves every month.
#
# Per unit: every fact counted once under '*' (the whole area) and once under each unit it answers for.
# Grain: one row per metric, year, month and unit. One query serves the whole-area cards, any single
# township or park, the ranking and the behind-pace list.
_BY_UNIT_SQL = """
WITH p AS (SELECT ?::VARCHAR[] AS metrics, ?::INTEGER AS yr, ?::VARCHAR[] AS inds),
keyed AS (
  SELECT f.metric, f.year, f.month, f.value,
         unnest(list_prepend('*', list_distinct(list_filter([f.township, f.park, f.unit], lambda x: x IS NOT NULL))))
           AS unit
  FROM v_metric_facts f, p
  WHERE list_contains(p.metrics, f.metric) AND f.year IN (p.yr, p.yr - 1)
    AND (len(p.inds) = 0 OR list_contains(p.inds, f.industry)))
SELECT metric, year, month, unit, SUM(value) AS actual FROM keyed GROUP BY ALL"""
# Several units at once (two townships, or a township and a park): each fact counted once, unit '*'.
_SELECTED_SQL = """
WITH p AS (SELECT ?::VARCHAR[] AS metrics, ?::INTEGER AS yr, ?::VARCHAR[] AS towns, ?::VARCHAR[] AS inds,
                  ?::VARCHAR[] AS parks)
SELECT f.metric, f.year, f.month, '*' AS unit, SUM(f.value) AS actual FROM v_metric_facts f, p
WHERE list_contains(p.metrics, f.metric) AND f.year IN (p.yr, p.yr - 1)
  AND (len(p.towns) = 0 OR list_has_any(p.towns, [f.township, f.park, f.unit]))
  AND (len(p.inds) = 0 OR list_contains(p.inds, f.industry))
  AND (len(p.parks) = 0 OR list_has_any(p.parks, [f.township, f.park, f.unit]))
GROUP BY ALL"""
_TARGETS_SQL = "SELECT unit, metric, target FROM v_targets WHERE year = ? AND list_contains(?::VARCHAR[], metric)"
_DIMENSIONS_SQL = """SELECT metric, count(township) > 0 AS township, count(industry) > 0 AS industry,
  count(park) > 0 AS park FROM v_metric_facts GROUP BY metric"""


def _query_metrics(metrics: tuple[str, ...]) -> list[str]:
    """Ask for all headline metrics when only those are needed, so one cached result serves them all."""
    return list(CARD_METRICS) if set(metrics) <= set(CARD_METRICS) else sorted(set(metrics))


def _sums(sel: Selection, metrics: tuple[str, ...], memo: dict) -> tuple[dict, str]:
    """({(unit, metric, year): actual through the as-of month}, the selection's unit key)."""
    units = sel.townships + sel.parks
    if len(units) <= 1:
        params: tuple = (tuple(_query_metrics(metrics)), sel.year, sel.month, sel.industries)
        sql, args, key = _BY_UNIT_SQL, [list(params[0]), sel.year, list(sel.industries)], (units[0] if units else "*")
    else:
        params = (tuple(_query_metrics(metrics)), sel.year, sel.month, sel.townships, sel.industries, sel.parks)
        args = [list(params[0]), sel.year, list(sel.townships), list(sel.industries), list(sel.parks)]
        sql, key = _SELECTED_SQL, "*"
    if params not in memo:
        raw = db.query(sql, args)
        raw = raw[raw["month"] <= sel.month]
        memo[params] = raw.groupby(["unit", "metric", "year"])["actual"].sum().to_dict()
    return memo[params], key


def pace(month: int) -> float:
    """序时进度 for data through month ``month`` (1–12): month / 12."""
    return month / 12


@db.cached
def dimensions() -> dict[str, set[str]]:
    """Metric → the filter dimensions it has ('township', 'industry', 'park'); a metric without one
    cannot be filtered on it (e.g. trainees have no industry)."""
    df = db.query(_DIMENSIONS_SQL)
    return {r.metric: {d for d in ("township", "industry", "park") if getattr(r, d)} for r in df.itertuples()}


def _inapplicable_filter(sel: Selection, metric: str, dims: dict[str, set[str]]) -> str | None:
    have = dims.get(metric, {"township", "industry", "park"})
    for fld, dim in (("townships", "township"), ("industries", "industry"), ("parks", "park")):
        if getattr(sel, fld) and dim not in have:
            return dim
    return None


def _target(sel: Selection, metric: str, targets: dict) -> tuple[float | None, str | None]:
    """(target, note). Whole area → the 全县/全区/全市 target; townships or parks → the sum of theirs.
    ``targets``: {(unit, metric): target}."""
    if sel.industries:
        return None, "target_na_industry"
    if sel.townships and sel.parks:
        return None, "target_na_combo"
    units = sel.townships or sel.parks
    if not units:
        for unit in WHOLE_JURISDICTION:
            if (unit, metric) in targets:
                return float(targets[unit, metric]), None
        return None, "no_target"
    found = [u for u in units if (u, metric) in targets]
    if not found:
        return None, "no_target"
    if len(found) < len(units):
        return None, "target_partial"
    return float(sum(targets[u, metric] for u in found)), None


@db.cached
def progress(
    sel: Selection, metrics: tuple[str, ...] = CARD_METRICS, by: str | None = None, units: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Actual vs target for the selection, through the as-of month.

    Grain: one row per metric (``by=None``), or per township/park of ``units`` and metric
    (``by='township'|'park'``, each row then selecting that one unit; the selection's own township or
    park filter is replaced). Columns: metric, [township|park], actual (unit of the
    metric, see KIND; NaN when a filter does not apply to it), prior (same months of the year before),
    yoy (ratio change), target, note (why there is no target/actual), rate (actual ÷ target), pace
    (序时进度), ahead (rate ≥ pace; NA without a rate).
    """
    tf = db.query(_TARGETS_SQL, [sel.year, list(metrics)])
    targets = dict(zip(zip(tf["unit"], tf["metric"], strict=True), tf["target"], strict=True))
    dims = dimensions()
    memo: dict = {}
    keys: list = [None] if by is None else list(units)
    rows = []
    for key in keys:
        unit_sel = sel if by is None else replace(sel, **{"townships" if by == "township" else "parks": (key,)})
        sums, unit = _sums(unit_sel, metrics, memo)
        for metric in metrics:
            actual = float(sums.get((unit, metric, sel.year), 0.0))
            prior = float(sums.get((unit, metric, sel.year - 1), 0.0))
            target, note = _target(unit_sel, metric, targets)
            dim = _inapplicable_filter(unit_sel, metric, dims)
            if dim is not None:
                actual, prior, target, note = np.nan, np.nan, None, f"filter_na_{dim}"
            rate = actual / target if target else None
            row = {"metric": metric, "actual": actual, "prior": prior}
            row["yoy"] = (actual - prior) / prior if prior else None
            row.update(target=target, note=note, rate=rate, pace=pace(sel.month))
            row["ahead"] = None if rate is None else bool(rate >= row["pace"])
            if by is not None:
                row = {by: key, **row}
            rows.append(row)
    cols = ([by] if by else []) + ["metric", "actual", "prior", "yoy", "target", "note", "rate", "pace", "ahead"]
    out = pd.DataFrame(rows, columns=cols)
    return out.astype({"target": "float64", "rate": "float64", "yoy": "float64"})


def actual(metric: str, sel: Selection) -> float:
    """The actual of one metric for the selection through the as-of month (unit per KIND)."""
    return float(progress(sel, (metric,))["actual"].iloc[0])


def contract_investment(sel: Selection) -> float:
    """Σ contract_investment (万元) of projects signed in the year, through the as-of month."""
    return actual("contract_investment", sel)


def funds_in_place(sel: Selection) -> float:
    """Σ funds in place (万元) of funding rows in the year, through the as-of month."""
    return actual("funds_in_place", sel)


def out_of_province_funds(sel: Selection) -> float:
    """Σ out-of-province funds in place (万元), year through the as-of month."""
    return actual("out_of_province_funds", sel)


def foreign_actual(sel: Selection) -> float:
    """Σ foreign capital actually used (万美元), year through the as-of month."""
    return actual("foreign_actual", sel)


def projects_signed(sel: Selection) -> float:
    """Number of projects signed in the year through the as-of month."""
    return actual("projects_signed", sel)


def projects_signed_100m(sel: Selection) -> float:
    """Number of projects signed in the year with total investment ≥ 1亿 (10,000 万元)."""
    return actual("projects_signed_100m", sel)


def projects_in_production(sel: Selection) -> float:
    """Number of projects put into production (or completed when production is blank) in the year."""
    return actual("projects_in_production", sel)


def new_jobs(sel: Selection) -> float:
    """New jobs (人) in the year through the as-of month."""
    return actual("new_jobs", sel)


def returnee_ventures(sel: Selection) -> float:
    """Returnee ventures started in the year through the as-of month (count)."""
    return actual("returnee_ventures", sel)


def trainees(sel: Selection) -> float:
    """Trainees (人) of classes started in the year through the as-of month."""
    return actual("trainees", sel)


@db.cached
def monthly(sel: Selection, metric: str) -> pd.DataFrame:
    """Grain: one row per month 1–12 of the year: month, value (unit per KIND; 0 when none), cumulative.
    Months after the as-of month are NaN."""
    units = sel.townships + sel.parks
    if len(units) <= 1:
        raw = db.query(_BY_UNIT_SQL, [_query_metrics((metric,)), sel.year, list(sel.industries)])
        raw = raw[raw["unit"] == (units[0] if units else "*")]
    else:
        args = [_query_metrics((metric,)), sel.year, list(sel.townships), list(sel.industries), list(sel.parks)]
        raw = db.query(_SELECTED_SQL, args)
    df = raw[(raw["year"] == sel.year) & (raw["metric"] == metric)].groupby("month", as_index=False)["actual"].sum()
    df = df.rename(columns={"actual": "value"})
    out = pd.DataFrame({"month": range(1, 13)}).merge(df, on="month", how="left").fillna({"value": 0.0})
    out["cumulative"] = out["value"].cumsum()
    out.loc[out["month"] > sel.month, ["value", "cumulative"]] = np.nan
    return out


_STALLED_SQL = """
WITH p AS (SELECT ?::DATE AS as_of_day, ?::INTEGER AS days, ?::INTEGER AS months, ?::VARCHAR[] AS towns,
                  ?::VARCHAR[] AS inds, ?::VARCHAR[] AS parks, ?::VARCHAR AS st_stalled, ?::VARCHAR AS st_signed,
                  ?::VARCHAR AS st_started),
w AS (SELECT strftime(as_of_day - to_months(months - 1), '%Y-%m') AS first_period, strftime(as_of_day, '%Y-%m') AS last_period,
             date_trunc('month', as_of_day - to_months(months - 1))::DATE AS first_day FROM p),
funded AS (SELECT DISTINCT f.project_id FROM v_funding f, w
           WHERE f.funds_in_place > 0 AND f.period BETWEEN w.first_period AND w.last_period)
SELECT pr.project_id, pr.name, pr.township, pr.park, pr.industry, pr.responsible_unit, pr.status,
       pr.total_investment, pr.signed_date, pr.started_date,
       CASE WHEN pr.status = p.st_stalled THEN 'status'
            WHEN pr.status = p.st_signed THEN 'not_started' ELSE 'no_funds' END AS reason
FROM v_projects pr CROSS JOIN p CROSS JOIN w
WHERE (len(p.towns) = 0 OR list_has_any(p.towns, [pr.township, pr.park, pr.responsible_unit]))
  AND (len(p.inds) = 0 OR list_contains(p.inds, pr.industry))
  AND (len(p.parks) = 0 OR list_has_any(p.parks, [pr.township, pr.park, pr.responsible_unit]))
  AND (pr.status = p.st_stalled
       OR (pr.status = p.st_signed AND pr.started_date IS NULL AND pr.signed_date < p.as_of_day - to_days(p.days))
       OR (pr.status = p.st_started AND pr.started_date < w.first_day
           AND pr.project_id NOT IN (SELECT project_id FROM funded)))
ORDER BY pr.township, pr.project_id"""


def as_of_date(sel: Selection) -> dt.date:
    """The last day of the as-of month."""
    nxt = dt.date(sel.year + sel.month // 12, sel.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


@db.cached
def stalled_projects(sel: Selection, signed_days: int, no_funds_months: int) -> pd.DataFrame:
    """Stalled projects at the end of the as-of month (DOMAIN.md §5), filters applied.

    Grain: one row per project. Stalled = status 停滞; or status 签约, not started, signed more than
    ``signed_days`` days before; or status 开工, started before the window and no funds in place in the
    last ``no_funds_months`` months (the as-of month included). ``reason``: status | not_started |
    no_funds. total_investment in 万元.
    """
    params = [as_of_date(sel), signed_days, no_funds_months, list(sel.townships), list(sel.industries)]
    params += [list(sel.parks), "停滞", "签约", "开工"]
    return db.query(_STALLED_SQL, params)


@db.cached
def behind_pace(sel: Selection, options: Options) -> pd.DataFrame:
    """Townships and parks behind 序时进度 on a headline metric (the selection's own units only, if any).

    Grain: one row per unit and metric with a target and rate < pace. Columns: unit, metric, actual,
    target, rate, pace (ratios).
    """
    frames = []
    for by, fld in (("township", "townships"), ("park", "parks")):
        units = getattr(sel, fld) or (() if (sel.townships or sel.parks) else getattr(options, fld))
        if units:
            df = progress(replace(sel, townships=(), parks=()), CARD_METRICS, by=by, units=units)
            frames.append(df.rename(columns={by: "unit"}))
    cols = ["unit", "metric", "actual", "target", "rate", "pace"]
    if not frames:
        return pd.DataFrame(columns=cols)
    df = pd.concat(frames, ignore_index=True)
    return df[df["ahead"].eq(False)][cols].sort_values(["rate", "unit"]).reset_index(drop=True)
