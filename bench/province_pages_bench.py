"""Every data page at province scale: server time per rerun (first visit and cached), the first view after a load,
bytes sent per rerun, the server's memory with 8 browser sessions, against the naive way, with the budgets of
issue 13.

The warehouse is bench.province's (``BENCH_PROVINCE_FRACTION``, default 0.05; 1 is the full province), copied
nowhere: it is opened in place (a "load" is simulated by copying the file and renaming the copy over it, which
changes etl.store.version as build-and-swap does). Each of ``BENCH_RUNS`` runs (default 3) is:

- **ours** (one child process, AppTest, every page of ``PAGES`` in turn): open the page (untimed), simulate a
  load and time the next rerun (*the first view after a load*: every cache misses, the Reader reopens the file),
  then a scripted sequence of changes, twice: the shared filters the page obeys (two townships, the year before,
  an industry, a park) and its own URL choices (board.nav PageSpec.params: up to two other values of each), then
  back to the opening state. Each rerun is classed *first visit* when its state (filters + page choices) was not
  seen since the load, else *cached*; the server time is AppTest's wall time of the rerun, and the bytes are those
  of the ForwardMsgs it produced (``harness.Sent``: protobuf size, the upper bound of what the browser receives).
- **naive** (one child process per page, killed past ``BENCH_NAIVE_MAX_MIB`` of resident memory, default 8,192,
  or ``BENCH_NAIVE_TIMEOUT`` s): the naive page of the page's own suite (pandas frames of the views in
  ``st.cache_data``, filter + groupby + Plotly Express), opened (its frames loaded: timed apart) then
  ``BENCH_NAIVE_RERUNS`` reruns (default 3) cycling its own filter; its peak memory.
- **server** (``BENCH_SESSIONS`` = 8 Chromium sessions through Playwright on one real server, python -m
  board.serve): each session opens the dashboard with its own township and clicks through every page of the
  menu twice (the second round with another township); the server's peak resident memory (VmHWM) and the
  websocket bytes each page view received, read through Playwright (decompressed frames: the real bytes of a page
  change in the browser, Streamlit's message cache included).

``python -m bench province-pages`` prints the figures and writes data/bench/results/province-pages.json;
``python -m bench report`` puts them into BENCH.md. ``BENCH_PAGES=overview,targets`` limits the pages;
``BENCH_WAREHOUSE=file`` measures another file (a copy: two suites must never measure one file at once, each one's
simulated loads would empty the other's caches);
``BENCH_SERVER=0`` skips the browser sessions; ``BENCH_NAIVE=0`` the naive pages, ``BENCH_NAIVE_RUNS=1`` times them
in the first run only (at full scale a naive people page takes minutes). ``BENCH_PROFILE=1``: where the time goes
instead (see ``profile_pages``).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import harness as h
from bench import province

FRACTION = float(os.environ.get("BENCH_PROVINCE_FRACTION", "0.05"))
RUNS = int(os.environ.get("BENCH_RUNS", 3))
NAIVE_RERUNS = int(os.environ.get("BENCH_NAIVE_RERUNS", 3))
NAIVE_MAX_MIB = float(os.environ.get("BENCH_NAIVE_MAX_MIB", 8192))
NAIVE_TIMEOUT = float(os.environ.get("BENCH_NAIVE_TIMEOUT", 900))
NAIVE_RUNS = int(os.environ.get("BENCH_NAIVE_RUNS", RUNS))  # how many of the runs time the naive pages too
SESSIONS = int(os.environ.get("BENCH_SESSIONS", 8))
SERVER_ROUNDS = int(os.environ.get("BENCH_SERVER_ROUNDS", 2))  # each session clicks through the menu this often
CHOICES_PER_PARAM = 2

# issue 13's budgets at province scale on this 2-core machine
P50_MS, P95_MS, FIRST_VIEW_MS, RATIO, BYTES, SERVER_MIB = 150.0, 400.0, 500.0, 10.0, 5 * 1024 * 1024, 1536.0

NAIVE_BATCHES = """
import os
from pathlib import Path
import pandas as pd
import streamlit as st
from etl.store import Reader

@st.cache_data
def frames():
    return Reader(Path(os.environ["DASHBOARD_DB"])).cursor().execute("SELECT * FROM v_batches").df()

