"""Stalled lists and project detail: server time per rerun after a filter change, against a naive page.

The naive pages are the usual Streamlit pattern: whole tables as pandas frames in ``st.cache_data``,
filtered and computed in pandas on every rerun. Measured with AppTest wall time on the demo county.
Budget: 200 ms p50 per rerun (figures only; nothing is asserted).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
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


def _stats(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), statistics.quantiles(times, n=10)[-1]


def _reruns(at: AppTest, change) -> list[float]:
    times = []
    for i in range(RERUNS):
        change(at, i)
        t = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - t) * 1000)
        assert not at.exception, [e.value for e in at.exception]
    return times


def main() -> None:
    from etl import demo
    from etl.store import Reader

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["DASHBOARD_PSEUDONYM_KEY"] = str(root / "pseudonym.key")
        db = root / "warehouse.duckdb"
        demo.build(db, root / "files", seed=2012, returnees=2000)
        os.environ["DASHBOARD_DB"] = str(db)
        cur = Reader(db).cursor()
        towns = [r[0] for r in cur.execute("SELECT DISTINCT township FROM v_labor ORDER BY 1").fetchall()][:3]
        ids = [r[0] for r in cur.execute("SELECT DISTINCT project_id FROM v_funding ORDER BY 1 LIMIT 3").fetchall()]
        entry = root / "ours.py"  # a wrapper outside the repo (see tests/test_pages.py for why)
        entry.write_text(f"import runpy\nrunpy.run_path({str(ROOT / 'dashboard.py')!r}, run_name='__main__')\n")
        rows = []

        at = AppTest.from_file(str(entry), default_timeout=120).run()
        at.switch_page(str(ROOT / "pages/stalled.py")).run()
        ours = _reruns(at, lambda a, i: a.multiselect(key="f_town").set_value([towns[i % len(towns)]]))
        naive_page = root / "naive_stalled.py"
        naive_page.write_text(NAIVE_STALLED)
        nat = AppTest.from_file(str(naive_page), default_timeout=120).run()
        naive = _reruns(nat, lambda a, i: a.multiselect(key="f_town").set_value([towns[i % len(towns)]]))
        rows.append(("stalled lists, township change", ours, naive))

        at = AppTest.from_file(str(entry), default_timeout=120).run()
        at.query_params["id"] = ids[0]
        at.switch_page(str(ROOT / "pages/project.py")).run()

        def next_project(a: AppTest, i: int) -> None:
            a.query_params["id"] = ids[i % len(ids)]
            a.text_input(key="pj_q").set_value("")

        ours = _reruns(at, next_project)
        naive_page = root / "naive_project.py"
        naive_page.write_text(NAIVE_PROJECT)
        nat = AppTest.from_file(str(naive_page), default_timeout=120).run()
        naive = _reruns(nat, lambda a, i: a.selectbox(key="pid").set_value(ids[i % len(ids)]))
        rows.append(("project detail, another project", ours, naive))

    print(f"page reruns, p50/p90 over {RERUNS} reruns (AppTest wall time, demo county), budget {BUDGET_MS:.0f} ms:")
    for name, ours, naive in rows:
        (o50, o90), (n50, _) = _stats(ours), _stats(naive)
        verdict = "within" if o50 <= BUDGET_MS else "OVER"
        print(
            f"  {name:34s} ours p50 {o50:6.1f} ms p90 {o90:6.1f} ({verdict})  naive p50 {n50:6.1f} ms  ratio {n50 / o50:.1f}x"
        )


if __name__ == "__main__":
    main()
