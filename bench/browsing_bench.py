"""Load under browsing (issue 13, item 5): 8 real browser sessions click through pages and filters while a
1-million-row returnees batch loads with ``python -m etl load``; the server's own time per rerun before, during and
after the load, errors, the load's time, the server's peak memory, and the new total seen by every session.

- Warehouse: the demo county (built here, in a temporary folder) by default; the province warehouse
  (bench/province.py, data/bench/province-<seed>-<fraction>.duckdb) when BENCH_PROVINCE_FRACTION is set. The
  bench works on a copy (the load changes it).
- The batch: BENCH_LOAD_ROWS (1,000,000) returnees NEW to the warehouse (ID region codes no county of the demo
  or the province uses, their own random stream), in the warehouse's townships, written once to
  data/bench/browsing-returnees-<rows>-<warehouse>.csv.
- The server: ``python -m board.serve`` (tests/servers.py) with the timing log on (DASHBOARD_TIMINGS,
  board/timings.py): each script run's server time comes from that log, never from the browser's clock.
- BENCH_SESSIONS (8) Chromium tabs (Debian chromium via Playwright), each its own Streamlit session, loop through
  clicks: a page of the menu, a year, a township added, the townships cleared, with a think time of
  BENCH_THINK_MS (400–1200 ms, seeded) between clicks. Phases: warm-up (every tab's first view, not counted),
  baseline (BENCH_BASELINE_SECONDS, 60), each tab to one fixed view (returnees, every returnee, the latest month,
  all townships) to read the total before, the load (the tabs keep clicking), the same view again on each tab
  right after the commit (the new total must show without a restart or a reload), then BENCH_AFTER_SECONDS (30)
  more clicking.
- Errors: script runs that showed the error message (the log), error elements on the tabs (stException, the
  generic error), browser console errors and page errors, clicks that never finished.

Writes data/bench/results/browsing.json (figures with names, units and budgets) and prints the same.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb
import numpy as np

from board import nav, timings
from board.i18n import t

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "data" / "bench"
RESULTS = BENCH_DIR / "results" / "browsing.json"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip
AS_OF = date(2026, 11, 27)
SESSIONS = int(os.environ.get("BENCH_SESSIONS", 8))
ROWS = int(os.environ.get("BENCH_LOAD_ROWS", 1_000_000))
BASELINE_S = float(os.environ.get("BENCH_BASELINE_SECONDS", 60))
AFTER_S = float(os.environ.get("BENCH_AFTER_SECONDS", 30))
CLICK_TIMEOUT_S = float(os.environ.get("BENCH_CLICK_TIMEOUT", 180))  # a click's run not ended by then: "stuck"
THINK_MS = tuple(int(x) for x in os.environ.get("BENCH_THINK_MS", "400-1200").split("-"))
BUDGET_P50, BUDGET_P95 = 150.0, 400.0  # ms, a rerun's server time (issue 13); during a load: twice these
BATCH_REGION = "659001"  # no county of the demo (610328, 6103xx others) or of the province (53xxxx) uses it
BATCH_SEED = 13_005
# The pages the sessions click through (the data pages of the menu; not upload, batches, audit, one project).
PAGES = (
    "overview", "targets", "pipeline", "returnees", "stalled", "training", "parks", "ventures", "labour",
    "key-projects", "investment-jobs", "projects", "park-grades", "assessment",
)  # fmt: skip
PATTERN = ("page", "year", "page", "town", "page", "page", "clear", "page", "year")
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# Whether a run that began after the mark [document, runs ended] (see ``mark``) has ended and the app is idle.
SETTLED = f"""([doc, n]) => (window.__doc !== doc ? window.__ended > 0 : window.__ended > n)
  && document.querySelector('{IDLE}') !== null"""
MARK = "[window.__doc, window.__ended]"
# Counts the runs the browser saw end: every change of the app's script state away from "running"; __doc tells a
# reloaded document (a new session) from the one a click was made in.
RECORDER = """
window.__ended = 0;
window.__doc = String(Math.random());
new MutationObserver((records) => {
  for (const r of records) if (r.oldValue === 'running') window.__ended += 1;
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""


# Streamlit's client opened at a page's URL (/returnees) first asks for /returnees/_stcore/health and host-config (in
# case the app is served under that base path), gets 404 and goes on at /: not an error of the dashboard.
BASE_PATH_PROBES = re.compile(r"/[^/]+/_stcore/(health|host-config)$")


def console_error(message) -> str | None:
    """A browser console message (Playwright's ConsoleMessage) as an error to report, None when it is not one."""
    if message.type != "error":
        return None
    where = (message.location or {}).get("url", "")
    if "status of 404" in message.text and BASE_PATH_PROBES.search(where):
        return None
    return f"{message.text[:200]} ({where})"


# ── the batch ─────────────────────────────────────────────────────────────────────────────────────────────


def townships(db: Path, years: tuple[int, int] = (AS_OF.year - 4, AS_OF.year)) -> tuple[str, ...]:
    """The warehouse's townships valid through all ``years`` (first, last), in registry order."""
    sql = """SELECT name FROM v_units WHERE type = '镇街' AND coalesce(first_year, 0) <= ?
             AND coalesce(last_year, 9999) >= ? ORDER BY code, name"""
    with duckdb.connect(str(db), read_only=True) as con:
        return tuple(r[0] for r in con.execute(sql, list(years)).fetchall())


def write_batch(path: Path, rows: int, towns: tuple[str, ...], *, seed: int = BATCH_SEED, as_of: date = AS_OF) -> Path:
    """``rows`` returnees (one row per person, a clean file) in ``towns``, whose IDs carry a region code no demo
    county uses (so the people are new to the warehouse), written as a UTF-8 CSV with the Chinese headers."""
    from etl.demo import ArrowCsv, demo_years
    from etl.demo_people import CHUNK, returnee_chunk

    years = demo_years(as_of)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    counts = (0, 0)
    with ArrowCsv(tmp, "utf-8-sig") as out:
        for i, begin in enumerate(range(0, rows, CHUNK)):
            size = min(CHUNK, rows - begin)
            rng = np.random.default_rng([seed, i])
            table, n_local = returnee_chunk(rng, size, years, as_of, towns, 2, counts, seed, BATCH_REGION)
            counts = (counts[0] + n_local, counts[1] + size - n_local)
            out.write(table)
    tmp.replace(path)
    return path


def returnee_count(db: Path) -> int:
    """Every returnee in the warehouse (one row per person), counted here by hand."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM v_returnees").fetchone()[0]


# ── the server ────────────────────────────────────────────────────────────────────────────────────────────


class Memory(threading.Thread):
    """Samples the resident memory of the server (and of the loader while it runs) every 0.2 s, per phase."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.phase, self.loader = pid, "warm-up", None
        self.peak: dict[str, int] = {}
        self.loader_peak = 0
        self.done = threading.Event()

    @staticmethod
    def rss(pid: int, field_name: str = "VmRSS") -> int:
        """kB of ``field_name`` in /proc/<pid>/status (0 once the process is gone)."""
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
        except OSError:
            return 0
        return 0

    def run(self) -> None:
        while not self.done.wait(0.2):
            kb = self.rss(self.pid)
            self.peak[self.phase] = max(self.peak.get(self.phase, 0), kb)
            if self.loader:
                self.loader_peak = max(self.loader_peak, self.rss(self.loader))


def drain(proc: subprocess.Popen, lines: list[str]) -> None:
    """Read the server's output (a full pipe would block it); keep the lines."""
    for line in proc.stdout:
        lines.append(line.rstrip())


# ── the sessions ──────────────────────────────────────────────────────────────────────────────────────────


@dataclass
class Session:
    n: int
    page: object
    towns: tuple[str, ...]
    rng: random.Random
    step: int = 0
    picked: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    shown_errors: int = 0
    stuck: list[str] = field(default_factory=list)
    reloads: list[str] = field(default_factory=list)
    view_missed: list[str] = field(default_factory=list)
    latest: int = 0
    clicks: int = 0

    @property
    def sidebar(self):
        return self.page.locator('[data-testid="stSidebar"]')

    async def settle(self, before: list, what: str, timeout: float = CLICK_TIMEOUT_S * 1000) -> None:
        """Wait until a run that started after the click ended and the app is idle; then look for errors."""
        try:
            await self.page.wait_for_function(SETTLED, arg=before, timeout=timeout)
        except Exception:  # noqa: BLE001 - a click that never finished is reported, the loop goes on
            self.stuck.append(what)
        if await self.page.evaluate("window.__doc") != before[0]:
            self.reloads.append(what)
        errors = await self.page.locator('[data-testid="stException"]').count()
        errors += await self.page.get_by_text(t("error.generic", "zh"), exact=True).count()
        self.shown_errors += errors

    async def ended(self) -> list:
        return await self.page.evaluate(MARK)

    async def open(self, url: str) -> None:
        wait = CLICK_TIMEOUT_S * 1000
        await self.page.goto(url, timeout=wait)
        await self.page.wait_for_selector(IDLE, timeout=wait)
        await self.page.locator("h1").first.wait_for(timeout=wait)

    async def goto_page(self, url_path: str) -> bool:
        """Click the page's menu link; False (no click) when the tab shows that page already (the same URL would
        not run the script again)."""
        here = urlsplit(self.page.url).path.strip("/") or nav.HOME.url_path
        if here == url_path:
            return False
        spec = next(p for p in nav.PAGES if p.url_path == url_path)
        before = await self.ended()
        link = self.sidebar.locator('[data-testid="stPageLink"]').get_by_text(t(spec.title_key, "zh"), exact=True)
        await link.click()
        await self.settle(before, "page " + url_path)
        return True

    async def pick_year(self, latest: bool = False) -> bool:
        box = self.sidebar.get_by_role("combobox", name=t("filters.year", "zh"))
        options = self.page.get_by_role("option")
        current = await box.input_value()
        for attempt in range(3):  # a click while the sidebar redraws may not open the list
            await box.click()
            try:
                await options.first.wait_for(timeout=5_000)
                break
            except Exception:  # noqa: BLE001
                await self.page.keyboard.press("Escape")
                if attempt == 2:
                    raise
        labels = await options.all_inner_texts()
        self.latest = int(re.sub(r"\D", "", max(labels)))
        target = max(labels) if latest else self.rng.choice([x for x in labels if x != current] or labels)
        if target == current:
            await self.page.keyboard.press("Escape")
            return False
        before = await self.ended()
        await options.get_by_text(target, exact=True).click()
        await self.settle(before, "year")
        return True

    async def add_town(self) -> None:
        name = self.rng.choice([x for x in self.towns if x not in self.picked])
        box = self.sidebar.get_by_role("combobox", name=t("filters.townships", "zh"))
        await box.click()
        await box.press_sequentially(name)  # the option list is virtualised: filter it first
        before = await self.ended()
        await self.page.get_by_role("option", name=name, exact=True).click()
        await self.page.keyboard.press("Escape")
        self.picked.append(name)
        await self.settle(before, "town")

    async def clear_towns(self) -> bool:
        clear = self.sidebar.locator('[data-testid="stMultiSelect"]').first.locator('[aria-label="Clear all"]')
        if not await clear.count():
            return False
        before = await self.ended()
        await clear.click()
        self.picked.clear()
        await self.settle(before, "clear")
        return True

    async def act(self) -> None:
        kind = PATTERN[self.step % len(PATTERN)]
        if kind == "page":
            i = self.n * 3 + self.step
            await self.goto_page(PAGES[i % len(PAGES)]) or await self.goto_page(PAGES[(i + 1) % len(PAGES)])
        elif kind == "year":
            await self.pick_year()
        elif kind == "town" and len(self.picked) < 2:
            await self.add_town()
        elif not await self.clear_towns():
            await self.goto_page("overview")
        self.step += 1
        self.clicks += 1

    async def loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.act()
            except Exception as e:  # noqa: BLE001 - a click that could not be made is reported, the loop goes on
                self.stuck.append(f"{type(e).__name__}: {str(e).splitlines()[0][:120]}")
                await self.page.keyboard.press("Escape")
            await asyncio.sleep(self.rng.uniform(*THINK_MS) / 1000)

    async def total(self) -> int | None:
        """Put the tab on the returnees page, every returnee (cohort "all"), the latest year's last month, all
        townships, by clicks in this session (checked in the URL, tried again when a click went astray); the first
        card's count (None when the view could not be reached)."""
        for _ in range(3):
            try:
                await self.to_view()
                url = urlsplit(self.page.url)
                query = parse_qs(url.query)
                view = (url.path, query.get("year"), query.get("cohort"), "town" in query)
                if view == ("/returnees", [str(self.latest)], ["all"], False):
                    card = self.page.locator('[data-testid="stMetricValue"]').first
                    value = await card.inner_text(timeout=CLICK_TIMEOUT_S * 1000)
                    digits = re.sub(r"\D", "", value)
                    return int(digits) if digits else None
                self.view_missed.append(self.page.url)
            except Exception as e:  # noqa: BLE001 - reported; tried again
                self.view_missed.append(f"{type(e).__name__}: {str(e).splitlines()[0][:120]}")
                await self.page.keyboard.press("Escape")
        return None

    async def to_view(self) -> None:
        await self.clear_towns()
        await self.pick_year(latest=True)
        await self.goto_page("returnees")
        box = self.page.locator('[data-testid="stMain"]').get_by_role("combobox", name=t("returnees.cohort", "zh"))
        await box.wait_for(timeout=CLICK_TIMEOUT_S * 1000)
        want = t("returnees.cohort.all", "zh")
        if await box.input_value() != want:
            await box.click()
            before = await self.ended()
            await self.page.get_by_role("option", name=want, exact=True).click()
            await self.settle(before, "cohort")


# ── the figures ───────────────────────────────────────────────────────────────────────────────────────────


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def phase_of(start: float, marks: dict[str, float]) -> str:
    if start < marks["baseline"]:
        return "warm-up"
    if start < marks["check-before"]:
        return "before"
    if start < marks["load"]:
        return "check-before"
    if start < marks["committed"]:
        return "during"
    return "after"


def summarise(lines: list[dict], marks: dict[str, float]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for phase in ("warm-up", "before", "check-before", "during", "after"):
        mine = [x for x in lines if phase_of(x["start"], marks) == phase]
        whole = [x["ms"] for x in mine if x["end"] in ("ok", "stop")]
        out[phase] = {
            "runs": len(mine),
            "whole_runs": len(whole),
            "cut_short": sum(x["end"] == "rerun" for x in mine),
            "errors": sum(bool(x["error"]) for x in mine),
            "p50_ms": pct(whole, 50),
            "p95_ms": pct(whole, 95),
            "max_ms": max(whole) if whole else None,
            "sessions": len({x["session"] for x in mine}),
        }
    return out


def by_page(lines: list[dict], marks: dict[str, float]) -> dict[str, dict]:
    """Per page: whole runs and p50/p95 (ms) before and during the load."""
    out: dict[str, dict] = {}
    for page in sorted({x["page"] for x in lines}):
        row = {}
        for phase in ("before", "during", "after"):
            ms = [x["ms"] for x in lines if x["page"] == page and x["end"] in ("ok", "stop")
                  and phase_of(x["start"], marks) == phase]  # fmt: skip
            row[phase] = {"runs": len(ms), "p50_ms": pct(ms, 50), "p95_ms": pct(ms, 95)}
        out[page] = row
    return out


# ── the run ───────────────────────────────────────────────────────────────────────────────────────────────


def warehouse_copy(tmp: Path) -> tuple[Path, str]:
    """(a copy of the warehouse to load into, its name for the batch file and the report)."""
    fraction = os.environ.get("BENCH_PROVINCE_FRACTION")
    if fraction:
        from bench import province

        src = province.warehouse_path(province.SEED, float(fraction))
        key = src.parent / "province.key"
        os.environ["DASHBOARD_PSEUDONYM_KEY"] = str(tmp / "pseudonym.key")
        shutil.copyfile(key, tmp / "pseudonym.key")
        db = tmp / "warehouse.duckdb"
        t0 = time.perf_counter()
        shutil.copyfile(src, db)
        print(f"  copied {src.name} ({src.stat().st_size / 2**30:.2f} GiB) in {time.perf_counter() - t0:.1f} s")
        return db, f"province-{province.SEED}-{float(fraction):g}"
    from etl import demo

    os.environ["DASHBOARD_PSEUDONYM_KEY"] = str(tmp / "pseudonym.key")
    db = tmp / "warehouse.duckdb"
    demo.build(db, tmp / "files", seed=2012, as_of=AS_OF)
    return db, "demo"


async def drive(url: str, db: Path, batch: Path, memory: Memory, towns: tuple[str, ...]) -> dict:
    from playwright.async_api import async_playwright

    marks: dict[str, float] = {}
    out: dict = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        sessions = []
        for n in range(SESSIONS):
            context = await browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
            page = await context.new_page()
            await page.add_init_script(RECORDER)
            s = Session(n, page, towns, random.Random(1000 + n))
            page.on("console", lambda m, s=s: s.console.append(e) if (e := console_error(m)) else None)
            page.on("pageerror", lambda e, s=s: s.console.append("pageerror: " + str(e)[:200]))
            sessions.append(s)
        await asyncio.gather(*(s.open(url) for s in sessions))
        print(f"  {SESSIONS} sessions open", flush=True)

        async def clicking(seconds: float | None, until: asyncio.Future | None = None) -> None:
            stop = asyncio.Event()
            loops = [asyncio.create_task(s.loop(stop)) for s in sessions]
            if until is not None:
                await until
            else:
                await asyncio.sleep(seconds)
            stop.set()
            await asyncio.gather(*loops)

        marks["baseline"] = time.time()
        memory.phase = "before"
        await clicking(BASELINE_S)
        marks["check-before"] = time.time()
        before = await asyncio.gather(*(s.total() for s in sessions))
        expected_before = returnee_count(db)
        print(f"  baseline done; every session shows {set(before)} (warehouse: {expected_before:,})", flush=True)

        cmd = [sys.executable, "-m", "etl", "--db", str(db), "load", str(batch), "--user", "bench"]
        marks["load"] = time.time()
        memory.phase = "during"
        t0 = time.perf_counter()
        loader = await asyncio.create_subprocess_exec(
            *cmd, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        memory.loader = loader.pid
        done = asyncio.ensure_future(loader.communicate())
        await clicking(None, done)
        load_s = time.perf_counter() - t0
        marks["committed"] = time.time()
        memory.phase = "after"
        load_out = done.result()[0].decode(errors="replace").strip()
        print(f"  load: exit {loader.returncode} in {load_s:.1f} s: {load_out.splitlines()[-1:]}", flush=True)
        after = await asyncio.gather(*(s.total() for s in sessions))
        expected_after = returnee_count(db)
        print(f"  after the commit every session shows {set(after)} (warehouse: {expected_after:,})", flush=True)
        for s in sessions[:1]:
            await s.page.screenshot(path=str(SHOTS / "returnees-after-load.png"))
        await clicking(AFTER_S)
        marks["end"] = time.time()
        fresh = Session(
            SESSIONS, await browser.new_page(viewport={"width": 1366, "height": 900}), towns, random.Random(0)
        )
        await fresh.page.add_init_script(RECORDER)
        await fresh.open(url)
        fresh_total = await fresh.total()
        await fresh.page.screenshot(path=str(SHOTS / "returnees-fresh-tab.png"), full_page=True)
        await browser.close()
    out.update(
        marks=marks,
        load={"seconds": load_s, "exit": loader.returncode, "output": load_out.splitlines()[-3:]},
        totals={
            "before_expected": expected_before,
            "before_shown": before,
            "after_expected": expected_after,
            "after_shown": after,
            "fresh_tab_after": fresh_total,
        },
        sessions=[
            {
                "clicks": s.clicks,
                "shown_errors": s.shown_errors,
                "console": s.console,
                "stuck": s.stuck,
                "reloads": s.reloads,
                "view_missed": s.view_missed,
            }
            for s in sessions
        ],
    )
    return out


SHOTS = Path(os.environ.get("BENCH_SHOTS", "/work/shots/browsing"))


def figure(name: str, value, unit: str, budget=None, better: str = "lower") -> dict:
    ok = None
    if budget is not None and value is not None:
        ok = value <= budget if better == "lower" else value >= budget
    return {"name": name, "value": value, "unit": unit, "budget": budget, "ok": ok}


def main() -> None:
    from tests import servers

    if not Path(CHROMIUM).exists():
        print("  Debian chromium is not installed (make browser): skipped")
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="browsing-bench-") as tmp_name:
        tmp = Path(tmp_name)
        t0 = time.perf_counter()
        db, name = warehouse_copy(tmp)
        print(f"  warehouse ({name}) ready in {time.perf_counter() - t0:.1f} s", flush=True)
        towns = townships(db)
        batch = BENCH_DIR / f"browsing-returnees-{ROWS}-{name}.csv"
        if not batch.exists():
            t0 = time.perf_counter()
            write_batch(batch, ROWS, towns)
            print(f"  generated {batch.name} in {time.perf_counter() - t0:.1f} s", flush=True)
        log = tmp / "timings.jsonl"
        proc, url = servers.start(db, Path(os.environ["DASHBOARD_PSEUDONYM_KEY"]), {timings.ENV: str(log)})
        if url is None:
            raise SystemExit("the dashboard server exited before listening")
        server_lines: list[str] = []
        threading.Thread(target=drain, args=(proc, server_lines), daemon=True).start()
        memory = Memory(proc.pid)
        memory.start()
        try:
            run = asyncio.run(drive(url, db, batch, memory, towns))
        finally:
            memory.done.set()
            peak_hwm = Memory.rss(proc.pid, "VmHWM")
            servers.stop(proc)
        lines = timings.read(log)
    report(run, lines, memory, peak_hwm, server_lines, name, batch)


def report(run: dict, lines: list[dict], memory: Memory, peak_hwm: int, server_lines: list[str], name: str, batch):
    phases = summarise(lines, run["marks"])
    totals = run["totals"]
    after_ok = all(x == totals["after_expected"] for x in totals["after_shown"])
    before_ok = all(x == totals["before_expected"] for x in totals["before_shown"])
    console = sum(len(s["console"]) for s in run["sessions"])
    shown = sum(s["shown_errors"] for s in run["sessions"])
    stuck = sum(len(s["stuck"]) for s in run["sessions"])
    log_errors = sum(p["errors"] for p in phases.values())
    server_tracebacks = sum("Traceback" in x for x in server_lines)
    load_s = run["load"]["seconds"]
    mib = 1024
    b, d, a = phases["before"], phases["during"], phases["after"]
    figures = [
        figure("sessions", SESSIONS, "tabs"),
        figure("rerun p50 before the load", b["p50_ms"], "ms", BUDGET_P50),
        figure("rerun p95 before the load", b["p95_ms"], "ms", BUDGET_P95),
        figure("rerun p50 during the load", d["p50_ms"], "ms", 2 * BUDGET_P50),
        figure("rerun p95 during the load", d["p95_ms"], "ms", 2 * BUDGET_P95),
        figure("rerun p50 after the commit", a["p50_ms"], "ms", BUDGET_P50),
        figure("rerun p95 after the commit", a["p95_ms"], "ms", BUDGET_P95),
        figure("reruns measured before the load", b["whole_runs"], "runs"),
        figure("reruns measured during the load", d["whole_runs"], "runs"),
        figure("reruns measured after the commit", a["whole_runs"], "runs"),
        figure("load of the batch (python -m etl load)", round(load_s, 2), "s"),
        figure("load rows per second", round(ROWS / load_s) if run["load"]["exit"] == 0 else None, "rows/s"),
        figure("loader peak memory (sampled)", round(memory.loader_peak / mib), "MiB"),
        figure("server peak memory (VmHWM)", round(peak_hwm / mib), "MiB", 1536),
        figure("server peak memory during the load (sampled)", round(memory.peak.get("during", 0) / mib), "MiB"),
        figure("errors shown (timing log)", log_errors, "runs", 0),
        figure("error elements seen on the tabs", shown, "count", 0),
        figure("browser console and page errors", console, "count", 0),
        figure(f"clicks whose run did not end within {CLICK_TIMEOUT_S:g} s", stuck, "count", 0),
        figure("server tracebacks", server_tracebacks, "count", 0),
        figure("sessions showing the warehouse's total before the load", sum(
            x == totals["before_expected"] for x in totals["before_shown"]), "tabs", SESSIONS, "higher"),
        figure("sessions showing the new total after the commit", sum(
            x == totals["after_expected"] for x in totals["after_shown"]), "tabs", SESSIONS, "higher"),
    ]  # fmt: skip
    result = {
        "suite": "browsing",
        "title": "Load under browsing: 8 browser sessions clicking while a 1M-row batch loads",
        "warehouse": name,
        "batch": {"file": batch.name, "rows": ROWS},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average": os.getloadavg()},
        "settings": {
            "sessions": SESSIONS,
            "baseline_s": BASELINE_S,
            "after_s": AFTER_S,
            "think_ms": list(THINK_MS),
            "pages": list(PAGES),
            "click_timeout_s": CLICK_TIMEOUT_S,
        },
        "figures": figures,
        "phases": phases,
        "by_page": by_page(lines, run["marks"]),
        "totals": totals,
        "load": run["load"],
        "sessions": run["sessions"],
        "memory_peaks_mib": {k: round(v / mib) for k, v in memory.peak.items()},
        "server_log_tail": server_lines[-20:] if server_tracebacks else [],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    print(f"  warehouse {name}; batch {ROWS:,} new returnees; {SESSIONS} sessions")
    print(f"  {'phase':<13}{'runs':>6}{'whole':>7}{'cut':>5}{'err':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for phase, x in phases.items():
        cells = [f"{x[k]:>9.0f}" if x[k] is not None else f"{'—':>9}" for k in ("p50_ms", "p95_ms", "max_ms")]
        print(f"  {phase:<13}{x['runs']:>6}{x['whole_runs']:>7}{x['cut_short']:>5}{x['errors']:>5}{''.join(cells)}")
    for f in figures:
        mark = "" if f["ok"] is None else ("  ok" if f["ok"] else "  OVER BUDGET" if f["unit"] != "tabs" else "  FAIL")
        budget = f"  (budget {f['budget']})" if f["budget"] is not None else ""
        print(f"  {f['name']}: {f['value']} {f['unit']}{budget}{mark}")
    print(f"  totals before {totals['before_shown']} = {totals['before_expected']:,}: {before_ok}")
    print(f"  totals after  {totals['after_shown']} = {totals['after_expected']:,}: {after_ok}")
    print(f"  a fresh tab after the load: {totals['fresh_tab_after']}")
    print(f"  written {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
