"""考核排名: server time per rerun after a filter change, against a naive pandas page in the same run; the monthly
bulletin's build time (XLSX and PDF), in process and through ``python -m etl bulletin``.

The naive page is the usual Streamlit pattern: the leads, projects, targets and facts as pandas frames in
``st.cache_data``, the points, quotas, completion rates and the unit ranking computed in pandas on every rerun, drawn
with Plotly Express. Measured with AppTest wall time on the demo county (etl.demo, 2,000 returnees); the sidebar's
as-of month alternates between three months, on the people view and on the units view.
Budget: 200 ms p50 per rerun (figures only; nothing is asserted).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import harness as h
from bench.harness import ROOT

RERUNS = int(os.environ.get("BENCH_PAGE_RERUNS", 15))
BUILDS = int(os.environ.get("BENCH_BULLETIN_BUILDS", 3))
BUDGET_MS = 200.0

NAIVE = """
import os
from pathlib import Path
import pandas as pd
import plotly.express as px
import streamlit as st
from etl.store import Reader

@st.cache_data
def frames():
    cur = Reader(Path(os.environ["DASHBOARD_DB"])).cursor()
    return [cur.execute("SELECT * FROM " + v).df() for v in ("v_leads", "v_projects", "v_targets", "v_metric_facts")]

leads, projects, targets, facts = frames()
year = 2026
month = st.sidebar.selectbox("month", list(range(1, 12)), index=10, key="f_month")
view = st.query_params.get("view", "people")
QUOTA = {"正科级": 3, "专职招商": 3, "副科级": 2}
TIERS = [(100000, 15), (50000, 10), (30000, 5), (10000, 4), (3000, 3)]
l = leads[leads["reported_date"].dt.year == year].sort_values(["reported_date", "lead_id"]).copy()
l["rank_y"] = l.groupby("person")["rank"].transform("last")
l = l[l["reported_date"].dt.month <= month]
l["n"] = l.groupby("person")["valuable"].cumsum()
l["quota"] = l["rank_y"].map(QUOTA).fillna(1)
l["points"] = 0.0
l.loc[l["valuable"] & (l["n"] == l["quota"]), "points"] = 2.0
l.loc[l["valuable"] & (l["n"] == l["quota"] + 1), "points"] = 0.5
p = projects[(projects["signed_date"].dt.year == year) & (projects["signed_date"].dt.month <= month)].copy()
def pts(r):
    for low, v in TIERS:
        if r["total_investment"] >= low:
            return v
    return 2.0 if r["standard_factory"] else 0.0
p["points"] = p.apply(pts, axis=1)
p["unit"] = p["responsible_unit"].fillna(p["township"])
items = pd.concat([l[["person", "unit", "points"]], p.rename(columns={"lead_person": "person"})[["person", "unit", "points"]]])
if view == "people":
    people = items.groupby("person", as_index=False)["points"].sum().sort_values("points", ascending=False)
    st.plotly_chart(px.bar(people.head(15), x="points", y="person", orientation="h"))
    st.dataframe(people)
else:
    f = facts[(facts["year"] == year) & (facts["month"] <= month)]
    rows = []
    for metric, w in (("contract_investment", 40), ("funds_in_place", 40), ("projects_signed", 20)):
        tg = targets[(targets["year"] == year) & (targets["metric"] == metric)]
        for unit, target in zip(tg["unit"], tg["target"]):
            mine = f[(f["metric"] == metric) & ((f["township"] == unit) | (f["park"] == unit) | (f["responsible_unit"] == unit))]
            rows.append({"unit": unit, "metric": metric, "w": w, "rate": mine["value"].sum() / target})
    r = pd.DataFrame(rows)
    r["wr"] = r["w"] * r["rate"]
    score = (r.groupby("unit")["wr"].sum() / r.groupby("unit")["w"].sum() * 100).rename("completion").reset_index()
    score = score.merge(items.groupby("unit", as_index=False)["points"].sum(), on="unit", how="outer").fillna(0)
    score["score"] = score["completion"] + score["points"]
    score = score.sort_values("score", ascending=False)
    st.plotly_chart(px.bar(score.head(20), x="score", y="unit", orientation="h"))
    st.dataframe(score)
"""


MONTH_CHANGE = h.cycle("selectbox", "f_month", [11, 9, 6])


def _bulletins(db: Path, out: Path) -> list[tuple[str, float, float, float]]:
    """(format, in-process first build s, in-process p50 of the next builds s, CLI wall time s); run before any
    AppTest, so the read side runs in board.db's bare mode, as from the command line."""
    from board import bulletin

    rows = []
    for fmt, build in (("xlsx", bulletin.xlsx_bytes), ("pdf", bulletin.pdf_bytes)):
        times = []
        for _ in range(BUILDS + 1):
            t = time.perf_counter()
            build(2026, 10, "zh")
            times.append(time.perf_counter() - t)
        t = time.perf_counter()
        cmd = [sys.executable, "-m", "etl", "--db", str(db), "bulletin", "--year", "2026", "--month", "10"]
        subprocess.run([*cmd, "--out", str(out / f"b.{fmt}")], check=True, capture_output=True, cwd=ROOT)
        rows.append((fmt, times[0], statistics.median(times[1:]), time.perf_counter() - t))
    return rows


def main() -> None:
    rows = []
    with h.demo_warehouse() as (root, db):
        builds = _bulletins(db, root)
        entry = h.entry(root)
        naive_page = h.naive_page(root, "naive_assessment.py", NAIVE)
        for view in ("people", "units"):
            ours = h.time_reruns(h.open_page(entry, "pages/assessment.py", params={"view": view}), MONTH_CHANGE, RERUNS)
            nat = h.open_page(naive_page, params={"view": view}, deep_link=True)
            naive = h.time_reruns(nat, MONTH_CHANGE, RERUNS)
            rows.append((f"考核排名 {view}, month change", ours, naive))

    print(f"page reruns, p50/p90 over {RERUNS} reruns (AppTest wall time, demo county), budget {BUDGET_MS:.0f} ms:")
    for name, ours, naive in rows:
        print(h.row(name, ours, naive, BUDGET_MS, high=90))
    print(f"bulletin build (2026-10, demo county; in process: first, then p50 of {BUILDS}; CLI incl. start-up):")
    for fmt, first, p50, cli in builds:
        print(f"  {fmt:4s} first {first:5.2f} s  p50 {p50:5.2f} s  python -m etl bulletin {cli:5.2f} s")


if __name__ == "__main__":
    main()
