"""Skills training (技能培训): trainees against the target, certification and employment after training, the subsidy,
cohorts by class end month, and trained returnees' placement against untrained ones (board.metrics.training).
Counts only; small cells suppressed (board.metrics.people, board.tables kind people)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from board import charts, db, export, fmt, meta, nav, tables
from board.i18n import t
from board.metrics import people, progress, training
from board.sidebar import current, url_choice
from board.tables import Col

CHART = {"config": {"displayModeBar": False}, "theme": None}
CARD_WIDTH = 212  # px: four cards a row at 1366 px, as on the overview
P = "people"


def persons(n: object) -> str:
    return t("fmt.people", v=people.count_text(n))


def rate_note(num: object, den: object) -> str | None:
    why = people.rate_note(num, den)
    return t(f"people.card_rate_{why}") if why else None


def card(label: str, value: str, help_text: str | None = None, note: str | None = None) -> None:
    with st.container(border=True, width=CARD_WIDTH):
        st.metric(label, value, help=help_text)
        if note:
            st.caption(note)


def key_name(by: str, key: object) -> str:
    """A breakdown's value as shown: course types by their name in the display language; blank → 未填写."""
    if key == training.UNKNOWN:
        return t("people.unknown")
    return t(f"training.type.{key}") if by == "course_type" else str(key)


def month_name(key: object) -> str:
    return t("training.running") if key == training.RUNNING else str(key)


nav.require_frame()
st.title(t("page.training"))
if not db.has_data():
    st.info(t("batches.none"), icon=":material/info:")
    st.stop()
sel = current()
options = meta.options()
view = replace(sel, industries=(), parks=())  # training data has no industry or park: those filters do not apply
first, last = training.bounds(view)
period, scope = fmt.period(sel.year, sel.month), fmt.plain(tables.scope_text(view))
st.caption(t("training.subtitle", period=period, first=fmt.date(first), last=fmt.date(last), scope=scope))
if sel.industries or sel.parks:
    st.caption(t("people.filters_note"))
st.caption(t("people.privacy_note"))

# Cards: trainees against the target and 序时 (the catalogue metric), then the outcomes.
total = training.totals(view)
goal = progress.progress(view, ("trainees",)).iloc[0]
small = people.is_small(goal["prior"]) or people.is_small(goal["actual"])  # a change would give them away
with st.container(horizontal=True, gap="small"):
    with st.container(border=True, width=CARD_WIDTH):
        st.metric(
            t("training.card.trainees"),
            persons(goal["actual"]),
            delta=None if fmt.missing(goal["yoy"]) or small else fmt.pct(goal["yoy"], True),
            delta_description=t("card.yoy"),
        )
        st.caption(t("card.period", period=fmt.period_short(sel.month)))
        if fmt.missing(goal["rate"]):
            st.caption(t(f"note.{goal['note'] or 'no_target'}"))
        else:
            st.progress(min(float(goal["rate"]), 1.0))
            target = fmt.value(goal["target"], "people")
            st.caption(t("card.target", target=target, rate=fmt.pct(goal["rate"])))
            verdict = "verdict.ahead" if goal["ahead"] else "verdict.behind"
            st.markdown(t(verdict, pace=fmt.pct(goal["pace"])))
    ended = t("training.card.ended", v=people.count_text(total["ended"]))
    card(
        t("training.card.cert_rate"),
        fmt.pct(total["cert_rate"]),
        t("training.card.cert_help"),
        rate_note(total["certified"], total["ended"]) or ended,
    )
    card(
        t("training.card.employment_rate"),
        fmt.pct(total["employment_rate"]),
        t("training.card.employment_help"),
        rate_note(total["employed"], total["ended"]) or ended,
    )
    per = total["subsidy_per_employed"]
    per_text = fmt.DASH if fmt.missing(per) else t("training.yuan", v=f"{per:,.0f}")
    per_note = None if not fmt.missing(per) else rate_note(total["employed"], total["employed"])
    card(
        t("training.card.subsidy"),
        fmt.money(total["subsidy_wan"]),
        t("training.card.subsidy_help") + " " + t("training.card.per_employed_help"),
        t("training.card.per_employed", v=per_text) + (f" · {per_note}" if per_note else ""),
    )
if not total["trainees"]:
    st.info(t("training.none"), icon=":material/info:")

