"""Key projects (重点项目): every key project of the selection with its status, this year's funds in place and
the days in its current stage; a click on a row opens the project (board.metrics.pipeline.key_projects)."""

from __future__ import annotations

import streamlit as st

from board import db, export, fmt, meta, nav, tables
from board.i18n import status_name, t
from board.metrics import pipeline
from board.metrics.projects import as_of_date
from board.sidebar import current
from board.tables import Col
from etl.contracts import PROJECT_STATUSES

ROW_PX = 35  # st.dataframe's row height: the table shows 20 projects before it scrolls


def columns() -> list[Col]:
    """The table's columns, status names resolved once per run (not once per cell)."""
    statuses = {s: status_name(s) for s in PROJECT_STATUSES}
    return [
        Col("name", "col.project"),
        Col("project_id", "col.project_id"),
        Col("township", "col.township"),
        Col("status", "col.status", show=lambda s: statuses.get(str(s), str(s))),
        Col("total_investment", "col.total_investment", "money"),
        Col("funds_this_year", "col.funds_this_year", "money"),
        Col("days_in_stage", "col.days_in_stage", "count"),
        Col("stage_date", "col.stage_date", "date"),
        Col("lead_person", "col.lead_person"),
        Col("responsible_unit", "col.responsible_unit"),
    ]


nav.require_frame()
st.title(t("page.key_projects"))
if not db.has_data():
    st.info(t("batches.none"), icon=":material/info:")
    st.stop()
sel = current()
options = meta.options()
as_of = fmt.date(as_of_date(sel))
st.caption(t("key.caption", scope=tables.scope_text(sel), as_of=as_of))
df = pipeline.key_projects(sel)
with st.container(horizontal=True, gap="small"):
    for label, value in (
        ("key.count", fmt.count(len(df), "projects")),
        ("key.total", fmt.money(df["total_investment"].sum(), compact=True)),
        ("key.funds", fmt.money(df["funds_this_year"].sum(), compact=True)),
    ):
        with st.container(border=True, width=240):
            st.metric(t(label), value)
st.caption(t("key.days_help", as_of=as_of, period=fmt.period(sel.year, sel.month)))
if df.empty:
    st.info(t("key.none"), icon=":material/info:")
tab = tables.table(df, columns(), t("title.key_projects"), sel, options)
st.caption(t("key.click"))
# the key changes with the view: a row selected in another view does not point at this one's rows
view = "|".join((str(sel.year), str(sel.month), *sel.townships, *sel.parks, *sel.industries))
shown, first = export.page(tab, "kp")  # a long list a page at a time
event = st.dataframe(
    tables.display_frame(shown), hide_index=True, on_select="rerun", selection_mode="single-row",
    key="kp_table_" + view, height=ROW_PX * (min(len(shown.frame), 20) + 1) + 3,
)  # fmt: skip
export.download_buttons(tab, "kp")
for row in event.selection.rows[:1]:
    nav.open_project(str(df["project_id"].iloc[first + row]))
