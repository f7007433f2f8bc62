"""Plotly figures (graph_objects) built from small aggregated frames, readable on a projector.

Each figure is built in one constructor call from plain dicts (no named template, no update_* calls):
on this stack that is several times cheaper per rerun than incremental updates.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from board import fmt
from board.i18n import current_lang, t

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
BLUE, GREY, GREEN, ORANGE, GRID = "#1f4e9c", "#9aa5b1", "#2e7d32", "#c75000", "#e5e8ec"


def _layout(title: str, height: int, **extra: object) -> dict:
    layout = {
        "template": "none",
        "title": {"text": title, "font": {"size": 18}},
        "height": height,
        "margin": {"l": 10, "r": 30, "t": 50, "b": 10},
        "font": {"family": FONT, "size": 15, "color": "#1a1a1a"},
        "legend": {"orientation": "h", "y": -0.15},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "hoverlabel": {"font": {"family": FONT}},
        "xaxis": {"showgrid": False, "automargin": True},
        "yaxis": {"gridcolor": GRID, "automargin": True},
    }
    for key, value in extra.items():
        layout[key] = {**layout[key], **value} if isinstance(value, dict) and key in layout else value
    return layout


def cumulative_vs_pace(monthly: pd.DataFrame, target: float | None, kind: str, title: str) -> go.Figure:
    """Monthly values (bars), cumulative actual (line) and the target's pace line target × k/12.

    ``monthly``: one row per month 1–12 with value and cumulative (NaN after the as-of month), in the
    stored unit of ``kind``; the axis is scaled to 万元/亿元 (or the English units) by magnitude.
    """
    lang = current_lang()
    top = max(float(monthly["cumulative"].max(skipna=True) or 0), target or 0)
    div, unit = fmt.scale(top, kind, lang)
    months = list(monthly["month"])
    traces = [
        go.Bar(x=months, y=monthly["value"] / div, name=t("chart.monthly"), marker_color=GREY, opacity=0.6),
        go.Scatter(
            x=months, y=monthly["cumulative"] / div, name=t("chart.cumulative"), mode="lines+markers",
            line={"color": BLUE, "width": 3},
        ),
    ]  # fmt: skip
    if target:
        pace = [target * m / 12 / div for m in monthly["month"]]
        line = {"color": ORANGE, "dash": "dash", "width": 2}
        traces.append(go.Scatter(x=months, y=pace, name=t("chart.pace_line"), mode="lines", line=line))
    xaxis = {"tickmode": "linear", "dtick": 1, "tickangle": 0}  # month numbers: "10月" would not fit upright
    return go.Figure(traces, _layout(title, 360, yaxis={"title": {"text": unit}}, xaxis=xaxis))


def ranking_bars(df: pd.DataFrame, pace: float, title: str, highlight: tuple[str, ...] = ()) -> go.Figure:
    """Horizontal bars of completion rate per unit (columns unit, rate, ahead), with the 序时 line; the
    ``highlight`` units' names in bold.

    Each bar's text carries the rate and the verdict word, so colour is not the only signal.
    """
    df = df.iloc[::-1]  # plotly draws the first row at the bottom
    names = [f"<b>{html.escape(u)}</b>" if u in highlight else html.escape(u) for u in df["unit"]]
    words = {True: t("verdict.ahead_short"), False: t("verdict.behind_short")}
    text = [f"{fmt.pct(r)} {words[bool(a)]}" for r, a in zip(df["rate"], df["ahead"], strict=True)]
    bar = go.Bar(
        x=df["rate"] * 100, y=names, orientation="h", marker_color=[GREEN if a else ORANGE for a in df["ahead"]],
        text=text, textposition="outside", cliponaxis=False,
    )  # fmt: skip
    top = max(float((df["rate"] * 100).max()), pace * 100)
    line = {"type": "line", "x0": pace * 100, "x1": pace * 100, "y0": 0, "y1": 1, "yref": "paper"}
    layout = _layout(
        title,
        90 + 38 * max(len(df), 1),
        showlegend=False,
        xaxis={"range": [0, top * 1.4], "ticksuffix": "%"},
        yaxis={"gridcolor": "white"},
        shapes=[{**line, "line": {"dash": "dash", "color": "#333"}}],
        annotations=[
            {"x": pace * 100, "y": 1, "yref": "paper", "yanchor": "bottom", "showarrow": False,
             "text": t("chart.pace", pace=fmt.pct(pace))}
        ],
    )  # fmt: skip
    return go.Figure([bar], layout)


# Cell backgrounds of a table coloured by pace (light enough for black text on a projector).
AHEAD_FILL, BEHIND_FILL = "#dcefdc", "#fbe0cc"


def bullet_chart(df: pd.DataFrame, pace: float, kind: str, title: str, highlight: tuple[str, ...] = ()) -> go.Figure:
    """One row per unit, in ``df``'s order from the top: the completion bar (green when ahead of 序时, orange
    when behind), the 序时 marker and the 100 % (annual target) line, on a light band up to 100 %.

    ``df``: columns unit, rate (a ratio), ahead, actual and target (in the stored unit of ``kind``); ``pace``:
    the period's 序时 (a ratio). Each bar's label, in a column right of the plot where no marker or line
    crosses it, carries the rate and the verdict word, so colour is not the only signal; the ``highlight``
    units' names are in bold. Every point (band, bar, marker, label) carries its unit as ``customdata`` (a click).
    """
    df = df.iloc[::-1]  # plotly draws the first row at the bottom
    n, units = len(df), list(df["unit"])
    names = [f"<b>{html.escape(u)}</b>" if u in highlight else html.escape(u) for u in units]
    words = {True: t("verdict.ahead_short"), False: t("verdict.behind_short")}
    rates = [float(r) * 100 for r in df["rate"]]
    hover = [
        t("targets.hover", unit=html.escape(u), rate=fmt.pct(r), actual=fmt.value(a, kind), target=fmt.value(g, kind))
        for u, r, a, g in zip(units, df["rate"], df["actual"], df["target"], strict=True)
    ]
    top = max([100.0, pace * 100, *rates]) * 1.04
    pace_name, target_name = t("targets.legend_pace", pace=fmt.pct(pace)), t("targets.legend_target")
    traces = [
        go.Bar(
            x=[100] * n, y=names, orientation="h", width=0.8, marker_color="#eef1f4", customdata=units,
            hoverinfo="skip", showlegend=False,
        ),
        go.Bar(
            x=rates, y=names, orientation="h", width=0.5, marker_color=[GREEN if a else ORANGE for a in df["ahead"]],
            customdata=units, hovertext=hover, hoverinfo="text", showlegend=False,
        ),
        go.Scatter(
            x=[pace * 100] * n, y=names, mode="markers", name=pace_name, customdata=units, hoverinfo="skip",
            marker={"symbol": "line-ns", "size": 22, "line": {"width": 3, "color": "#1a1a1a"}},
        ),
        go.Scatter(x=[None], y=[None], mode="lines", name=target_name, line={"color": BLUE, "width": 2}),
        go.Scatter(  # the labels, right of the plot (one trace: far cheaper than an annotation per row)
            x=[top] * n, y=names, mode="text", textposition="middle right", cliponaxis=False, hoverinfo="skip",
            text=[f"\u2002{fmt.pct(r)} {words[bool(a)]}" for r, a in zip(df["rate"], df["ahead"], strict=True)],
            textfont={"size": 14, "color": [GREEN if a else ORANGE for a in df["ahead"]]}, customdata=units,
            showlegend=False,
        ),
    ]  # fmt: skip
    target_line = {"type": "line", "x0": 100, "x1": 100, "y0": 0, "y1": 1, "yref": "paper"}
    layout = _layout(
        title,
        120 + 34 * max(n, 1),
        barmode="overlay",
        margin={"t": 90, "r": 140},
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        xaxis={"range": [0, top], "ticksuffix": "%", "showgrid": True, "gridcolor": GRID, "zeroline": False},
        yaxis={"gridcolor": "white", "automargin": True},
        shapes=[{**target_line, "line": {"color": BLUE, "width": 2}}],
    )
    return go.Figure(traces, layout)


def pace_fills(values: pd.DataFrame, paces: dict) -> pd.DataFrame:
    """CSS of each cell of ``values`` (a Styler's ``apply(axis=None)`` argument): ``AHEAD_FILL`` when the cell
    (a ratio) is at or above its column's 序时 ``paces[column]``, else ``BEHIND_FILL``; blank for other columns."""
    out = pd.DataFrame("", index=values.index, columns=values.columns)
    for col, pace in paces.items():
        cells = pd.to_numeric(values[col], errors="coerce")
        out[col] = [
            "" if pd.isna(v) else f"background-color: {AHEAD_FILL if v >= pace else BEHIND_FILL}" for v in cells
        ]
    return out
