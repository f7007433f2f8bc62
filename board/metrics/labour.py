"""Labour (劳务就业): local transfer employment, labour export and its organised share, new urban jobs and new
positions, by township and by month, the two target metrics against their targets and 序时进度.

Source: v_labor, one row per township per month (counts: 人, new positions 个). The period is the year through the
as-of month; a township filter keeps the chosen townships' rows; industry and park filters do not apply (the data
has neither). A blank cell is "not reported": sums skip it; a month nobody reported is NaN, not 0.

**Targets**: 城镇新增就业 is the catalogue metric ``new_jobs`` and 县外劳务输出 is ``labor_export``
(etl.metric_catalogue): their actuals, targets, completion rates and 序时进度 come from board.metrics.progress (the
facts), never summed here. Local transfer, organised export and new positions have no target metric.

**Organised share** (有组织输出占比) = Σ export_organized ÷ Σ export_total over the rows that report both; NaN
when that export total is 0.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from board import db
from board.metrics import progress
from board.selection import Selection

# The measures in display order (the target metrics' first: the chart's default is labour export): column of v_labor → the catalogue metric that defines it (None: no target).
MEASURES: dict[str, str | None] = {
    "export_total": "labor_export",
    "export_organized": None,
    "new_urban_jobs": "new_jobs",
    "local_transfer": None,
    "new_positions": None,
}
TARGET_METRICS: tuple[str, ...] = tuple(m for m in MEASURES.values() if m)
OWN: tuple[str, ...] = tuple(c for c, m in MEASURES.items() if m is None)  # summed here
KINDS: dict[str, str] = {c: "count" if c == "new_positions" else "people" for c in MEASURES}

# $1 townships (empty = all), $2 year, $3 as-of month. The measures without a target, and what the organised
# share needs. Grain: one row per month (1..$3) with rows in the year, or per township, or one row.
_SUMS = """sum(local_transfer) AS local_transfer, sum(export_organized) AS export_organized,
  sum(new_positions) AS new_positions,
  sum(export_organized) FILTER (WHERE export_total IS NOT NULL) AS share_organized,
  sum(export_total) FILTER (WHERE export_organized IS NOT NULL) AS share_total"""
_WHERE = """FROM v_labor WHERE year = $2 AND month <= $3
  AND (len($1::VARCHAR[]) = 0 OR list_contains($1::VARCHAR[], township))"""
_MONTHLY_SQL = "SELECT month, " + _SUMS + "\n" + _WHERE + "\nGROUP BY month"  # noqa: S608 -- constant fragments
_TOWNSHIP_SQL = "SELECT township, " + _SUMS + "\n" + _WHERE + "\nGROUP BY township"  # noqa: S608
_TOTAL_SQL = "SELECT " + _SUMS + "\n" + _WHERE  # noqa: S608 -- constant fragments


def labour_selection(sel: Selection) -> Selection:
    """The selection the labour figures answer: its year, month and townships (industries and parks dropped)."""
    return replace(sel, industries=(), parks=())


def _share(df: pd.DataFrame) -> pd.Series:
    total = pd.to_numeric(df["share_total"], errors="coerce").astype("float64")
    return (pd.to_numeric(df["share_organized"], errors="coerce").astype("float64") / total.where(total > 0)).astype(
        "float64"
    )


@db.cached
def totals(sel: Selection) -> pd.DataFrame:
    """Every measure over the period, and over the same months of the year before.

    Grain: one row per measure (MEASURES order). Columns: measure, metric (the catalogue metric or None), actual,
    prior (人, new positions 个; NaN when nothing was reported), yoy (ratio change; NaN without a prior), target,
    rate, pace, ahead, note (from progress.progress for the target metrics; NaN/None for the others).
    """
    s = labour_selection(sel)
    prog = progress.progress(s, TARGET_METRICS).set_index("metric")
    own = {}
    for year in (s.year, s.year - 1):
        own[year] = db.query(_TOTAL_SQL, [list(s.townships), year, s.month]).iloc[0]
    rows = []
    for col, metric in MEASURES.items():
        row: dict[str, object] = {"measure": col, "metric": metric}
        if metric:
            p = prog.loc[metric]
            row |= {k: p[k] for k in ("actual", "prior", "target", "rate", "pace", "ahead", "note")}
        else:
            row |= {"actual": own[s.year][col], "prior": own[s.year - 1][col], "target": np.nan, "rate": np.nan}
            row |= {"pace": progress.pace(s.month), "ahead": None, "note": "no_target_metric"}
        rows.append(row)
    df = pd.DataFrame(rows).astype({c: "float64" for c in ("actual", "prior", "target", "rate", "pace")})
    df["yoy"] = ((df["actual"] - df["prior"]) / df["prior"].where(df["prior"] > 0)).astype("float64")
    return df


@db.cached
def organised_share(sel: Selection) -> tuple[float, float]:
    """(the period's organised share, the same months' of the year before), NaN without export."""
    s = labour_selection(sel)
    out = []
    for year in (s.year, s.year - 1):
        df = db.query(_TOTAL_SQL, [list(s.townships), year, s.month])
        out.append(float(_share(df).iloc[0]))
    return out[0], out[1]


@db.cached
def monthly(sel: Selection) -> pd.DataFrame:
    """Every measure month by month in the year: grain one row per month 1–12. Columns: month, the MEASURES
    (NaN after the as-of month and in a month nobody reported), organised_share (NaN without export),
    new_jobs_cumulative and labor_export_cumulative (from progress.monthly: the target metrics' running totals)."""
    s = labour_selection(sel)
    own = db.query(_MONTHLY_SQL, [list(s.townships), s.year, s.month])
    out = pd.DataFrame({"month": range(1, 13)}).merge(own, on="month", how="left")
    out["organised_share"] = _share(out)
    reported = out["month"].isin(set(own["month"]))
    for col, metric in MEASURES.items():
        if metric:
            facts = progress.monthly(s, metric)
            out[col] = facts["value"].where(reported).to_numpy()
            out[metric + "_cumulative"] = facts["cumulative"].to_numpy()
    cols = ["month", *MEASURES, "organised_share", *(m + "_cumulative" for m in TARGET_METRICS)]
    return out[cols].astype({c: "float64" for c in cols if c != "month"})


def series(sel: Selection, measure: str) -> pd.DataFrame:
    """One measure month by month for a chart: grain one row per month 1–12: month, value (NaN after the as-of
    month or when nobody reported), cumulative (running total through the as-of month; a target metric's from
    progress.monthly)."""
    df = monthly(sel)
    metric = MEASURES[measure]
    if metric:
        cumulative = df[metric + "_cumulative"]
    else:
        cumulative = df[measure].fillna(0.0).cumsum().where(df["month"] <= sel.month)
    return pd.DataFrame({"month": df["month"], "value": df[measure], "cumulative": cumulative.astype("float64")})


@db.cached
def by_township(sel: Selection, townships: tuple[str, ...]) -> pd.DataFrame:
    """Every measure over the period for each of ``townships`` (the selection's own, or every township).

    Grain: one row per township of ``townships``, in that order. Columns: township, the MEASURES (NaN when the
    township reported nothing), organised_share, and for each target metric m: m_target, m_rate (NaN without a
    target), m_ahead (None without a rate); pace (序时进度).
    """
    s = labour_selection(sel)
    own = db.query(_TOWNSHIP_SQL, [list(townships), s.year, s.month])
    out = pd.DataFrame({"township": list(townships)}).merge(own, on="township", how="left")
    out["organised_share"] = _share(out)
    prog = progress.progress(replace(s, townships=()), TARGET_METRICS, by="township", units=townships)
    reported = out["township"].isin(set(own["township"]))
    for col, metric in MEASURES.items():
        if not metric:
            continue
        p = prog[prog["metric"] == metric].set_index("township")
        out[col] = out["township"].map(p["actual"]).where(reported).astype("float64")
        out[metric + "_target"] = out["township"].map(p["target"]).astype("float64")
        out[metric + "_rate"] = out["township"].map(p["rate"]).astype("float64")
        out[metric + "_ahead"] = out["township"].map(p["ahead"])
    out["pace"] = progress.pace(s.month)
    cols = [c for c in out.columns if c not in ("share_organized", "share_total")]
    return out[cols].astype({c: "float64" for c in MEASURES})
