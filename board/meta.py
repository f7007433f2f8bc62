"""Warehouse metadata for the frame: filter options (from the unit registry), data freshness, batches, settings."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from board import access, db
from board.selection import Options
from etl import metric_catalogue, schema, store

# The defaults are declared once, with the warehouse schema; the meta table may override them.
DEFAULT_SETTINGS: dict[str, int] = {k: int(v) for k, v in schema.DEFAULT_SETTINGS.items() if k.startswith("settings.")}
# Metrics whose facts carry their real month say how far the data runs (an annual park row sits in month 12).
_MONTHLY = [m.code for m in metric_catalogue.METRICS if m.monthly]

# The filter options read the small rollups kept at load time (etl.maintain): v_unit_sums (per metric, year, month,
# unit and industry), v_fact_dims (the values the facts use per dimension), v_returnee_townships.
_YEARS_SQL = "SELECT DISTINCT year FROM v_unit_sums UNION SELECT year FROM v_targets ORDER BY year"
_LATEST_SQL = """SELECT year, max(month) AS month FROM v_unit_sums
WHERE unit = '*' AND list_contains(?::VARCHAR[], metric) GROUP BY year ORDER BY year"""
# Registered units first (townships in division-code order), then names the data uses that are not registered.
_UNITS_SQL = """SELECT type, name, last_year FROM v_units ORDER BY type, code NULLS LAST, name"""
_DATA_SQL = """SELECT DISTINCT dim, v FROM v_fact_dims
UNION SELECT 'township', township FROM v_returnee_townships
UNION SELECT 'park', park FROM v_parks
ORDER BY dim, v"""
_FRESH_SQL = "SELECT max(loaded_at) AS loaded_at FROM v_batches WHERE status = 'loaded'"
_SETTINGS_SQL = "SELECT key, value FROM meta WHERE starts_with(key, 'settings.')"


_PARK_TOWNS_SQL = "SELECT name, parent FROM v_units WHERE type = '园区'"


def options() -> Options:
    """The filter options (:func:`all_options`) within the current account's townships (board.access): its
    townships, and the parks the unit registry places in one of them."""
    found = all_options()
    if not access.townships():
        return found
    return access.clamp_options(found, park_towns())


@db.cached
def park_towns() -> dict[str, str | None]:
    """Park → the township the unit registry places it in (its parent); None when not given."""
    df = db.query(_PARK_TOWNS_SQL)
    return {str(n): (None if pd.isna(p) else str(p)) for n, p in zip(df["name"], df["parent"], strict=True)}


@db.cached
def all_options() -> Options:
    """Years (with data or targets); per year the last month a user may choose (the latest month with data;
    12 for a year followed by a later year with data); townships and parks from the unit registry (a
    township with no data yet is listed; one merged away before the first year is not) and the data;
    industries from the data."""
    years = tuple(int(y) for y in db.query(_YEARS_SQL)["year"])
    latest = {int(r.year): int(r.month) for r in db.query(_LATEST_SQL, [_MONTHLY]).itertuples()}
    if latest:
        last_data_year = max(latest)
        latest |= {y: 12 for y in years if y < last_data_year}
    units = db.query(_UNITS_SQL)
    data = db.query(_DATA_SQL)
    first = min(years) if years else None

    def listed(unit_type: str, dim: str) -> tuple[str, ...]:
        reg = units[units["type"] == unit_type]
        if first is not None:
            reg = reg[reg["last_year"].isna() | (reg["last_year"] >= first)]
        return tuple(dict.fromkeys([*reg["name"], *data.loc[data["dim"] == dim, "v"]]))

    return Options(
        years=years,
        latest_month=latest,
        townships=listed("镇街", "township"),
        industries=tuple(data.loc[data["dim"] == "industry", "v"]),
        parks=listed("园区", "park"),
    )


def latest_load() -> dt.datetime | None:
    """When the latest batch still in force was loaded."""
    ts = db.query(_FRESH_SQL)["loaded_at"].iloc[0]
    return None if pd.isna(ts) else pd.Timestamp(ts).to_pydatetime()


@db.cached
def batch_history() -> pd.DataFrame:
    """Grain: one row per batch (loaded or rolled back), newest first (etl.store.batches)."""
    return store.batches(db.reader(str(db.db_path())))


@db.cached
def quarantined(batch_id: int) -> pd.DataFrame:
    """Grain: one row per quarantined row of the batch (etl.store.quarantine)."""
    return store.quarantine(db.reader(str(db.db_path())), batch_id)


@db.cached
def settings() -> dict[str, int]:
    """Integer settings from the meta table over the defaults; a non-integer value raises ValueError."""
    out = dict(DEFAULT_SETTINGS)
    for row in db.query(_SETTINGS_SQL).itertuples():
        if row.key in out:
            out[row.key] = int(row.value)
    return out