# 1. Trainees by course, type, provider or township, with their certification and employment rates.
st.subheader(t("training.breakdown_heading"))
by_labels = {b: t(f"training.by.{b}") for b in training.BREAKDOWNS}
with st.columns([2, 3])[0]:
    by = url_choice("breakdown", training.BREAKDOWNS, t("training.breakdown"), by_labels.get)
groups = training.breakdown(view, by)
names = [key_name(by, k) for k in groups["key"]]
texts = [
    t("training.bar_text", n=people.count_text(n), cert=fmt.pct(c), emp=fmt.pct(e))
    for n, c, e in zip(groups["trainees"], groups["cert_rate"], groups["employment_rate"], strict=True)
]
values = [people.chart_value(n) or 0.0 for n in groups["trainees"]]
fig = charts.labelled_bars(names, values, texts, t("training.breakdown_title", by=by_labels[by]))
st.plotly_chart(fig, key="tr_by_" + by, **CHART)

# 2. Cohorts by class end month.
st.subheader(t("training.cohort_heading"))
months = training.cohorts(view)
month_labels = [month_name(m) for m in months["end_month"]]
fig = charts.cohort_chart(
    month_labels,
    [people.chart_value(n) or 0.0 for n in months["trainees"]],
    [
        (t("training.col.cert_rate"), list(months["cert_rate"])),
        (t("training.col.employment_rate"), list(months["employment_rate"])),
    ],
    t("training.cohort_title"),
    t("training.col.trainees"),
    [people.count_text(n) for n in months["trainees"]],
)
st.plotly_chart(fig, key="tr_cohorts", **CHART)
st.caption(t("training.cohort_note"))

# 3. Trained returnees against untrained ones (joined by person key in the warehouse).
st.subheader(t("training.trained_heading"))
compared = training.trained_vs_untrained(view)
whole = compared.iloc[0]
st.markdown(
    t(
        "training.trained_summary",
        trained=fmt.pct(whole["trained_rate"]),
        tn=persons(whole["trained"]),
        untrained=fmt.pct(whole["untrained_rate"]),
        un=persons(whole["untrained"]),
    )
)
towns = compared.iloc[1:]
series = [
    (
        t(f"training.{who}"),
        [None if fmt.missing(r) else float(r) for r in towns[f"{who}_rate"]],
        [fmt.pct(r) for r in towns[f"{who}_rate"]],
    )
    for who in ("trained", "untrained")
]
fig = charts.grouped_bars(list(towns["township"]), series, t("training.trained_title"), horizontal=True, percent=True)
st.plotly_chart(fig, key="tr_trained", **CHART)
st.caption(t("training.trained_note", last=fmt.date(last)))

# Tables (every one exports XLSX and CSV with the small cells suppressed).
st.subheader(t("people.tables"))
outcome_cols = [
    Col("trainees", "training.col.trainees", P),
    Col("ended", "training.col.ended", P),
    Col("certified", "training.col.certified", P),
    Col("employed", "training.col.employed", P),
    Col("cert_rate", "training.col.cert_rate", "rate"),
    Col("employment_rate", "training.col.employment_rate", "rate"),
    Col("subsidy_wan", "training.col.subsidy_wan", "money"),
    Col("subsidy_per_employed", "training.col.subsidy_per_employed", "count"),
]
with st.expander(t("training.table.breakdown", by=by_labels[by])):
    groups["shown"] = names
    head = Col("shown", "training.by." + by)
    title = t("training.table.breakdown", by=by_labels[by])
    export.show(tables.table(groups, [head, *outcome_cols], title, view, options), "tr_by_t")
with st.expander(t("training.table.cohorts")):
    months["shown"] = month_labels
    cols = [Col("shown", "training.col.end_month"), *outcome_cols]
    export.show(tables.table(months, cols, t("training.table.cohorts"), view, options), "tr_cohorts_t")
with st.expander(t("training.table.trained")):
    compared["shown"] = [t("people.all_townships") if x == training.WHOLE else x for x in compared["township"]]
    cols = [
        Col("shown", "col.township"),
        Col("trained", "training.col.trained", P),
        Col("trained_placed", "training.col.trained_placed", P),
        Col("trained_rate", "training.col.trained_rate", "rate"),
        Col("untrained", "training.col.untrained", P),
        Col("untrained_placed", "training.col.untrained_placed", P),
        Col("untrained_rate", "training.col.untrained_rate", "rate"),
        Col("gap_points", "training.col.gap", "points"),
    ]
    compared["gap_points"] = compared["gap"] * 100
    export.show(tables.table(compared, cols, t("training.table.trained"), view, options), "tr_trained_t")
