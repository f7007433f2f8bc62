"""Every unit against its target for one metric: the 目标完成 page (per-unit rows, bullet chart, 月考核 heat table).

A row is a unit with a target of the metric for the year (v_targets): the whole jurisdiction (全县/全区/全市),
townships, parks and departments, typed by the unit registry (v_units; a name the registry does not hold is
typed by how the facts use it, else taken for a department). Its actual is summed by board.metrics.facts from
the unit-keyed facts (the sums behind the overview's cards and v_target_progress); the target, 序时 and the
"ahead when rate ≥ pace" rule are board.metrics.progress's.

Periods of the as-of month m (``PERIODS``): ``ytd`` 累计 = months 1..m; ``month`` 当月 = m alone; ``quarter``
本季 = the first month of m's quarter..m. The actual is summed over the period's months; completion = period
actual ÷ the annual target; 序时 of the period = its number of months ÷ 12; year-on-year compares the same
months of the year before. Money in 万元, foreign capital in 万美元, counts in their unit; rates are ratios.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from board import db
from board.metrics import facts, progress
from board.selection import Selection
from etl import metric_catalogue
from etl.contracts import WHOLE_JURISDICTION

PERIODS: tuple[str, ...] = ("ytd", "month", "quarter")  # the first is the page's default
# Unit types in display order: the whole area, then the registry's types.
UNIT_TYPES: tuple[str, ...] = ("area", "township", "park", "department")
_REGISTRY_TYPES = {"镇街": "township", "园区": "park", "部门": "department"}
# The catalogue dimension a unit of each type answers through (etl.metric_catalogue.DIMS).
_TYPE_DIMS = {"township": "township", "park": "park", "department": "unit"}

# Grain: one row per unit with a target of the metric in the year: unit, target (the metric's stored unit),
# type (registry type, else how the year's facts use the name: 镇街 or 园区; NULL for anything else), code.
_UNITS_SQL = """
WITH p AS (SELECT ?::INTEGER AS yr, ?::VARCHAR AS metric),
seen AS (
  SELECT f.unit AS name, min(CASE WHEN f.unit = f.township THEN '镇街' ELSE '园区' END) AS type
  FROM v_unit_facts f, p
  WHERE f.year = p.yr AND f.unit <> '*' AND (f.unit = f.township OR f.unit = f.park)
  GROUP BY f.unit)
SELECT t.unit, t.target, coalesce(u.type, s.type) AS type, u.code
FROM v_targets t JOIN p ON t.year = p.yr AND t.metric = p.metric
LEFT JOIN v_units u ON u.name = t.unit
LEFT JOIN seen s ON s.name = t.unit
ORDER BY t.unit"""

COLUMNS = [
    "unit", "type", "metric", "target", "actual", "prior", "yoy", "rate", "pace", "gap", "ahead",
    "rank_type", "n_type", "rank_all", "n_all", "note",
]  # fmt: skip


def months_of(period: str, month: int) -> tuple[int, int]:
    """(first, last) month of ``period`` (one of PERIODS) for data through ``month`` (1–12)."""
    if period == "ytd":
        return 1, month
    if period == "month":
        return month, month
    if period == "quarter":
        return 3 * ((month - 1) // 3) + 1, month
    raise ValueError(period)


def period_pace(period: str, month: int) -> float:
    """序时进度 of ``period`` for data through ``month``: its number of months ÷ 12 (ytd: progress.pace)."""
    first, last = months_of(period, month)
    return progress.pace(last - first + 1)


def quarter(month: int) -> int:
    """The quarter (1–4) of ``month``."""
    return (month - 1) // 3 + 1


def _units(year: int, metric: str) -> pd.DataFrame:
    """Grain: one row per unit with a target of ``metric`` in ``year``, in display order (the whole area, then
    townships in division-code order, parks, departments). Columns: unit, type (UNIT_TYPES), target (the
    metric's stored unit). Of the whole-jurisdiction names only the first with a target counts (as on the
    cards: board.metrics.progress)."""
    df = db.query(_UNITS_SQL, [year, metric])
    whole = [w for w in WHOLE_JURISDICTION if w in set(df["unit"])][:1]
    df = df[~df["unit"].isin(WHOLE_JURISDICTION) | df["unit"].isin(whole)].copy()
    df["type"] = [
        "area" if u in WHOLE_JURISDICTION else _REGISTRY_TYPES.get(t, "department")
        for u, t in zip(df["unit"], df["type"], strict=True)
    ]
    df["order"] = df["type"].map(UNIT_TYPES.index)
    df = df.sort_values(["order", "code", "unit"], na_position="last")
    return df[["unit", "type", "target"]].reset_index(drop=True)


def _unit_selection(sel: Selection, unit: str, unit_type: str) -> Selection:
    """The selection of one unit (whole area: no unit filter). ``progress._target`` matches names only, so a
    department's target is looked up through the townships field; its dimension is checked separately."""
    base = replace(sel, townships=(), parks=())
    if unit_type == "area":
        return base
    return replace(base, **{"parks" if unit_type == "park" else "townships": (unit,)})


