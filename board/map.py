"""The township map: each township coloured by one metric's completion rate against 序时进度, drawn without
map tiles.

Drawn as one ``go.Scatter(fill="toself")`` trace per township on plain x/y axes (longitude, latitude; the
y axis scaled by 1/cos(latitude) so shapes keep their proportions): a ``go.Choropleth``/``geo`` figure makes
the browser fetch base-layer topojson from the internet, these traces fetch nothing. Behind 序时 = orange
(darker further behind), ahead = green (darker further ahead), no target = grey with hatching; parks with a
location in the unit registry are dark-blue diamonds with their names. Colour is never the only signal:
every township carries its name, rate and ▲/▼ (ahead/behind, in the legend), and its hover text the figures.

``show(sel, metric, units, key=…)`` is the one call a page makes (the overview's ranking section and the
targets page); ``figure`` builds the figure from the frame of board.metrics.map.township_map.
"""

from __future__ import annotations

import html
import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from board import charts, fmt
from board.i18n import metric_name, t
from board.metrics import map as map_data
from board.selection import Selection
from board.sidebar import request_filters
from etl import metric_catalogue

# Colour stops: far behind → just behind (oranges), just ahead → far ahead (greens), no target grey.
BEHIND = ("#a63603", "#fdbe85")
AHEAD = ("#c7e9c0", "#1b7837")
NONE = "#d5d9de"
PARK = "#1f3b73"  # park points: dark blue, apart from the orange–green scale
EDGE, EDGE_SELECTED = "#ffffff", "#1a1a1a"
HEIGHT = 600
AHEAD_MARK, BEHIND_MARK = "▲", "▼"  # on every label beside the rate, explained in the legend


def _mix(a: str, b: str, f: float) -> str:
    """The colour a fraction ``f`` (0–1) of the way from ``a`` to ``b``."""
    f = min(max(f, 0.0), 1.0)
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * f):02x}" for x, y in zip(ca, cb, strict=True))


def scale_top(rates: pd.Series, pace: float) -> float:
    """The rate at the dark-green end of the scale: the highest rate, at least 序时 + 50 points (so that a rate
    just past 序时 stays light), at most 200 %."""
    top = float(rates.max()) if rates.notna().any() else 0.0
    return min(max(top, pace + 0.5), max(2.0, pace + 0.5))


def colour(rate: float | None, pace: float, top: float) -> str:
    """A township's fill: oranges below 序时 (from 0 to 序时), greens from 序时 to ``top``, grey without a rate."""
    if rate is None or (isinstance(rate, float) and math.isnan(rate)):
        return NONE
    if rate < pace:
        return _mix(*BEHIND, rate / pace if pace else 1.0)
    return _mix(*AHEAD, (rate - pace) / (top - pace) if top > pace else 1.0)


def colourscale(pace: float, top: float) -> list:
    """The same scale for the colour bar, over rates 0…top."""
    p = min(max(pace / top, 0.0), 1.0) if top else 0.0
    return [[0.0, BEHIND[0]], [max(p - 1e-6, 0.0), BEHIND[1]], [p, AHEAD[0]], [1.0, AHEAD[1]]]


def _ink(fill: str) -> str:
    """Label text colour for a fill: white on dark fills, near-black on light ones."""
    r, g, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return "#ffffff" if 0.299 * r + 0.587 * g + 0.114 * b < 140 else "#1a1a1a"


def _hover(row, kind: str) -> str:
    name = html.escape(str(row.township))
    if pd.isna(row.rate):
        note = t(f"note.{row.note}") if isinstance(row.note, str) and row.note else t("note.no_target")
        actual = fmt.value(row.actual, kind) if pd.notna(row.actual) else fmt.DASH
        return f"<b>{name}</b><br>{t('map.hover_actual', v=actual)}<br>{note}"
    gap = (row.rate - row.pace) * 100
    lines = [
        f"<b>{name}</b>",
        t("map.hover_rate", rate=fmt.pct(row.rate), pace=fmt.pct(row.pace)),
        t("map.hover_gap", gap=f"{gap:+.1f}"),
        t("map.hover_actual", v=fmt.value(row.actual, kind))
        + " · "
        + t("map.hover_target", v=fmt.value(row.target, kind)),
    ]
    return "<br>".join(lines)


def _label(row, selected: bool) -> str:
    name = html.escape(str(row.township))
    name = f"<b>{name}</b>" if selected else name
    if pd.isna(row.rate):
        return f"{name}<br>{t('map.no_target_short')}"
    return f"{name}<br>{fmt.pct(row.rate)} {AHEAD_MARK if row.ahead else BEHIND_MARK}"


