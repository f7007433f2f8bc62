"""Targets against actuals and 序时进度: the overview's cards, rankings, the behind-pace list, monthly pace.

A target's unit is matched to the selection: the whole area → the 全县/全区/全市 target; one or more
townships or parks → the sum of theirs. Targets are not broken down by industry. Which filters a metric
answers is declared in the metric catalogue (``dims``); under a filter it cannot answer, the metric has
no actual and says so.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from board import db
from board.metrics import facts
from board.selection import Options, Selection
from etl import metric_catalogue
from etl.contracts import WHOLE_JURISDICTION

_TARGETS_SQL = "SELECT unit, metric, target FROM v_targets WHERE year = ? AND list_contains(?::VARCHAR[], metric)"
# Sidebar filter field → the catalogue dimension it needs.
_FILTER_DIMS: tuple[tuple[str, str], ...] = (("townships", "township"), ("industries", "industry"), ("parks", "park"))
COLUMNS = ["metric", "actual", "prior", "yoy", "target", "note", "rate", "pace", "ahead"]


def pace(month: int) -> float:
    """序时进度 for data through month ``month`` (1–12): month / 12."""
    return month / 12


def inapplicable_filter(sel: Selection, metric: str) -> str | None:
    """The first filter of ``sel`` that ``metric`` cannot answer ('township', 'industry', 'park'), or None."""
    dims = metric_catalogue.get(metric).dims
    for fld, dim in _FILTER_DIMS:
        if getattr(sel, fld) and dim not in dims:
            return dim
    return None


def _target(sel: Selection, metric: str, targets: dict) -> tuple[float | None, str | None]:
    """(target, note). ``targets``: {(unit, metric): target}."""
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
    sel: Selection,
    metrics: tuple[str, ...] = metric_catalogue.CARD_METRICS,
    by: str | None = None,
    units: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Actual vs target for the selection, through the as-of month.

    Grain: one row per metric (``by=None``), or per township/park of ``units`` and metric
    (``by='township'|'park'``, each row then selecting that one unit; the selection's own township or
    park filter is replaced; under a township scope only the scope's townships get rows, and a park row counts
    only the facts of the scope's townships). Columns: metric, [township|park], actual (the metric's unit; NaN when a
    filter does not apply to it), prior (same months of the year before), yoy (ratio change), target,
    note (why there is no target or actual), rate (actual ÷ target), pace (序时进度), ahead (rate ≥ pace;
    None without a rate).
    """
    tf = db.query(_TARGETS_SQL, [sel.year, list(metrics)])
    targets = dict(zip(zip(tf["unit"], tf["metric"], strict=True), tf["target"], strict=True))
    memo: dict = {}
    keys: list = [None] if by is None else list(units)
    if by == "township" and sel.scope:  # a township-restricted account ranks its own townships only
        keys = [k for k in keys if k in sel.scope]
    field = "townships" if by == "township" else "parks"
    crossed = None
    if by is not None and keys:  # each unit under the selection's other filter: all units in one query
        probe = replace(sel, **{field: (keys[0],)})
        others = probe.parks if by == "township" else probe.townships
        if others:
            crossed = facts.crossed_sums(sel, metrics, tuple(keys), others)
    out = []
    for key in keys:
        unit_sel = sel if by is None else replace(sel, **{field: (key,)})
        sums, unit = (crossed, key) if crossed is not None else facts.sums(unit_sel, metrics, memo)
        for metric in metrics:
            actual = float(sums.get((unit, metric, sel.year), 0.0))
            prior = float(sums.get((unit, metric, sel.year - 1), 0.0))
            target, note = _target(unit_sel, metric, targets)
            dim = inapplicable_filter(unit_sel, metric)
            if dim is not None:
                actual, prior, target, note = np.nan, np.nan, None, f"filter_na_{dim}"
            rate = actual / target if target else None
            row = {"metric": metric, "actual": actual, "prior": prior}
            row["yoy"] = (actual - prior) / prior if prior else None
            row.update(target=target, note=note, rate=rate, pace=pace(sel.month))
            row["ahead"] = None if rate is None else bool(rate >= row["pace"])
            out.append(row if by is None else {by: key, **row})
    frame = pd.DataFrame(out, columns=([by] if by else []) + COLUMNS)
    return frame.astype({"target": "float64", "rate": "float64", "yoy": "float64"})


@db.cached
def monthly(sel: Selection, metric: str) -> pd.DataFrame:
    """Grain: one row per month 1–12 of the year: month, value (the metric's unit; 0 when none), cumulative.
    Months after the as-of month are NaN."""
    df = facts.monthly_rows(sel, metric).rename(columns={"actual": "value"})
    out = pd.DataFrame({"month": range(1, 13)}).merge(df, on="month", how="left").fillna({"value": 0.0})
    out["cumulative"] = out["value"].cumsum()
    out.loc[out["month"] > sel.month, ["value", "cumulative"]] = np.nan
    return out


@db.cached
def behind_pace(sel: Selection, options: Options) -> pd.DataFrame:
    """Every township and park behind 序时进度 on a headline metric (only the selection's own units, if any).

    Grain: one row per unit and metric with a target and rate < pace, slowest first. Columns: unit,
    metric, actual, target, rate, pace (ratios). Empty under an industry filter (targets are not broken
    down by industry: see ``progress`` notes).
    """
    frames = []
    for by, fld in (("township", "townships"), ("park", "parks")):
        units = getattr(sel, fld) or (() if (sel.townships or sel.parks) else getattr(options, fld))
        if units:
            df = progress(replace(sel, townships=(), parks=()), metric_catalogue.CARD_METRICS, by=by, units=units)
            frames.append(df.rename(columns={by: "unit"}))
    cols = ["unit", "metric", "actual", "target", "rate", "pace"]
    if not frames:
        return pd.DataFrame(columns=cols)
    df = pd.concat(frames, ignore_index=True)
    return df[df["ahead"].eq(False)][cols].sort_values(["rate", "unit"]).reset_index(drop=True)
