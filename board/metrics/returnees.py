"""Returning migrant workers (返乡人员): counts by township, status, intent, age band and gender, the monthly return
trend, placement rates, people waiting for work by skill and intent; trained against untrained returnees.

Every figure is a count of persons (人) or a ratio of two such counts, aggregated in DuckDB (GROUP BY); no person
row ever leaves the warehouse. The cohort of a view: ``period``, the returnees whose return date lies in the year
from 1 January through the end of the as-of month; ``all``, every returnee registered with a return date up to the
end of the as-of month. Their status is the latest recorded (the registry keeps one status per person).
Placement rate (DOMAIN.md §5) = returnees whose status is 县内就业, 县外就业 or 自主创业 ÷ all returnees of the cohort
(a blank status counts in the denominator). Age is the year's age: the view's year − birth year (the birth year
is derived from the ID number at load; no birth date is kept). Gender is the ID's (``id_gender``), else the file's
``gender`` column. Township filters apply (the returnee's township); industry and park filters do not. Rates of
small groups follow board.metrics.people.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from board import db
from board.metrics import people
from board.metrics.projects import as_of_date
from board.selection import Selection
from etl.contracts import RETURNEE_INTENTS, RETURNEE_PLACED, RETURNEE_STATUSES

COHORTS: tuple[str, ...] = ("period", "all")
# Status (as stored) → code used in column names and catalog keys (returnees.status.<code>).
STATUS_CODES: dict[str, str] = {
    "待业": "waiting", "县内就业": "local_job", "县外就业": "outside_job", "自主创业": "self_employed",
    "务农": "farming", "参加培训": "in_training",
}  # fmt: skip
assert tuple(STATUS_CODES) == RETURNEE_STATUSES
PLACED: tuple[str, ...] = RETURNEE_PLACED  # employed or self-employed (DOMAIN.md §5; the rollups use it too)
WAITING = "待业"
INTENT_CODES: dict[str, str] = {
    "就业": "job",
    "创业": "venture",
    "培训": "training",
    "务农": "farming",
    "待定": "undecided",
}
assert tuple(INTENT_CODES) == RETURNEE_INTENTS
UNKNOWN = "unknown"  # the code of a blank status, intent, skill, gender or birth year
# Age bands (code, lowest age, highest age; None = open), ages in whole years reached in the view's year.
AGE_BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("a_u25", None, 24), ("a25", 25, 34), ("a35", 35, 44), ("a45", 45, 54), ("a55", 55, None),
)  # fmt: skip
GENDERS: dict[str, str] = {"男": "male", "女": "female"}


def age_band_sql(age: str) -> str:
    """SQL: the AGE_BANDS code of an age expression (NULL when the age is NULL)."""
    whens = " ".join(
        f"WHEN {age} <= {high} THEN '{code}'" for code, _low, high in AGE_BANDS if high is not None
    )  # constants of this module, never user input
    return f"CASE WHEN {age} IS NULL THEN NULL {whens} ELSE '{AGE_BANDS[-1][0]}' END"


def age_band(age: int | None) -> str:
    """The AGE_BANDS code of an age in whole years (UNKNOWN for None): the rule of :func:`age_band_sql`."""
    if age is None:
        return UNKNOWN
    for code, _low, high in AGE_BANDS:
        if high is None or age <= high:
            return code
    raise AssertionError("unreachable")


_DIMS = ("township", "status", "intent", "age_band", "gender", "skill")
# The grouping sets of one scan; grouping() bit i is 1 when _DIMS[i] is not part of the set.
_SETS: dict[str, tuple[str, ...]] = {
    "township_status": ("township", "status"),
    "intent": ("intent",),
    "age_gender": ("age_band", "gender"),
    "skill_intent": ("skill", "intent"),
}


def _mask(dims: tuple[str, ...]) -> int:
    return sum(1 << (len(_DIMS) - 1 - i) for i, d in enumerate(_DIMS) if d not in dims)


_SET_OF_MASK = {_mask(dims): name for name, dims in _SETS.items()}

# The rollups of etl.people_rollups (kept at load time, summed by return month here): returnee_status (month,
# township, status), returnee_province (the whole province's intent, age and skill parts) and returnee_cells (every
# dimension, stored by township: a township filter reads only its row groups). Parameters: $1 first day, $2 last day
# of the cohort, $3 the view's year (ages), $4… the chosen townships ({towns}: one text per number of townships, so
# the filter is a plain IN list DuckDB pushes into the scan).
# Grain: one row per group of each grouping set (township × status; intent; age band × gender; skill × intent) of the
# cohort's returnees: returnees (人), waiting (of them, status 待业; the skill × intent groups count only those
# waiting). g = the grouping() bitmask of the set (_DIMS order).
_BREAKDOWN_SQL = (
    "SELECT {g_ts} AS g, township, status, NULL::VARCHAR AS intent, NULL::VARCHAR AS age_band, "
    "NULL::VARCHAR AS gender, NULL::VARCHAR AS skill, CAST(sum(n) AS BIGINT) AS returnees, "
    "CAST(coalesce(sum(n) FILTER (WHERE status = '待业'), 0) AS BIGINT) AS waiting "
    "FROM returnee_status WHERE month BETWEEN $1 AND $2{towns} GROUP BY township, status\n"
    "UNION ALL SELECT {g_i}, NULL, NULL, intent, NULL, NULL, NULL, CAST(sum(n) AS BIGINT), NULL "
    "FROM {src} WHERE {part}'intent' AND month BETWEEN $1 AND $2{towns} GROUP BY intent\n"
    "UNION ALL SELECT {g_ag}, NULL, NULL, NULL, "
    + age_band_sql("(CAST($3 AS INTEGER) - birth_year)")  # AGE_BANDS constants, never user input
    + ", gender, NULL, CAST(sum(n) AS BIGINT), NULL "
    "FROM {src} WHERE {part}'age' AND month BETWEEN $1 AND $2{towns} GROUP BY ALL\n"
    "UNION ALL SELECT {g_sk}, NULL, NULL, intent, NULL, NULL, skill, CAST(sum(n) AS BIGINT), CAST(sum(n) AS BIGINT) "
    "FROM {src} WHERE {part}'skill' AND month BETWEEN $1 AND $2{towns} GROUP BY skill, intent"
)
# Grain: one row per month with returns (return date up to the end of the as-of month, $1) of the chosen townships.
_MONTHLY_SQL = (
    "SELECT year(month) AS year, month(month) AS month, CAST(sum(n) AS BIGINT) AS returnees FROM returnee_status "
    "WHERE month <= $1{towns} GROUP BY ALL ORDER BY year, month"
)


def _towns(n: int, first: int) -> str:
    """`` AND township IN ($first, …)`` for n chosen townships, "" for none (the whole province)."""
    return "" if n == 0 else " AND township IN (" + ", ".join(f"${first + i}" for i in range(n)) + ")"


def _breakdown_sql(n: int) -> str:
    """The breakdown's text for n chosen townships: the whole province reads returnee_province, chosen townships
    returnee_cells (``part`` there is the cells' own condition: waiting only for the skill part)."""
    masks = {"g_" + k: _mask(_SETS[name]) for k, name in
             (("ts", "township_status"), ("i", "intent"), ("ag", "age_gender"), ("sk", "skill_intent"))}  # fmt: skip
    towns = _towns(n, 4)
    if n == 0:
        return _BREAKDOWN_SQL.format(**masks, towns=towns, src="returnee_province", part="part = ")
    text = _BREAKDOWN_SQL.format(**masks, towns=towns, src="returnee_cells", part="{part}")
    # the cells have no part column: every cell counts for intent and age, the waiting ones for skill
    return text.replace("{part}'intent' AND ", "").replace("{part}'age' AND ", "").replace("{part}'skill'", "waiting")


def cohort_bounds(sel: Selection, cohort: str) -> tuple[dt.date, dt.date]:
    """(first, last) return date of the cohort: 1 January of the year (``period``; 1900-01-01 for ``all``) through
    the last day of the as-of month."""
    if cohort not in COHORTS:
        raise ValueError(cohort)
    first = dt.date(sel.year, 1, 1) if cohort == "period" else dt.date(1900, 1, 1)
    return first, as_of_date(sel)


@db.cached
def _groups(sel: Selection, cohort: str) -> pd.DataFrame:
    lo, hi = cohort_bounds(sel, cohort)
    towns = list(sel.townships)
    df = db.query(_breakdown_sql(len(towns)), [lo, hi, sel.year, *towns])
    df["set"] = df["g"].map(_SET_OF_MASK)
    return df


def _part(sel: Selection, cohort: str, name: str) -> pd.DataFrame:
    df = _groups(sel, cohort)
    return df[df["set"] == name].drop(columns=["g", "set"]).reset_index(drop=True)


def _code(values: pd.Series, codes: dict[str, str] | None = None) -> pd.Series:
    """Stored values → codes (or the value itself without ``codes``); blank → UNKNOWN."""
    out = values.map(codes) if codes else values
    return out.where(values.notna(), UNKNOWN).astype("str")


@db.cached
def by_township(sel: Selection, cohort: str = "period") -> pd.DataFrame:
    """Grain: one row per township with returnees in the cohort (the chosen ones when filtered), most first.

    Columns: township, returnees, one column per status code (STATUS_CODES values, 人) and ``unknown`` (no status),
    placed (县内就业 + 县外就业 + 自主创业), placement_rate (placed ÷ returnees; NaN when not shown, see
    board.metrics.people)."""
    df = _part(sel, cohort, "township_status")
    df["code"] = _code(df["status"], STATUS_CODES)
    wide = df.groupby(["township", "code"])["returnees"].sum().unstack(fill_value=0)
    codes = [*STATUS_CODES.values(), UNKNOWN]
    wide = wide.reindex(columns=codes, fill_value=0).astype("int64").reset_index()
    wide.columns.name = None
    wide.insert(1, "returnees", wide[codes].sum(axis=1))
    wide["placed"] = wide[[STATUS_CODES[s] for s in PLACED]].sum(axis=1)
    wide["placement_rate"] = people.rates(wide["placed"], wide["returnees"])
    return wide.sort_values(["returnees", "township"], ascending=[False, True], ignore_index=True)


@db.cached
def by_status(sel: Selection, cohort: str = "period") -> pd.DataFrame:
    """Grain: one row per status code (every status, then ``unknown`` when some have none): status, returnees,
    share (of the cohort; NaN when not shown), placed (bool: counts in the placement rate)."""
    df = _part(sel, cohort, "township_status")
    counts = df.groupby(_code(df["status"], STATUS_CODES))["returnees"].sum()
    codes = [*STATUS_CODES.values()] + ([UNKNOWN] if counts.get(UNKNOWN, 0) else [])
    out = pd.DataFrame({"status": codes, "returnees": [int(counts.get(c, 0)) for c in codes]})
    out["share"] = people.rates(out["returnees"], pd.Series(out["returnees"].sum(), index=out.index))
    out["placed"] = out["status"].isin([STATUS_CODES[s] for s in PLACED])
    return out


@db.cached
def by_intent(sel: Selection, cohort: str = "period") -> pd.DataFrame:
    """Grain: one row per intent code (every intent, then ``unknown`` when some have none): intent, returnees,
    share (of the cohort; NaN when not shown)."""
    df = _part(sel, cohort, "intent")
    counts = df.groupby(_code(df["intent"], INTENT_CODES))["returnees"].sum()
    codes = [*INTENT_CODES.values()] + ([UNKNOWN] if counts.get(UNKNOWN, 0) else [])
    out = pd.DataFrame({"intent": codes, "returnees": [int(counts.get(c, 0)) for c in codes]})
    out["share"] = people.rates(out["returnees"], pd.Series(out["returnees"].sum(), index=out.index))
    return out


@db.cached
def by_age_gender(sel: Selection, cohort: str = "period") -> pd.DataFrame:
    """Grain: one row per age band (AGE_BANDS order, then ``unknown`` when some have no birth year): age_band,
    male, female, unknown (no gender), returnees (人)."""
    df = _part(sel, cohort, "age_gender")
    df["band"] = _code(df["age_band"])
    df["sex"] = _code(df["gender"], GENDERS)
    wide = df.groupby(["band", "sex"])["returnees"].sum().unstack(fill_value=0)
    bands = [c for c, _, _ in AGE_BANDS] + ([UNKNOWN] if UNKNOWN in wide.index else [])
    wide = wide.reindex(index=bands, columns=["male", "female", UNKNOWN], fill_value=0).astype("int64")
    wide["returnees"] = wide.sum(axis=1)
    wide.columns.name = None
    return wide.rename_axis("age_band").reset_index()


@db.cached
def waiting_by_skill(sel: Selection, cohort: str = "period") -> pd.DataFrame:
    """People waiting for work (status 待业) by their registered skill and their intent.

    Grain: one row per skill with someone waiting (blank skill → ``unknown``), most first: skill, one column per
    intent code (INTENT_CODES values and ``unknown``), waiting (人)."""
    df = _part(sel, cohort, "skill_intent")
    df = df[df["waiting"] > 0]
    codes = [*INTENT_CODES.values(), UNKNOWN]
    if df.empty:
        return pd.DataFrame(columns=["skill", *codes, "waiting"]).astype({c: "int64" for c in [*codes, "waiting"]})
    df = df.assign(sk=_code(df["skill"]), code=_code(df["intent"], INTENT_CODES))
    wide = df.groupby(["sk", "code"])["waiting"].sum().unstack(fill_value=0)
    wide = wide.reindex(columns=codes, fill_value=0).astype("int64")
    wide["waiting"] = wide.sum(axis=1)
    wide.columns.name = None
    out = wide.rename_axis("skill").reset_index()
    return out.sort_values(["waiting", "skill"], ascending=[False, True], ignore_index=True)


@db.cached
def summary(sel: Selection, cohort: str = "period") -> dict[str, float]:
    """The cards: returnees, placed, placement_rate (NaN when not shown), waiting (人), and for the ``period``
    cohort prior (returns in the same months of the year before) and yoy (ratio change; NaN without a prior)."""
    towns = by_township(sel, cohort)
    n, placed = int(towns["returnees"].sum()), int(towns["placed"].sum())
    out = {"returnees": n, "placed": placed, "placement_rate": people.rate(placed, n)}
    out["waiting"] = int(towns[STATUS_CODES[WAITING]].sum())
    prior = np.nan
    if cohort == "period":
        months = monthly(sel)
        prior = float(months.loc[(months["year"] == sel.year - 1) & (months["month"] <= sel.month), "returnees"].sum())
    out["prior"] = prior
    out["yoy"] = (n - prior) / prior if prior and not np.isnan(prior) else np.nan
    return out


@db.cached
def monthly(sel: Selection) -> pd.DataFrame:
    """The monthly return trend of the chosen townships, every month from the first with returns (at the latest
    January of the year before) through the as-of month. Grain: one row per month: year, month, returnees (人, 0
    in a month without returns), in_period (the month lies in the view's year)."""
    hi = as_of_date(sel)
    towns = list(sel.townships)
    df = db.query(_MONTHLY_SQL.format(towns=_towns(len(towns), 2)), [hi, *towns])
    first = (sel.year - 1, 1)
    if len(df):
        first = min(first, (int(df["year"].iloc[0]), int(df["month"].iloc[0])))
    months = pd.period_range(pd.Period(year=first[0], month=first[1], freq="M"), pd.Period(hi, freq="M"), freq="M")
    out = pd.DataFrame({"year": months.year.astype("int64"), "month": months.month.astype("int64")})
    out = out.merge(df.astype({"year": "int64", "month": "int64"}), on=["year", "month"], how="left")
    out["returnees"] = out["returnees"].fillna(0).astype("int64")
    out["in_period"] = out["year"] == sel.year
    return out
