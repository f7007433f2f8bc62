"""Employment pages (就业创业): server time per rerun after a filter change, against naive pandas pages in the same run.

The naive pages are the usual Streamlit pattern: the person-level views (v_returnees, v_training) as pandas frames in
``st.cache_data`` (unpickled on every rerun), filtered, grouped and drawn with Plotly Express on every rerun. Ours
group in DuckDB and send small frames. Measured with AppTest wall time on the demo county (etl.demo defaults: 6,000
returnees); the sidebar's township filter cycles through three townships and the whole area.
Budget: 200 ms p50 per rerun (figures only; nothing is asserted).

To add a page: append a ``Bench`` to ``PAGES`` (its path, a naive page's source using the frames of
``_NAIVE_COMMON`` or its own, and the filter change between reruns).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bench import harness as h

RERUNS = int(os.environ.get("BENCH_PAGE_RERUNS", 15))
RETURNEES = int(os.environ.get("BENCH_RETURNEES", 6000))
BUDGET_MS = 200.0
TOWNS: list[list[str]] = [["青石镇"], ["柳河镇"], [], ["城关街道"]]

_NAIVE_COMMON = """
import os
from pathlib import Path
import pandas as pd
import plotly.express as px
import streamlit as st
from etl.store import Reader

@st.cache_data
def frames():
    cur = Reader(Path(os.environ["DASHBOARD_DB"])).cursor()
    return {v: cur.execute("SELECT * FROM " + v).df() for v in ("v_returnees", "v_training", "v_metric_facts")}

data = frames()
rt, tr = data["v_returnees"], data["v_training"]
towns = sorted(set(rt["township"]))
chosen = st.sidebar.multiselect("town", towns, key="f_town")
year, month = 2026, 11
hi = pd.Timestamp(year, month, 1) + pd.offsets.MonthEnd(0)
PLACED = ["县内就业", "县外就业", "自主创业"]
"""

NAIVE_RETURNEES = (
    _NAIVE_COMMON
    + """
r = rt[rt["township"].isin(chosen)] if chosen else rt
r = r[(pd.to_datetime(r["return_date"]) <= hi)]
period = r[pd.to_datetime(r["return_date"]).dt.year == year].copy()
cols = st.columns(4)
cols[0].metric("returnees", len(period))
cols[1].metric("placed", int(period["status"].isin(PLACED).sum()))
cols[2].metric("rate", f"{period['status'].isin(PLACED).mean():.1%}" if len(period) else "-")
cols[3].metric("waiting", int((period["status"] == "待业").sum()))
months = r.assign(m=pd.to_datetime(r["return_date"]).dt.strftime("%Y-%m")).groupby("m").size().reset_index(name="n")
st.plotly_chart(px.bar(months, x="m", y="n"))
by_town = period.groupby("township").agg(n=("status", "size"), placed=("status", lambda s: s.isin(PLACED).sum()))
by_town["rate"] = by_town["placed"] / by_town["n"]
st.plotly_chart(px.bar(by_town.reset_index(), x="n", y="township", orientation="h", text="rate"))
st.plotly_chart(px.bar(period.groupby("status").size().reset_index(name="n"), x="n", y="status", orientation="h"))
st.plotly_chart(px.bar(period.groupby("intent").size().reset_index(name="n"), x="n", y="intent", orientation="h"))
period["age"] = year - period["birth_year"]
period["band"] = pd.cut(period["age"], [0, 24, 34, 44, 54, 200]).astype(str)
ages = period.groupby(["band", "id_gender"]).size().reset_index(name="n")
st.plotly_chart(px.bar(ages, x="band", y="n", color="id_gender", barmode="group"))
waiting = period[period["status"] == "待业"].groupby(["skill", "intent"]).size().reset_index(name="n")
st.plotly_chart(px.bar(waiting, x="n", y="skill", color="intent", orientation="h"))
st.dataframe(by_town)
st.dataframe(ages)
st.dataframe(waiting)
"""
)

NAIVE_TRAINING = (
    _NAIVE_COMMON
    + """
t = tr[tr["township"].isin(chosen)] if chosen else tr
start, end = pd.to_datetime(t["start_date"]), pd.to_datetime(t["end_date"])
t = t[(start.dt.year == year) & (start <= hi)].copy()
t["ended"] = pd.to_datetime(t["end_date"]) <= hi
done = t[t["ended"]]
cols = st.columns(5)
cols[0].metric("trainees", len(t))
cols[1].metric("cert", f"{done['certified'].mean():.1%}" if len(done) else "-")
cols[2].metric("employed", f"{done['employed_after'].mean():.1%}" if len(done) else "-")
cols[3].metric("subsidy", f"{done['subsidy'].sum() / 1e4:.2f}")
cols[4].metric("per employed", f"{done['subsidy'].sum() / max(done['employed_after'].sum(), 1):.0f}")
course = done.groupby("course").agg(n=("class_id", "size"), cert=("certified", "mean"), job=("employed_after", "mean"))
st.plotly_chart(px.bar(course.reset_index(), x="n", y="course", orientation="h"))
done["end_month"] = pd.to_datetime(done["end_date"]).dt.strftime("%Y-%m")
cohorts = done.groupby("end_month").agg(n=("class_id", "size"), cert=("certified", "mean"), job=("employed_after", "mean"))
st.plotly_chart(px.line(cohorts.reset_index(), x="end_month", y=["cert", "job"]))
r = rt[rt["township"].isin(chosen)] if chosen else rt
r = r[pd.to_datetime(r["return_date"]) <= hi]
keys = set(tr.loc[pd.to_datetime(tr["start_date"]) <= hi, "person_key"])
r = r.assign(trained=r["person_key"].isin(keys), placed=r["status"].isin(PLACED))
cmp = r.groupby(["township", "trained"])["placed"].mean().reset_index()
st.plotly_chart(px.bar(cmp, x="placed", y="township", color="trained", barmode="group", orientation="h"))
st.dataframe(course)
st.dataframe(cohorts)
st.dataframe(cmp)
"""
)


@dataclass(frozen=True)
class Bench:
    """One page to time: its name, file, naive page source and the change made before each rerun."""

    name: str
    path: str
    naive: str
    change: h.Change


township_change = h.cycle("multiselect", "f_town", TOWNS)

PAGES: list[Bench] = [
    Bench("返乡人员, township change", "pages/returnees.py", NAIVE_RETURNEES, township_change),
    Bench("技能培训, township change", "pages/training.py", NAIVE_TRAINING, township_change),
]


def main() -> None:
    rows = []
    with h.demo_warehouse(returnees=RETURNEES) as (root, _):
        entry = h.entry(root)
        for bench in PAGES:
            ours = h.time_reruns(h.open_page(entry, bench.path), bench.change, RERUNS)
            naive_page = h.naive_page(root, "naive_" + Path(bench.path).name, bench.naive)
            naive = h.time_reruns(h.open_page(naive_page), bench.change, RERUNS)
            rows.append((bench.name, ours, naive))

    print(
        f"page reruns, p50/p95 over {RERUNS} reruns (AppTest wall time, demo county with {RETURNEES:,} returnees), "
        f"budget {BUDGET_MS:.0f} ms:"
    )
    for name, ours, naive in rows:
        print(h.row(name, ours, naive, BUDGET_MS, high=95, width=28))


if __name__ == "__main__":
    main()