batches = frames()
ds = st.sidebar.selectbox("dataset", ["", *sorted(set(batches["dataset"]))], key="f_ds")
shown = batches[batches["dataset"] == ds] if ds else batches
st.dataframe(shown.sort_values("batch_id", ascending=False))
pick = st.selectbox("batch", list(shown["batch_id"]), key="pick")
st.dataframe(batches[batches["batch_id"] == pick].T)
"""


@dataclass(frozen=True)
class Page:
    """One page to time: its registry key (board.nav url_path), file, the shared filters it obeys, its naive
    page (the module and attribute of the source in its own suite) and the naive page's widget cycled between
    reruns."""

    key: str
    path: str
    filters: tuple[str, ...] = ("town", "year", "ind", "park")
    naive: tuple[str, str] | None = None
    naive_widget: tuple[str, str] = ("multiselect", "f_town")
    naive_params: dict[str, str] = field(default_factory=dict)


PAGES: tuple[Page, ...] = (
    Page("overview", "pages/overview.py", naive=("overview_bench", "NAIVE_PAGE")),
    Page("targets", "pages/targets.py", naive=("targets_bench", "NAIVE_PAGE")),
    Page("pipeline", "pages/pipeline.py", naive=("pipeline_bench", "NAIVE['pipeline']")),
    Page("stalled", "pages/stalled.py", naive=("projects_bench", "NAIVE_STALLED")),
    Page("key-projects", "pages/key_projects.py", naive=("pipeline_bench", "NAIVE['key projects']")),
    Page("projects", "pages/projects.py", naive=("pipeline_bench", "NAIVE['register']")),
    Page(
        "project", "pages/project.py", ("year",), ("projects_bench", "NAIVE_PROJECT"), naive_widget=("selectbox", "pid")
    ),
    Page("parks", "pages/parks.py", ("park", "year"), ("parks_bench", "NAIVE_PARK"), ("multiselect", "f_park")),
    Page("park-grades", "pages/park_grades.py", ("year",), ("parks_bench", "NAIVE_GRADES"), ("selectbox", "f_year")),
    Page("returnees", "pages/returnees.py", naive=("employment_bench", "NAIVE_RETURNEES")),
    Page("training", "pages/training.py", naive=("employment_bench", "NAIVE_TRAINING")),
    Page("ventures", "pages/ventures.py", naive=("jobs_bench", "NAIVE_VENTURES")),
    Page("labour", "pages/labour.py", naive=("jobs_bench", "NAIVE_LABOUR")),
    Page("investment-jobs", "pages/investment_jobs.py", naive=("jobs_bench", "NAIVE_INVESTMENT_JOBS")),
    Page(
        "assessment",
        "pages/assessment.py",
        ("year", "town"),
        ("assessment_bench", "NAIVE"),
        ("selectbox", "f_month"),
        {"view": "people"},
    ),
    Page("batches", "pages/batches.py", ("year",), ("province_pages_bench", "NAIVE_BATCHES"), ("selectbox", "f_ds")),
)


def chosen_pages() -> tuple[Page, ...]:
    wanted = [x for x in os.environ.get("BENCH_PAGES", "").split(",") if x]
    return tuple(p for p in PAGES if not wanted or p.key in wanted)


def naive_source(page: Page) -> str:
    import importlib

    module, attr = page.naive
    mod = importlib.import_module(f"bench.{module}")
    if "[" in attr:
        name, key = attr.split("[", 1)
        return getattr(mod, name)[key.strip("]'")]
    return getattr(mod, attr)


# ---- the values the scripted changes use, read from the warehouse ----


def values(db: Path) -> dict:
    """Two busy townships, an industry and a park (each among the filter options), the default year and the one
    before, three projects with funding rows, the batch datasets: what the scripted changes choose."""
    from etl.store import Reader

    cur = Reader(db).cursor()

    def col(sql: str) -> list:
        return [r[0] for r in cur.execute(sql).fetchall()]

    towns = col(
        "SELECT township FROM v_projects WHERE township IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 2"
    )
    industry = col("SELECT industry FROM v_projects WHERE industry IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1")
    parks = col("SELECT park FROM v_projects WHERE park IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 2")
    ids = col("SELECT project_id FROM v_funding GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 3")
    year = max(col("SELECT DISTINCT year FROM v_metric_facts"))
    return {"towns": towns, "industry": industry[:1], "parks": parks, "year": year, "ids": ids}


# ---- ours: one child process, every page ----


def _state(at) -> tuple:
    """What the caches see of a session: the shared filters and every page choice, and the project asked for."""
    ss = at.session_state
    shared = [repr(ss[k]) for k in ("f_year", "f_month", "f_town", "f_ind", "f_park") if k in ss]
    own = sorted((w.key, repr(w.value)) for w in [*at.selectbox, *at.number_input] if str(w.key).startswith("url_"))
    return (*shared, *own, at.query_params.get("id"))


def _choose(at, key: str, i: int) -> None:
    """Set the page's URL choice ``key`` to its ``i``-th choice as the last run offered them (sidebar.url_choice
    formats with ``labels.get``: the choices are that dict's keys); nothing when it offered fewer."""
    box = next((w for w in at.selectbox if w.key == key), None)
    choices = list(box.format_func.__self__) if box is not None else []
    if i < len(choices):
        box.set_value(choices[i])


