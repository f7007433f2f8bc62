"""Actuals summed from the unit-keyed facts (v_unit_facts): the one place the read side adds up a metric.

A township, park or unit filter keeps the facts that count under the selected units (each fact is keyed
under every unit it answers for, etl.schema.answers_for); an industry filter keeps facts of the selected
industries. The year before is fetched too, for the year-on-year change; the as-of month is applied in
pandas, so one cached result serves every month.
"""

from __future__ import annotations

from board import db
from board.selection import Selection
from etl import metric_catalogue

# Grain: one row per metric, year, month and unit ('*' = the whole area), for the year and the one before.
# One query serves the whole-area cards, any single township or park, the ranking and the behind-pace list.
# It reads the per-unit sums kept at load time (v_unit_sums: the facts summed per unit, month and industry).
_BY_UNIT_SQL = """
WITH p AS (SELECT ?::VARCHAR[] AS metrics, ?::INTEGER AS yr, ?::VARCHAR[] AS inds)
SELECT f.metric, f.year, f.month, f.unit, sum(f.actual) AS actual FROM v_unit_sums f, p
WHERE list_contains(p.metrics, f.metric) AND f.year IN (p.yr, p.yr - 1)
  AND (len(p.inds) = 0 OR list_contains(p.inds, f.industry))
GROUP BY ALL"""
# Several units at once (two townships, or a township and a park): a fact counts once when it counts under
# one of the selected townships (if any are selected) and one of the selected parks (if any).
# Grain: one row per metric, year and month; unit '*'.
_SELECTED_SQL = """
WITH p AS (SELECT ?::VARCHAR[] AS metrics, ?::INTEGER AS yr, ?::VARCHAR[] AS towns, ?::VARCHAR[] AS inds,
                  ?::VARCHAR[] AS parks),
flagged AS (
  SELECT f.fact_id, f.metric, f.year, f.month, f.value,
         len(p.towns) = 0 OR list_contains(p.towns, f.unit) AS town_ok,
         len(p.parks) = 0 OR list_contains(p.parks, f.unit) AS park_ok
  FROM v_unit_facts f, p
  WHERE list_contains(p.metrics, f.metric) AND f.year IN (p.yr, p.yr - 1) AND f.unit <> '*'
    AND (len(p.inds) = 0 OR list_contains(p.inds, f.industry))
    AND (list_contains(p.towns, f.unit) OR list_contains(p.parks, f.unit))),
facts AS (
  SELECT fact_id, any_value(metric) AS metric, any_value(year) AS year, any_value(month) AS month,
         any_value(value) AS value
  FROM flagged GROUP BY fact_id
  HAVING bool_or(town_ok) AND bool_or(park_ok))
SELECT metric, year, month, '*' AS unit, sum(value) AS actual FROM facts GROUP BY ALL"""

# Each township (or park) of a list crossed with the selection's other filter: a fact counts under unit k when it
# counts under k and under one of the ``others`` (the selected parks, or the selected or scoped townships), as
# _SELECTED_SQL counts it for one k at a time. Grain: one row per metric, year, month and unit of ``keys``.
_CROSSED_SQL = """
WITH p AS (SELECT ?::VARCHAR[] AS metrics, ?::INTEGER AS yr, ?::VARCHAR[] AS keys, ?::VARCHAR[] AS inds,
                  ?::VARCHAR[] AS others),
base AS (
  SELECT f.fact_id, f.metric, f.year, f.month, f.unit, f.value FROM v_unit_facts f, p
  WHERE list_contains(p.metrics, f.metric) AND f.year IN (p.yr, p.yr - 1) AND f.unit <> '*'
    AND (len(p.inds) = 0 OR list_contains(p.inds, f.industry))
    AND (list_contains(p.keys, f.unit) OR list_contains(p.others, f.unit))),
crossed AS (SELECT DISTINCT b.fact_id FROM base b, p WHERE list_contains(p.others, b.unit))
SELECT b.metric, b.year, b.month, b.unit, sum(b.value) AS actual FROM base b, p
WHERE list_contains(p.keys, b.unit) AND b.fact_id IN (SELECT fact_id FROM crossed)
GROUP BY ALL"""


# The months 1..? of a month-grain query's rows, summed per unit, metric and year (the query's own parameters first).
_THROUGH_SQL = "SELECT unit, metric, year, sum(actual) AS actual FROM ({sql}) q WHERE month <= ? GROUP BY ALL"


def query_metrics(metrics: tuple[str, ...]) -> list[str]:
    """Ask for all headline metrics when only those are needed, so one cached result serves them all."""
    cards = metric_catalogue.CARD_METRICS
    return list(cards) if set(metrics) <= set(cards) else sorted(set(metrics))


def _query(sel: Selection, metrics: tuple[str, ...]) -> tuple[str, tuple, str]:
    """(SQL, parameters, unit key of the selection's rows: '*' for the whole area or several units)."""
    units = sel.townships + sel.parks
    if len(units) <= 1:
        return _BY_UNIT_SQL, (tuple(query_metrics(metrics)), sel.year, sel.industries), (units[0] if units else "*")
    args = (tuple(query_metrics(metrics)), sel.year, sel.townships, sel.industries, sel.parks)
    return _SELECTED_SQL, args, "*"


def monthly_rows(sel: Selection, metric: str):
    """Grain: one row per month with facts of ``metric`` in the selection's year (month, actual)."""
    sql, args, key = _query(sel, (metric,))
    df = db.query(sql, args)
    df = df[(df["unit"] == key) & (df["year"] == sel.year) & (df["metric"] == metric)]
    return df.groupby("month", as_index=False)["actual"].sum()


def sums(sel: Selection, metrics: tuple[str, ...], memo: dict) -> tuple[dict, str]:
    """({(unit, metric, year): actual through the as-of month}, the selection's unit key). ``memo`` keeps
    the sums of one query for the rest of a call (many units share one by-unit query)."""
    sql, args, key = _query(sel, metrics)
    if (args, sel.month) not in memo:
        memo[args, sel.month] = _through(sql, args, sel.month)
    return memo[args, sel.month], key


@db.cached
def _through(sql: str, args: tuple, month: int) -> dict:
    """{(unit, metric, year): actual of months 1..``month``} of one month-grain query (``sql``, ``args``), summed in
    DuckDB and kept as a dict: a province's by-unit query has ~330k month rows, ~28k sums."""
    df = db.query(_THROUGH_SQL.format(sql=sql), (*args, month))
    return {(u, m, int(y)): a for u, m, y, a in zip(df["unit"], df["metric"], df["year"], df["actual"], strict=True)}


def crossed_sums(sel: Selection, metrics: tuple[str, ...], keys: tuple[str, ...], others: tuple[str, ...]) -> dict:
    """{(unit, metric, year): actual through the as-of month} for every unit of ``keys``, each counting only the
    facts that also count under one of ``others``: one query where asking ``sums`` unit by unit would send one per
    unit (a township ranking under a park filter: 2,000 queries in a province)."""
    args = (tuple(query_metrics(metrics)), sel.year, tuple(keys), sel.industries, tuple(others))
    df = db.query(_CROSSED_SQL, args)
    through = df[df["month"] <= sel.month]
    return through.groupby(["unit", "metric", "year"])["actual"].sum().to_dict()