def figure(
    frame: pd.DataFrame, metric: str, title: str, highlight: tuple[str, ...] = (), parks: pd.DataFrame | None = None
) -> go.Figure:
    """The map of ``frame`` (board.metrics.map.township_map: one row per township with x, y, label_lon,
    label_lat, rate, pace, ahead, status…) and the ``parks`` with a location (board.metrics.map.park_points) as
    named points. Every label point carries its township, every park point its park in ``customdata`` (a
    click on it drills through, see :func:`show`)."""
    kind = metric_catalogue.get(metric).kind
    rated = frame["rate"].dropna()
    pace = float(frame["pace"].dropna().iloc[0]) if frame["pace"].notna().any() else 0.0
    top = scale_top(rated, pace)
    traces = []
    hovers = [_hover(r, kind) for r in frame.itertuples()]
    fills = [colour(r, pace, top) for r in frame["rate"]]
    drawn = sorted(zip(frame.itertuples(), hovers, fills, strict=True), key=lambda r: r[0].township in highlight)
    for row, hover, fill in drawn:  # the selected townships last: their outline stays on top
        selected = row.township in highlight
        traces.append(
            go.Scatter(
                x=row.x, y=row.y, mode="lines", fill="toself", fillcolor=fill, name=str(row.township),
                line={"color": EDGE_SELECTED if selected else EDGE, "width": 3 if selected else 1.2},
                hoveron="fills", hoverinfo="text", text=hover, showlegend=False,
                fillpattern={"shape": "/", "fgcolor": "#aab2bb", "bgcolor": NONE, "size": 10, "solidity": 0.15} if row.status == "none" else None,
            )
        )  # fmt: skip
    traces.append(
        go.Scatter(
            x=frame["label_lon"], y=frame["label_lat"], mode="markers+text",
            text=[_label(r, r.township in highlight) for r in frame.itertuples()],
            textposition="middle center", textfont={"size": 12, "color": [_ink(f) for f in fills], "shadow": "auto"},
            marker={"size": 26, "color": "rgba(255,255,255,0.01)"},
            customdata=list(frame["township"]), hovertext=hovers, hoverinfo="text", showlegend=False,
        )
    )  # fmt: skip
    if parks is not None and len(parks):
        names = [html.escape(str(p)) for p in parks["park"]]
        # a park's name goes on the side away from its township's label (above the diamond when south of it)
        label_lat = dict(zip(frame["township"], frame["label_lat"], strict=True))
        sides = [
            "top center" if lat < label_lat.get(town, -90.0) else "bottom center"
            for town, lat in zip(parks["township"], parks["lat"], strict=True)
        ]
        traces.append(
            go.Scatter(
                x=[float(v) for v in parks["lon"]], y=[float(v) for v in parks["lat"]], mode="markers+text",
                name=t("map.legend_park"), showlegend=True,
                text=[f"<b>{n}</b>" if p in highlight else n for n, p in zip(names, parks["park"], strict=True)],
                textposition=sides, textfont={"size": 11, "color": PARK, "shadow": "auto"},
                marker={"symbol": "diamond", "size": 12, "color": PARK, "line": {"color": "#ffffff", "width": 1.5}},
                customdata=list(parks["park"]), hovertext=[t("map.hover_park", park=n) for n in names],
                hoverinfo="text",
            )
        )  # fmt: skip
    x0, x1 = _span(frame["x"])
    y0, y1 = _span(frame["y"])
    if len(rated):  # the colour bar: an invisible point carries the scale
        bar = {"title": {"text": t("map.scale_title"), "side": "top"}, "thickness": 14, "len": 0.75,
               "tickvals": [0, pace, top], "ticksuffix": "",
               "ticktext": ["0%", t("chart.pace", pace=fmt.pct(pace)), fmt.pct(top)]}  # fmt: skip
        traces.append(
            go.Scatter(
                x=[x0], y=[y0], mode="markers", hoverinfo="skip", showlegend=False,
                marker={"size": 0.1, "opacity": 0, "color": [pace], "cmin": 0, "cmax": top,
                        "colorscale": colourscale(pace, top), "showscale": True, "colorbar": bar},
            )
        )  # fmt: skip
    for status, fill in (("behind", BEHIND[0]), ("ahead", AHEAD[1]), ("none", NONE)):  # the legend
        traces.append(
            go.Scatter(
                x=[None], y=[None], mode="markers", name=t(f"map.legend_{status}"), showlegend=True, hoverinfo="skip",
                marker={"symbol": "square", "size": 14, "color": fill, "line": {"color": "#8a939c", "width": 1}},
            )
        )  # fmt: skip
    lat0 = (y0 + y1) / 2
    pad_x, pad_y = (x1 - x0) * 0.02, (y1 - y0) * 0.02
    axis = {"visible": False, "showgrid": False, "zeroline": False, "fixedrange": True}
    layout = charts._layout(
        title, HEIGHT,
        xaxis={**axis, "range": [x0 - pad_x, x1 + pad_x]},
        yaxis={**axis, "range": [y0 - pad_y, y1 + pad_y], "scaleanchor": "x",
               "scaleratio": 1 / math.cos(math.radians(lat0)), "gridcolor": "white"},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.02, "x": 0, "yanchor": "top"},
        dragmode=False, hovermode="closest", showlegend=True,
    )  # fmt: skip
    return go.Figure(traces, layout)


def _span(column: pd.Series) -> tuple[float, float]:
    values = [v for seq in column for v in seq if v is not None]
    return (min(values), max(values)) if values else (0.0, 1.0)


def show(sel: Selection, metric: str, units: tuple[str, ...], *, key: str) -> None:
    """The township map of ``metric`` for the selection (a page's one call): the figure, a caption saying how
    to read it and which registered townships have no boundary; a click on a township's label switches the
    dashboard to it (sidebar.request_filters). Without boundaries: how to load them, and nothing else."""
    frame, missing = map_data.township_map(sel, metric, units)
    if frame.empty:
        st.info(t("map.none"), icon=":material/map:")
        st.code("bin/etl boundaries <镇街边界.geojson | 镇街边界.zip>", language="bash")
        return
    title = t("map.title", metric=metric_name(metric))
    parks = map_data.park_points()
    fig = figure(frame, metric, title, sel.townships + sel.parks, parks)
    event = st.plotly_chart(
        fig, config={"displayModeBar": False, "scrollZoom": False}, theme=None, key=key, on_select="rerun",
        selection_mode="points",
    )  # fmt: skip
    st.caption(t("map.caption"))
    if missing:
        st.caption(t("map.missing", n=len(missing), names=fmt.plain("、".join(missing))))
    for unit in charts.clicked_units(event)[:1]:  # drill through: the cards follow the township or park
        if unit in set(parks["park"]):
            request_filters(townships=(), parks=(unit,))
        else:
            request_filters(townships=(unit,))
