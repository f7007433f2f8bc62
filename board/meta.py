"""Warehouse metadata for the frame: filter options, data freshness, batches and settings."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from board import db
from board.filters import Options
from etl import schema

# The defaults are declared once, with the warehouse schema; the meta table may override them.
DEFAULT_SETTINGS: dict[str, int] = {k: int(v) for k, v in schema.DEFAULT_SETTINGS.items() if k.startswith("settings.")}

_YEARS_SQL = "SELECT year FROM v_metric_facts UNION SELECT year FROM v_targets ORDER BY year"
# Park metrics are left out: an annual park row sits in month 12 and says nothing about the latest month.
_LATEST_SQL = """SELECT year, max(month) AS month FROM v_metric_facts
WHERE NOT starts_with(metric, 'park_') GROUP BY year ORDER BY year"""
# Townships come from the datasets that have one (a lead's unit may be a department, so not from facts).
_DIM_SQL = """SELECT 'township' AS dim, township AS v FROM v_projects WHERE township IS NOT NULL
UNION SELECT 'township', township FROM v_labor UNION SELECT 'township', township FROM v_returnees
UNION SELECT 'township', township FROM v_training UNION SELECT 'township', township FROM v_ventures
UNION SELECT 'industry', industry FROM v_metric_facts WHERE industry IS NOT NULL
UNION SELECT 'park', park FROM v_metric_facts WHERE park IS NOT NULL
UNION SELECT 'park', park FROM v_parks WHERE park IS NOT NULL
ORDER BY dim, v"""
_FRESH_SQL = "SELECT max(loaded_at) AS loaded_at FROM v_batches WHERE status = 'loaded'"
_BATCHES_SQL = """SELECT batch_id, dataset, file_name, rows_read, rows_loaded, rows_rejected, user_name, loaded_at,
  status, rolled_back_at FROM v_batches ORDER BY loaded_at DESC, batch_id DESC"""
_SETTINGS_SQL = "SELECT key, value FROM meta WHERE starts_with(key, 'settings.')"


@db.cached
def options() -> Options:
    """Years (with data or targets), latest month with data per year, townships, industries, parks."""
    years = tuple(int(y) for y in db.query(_YEARS_SQL)["year"])
    latest = {int(r.year): int(r.month) for r in db.query(_LATEST_SQL).itertuples()}
    dims = db.query(_DIM_SQL)

    def values(dim: str) -> tuple[str, ...]:
        return tuple(dims.loc[dims["dim"] == dim, "v"])

    return Options(
        years=years,
        latest_month=latest,
        townships=values("township"),
        industries=values("industry"),
        parks=values("park"),
    )


def latest_load() -> dt.datetime | None:
    """When the latest batch still in force was loaded."""
    ts = db.query(_FRESH_SQL)["loaded_at"].iloc[0]
    return None if pd.isna(ts) else pd.Timestamp(ts).to_pydatetime()


def batches() -> pd.DataFrame:
    """Grain: one row per batch (loaded or rolled back), newest first."""
    return db.query(_BATCHES_SQL)


@db.cached
def settings() -> dict[str, int]:
    """Integer settings from the meta table over the defaults; a non-integer value raises ValueError."""
    out = dict(DEFAULT_SETTINGS)
    for row in db.query(_SETTINGS_SQL).itertuples():
        if row.key in out:
            out[row.key] = int(row.value)
    return out
