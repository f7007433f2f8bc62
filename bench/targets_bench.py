"""目标完成 (targets page) server time per rerun after a filter change (AppTest), ours vs a naive version.

Both run on the demo county (etl.demo, 6,000 returnees) loaded through the real load path, in the same
process, alternating two townships (the page narrows to the chosen one), then two as-of months (every unit,
the chart and the heat table), over RERUNS reruns after one warm-up pass, and report the p50/p90 wall time
of ``AppTest.run()``. Ours: dashboard.py on pages/targets.py (per-unit sums from the unit-keyed facts
through board.metrics.facts, cached by year, month, metric, period and industries and the warehouse
version; graph_objects; Styler). Naive: the same per-unit table, ranks, bullet chart and month-by-month
heat table computed from pandas frames of v_unit_facts, v_targets and v_units held in ``st.cache_data``
(filter + groupby + pivot on every rerun) and drawn with Plotly Express. Budget: 200 ms p50 for ours.
"""

from __future__ import annotations

import os
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench import harness as h
from bench.overview_bench import demo_warehouse

RERUNS = int(os.environ.get("BENCH_TARGETS_RERUNS", 20))
BUDGET_MS = 200.0

NAIVE_PAGE = """
import os
from pathlib import Path

import pandas as pd
import plotly.express as px
import streamlit as st

from etl.store import Reader


@st.cache_data
def frames():
    cur = Reader(Path(os.environ["DASHBOARD_DB"])).cursor()
    return [cur.execute("SELECT * FROM " + v).df() for v in ("v_unit_facts", "v_targets", "v_units")]


facts, targets, units = frames()
towns = sorted(units.loc[units["type"] == "镇街", "name"])
chosen = st.sidebar.multiselect("town", towns, key="f_town")
month = st.sidebar.selectbox("month", list(range(1, 12)), index=10, key="f_month")
year, metric = 2026, "contract_investment"
f = facts[(facts["metric"] == metric) & (facts["month"] <= month)]
cur = f[f["year"] == year].groupby("unit")["value"].sum()
prior = f[f["year"] == year - 1].groupby("unit")["value"].sum()
tg = targets[(targets["year"] == year) & (targets["metric"] == metric)].merge(
    units[["name", "type"]], left_on="unit", right_on="name", how="left")
tg["key"] = tg["unit"].where(~tg["unit"].isin(["全县", "全区", "全市"]), "*")
tg["actual"] = tg["key"].map(cur).fillna(0.0)
tg["prior"] = tg["key"].map(prior).fillna(0.0)
tg["rate"] = tg["actual"] / tg["target"].where(tg["target"] > 0)
tg["pace"] = month / 12
tg["gap"] = (tg["rate"] - tg["pace"]) * 100
tg["yoy"] = (tg["actual"] - tg["prior"]) / tg["prior"].where(tg["prior"] > 0)
tg["rank_all"] = tg["rate"].where(tg["key"] != "*").rank(ascending=False, method="min")
tg["rank_type"] = tg.groupby("type")["rate"].rank(ascending=False, method="min")
shown = tg[tg["unit"].isin(chosen)] if chosen else tg
st.title("targets")
rated = shown.dropna(subset=["rate"]).sort_values("rate")
st.plotly_chart(px.bar(rated, x="rate", y="unit", orientation="h", color=rated["rate"] >= rated["pace"]))
st.dataframe(shown[["unit", "type", "target", "actual", "rate", "gap", "rank_type", "rank_all", "prior", "yoy"]])
monthly = f[f["year"] == year].groupby(["unit", "month"])["value"].sum().unstack(fill_value=0.0).cumsum(axis=1)
heat = monthly.reindex(rated.set_index("key").index).fillna(0.0).div(rated.set_index("key")["target"], axis=0)
paces = {m: m / 12 for m in heat.columns}
st.dataframe(heat.style.apply(lambda col: ["background-color: #dcefdc" if v >= paces[col.name] else
                                             "background-color: #fbe0cc" for v in col]).format("{:.1%}"))
"""


def _page_app(entry: Path) -> AppTest:
    return h.open_page(entry, "pages/targets.py", deep_link=True)


def _measure(at: AppTest, widget: str, key: str, values: list) -> list[float]:
    """Wall times of RERUNS reruns, each after setting the ``widget`` of ``key`` to the next of ``values``."""
    h.ok(at)
    return h.time_reruns(at, h.cycle(widget, key, values), RERUNS, warm=len(values))


def _cold(entry: Path) -> float:
    """One rerun after choosing an as-of month not seen before in this process (every cache misses), in ms."""
    at = _page_app(entry)
    at.selectbox(key="f_month").set_value(7)
    return h.time_run(at)


def main() -> None:
    with demo_warehouse() as (root, db):
        ours = h.entry(root)
        naive = h.naive_page(root, "naive.py", NAIVE_PAGE)
        towns = h.townships(db)
        cold = _cold(ours)
        changes = {
            "a township change (the page narrows to it)": ("multiselect", "f_town", [[town] for town in towns[:2]]),
            "an as-of month change (every unit, chart and heat table)": ("selectbox", "f_month", [10, 11]),
        }
        figures = {}
        for what, change in changes.items():
            figures[what] = (_measure(_page_app(ours), *change), _measure(h.open_page(naive), *change))
    for what, (ours_times, naive_times) in figures.items():
        print(f"targets page rerun after {what}, p50 over {RERUNS} reruns (AppTest wall time):")
        print("\n".join(h.block(ours_times, naive_times, BUDGET_MS, high=90)))
    print(f"ours, first visit of an as-of month (every cache misses): {cold:.1f} ms")


if __name__ == "__main__":
    main()
