"""Employment pages 创业, 劳务就业 and 投资带动就业: server time per rerun after a filter change, against naive pandas
pages in the same run.

The naive pages are the usual Streamlit pattern: whole views as pandas frames in ``st.cache_data`` (the ventures
page also pulls the returnee registry's person keys to match founders), filtered, grouped and drawn with Plotly
Express on every rerun. Measured with AppTest wall time on the demo county (etl.demo, 2,000 returnees; set
BENCH_RETURNEES for a larger registry); the sidebar's township filter alternates between three townships. Budget: 200 ms p50 per rerun (figures only; nothing
is asserted).
"""

from __future__ import annotations

import os
from pathlib import Path

from bench import harness as h

RERUNS = int(os.environ.get("BENCH_PAGE_RERUNS", 15))
BUDGET_MS = 200.0
RETURNEES = int(os.environ.get("BENCH_RETURNEES", 2000))  # the registry's size (the demo county's: 2,000)
TOWNS = ["青石镇", "柳河镇", "城关街道"]

_NAIVE_COMMON = """
import os
from pathlib import Path
import pandas as pd
import plotly.express as px
import streamlit as st
from etl.store import Reader

@st.cache_data
def frames(views):
    cur = Reader(Path(os.environ["DASHBOARD_DB"])).cursor()
    return [cur.execute("SELECT * FROM " + v).df() for v in views]

towns = sorted(set(frames(("v_labor",))[0]["township"]))
chosen = st.sidebar.multiselect("town", towns, key="f_town")
year, month = 2026, 11
"""

NAIVE_VENTURES = (
    _NAIVE_COMMON
    + """
ventures, returnees = frames(("v_ventures", "v_returnees"))
v = ventures.copy()
v["start_date"] = pd.to_datetime(v["start_date"])
v = v[(v["start_date"].dt.year.isin([year, year - 1])) & (v["start_date"].dt.month <= month)]
if chosen:
    v = v[v["township"].isin(chosen)]
v["is_returnee"] = v["person_key"].isin(set(returnees["person_key"]))
now, before = v[v["start_date"].dt.year == year], v[v["start_date"].dt.year == year - 1]
cols = st.columns(4)
for i, (name, value) in enumerate([("ventures", len(now)), ("jobs", now["jobs"].sum()),
                                   ("per venture", now["jobs"].sum() / max(now["jobs"].notna().sum(), 1)),
                                   ("loan", now["loan"].sum()), ("returnee", now["is_returnee"].sum())]):
    with cols[i % 4]:
        st.metric(name, value, delta=None if i else len(now) - len(before))
for by in ("township", "venture_type", "industry"):
    g = now.groupby(by).agg(ventures=("venture_id", "count"), jobs=("jobs", "sum"), loan=("loan", "sum")).reset_index()
    g["jobs_per_venture"] = g["jobs"] / g["ventures"]
    st.plotly_chart(px.bar(g.sort_values("ventures"), x="ventures", y=by, orientation="h", text="jobs"))
    st.dataframe(g)
"""
)

NAIVE_LABOUR = (
    _NAIVE_COMMON
    + """
labor, targets = frames(("v_labor", "v_targets"))
lb = labor[(labor["year"].isin([year, year - 1])) & (labor["month"] <= month)]
if chosen:
    lb = lb[lb["township"].isin(chosen)]
measures = ["local_transfer", "export_total", "export_organized", "new_urban_jobs", "new_positions"]
now = lb[lb["year"] == year]
tg = targets[(targets["year"] == year) & targets["unit"].isin(chosen or ["全县"])].groupby("metric")["target"].sum()
cols = st.columns(4)
for i, m in enumerate(measures):
    with cols[i % 4]:
        st.metric(m, now[m].sum(), delta=now[m].sum() - lb[lb["year"] == year - 1][m].sum())
        code = {"new_urban_jobs": "new_jobs", "export_total": "labor_export"}.get(m)
        if code in tg:
            st.progress(min(now[m].sum() / tg[code], 1.0))
monthly = now.groupby("month")[measures].sum().reset_index()
monthly["cumulative"] = monthly["export_total"].cumsum()
st.plotly_chart(px.bar(monthly, x="month", y="export_total"))
by_town = now.groupby("township")[measures].sum().reset_index()
by_town["share"] = by_town["export_organized"] / by_town["export_total"]
st.plotly_chart(px.bar(by_town.sort_values("export_total"), x="export_total", y="township", orientation="h"))
st.dataframe(by_town)
st.dataframe(monthly)
"""
)

NAIVE_INVESTMENT_JOBS = (
    _NAIVE_COMMON
    + """
(projects,) = frames(("v_projects",))
p = projects.copy()
p["produced"] = pd.to_datetime(p["production_date"].fillna(p["completed_date"]))
p = p[(p["produced"].dt.year == year) & (p["produced"].dt.month <= month) & p["planned_jobs"].notna()]
if chosen:
    p = p[p["township"].isin(chosen) | p["responsible_unit"].isin(chosen)]
cols = st.columns(4)
for i, (name, part) in enumerate([("all", p), ("key", p[p["key_project"].fillna(False)])]):
    with cols[i]:
        st.metric(name, part["planned_jobs"].sum() / (part["total_investment"].sum() / 10000 or float("nan")))
for by in ("industry", "township"):
    g = p.groupby(by).agg(jobs=("planned_jobs", "sum"), investment=("total_investment", "sum")).reset_index()
    g["jobs_per_yi"] = g["jobs"] / (g["investment"] / 10000)
    st.plotly_chart(px.bar(g.sort_values("jobs_per_yi"), x="jobs_per_yi", y=by, orientation="h"))
    st.dataframe(g)
st.dataframe(p[p["key_project"].fillna(False)].sort_values("planned_jobs", ascending=False))
st.dataframe(p.sort_values("planned_jobs", ascending=False))
"""
)


def main() -> None:
    change = h.cycle("multiselect", "f_town", [[town] for town in TOWNS])
    rows = []
    with h.demo_warehouse(returnees=RETURNEES) as (root, _):
        entry = h.entry(root)
        for name, path, naive_source in (
            ("创业 ventures, township change", "pages/ventures.py", NAIVE_VENTURES),
            ("劳务就业 labour, township change", "pages/labour.py", NAIVE_LABOUR),
            ("投资带动就业 jobs, township change", "pages/investment_jobs.py", NAIVE_INVESTMENT_JOBS),
        ):
            ours = h.time_reruns(h.open_page(entry, path), change, RERUNS)
            naive_page = h.naive_page(root, "naive_" + Path(path).name, naive_source)
            naive = h.time_reruns(h.open_page(naive_page), change, RERUNS)
            rows.append((name, ours, naive))

    print(
        f"page reruns, p50/p95 over {RERUNS} reruns (AppTest wall time, demo county, {RETURNEES:,} returnees),"
        f" budget {BUDGET_MS:.0f} ms:"
    )
    for name, ours, naive in rows:
        print(h.row(name, ours, naive, BUDGET_MS, high=95))


if __name__ == "__main__":
    main()
