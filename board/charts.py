"""Plotly figures (graph_objects) built from small aggregated frames, readable on a projector."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from board import fmt
from board.i18n import current_lang, t

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
BLUE, GREY, GREEN, ORANGE = "#1f4e9c", "#9aa5b1", "#2e7d32", "#c75000"


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        font={"family": FONT, "size": 15},
        legend={"orientation": "h", "y": -0.15},
        plot_bgcolor="white",
        hoverlabel={"font": {"family": FONT}},
    )
    fig.update_xaxes(showgrid=False)
    fig.update_yaxes(gridcolor="#e5e8ec")
    return fig


def cumulative_vs_pace(monthly: pd.DataFrame, target: float | None, kind: str, title: str) -> go.Figure:
    """Monthly values (bars), cumulative actual (line) and the target's pace line target × k/12.

    ``monthly``: one row per month 1–12 with value and cumulative (NaN after the as-of month), in the
    stored unit of ``kind``; the axis is scaled to 万元/亿元 (or the English units) by magnitude.
    """
    lang = current_lang()
    top = max(float(monthly["cumulative"].max(skipna=True) or 0), target or 0)
    div, unit = fmt.scale(top, kind, lang)
    months = [t(f"month.short.{m}") for m in monthly["month"]]
    fig = go.Figure()
    fig.add_bar(x=months, y=monthly["value"] / div, name=t("chart.monthly"), marker_color=GREY, opacity=0.6)
    fig.add_scatter(
        x=months, y=monthly["cumulative"] / div, name=t("chart.cumulative"), mode="lines+markers",
        line={"color": BLUE, "width": 3},
    )  # fmt: skip
    if target:
        pace = [target * m / 12 / div for m in monthly["month"]]
        fig.add_scatter(
            x=months,
            y=pace,
            name=t("chart.pace_line"),
            mode="lines",
            line={"color": ORANGE, "dash": "dash", "width": 2},
        )
    fig.update_layout(title={"text": title, "font": {"size": 18}}, yaxis_title=unit)
    return _layout(fig, 360)


def ranking_bars(df: pd.DataFrame, pace: float, title: str) -> go.Figure:
    """Horizontal bars of completion rate per unit (columns unit, rate, ahead), with the 序时 line.

    Each bar's text carries the rate and the verdict word, so colour is not the only signal.
    """
    df = df.iloc[::-1]  # plotly draws the first row at the bottom
    text = [
        f"{fmt.pct(r)} {t('verdict.ahead_short') if a else t('verdict.behind_short')}"
        for r, a in zip(df["rate"], df["ahead"], strict=True)
    ]
    colors = [GREEN if a else ORANGE for a in df["ahead"]]
    fig = go.Figure(
        go.Bar(x=df["rate"] * 100, y=df["unit"], orientation="h", marker_color=colors, text=text, textposition="auto")
    )
    fig.add_vline(
        x=pace * 100, line_dash="dash", line_color="#333", annotation_text=t("chart.pace", pace=fmt.pct(pace))
    )
    fig.update_layout(title={"text": title, "font": {"size": 18}}, xaxis_title="%", showlegend=False)
    return _layout(fig, 60 + 38 * max(len(df), 1))
