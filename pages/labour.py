"""Labour (劳务就业): local transfer, labour export and its organised share, new urban jobs and new positions, by
township and month; new urban jobs and labour export against their targets and 序时进度 (board.metrics.labour)."""

from __future__ import annotations

import streamlit as st

from board import charts, db, export, fmt, meta, nav, tables
from board.i18n import t
from board.metrics import labour, people
from board.sidebar import current, request_filters, url_choice
from board.tables import Col

CHART = {"config": {"displayModeBar": False}, "theme": None}
CARD_WIDTH = 212


def shown(v: float, measure: str) -> str:
    """A measure's value as a card or a bar label shows it (persons: 1–4 as <5)."""
    if labour.KINDS[measure] == "people":
        return people.people_text(v)
    return fmt.DASH if fmt.missing(v) else fmt.count(v, "positions")


def card(row) -> None:
    with st.container(border=True, width=CARD_WIDTH):
        st.metric(
            t(f"labour.measure.{row.measure}"), shown(row.actual, row.measure),
            delta=None if fmt.missing(row.yoy) else fmt.pct(row.yoy, signed=True), delta_description=t("card.yoy"),
        )  # fmt: skip
        st.caption(t("card.period", period=fmt.period_short(sel.month)))
        if fmt.missing(row.metric):
            st.caption(t("labour.no_target_metric"))
        elif fmt.missing(row.rate):
            note = "no_target" if fmt.missing(row.note) else str(row.note)
            st.caption(t(f"note.{note}"))
        else:
            st.progress(min(float(row.rate), 1.0))
            st.caption(t("labour.card_target", target=shown(row.target, row.measure), rate=fmt.pct(row.rate)))
            st.markdown(t("verdict.ahead" if row.ahead else "verdict.behind", pace=fmt.pct(row.pace)))


nav.require_frame()
st.title(t("page.labour"))
if not db.has_data():
    st.info(t("batches.none"), icon=":material/info:")
    st.stop()
sel = current()
options = meta.options()
lsel = labour.labour_selection(sel)
period = fmt.period(sel.year, sel.month)
st.caption(t("labour.subtitle", period=period, scope=tables.scope_text(lsel)))
if sel.industries or sel.parks:
    st.info(t("labour.filters_na"), icon=":material/info:")

totals = labour.totals(lsel)
share, share_before = labour.organised_share(lsel)
with st.container(horizontal=True, gap="small"):
    for row in totals.itertuples():
        card(row)
    with st.container(border=True, width=CARD_WIDTH):
        delta = None if fmt.missing(share) or fmt.missing(share_before) else f"{(share - share_before) * 100:+.1f}"
        st.metric(t("labour.card.share"), fmt.pct(share), delta=delta, delta_description=t("labour.points_yoy"))
        st.caption(t("labour.card.share_help"))

measures = tuple(labour.MEASURES)
names = {m: t(f"labour.measure.{m}") for m in measures}
with st.columns([2, 3])[0]:
    measure = url_choice("series", measures, t("labour.series"), names.get)
metric = labour.MEASURES[measure]
row = totals.set_index("measure").loc[measure]
left, right = st.columns(2)
with left:
    months = labour.series(lsel, measure)
    target = None if fmt.missing(row["target"]) else float(row["target"])
    title = t("labour.monthly_title", measure=names[measure], year=sel.year)
    fig = charts.cumulative_vs_pace(
        months, target, "people" if labour.KINDS[measure] == "people" else "positions", title
    )
    st.plotly_chart(fig, key="lb_months", **CHART)
    st.caption(t("labour.monthly_help_target" if target else "labour.monthly_help"))
with right:
    towns = sel.townships or options.townships
    by_town = labour.by_township(lsel, towns)
    ranked = by_town.dropna(subset=[measure]).sort_values([measure, "township"], ascending=[False, True])
    words = {True: t("verdict.ahead_short"), False: t("verdict.behind_short")}
    texts = []
    for value, town in zip(ranked[measure], ranked["township"], strict=True):
        text = shown(value, measure)
        if metric:
            r = by_town.set_index("township").loc[town]
            if not fmt.missing(r[metric + "_rate"]):
                text += " · " + fmt.pct(r[metric + "_rate"]) + " " + words[bool(r[metric + "_ahead"])]
        texts.append(text)
    title = t("labour.township_title", measure=names[measure], period=fmt.period_short(sel.month))
    keys = list(ranked["township"])
    fig = charts.labelled_bars(keys, list(ranked[measure]), texts, title, keys)
    chart_key = "lb_by_township_" + measure + "_" + "|".join(sel.townships)
    event = st.plotly_chart(fig, key=chart_key, on_select="rerun", selection_mode="points", **CHART)
    st.caption(t("labour.click") + (" " + t("labour.rate_help") if metric else ""))
    for town in charts.clicked_units(event)[:1]:
        if (town,) != sel.townships:
            request_filters(townships=(town,))

st.subheader(t("labour.tables"))
measure_cols = [Col(m, f"labour.col.{m}", labour.KINDS[m]) for m in measures]
town_cols = [Col("township", "col.township"), *measure_cols, Col("organised_share", "labour.col.share", "rate")]
for m in labour.TARGET_METRICS:
    town_cols += [
        Col(m + "_target", f"labour.col.{m}_target", "people"),
        Col(m + "_rate", f"labour.col.{m}_rate", "rate"),
    ]
town_cols.append(Col("pace", "col.pace", "rate"))
month_cols = [Col("label", "col.period_month"), *measure_cols, Col("organised_share", "labour.col.share", "rate")]
month_rows = labour.monthly(lsel)
month_rows = month_rows[month_rows["month"] <= sel.month].assign(
    label=lambda d: [fmt.month(sel.year, int(m)) for m in d["month"]]
)
by_tab, month_tab = st.tabs([t("labour.tab.township"), t("labour.tab.month")])
with by_tab:
    export.show(tables.table(by_town, town_cols, t("labour.table_township"), lsel, options), "lb_town")
with month_tab:
    export.show(tables.table(month_rows, month_cols, t("labour.table_month"), lsel, options), "lb_month")
st.caption(t("labour.definitions"))