def _not_answered(sel: Selection, metric: str, unit_type: str) -> str | None:
    """The note ``filter_na_<dim>`` when ``metric`` cannot answer for a unit of ``unit_type`` under ``sel`` (a
    township, park or department it is not counted by, or the industry filter), else None."""
    dim = progress.inapplicable_filter(sel, metric)
    if dim is None and unit_type == "department" and "unit" not in metric_catalogue.get(metric).dims:
        dim = "unit"
    return None if dim is None else f"filter_na_{dim}"


def _through(sel: Selection, metric: str, month: int, memo: dict) -> dict:
    """{(unit key, metric, year): actual from January through ``month``} for the selection's year and the one
    before (unit key '*' = the whole area); month 0 → nothing."""
    return facts.sums(replace(sel, townships=(), parks=(), month=month), (metric,), memo)[0]


def _between(end: dict, start: dict, key: tuple) -> float:
    """The sum over the months after ``start``'s month through ``end``'s (a difference of cumulative sums)."""
    before = float(start.get(key, 0.0))
    return float(end.get(key, 0.0)) - before if before else float(end.get(key, 0.0))


def unit_progress(sel: Selection, metric: str, period: str = "ytd") -> pd.DataFrame:
    """Every unit with a target of ``metric`` in ``sel.year`` against it, over ``period`` of ``sel.month``.

    Grain: one row per unit (the whole area, townships, parks, departments; see ``_units``), in display order.
    The selection's township and park filters do not narrow the rows (a page keeps the ones it shows); its
    industry filter narrows the actuals and drops every target (targets are not broken down by industry).
    Columns: unit, type (UNIT_TYPES), metric, target (the metric's stored unit; NaN under an industry
    filter), actual (summed over the period's months, the metric's unit; NaN when the metric cannot answer
    for the unit), prior (the same months of the year before), yoy (ratio change; NaN without a prior),
    rate (actual ÷ annual target; NaN without a target > 0), pace (the period's 序时, a ratio), gap
    ((rate − pace) × 100, percentage points), ahead (rate ≥ pace; None without a rate), rank_type / n_type
    (rank by rate, 1 = highest, among the rated units of the same type; how many there are), rank_all / n_all
    (the same among all rated units; the whole area takes no rank), note (why there is no rate: progress's
    notes, ``target_zero``, ``filter_na_unit``). Under a township scope (Selection.scope) only the scope's
    townships are rows: the whole area, parks and departments count facts of other townships.
    """
    return _unit_progress(replace(sel, townships=(), parks=()), metric, period)


