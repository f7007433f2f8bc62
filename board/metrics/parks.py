"""Parks (园区): one park's cards and trends, every park's efficiency and grade, a park's projects.

Units: money in 万元, land in 亩, developed area in 平方公里, enterprises in 户, jobs in 人; the efficiency measures
in 万元/亩 (亩均税收 tax_per_mu, 亩均产值 output_per_mu, 投资强度 investment_intensity) and 万元/人 (人均产值
output_per_job); the score 0–100; percentile ranks 0–1.

Stocks (land used, developed area, enterprises, jobs) are the latest recorded value of the period, an annual row
counting as December; flows (revenue, output, tax, fixed-asset and infrastructure investment) are summed, a
park-year's annual row standing for its months (etl.schema PARK_FLOW_ROW, the rule of the facts too). The measures,
ratios, score and grade are computed once, in the warehouse (``park_efficiency_months``, whose as-of-December rows
are the public ``v_park_efficiency``); this module only selects from it. The park data is not broken down by
township or industry: only the project list follows the industry filter. A park's catalogue metrics against its
targets (revenue, output, tax, contract investment and fixed-asset investment of its projects) come from
board.metrics.progress, like every card.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from board import db, fmt
from board.i18n import current_lang, t
from board.metrics import progress
from board.selection import Selection
from etl import park_grading

# Measures of the park dataset: name → display kind (money 万元, people 人, firms 户, mu 亩, km2 平方公里).
STOCKS: dict[str, str] = {"land_used_mu": "mu", "developed_area_km2": "km2", "enterprises": "firms", "jobs": "people"}
FLOWS: dict[str, str] = {
    "revenue": "money",
    "industrial_output": "money",
    "tax": "money",
    "fixed_asset_investment": "money",
    "infrastructure_investment": "money",
}
# The efficiency measures (etl.park_grading.MEASURES) and their display kind: 万元/亩 or 万元/人.
RATIOS: dict[str, str] = {
    "tax_per_mu": "per_mu",
    "output_per_mu": "per_mu",
    "investment_intensity": "per_mu",
    "output_per_job": "per_job",
}
CONTRACT = "contract_investment"  # the catalogue metric of projects signed in the park (facts, not v_parks)
# What the trend chooser offers, in order: the park's flows, the contract investment landed in it, its stocks.
TREND_MEASURES: tuple[str, ...] = (*FLOWS, CONTRACT, "jobs", "enterprises", "land_used_mu", "developed_area_km2")
# The cards: catalogue metrics against the park's targets (progress), then stocks (latest value, no target).
CARD_METRICS: tuple[str, ...] = ("park_revenue", "park_output", "park_tax", CONTRACT, "fixed_asset_investment")
KINDS: dict[str, str] = {
    **FLOWS, **STOCKS, **RATIOS, **dict.fromkeys(CARD_METRICS, "money"), "score": "score"
}  # fmt: skip
CARD_STOCKS: tuple[str, ...] = ("jobs", "enterprises", "land_used_mu")
# What the comparison across parks can rank, in order.
COMPARE_MEASURES: tuple[str, ...] = (*RATIOS, "score", "tax", "industrial_output", "revenue", "jobs", "land_used_mu")

# Grain: one row per park with rows of v_parks in the year dated through the as-of month; best score first.
_EFFICIENCY_SQL = """SELECT * EXCLUDE (as_of_month), ahead + 1 AS score_rank FROM park_efficiency_months
WHERE year = ? AND as_of_month = ?
ORDER BY score DESC NULLS LAST, park"""
# Grain: one row per year of the park (the whole year; the current one through its latest month loaded).
_HISTORY_SQL = """SELECT * EXCLUDE (as_of_month) FROM park_efficiency_months WHERE park = ? AND as_of_month = 12
ORDER BY year"""
# Grain: one row per row of v_parks of the park in the year and the year before (month NULL: an annual row).
_ROWS_SQL = """SELECT year, month, land_used_mu, developed_area_km2, enterprises, jobs, revenue, industrial_output, tax,
  fixed_asset_investment, infrastructure_investment
FROM v_parks WHERE park = ? AND year IN (?, ? - 1) ORDER BY year, month NULLS LAST"""
# Grain: one row per project whose park is the park, of the chosen industries (none chosen: all).
_PROJECTS_SQL = """SELECT project_id, name, status, industry, township, total_investment, contract_investment,
  signed_date, started_date, coalesce(production_date, completed_date) AS production_date, size_tier
