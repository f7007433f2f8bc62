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
    months = pd.to_datetime(funds["period"] + "-01")  # a date axis: plotly spaces and labels the months itself
    traces = [
        go.Bar(x=months, y=funds["funds_in_place"] / div, name=t("chart.monthly"), marker_color=GREY),
        go.Scatter(
            x=months, y=funds["cumulative"] / div, name=t("chart.cumulative"), mode="lines+markers",
            line={"color": BLUE, "width": 3},
        ),
    ]  # fmt: skip
    shapes, notes = [], []
    if contract:
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": contract / div, "y1": contract / div,
                       "line": {"color": ORANGE, "dash": "dash", "width": 2}})  # fmt: skip
        notes.append({"xref": "paper", "x": 0, "y": contract / div, "yanchor": "bottom", "xanchor": "left",
                      "showarrow": False, "text": t("chart.contract_line", v=fmt.money(contract))})  # fmt: skip
    layout = _layout(title, 360, yaxis={"title": {"text": unit}}, xaxis={"type": "date"}, shapes=shapes)
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
    """The ``customdata`` (a unit, a township…) of the points a click selected in an ``st.plotly_chart`` drawn
    with ``on_select="rerun"`` (its event reads as a dict); empty when nothing is selected."""
    selection = event.get("selection") if isinstance(event, dict) else getattr(event, "selection", None)
    points = selection.get("points") if isinstance(selection, dict) else getattr(selection, "points", None)
    return [str(p["customdata"]) for p in points or [] if isinstance(p, dict) and p.get("customdata") is not None]


def stage_funnel(labels: list[str], counts: list[int], texts: list[str], title: str) -> go.Figure:
    """The project stage funnel: one bar per stage, top to bottom in ``labels`` order, as wide as its count of
    projects; ``texts`` (count and amount) beside each bar. Conversion is read from the bar widths."""
    widest = max(max(counts, default=0), 1)
    trace = go.Funnel(
        y=[html.escape(x) for x in labels], x=counts, text=texts, textinfo="text", textposition="outside",
        marker={"color": BLUE}, connector={"line": {"color": GREY, "width": 1}}, hoverinfo="y+text",
        cliponaxis=False,
    )  # fmt: skip
    layout = _layout(
        title, 60 + 56 * max(len(labels), 1), showlegend=False,
        margin={"l": 10, "r": 30, "t": 40 if title else 10, "b": 10},
        xaxis={"visible": False, "range": [-0.55 * widest, 1.5 * widest]},  # bars are centred on 0; text right
        yaxis={"gridcolor": "white"},
    )  # fmt: skip
    return go.Figure([trace], layout)


def labelled_bars(
    labels: list[str], values: list[float], texts: list[str], title: str, keys: list[str] | None = None
) -> go.Figure:
    """Horizontal bars, the first label on top, each with its ``texts`` beside it. ``keys``: the value a click
    on a bar reports (its ``customdata``, see ``clicked_units``); None for bars that are not clickable."""
    bar = go.Bar(
        x=values, y=[html.escape(x) for x in labels], orientation="h", marker_color=BLUE, text=texts,
        textposition="outside", cliponaxis=False, customdata=keys, hoverinfo="y+text",
    )  # fmt: skip
    top = max([float(v) for v in values] or [0.0])
    layout = _layout(
        title, 60 + 34 * max(len(labels), 1), showlegend=False,
        margin={"l": 10, "r": 30, "t": 40 if title else 10, "b": 10},
        xaxis={"visible": False, "range": [0, max(top, 1e-9) * 1.9]},
        yaxis={"gridcolor": "white", "autorange": "reversed", "type": "category"},
    )  # fmt: skip
    return go.Figure([bar], layout)


def lead_time_lines(lines: dict[str, pd.DataFrame], title: str, axis: str) -> go.Figure:
    """One line per span (name → frame of year, median_days, projects): the median days by year, labelled with
    whole days; the hover adds the number of projects. ``axis``: the y axis title."""
    colours = [BLUE, ORANGE, GREEN, GREY]
    traces = []
    for i, (name, df) in enumerate(lines.items()):
        hover = [f"{name} · {y} · {v:,.1f} · {fmt.count(n, 'projects')}"
                 for y, v, n in zip(df["year"], df["median_days"], df["projects"], strict=True)]  # fmt: skip
        traces.append(go.Scatter(
            x=[str(y) for y in df["year"]], y=df["median_days"], name=name, mode="lines+markers+text",
            text=[f"{v:,.0f}" for v in df["median_days"]], textposition="top center", hovertext=hover,
            hoverinfo="text", line={"color": colours[i % len(colours)], "width": 3}, cliponaxis=False,
        ))  # fmt: skip
    top = max([float(df["median_days"].max()) for df in lines.values() if len(df)] or [1.0])
    layout = _layout(
        title, 360, yaxis={"title": {"text": axis, "standoff": 12}, "range": [0, top * 1.2]},
        xaxis={"type": "category"}, legend={"orientation": "h", "y": -0.2},
    )  # fmt: skip
    return go.Figure(traces, layout)


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


