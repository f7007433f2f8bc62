"""Project pipeline (项目推进): the stage funnel of the period's cohort, new starts and carry-over, size tiers,
breakdowns of the projects signed in the period, and stage lead times (board.metrics.pipeline)."""

from __future__ import annotations

import streamlit as st

from board import charts, db, export, fmt, meta, nav, tables
from board.i18n import status_name, t, tier_name
from board.metrics import pipeline
from board.metrics.projects import as_of_date
from board.sidebar import current, request_filters, url_choice
from board.tables import Col

CHART = {"config": {"displayModeBar": False}, "theme": None}
BY_COLUMN = {"township": "col.township", "industry": "col.industry", "origin": "col.origin", "method": "col.method"}


def amount(v: float) -> str:
    return fmt.money(v, compact=True)


def stage_name(status: object) -> str:
    """A status as a label on its own (the English words capitalised)."""
    name = status_name(str(status))
    return name[:1].upper() + name[1:]


def group_name(by: str, key: object) -> str:
    """A breakdown's value as shown: blank → 未填写; a method by its name in the display language."""
    if fmt.missing(key):
        return t("pipeline.not_recorded")
    return t(f"method.{key}") if by == "method" else str(key)


nav.require_frame()
st.title(t("page.pipeline"))
if not db.has_data():
    st.info(t("batches.none"), icon=":material/info:")
    st.stop()
sel = current()
options = meta.options()
period = fmt.period(sel.year, sel.month)
as_of = fmt.date(as_of_date(sel))
st.caption(t("pipeline.subtitle", period=period, scope=tables.scope_text(sel)))

# 1. The stage funnel and its leaks.
st.subheader(t("pipeline.funnel_heading"))
st.caption(t("pipeline.cohort", period=period, as_of=as_of))
funnel = pipeline.funnel(sel)
stages, leaks = funnel[funnel["kind"] == "stage"], funnel[funnel["kind"] == "leak"]
left, right = st.columns([3, 1])
with left:
    texts = [
        t("pipeline.funnel_text", n=fmt.count(n, "projects"), amount=amount(a))
        for n, a in zip(stages["projects"], stages["amount"], strict=True)
    ]
    labels = [stage_name(s) for s in stages["stage"]]
    st.plotly_chart(charts.stage_funnel(labels, list(stages["projects"]), texts, ""), key="pl_funnel", **CHART)
with right:
    st.markdown("**" + t("pipeline.leaks_heading") + "**")
    for row in leaks.itertuples():
        with st.container(border=True):
            st.metric(stage_name(row.stage), fmt.count(row.projects, "projects"))
            st.caption(amount(row.amount) + " · " + t("pipeline.leak_help", share=fmt.pct(row.of_cohort)))
with st.expander(t("pipeline.funnel_table")):
    cols = [
        Col("stage", "col.stage", show=stage_name),
        Col("projects", "col.projects", "count"),
        Col("amount", "col.total_investment", "money"),
        Col("of_cohort", "col.of_cohort", "rate"),
        Col("of_previous", "col.of_previous", "rate"),
    ]
    export.show(tables.table(funnel, cols, t("title.pipeline_funnel"), sel, options), "pl_funnel_t")

# 2. Newly started against under construction including carry-over (the catalogue's metrics).
st.subheader(t("pipeline.starts_heading"))
starts = pipeline.starts(sel)
words = {"new": t("pipeline.starts_new"), "carry_over": t("pipeline.starts_carry")}
words["under_construction"] = t("pipeline.starts_all")
for col, row in zip(st.columns(3), starts.itertuples(), strict=True):
    with col:
        with st.container(border=True):
            st.metric(
                words[row.measure],
                fmt.count(row.actual, "projects"),
                delta=f"{row.actual - row.prior:+,.0f}" if row.actual != row.prior else None,
                delta_description=t("pipeline.vs_prior"),
            )
st.caption(t("pipeline.starts_help", period=period))
with st.expander(t("pipeline.starts_table")):
    cols = [
        Col("measure", "col.metric", show=lambda m: words[str(m)]),
        Col("actual", "col.actual", "count"),
        Col("prior", "col.prior", "count"),
    ]
    export.show(tables.table(starts, cols, t("title.pipeline_starts"), sel, options), "pl_starts_t")

