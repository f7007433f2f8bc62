"""Returning migrant workers (返乡人员): how many came back, when, who they are, how many found work, who still waits
(board.metrics.returnees). Counts only; small cells suppressed (board.metrics.people, board.tables kind people)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from board import charts, db, export, fmt, meta, nav, tables
from board.i18n import t
from board.metrics import people, returnees
from board.sidebar import current, request_filters, url_choice
from board.tables import Col

CHART = {"config": {"displayModeBar": False}, "theme": None}
CARD_WIDTH = 212  # px: four cards a row at 1366 px, as on the overview


def persons(n: object) -> str:
    """A count of persons for a card or a bar ("<5 人" for 1–4)."""
    return t("fmt.people", v=people.count_text(n))


def bar(n: object) -> float:
    """A bar's length: a suppressed count (1–4) draws none, its text "<5" still shows."""
    return people.chart_value(n) or 0.0


def card(label: str, value: str, help_text: str, note: str | None = None, delta: str | None = None) -> None:
    with st.container(border=True, width=CARD_WIDTH):
        st.metric(label, value, delta=delta, delta_description=t("card.yoy") if delta else None, help=help_text)
        if note:
            st.caption(note)


def rate_card_note(num: object, den: object) -> str | None:
    why = people.rate_note(num, den)
    return t(f"people.card_rate_{why}") if why else None


nav.require_frame()
st.title(t("page.returnees"))
if not db.has_data():
    st.info(t("batches.none"), icon=":material/info:")
    st.stop()
sel = current()
options = meta.options()
view = replace(sel, industries=(), parks=())  # people data has no industry or park: those filters do not apply
cohort_labels = {c: t(f"returnees.cohort.{c}") for c in returnees.COHORTS}
with st.columns([2, 3])[0]:
    cohort = url_choice("cohort", returnees.COHORTS, t("returnees.cohort"), cohort_labels.get)
first, last = returnees.cohort_bounds(view, cohort)
period, scope = fmt.period(sel.year, sel.month), fmt.plain(tables.scope_text(view))
st.caption(t(f"returnees.subtitle.{cohort}", period=period, first=fmt.date(first), last=fmt.date(last), scope=scope))
if sel.industries or sel.parks:
    st.caption(t("people.filters_note"))
st.caption(t("people.privacy_note"))

# Cards.
total = returnees.summary(view, cohort)
small = people.is_small(total["prior"]) or people.is_small(total["returnees"])  # a change would give them away
yoy = None if fmt.missing(total["yoy"]) or small else fmt.pct(total["yoy"], signed=True)
prior = None if fmt.missing(total["prior"]) else t("returnees.card.prior", v=people.count_text(total["prior"]))
with st.container(horizontal=True, gap="small"):
    card(t("returnees.card.returnees"), persons(total["returnees"]), cohort_labels[cohort], prior, yoy)
    card(t("returnees.card.placed"), persons(total["placed"]), t("returnees.card.placed_help"))
    rate_note = rate_card_note(total["placed"], total["returnees"])
    card(t("returnees.card.placement_rate"), fmt.pct(total["placement_rate"]), t("returnees.card.rate_help"), rate_note)
    card(t("returnees.card.waiting"), persons(total["waiting"]), t("returnees.card.waiting_help"))

# 1. Returns by month (every month up to the as-of month; the view's year in blue).
st.subheader(t("returnees.trend_heading"))
months = returnees.monthly(view)
labels = [f"{y}-{m:02d}" for y, m in zip(months["year"], months["month"], strict=True)]
names = (t("returnees.trend_year", y=sel.year), t("returnees.trend_before"))
fig = charts.month_bars(
    labels,
    [people.chart_value(v) for v in months["returnees"]],
    list(months["in_period"]),
    t("returnees.trend_title", last=fmt.date(last)),
    names,
)
st.plotly_chart(fig, key="rt_months", **CHART)
st.caption(t("returnees.trend_note"))

# 2. By township: returnees and placement rate; a click on a township filters the dashboard to it.
st.subheader(t("returnees.town_heading"))
towns = returnees.by_township(view, cohort)
texts = [
    t("returnees.town_text", n=persons(n), rate=fmt.pct(r))
    for n, r in zip(towns["returnees"], towns["placement_rate"], strict=True)
]
values = [bar(n) for n in towns["returnees"]]
keys = [str(x) if x in options.townships else None for x in towns["township"]]
st.caption(t("returnees.town_click"))
chart_key = "rt_towns_" + "|".join(sel.townships) + cohort  # a selection does not survive a drill-through
event = st.plotly_chart(
    charts.labelled_bars(list(towns["township"]), values, texts, "", keys),
    key=chart_key,
    on_select="rerun",
    selection_mode="points",
    **CHART,
)
for town in charts.clicked_units(event)[:1]:
    if (town,) != sel.townships:
        request_filters(townships=(town,))

# 3. Status and intent.
st.subheader(t("returnees.status_heading"))
status = returnees.by_status(view, cohort)
intent = returnees.by_intent(view, cohort)
status_names = [t(f"returnees.status.{c}") for c in status["status"]]
intent_names = [t(f"returnees.intent.{c}") for c in intent["intent"]]
left, right = st.columns(2)
with left:
    placed = [bar(n) if p else None for n, p in zip(status["returnees"], status["placed"], strict=True)]
    other = [None if p else bar(n) for n, p in zip(status["returnees"], status["placed"], strict=True)]
    texts = [
        f"{people.count_text(n)} ({fmt.pct(s)})" for n, s in zip(status["returnees"], status["share"], strict=True)
    ]
    fig = charts.grouped_bars(
        status_names,
        [
            (
                t("returnees.card.placed"),
                placed,
                [x if p else "" for x, p in zip(texts, status["placed"], strict=True)],
            ),
            (t("returnees.no"), other, ["" if p else x for x, p in zip(texts, status["placed"], strict=True)]),
        ],
        t("returnees.status_title"),
        horizontal=True,
        overlay=True,
    )
    st.plotly_chart(fig, key="rt_status", **CHART)
