"""Skills training (技能培训): trainees by course, type, provider, township and class end month; certification and
employment after training; the subsidy; the placement of trained returnees against untrained ones.

The view's trainees are the catalogue's (etl.metric_catalogue ``trainees``): one per trainee per class, classes
started in the year from 1 January through the end of the as-of month, in the chosen townships (the training
row's township); the card's total comes from board.metrics.progress. Outcomes are known only once a class has
ended, so the rates count the trainees of the view's classes that ended by the end of the as-of month:
certification rate = certified ÷ ended; training employment rate = employed after training (``employed_after``,
with an employment date, if any, by the end of the as-of month) ÷ ended. The subsidy (stored in 元 per trainee
row) spent = Σ subsidy of the ended rows; subsidy per employed trainee = subsidy spent ÷ employed (元/人). Every
figure is aggregated in DuckDB; rates and per-person figures of small groups follow board.metrics.people.
Industry and park filters do not apply.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from board import db
from board.metrics import people
from board.metrics.projects import as_of_date
from board.metrics.returnees import UNKNOWN, _towns
from board.selection import Selection
from etl.contracts import COURSE_TYPES

BREAKDOWNS: tuple[str, ...] = ("course", "course_type", "provider", "township")
TYPE_CODES: dict[str, str] = {"技能培训": "skills", "创业培训": "business", "引导性培训": "orientation"}
assert tuple(TYPE_CODES) == COURSE_TYPES
RUNNING = "running"  # the end-month key of classes not ended by the end of the as-of month
WHOLE = "*"  # the township key of the whole selection's row

_DIMS = ("course", "course_type", "provider", "township", "end_month")
_SETS: dict[str, tuple[str, ...]] = {
    "course": ("course",),
    "course_type": ("course_type",),
    "provider": ("provider",),
    "township": ("township",),
    "end_month": ("end_month",),
    "total": (),
}


def _mask(dims: tuple[str, ...]) -> int:
    return sum(1 << (len(_DIMS) - 1 - i) for i, d in enumerate(_DIMS) if d not in dims)


_SET_OF_MASK = {_mask(dims): name for name, dims in _SETS.items()}
MEASURES = ["trainees", "ended", "certified", "employed", "subsidy_yuan"]

# Read from the rollups of etl.people_rollups (trainee-class rows counted per class start month, end month, certified,
# employed and employment month): the whole province from training_province and training_towns, chosen townships
# from training_cells (stored by township). $1 first day, $2 last day, $3… the chosen townships ({towns}: a plain IN
# list). Ended: an end month up to $2; employed: ended, employed after training and an employment month, if any, up
# to $2.
_ROWS = """SELECT *, coalesce(end_month <= $2, false) AS ended,
    CASE WHEN end_month <= $2 THEN strftime(end_month, '%Y-%m') ELSE 'running' END AS end_label
  FROM {src} WHERE start_month BETWEEN $1 AND $2{towns}"""
_MEASURES = """CAST(coalesce(sum(n), 0) AS BIGINT) AS trainees, CAST(coalesce(sum(n) FILTER (WHERE ended), 0) AS BIGINT) AS ended,
  CAST(coalesce(sum(n) FILTER (WHERE ended AND certified), 0) AS BIGINT) AS certified,
  CAST(coalesce(sum(n) FILTER (WHERE ended AND employed AND coalesce(employed_month <= $2, true)), 0) AS BIGINT)
    AS employed,
  CAST(coalesce(sum(subsidy) FILTER (WHERE ended), 0) AS DOUBLE) AS subsidy_yuan"""
# Grain: one row per group of each grouping set (course; course type; provider; township; end month, 'running' when
# not ended by $2; the whole view) of the trainee-class rows of classes started in [$1, $2] in the chosen townships:
# trainees, ended (by $2), certified and employed (of the ended), subsidy_yuan (元, of the ended). g = the grouping()
# bitmask of the set (_DIMS order). Chosen townships:
_BREAKDOWN_SQL = (
    "WITH t AS ("  # noqa: S608 -- constant fragments; every value is a bound parameter
    + _ROWS.format(src="training_cells", towns="{towns}")
    + ")\nSELECT grouping(course, course_type, provider, township, end_label) AS g, course, course_type, provider, "
    "township, end_label AS end_month, "
    + _MEASURES
    + "\nFROM t GROUP BY GROUPING SETS ((course), (course_type), (provider), (township), (end_label), ())"
)
# The whole province (every township: no filter), the same grain and columns.
_PROVINCE_SQL = (
    "WITH t AS ("  # noqa: S608 -- constant fragments
    + _ROWS.format(src="training_province", towns="")
    + "), w AS ("
    + _ROWS.format(src="training_towns", towns="")
    + ")\nSELECT grouping(course, course_type, provider) * 4 + 2 + grouping(end_label) AS g, course, course_type, "
    "provider, NULL::VARCHAR AS township, end_label AS end_month, "
    + _MEASURES
    + "\nFROM t GROUP BY GROUPING SETS ((course), (course_type), (provider), (end_label), ())\n"
    "UNION ALL SELECT "
    + str(sum(1 << (len(_DIMS) - 1 - i) for i, d in enumerate(_DIMS) if d != "township"))
    + ", NULL, NULL, NULL, township, NULL, "
    + _MEASURES
    + " FROM w GROUP BY township"
)
# Grain: one row per township of the chosen ones and training status, plus one per training status for the whole
# selection (g = 1), each only when it has returnees: returnees with a return date up to $1, placed (status
# 县内就业/县外就业/自主创业); trained = the person key appears in v_training with a class started by $1. Read from the
# rollup returnee_training (etl.people_rollups: per township and month, the returnees and the trained among them,
# each counted in the month they entered the group); $2… the chosen townships ({towns}: a plain IN list).
_TRAINED_SQL = """
WITH s AS (
  SELECT township, sum(returned) AS rn, sum(returned_placed) AS rp, sum(trained) AS tn, sum(trained_placed) AS tp
  FROM returnee_training WHERE month <= $1{towns} GROUP BY township),
