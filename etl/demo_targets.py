"""Demo county targets: yearly targets per unit and metric, sized from the warehouse's own facts."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from etl import metric_catalogue

COUNTY = "全县"
# (year, unit, metric, actual) from the unit-keyed facts: '*' is the whole county.
ACTUALS_SQL = "SELECT year, unit, metric, sum(value) AS value FROM v_unit_facts GROUP BY ALL ORDER BY ALL"


def target_pairs(actuals: pd.DataFrame, unit_types: dict[str, str]) -> set[tuple[str, str]]:
    """(unit, metric) pairs that get targets: 全县 every target metric; a township or park every metric of
    the catalogue that applies to its type and for which it has facts in some year."""
    pairs = {(COUNTY, code) for code in metric_catalogue.TARGET_METRICS}
    dim = {"镇街": "township", "园区": "park"}
    for unit, metric in actuals[["unit", "metric"]].drop_duplicates().itertuples(index=False):
        kind = dim.get(unit_types.get(unit, ""))
        m = metric_catalogue.BY_CODE.get(metric)
        if kind and m is not None and m.target and kind in m.dims:
            pairs.add((unit, metric))
    return pairs


def make_targets(
    rng: np.random.Generator,
    actuals: pd.DataFrame,
    unit_types: dict[str, str],
    years: list[int],
    as_of: date,
    lagging: tuple[str, ...],
) -> pd.DataFrame:
    """One row per year, unit and metric. Target = the year's actual (current year: extrapolated by 序时进度)
    × 0.87–1.11, so units land at ~90–115 %; the ``lagging`` townships get targets they reach only 40–60 %."""
    named = actuals.assign(unit=actuals["unit"].replace("*", COUNTY))
    act = named.set_index(["year", "unit", "metric"])["value"]
    days = (date(as_of.year, 12, 31) - date(as_of.year, 1, 1)).days + 1
    pace = {y: 1.0 for y in years} | {as_of.year: ((as_of - date(as_of.year, 1, 1)).days + 1) / days}
    pairs = sorted(target_pairs(named, unit_types))
    rows = []
    for y in years:
        for unit, m in pairs:
            full = float(act.get((y, unit, m), 0.0)) / pace[y]
            f = rng.uniform(1 / 0.6, 1 / 0.4) if unit in lagging else rng.uniform(0.87, 1.11)
            t = full * f
            if metric_catalogue.get(m).kind in ("money", "usd"):
                t = max(100.0, float(round(t, -2 if t >= 10_000 else -1 if t >= 1_000 else 0)))
            else:
                t = float(max(1, round(t)))
            rows.append({"year": y, "unit": unit, "metric": m, "target": t})
    return pd.DataFrame(rows)
