"""Stalled projects (问题项目, the 三未 lists): signed and not started, started without funds, status 停滞."""

from __future__ import annotations

import streamlit as st

from board import db, export, fmt, meta, nav, tables
from board.i18n import status_name, t
from board.metrics import projects
from board.sidebar import current, url_choice, url_number
from board.tables import Col

RULES = ("all", "not_started", "no_funds", "status")
COLS = [
    Col("project_id", "col.project_id"),
    Col("name", "col.project"),
    Col("reason", "col.reason", show=lambda r: t(f"stalled.{r}")),
    Col("days_stuck", "col.days_stuck", "count"),
    Col("township", "col.township"),
    Col("park", "col.park"),
    Col("responsible_unit", "col.responsible_unit"),
    Col("lead_person", "col.lead_person"),
    Col("status", "col.status", show=lambda s: status_name(str(s))),
    Col("total_investment", "col.total_investment", "money"),
    Col("signed_date", "col.signed_date", "date"),
    Col("started_date", "col.started_date", "date"),
    Col("last_funds_period", "col.last_funds"),
]

nav.require_frame()
st.title(t("page.stalled"))
if not db.has_data():
    st.info(t("batches.none"), icon=":material/info:")
    st.stop()
sel = current()
options = meta.options()
settings = meta.settings()
st.caption(t("stalled.subtitle", date=fmt.date(projects.as_of_date(sel)), scope=tables.scope_text(sel)))
with st.container(horizontal=True, gap="medium"):
    days = url_number(
        "days", t("stalled.days"), settings["settings.stalled_signed_days"], 30, 3650, t("stalled.days_help")
    )
    months = url_number(
        "months", t("stalled.months"), settings["settings.stalled_no_funds_months"], 1, 36, t("stalled.months_help")
    )
stalled = projects.stalled_projects(sel, days, months)
counts = stalled["reason"].value_counts()
with st.container(horizontal=True, gap="small"):
    for reason, help_key in (("not_started", "days"), ("no_funds", "months"), ("status", "status")):
        with st.container(border=True, width=260):
            st.metric(t(f"stalled.{reason}"), fmt.count(int(counts.get(reason, 0)), "projects"))
            st.caption(t(f"stalled.rule_help.{help_key}", days=days, months=months))
labels = {r: t(f"stalled.list.{r}") for r in RULES}
rule = url_choice("rule", RULES, t("stalled.rule"), labels.get)
shown = stalled if rule == "all" else stalled[stalled["reason"] == rule]
st.caption(t("stalled.click"))
tab = tables.table(shown, COLS, t("title.stalled") + " · " + labels[rule], sel, options)
picked = export.show(tab, "stalled", selectable=True)
if picked is not None:
    nav.open_project(str(shown["project_id"].iloc[picked]))
