"""Server time per rerun after a township change (AppTest) of the 项目推进, 重点项目 and 项目库 pages, ours against a
naive version of each page, and the 项目库 page at 100k projects.

Demo scale: the demo county (etl.demo) loaded through the real load path. For each page, one warm-up pass over
two townships, then RERUNS reruns alternating them, timing ``AppTest.run()`` (p50, p90), in the same process.
Ours: dashboard.py on the page (DuckDB aggregates cached by filter values and warehouse version, graph_objects).
Naive: the same numbers computed with pandas from whole views held in ``st.cache_data`` (boolean masks, groupby,
sort and slice of the full frame) and drawn with Plotly Express. Budget: 200 ms p50 for ours.

Large: 100,000 projects (the demo's projects repeated under new IDs, loaded through the real loader); the register
page, ours and naive, after a township change, warm (cached) and on first visit of a township (a cache miss).
``BENCH_REGISTER_ROWS=0`` skips it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from bench import harness as h
from bench.overview_bench import demo_warehouse, town_change

RERUNS = int(os.environ.get("BENCH_PIPELINE_RERUNS", 20))
LARGE = int(os.environ.get("BENCH_REGISTER_ROWS", 100_000))
BUDGET_MS = 200.0
PAGES = {"pipeline": "pages/pipeline.py", "key projects": "pages/key_projects.py", "register": "pages/projects.py"}

_NAIVE_HEAD = """
import os
from pathlib import Path

import pandas as pd
import plotly.express as px
import streamlit as st

from etl.store import Reader


@st.cache_data
def frames(path):
    cur = Reader(Path(path)).cursor()
    return [cur.execute("SELECT * FROM " + v).df() for v in ("v_projects", "v_funding", "v_project_units")]


projects, funding, units = frames(os.environ["DASHBOARD_DB"])
towns = sorted(set(projects["township"].dropna()))
chosen = st.sidebar.multiselect("town", towns, key="f_town")
year, month = 2026, 11
as_of = pd.Timestamp(2026, 11, 30)
first = pd.Timestamp(2026, 1, 1)
sel = projects[projects["project_id"].isin(units[units["unit"].isin(chosen)]["project_id"])] if chosen else projects
"""
NAIVE = {
    "pipeline": _NAIVE_HEAD
    + """
signed = sel[(sel["signed_date"] >= first) & (sel["signed_date"] <= as_of)]
cohort = pd.concat([signed, sel[sel["status"] == "在谈"]])
reached = lambda cols: cohort[cols].min(axis=1) <= as_of
stages = {"在谈": cohort, "签约": cohort[reached(["signed_date", "started_date", "completed_date", "production_date"])],
          "开工": cohort[reached(["started_date", "completed_date", "production_date"])],
          "竣工": cohort[reached(["completed_date", "production_date"])], "投产": cohort[cohort["production_date"] <= as_of]}
funnel = pd.DataFrame({"stage": list(stages), "projects": [len(v) for v in stages.values()],
                       "amount": [v["total_investment"].sum() for v in stages.values()]})
st.plotly_chart(px.funnel(funnel, x="projects", y="stage"))
st.dataframe(funnel)
started = sel[sel["started_date"].notna()]
new = started[(started["started_date"] >= first) & (started["started_date"] <= as_of)]
carry = started[(started["started_date"] < first) & (started["completed_date"].isna() | (started["completed_date"] >= first))
                & ~started["status"].isin(["停滞", "终止"])]
st.metric("new", len(new)); st.metric("carry", len(carry)); st.metric("all", len(new) + len(carry))
tiers = signed.assign(tier=pd.cut(signed["total_investment"], [0, 3000, 10000, 30000, 50000, 100000, 1e12], right=False))
tiers = tiers.groupby("tier", observed=False)["total_investment"].agg(["count", "sum"]).reset_index()
tiers["tier"] = tiers["tier"].astype(str)
st.plotly_chart(px.bar(tiers, x="count", y="tier", orientation="h"))
st.plotly_chart(px.bar(tiers, x="sum", y="tier", orientation="h"))
st.dataframe(tiers)
by = signed.groupby("township").agg(projects=("project_id", "count"), amount=("total_investment", "sum"),
                                    started=("started_date", lambda s: (s <= as_of).sum())).reset_index()
st.plotly_chart(px.bar(by.sort_values("projects"), x="projects", y="township", orientation="h"))
st.dataframe(by)
a = sel.dropna(subset=["signed_date", "started_date"])
a = a.assign(days=(a["started_date"] - a["signed_date"]).dt.days, year=a["started_date"].dt.year)[a["started_date"] <= as_of]
b = sel.assign(later=sel["production_date"].fillna(sel["completed_date"])).dropna(subset=["started_date", "later"])
b = b.assign(days=(b["later"] - b["started_date"]).dt.days, year=b["later"].dt.year)[b["later"] <= as_of]
lead = pd.concat([a.groupby("year")["days"].agg(["count", "median"]).reset_index().assign(span="signed_started"),
                  b.groupby("year")["days"].agg(["count", "median"]).reset_index().assign(span="started_production")])
st.plotly_chart(px.line(lead, x="year", y="median", color="span"))
st.dataframe(lead)
""",
    "key projects": _NAIVE_HEAD
    + """
