"""Ventures (创业): the period's ventures, the jobs they created, the multiplier, start-up loans and their interest
subsidy, jobs per 万元 of loan, returnee entrepreneurs; by type, township and industry (board.metrics.ventures).
No venture is listed one by one: a venture's founder is a person."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from board import charts, db, export, fmt, meta, nav, tables
from board.i18n import t
from board.metrics import people, progress, ventures
from board.sidebar import current, request_filters
from board.tables import Col

CHART = {"config": {"displayModeBar": False}, "theme": None}
CARD_WIDTH = 212
BY_COLUMN = {"venture_type": "ventures.col.venture_type", "township": "col.township", "industry": "col.industry"}


def card(label: str, value: str, caption: str, delta: str | None = None, help: str | None = None) -> None:
    with st.container(border=True, width=CARD_WIDTH):
        st.metric(label, value, delta=delta, delta_description=t("card.yoy") if delta else None, help=help)
        st.caption(caption)


def yoy(now: float, before: float) -> str | None:
    return fmt.pct((now - before) / before, signed=True) if before else None


def ratio_text(v: float, unit_key: str) -> str:
    return fmt.DASH if fmt.missing(v) else t(unit_key, v=f"{v:,.2f}")


def number(v: float, persons: float) -> str:
    """A ratio on a card (its unit is in the card's label); "—" when its count of ``persons`` is suppressed."""
    return fmt.DASH if fmt.missing(v) or people.is_small(persons) else f"{v:,.2f}"


def group_name(by: str, key: object) -> str:
    if fmt.missing(key):
        return t("ventures.not_recorded")
    return t(f"venture_type.{key}") if by == "venture_type" else str(key)


def columns(by: str) -> list[Col]:
    return [
        Col("shown", BY_COLUMN[by]),
        Col("ventures", "ventures.col.ventures", "count"),
        Col("jobs", "ventures.col.jobs_created", "people"),
        Col("jobs_per_venture", "ventures.col.jobs_per_venture", "ratio"),
        Col("investment", "ventures.col.venture_investment", "money"),
        Col("borrowers", "ventures.col.borrowers", "count"),
        Col("loan", "ventures.col.loan", "money"),
        Col("loan_subsidy", "ventures.col.loan_subsidy", "money"),
        Col("jobs_per_loan", "ventures.col.jobs_per_loan", "ratio"),
        Col("by_returnee", "ventures.col.by_returnee", "count"),
        Col("returnee_founders", "ventures.col.returnee_founders", "people"),
    ]


nav.require_frame()
st.title(t("page.ventures"))
if not db.has_data():
    st.info(t("batches.none"), icon=":material/info:")
    st.stop()
sel = current()
options = meta.options()
period = fmt.period(sel.year, sel.month)
vsel = replace(sel, parks=())  # ventures have no park
st.caption(t("ventures.subtitle", period=period, scope=tables.scope_text(vsel)))
if sel.parks:
    st.info(t("ventures.park_na"), icon=":material/info:")

summary = ventures.summary(vsel)
now, before = summary.iloc[0], summary.iloc[1]
target = progress.progress(vsel, ("returnee_ventures",)).iloc[0]
with st.container(horizontal=True, gap="small"):
    card(t("ventures.card.ventures"), fmt.count(now["ventures"], "ventures"), t("card.period", period=period),
         yoy(now["ventures"], before["ventures"]))  # fmt: skip
    card(t("ventures.card.jobs"), people.people_text(now["jobs"]), t("ventures.card.jobs_help"),
         yoy(now["jobs"], before["jobs"]))  # fmt: skip
    card(t("ventures.card.multiplier"), number(now["jobs_per_venture"], now["jobs"]),
         t("ventures.card.multiplier_help", prior=number(before["jobs_per_venture"], before["jobs"])))  # fmt: skip
    card(t("ventures.card.loan"), fmt.money(now["loan"], compact=True),
         t("ventures.card.loan_help", n=fmt.count(now["borrowers"], "ventures"), subsidy=fmt.money(now["loan_subsidy"])),
         yoy(now["loan"], before["loan"]))  # fmt: skip
    card(t("ventures.card.per_loan"), number(now["jobs_per_loan"], now["loan_jobs"]), t("ventures.card.per_loan_help"))
    with st.container(border=True, width=CARD_WIDTH):
        st.metric(
            t("ventures.card.returnee_type"), fmt.count(target["actual"], "ventures"),
            delta=None if fmt.missing(target["yoy"]) else fmt.pct(target["yoy"], signed=True),
            delta_description=t("card.yoy"),
        )  # fmt: skip
        if fmt.missing(target["rate"]):
            note = "no_target" if fmt.missing(target["note"]) else str(target["note"])
            st.caption(t(f"note.{note}"))
        else:
            st.progress(min(float(target["rate"]), 1.0))
            st.caption(t("ventures.card.target", target=fmt.count(target["target"], "ventures"),
                         rate=fmt.pct(target["rate"])))  # fmt: skip
            verdict = "verdict.ahead" if target["ahead"] else "verdict.behind"
            st.markdown(t(verdict, pace=fmt.pct(target["pace"])))
    card(t("ventures.card.by_returnee"), fmt.count(now["by_returnee"], "ventures"),
         t("ventures.card.by_returnee_help", founders=people.people_text(now["returnee_founders"]),
           jobs=people.people_text(now["returnee_jobs"])))  # fmt: skip
st.caption(t("ventures.definitions"))

groups = {by: ventures.breakdown(vsel, by) for by in ventures.BREAKDOWNS}
for by, df in groups.items():  # a ratio over 1–4 people would give the suppressed count back
    df = people.hide_small(df, "jobs", ["jobs_per_venture"])
    groups[by] = people.hide_small(df, "loan_jobs", ["jobs_per_loan"]).assign(
        shown=[group_name(by, k) for k in df["key"]]
    )


def bar_texts(df) -> list[str]:
    """Beside a bar of ventures: the ventures and the jobs they created."""
    return [
        t("ventures.bar_text", n=fmt.count(n, "ventures"), jobs=people.people_text(j))
        for n, j in zip(df["ventures"], df["jobs"], strict=True)
    ]


def multiplier_texts(df) -> list[str]:
    """Beside a bar of jobs per venture: the multiplier (the ventures it is over are in the table below)."""
    return [ratio_text(r, "fmt.per_venture") for r in df["jobs_per_venture"]]


left, right = st.columns(2)
with left:
    st.subheader(t("ventures.by_township"))
    df = groups["township"]
    keys = [str(k) if k in options.townships else None for k in df["key"]]
    fig = charts.labelled_bars(list(df["shown"]), list(df["ventures"]), bar_texts(df), "", keys)
    st.caption(t("ventures.click"))
    chart_key = "vt_by_township_" + "|".join(sel.townships + sel.industries)
    event = st.plotly_chart(fig, key=chart_key, on_select="rerun", selection_mode="points", **CHART)
    for town in charts.clicked_units(event)[:1]:
        if (town,) != sel.townships:
            request_filters(townships=(town,))
with right:
    st.subheader(t("ventures.by_type"))
    df = groups["venture_type"]
    values = list(df["jobs_per_venture"].fillna(0.0))
    st.plotly_chart(
        charts.labelled_bars(list(df["shown"]), values, multiplier_texts(df), ""), key="vt_by_type", **CHART
    )
    st.caption(t("ventures.by_type_help"))
    st.subheader(t("ventures.by_industry"))
    df = groups["industry"]
    st.plotly_chart(charts.labelled_bars(list(df["shown"]), list(df["ventures"]), bar_texts(df), ""),
                    key="vt_by_industry", **CHART)  # fmt: skip

st.subheader(t("ventures.tables"))
st.caption(t("ventures.tables_help"))
for tab, by in zip(st.tabs([t(f"ventures.tab.{by}") for by in ventures.BREAKDOWNS]), ventures.BREAKDOWNS, strict=True):
    with tab:
        title = t("ventures.table_title", by=t(f"ventures.tab.{by}"))
        export.show(tables.table(groups[by], columns(by), title, vsel, options), f"vt_{by}")
