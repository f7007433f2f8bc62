"""Stalled lists and project detail: server time per rerun after a filter change, against a naive page.

The naive pages are the usual Streamlit pattern: whole tables as pandas frames in ``st.cache_data``,
filtered and computed in pandas on every rerun. Measured with AppTest wall time on the demo county.
Budget: 200 ms p50 per rerun (figures only; nothing is asserted).
"""

from __future__ import annotations

import os

from streamlit.testing.v1 import AppTest

from bench import harness as h

RERUNS = int(os.environ.get("BENCH_PAGE_RERUNS", 15))
BUDGET_MS = 200.0

NAIVE_STALLED = """
import os
from pathlib import Path
import pandas as pd
import streamlit as st
from etl.store import Reader

@st.cache_data
def frames():
    cur = Reader(Path(os.environ["DASHBOARD_DB"])).cursor()
    return cur.execute("SELECT * FROM v_projects").df(), cur.execute("SELECT * FROM v_funding").df()

projects, funding = frames()
towns = sorted(set(projects["township"].dropna()))
chosen = st.sidebar.multiselect("town", towns, key="f_town")
as_of = pd.Timestamp("2026-11-30")
pj = projects[projects["township"].isin(chosen) | projects["park"].isin(chosen)] if chosen else projects
funded = funding[(funding["funds_in_place"] > 0) & (funding["period"] >= "2026-06")]["project_id"].unique()
last = funding[funding["funds_in_place"] > 0].groupby("project_id")["period"].max()
stalled = pj[(pj["status"] == "停滞")
             | ((pj["status"] == "签约") & pj["started_date"].isna() & (pd.to_datetime(pj["signed_date"]) < as_of - pd.Timedelta(days=180)))
             | ((pj["status"] == "开工") & (pd.to_datetime(pj["started_date"]) < pd.Timestamp("2026-06-01")) & ~pj["project_id"].isin(funded))]
stalled = stalled.assign(last_funds=stalled["project_id"].map(last))
st.dataframe(stalled)
"""

NAIVE_PROJECT = """
import os
from pathlib import Path
import pandas as pd
import plotly.express as px
import streamlit as st
from etl.store import Reader

@st.cache_data
def frames():
    cur = Reader(Path(os.environ["DASHBOARD_DB"])).cursor()
    return cur.execute("SELECT * FROM v_projects").df(), cur.execute("SELECT * FROM v_funding").df()

projects, funding = frames()
ids = sorted(projects["project_id"])
pid = st.sidebar.selectbox("id", ids, key="pid")
p = projects[projects["project_id"] == pid].iloc[0]
f = funding[funding["project_id"] == pid].sort_values("period")
f["cumulative"] = f["funds_in_place"].cumsum()
st.metric("funds", f["funds_in_place"].sum())
st.plotly_chart(px.bar(f, x="period", y="funds_in_place"))
st.plotly_chart(px.line(f, x="period", y="cumulative"))
st.dataframe(f)
"""


def main() -> None:
    from etl.store import Reader

    rows = []
    with h.demo_warehouse() as (root, db):
        towns = h.townships(db)[:3]
        cur = Reader(db).cursor()
        ids = [r[0] for r in cur.execute("SELECT DISTINCT project_id FROM v_funding ORDER BY 1 LIMIT 3").fetchall()]
        entry = h.entry(root)

        town_change = h.cycle("multiselect", "f_town", [[town] for town in towns])
        ours = h.time_reruns(h.open_page(entry, "pages/stalled.py"), town_change, RERUNS)
        naive_page = h.naive_page(root, "naive_stalled.py", NAIVE_STALLED)
        naive = h.time_reruns(h.open_page(naive_page), town_change, RERUNS)
        rows.append(("stalled lists, township change", ours, naive))

        def next_project(a: AppTest, i: int) -> None:
            a.query_params["id"] = ids[i % len(ids)]
            a.text_input(key="pj_q").set_value("")

        at = h.open_page(entry, "pages/project.py", params={"id": ids[0]})
        ours = h.time_reruns(at, next_project, RERUNS)
        naive_page = h.naive_page(root, "naive_project.py", NAIVE_PROJECT)
        naive = h.time_reruns(h.open_page(naive_page), h.cycle("selectbox", "pid", ids), RERUNS)
        rows.append(("project detail, another project", ours, naive))

    print(f"page reruns, p50/p90 over {RERUNS} reruns (AppTest wall time, demo county), budget {BUDGET_MS:.0f} ms:")
    for name, ours, naive in rows:
        print(h.row(name, ours, naive, BUDGET_MS, high=90))


if __name__ == "__main__":
    main()