FROM v_projects WHERE park = ? AND (len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], industry))
ORDER BY signed_date DESC NULLS FIRST, project_id"""
_GRADING_SQL = "SELECT key, value FROM meta WHERE starts_with(key, ?)"


@db.cached
def efficiency(year: int, month: int) -> pd.DataFrame:
    """Every park's year through ``month`` (1–12): grain one row per park with data in it, best score first.

    Columns: park, year, through_month (its latest month with data; 12 for an annual row), the stocks
    land_used_mu (亩), developed_area_km2, enterprises (户), jobs (人); the flows revenue, industrial_output, tax,
    fixed_asset_investment, infrastructure_investment (万元); tax_per_mu, output_per_mu, investment_intensity
    (万元/亩), output_per_job (万元/人), NA when the land or jobs are not recorded (never 0 or inf); pr_<measure>
    (percentile rank 0–1 among the graded parks), score (0–100), ahead (graded parks with a higher score),
    score_rank (ahead + 1), graded_parks, grade (A–D; NA for a park without all four measures). With ``month``
    12 the rows are those of v_park_efficiency.
    """
    return db.query(_EFFICIENCY_SQL, [year, month])


def ranking(year: int, month: int, measure: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Parks ranked by one column of :func:`efficiency`: (grain one row per park with a value: park, value in
    the measure's unit, largest first; the parks without it)."""
    df = efficiency(year, month)
    has = df[df[measure].notna()].rename(columns={measure: "value"})[["park", "value"]]
    ranked = has.sort_values(["value", "park"], ascending=[False, True]).reset_index(drop=True)
    return ranked, tuple(df.loc[df[measure].isna(), "park"])


@db.cached
def history(park: str) -> pd.DataFrame:
    """The park year by year: grain one row per year with data (the current year through its latest month);
    the columns of :func:`efficiency`."""
    return db.query(_HISTORY_SQL, [park])


@db.cached
def park_rows(park: str, year: int) -> pd.DataFrame:
    """The park's rows of v_parks as loaded, in the year and the one before: grain one row per period (year,
    month; month NA for an annual row) with the stocks and flows in their units."""
    return db.query(_ROWS_SQL, [park, year, year])


def has_annual_row(park: str, year: int) -> bool:
    """Whether the park has an annual row for ``year`` (its flows for the year are then that row's)."""
    rows = park_rows(park, year)
    return bool((rows["year"].eq(year) & rows["month"].isna()).any())


@db.cached
def monthly_trend(park: str, year: int, month: int, measure: str) -> pd.DataFrame:
    """One measure of the park month by month: grain one row per month 1–12 with value (the year's monthly row
    as reported; NaN after the as-of ``month`` or when not reported) and prior (the same month of the year
    before). Contract investment comes from the facts (progress.monthly): the month's signed projects."""
    out = pd.DataFrame({"month": range(1, 13)})
    if measure == CONTRACT:
        sel = Selection(year, month, parks=(park,))
        now = progress.monthly(sel, CONTRACT)["value"].to_numpy()
        before = progress.monthly(Selection(year - 1, 12, parks=(park,)), CONTRACT)["value"].to_numpy()
        return out.assign(value=now, prior=before)
    rows = park_rows(park, year)
    rows = rows[rows["month"].notna()]
    for col, yr in (("value", year), ("prior", year - 1)):
        part = rows[rows["year"] == yr].set_index("month")[measure].astype("float64")
        out[col] = out["month"].map(part).astype("float64")
    out.loc[out["month"] > month, "value"] = np.nan
    return out


@db.cached
def yearly_trend(park: str, measure: str, last_months: tuple[tuple[int, int], ...]) -> pd.DataFrame:
    """One measure of the park year by year: grain one row per year of ``last_months`` ((year, its last month)
    pairs) with value (flows: the year's total by the annual-row rule; stocks: the latest value; NaN when the
    park reported rows that year but not this measure) and through (the last month counted). A year without rows
    of the park is left out. Contract investment comes from the facts (progress.progress): every year, 0 when
    nothing was signed."""
    rows = []
    hist = history(park).set_index("year")
    for year, month in last_months:
        if measure == CONTRACT:
            value = progress.progress(Selection(year, month, parks=(park,)), (CONTRACT,))["actual"].iloc[0]
            rows.append((year, float(value), month))
        elif year in hist.index:
            rows.append((year, float(hist.loc[year, measure]), int(hist.loc[year, "through_month"])))
    return pd.DataFrame(rows, columns=["year", "value", "through"]).astype({"value": "float64"})


@dataclass(frozen=True)
class Card:
    """One card of a park: ``key`` a catalogue metric or a stock; value, prior (the same months / month of the
    year before), yoy (ratio), target, rate, pace, ahead (None without a rate), note (why no target), kind."""

    key: str
    kind: str
    value: float
    prior: float
    yoy: float | None
    target: float | None
    rate: float | None
    pace: float
    ahead: bool | None
    note: str | None
    stock: bool
    through: int | None = None  # a stock: the latest month with data through the as-of month


def park_progress(year: int, month: int, park: str) -> pd.DataFrame:
    """The park's catalogue metrics (CARD_METRICS) against its targets through ``month``: progress.progress for
    the park alone (its columns; grain one row per metric, money in 万元)."""
    return progress.progress(Selection(year, month, parks=(park,)), CARD_METRICS)


