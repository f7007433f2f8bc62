"""Project detail (项目详情): find a project by name or ID; its stages, funds against its contract, who answers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from board import charts, db, export, fmt, meta, nav, tables
from board.i18n import status_name, t, tier_name
from board.metrics import projects
from board.sidebar import current
from board.tables import Col

FUND_COLS = [
    Col("period", "col.period_month"),
    Col("funds_in_place", "col.funds_in_place", "money"),
    Col("cumulative", "col.cumulative", "money"),
    Col("out_of_province", "col.out_of_province", "money"),
    Col("fixed_asset_investment", "col.fixed_asset_investment", "money"),
    Col("foreign_actual", "col.foreign_actual", "usd"),
]
FOUND_COLS = [
    Col("project_id", "col.project_id"),
    Col("name", "col.project"),
    Col("township", "col.township"),
    Col("status", "col.status", show=lambda s: status_name(str(s))),
    Col("total_investment", "col.total_investment", "money"),
]


def detail(p: dict) -> None:
    sel = current()
    st.subheader(fmt.plain(p["name"]))
    facts = [
        p["project_id"],
        p["township"],
        p["park"],
        p["industry"],
        status_name(p["status"]),
        tier_name(p["size_tier"]),
    ]
    st.caption(" · ".join(fmt.plain(x) for x in facts if not fmt.missing(x)))
    funds = projects.project_funds(p["project_id"], sel.scope)
    through = funds[funds["period"] <= f"{sel.year:04d}-{sel.month:02d}"]
    in_place = float(through["funds_in_place"].sum())
    contract = p["contract_investment"]
    with st.container(horizontal=True, gap="small"):
        for label, value in (
            ("project.total", fmt.money(p["total_investment"])),
            ("col.contract_investment", fmt.money(contract)),
            ("project.funds_to_date", fmt.money(in_place)),
            ("project.share_of_contract", fmt.pct(in_place / contract) if contract else fmt.DASH),
        ):
            with st.container(border=True, width=212):
                st.metric(t(label), value)
    who = [
        ("col.responsible_unit", p["responsible_unit"]), ("col.lead_person", p["lead_person"]),
        ("project.key", t("project.yes") if p["key_project"] else t("project.no")),
        ("project.investor", p["investor"]), ("project.origin", p["investor_origin"]),
        ("project.method", p["method"]), ("project.land", fmt.number(p["land_mu"])),
        ("project.jobs", fmt.count(p["planned_jobs"], "people")),
    ]  # fmt: skip
    st.dataframe(
        pd.DataFrame({t("project.field"): [t(k) for k, _ in who], t("project.value"): [
            fmt.DASH if fmt.missing(v) else str(v) for _, v in who]}),
        hide_index=True,
    )  # fmt: skip
    stages = [(t(f"project.stage.{s}"), p[f"{s}_date"]) for s in ("signed", "started", "completed", "production")]
    fig = charts.stage_timeline(stages, projects.as_of_date(sel), t("project.timeline"))
    st.plotly_chart(fig, config={"displayModeBar": False}, theme=None, key="pj_timeline")
    if funds.empty:
        st.info(t("project.no_funds"), icon=":material/info:")
        return
    fig = charts.project_funds(funds, contract, t("project.funds_title"))
    st.plotly_chart(fig, config={"displayModeBar": False}, theme=None, key="pj_funds")
    title = t("project.funds_title") + " " + str(p["project_id"])
    export.show(tables.table(funds, FUND_COLS, title, None, meta.options()), "pj_funds")


nav.require_frame()
st.title(t("page.project"))
if not db.has_data():
    st.info(t("batches.none"), icon=":material/info:")
    st.stop()
wanted = st.query_params.get("id")
if "pj_q" not in st.session_state:
    st.session_state["pj_q"] = st.query_params.get("q", "")
text = st.text_input(t("project.search"), key="pj_q", placeholder=t("project.search_hint"))
if text.strip():
    st.query_params["q"] = text.strip()
    found = projects.search_projects(text, scope=current().scope)
    if found.empty:
        st.info(t("project.none_found"), icon=":material/search_off:")
    else:
        st.caption(t("project.found", n=len(found)))
        picked = export.show(tables.table(found, FOUND_COLS, t("page.project"), None, meta.options()), "pj_found", True)
        if picked is not None:
            st.query_params["id"] = str(found["project_id"].iloc[picked])
            wanted = st.query_params["id"]
else:
    st.query_params.pop("q", None)
if wanted:
    record = projects.project(wanted, current().scope)
    if record is None:
        st.warning(t("project.unknown", id=fmt.code_span(wanted)), icon=":material/info:")
    else:
        detail(record)
elif not text.strip():
    st.info(t("project.how"), icon=":material/info:")
