"""Overview: headline cards against targets and 序时进度, pace charts, township ranking, needs attention."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from board import charts, db, export, fmt, meta, nav, tables
from board import map as township_map
from board.i18n import metric_name, status_name, t
from board.metrics import progress, projects
from board.sidebar import current, request_filters, url_choice
from board.tables import Col
from etl import metric_catalogue

CARD_WIDTH = 212  # px: four cards a row in the 906 px of content at 1366 px; no value or label clipped


def empty_screen() -> None:
    st.title(t("empty.title"))
    st.write(t("empty.intro"))
    st.subheader(t("empty.demo_heading"))
    st.write(t("empty.demo_make"))
    st.code("make run", language="bash")
    st.write(t("empty.demo_cli"))
    st.code("make demo", language="bash")
    st.subheader(t("empty.upload_heading"))
    if not nav.link(nav.UPLOAD_PAGE, t("empty.upload_link")):
        st.write(t("empty.upload_cli"))
        st.code("bin/etl load <file.xlsx|file.csv>", language="bash")


def card(row: pd.Series, period: str) -> None:
    kind = metric_catalogue.get(row["metric"]).kind
    with st.container(border=True, width=CARD_WIDTH):
        has_actual = not pd.isna(row["actual"])
        st.metric(
            metric_name(row["metric"]),
            fmt.value(row["actual"], kind, compact=True) if has_actual else fmt.DASH,
            delta=None if pd.isna(row["yoy"]) else fmt.pct(row["yoy"], signed=True),
            delta_description=t("card.yoy"),
        )
        st.caption(t("card.period", period=period))
        if pd.isna(row["rate"]):
            st.caption(t(f"note.{row['note'] or 'no_target'}"))
            return
        st.progress(min(float(row["rate"]), 1.0))
        st.caption(t("card.target", target=fmt.value(row["target"], kind), rate=fmt.pct(row["rate"])))
        st.markdown(t("verdict.ahead" if row["ahead"] else "verdict.behind", pace=fmt.pct(row["pace"])))


STALLED_COLS = [
    Col("project_id", "col.project_id"),
    Col("name", "col.project"),
    Col("township", "col.township"),
    Col("park", "col.park"),
    Col("industry", "col.industry"),
    Col("status", "col.status", show=lambda s: status_name(str(s))),
    Col("total_investment", "col.total_investment", "money"),
    Col("signed_date", "col.signed_date", "date"),
    Col("started_date", "col.started_date", "date"),
    Col("reason", "col.reason", show=lambda r: t(f"stalled.{r}")),
]

nav.require_frame()
if not db.has_data():
    empty_screen()
    st.stop()

sel = current()
options = meta.options()
st.title(t("overview.title"))
st.caption(t("overview.subtitle", period=fmt.period(sel.year, sel.month), scope=fmt.plain(tables.scope_text(sel))))
if sel.industries:
    st.info(t("note.industry_banner"), icon=":material/info:")

cards = progress.progress(sel)
with st.container(horizontal=True, gap="small"):
    for _, row in cards.iterrows():
        card(row, fmt.period_short(sel.month))
with st.expander(t("overview.cards_table")):
    export.show(tables.table(cards, tables.PROGRESS_COLS, t("title.overview_cards"), sel, options), "ov_cards")

st.subheader(t("overview.pace_heading"))
for col, metric in zip(st.columns(2), ("funds_in_place", "contract_investment"), strict=True):
    row = cards.set_index("metric").loc[metric]
    with col:
        fig = charts.cumulative_vs_pace(
            progress.monthly(sel, metric), row["target"] if pd.notna(row["target"]) else None, "money",
            t("chart.cumulative_title", metric=metric_name(metric)),
        )  # fmt: skip
        st.plotly_chart(fig, config={"displayModeBar": False}, theme=None, key=f"ov_pace_{metric}")

st.subheader(t("overview.ranking_heading"))
rank_metric = url_choice("rank", metric_catalogue.CARD_METRICS, t("overview.ranking_metric"), metric_name)
if sel.townships or sel.parks:
    st.caption(t("overview.ranking_scope"))
township_map.show(sel, rank_metric, options.townships, key="ov_map")  # above the bars, the same metric
ranking = progress.progress(sel, (rank_metric,), by="township", units=options.townships)
rated = ranking.dropna(subset=["rate"]).sort_values("rate", ascending=False).rename(columns={"township": "unit"})
if sel.industries:
    st.info(t("overview.ranking_industry"), icon=":material/info:")
elif rated.empty:
    st.info(t("overview.ranking_none"), icon=":material/info:")
else:
    n = 5 if len(rated) > 10 else len(rated)
    st.caption(t("overview.ranking_click"))
    parts = [("ov_top", rated.head(n), t("overview.top", n=n))]
    if len(rated) > 10:
        parts.append(("ov_bottom", rated.tail(n), t("overview.bottom", n=n)))
    for col, (key, part, title) in zip(st.columns(2), parts, strict=False):
        with col:
            fig = charts.ranking_bars(part, part["pace"].iloc[0], title, sel.townships)
            event = st.plotly_chart(
                fig, config={"displayModeBar": False}, theme=None, key=key, on_select="rerun", selection_mode="points"
            )
            for town in charts.clicked_units(event)[:1]:  # drill through: the cards follow the township
                request_filters(townships=(town,))
with st.expander(t("overview.ranking_table")):
    cols = [Col("township", "col.township"), *tables.PROGRESS_COLS]
    title = t("title.ranking") + " " + metric_name(rank_metric)
    export.show(tables.table(ranking, cols, title, sel, options), "ov_rank")

st.subheader(t("overview.attention_heading"))
settings = meta.settings()
behind = progress.behind_pace(sel, options)
days, months = settings["settings.stalled_signed_days"], settings["settings.stalled_no_funds_months"]
stalled = projects.stalled_projects(sel, days, months)
left, right = st.columns(2)
with left, st.container(border=True):
    if sel.industries:
        st.metric(t("attention.behind"), fmt.DASH)
        st.caption(t("attention.behind_industry"))
    else:
        st.metric(t("attention.behind"), t("fmt.units", v=behind["unit"].nunique()))
        st.caption(t("attention.behind_help", pace=fmt.pct(progress.pace(sel.month))))
    nav.link(nav.BEHIND_PAGE, t("attention.behind_link"))
    with st.expander(t("attention.behind_list")):
        cols = [Col("unit", "col.unit"), *tables.PROGRESS_COLS[:6]]
        export.show(tables.table(behind, cols, t("title.behind"), sel, options), "ov_behind")
with right, st.container(border=True):
    st.metric(t("attention.stalled"), fmt.count(len(stalled), "projects"))
    st.caption(t("attention.stalled_help", days=days, months=months))
    nav.link(nav.STALLED_PAGE, t("attention.stalled_link"), {"days": str(days), "months": str(months)})
    with st.expander(t("attention.stalled_list")):
        export.show(tables.table(stalled, STALLED_COLS, t("title.stalled"), sel, options), "ov_stalled")
