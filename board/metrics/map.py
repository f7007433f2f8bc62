"""The township map's data: the current boundaries (v_boundaries, simplified for drawing) and each township's
completion rate against 序时进度 for one metric (board.metrics.progress, the same numbers as the ranking)."""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from board import db
from board.metrics import progress
from board.selection import Selection

_SHAPES_SQL = """SELECT township, code, simplified_geojson, label_lon, label_lat
FROM v_boundaries ORDER BY code NULLS LAST, township"""
SHAPE_COLUMNS = ["township", "code", "x", "y", "label_lon", "label_lat"]


def rings_xy(geojson: str) -> tuple[tuple, tuple]:
    """A (multi)polygon's rings as plotly x/y sequences, one closed ring after another with None between
    (a ``fill="toself"`` trace fills each ring; holes run the other way round and stay empty)."""
    geom = json.loads(geojson)
    polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    xs: list = []
    ys: list = []
    for rings in polygons:
        for ring in rings:
            if xs:
                xs.append(None)
                ys.append(None)
            xs += [p[0] for p in ring]
            ys += [p[1] for p in ring]
    return tuple(xs), tuple(ys)


@db.cached
def shapes() -> pd.DataFrame:
    """Grain: one row per township with a boundary: township, code, x and y (the simplified rings as plotly
    sequences), label_lon, label_lat (a point inside the shape). Empty without boundaries (or on a warehouse
    older than schema 5)."""
    try:
        df = db.query(_SHAPES_SQL)
    except duckdb.CatalogException:
        return pd.DataFrame(columns=SHAPE_COLUMNS)
    xy = [rings_xy(g) for g in df["simplified_geojson"]]
    return pd.DataFrame(
        {
            "township": df["township"],
            "code": df["code"],
            "x": [x for x, _ in xy],
            "y": [y for _, y in xy],
            "label_lon": df["label_lon"],
            "label_lat": df["label_lat"],
        },
        columns=SHAPE_COLUMNS,
    )


_PARKS_SQL = """SELECT name AS park, parent AS township, lon, lat FROM v_units
WHERE type = '园区' AND lon IS NOT NULL AND lat IS NOT NULL ORDER BY name"""
PARK_COLUMNS = ["park", "township", "lon", "lat"]


@db.cached
def park_points() -> pd.DataFrame:
    """Grain: one row per registered park with a location (the unit registry's 经度/纬度): park, township
    (its host, as registered), lon, lat. Empty when no park has one (or on a warehouse older than schema 6)."""
    try:
        return db.query(_PARKS_SQL)
    except (duckdb.CatalogException, duckdb.BinderException):
        return pd.DataFrame(columns=PARK_COLUMNS)


def township_map(sel: Selection, metric: str, units: tuple[str, ...]) -> tuple[pd.DataFrame, list[str]]:
    """(frame, missing). Frame grain: one row per township with a boundary: the shape columns of
    :func:`shapes`, then actual, target, note, rate, pace, ahead (board.metrics.progress by township, the
    selection's own township filter replaced as in the ranking) and status: ``ahead``, ``behind`` or ``none``
    (no rate). ``missing``: the townships of ``units`` without a boundary, in their order. Under a township
    scope (Selection.scope) only the scope's townships are drawn."""
    shp = shapes()
    if sel.scope:  # a township-restricted account: its townships' shapes only
        shp = shp[shp["township"].isin(sel.scope)].reset_index(drop=True)
        units = tuple(u for u in units if u in sel.scope)
    if shp.empty:
        return shp.assign(status=pd.Series(dtype="str")), list(units)
    towns = tuple(dict.fromkeys([*units, *shp["township"]]))
    rates = progress.progress(sel, (metric,), by="township", units=towns)
    cols = ["township", "actual", "target", "note", "rate", "pace", "ahead"]
    frame = shp.merge(rates[cols], on="township", how="left")
    frame["status"] = [
        "none" if pd.isna(r) else "ahead" if a else "behind" for r, a in zip(frame["rate"], frame["ahead"], strict=True)
    ]
    have = set(shp["township"])
    return frame, [u for u in units if u not in have]
