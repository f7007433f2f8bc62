"""Parks pages: server time per rerun after a filter change, against naive pandas pages in the same run.

The naive pages are the usual Streamlit pattern: whole views as pandas frames in ``st.cache_data``, the cards,
stocks, trends, efficiency, percentile ranks and grades computed in pandas on every rerun, drawn with Plotly
Express. Measured with AppTest wall time on the demo county (etl.demo, 2,000 returnees). 园区运行: the sidebar's
park filter alternates between three parks; 园区评价: the year alternates between three years.
Budget: 200 ms p50 per rerun (figures only; nothing is asserted).
"""

from __future__ import annotations

import os
from pathlib import Path

from bench import harness as h

RERUNS = int(os.environ.get("BENCH_PAGE_RERUNS", 15))
BUDGET_MS = 200.0

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
    return [cur.execute("SELECT * FROM " + v).df() for v in ("v_parks", "v_projects", "v_metric_facts", "v_targets")]

pk, projects, facts, targets = frames()
STOCKS = ["land_used_mu", "developed_area_km2", "enterprises", "jobs"]
FLOWS = ["revenue", "industrial_output", "tax", "fixed_asset_investment", "infrastructure_investment"]

def period(year, month):
    rows = pk[(pk["year"] == year) & (pk["month"].fillna(12) <= month)].copy()
    rows["at"] = rows["month"].fillna(12) * 2 + rows["month"].isna()
    annual = set(pk.loc[pk["month"].isna() & (pk["year"] == year), "park"])
    out = []
    for park, g in rows.groupby("park"):
        g = g.sort_values("at")
        flows = g[g["month"].isna()] if park in annual else g
        rec = {"park": park, **{c: g[c].dropna().iloc[-1] if g[c].notna().any() else None for c in STOCKS}}
        rec |= {c: flows[c].sum(min_count=1) for c in FLOWS}
        out.append(rec)
    df = pd.DataFrame(out)
    land = df["land_used_mu"].where(df["land_used_mu"] > 0)
    df["tax_per_mu"] = df["tax"] / land
    df["output_per_mu"] = df["industrial_output"] / land
    df["investment_intensity"] = df["fixed_asset_investment"] / land
    df["output_per_job"] = df["industrial_output"] / df["jobs"].where(df["jobs"] > 0)
    return df
"""

NAIVE_PARK = (
    _NAIVE_COMMON
    + """
parks = sorted(set(pk["park"]))
chosen = st.sidebar.multiselect("park", parks, key="f_park")
park = chosen[0] if chosen else parks[0]
year, month = 2026, 11
metrics = ["park_revenue", "park_output", "park_tax", "contract_investment", "fixed_asset_investment"]
f = facts[(facts["park"] == park) & facts["metric"].isin(metrics) & (facts["month"] <= month)]
now = f[f["year"] == year].groupby("metric")["value"].sum()
before = f[f["year"] == year - 1].groupby("metric")["value"].sum()
tg = targets[(targets["year"] == year) & (targets["unit"] == park)].set_index("metric")["target"]
cols = st.columns(4)
for i, m in enumerate(metrics):
    with cols[i % 4]:
        st.metric(m, now.get(m, 0.0), delta=now.get(m, 0.0) - before.get(m, 0.0))
        if m in tg:
            st.progress(min(now.get(m, 0.0) / tg[m], 1.0))
row = period(year, month).set_index("park").loc[park]
for c in ["jobs", "enterprises", "land_used_mu"]:
    st.metric(c, row[c])
months = pk[(pk["park"] == park) & pk["year"].isin([year, year - 1]) & pk["month"].notna()]
st.plotly_chart(px.bar(months, x="month", y="revenue", color="year", barmode="group"))
years = pd.concat([period(y, 12).assign(year=y) for y in range(2022, 2027)])
st.plotly_chart(px.bar(years[years["park"] == park], x="year", y="revenue"))
st.dataframe(projects[projects["park"] == park].sort_values("signed_date", ascending=False))
"""
)

NAIVE_GRADES = (
    _NAIVE_COMMON
    + """
year = st.sidebar.selectbox("year", [2022, 2023, 2024, 2025, 2026], index=4, key="f_year")
df = period(year, 12)
graded = df.dropna(subset=["tax_per_mu", "output_per_mu", "investment_intensity", "output_per_job"]).copy()
weights = {"tax_per_mu": 40, "output_per_mu": 30, "investment_intensity": 15, "output_per_job": 15}
n = len(graded)
graded["score"] = sum(w * (graded[m].rank(method="min") - 1) / max(n - 1, 1) for m, w in weights.items()) * 100 / 100
ahead = graded["score"].rank(method="min", ascending=False) - 1
graded["grade"] = ["A" if a < 0.2 * n else "B" if a < 0.6 * n else "C" if a < 0.95 * n else "D" for a in ahead]
st.dataframe(df)
st.plotly_chart(px.bar(df.sort_values("tax_per_mu"), x="tax_per_mu", y="park", orientation="h"))
st.plotly_chart(px.scatter(graded, x="investment_intensity", y="tax_per_mu", text="park", color="grade"))
st.markdown("weights: " + ", ".join(f"{m} {w}" for m, w in weights.items()))
st.dataframe(graded[["park", "score", "grade"]])
"""
)


def main() -> None:
    choices = ["高新技术产业园", "食品工业园", "新材料产业园"]
    years = [2026, 2025, 2024]
    park_change = h.cycle("multiselect", "f_park", [[c] for c in choices])
    year_change = h.cycle("selectbox", "f_year", years)
    rows = []
    with h.demo_warehouse() as (root, _):
        entry = h.entry(root)
        for name, path, naive_source, change in (
            ("园区运行, sidebar park change", "pages/parks.py", NAIVE_PARK, park_change),
            ("园区评价, year change", "pages/park_grades.py", NAIVE_GRADES, year_change),
        ):
            ours = h.time_reruns(h.open_page(entry, path), change, RERUNS)
            naive_page = h.naive_page(root, "naive_" + Path(path).name, naive_source)
            naive = h.time_reruns(h.open_page(naive_page), change, RERUNS)
            rows.append((name, ours, naive))

    print(f"page reruns, p50/p90 over {RERUNS} reruns (AppTest wall time, demo county), budget {BUDGET_MS:.0f} ms:")
    for name, ours, naive in rows:
        print(h.row(name, ours, naive, BUDGET_MS, high=90))


if __name__ == "__main__":
    main()