def _steps(at, page: Page, vals: dict) -> list[tuple[str, object]]:
    """The scripted sequence for ``page``: (label, change) where change(at) sets widgets before a rerun."""
    steps: list[tuple[str, object]] = []

    def ms(key, value):
        return lambda a: a.multiselect(key=key).set_value(value)

    if "town" in page.filters:
        for town in vals["towns"]:
            steps.append((f"township {town}", ms("f_town", [town])))
    if "year" in page.filters:
        steps.append((f"year {vals['year'] - 1}", lambda a: a.selectbox(key="f_year").set_value(vals["year"] - 1)))
    if "ind" in page.filters and vals["industry"]:
        steps.append((f"industry {vals['industry'][0]}", ms("f_ind", vals["industry"])))
    if "park" in page.filters:
        for park in vals["parks"][: 2 if page.key == "parks" else 1]:
            steps.append((f"park {park}", ms("f_park", [park])))
    if page.key == "project":
        for pid in vals["ids"][1:]:
            steps.append((f"project {pid}", lambda a, pid=pid: a.query_params.__setitem__("id", pid)))
    from board import nav

    spec = nav.spec_of(nav.script(page.path))
    firsts: list[str] = []
    for param in spec.params if spec else ():
        key = "url_" + param
        boxes = [w for w in at.selectbox if w.key == key]
        numbers = [w for w in at.number_input if w.key == key]
        if boxes:
            for i in range(1, min(len(boxes[0].options), CHOICES_PER_PARAM + 1)):
                steps.append((f"{param} #{i}", lambda a, key=key, i=i: _choose(a, key, i)))
            firsts.append(key)
        elif numbers:
            w = numbers[0]
            value = int(w.value) + 1  # within every url_number's bounds: no default is its maximum
            steps.append((f"{param} {value}", lambda a, key=key, v=value: a.number_input(key=key).set_value(v)))

    def back(a) -> None:  # the opening state again: cached
        for key in ("f_town", "f_ind", "f_park"):
            if key in a.session_state:
                a.multiselect(key=key).set_value([])
        a.selectbox(key="f_year").set_value(vals["year"])
        for key in firsts:
            _choose(a, key, 0)
        for w in list(a.number_input):
            if str(w.key).startswith("url_") and w.key in defaults:
                w.set_value(defaults[w.key])
        if page.key == "project":
            a.query_params["id"] = vals["ids"][0]

    defaults = {w.key: w.value for w in at.number_input if str(w.key).startswith("url_")}
    steps.append(("back to the opening state", back))
    return steps


def measure_ours(db: Path, pages: tuple[Page, ...], vals: dict) -> dict:
    """Per page: the first view after a load, then the scripted sequence twice (first visits, cached)."""
    import tempfile

    sent = h.Sent()
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        entry = h.entry(Path(tmp))
        for page in pages:
            params = dict(page.naive_params) if page.key == "assessment" else {}
            if page.key == "project":
                params["id"] = vals["ids"][0]
            t = time.perf_counter()
            at = h.open_page(entry, page.path, params=params, timeout=900)
            h.ok(at)
            opened = (time.perf_counter() - t) * 1000
            steps = _steps(at, page, vals)
            h.simulate_load(db)
            first_view, first_bytes = h.measured_run(at, sent)
            seen = {_state(at)}
            runs = []
            for rnd in (1, 2):
                for label, change in steps:
                    print(f"      {page.key}: {label}", file=sys.stderr, flush=True)
                    change(at)
                    ms, nbytes = h.measured_run(at, sent)
                    state = _state(at)
                    runs.append({"step": label, "round": rnd, "ms": ms, "bytes": nbytes, "first": state not in seen})
                    seen.add(state)
            out[page.key] = {"opened_ms": opened, "first_view_ms": first_view, "first_view_bytes": first_bytes}
            out[page.key]["reruns"] = runs
            print(
                f"    {page.key:16s} first view {first_view:7.0f} ms; reruns "
                + " ".join(f"{r['ms']:.0f}{'*' if r['first'] else ''}" for r in runs),
                file=sys.stderr,
                flush=True,
            )
    return out


# ---- naive: one child process per page ----