@db.cached
def cards(year: int, month: int, park: str) -> tuple[Card, ...]:
    """The park's cards for the year through ``month``: CARD_METRICS from progress.progress (actual vs the park's
    target and 序时进度, in the metric's unit), then CARD_STOCKS (the latest value through the month and through
    the same month of the year before; no target)."""
    found = park_progress(year, month, park)
    out = []
    for row in found.itertuples():
        target = None if pd.isna(row.target) else float(row.target)
        rate = None if pd.isna(row.rate) else float(row.rate)
        yoy = None if pd.isna(row.yoy) else float(row.yoy)
        out.append(
            Card(row.metric, "money", float(row.actual), float(row.prior), yoy, target, rate, float(row.pace),
                 row.ahead, row.note, False)
        )  # fmt: skip
    now, before = _park_row(year, month, park), _park_row(year - 1, month, park)
    for key in CARD_STOCKS:
        value, prior = float(now.get(key, np.nan)), float(before.get(key, np.nan))
        yoy = (value - prior) / prior if prior and not np.isnan(prior) and not np.isnan(value) else None
        through = None if fmt.missing(now.get("through_month")) else int(now["through_month"])
        out.append(
            Card(key, STOCKS[key], value, prior, yoy, None, None, progress.pace(month), None, None, True, through)
        )
    return tuple(out)


def _park_row(year: int, month: int, park: str) -> dict:
    df = efficiency(year, month)
    rows = df[df["park"] == park]
    return {} if rows.empty else rows.iloc[0].to_dict()


def reported(year: int, month: int, park: str, measure: str) -> float:
    """The park's own figure of a park-dataset measure for the year through ``month`` (NaN when none)."""
    return float(_park_row(year, month, park).get(measure, np.nan))


@db.cached
def projects(park: str, industries: tuple[str, ...] = ()) -> pd.DataFrame:
    """The park's projects (v_projects, current status): grain one row per project whose park is ``park``, of
    ``industries`` when given; newest signing first, projects in negotiation (no date) on top. Columns:
    project_id, name, status, industry, township, total_investment, contract_investment (万元), signed_date,
    started_date, production_date (production, else completion), size_tier."""
    return db.query(_PROJECTS_SQL, [park, list(industries), list(industries)])


@db.cached
def grading_applied() -> park_grading.Grading:
    """The grading settings the warehouse's v_park_efficiency uses (its meta table; defaults where absent)."""
    rows = db.query(_GRADING_SQL, [park_grading.META_PREFIX])
    return park_grading.from_meta(dict(zip(rows["key"], rows["value"], strict=True)))


def weights_frame(grading: park_grading.Grading) -> pd.DataFrame:
    """The score's weights: grain one row per efficiency measure: measure, weight (as configured), share (0–1)."""
    rows = [(m, grading.weight(m), grading.share(m)) for m in park_grading.MEASURES]
    return pd.DataFrame(rows, columns=["measure", "weight", "share"])


def grading_path() -> str:
    """Where the grading settings file is looked for, relative to the repository when inside it."""
    file = park_grading.path()
    try:
        return str(file.resolve().relative_to(park_grading.ROOT))
    except ValueError:
        return str(file)


def grading_file() -> tuple[park_grading.Grading | None, park_grading.Invalid | None]:
    """The settings file as it is now (read on every call; a few hundred bytes): (settings, None), or (None, the
    reason it is invalid). Compare with :func:`grading_applied` to know whether ``bin/etl init`` must run."""
    try:
        return park_grading.load(), None
    except park_grading.Invalid as exc:
        return None, exc


_UNIT_KEYS = {
    "people": "fmt.people",
    "firms": "parks.fmt.firms",
    "mu": "parks.fmt.mu",
    "km2": "parks.fmt.km2",
    "per_mu": "parks.fmt.per_mu",
    "per_job": "parks.fmt.per_job",
    "score": "parks.fmt.score",
}


# English shows the 万元 ratios in thousand CNY (2.57 万元/亩 = CNY 25.7k/mu): the factor per language.
_RATIO_FACTOR = {"zh": 1.0, "en": 10.0}
_PLACES = {"people": 0, "firms": 0, "mu": 1, "km2": 2, "per_mu": 2, "per_job": 1, "score": 1}


def display_factor(measure: str) -> float:
    """What a stored value of ``measure`` is multiplied by for display (charts): 10 for the ratios in English."""
    return _RATIO_FACTOR[current_lang()] if KINDS[measure] in ("per_mu", "per_job") else 1.0


def shown(measure: str, value: float | None, compact: bool = False) -> str:
    """A measure's value as text in the display language: money 万元/亿元 by magnitude, '1,234 人', '2,430.3 亩',
    '2.57 万元/亩' (en 'CNY 25.7k/mu'); "—" when missing."""
    kind = KINDS[measure]
    if fmt.missing(value):
        return fmt.DASH
    if kind == "money":
        return fmt.money(value, compact=compact)
    places = _PLACES[kind] - (1 if display_factor(measure) == 10 else 0)
    return t(_UNIT_KEYS[kind], v=f"{float(value) * display_factor(measure):,.{places}f}")


def axis_unit(measure: str) -> str:
    """The unit word of a measure's chart axis (money is scaled by the chart itself)."""
    return t("parks.unit." + KINDS[measure])
