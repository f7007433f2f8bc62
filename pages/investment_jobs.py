"""Jobs from investment (投资带动就业): planned jobs per 亿元 invested for the projects in production, by industry and
township, the key projects' share; a click on a project opens its detail (board.metrics.jobs)."""

from __future__ import annotations

import streamlit as st

from board import charts, db, export, fmt, meta, nav, tables
from board.i18n import t
from board.metrics import jobs, people
from board.metrics.projects import as_of_date
from board.sidebar import current, request_filters, url_choice
from board.tables import Col

CHART = {"config": {"displayModeBar": False}, "theme": None}
CARD_WIDTH = 212


def per_yi(v: float) -> str:
    return fmt.DASH if fmt.missing(v) else t("fmt.per_yi", v=f"{v:,.1f}")


def card(label: str, value: str, caption: str) -> None:
    with st.container(border=True, width=CARD_WIDTH):
        st.metric(label, value)
        st.caption(caption)


def bar_texts(df) -> list[str]:
    """Beside each bar: the rate and the number of projects (the rest is in the tables below)."""
    return [
        t("ijobs.bar_text", per=fmt.DASH if fmt.missing(r) else f"{r:,.1f}", n=fmt.number(n))
        for r, n in zip(df["jobs_per_yi"], df["projects"], strict=True)
    ]


GROUP_COLS = [
    Col("projects", "col.projects", "count"),
    Col("jobs", "ijobs.col.jobs", "people"),
    Col("investment", "ijobs.col.investment", "money"),
    Col("jobs_per_yi", "ijobs.col.jobs_per_yi", "ratio"),
    Col("no_jobs", "ijobs.col.no_jobs", "count"),
]
PROJECT_COLS = [
    Col("name", "col.project"),
    Col("project_id", "col.project_id"),
    Col("township", "col.township"),
    Col("park", "col.park"),
    Col("industry", "col.industry"),
    Col("total_investment", "col.total_investment", "money"),
    Col("planned_jobs", "ijobs.col.jobs", "people"),
    Col("jobs_per_yi", "ijobs.col.jobs_per_yi", "ratio"),
    Col("in_production_date", "col.production_date", "date"),
]

nav.require_frame()
st.title(t("page.investment_jobs"))
if not db.has_data():
    st.info(t("batches.none"), icon=":material/info:")
    st.stop()
sel = current()
options = meta.options()
with st.columns([2, 3])[0]:
    basis = url_choice("basis", jobs.BASES, t("ijobs.basis"), lambda b: t(f"ijobs.basis.{b}"))
as_of = fmt.date(as_of_date(sel))
scope_words = t(f"ijobs.scope.{basis}", period=fmt.period(sel.year, sel.month), as_of=as_of)
st.caption(t("ijobs.subtitle", scope=tables.scope_text(sel), basis=scope_words))

summary = jobs.summary(sel, basis).set_index("part")
every, key = summary.loc["all"], summary.loc["key"]
with st.container(horizontal=True, gap="small"):
    card(t("ijobs.card.projects"), fmt.count(every["projects"], "projects"), scope_words)
    card(t("ijobs.card.jobs"), people.people_text(every["jobs"]),
         t("ijobs.card.investment", v=fmt.money(every["investment"])))  # fmt: skip
    rate = every["jobs_per_yi"]
    hidden = fmt.missing(rate) or people.is_small(every["jobs"])
    card(t("ijobs.card.per_yi"), fmt.DASH if hidden else f"{rate:,.1f}", t("ijobs.card.per_yi_help"))
    card(t("ijobs.card.key"), people.people_text(key["jobs"]),
         t("ijobs.card.key_help", n=fmt.number(key["projects"]), per=fmt.DASH if people.is_small(key["jobs"]) else per_yi(key["jobs_per_yi"])))  # fmt: skip
if every["no_jobs"]:
    st.caption(t("ijobs.no_jobs", n=fmt.count(every["no_jobs"], "projects")))

# a rate over 1–4 planned jobs would give the suppressed count back
by_industry = people.hide_small(jobs.by_group(sel, "industry", basis), "jobs", ["jobs_per_yi"])
by_township = people.hide_small(jobs.by_group(sel, "township", basis), "jobs", ["jobs_per_yi"])
left, right = st.columns(2)
with left:
    st.subheader(t("ijobs.by_industry"))
    names = [t("ijobs.not_recorded") if fmt.missing(k) else str(k) for k in by_industry["key"]]
    values = list(by_industry["jobs_per_yi"].fillna(0.0))
    st.plotly_chart(charts.labelled_bars(names, values, bar_texts(by_industry), ""), key="ij_industry", **CHART)
    st.caption(t("ijobs.ranked_help"))
with right:
    st.subheader(t("ijobs.by_township"))
    names = [t("ijobs.not_recorded") if fmt.missing(k) else str(k) for k in by_township["key"]]
    keys = [str(k) if k in options.townships else None for k in by_township["key"]]
    values = list(by_township["jobs_per_yi"].fillna(0.0))
    fig = charts.labelled_bars(names, values, bar_texts(by_township), "", keys)
    chart_key = "ij_township_" + basis + "_" + "|".join(sel.townships + sel.parks + sel.industries)
    event = st.plotly_chart(fig, key=chart_key, on_select="rerun", selection_mode="points", **CHART)
    st.caption(t("ijobs.click"))
    for town in charts.clicked_units(event)[:1]:
        if (town,) != sel.townships:
            request_filters(townships=(town,))

st.subheader(t("ijobs.tables"))
found = people.hide_small(jobs.projects(sel, basis), "planned_jobs", ["jobs_per_yi"])
key_rows = found[found["key_project"]].reset_index(drop=True)
tabs = st.tabs([t("ijobs.tab.key"), t("ijobs.tab.projects"), t("ijobs.tab.industry"), t("ijobs.tab.township")])
for tab, rows, name in ((tabs[0], key_rows, "key"), (tabs[1], found, "projects")):
    with tab:
        st.caption(t("ijobs.project_click", n=fmt.count(len(rows), "projects")))
        table = tables.table(rows, PROJECT_COLS, t(f"ijobs.title.{name}"), sel, options)
        picked = export.show(table, f"ij_{name}", selectable=True)
        if picked is not None:
            nav.open_project(str(rows["project_id"].iloc[picked]))
for tab, df, by in ((tabs[2], by_industry, "industry"), (tabs[3], by_township, "township")):
    with tab:
        cols = [Col("key", f"col.{by}"), *GROUP_COLS]
        export.show(tables.table(df, cols, t(f"ijobs.title.{by}"), sel, options), f"ij_{by}_t")
st.caption(t("ijobs.definitions"))