with right:
    texts = [
        f"{people.count_text(n)} ({fmt.pct(s)})" for n, s in zip(intent["returnees"], intent["share"], strict=True)
    ]
    values = [bar(n) for n in intent["returnees"]]
    fig = charts.grouped_bars(
        intent_names, [(t("returnees.col.intent"), values, texts)], t("returnees.intent_title"), horizontal=True
    )
    st.plotly_chart(fig, key="rt_intent", **CHART)

# 4. Age and gender; people waiting for work by skill and intent.
st.subheader(t("returnees.age_heading"))
ages = returnees.by_age_gender(view, cohort)
age_names = [t(f"returnees.age.{c}") for c in ages["age_band"]]
series = [
    (t(f"returnees.gender.{g}"), [bar(n) for n in ages[g]], [people.count_text(n) for n in ages[g]])
    for g in ("male", "female", returnees.UNKNOWN)
    if ages[g].sum() > 0
]
st.plotly_chart(charts.grouped_bars(age_names, series, t("returnees.age_title")), key="rt_ages", **CHART)
st.caption(t("returnees.age_note"))

st.subheader(t("returnees.waiting_heading"))
waiting = returnees.waiting_by_skill(view, cohort)
if waiting.empty:
    st.info(t("returnees.waiting_none"), icon=":material/info:")
else:
    skill_names = [t("people.unknown") if s == returnees.UNKNOWN else s for s in waiting["skill"]]
    codes = [*returnees.INTENT_CODES.values(), returnees.UNKNOWN]
    intents = {c: t(f"returnees.intent.{c}") for c in codes}
    texts = [
        " · ".join(
            [persons(row["waiting"])]
            + [t("returnees.waiting_part", intent=intents[c], n=people.count_text(row[c])) for c in codes if row[c]]
        )
        for _, row in waiting.iterrows()
    ]
    values = [bar(n) for n in waiting["waiting"]]
    fig = charts.labelled_bars(skill_names, values, texts, t("returnees.waiting_title"))
    st.plotly_chart(fig, key="rt_waiting", **CHART)
st.caption(t("returnees.waiting_note"))

# Tables (every one exports XLSX and CSV with the small cells suppressed).
st.subheader(t("people.tables"))
P = "people"
status_codes = [*returnees.STATUS_CODES.values()] + ([returnees.UNKNOWN] if towns[returnees.UNKNOWN].sum() else [])
status_cols = [Col(c, f"returnees.status.{c}", P) for c in status_codes]
with st.expander(t("returnees.table.township")):
    cols = [
        Col("township", "col.township"),
        Col("returnees", "returnees.col.returnees", P),
        Col("placed", "returnees.col.placed", P),
        Col("placement_rate", "returnees.col.placement_rate", "rate"),
        *status_cols,
    ]
    export.show(tables.table(towns, cols, t("returnees.table.township"), view, options), "rt_towns_t")
with st.expander(t("returnees.table.status")):
    cols = [
        Col("status", "returnees.col.status", show=lambda c: t(f"returnees.status.{c}")),
        Col("returnees", "returnees.col.returnees", P),
        Col("share", "returnees.col.share", "rate"),
        Col("placed", "returnees.col.counts_in_rate", show=lambda b: t("returnees.yes" if b else "returnees.no")),
    ]
    export.show(tables.table(status, cols, t("returnees.table.status"), view, options), "rt_status_t")
with st.expander(t("returnees.table.intent")):
    cols = [
        Col("intent", "returnees.col.intent", show=lambda c: t(f"returnees.intent.{c}")),
        Col("returnees", "returnees.col.returnees", P),
        Col("share", "returnees.col.share", "rate"),
    ]
    export.show(tables.table(intent, cols, t("returnees.table.intent"), view, options), "rt_intent_t")
with st.expander(t("returnees.table.age")):
    cols = [
        Col("age_band", "returnees.col.age_band", show=lambda c: t(f"returnees.age.{c}")),
        Col("male", "returnees.col.male", P),
        Col("female", "returnees.col.female", P),
        Col(returnees.UNKNOWN, "returnees.col.gender_unknown", P),
        Col("returnees", "returnees.col.returnees", P),
    ]
    export.show(tables.table(ages, cols, t("returnees.table.age"), view, options), "rt_ages_t")
with st.expander(t("returnees.table.waiting")):
    cols = [
        Col("skill", "returnees.col.skill", show=lambda s: t("people.unknown") if s == returnees.UNKNOWN else str(s)),
        Col("waiting", "returnees.col.waiting", P),
        *[Col(c, f"returnees.intent.{c}", P) for c in [*returnees.INTENT_CODES.values(), returnees.UNKNOWN]],
    ]
    export.show(tables.table(waiting, cols, t("returnees.table.waiting"), view, options), "rt_waiting_t")
with st.expander(t("returnees.table.monthly")):
    months["label"] = labels
    cols = [Col("label", "returnees.col.month"), Col("returnees", "returnees.col.returnees", P)]
    export.show(tables.table(months, cols, t("returnees.table.monthly"), view, options), "rt_months_t")