key = sel[sel["key_project"].fillna(False) & (sel["signed_date"].isna() | (sel["signed_date"] <= as_of))]
funds = funding[(funding["year"] == year) & (funding["month"] <= month)].groupby("project_id")["funds_in_place"].sum()
key = key.merge(funds.rename("funds").reset_index(), on="project_id", how="left").fillna({"funds": 0.0})
stage = {"签约": "signed_date", "开工": "started_date", "竣工": "completed_date", "投产": "production_date"}
key["stage_date"] = [row[stage[s]] if s in stage else pd.NaT for s, (_, row) in zip(key["status"], key.iterrows())]
key["days"] = (as_of - pd.to_datetime(key["stage_date"])).dt.days
st.metric("key", len(key)); st.metric("total", key["total_investment"].sum()); st.metric("funds", key["funds"].sum())
st.dataframe(key.sort_values("total_investment", ascending=False)[
    ["name", "project_id", "township", "status", "total_investment", "funds", "days", "stage_date", "lead_person"]])
""",
    "register": _NAIVE_HEAD
    + """
text = st.text_input("q", key="q")
found = sel[sel["name"].str.contains(text, case=False, regex=False) | sel["project_id"].str.contains(text, case=False, regex=False)]
found = found.sort_values(["signed_date", "project_id"], ascending=[False, True], na_position="last")
st.caption(f"{len(found)} projects")
st.dataframe(found.iloc[0:50][["name", "project_id", "township", "park", "industry", "status", "size_tier",
                               "total_investment", "contract_investment", "signed_date", "started_date",
                               "completed_date", "production_date", "lead_person"]])
""",
}


def _open(entry: Path, page: str | None) -> AppTest:
    at = h.open_page(entry, page, timeout=300)
    h.ok(at)
    return at


def _measure(entry: Path, page: str | None, towns: list[str]) -> list[float]:
    """RERUNS reruns alternating ``towns``, after a warm-up pass over them (the first visit fills the caches)."""
    return h.time_reruns(_open(entry, page), town_change(towns), RERUNS, warm=len(towns))


def _cold(entry: Path, page: str | None, town: str) -> float:
    """One rerun after choosing a township not seen before in this process (cache miss), in ms."""
    at = _open(entry, page)
    at.multiselect(key="f_town").set_value([town])
    return h.time_run(at)


def _towns(db: Path) -> list[str]:
    from etl.store import Reader

    cur = Reader(db).cursor()
    return [r[0] for r in cur.execute("SELECT township FROM v_projects GROUP BY 1 ORDER BY count(*) DESC").fetchall()]


def _large_db(root: Path, demo: Path, n: int) -> Path:
    """A warehouse of ``n`` projects: the demo's projects repeated under new IDs and names, through the loader."""
    from etl import warehouse
    from etl.contracts import DATASETS
    from etl.store import Reader

    base = Reader(demo).cursor().execute("SELECT * EXCLUDE (batch_id, size_tier) FROM v_projects").df()
    copies = [base.assign(project_id=base["project_id"] + f"-{i:03d}", name=base["name"] + str(i)) for i in range(n)]
    big = pd.concat(copies[: -(-n // len(base))], ignore_index=True).head(n)
    ds = DATASETS["projects"]
    out = pd.DataFrame({ds.column(c).zh: big[c] for c in big.columns if c in {col.name for col in ds.columns}})
    for col in out.columns:
        if str(out[col].dtype).startswith("datetime"):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    path = root / "projects_large.csv"
    out.to_csv(path, index=False)
    db = warehouse.init(root / "large.duckdb")
    res = warehouse.load_file(db, path)
    assert res.status == "loaded", res.errors.head()
    return db


def main() -> None:
    with demo_warehouse() as (root, demo):
        ours = h.entry(root)
        naive = {name: h.naive_page(root, name.replace(" ", "_") + "_naive.py", src) for name, src in NAIVE.items()}
        towns = _towns(demo)
        print(f"rerun after a township change, p50 over {RERUNS} reruns (AppTest wall time), demo county:")
        for name, page in PAGES.items():
            cold = _cold(ours, page, towns[-1])
            lines = h.block(_measure(ours, page, towns[:2]), _measure(naive[name], None, towns[:2]), BUDGET_MS,
                            high=90, indent="    ")  # fmt: skip
            lines[-1] += f"; ours, first visit of a township: {cold:.1f} ms"
            print(f"  {name}:")
            print("\n".join(lines))
        if LARGE:
            t = time.perf_counter()
            large = _large_db(root, demo, LARGE)
            os.environ["DASHBOARD_DB"] = str(large)
            print(f"{LARGE:,} projects loaded in {time.perf_counter() - t:.1f} s; the register page:", flush=True)
            towns = _towns(large)
            cold = _cold(ours, PAGES["register"], towns[-1])
            ours_p50, ours_p90 = h.p50_high(_measure(ours, PAGES["register"], towns[:2]), 90)
            naive_p50, naive_p90 = h.p50_high(_measure(naive["register"], None, towns[:2]), 90)
            print(f"    ours : p50 {ours_p50:7.1f} ms  p90 {ours_p90:7.1f} ms; first visit of a township {cold:.1f} ms")
            print(f"    naive: p50 {naive_p50:7.1f} ms  p90 {naive_p90:7.1f} ms")


if __name__ == "__main__":
    main()
