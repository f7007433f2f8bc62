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
        customdata=list(df["unit"]),
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


def project_funds(funds: pd.DataFrame, contract: float | None, title: str) -> go.Figure:
    """One project's funds in place by month (bars) and cumulative (line) against its contract amount.

    ``funds``: one row per month (period 'YYYY-MM', funds_in_place, cumulative) in 万元; the axis is scaled
    to 万元/亿元 (or the English units) by magnitude.
    """
    top = max(float(funds["cumulative"].max()) if len(funds) else 0.0, contract or 0.0)
    div, unit = fmt.scale(top, "money", current_lang())
    traces = [
        go.Bar(x=funds["period"], y=funds["funds_in_place"] / div, name=t("chart.monthly"), marker_color=GREY),
        go.Scatter(
            x=funds["period"], y=funds["cumulative"] / div, name=t("chart.cumulative"), mode="lines+markers",
            line={"color": BLUE, "width": 3},
        ),
    ]  # fmt: skip
    shapes, notes = [], []
    if contract:
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": contract / div, "y1": contract / div,
                       "line": {"color": ORANGE, "dash": "dash", "width": 2}})  # fmt: skip
        notes.append({"xref": "paper", "x": 0, "y": contract / div, "yanchor": "bottom", "xanchor": "left",
                      "showarrow": False, "text": t("chart.contract_line", v=fmt.money(contract))})  # fmt: skip
    layout = _layout(title, 360, yaxis={"title": {"text": unit}}, xaxis={"type": "category"}, shapes=shapes)
    layout["annotations"] = notes
    return go.Figure(traces, layout)


def stage_timeline(stages: list[tuple[str, object]], as_of: object, title: str) -> go.Figure:
    """A project's stage dates on one time line: (label, date or None) in stage order; a stage without a date
    is not drawn. A dashed line marks the as-of day."""
    done = [(label, d) for label, d in stages if d is not None and not pd.isna(d)]
    points = go.Scatter(
        x=[d for _, d in done], y=[0] * len(done), mode="markers+text+lines", text=[label for label, _ in done],
        textposition="top center", marker={"size": 14, "color": BLUE}, line={"color": GREY}, hoverinfo="x+text",
    )  # fmt: skip
    line = {"type": "line", "x0": as_of, "x1": as_of, "y0": 0, "y1": 1, "yref": "paper"}
    layout = _layout(
        title, 170, showlegend=False, yaxis={"visible": False, "range": [-0.5, 1]},
        xaxis={"type": "date", "showgrid": True, "gridcolor": GRID},
        shapes=[{**line, "line": {"dash": "dash", "color": ORANGE}}],
    )  # fmt: skip
    return go.Figure([points], layout)


def clicked_units(event: object) -> list[str]:
    """The units (a trace's ``customdata``) of the points a click selected in an ``st.plotly_chart`` drawn with
    ``on_select="rerun"``; empty when nothing is selected."""
    points = getattr(getattr(event, "selection", None), "points", None) or []
    return [str(p["customdata"]) for p in points if p.get("customdata") is not None]