def measure_naive(db: Path, page: Page, vals: dict) -> dict:
    """Open the naive page (its frames loaded: timed), then NAIVE_RERUNS reruns cycling its own widget."""
    import tempfile

    from streamlit.testing.v1 import AppTest

    sent = h.Sent()
    with tempfile.TemporaryDirectory() as tmp:
        script = h.naive_page(Path(tmp), "naive.py", naive_source(page))
        t = time.perf_counter()
        at = AppTest.from_file(str(script), default_timeout=NAIVE_TIMEOUT)
        for name, value in page.naive_params.items():
            at.query_params[name] = value
        at.run()
        h.ok(at)
        opened = (time.perf_counter() - t) * 1000
        widget, key = page.naive_widget
        cycle = {
            ("multiselect", "f_town"): [[x] for x in vals["towns"]] + [[]],
            ("multiselect", "f_park"): [[x] for x in vals["parks"]] + [[]],
            ("selectbox", "f_year"): [vals["year"] - 1, vals["year"]],
            ("selectbox", "f_month"): [9, 6, 11],
            ("selectbox", "pid"): vals["ids"][1:] + vals["ids"][:1],
            ("selectbox", "f_ds"): ["projects", "returnees", ""],
        }[(widget, key)]
        runs = []
        for i in range(NAIVE_RERUNS):
            getattr(at, widget)(key=key).set_value(cycle[i % len(cycle)])
            ms, nbytes = h.measured_run(at, sent)
            runs.append({"ms": ms, "bytes": nbytes})
    return {"opened_ms": opened, "reruns": runs, "peak_rss_mib": h.peak_rss_mib()}


def _child(kind: str, db: Path, page_key: str | None) -> None:
    os.environ["DASHBOARD_DB"] = str(db)
    os.environ.setdefault("DASHBOARD_PSEUDONYM_KEY", str(db.parent / "province.key"))
    vals = json.loads(os.environ["BENCH_VALUES"])
    if kind == "profile":
        out = h.RESULTS_DIR / "province-pages-profile.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        profile_pages(db, chosen_pages(), vals, out)
        print(f"RESULT {json.dumps(str(out))}")
        return
    if kind == "ours":
        result = {"pages": measure_ours(db, chosen_pages(), vals), "peak_rss_mib": h.peak_rss_mib()}
    else:
        result = measure_naive(db, next(p for p in PAGES if p.key == page_key), vals)
    print("RESULT " + json.dumps(result, default=float))