# ---------------------------------------------------------------- people (返乡人员, 技能培训)
# Counts of persons arrive here already suppressed (board.metrics.people): a value None draws no bar.


def month_bars(labels: list[str], values: list[float | None], current: list[bool], title: str, names: tuple[str, str]):
    """One bar per month in order (``labels`` 'YYYY-MM'): the view's year in blue, earlier months grey, so yearly
    spikes stand out. ``names``: the legend words (the view's year, earlier months)."""
    traces = []
    for flag, colour, name in ((False, GREY, names[1]), (True, BLUE, names[0])):
        ys = [v if c == flag else None for v, c in zip(values, current, strict=True)]
        if any(y is not None for y in ys):
            traces.append(go.Bar(x=labels, y=ys, name=name, marker_color=colour, hovertemplate="%{x}: %{y:,.0f}"))
    layout = _layout(
        title, 340, barmode="overlay", xaxis={"type": "category", "tickangle": -45, "nticks": 24},
        legend={"orientation": "h", "y": 1.12, "x": 1, "xanchor": "right"},
    )  # fmt: skip
    return go.Figure(traces, layout)


def grouped_bars(
    categories: list[str],
    series: list[tuple[str, list[float | None], list[str]]],
    title: str,
    horizontal: bool = False,
    stacked: bool = False,
    percent: bool = False,
    height: int | None = None,
    overlay: bool = False,
):
    """Bars of several series over the same categories: ``series`` = (name, values, texts) each; grouped side by
    side or ``stacked`` (texts inside the bars); ``overlay``: series that never share a category (one colour per
    series, texts outside, no legend); ``horizontal`` puts the first category on top; ``percent`` reads values as
    ratios."""
    colours = [BLUE, ORANGE, GREEN, GREY, "#7b4fa0", "#00838f"]
    shown = [html.escape(c) for c in categories]
    traces = []
    for i, (name, values, texts) in enumerate(series):
        ys = [None if v is None else v * 100 if percent else v for v in values]
        xy = {"x": ys, "y": shown, "orientation": "h"} if horizontal else {"x": shown, "y": ys}
        traces.append(
            go.Bar(
                **xy, name=html.escape(name), marker_color=colours[i % len(colours)], text=texts,
                textposition="inside" if stacked and not overlay else "outside", cliponaxis=False, hoverinfo="name+text",
            )
        )  # fmt: skip
    value_axis: dict = {"ticksuffix": "%", "rangemode": "tozero"} if percent else {"rangemode": "tozero"}
    if horizontal and (overlay or not stacked):  # room for the texts beside the longest bar
        top = max([float(v) for _, vs, _ in series for v in vs if v is not None] or [0.0]) * (100 if percent else 1)
        value_axis["range"] = [0, max(top, 1e-9) * 1.45]
    category_axis = {"type": "category", "autorange": "reversed"} if horizontal else {"type": "category"}
    axes = (
        {"xaxis": value_axis, "yaxis": category_axis} if horizontal else {"xaxis": category_axis, "yaxis": value_axis}
    )
    rows = len(categories) * (len(series) if horizontal and not (stacked or overlay) else 1)
    layout = _layout(
        title, height or (max(320, 80 + 28 * rows) if horizontal else 360), barmode="overlay" if overlay else "stack" if stacked else "group",
        showlegend=len(series) > 1 and not overlay, legend={"orientation": "h", "y": -0.12}, **axes,
    )  # fmt: skip
    return go.Figure(traces, layout)


def cohort_chart(
    labels: list[str],
    counts: list[float | None],
    lines: list[tuple[str, list[float]]],
    title: str,
    bar_name: str,
    texts: list[str] | None = None,
):
    """Trainees per class end month (bars, left axis, ``texts`` above them) with rates per month (lines, right
    axis, %)."""
    traces = [
        go.Bar(
            x=labels, y=counts, name=bar_name, marker_color=GREY, opacity=0.7, text=texts, textposition="outside",
            cliponaxis=False, hovertemplate="%{x}: %{text}",
        )
    ]  # fmt: skip
    for i, (name, rates) in enumerate(lines):
        ys = [None if r is None or r != r else r * 100 for r in rates]
        traces.append(
            go.Scatter(
                x=labels, y=ys, name=name, yaxis="y2", mode="lines+markers", connectgaps=False,
                line={"color": (BLUE, ORANGE)[i % 2], "width": 3}, hovertemplate="%{x}: %{y:.1f}%",
            )
        )  # fmt: skip
    layout = _layout(
        title, 360, xaxis={"type": "category"}, legend={"orientation": "h", "y": -0.2}, margin={"r": 60},
        yaxis={"rangemode": "tozero"},
        yaxis2={"overlaying": "y", "side": "right", "range": [0, 105], "ticksuffix": "%", "showgrid": False,
                "tickmode": "linear", "tick0": 0, "dtick": 20},
    )  # fmt: skip
    return go.Figure(traces, layout)