w AS (SELECT 0 AS g, * FROM s UNION ALL SELECT 1, NULL, sum(rn), sum(rp), sum(tn), sum(tp) FROM s)
SELECT g, township, true AS trained, CAST(tn AS BIGINT) AS returnees, CAST(tp AS BIGINT) AS placed FROM w WHERE tn > 0
UNION ALL
SELECT g, township, false, CAST(rn - tn AS BIGINT), CAST(rp - tp AS BIGINT) FROM w WHERE rn - tn > 0"""


def bounds(sel: Selection) -> tuple[dt.date, dt.date]:
    """(first, last) start date of the view's classes: 1 January of the year through the end of the as-of month."""
    return dt.date(sel.year, 1, 1), as_of_date(sel)


@db.cached
def _groups(sel: Selection) -> pd.DataFrame:
    lo, hi = bounds(sel)
    towns = list(sel.townships)
    sql = _BREAKDOWN_SQL.format(towns=_towns(len(towns), 3)) if towns else _PROVINCE_SQL
    df = db.query(sql, [lo, hi, *towns])
    df["set"] = df["g"].map(_SET_OF_MASK)
    return df


def with_rates(df: pd.DataFrame) -> pd.DataFrame:
    """Add cert_rate (certified ÷ ended), employment_rate (employed ÷ ended), subsidy_wan (万元; NaN for 1–4 ended
    trainees, whose own subsidies it would give away) and subsidy_per_employed (元/人) to a frame of MEASURES; NaN
    where not shown (board.metrics.people)."""
    out = df.copy()
    out["cert_rate"] = people.rates(out["certified"], out["ended"])
    out["employment_rate"] = people.rates(out["employed"], out["ended"])
    out["subsidy_wan"] = (out["subsidy_yuan"] / 10_000).where(~out["ended"].map(people.is_small))
    out["subsidy_per_employed"] = [
        people.per_person(s, e) for s, e in zip(out["subsidy_yuan"], out["employed"], strict=True)
    ]
    return out.astype({"subsidy_per_employed": "float64"})


