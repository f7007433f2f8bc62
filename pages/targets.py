"""目标完成: every unit against its target for one metric and period — bullet chart, table, 月考核 heat table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from board import charts, db, export, fmt, meta, nav, tables
from board import map as township_map
from board.i18n import metric_name, t
from board.metrics import progress, targets
from board.selection import Options, Selection
from board.sidebar import current, request_filters, url_choice
from board.tables import Col
from etl import metric_catalogue
from etl.contracts import WHOLE_JURISDICTION

DRILL_KEY = "tg_drill"  # drill-throughs so far: part of the clickable elements' keys, so a used click is dropped
NOTE_KEYS = {"target_zero": "targets.note_target_zero", "filter_na_unit": "targets.note_filter_na_unit"}


def period_text(sel: Selection, period: str) -> str:
    """The period in words: '累计 · 2026年1–11月', '当月 · 2026年11月', '本季 · 2026年第4季度（10月–11月）'."""
    first, last = targets.months_of(period, sel.month)
    if period == "ytd":
        span = fmt.period(sel.year, sel.month)
    elif period == "month":
        span = fmt.month(sel.year, sel.month)
    else:
        short = [t(f"month.short.{m}") for m in (first, last)]
        months = short[0] if first == last else t("targets.month_span", first=short[0], last=short[1])
        span = t("targets.quarter_span", y=sel.year, q=targets.quarter(sel.month), months=months)
    return t("targets.period_text", word=t(f"targets.word.{period}"), span=span)


def drill(unit: str, unit_type: str, options: Options) -> None:
    """Filter the whole dashboard to a township or park (a click on its bar or row); other units do nothing."""
    if unit_type == "township" and unit in options.townships:
        fields = {"townships": (unit,), "parks": ()}
    elif unit_type == "park" and unit in options.parks:
        fields = {"townships": (), "parks": (unit,)}
    else:
        return
    st.session_state[DRILL_KEY] = st.session_state.get(DRILL_KEY, 0) + 1
    request_filters(**fields)


def clicked_unit(event: object) -> str | None:
    """The unit of the first point clicked in the bullet chart (each point carries its unit as customdata)."""
    points = (event or {}).get("selection", {}).get("points", [])
    data = points[0].get("customdata") if points else None
    return data[0] if isinstance(data, list) else data


def note_text(note: object) -> str:
    return t(NOTE_KEYS.get(str(note), f"note.{note}"))


def show(tab: tables.Table, key: str, fills=None, clickable: bool = False, hide: tuple[str, ...] = ()) -> int | None:
    """The table as board.export.show draws it (a long one a page at a time), with cell ``fills`` (CSS by row
    position and column label), when ``clickable`` one row selectable, and without the ``hide`` columns (the
    download keeps them); its downloads below. Returns the position of the selected row in the whole table."""
    shown, first = export.page(tab, key)
    styler = tables.display_frame(shown)
    if fills is not None:
        part = fills.reindex(index=range(first, first + len(shown.frame)), fill_value="")
        part.index = range(len(shown.frame))
        styler = styler.apply(lambda d: part.reindex(index=d.index, columns=d.columns, fill_value=""), axis=None)
    mode = {"on_select": "rerun", "selection_mode": "single-row"} if clickable else {}
    order = [c for c in tab.frame.columns if c not in hide]
    event = st.dataframe(styler, hide_index=True, key=key, height="content", column_order=order, **mode)
    export.download_buttons(tab, key)
    rows = (event or {}).get("selection", {}).get("rows", []) if clickable else []
    return first + rows[0] if rows else None


nav.require_frame()
st.title(t("page.targets"))
if not db.has_data():
    st.info(t("empty.intro"), icon=":material/info:")
    st.stop()

sel = current()
options = meta.options()
clicks = st.session_state.get(DRILL_KEY, 0)
left, right = st.columns(2)
with left:
    metric = url_choice("metric", metric_catalogue.TARGET_METRICS, t("targets.metric"), metric_name)
with right:
    period_labels = {p: t(f"targets.period.{p}") for p in targets.PERIODS}
    period = url_choice("period", targets.PERIODS, t("targets.period"), period_labels.get)
words, kind, pace = period_text(sel, period), metric_catalogue.get(metric).kind, targets.period_pace(period, sel.month)
st.subheader(t("targets.subtitle", metric=metric_name(metric), period=words, scope=tables.scope_text(sel)))
if sel.industries:
    st.info(t("targets.industry_banner"), icon=":material/info:")
else:
    st.caption(t("targets.pace_note", pace=fmt.pct(pace)))

rows = targets.unit_progress(sel, metric, period)
chosen = sel.townships + sel.parks
shown = rows[rows["unit"].isin(chosen)] if chosen else rows
if chosen:
    st.caption(t("targets.scope_note"))
    if st.button(t("targets.show_all"), icon=":material/filter_alt_off:"):
        request_filters(townships=(), parks=())
if shown.empty:
    none = "targets.none_selected" if chosen else "targets.none"
    st.info(t(none, year=sel.year, metric=metric_name(metric)), icon=":material/info:")
    st.stop()

rated = shown.dropna(subset=["rate"]).sort_values(["rate", "unit"], ascending=[False, True])
if not sel.industries:
    area = rows[rows["type"] == "area"]
    with st.container(horizontal=True, gap="small"):
        if len(area) and pd.notna(area["rate"].iloc[0]):
            a = area.iloc[0]
            gap = t("targets.gap_delta", gap=f"{a['gap']:+.1f}")
            st.metric(t("targets.area_rate", unit=a["unit"]), fmt.pct(a["rate"]), delta=gap, border=True)
        behind = rated[rated["ahead"].eq(False)]
        st.metric(
            t("targets.behind"),
            t("fmt.units", v=len(behind)),
            border=True,
            help=t("targets.behind_help", pace=fmt.pct(pace)),
        )
        st.metric(t("targets.units"), t("fmt.units", v=len(shown)), border=True, help=t("targets.units_help"))

    st.subheader(t("targets.chart_heading"))
    if rated.empty:
        st.info(t("targets.chart_none"), icon=":material/info:")
    else:
        st.caption(t("targets.chart_help"))
        bold = tuple(WHOLE_JURISDICTION) + chosen
        fig = charts.bullet_chart(
            rated, pace, kind, t("targets.chart_title", metric=metric_name(metric), period=words), bold
        )
        event = st.plotly_chart(
            fig, config={"displayModeBar": False}, theme=None, key=f"tg_bullet_{clicks}",
            on_select="rerun", selection_mode="points",
        )  # fmt: skip
        unit = clicked_unit(event)
        types = dict(zip(rated["unit"], rated["type"], strict=True))
        if unit in types:
            drill(unit, types[unit], options)

    st.subheader(t("targets.map_heading"))
    if period == "ytd":
        township_map.show(sel, metric, options.townships, key=f"tg_map_{clicks}")
    else:
        st.caption(t("targets.map_ytd_only", period=t("targets.period.ytd")))

st.subheader(t("targets.table_heading"))
verdicts = {True: t("verdict.ahead_short"), False: t("verdict.behind_short")}
measured = {c: t("targets.with_unit", col=t(f"col.{c}"), unit=t(f"unit.{kind}")) for c in ("target", "actual")}
cols = [
    Col("unit", "col.unit"),
    Col("type", "col.unit_type", show=lambda ty: t(f"targets.type.{ty}")),
    Col("target", (measured["target"],) * 2, "value"),
    Col("actual", (measured["actual"],) * 2, "value"),
    Col("rate", "col.rate", "rate"),
    Col("pace", "col.pace", "rate"),
    Col("gap", "col.gap", "points"),
    Col("ahead", "col.verdict", show=lambda a: verdicts[bool(a)]),
    Col("rank_type", "col.rank_type", "count"),
    Col("rank_all", "col.rank_all", "count"),
    Col("prior", "col.prior_year", "value"),
    Col("yoy", "col.yoy", "rate"),
    Col("note", "col.note", show=note_text),
]
if sel.industries:  # no targets: no rate, pace, verdict or rank
    cols = [c for c in cols if c.source not in ("target", "rate", "pace", "gap", "ahead", "rank_type", "rank_all")]
else:
    area_name = next(iter(rows.loc[rows["type"] == "area", "unit"]), WHOLE_JURISDICTION[0])
    st.caption(t("targets.rank_note", area=area_name, pace=fmt.pct(pace)))
if shown["note"].isin([None, "target_na_industry"]).all():  # nothing the banner does not say already
    cols = [c for c in cols if c.source != "note"]
title = t("targets.table_title", metric=metric_name(metric))
tab = tables.table(shown, cols, title, sel, options, period=words)
labels = dict(zip([c.source for c in cols], tab.frame.columns, strict=True))
fills = None
if "ahead" in labels:  # the verdict cell filled green or orange beside its word
    fill = {verdicts[True]: charts.AHEAD_FILL, verdicts[False]: charts.BEHIND_FILL}
    css = [f"background-color: {fill[v]}" if v in fill else "" for v in tab.frame[labels["ahead"]]]
    fills = pd.DataFrame({labels["ahead"]: css}, index=tab.frame.index)
# Not on screen beside the rates (the downloads keep them): the one 序时 of every row, said above the table, and
# the prior year's actual behind the YoY change.
show(tab, "tg_units", fills, hide=() if sel.industries else (labels["pace"], labels["prior"]))

st.subheader(t("targets.heat_heading"))
if sel.industries:
    st.info(t("targets.heat_industry"), icon=":material/info:")
    st.stop()
monthly = targets.monthly_completion(sel, metric)
if chosen:
    monthly = monthly[monthly["unit"].isin(chosen)]
if monthly.empty:
    st.info(t("targets.chart_none"), icon=":material/info:")
    st.stop()
st.caption(t("targets.heat_help"))
months = list(range(1, sel.month + 1))
paces = {m: progress.pace(m) for m in months}
pace_row = pd.DataFrame([{"unit": t("targets.heat_pace"), "type": None, **paces}])
heat = pd.concat([pace_row, monthly.drop(columns=["metric", "target"])], ignore_index=True)
heat_cols = [Col("unit", "col.unit"), Col("type", "col.unit_type", show=lambda ty: t(f"targets.type.{ty}"))]
heat_cols += [Col(m, f"month.short.{m}", "rate") for m in months]
ytd = period_text(sel, "ytd")
heat_tab = tables.table(heat, heat_cols, t("targets.heat_title", metric=metric_name(metric)), sel, options, period=ytd)
css = charts.pace_fills(heat[months], paces).iloc[1:]  # the 序时 row itself is not coloured
css.columns = list(heat_tab.frame.columns[2:])
picked = show(heat_tab, f"tg_heat_{clicks}", css, clickable=True)
if picked:  # not the 序时 row (0)
    drill(heat["unit"].iloc[picked], heat["type"].iloc[picked], options)
