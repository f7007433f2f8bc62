"""Overview server time per rerun after a township change (AppTest), ours vs a naive version of the page.

Both run on the demo county (etl.demo, 6,000 returnees) loaded through the real load path, in the
same process, alternating two townships over RERUNS reruns after one warm-up pass, and report the
p50/p90 wall time of ``AppTest.run()``. Ours: dashboard.py (DuckDB aggregates cached by filter values
and warehouse version, graph_objects). Naive: the same cards, pace charts and ranking computed from
pandas frames of the views held in ``st.cache_data`` (filter + groupby) and drawn with Plotly Express.
Budget: 150 ms p50 for ours.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from bench import harness as h

RERUNS = int(os.environ.get("BENCH_OVERVIEW_RERUNS", 20))
BUDGET_MS = 150.0
AS_OF = date(2026, 11, 27)

NAIVE_PAGE = """
import os
from pathlib import Path

import pandas as pd
import plotly.express as px
import streamlit as st

from etl.store import Reader

CARDS = ["contract_investment", "funds_in_place", "out_of_province_funds", "foreign_actual", "projects_signed",
         "projects_signed_100m", "projects_in_production", "new_jobs", "returnee_ventures", "trainees"]


@st.cache_data
def frames():
    cur = Reader(Path(os.environ["DASHBOARD_DB"])).cursor()
    return [cur.execute("SELECT * FROM " + v).df() for v in ("v_metric_facts", "v_targets", "v_projects", "v_funding")]


facts, targets, projects, funding = frames()
towns = sorted(set(facts["township"].dropna()))
chosen = st.sidebar.multiselect("town", towns, key="f_town")
year, month = 2026, 11
cur = facts[(facts["year"] == year) & (facts["month"] <= month)]
prior = facts[(facts["year"] == year - 1) & (facts["month"] <= month)]
if chosen:
    cur = cur[cur["township"].isin(chosen) | cur["responsible_unit"].isin(chosen) | cur["park"].isin(chosen)]
    prior = prior[prior["township"].isin(chosen) | prior["responsible_unit"].isin(chosen) | prior["park"].isin(chosen)]
units = chosen or ["全县"]
tg = targets[(targets["year"] == year) & targets["unit"].isin(units)].groupby("metric")["target"].sum()
actual, before = cur.groupby("metric")["value"].sum(), prior.groupby("metric")["value"].sum()
for col, m in zip(st.columns(5) * 2, CARDS):
    with col:
        a, b, t = actual.get(m, 0.0), before.get(m, 0.0), tg.get(m)
        st.metric(m, f"{a:,.2f}", f"{(a - b) / b:+.1%}" if b else None)
        st.caption(f"target {t:,.2f} · {a / t:.1%}" if t else "no target")
for m in ("funds_in_place", "contract_investment"):
    monthly = cur[cur["metric"] == m].groupby("month", as_index=False)["value"].sum()
    monthly["cumulative"] = monthly["value"].cumsum()
    st.plotly_chart(px.line(monthly, x="month", y="cumulative", title=m))
rank = facts[(facts["year"] == year) & (facts["month"] <= month) & (facts["metric"] == "contract_investment")]
rank = rank.groupby("township", as_index=False)["value"].sum().merge(
    targets[(targets["year"] == year) & (targets["metric"] == "contract_investment")],
    left_on="township", right_on="unit")
rank["rate"] = rank["value"] / rank["target"]
st.plotly_chart(px.bar(rank.sort_values("rate"), x="rate", y="township", orientation="h"))
"""


def demo_warehouse():
    """The demo county these benchmarks share: 6,000 returnees as of AS_OF (see bench.harness.demo_warehouse)."""
    return h.demo_warehouse(returnees=6000, as_of=AS_OF, say_time=True)


def town_change(towns: list[str]) -> h.Change:
    return h.cycle("multiselect", "f_town", [[town] for town in towns])


def _measure(entry: Path, towns: list[str]) -> list[float]:
    """RERUNS reruns of the home page alternating ``towns``, after a warm-up pass over them."""
    at = h.open_page(entry)
    h.ok(at)
    return h.time_reruns(at, town_change(towns), RERUNS, warm=len(towns))


def _cold(entry: Path, towns: list[str]) -> float:
    """One rerun after choosing a township not seen before in this process (cache miss), in ms."""
    at = h.open_page(entry)
    at.multiselect(key="f_town").set_value([towns[-1]])
    return h.time_run(at)


def main() -> None:
    with demo_warehouse() as (root, db):
        ours = h.entry(root)
        naive = h.naive_page(root, "naive.py", NAIVE_PAGE)
        towns = h.townships(db)
        cold = _cold(ours, towns)
        ours_times = _measure(ours, towns[:2])
        naive_times = _measure(naive, towns[:2])
    print(f"overview rerun after a township change, p50 over {RERUNS} reruns (AppTest wall time):")
    print("\n".join(h.block(ours_times, naive_times, BUDGET_MS, high=90)))
    print(f"  ours, first visit of a township (cache miss): {cold:.1f} ms")


if __name__ == "__main__":
    main()