@db.cached
def breakdown(sel: Selection, by: str) -> pd.DataFrame:
    """Trainees by ``by`` (one of BREAKDOWNS). Grain: one row per value (blank → UNKNOWN; course types by their
    TYPE_CODES code), most trainees first: key, MEASURES, and the rates of :func:`with_rates`."""
    if by not in BREAKDOWNS:
        raise ValueError(by)
    df = _groups(sel)
    df = df[df["set"] == by]
    keys = df[by].map(TYPE_CODES) if by == "course_type" else df[by]
    out = df[MEASURES].assign(key=keys.where(df[by].notna(), UNKNOWN).astype("str"))
    out = out[["key", *MEASURES]].sort_values(["trainees", "key"], ascending=[False, True], ignore_index=True)
    return with_rates(out.astype({m: "int64" for m in MEASURES[:-1]}))


@db.cached
def cohorts(sel: Selection) -> pd.DataFrame:
    """The view's trainees by the month their class ended. Grain: one row per end month 'YYYY-MM' in order, then
    RUNNING (classes not ended by the end of the as-of month) when there are any: end_month, MEASURES and rates."""
    df = _groups(sel)
    df = df[df["set"] == "end_month"]
    out = df[["end_month", *MEASURES]].sort_values("end_month", key=lambda s: s.eq(RUNNING).astype(str) + s)
    return with_rates(out.reset_index(drop=True).astype({m: "int64" for m in MEASURES[:-1]}))


@db.cached
def totals(sel: Selection) -> dict[str, float]:
    """The view's MEASURES and rates as one record (trainees equal the catalogue's ``trainees`` of the view)."""
    df = _groups(sel)
    row = df[df["set"] == "total"][MEASURES]
    if row.empty:
        row = pd.DataFrame([dict.fromkeys(MEASURES, 0)])
    return with_rates(row.reset_index(drop=True)).iloc[0].to_dict()


@db.cached
def trained_vs_untrained(sel: Selection) -> pd.DataFrame:
    """Placement of returnees who took part in training against those who did not. Every returnee registered with a
    return date up to the end of the as-of month (in the chosen townships) counts; trained = their person key
    appears in v_training with a class started by then (the join is done in the warehouse); placed as in
    board.metrics.returnees (县内就业, 县外就业, 自主创业).

    Grain: one row for the whole selection (township WHOLE), then one per township with returnees: township,
    trained, trained_placed, trained_rate, untrained, untrained_placed, untrained_rate (人; rates NaN when not shown,
    board.metrics.people), gap (trained_rate − untrained_rate, NaN when either is not shown)."""
    towns = list(sel.townships)
    df = db.query(_TRAINED_SQL.format(towns=_towns(len(towns), 2)), [as_of_date(sel), *towns])
    df["township"] = df["township"].where(df["g"] == 0, WHOLE)
    df["who"] = df["trained"].map({True: "trained", False: "untrained"})
    n = df.pivot_table(index="township", columns="who", values="returnees", aggfunc="sum", fill_value=0)
    placed = df.pivot_table(index="township", columns="who", values="placed", aggfunc="sum", fill_value=0)
    towns = [WHOLE, *sorted(t for t in n.index if t != WHOLE)]
    out = pd.DataFrame({"township": towns})
    for who in ("trained", "untrained"):
        out[who] = [int(n[who].get(t, 0)) if who in n else 0 for t in towns]
        out[f"{who}_placed"] = [int(placed[who].get(t, 0)) if who in placed else 0 for t in towns]
        out[f"{who}_rate"] = people.rates(out[f"{who}_placed"], out[who])
    out["gap"] = out["trained_rate"] - out["untrained_rate"]
    return out
