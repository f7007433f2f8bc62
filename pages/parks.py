"""Park operations (园区运行): one park's cards against its targets, its trends by month and by year, its projects."""

from __future__ import annotations

import streamlit as st

from board import charts, db, export, fmt, meta, nav, tables
from board.i18n import metric_name, status_name, t, tier_name
from board.metrics import parks
from board.sidebar import current, url_choice
from board.tables import Col

CARD_WIDTH = 212  # px: four cards a row at 1366 px, as on the overview
PROJECT_COLS = [
    Col("project_id", "col.project_id"),
    Col("name", "col.project"),
    Col("status", "col.status", show=lambda s: status_name(str(s))),
    Col("industry", "col.industry"),
    Col("total_investment", "col.total_investment", "money"),
    Col("contract_investment", "col.contract_investment_wan", "money"),
    Col("size_tier", "col.size_tier", show=lambda c: tier_name(str(c))),
    Col("signed_date", "col.signed_date", "date"),
    Col("started_date", "col.started_date", "date"),
    Col("production_date", "col.production_date", "date"),
]


def card(c: parks.Card, year: int, month: int, park: str) -> None:
    label = t(f"parks.measure.{c.key}") if c.stock else metric_name(c.key)
    with st.container(border=True, width=CARD_WIDTH):
        st.metric(
            label,
            parks.shown(c.key, c.value, compact=True),
            delta=None if c.yoy is None else fmt.pct(c.yoy, signed=True),
            delta_description=t("card.yoy"),
        )
        if c.stock:
            through = fmt.month(year, c.through) if c.through else fmt.DASH
            st.caption(t("parks.card.stock", month=through))
            return
        st.caption(t("card.period", period=fmt.period_short(month)))
        if c.key == "fixed_asset_investment":
            own = parks.shown("fixed_asset_investment", parks.reported(year, month, park, "fixed_asset_investment"))
            st.caption(t("parks.card.fai_reported", v=own))
        if c.rate is None:
            st.caption(t(f"note.{c.note or 'no_target'}"))
            return
        st.progress(min(c.rate, 1.0))
        st.caption(t("card.target", target=fmt.money(c.target), rate=fmt.pct(c.rate)))
        st.markdown(t("verdict.ahead" if c.ahead else "verdict.behind", pace=fmt.pct(c.pace)))


nav.require_frame()
st.title(t("page.parks"))
if not db.has_data():
    st.info(t("batches.none"), icon=":material/info:")
    st.stop()
sel = current()
options = meta.options()
choices = sel.parks or options.parks
if not choices:
    st.info(t("parks.none"), icon=":material/info:")
    st.stop()
if st.session_state.get("url_focus", choices[0]) not in choices:  # the sidebar's park filter changed
    del st.session_state["url_focus"]
    st.query_params.pop("focus", None)
with st.columns([2, 3])[0]:
    park = url_choice("focus", choices, t("parks.focus"), str)
st.caption(t("parks.subtitle", park=fmt.plain(park), period=fmt.period(sel.year, sel.month)))
if sel.townships or sel.industries:
    st.caption(t("parks.filters_note"))

found = parks.cards(sel.year, sel.month, park)
with st.container(horizontal=True, gap="small"):
    for c in found:
        card(c, sel.year, sel.month, park)
with st.expander(t("parks.cards_table")):
    title = t("parks.cards_title", park=park)
    export.show(
        tables.table(parks.park_progress(sel.year, sel.month, park), tables.PROGRESS_COLS, title, sel, options),
        "pk_cards",
    )

st.subheader(t("parks.trend_heading"))
labels = {m: t(f"parks.measure.{m}") for m in parks.TREND_MEASURES}
with st.columns([2, 3])[0]:
    measure = url_choice("measure", parks.TREND_MEASURES, t("parks.trend_measure"), labels.get)
unit = None if parks.KINDS[measure] == "money" else parks.axis_unit(measure)
stock = measure in parks.STOCKS
left, right = st.columns(2)
with left:
    months = parks.monthly_trend(park, sel.year, sel.month, measure)
    names = (t("fmt.year", y=sel.year), t("fmt.year", y=sel.year - 1))
    title = t("parks.trend_months_title", measure=labels[measure], year=sel.year)
    fig = charts.park_months(months, title, unit, not stock, names)
    st.plotly_chart(fig, config={"displayModeBar": False}, theme=None, key="pk_months")
with right:
    through = options.data_through()
    last = tuple((y, options.last_month(y)) for y in options.years if through is None or y <= through[0])
    years = parks.yearly_trend(park, measure, last)
    marks = [
        t("fmt.year", y=y) if m == 12 else t("parks.year_through", y=y, through=fmt.period_short(m))
        for y, m in zip(years["year"], years["through"], strict=True)
    ]
    ticks = [
        t("fmt.year", y=y) if m == 12 else t("parks.year_through_tick", y=y, through=fmt.period_short(m))
        for y, m in zip(years["year"], years["through"], strict=True)
    ]
    fig = charts.park_years(years, t("parks.trend_years_title", measure=labels[measure]), unit, ticks)
    st.plotly_chart(fig, config={"displayModeBar": False}, theme=None, key="pk_years")
kind_note = "contract" if measure == parks.CONTRACT else "stock" if stock else "flow"
st.caption(t(f"parks.trend_note.{kind_note}"))
if measure in parks.FLOWS and parks.has_annual_row(park, sel.year):
    total = parks.reported(sel.year, 12, park, measure)
    st.info(t("parks.trend_annual_note", year=sel.year, value=parks.shown(measure, total)), icon=":material/info:")
with st.expander(t("parks.trend_table")):
    kind = "count" if parks.KINDS[measure] in ("people", "firms") else "money"
    cols = [Col("label", "col.year"), Col("value", "col.value", kind)]
    title = t("parks.trend_table_title", measure=labels[measure], unit=unit or t("unit.money"), park=park)
    export.show(tables.table(years.assign(label=marks), cols, title, sel, options), "pk_years")

st.subheader(t("parks.projects_heading"))
found_projects = parks.projects(park, sel.industries)
if found_projects.empty:
    st.info(t("parks.projects_none"), icon=":material/info:")
else:
    st.caption(t("parks.projects_click", n=len(found_projects)))
tab = tables.table(found_projects, PROJECT_COLS, t("parks.projects_title", park=park), sel, options)
picked = export.show(tab, "pk_projects", selectable=True)
if picked is not None:
    nav.open_project(str(found_projects["project_id"].iloc[picked]))