@db.cached
def _unit_progress(sel: Selection, metric: str, period: str) -> pd.DataFrame:
    units = _units(sel.year, metric)
    if sel.scope:  # a township-restricted account: its townships only (no whole area, parks or departments)
        units = units[(units["type"] == "township") & units["unit"].isin(sel.scope)].reset_index(drop=True)
    targets = {(u, metric): v for u, v in zip(units["unit"], units["target"], strict=True)}
    first, last = months_of(period, sel.month)
    memo: dict = {}
    end, start = _through(sel, metric, last, memo), _through(sel, metric, first - 1, memo)
    pace = period_pace(period, sel.month)
    rows = []
    for unit, unit_type in zip(units["unit"], units["type"], strict=True):
        key = "*" if unit_type == "area" else unit
        actual = _between(end, start, (key, metric, sel.year))
        prior = _between(end, start, (key, metric, sel.year - 1))
        unit_sel = _unit_selection(sel, unit, unit_type)
        target, note = progress._target(unit_sel, metric, targets)
        not_answered = _not_answered(unit_sel, metric, unit_type)
        if not_answered is not None:
            actual, prior, target, note = np.nan, np.nan, None, not_answered
        elif target == 0 and note is None:
            note = "target_zero"
        rate = actual / target if target else None
        rows.append(
            {
                "unit": unit, "type": unit_type, "metric": metric, "target": target, "actual": actual,
                "prior": prior, "yoy": (actual - prior) / prior if prior else None, "rate": rate, "pace": pace,
                "gap": None if rate is None else (rate - pace) * 100,
                "ahead": None if rate is None else bool(rate >= pace), "note": note,
            }
        )  # fmt: skip
    df = pd.DataFrame(rows, columns=[c for c in COLUMNS if not c.startswith(("rank", "n_"))])
    df = df.astype({"target": "float64", "actual": "float64", "prior": "float64", "yoy": "float64"})
    df = df.astype({"rate": "float64", "gap": "float64"})
    return _ranked(df)[COLUMNS]


def _ranked(df: pd.DataFrame) -> pd.DataFrame:
    """Add rank_type, n_type, rank_all, n_all: rank by rate (1 = highest, ties share the best rank) among the
    rated units other than the whole area, within their type and overall."""
    rated = df["rate"].notna() & (df["type"] != "area")
    by_type = df["rate"].where(rated).groupby(df["type"])
    df["rank_type"] = by_type.rank(method="min", ascending=False)
    df["n_type"] = by_type.transform("count").where(rated)
    df["rank_all"] = df["rate"].where(rated).rank(method="min", ascending=False)
    df["n_all"] = np.where(rated, float(rated.sum()), np.nan)
    return df


def monthly_completion(sel: Selection, metric: str) -> pd.DataFrame:
    """The 月考核 view: each rated unit's cumulative completion at the end of every month through the as-of month.

    Grain: one row per unit of ``unit_progress(sel, metric, 'ytd')`` with a rate (same order); columns unit,
    type, metric, target (the metric's stored unit), then one column per month k = 1..``sel.month`` (int
    labels): the actual from January through month k ÷ the annual target (a ratio; compare with 序时 k/12,
    ``progress.pace(k)``). Empty under an industry filter (no rates). The township and park filters do not
    narrow it (as ``unit_progress``).
    """
    return _monthly_completion(replace(sel, townships=(), parks=()), metric)


@db.cached
def _monthly_completion(sel: Selection, metric: str) -> pd.DataFrame:
    rated = _unit_progress(sel, metric, "ytd").dropna(subset=["rate"])
    out = rated[["unit", "type", "metric", "target"]].reset_index(drop=True)
    memo: dict = {}
    keys = [("*" if ty == "area" else u, metric, sel.year) for u, ty in zip(out["unit"], out["type"], strict=True)]
    for k in range(1, sel.month + 1):
        through = _through(sel, metric, k, memo)
        out[k] = pd.Series([float(through.get(key, 0.0)) for key in keys], dtype="float64") / out["target"]
    return out
