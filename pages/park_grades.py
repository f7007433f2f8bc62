"""Park grading (园区评价): every park's efficiency per mu and per job, compared across parks, scored and graded."""

from __future__ import annotations

import math

import streamlit as st

from board import charts, db, export, fmt, meta, nav, tables
from board.i18n import current_lang, t
from board.metrics import parks
from board.sidebar import current, url_choice
from board.tables import Col
from etl import park_grading

EFFICIENCY_COLS = [
    Col("park", "col.park"),
    Col("grade", "col.grade"),
    Col("tax_per_mu", "col.tax_per_mu", "money"),
    Col("output_per_mu", "col.output_per_mu", "money"),
    Col("investment_intensity", "col.investment_intensity", "money"),
    Col("output_per_job", "col.output_per_job", "money"),
    Col("land_used_mu", "col.land_used_mu", "money"),
    Col("jobs", "col.jobs", "count"),
    Col("enterprises", "col.enterprises", "count"),
    Col("tax", "col.tax", "money"),
    Col("industrial_output", "col.industrial_output", "money"),
    Col("fixed_asset_investment", "col.park_fai", "money"),
    Col("revenue", "col.revenue", "money"),
    Col("through_month", "col.through_month", show=lambda m: fmt.period_short(int(m))),
]
GRADE_COLS = [
    Col("score_rank", "col.score_rank", "count"),
    Col("park", "col.park"),
    Col("grade", "col.grade"),
    Col("score", "col.score", "money"),
    *(Col(f"pr_{m}", f"col.pr_{m}", "rate") for m in park_grading.MEASURES),
]
WEIGHT_COLS = [
    Col("measure", "col.measure_name"),
    Col("weight", "col.weight", "money"),
    Col("share", "col.grade_share", "rate"),
]


def names(values) -> str:
    """Park names for a Markdown caption, shown as typed."""
    return t("parks.list_sep").join(fmt.plain(v) for v in values)


nav.require_frame()
st.title(t("page.park_grades"))
if not db.has_data():
    st.info(t("batches.none"), icon=":material/info:")
    st.stop()
sel = current()
options = meta.options()
st.caption(t("parks.grades_subtitle", period=fmt.period(sel.year, sel.month)))
if sel.townships or sel.industries:
    st.caption(t("parks.filters_note_grades"))
applied = parks.grading_applied()
on_file, problem = parks.grading_file()
where = fmt.code_span(parks.grading_path())
if problem is not None:
    reason = problem.zh if current_lang() == "zh" else problem.en
    st.error(t("parks.grading_invalid", reason=fmt.code_span(reason)), icon=":material/error:")
elif on_file != applied:
    st.warning(t("parks.grading_pending", path=where), icon=":material/info:")
eff = parks.efficiency(sel.year, sel.month)
if eff.empty:
    st.info(t("parks.none_year", period=fmt.period(sel.year, sel.month)), icon=":material/info:")
    st.stop()
through = int(eff["through_month"].max())
if through < 12:
    st.caption(t("parks.ytd_note", through=fmt.month(sel.year, through)))

st.subheader(t("parks.efficiency_heading"))
st.caption(t("parks.efficiency_help"))
no_land = eff.loc[eff["land_used_mu"].isna(), "park"]
if len(no_land):
    st.info(t("parks.no_land", parks=names(no_land)), icon=":material/info:")
title = t("parks.efficiency_title")
export.show(tables.table(eff, EFFICIENCY_COLS, title, sel, options), "pg_efficiency")

st.subheader(t("parks.compare_heading"))
labels = {m: t(f"parks.measure.{m}") for m in parks.COMPARE_MEASURES}
with st.columns([2, 3])[0]:
    chosen = url_choice("cmp", parks.COMPARE_MEASURES, t("parks.compare_measure"), labels.get)
ranked, missing = parks.ranking(sel.year, sel.month, chosen)
unit = None if parks.KINDS[chosen] == "money" else parks.axis_unit(chosen)
left, right = st.columns(2)
with left:
    texts = [parks.shown(chosen, v) for v in ranked["value"]]
    shown = ranked.assign(value=ranked["value"] * parks.display_factor(chosen))
    fig = charts.park_ranking(shown, t("parks.compare_title", measure=labels[chosen]), texts, unit, sel.parks)
    st.plotly_chart(fig, config={"displayModeBar": False}, theme=None, key="pg_rank")
    if missing:
        st.caption(t("parks.compare_missing", parks=names(missing)))
with right:
    factor = parks.display_factor("tax_per_mu")
    points = eff.assign(
        tax_per_mu=eff["tax_per_mu"] * factor, investment_intensity=eff["investment_intensity"] * factor
    )
    legend = {g: t("parks.grade_legend", grade=g) for g in park_grading.GRADES} | {"": t("parks.grade_none")}
    fig = charts.park_scatter(
        points, t("parks.scatter_title"),
        t("parks.axis", measure=labels["investment_intensity"], unit=parks.axis_unit("investment_intensity")),
        t("parks.axis", measure=labels["tax_per_mu"], unit=parks.axis_unit("tax_per_mu")), legend,
    )  # fmt: skip
    st.plotly_chart(fig, config={"displayModeBar": False}, theme=None, key="pg_scatter")
    st.caption(t("parks.scatter_help"))

st.subheader(t("parks.grading_heading"))
share = {m: fmt.pct(applied.share(m)) for m in park_grading.MEASURES}
bands = {g.lower(): f"{applied.band(g):g}" for g in park_grading.BANDED}
st.markdown(t("parks.grading_explain", **share, **bands))
graded = eff[eff["grade"].notna()]
c = applied.band("C")
needed = math.ceil(100 / (100 - c) - 1e-9) if c < 100 else None
if needed is not None and 0 < len(graded) < needed:
    st.caption(t("parks.few_parks", n=len(graded), needed=needed))
st.caption(t("parks.grading_config", path=where))
export.show(tables.table(graded, GRADE_COLS, t("parks.grades_title"), sel, options), "pg_grades")
with st.columns([2, 3])[0]:
    weights = parks.weights_frame(applied)
    weights["measure"] = [labels[m] for m in weights["measure"]]
    export.show(tables.table(weights, WEIGHT_COLS, t("parks.weights_title"), None, options), "pg_weights")
