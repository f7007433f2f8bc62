"""Project register (项目库): every project in one searchable, sortable, paginated table. The search (``q``), the
status and the size tier are kept in the URL; sorting and pages are done in SQL (board.metrics.pipeline); a click
on a row opens the project; the export holds the whole filtered result."""

from __future__ import annotations

import hashlib

import streamlit as st

from board import db, export, fmt, meta, nav, tables
from board.i18n import status_name, t, tier_name
from board.metrics import pipeline
from board.sidebar import current, url_choice
from board.tables import Col
from etl.contracts import PROJECT_STATUS_EN, PROJECT_STATUSES

MAX_TEXT = 100  # characters of a search
ROW_PX = 35  # st.dataframe's row height: the table shows 20 rows of a page before it scrolls
DIRECT_EXPORT_ROWS = 2_000  # up to this many rows the export is built with the page; above, on request
STATUS_CHOICES = ("all", *PROJECT_STATUS_EN)  # URL values: the statuses' English codes
TIER_CHOICES = ("all", *pipeline.TIERS)
SORT_LABELS = {
    "signed_date": "col.signed_date",
    "project_id": "col.project_id",
    "name": "col.project",
    "township": "col.township",
    "park": "col.park",
    "industry": "col.industry",
    "status": "col.status",
    "size_tier": "col.size_tier",
    "total_investment": "col.total_investment",
    "contract_investment": "col.contract_amount",
    "started_date": "col.started_date",
    "completed_date": "col.completed_date",
    "production_date": "col.production_date",
    "lead_person": "col.lead_person",
}


def columns() -> list[Col]:
    """The register's columns, status and tier names resolved once per run (not once per cell)."""
    statuses = {s: status_name(s) for s in PROJECT_STATUSES}
    tiers = {c: tier_name(c) for c in pipeline.TIERS}
    return [
        Col("name", "col.project"),
        Col("project_id", "col.project_id"),
        Col("township", "col.township"),
        Col("park", "col.park"),
        Col("industry", "col.industry"),
        Col("status", "col.status", show=lambda s: statuses.get(str(s), str(s))),
        Col("size_tier", "col.size_tier", show=lambda c: tiers.get(str(c), str(c))),
        Col("total_investment", "col.total_investment", "money"),
        Col("contract_investment", "col.contract_amount", "money"),
        Col("signed_date", "col.signed_date", "date"),
        Col("started_date", "col.started_date", "date"),
        Col("completed_date", "col.completed_date", "date"),
        Col("production_date", "col.production_date", "date"),
        Col("lead_person", "col.lead_person"),
    ]


def search_text() -> str:
    """The search box, kept in the URL parameter q (the text as typed; none leaves the URL without it)."""
    if "rg_q" not in st.session_state:
        st.session_state["rg_q"] = (st.query_params.get("q") or "")[:MAX_TEXT]
    text = st.text_input(t("register.search"), key="rg_q", max_chars=MAX_TEXT, placeholder=t("register.search_hint"))
    if text.strip():
        if st.query_params.get("q") != text:
            st.query_params["q"] = text
    else:
        st.query_params.pop("q", None)
    return text


nav.require_frame()
st.title(t("page.projects"))
if not db.has_data():
    st.info(t("batches.none"), icon=":material/info:")
    st.stop()
sel = current()
options = meta.options()
st.caption(t("register.caption", scope=tables.scope_text(sel)))

status_labels = {
    c: t("register.status_all") if c == "all" else status_name(PROJECT_STATUS_EN[c]) for c in STATUS_CHOICES
}
tier_labels = {c: t("register.tier_all") if c == "all" else tier_name(c) for c in TIER_CHOICES}
sort_labels = {k: t(v) for k, v in SORT_LABELS.items()}
order_labels = {True: t("register.desc"), False: t("register.asc")}
search, status_col, tier_col = st.columns([2, 1, 1])
with search:
    text = search_text()
with status_col:
    status = url_choice("status", STATUS_CHOICES, t("register.status"), status_labels.get)
with tier_col:
    tier = url_choice("tier", TIER_CHOICES, t("register.tier"), tier_labels.get)
sort_col, order_col, page_col = st.columns([2, 1, 1])
with sort_col:
    sort = st.selectbox(t("register.sort"), list(SORT_LABELS), key="rg_sort", format_func=sort_labels.get)
with order_col:
    descending = st.radio(
        t("register.order"), (True, False), key="rg_desc", format_func=order_labels.get, horizontal=True
    )
rq = pipeline.RegisterQuery(
    text=text, status=PROJECT_STATUS_EN.get(status, ""), tier="" if tier == "all" else tier, sort=sort,
    descending=bool(descending),
)  # fmt: skip
total = pipeline.register_count(sel, rq)
n_pages = pipeline.pages(total)
# A new search, filter or order starts again at page 1; the table's key follows the view and the page, so a row
# selected before does not point at another project.
view = hashlib.sha1(repr((sel.townships, sel.parks, sel.industries, rq)).encode()).hexdigest()[:16]
if st.session_state.get("rg_view") != view:
    st.session_state["rg_view"], st.session_state["rg_page"] = view, 1
st.session_state["rg_page"] = min(int(st.session_state.get("rg_page", 1)), n_pages)
with page_col:
    page = int(
        st.number_input(t("register.page", pages=n_pages), min_value=1, max_value=n_pages, step=1, key="rg_page")
    )

rows = pipeline.register_page(sel, rq, page)
first = (page - 1) * pipeline.PAGE_SIZE + 1
st.caption(t("register.count", n=fmt.number(total), first=min(first, total), last=first + len(rows) - 1))
if total == 0:
    st.info(t("register.none"), icon=":material/info:")
title, cols = t("title.register"), columns()
tab = tables.table(rows, cols, title, sel, options)
st.caption(t("register.click"))
event = st.dataframe(
    tables.display_frame(tab), hide_index=True, on_select="rerun", selection_mode="single-row",
    key=f"rg_table_{view}_{page}", height=ROW_PX * (min(len(rows), 20) + 1) + 3,
)  # fmt: skip
if total <= DIRECT_EXPORT_ROWS or st.button(t("register.export_all", n=fmt.number(total)), key="rg_export"):
    everything = pipeline.register_rows(sel, rq)
    export.download_buttons(tables.table(everything, cols, title, sel, options), "rg_all")
st.caption(t("register.export_help"))
for row in event.selection.rows[:1]:
    nav.open_project(str(rows["project_id"].iloc[row]))
