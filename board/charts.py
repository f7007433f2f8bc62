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


# ---------------------------------------------------------------- parks (园区)

GRADE_COLOURS = {"A": GREEN, "B": BLUE, "C": ORANGE, "D": "#b3261e"}


def _scaled_axis(values: list[float], kind_unit: str | None) -> tuple[float, str]:
    """(divisor, axis title): money scaled to 万元/亿元 by magnitude; other units as given."""
    if kind_unit is not None:
        return 1.0, kind_unit
    top = max([abs(v) for v in values if v == v] or [0.0])
    return fmt.scale(top, "money", current_lang())


def park_months(df: pd.DataFrame, title: str, unit: str | None, bars: bool, names: tuple[str, str]) -> go.Figure:
    """One park measure month by month: the year (bars for a flow, a line for a stock) and the year before
    (a grey line). ``df``: month 1–12, value, prior (NaN where not reported); ``unit`` None for money (scaled
    by magnitude), else the axis unit; ``names``: the legend's (this year, the year before)."""
    div, axis = _scaled_axis([*df["value"], *df["prior"]], unit)
    months = list(df["month"])
    now = (
        go.Bar(x=months, y=df["value"] / div, name=names[0], marker_color=BLUE)
        if bars
        else go.Scatter(
            x=months, y=df["value"] / div, name=names[0], mode="lines+markers", line={"color": BLUE, "width": 3}
        )
    )
    before = go.Scatter(
        x=months,
        y=df["prior"] / div,
        name=names[1],
        mode="lines+markers",
        line={"color": GREY, "width": 2, "dash": "dot"},
    )
    xaxis = {"tickmode": "linear", "dtick": 1, "tickangle": 0, "range": [0.5, 12.5]}
    return go.Figure([before, now], _layout(title, 340, yaxis={"title": {"text": axis}}, xaxis=xaxis))


def park_years(df: pd.DataFrame, title: str, unit: str | None, labels: list[str]) -> go.Figure:
    """One park measure year by year: bars labelled ``labels`` (e.g. '2026年（1–11月）'). ``df``: year, value."""
    div, axis = _scaled_axis(list(df["value"]), unit)
    bar = go.Bar(x=labels, y=df["value"] / div, marker_color=BLUE)
    layout = _layout(title, 340, showlegend=False, yaxis={"title": {"text": axis}}, xaxis={"type": "category"})
    return go.Figure([bar], layout)


def park_ranking(
    df: pd.DataFrame, title: str, texts: list[str], unit: str | None, highlight: tuple[str, ...] = ()
) -> go.Figure:
    """Parks ranked by one measure, the largest on top. ``df``: park, value (no NaN), in rank order; ``texts``
    the values as shown beside the bars; the ``highlight`` parks' names in bold."""
    df, texts = df.iloc[::-1], texts[::-1]  # plotly draws the first row at the bottom
    div, axis = _scaled_axis(list(df["value"]), unit)
    names = [f"<b>{html.escape(p)}</b>" if p in highlight else html.escape(p) for p in df["park"]]
    bar = go.Bar(
        x=df["value"] / div, y=names, orientation="h", marker_color=BLUE, text=texts, textposition="outside",
        cliponaxis=False, customdata=list(df["park"]),
    )  # fmt: skip
    top = float((df["value"] / div).max()) if len(df) else 1.0
    layout = _layout(
        title, 90 + 44 * max(len(df), 1), showlegend=False,
        xaxis={"range": [0, top * 1.45 if top > 0 else 1], "title": {"text": axis}}, yaxis={"gridcolor": "white"},
    )  # fmt: skip
    return go.Figure([bar], layout)


def park_scatter(df: pd.DataFrame, title: str, x_title: str, y_title: str, grade_names: dict[str, str]) -> go.Figure:
    """亩均税收 (y) against 投资强度 (x), one point per park with its name beside it, coloured by grade (one legend
    entry per grade; ``grade_names``: grade → legend text, '' for parks without a grade). ``df``: park,
    investment_intensity, tax_per_mu, grade (NA: not graded); rows without both measures are left out."""
    df = df.dropna(subset=["investment_intensity", "tax_per_mu"])
    traces = []
    for grade, name in grade_names.items():
        part = df[df["grade"].fillna("") == grade]
        if part.empty:
            continue
        traces.append(
            go.Scatter(
                x=part["investment_intensity"], y=part["tax_per_mu"], mode="markers+text", name=name,
                text=[html.escape(p) for p in part["park"]], textposition="top center",
                marker={"size": 16, "color": GRADE_COLOURS.get(grade, GREY), "line": {"color": "white", "width": 1}},
                customdata=list(part["park"]), cliponaxis=False,
            )
        )  # fmt: skip
    xs, ys = list(df["investment_intensity"]), list(df["tax_per_mu"])

    def span(v: list[float]) -> list[float]:
        if not v:
            return [0, 1]
        lo, hi = min(v), max(v)
        pad = (hi - lo) * 0.15 or max(abs(hi), 1) * 0.15
        return [max(0.0, lo - pad), hi + pad]

    layout = _layout(
        title, 440,
        xaxis={"title": {"text": x_title}, "range": span(xs), "showgrid": True, "gridcolor": GRID, "zeroline": False},
        yaxis={"title": {"text": y_title}, "range": span(ys), "zeroline": False},
        legend={"orientation": "h", "y": -0.3, "yanchor": "top"}, margin={"l": 10, "r": 30, "t": 50, "b": 70},
    )  # fmt: skip
    return go.Figure(traces, layout)