# 3. Size tiers of the projects signed in the period.
st.subheader(t("pipeline.tiers_heading"))
st.caption(t("pipeline.tiers_help", period=period))
tiers = pipeline.tiers(sel)
names = [tier_name(c) for c in tiers["tier"]]
left, right = st.columns(2)
with left:
    texts = [
        f"{fmt.count(n, 'projects')} ({fmt.pct(s)})" for n, s in zip(tiers["projects"], tiers["share"], strict=True)
    ]
    fig = charts.labelled_bars(names, list(tiers["projects"]), texts, t("pipeline.tiers_count"))
    st.plotly_chart(fig, key="pl_tiers_n", **CHART)
with right:
    texts = [f"{amount(a)} ({fmt.pct(s)})" for a, s in zip(tiers["amount"], tiers["amount_share"], strict=True)]
    fig = charts.labelled_bars(names, list(tiers["amount"]), texts, t("pipeline.tiers_amount"))
    st.plotly_chart(fig, key="pl_tiers_a", **CHART)
with st.expander(t("pipeline.tiers_table")):
    cols = [
        Col("tier", "col.size_tier", show=tier_name),
        Col("projects", "col.projects", "count"),
        Col("share", "col.share", "rate"),
        Col("amount", "col.total_investment", "money"),
        Col("amount_share", "col.amount_share", "rate"),
    ]
    export.show(tables.table(tiers, cols, t("title.pipeline_tiers"), sel, options), "pl_tiers_t")

# 4. The projects signed in the period by township, industry, investor origin or attraction method.
st.subheader(t("pipeline.breakdown_heading"))
with st.columns([1, 2])[0]:
    by = url_choice("by", tuple(pipeline.BREAKDOWNS), t("pipeline.by"), lambda b: t(f"pipeline.by.{b}"))
st.caption(t("pipeline.breakdown_help", period=period, as_of=as_of))
groups = pipeline.breakdown(sel, by)
shown = [group_name(by, k) for k in groups["key"]]
texts = [
    t("pipeline.bar_text", n=fmt.count(n, "projects"), amount=amount(a), share=fmt.pct(s))
    for n, a, s in zip(groups["projects"], groups["amount"], groups["started_share"], strict=True)
]
clickable = by == "township"
keys = [str(k) if k in options.townships else None for k in groups["key"]] if clickable else None
fig = charts.labelled_bars(shown, list(groups["projects"]), texts, "", keys)
if clickable:
    st.caption(t("pipeline.breakdown_click"))
    # the key changes with the filters: a selection made before a drill-through does not survive it
    chart_key = "pl_by_township_" + "|".join(sel.townships + sel.parks + sel.industries)
    event = st.plotly_chart(fig, key=chart_key, on_select="rerun", selection_mode="points", **CHART)
    for town in charts.clicked_units(event)[:1]:
        if (town,) != sel.townships:
            request_filters(townships=(town,))
else:
    st.plotly_chart(fig, key="pl_by_" + by, **CHART)
with st.expander(t("pipeline.breakdown_table")):
    groups["shown"] = shown
    cols = [
        Col("shown", BY_COLUMN[by]),
        Col("projects", "col.projects", "count"),
        Col("amount", "col.total_investment", "money"),
        Col("contract", "col.contract_amount", "money"),
        Col("started", "col.started", "count"),
        Col("started_share", "col.started_share", "rate"),
    ]
    title = t("title.pipeline_breakdown") + " " + t(f"pipeline.by.{by}")
    export.show(tables.table(groups, cols, title, sel, options), "pl_by_t")

# 5. Stage lead times.
st.subheader(t("pipeline.lead_heading"))
st.caption(t("pipeline.lead_help", year=sel.year, as_of=as_of))
lead = pipeline.lead_times(sel)
span_names = {s: t(f"pipeline.span.{s}") for s in pipeline.SPANS}
lines = {span_names[s]: lead[lead["span"] == s] for s in pipeline.SPANS}
st.plotly_chart(charts.lead_time_lines(lines, "", t("pipeline.lead_axis")), key="pl_lead", **CHART)
with st.expander(t("pipeline.lead_table")):
    cols = [
        Col("span", "col.span", show=lambda s: span_names[str(s)]),
        Col("year", "col.year", show=str),
        Col("projects", "col.projects", "count"),
        Col("median_days", "col.median_days", "count"),
        Col("min_days", "col.min_days", "count"),
        Col("max_days", "col.max_days", "count"),
    ]
    export.show(tables.table(lead, cols, t("title.pipeline_lead"), sel, options), "pl_lead_t")
