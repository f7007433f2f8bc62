"""考核排名 Assessment: points with their breakdown, the people's leaderboard and quota compliance, the units'
ranking (target completion and points), the monthly bulletin, and the rules (versions; an admin edits them)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from board import access, bulletin, charts, db, export, fmt, meta, nav, tables
from board.i18n import current_lang, metric_name, t
from board.metrics import assessment
from board.sidebar import current, url_choice
from board.tables import Col
from etl import assessment_rules, store, warehouse

VIEWS = ("people", "units", "items", "rules")
ALL = "*"


def rule_name(rule: object) -> str:
    return t(f"assessment.rule.{rule}")


PEOPLE_COLS = [
    Col("position", "col.position", "count"),
    Col("person", "col.person"),
    Col("units", "col.unit"),
    Col("points", "col.points", "money"),
    Col("rank", "col.staff_rank"),
    Col("quota", "col.quota", "count"),
    Col("valuable", "col.valuable_leads", "count"),
    Col("quota_state", "col.quota_state", show=lambda s: t(f"assessment.quota.{s}")),
    Col("lead_points", "col.lead_points", "money"),
    Col("projects", "col.projects_signed", "count"),
    Col("project_points", "col.project_points", "money"),
]
ITEM_COLS = [
    Col("person", "col.person"),
    Col("unit", "col.unit"),
    Col("kind", "col.item_kind", show=lambda k: t(f"assessment.kind.{k}")),
    Col("day", "col.item_date", "date"),
    Col("rule", "col.rule", show=rule_name),
    Col("points", "col.points", "money"),
    Col("amount", "col.total_investment", "money"),
    Col("item_id", "col.item_id"),
    Col("name", "col.item_name"),
]
VERSION_COLS = [
    Col("version", "col.rule_version", "count"),
    Col("current", "col.rule_current", show=lambda c: t("assessment.in_force") if c else ""),
    Col("created_at", "col.rule_created_at", show=lambda d: fmt.timestamp(d)),
    Col("created_by", "col.rule_created_by"),
    Col("sha256", "col.rule_hash", show=lambda h: str(h)[:12]),
]


def unit_cols(metrics: list[str]) -> list[Col]:
    rates = [
        Col(
            f"rate_{m}",
            tuple(t("assessment.rate_of", lang, metric=metric_name(m, lang)) for lang in ("zh", "en")),
            "rate",
        )
        for m in metrics
    ]
    return [
        Col("position", "col.position", "count"),
        Col("unit", "col.unit"),
        *rates,
        Col("completion", "col.completion_score", "money"),
        Col("points", "col.points", "money"),
        Col("stalled", "col.stalled_projects", "count"),
        Col("deduction", "col.deduction", "money"),
        Col("score", "col.unit_score", "money"),
    ]


nav.require_frame()
st.title(t("page.assessment"))
if not db.has_data():
    st.info(t("batches.none"), icon=":material/info:")
    st.stop()
sel = current()
options = meta.options()
current_version = assessment.current_version()
if current_version is None:
    st.warning(t("assessment.no_rules"), icon=":material/info:")
    st.stop()
known = [str(v) for v in assessment.versions()["version"]]
order = [str(current_version)] + [v for v in known if v != str(current_version)]
version_labels = {v: t("assessment.version_label", v=v) + (t("assessment.in_force_suffix") if v == str(current_version) else "") for v in order}  # fmt: skip
with st.container(horizontal=True, gap="medium"):
    with st.container(width=320):
        view = url_choice("view", VIEWS, t("assessment.view"), {v: t(f"assessment.view.{v}") for v in VIEWS}.get)
    with st.container(width=320):
        version = int(url_choice("rules", order, t("assessment.rule_version"), version_labels.get))
scope = tables.scope_text(replace(sel, industries=(), parks=()))
st.caption(t("assessment.subtitle", period=fmt.period(sel.year, sel.month), scope=scope, v=version))
if sel.industries or sel.parks:
    st.caption(t("assessment.filters_note"))
towns = sel.townships
of_version = " · " + t("assessment.version_label", v=version)  # every table and export names its rule version
people = assessment.people(sel.year, sel.month, version, towns)
states = people["quota_state"].value_counts()
with st.container(horizontal=True, gap="small"):
    for label, value in (
        (t("assessment.card.people"), fmt.number(len(people))),
        (t("assessment.card.points"), fmt.number(float(people["points"].sum()), 1)),
        (t("assessment.card.met"), fmt.number(int(states.get("met", 0) + states.get("exceeded", 0)))),
        (t("assessment.card.not_met"), fmt.number(int(states.get("not_met", 0)))),
    ):
        with st.container(border=True, width=200):
            st.metric(label, value)

if view == "people":
    st.subheader(t("assessment.people_heading"))
    top = people.head(15)
    texts = [fmt.number(p, 1) for p in top["points"]]
    fig = charts.labelled_bars(list(top["person"]), list(top["points"]), texts, t("assessment.people_chart"))
    st.plotly_chart(fig, config={"displayModeBar": False}, theme=None, key="as_people_chart")
    st.caption(t("assessment.people_help"))
    export.show(tables.table(people, PEOPLE_COLS, t("assessment.people_title") + of_version, sel, options), "as_people")
elif view == "units":
    st.subheader(t("assessment.units_heading"))
    ranking = assessment.units(sel.year, sel.month, version, towns)
    rules = assessment.rules(version)
    metrics = [m for m, _ in rules.unit_weights]
    weights = t("assessment.list_sep").join(f"{metric_name(m)} {w:g}" for m, w in rules.unit_weights)
    cap = (
        t("assessment.rate_cap_none")
        if rules.rate_cap is None
        else t("assessment.rate_cap", cap=fmt.pct(rules.rate_cap))
    )
    pcap = (
        t("assessment.points_cap_none")
        if rules.points_cap is None
        else t("assessment.points_cap", cap=fmt.number(rules.points_cap, 1))
    )
    st.caption(t("assessment.units_help", weights=weights, cap=cap, pcap=pcap, ded=fmt.number(rules.stalled_deduction)))
    top = ranking.head(20)
    fig = charts.labelled_bars(
        list(top["unit"]), list(top["score"]), [fmt.number(round(s, 1), 1) for s in top["score"]],
        t("assessment.units_chart"),
    )  # fmt: skip
    st.plotly_chart(fig, config={"displayModeBar": False}, theme=None, key="as_units_chart")
    export.show(
        tables.table(ranking, unit_cols(metrics), t("assessment.units_title") + of_version, sel, options), "as_units"
    )
elif view == "items":
    st.subheader(t("assessment.items_heading"))
    items = assessment.breakdown(sel.year, sel.month, version, towns)
    persons = [ALL, *people["person"]]
    person_labels = {p: t("assessment.everyone") if p == ALL else p for p in persons}
    with st.columns([2, 3])[0]:
        who = url_choice("person", persons, t("col.person"), person_labels.get)
    shown = items if who == ALL else items[items["person"] == who]
    st.caption(t("assessment.items_help"))
    title = t("assessment.items_title") + ("" if who == ALL else " · " + who) + of_version
    export.show(tables.table(shown, ITEM_COLS, title, sel, options), "as_items")
else:
    st.subheader(t("assessment.rules_heading"))
    st.caption(t("assessment.rules_help", path=fmt.code_span(str(assessment_rules.path()))))
    history = assessment.versions()
    export.show(tables.table(history, VERSION_COLS, t("assessment.versions_title"), None, options), "as_versions")
    stored = str(history.loc[history["version"] == version, "rules_toml"].iloc[0])
    if access.can("admin"):
        with st.form("as_rules_form"):
            text = st.text_area(t("assessment.rules_text"), value=stored, height=420, key="as_rules_text")
            saved = st.form_submit_button(t("assessment.save"), icon=":material/save:")
        if saved:
            try:
                new_version, created = assessment_rules.save(db.db_path(), text, access.user_name())
            except store.Refused as exc:  # an invalid text (with its line and key), no warehouse
                st.error(exc.zh if current_lang() == "zh" else exc.en, icon=":material/error:")
            except warehouse.WarehouseBusy:
                st.error(t("assessment.busy"), icon=":material/error:")
            else:
                access.audit("rules_saved", f"version {new_version}")
                key = "assessment.saved_new" if created else "assessment.saved_same"
                st.success(t(key, v=new_version), icon=":material/check:")
    else:
        st.code(stored, language="toml")

if access.can("export"):
    st.subheader(t("assessment.bulletin_heading"))
    st.caption(t("assessment.bulletin_help", period=fmt.period(sel.year, sel.month)))
    lang = current_lang()
    stem = bulletin.file_stem(sel.year, sel.month, lang)
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            t("assessment.bulletin_xlsx"), lambda: bulletin.xlsx_bytes(sel.year, sel.month, lang, version),
            file_name=f"{stem}.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="as_bulletin_xlsx", on_click="ignore", icon=":material/download:", width="content",
        )  # fmt: skip
        st.download_button(
            t("assessment.bulletin_pdf"), lambda: bulletin.pdf_bytes(sel.year, sel.month, lang, version),
            file_name=f"{stem}.pdf", mime="application/pdf", key="as_bulletin_pdf", on_click="ignore",
            icon=":material/download:", width="content",
        )  # fmt: skip