def _spawn(kind: str, db: Path, vals: dict, page: str = "", *, max_mib: float = 1e9, timeout: float = 7200) -> dict:
    env = {**os.environ, "BENCH_VALUES": json.dumps(vals, ensure_ascii=False)}
    cmd = [sys.executable, "-m", "bench.province_pages_bench", "--child", kind, str(db), page]
    log = h.RESULTS_DIR / f"province-pages-{kind}.log"  # the children's progress, as they run
    log.parent.mkdir(parents=True, exist_ok=True)
    res = h.run_capped(cmd, max_rss_mib=max_mib, timeout=timeout, env=env, log=log)
    line = next((x for x in res["stdout"].splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        why = res["killed"] or f"exit {res['returncode']}: {res['stderr'].strip().splitlines()[-1:]}"
        return {"failed": why, "peak_rss_mib": res["peak_rss_mib"]}
    out = json.loads(line[len("RESULT ") :])
    if isinstance(out, dict):
        out["watched_peak_rss_mib"] = res["peak_rss_mib"]
    return out


# ---- the server with SESSIONS browser sessions ----


def measure_server(db: Path, pages: tuple[Page, ...], vals: dict) -> dict:
    """One real server, SESSIONS Chromium sessions clicking through the menu's pages twice; its peak memory and the
    websocket bytes per page view."""
    import asyncio
    import threading

    from board import nav
    from board.i18n import t
    from tests import servers

    key = db.parent / "province.key"
    proc, url = servers.start(db, key)
    if url is None:
        return {"failed": "the server did not start"}
    samples: list[float] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            samples.append(h.rss_mib(proc.pid))
            time.sleep(0.2)

    threading.Thread(target=watch, daemon=True).start()
    titles = [t(spec.title_key, "zh") for spec in nav.PAGES if any(p.path == spec.path for p in pages)]
    towns = vals["towns"]
    views: list[dict] = []
    errors: list[str] = []

    async def session(browser, i: int) -> None:
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        ctx = await browser.new_context(viewport={"width": 1366, "height": 900})
        page = await ctx.new_page()
        received = [0]

        def on_ws(ws) -> None:
            ws.on("framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload)))

        page.on("websocket", on_ws)
        page.set_default_timeout(600_000)  # 8 sessions on 2 cores: a page may take long, it must not fail
        state = '[data-testid="stApp"]'

        async def idle() -> None:
            try:  # a rerun starts …
                await page.wait_for_selector(state + '[data-test-script-state="running"]', timeout=3000)
            except PlaywrightTimeout:
                pass  # … or was over before we looked
            await page.wait_for_selector(state + '[data-test-script-state="notRunning"]', timeout=600_000)

        try:
            for rnd, town in enumerate((towns[i % len(towns)], towns[(i + 1) % len(towns)])[:SERVER_ROUNDS]):
                t0 = time.perf_counter()
                await page.goto(f"{url}/?town={town}&year={vals['year']}")
                await idle()
                views.append({"session": i, "round": rnd, "page": "open", "bytes": received[0],
                              "ms": (time.perf_counter() - t0) * 1000})  # fmt: skip
                for title in titles:
                    received[0] = 0
                    t0 = time.perf_counter()
                    await page.locator('[data-testid="stSidebar"] a', has_text=title).first.click()
                    await idle()
                    views.append({"session": i, "round": rnd, "page": title, "bytes": received[0],
                                  "ms": (time.perf_counter() - t0) * 1000})  # fmt: skip
        except Exception as exc:  # noqa: BLE001 — counted and reported, the other sessions go on
            errors.append(f"session {i}: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}")
        finally:
            await ctx.close()

    async def main() -> None:
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run"]  # fmt: skip
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
            await asyncio.gather(*(session(browser, i) for i in range(SESSIONS)))
            await browser.close()

    t0 = time.perf_counter()
    try:
        asyncio.run(main())
        peak = h.peak_rss_mib(proc.pid)
    finally:
        stop.set()
        servers.stop(proc)
    return {
        "peak_rss_mib": peak,
        "seconds": time.perf_counter() - t0,
        "views": views,
        "errors": errors,
        "sampled_max_mib": max(samples or [0]),
    }


# ---- where the time goes: cProfile inside the script thread, and every SQL statement timed ----

PROFILE_ENTRY = """
import cProfile, os, runpy, time
from etl import store

_query = getattr(store.Reader.query, "untimed", store.Reader.query)  # the entry runs on every rerun: wrap once
def query(self, sql, params=()):
    t = time.perf_counter()
    try:
        return _query(self, sql, params)
    finally:
        with open(os.environ["BENCH_PROFILE_OUT"] + ".sql", "a") as f:
            f.write(repr((" ".join(sql.split())[:160], (time.perf_counter() - t) * 1000)) + "\\n")
query.untimed = _query
store.Reader.query = query
profile = cProfile.Profile()
profile.enable()
try:
    runpy.run_path({dashboard!r}, run_name="__main__")
finally:
    profile.disable()
    profile.dump_stats(os.environ["BENCH_PROFILE_OUT"])
"""
OURS_PREFIXES = ("board/", "etl/", "pages/")


def _profile_run(at, out: Path) -> tuple[float, list[tuple[str, float]], list[tuple[str, float, float, int]]]:
    """Time one rerun under the profiling entry: (ms, [(sql, ms)…] in order, [(function, cumulative ms, own ms,
    calls)…] of our modules and of Streamlit's element commands, by cumulative time)."""
    import ast
    import pstats

    os.environ["BENCH_PROFILE_OUT"] = str(out)
    Path(str(out) + ".sql").unlink(missing_ok=True)
    ms = h.time_run(at)
    sqls = [ast.literal_eval(x) for x in Path(str(out) + ".sql").read_text().splitlines()] if Path(
        str(out) + ".sql").exists() else []  # fmt: skip
    stats = pstats.Stats(str(out)).stats
    rows = []
    for (file, line, name), (calls, _, own, cum, _) in stats.items():
        rel = file.replace(str(h.ROOT) + "/", "")
        ours = rel.startswith(OURS_PREFIXES)
        st_cmd = "/streamlit/elements/" in file and not name.startswith("_")
        if ours or st_cmd:
            where = rel if ours else "streamlit/" + file.split("/streamlit/", 1)[1]
            rows.append((f"{where}:{line} {name}", cum * 1000, own * 1000, calls))
    rows.sort(key=lambda r: -r[1])
    return ms, sqls, rows


def profile_pages(db: Path, pages: tuple[Page, ...], vals: dict, out_md: Path) -> None:
    """For each page: the first view after a load and the slowest first visit of the scripted sequence, each under
    cProfile; the SQL statements each ran, the costliest functions. Written as markdown to ``out_md``."""
    import tempfile

    from bench.harness import ROOT

    lines = [f"# Where the time goes: pages at province scale ({db.name})", "",
             "Each page: the first view after a simulated load and its slowest first visit (one rerun each, under "
             "cProfile in the script thread: times include the profiler's overhead, ~1.3–2×). *SQL*: every "
             "statement the rerun sent to DuckDB (cache misses only) in ms; *functions*: our modules and "
             "Streamlit's element commands by cumulative time.", ""]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        entry = root / "profiled.py"
        entry.write_text(PROFILE_ENTRY.format(dashboard=str(ROOT / "dashboard.py")))
        for page in pages:
            params = dict(page.naive_params) if page.key == "assessment" else {}
            if page.key == "project":
                params["id"] = vals["ids"][0]
            os.environ["BENCH_PROFILE_OUT"] = str(root / "warm.prof")
            at = h.open_page(entry, page.path, params=params, timeout=900)
            steps = _steps(at, page, vals)
            h.simulate_load(db)
            found = [("first view after a load", *_profile_run(at, root / "p.prof"))]
            slowest, seen = None, {_state(at)}
            for label, change in steps:  # round 1, each rerun profiled; the slowest first visit kept
                change(at)
                got = (f"first visit: {label}", *_profile_run(at, root / "p.prof"))
                if _state(at) not in seen and (slowest is None or got[1] > slowest[1]):
                    slowest = got
                seen.add(_state(at))
            if slowest is not None:
                found.append(slowest)
            lines += [f"## {page.key}", ""]
            for what, ms, sqls, rows in found:
                total_sql = sum(x for _, x in sqls)
                lines += [f"**{what}**: {ms:,.0f} ms, of which SQL {total_sql:,.0f} ms in {len(sqls)} statements.", ""]
                if sqls:
                    lines += ["| SQL (first 160 chars) | ms |", "|---|---|"]
                    lines += [
                        f"| `{q.replace('|', '¦')}` | {x:,.0f} |" for q, x in sorted(sqls, key=lambda r: -r[1])[:8]
                    ]
                    lines.append("")
                lines += ["| function | cumulative ms | own ms | calls |", "|---|---|---|---|"]
                lines += [f"| `{f}` | {c:,.0f} | {o:,.0f} | {n} |" for f, c, o, n in rows[:14]]
                lines.append("")
            print(f"    profiled {page.key}", file=sys.stderr, flush=True)
    out_md.write_text("\n".join(lines) + "\n")


# ---- the parent: runs, figures, the result file ----


def _pct(xs: list[float], q: int) -> float:
    if len(xs) < 2:
        return xs[0] if xs else float("nan")
    return statistics.quantiles(xs, n=100, method="inclusive")[q - 1]


def summarise(runs: list[dict], pages: tuple[Page, ...]) -> tuple[list[dict], dict]:
    """Per page, per run: p50 and p95 of all reruns (first visits included), of first visits and of cached ones,
    the first view after a load, max and median bytes, the naive p50 and memory; then the server's figures."""
    rows = []
    for page in pages:
        per_run = []
        for run in runs:
            ours = run["ours"].get("pages", {}).get(page.key)
            if ours is None:
                continue
            all_ms = [r["ms"] for r in ours["reruns"]]
            first = [r["ms"] for r in ours["reruns"] if r["first"]]
            cached = [r["ms"] for r in ours["reruns"] if not r["first"]]
            nbytes = [
                x for x in [r.get("bytes") for r in ours["reruns"]] + [ours.get("first_view_bytes")] if x is not None
            ]
            naive = run.get("naive", {}).get(page.key) or {}
            naive_ms = [r["ms"] for r in naive.get("reruns", [])]
            per_run.append({
                "p50": statistics.median(all_ms), "p95": _pct(all_ms, 95),
                "first_p50": statistics.median(first) if first else None, "first_p95": _pct(first, 95) if first else None,
                "cached_p50": statistics.median(cached) if cached else None,
                "cached_p95": _pct(cached, 95) if cached else None,
                "first_view": ours["first_view_ms"], "bytes_max": max(nbytes) if nbytes else None,
                "bytes_p50": statistics.median(nbytes) if nbytes else None,
                "naive_p50": statistics.median(naive_ms) if naive_ms else None,
                "naive_open": naive.get("opened_ms"), "naive_mib": naive.get("watched_peak_rss_mib",
                                                                           naive.get("peak_rss_mib")),
                "naive_failed": naive.get("failed"),
            })  # fmt: skip
        rows.append({"page": page, "runs": per_run})
    server = [run["server"] for run in runs if run.get("server") and "peak_rss_mib" in run["server"]]
    return rows, {"runs": server}


def _vals(per_run: list[dict], key: str) -> list[float]:
    return [r[key] for r in per_run if r.get(key) is not None]


def report(rows: list[dict], server: dict, db: Path, runs: int) -> tuple[str, list[dict]]:
    """The markdown section and the budget rows of the result file."""
    lines = [
        f"Warehouse `{db.name}` (fraction {FRACTION:g}). {runs} run(s); each figure is min / median / max over the "
        "runs. Server time: AppTest wall time of a rerun, in ms, over the scripted sequence (shared filters the page "
        "obeys, its own URL choices, back to the opening state; done twice): *all* = every rerun, first visits "
        "included (the budget's figure); *first* = state not seen since the load; *cached* = seen before. *First "
        "view*: the first rerun after a simulated load (file copied and renamed over: every cache misses). "
        "Bytes: the ForwardMsgs of the rerun (protobuf size; largest rerun of the page). Naive: the page's naive "
        f"version (pandas frames in `st.cache_data` + Plotly Express), p50 over {NAIVE_RERUNS} reruns after "
        "its frames were loaded, and the peak resident memory of its process.",
        "",
        "| page | all p50 | all p95 | first p50 / p95 (median run) | cached p50 / p95 (median run) | first view "
        "| KB per rerun (max) | naive p50 | naive peak MiB | ratio naive/ours p50 | verdicts |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    budgets = []
    for row in rows:
        page, per_run = row["page"], row["runs"]
        if not per_run:
            continue
        p50, p95, fv = _vals(per_run, "p50"), _vals(per_run, "p95"), _vals(per_run, "first_view")
        kb = [x / 1024 for x in _vals(per_run, "bytes_max")]
        naive = _vals(per_run, "naive_p50")
        mib = _vals(per_run, "naive_mib")
        failed = next((r["naive_failed"] for r in per_run if r.get("naive_failed")), None)
        ratios = [r["naive_p50"] / r["p50"] for r in per_run if r.get("naive_p50")]

        def med(k: str, per_run=per_run) -> float | None:
            return statistics.median(_vals(per_run, k)) if _vals(per_run, k) else None

        fp = f"{med('first_p50') or 0:,.0f} / {med('first_p95') or 0:,.0f}" if med("first_p50") else "—"
        cp = f"{med('cached_p50') or 0:,.0f} / {med('cached_p95') or 0:,.0f}" if med("cached_p50") else "—"
        checks = {
            "p50 ≤ 150 ms": statistics.median(p50) <= P50_MS,
            "p95 ≤ 400 ms": statistics.median(p95) <= P95_MS,
            "first view ≤ 500 ms": statistics.median(fv) <= FIRST_VIEW_MS,
            "≤ 5 MB": max(_vals(per_run, "bytes_max")) <= BYTES if _vals(per_run, "bytes_max") else None,
            "≥ 10× naive": (statistics.median(ratios) >= RATIO) if ratios else (True if failed else None),
        }
        verdict = ", ".join(f"{k} {h.met(v)}" for k, v in checks.items() if v is not None and not v) or "all met"
        naive_text = h.spread(naive) if naive else (f"stopped: {failed}" if failed else "—")
        ratio_text = h.spread(ratios, 1) + "×" if ratios else ("> all (naive stopped)" if failed else "—")
        lines.append(
            f"| {page.key} | {h.spread(p50)} | {h.spread(p95)} | {fp} | {cp} | {h.spread(fv)} | {h.spread(kb)} "
            f"| {naive_text} | {h.spread(mib)} | {ratio_text} | {verdict} |"
        )
        figures = {
            "p50 ≤ 150 ms": h.spread(p50) + " ms",
            "p95 ≤ 400 ms": h.spread(p95) + " ms",
            "first view ≤ 500 ms": h.spread(fv) + " ms",
            "≤ 5 MB": h.spread(kb) + " KB",
            "≥ 10× naive": ratio_text,
        }
        for name, ok in checks.items():
            if ok is None:
                continue
            budgets.append({"what": page.key, "figure": figures[name],
                            "budget": name, "verdict": h.met(ok)})  # fmt: skip
    lines.append("")
    srv = [r for r in server["runs"] if any(v["page"] != "open" for v in r["views"])]
    if srv:
        peaks = [r["peak_rss_mib"] for r in srv]
        views = [v for r in srv for v in r["views"] if v["page"] != "open"]
        errors = [e for r in srv for e in r["errors"]]
        kb = [v["bytes"] / 1024 for v in views]
        ms = [v["ms"] for v in views]
        lines += [
            f"Server with {SESSIONS} concurrent Chromium sessions (Playwright; one real `python -m board.serve`), "
            f"each clicking through the menu's {len({v['page'] for v in views})} pages: peak resident "
            f"memory (VmHWM) {h.spread(peaks)} MiB (budget {SERVER_MIB:,.0f} MiB: "
            f"{h.met(statistics.median(peaks) <= SERVER_MIB)}); {len(views)} page views in all; "
            f"websocket bytes received per page view (decompressed frames, Streamlit's message cache included): "
            f"median {statistics.median(kb):,.0f} KB, max {max(kb):,.0f} KB; a page view's wall time with "
            f"{SESSIONS} sessions at once: median {statistics.median(ms):,.0f} ms, p95 {_pct(ms, 95):,.0f} ms; "
            f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else "") + ".",
            "",
        ]
        budgets.append({"what": f"server, {SESSIONS} sessions: peak memory", "figure": h.spread(peaks) + " MiB",
                        "budget": "≤ 1.5 GB", "verdict": h.met(statistics.median(peaks) <= SERVER_MIB)})  # fmt: skip
    else:
        budgets.append({"what": f"server, {SESSIONS} sessions: peak memory", "figure": "—", "budget": "≤ 1.5 GB",
                        "verdict": "not measured"})  # fmt: skip
    return "\n".join(lines), budgets


def warehouse() -> Path:
    """The province warehouse of FRACTION, or the file BENCH_WAREHOUSE names (a copy: the suite replaces the file it
    measures to simulate loads, so two suites must never share one)."""
    named = os.environ.get("BENCH_WAREHOUSE")
    return Path(named).resolve() if named else province.warehouse_path(province.SEED, FRACTION)


def main() -> None:
    pages = chosen_pages()
    if os.environ.get("BENCH_PROFILE") == "1":  # where the time goes, instead of the figures
        db = warehouse()
        res = _spawn("profile", db, values(db))
        print(f"  profile: {res}")
        return
    db = warehouse()
    os.environ.setdefault("DASHBOARD_PSEUDONYM_KEY", str(db.parent / "province.key"))
    vals = values(db)
    print(f"  {db.name} ({db.stat().st_size / 2**20:,.0f} MiB); changes use {vals}", flush=True)
    runs = []
    for i in range(RUNS):
        run: dict = {"machine": h.machine()}
        t = time.perf_counter()
        run["ours"] = _spawn("ours", db, vals) if os.environ.get("BENCH_OURS", "1") != "0" else {}
        print(f"  run {i + 1}: ours {time.perf_counter() - t:.0f} s {run['ours'].get('failed', '')}", flush=True)
        run["naive"] = {}
        if os.environ.get("BENCH_NAIVE", "1") != "0" and i < NAIVE_RUNS:
            for page in pages:
                if page.naive is None:
                    continue
                t = time.perf_counter()
                res = _spawn("naive", db, vals, page.key, max_mib=NAIVE_MAX_MIB, timeout=NAIVE_TIMEOUT)
                run["naive"][page.key] = res
                got = res.get("failed") or f"p50 {statistics.median([r['ms'] for r in res['reruns']]):,.0f} ms"
                print(f"    naive {page.key:16s} {got}; peak {res.get('watched_peak_rss_mib', res.get('peak_rss_mib', 0)):,.0f} MiB"
                      f" ({time.perf_counter() - t:.0f} s)", flush=True)  # fmt: skip
        if os.environ.get("BENCH_SERVER", "1") != "0":
            t = time.perf_counter()
            try:
                run["server"] = measure_server(db, pages, vals)
            except Exception as exc:  # noqa: BLE001 — said in the result; the run's other figures are kept
                run["server"] = {"failed": f"{type(exc).__name__}: {exc}"}
            print(f"  run {i + 1}: server peak {run['server'].get('peak_rss_mib', 0):,.0f} MiB "
                  f"({time.perf_counter() - t:.0f} s) {run['server'].get('errors') or ''}", flush=True)  # fmt: skip
        runs.append(run)
        markdown, path = _save(runs, pages, db, vals)  # after every run: a long run stopped keeps what it measured
        print(f"  written {path} ({len(runs)} run(s))", flush=True)
    print(markdown)


def _save(runs: list[dict], pages: tuple[Page, ...], db: Path, vals: dict) -> tuple[str, Path]:
    rows, server = summarise(runs, pages)
    markdown, budgets = report(rows, server, db, len(runs))
    data = {"warehouse": str(db), "fraction": FRACTION, "values": vals, "runs": runs}
    name = os.environ.get("BENCH_RESULT", "province-pages")  # another name for runs made beside the main ones
    return markdown, h.save_result(name, "Pages at province scale", markdown, budgets=budgets, data=data)


def merge(names: list[str]) -> None:
    """One result from the runs of several result files (runs made at once on copies of the warehouse, e.g.
    ``BENCH_RESULT=province-pages-extra BENCH_WAREHOUSE=copy``): written as province-pages."""
    records = [json.loads((h.RESULTS_DIR / f"{n}.json").read_text()) for n in names]
    runs = [run for r in records for run in r["data"]["runs"]]
    data = records[0]["data"]
    os.environ.pop("BENCH_RESULT", None)
    markdown, path = _save(runs, chosen_pages(), Path(data["warehouse"]), data["values"])
    print(markdown)
    print(f"  written {path} ({len(runs)} run(s) from {', '.join(names)})")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--merge":
        merge(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], Path(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else None)
    else:
        main()
