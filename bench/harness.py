"""What the page benchmarks share: the demo warehouse in a temporary folder, the entry wrapper, AppTest pages opened
and rerun with a change before each timed run, the p50 and high percentile of the times, and the printed rows.

Each suite keeps its own content (which page, which filter change, which naive page, how many reruns) in its file.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]

Change = Callable[[AppTest, int], None]


@contextmanager
def demo_warehouse(
    *, returnees: int = 2000, as_of: date | None = None, audit_log: bool = False, say_time: bool = False
) -> Iterator[tuple[Path, Path]]:
    """(temporary folder, warehouse) with the demo county (etl.demo, seed 2012) built through the real load path;
    DASHBOARD_PSEUDONYM_KEY (and with ``audit_log`` DASHBOARD_AUDIT_LOG) point into the folder before the build,
    DASHBOARD_DB at the warehouse after it. ``say_time`` prints how long the build took."""
    from etl import demo

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["DASHBOARD_PSEUDONYM_KEY"] = str(root / "pseudonym.key")
        if audit_log:
            os.environ["DASHBOARD_AUDIT_LOG"] = str(root / "audit.jsonl")
        db = root / "warehouse.duckdb"
        t = time.perf_counter()
        kwargs = {"as_of": as_of} if as_of is not None else {}
        demo.build(db, root / "files", seed=2012, returnees=returnees, **kwargs)
        if say_time:
            print(f"demo county warehouse built in {time.perf_counter() - t:.1f} s", flush=True)
        os.environ["DASHBOARD_DB"] = str(db)
        yield root, db


def entry(root: Path) -> Path:
    """A wrapper of dashboard.py outside the repository (see tests/apptest_pages.py for why), as ``root``/ours.py."""
    path = root / "ours.py"
    path.write_text(f"import runpy\nrunpy.run_path({str(ROOT / 'dashboard.py')!r}, run_name='__main__')\n")
    return path


def naive_page(root: Path, name: str, source: str) -> Path:
    """The naive page's ``source`` written as ``root``/``name``."""
    path = root / name
    path.write_text(source)
    return path


def open_page(
    script: Path,
    page: str | None = None,
    *,
    params: dict[str, str] | None = None,
    timeout: float = 120,
    deep_link: bool = False,
) -> AppTest:
    """An AppTest of ``script`` that has run, switched to ``page`` (a path in the repository) if given. URL
    ``params`` are set after the first run (before it with ``deep_link``, whose first run is the page's own)."""
    at = AppTest.from_file(str(script), default_timeout=timeout)
    if deep_link:
        for name, value in (params or {}).items():
            at.query_params[name] = value
        if page is not None:
            at.switch_page(str(ROOT / page))
        return at.run()
    at.run()
    for name, value in (params or {}).items():
        at.query_params[name] = value
    if page is not None:
        at.switch_page(str(ROOT / page)).run()
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def cycle(widget: str, key: str, values: list) -> Change:
    """The change before rerun ``i``: the ``widget`` (AppTest's accessor, e.g. "multiselect") of ``key`` set to the
    ``i``-th of ``values``, round and round."""

    def change(at: AppTest, i: int) -> None:
        getattr(at, widget)(key=key).set_value(values[i % len(values)])

    return change


def time_run(at: AppTest) -> float:
    """Wall time of one ``at.run()`` in ms (the run must not raise)."""
    t = time.perf_counter()
    at.run()
    ms = (time.perf_counter() - t) * 1000
    ok(at)
    return ms


def time_reruns(at: AppTest, change: Change, n: int, *, warm: int = 0) -> list[float]:
    """Wall times (ms) of ``n`` reruns, each after ``change(at, i)``; first ``warm`` untimed reruns after
    ``change(at, 0…warm-1)`` (the first visit of each view fills the caches)."""
    for i in range(warm):
        change(at, i)
        at.run()
    times = []
    for i in range(n):
        change(at, i)
        times.append(time_run(at))
    return times


def p50_high(times: list[float], high: int = 95) -> tuple[float, float]:
    """(median, the ``high`` percentile) of ``times``: ``high`` 90 or 95, the top cut point of
    ``statistics.quantiles`` into 10 or 20 groups."""
    return statistics.median(times), statistics.quantiles(times, n=100 // (100 - high))[-1]


def townships(db: Path) -> list[str]:
    """The townships of the labour view, in order."""
    from etl.store import Reader

    cur = Reader(db).cursor()
    return [r[0] for r in cur.execute("SELECT DISTINCT township FROM v_labor ORDER BY 1").fetchall()]


def verdict(ms: float, budget_ms: float) -> str:
    return "within" if ms <= budget_ms else "OVER"


def row(name: str, ours: list[float], naive: list[float], budget_ms: float, *, high: int = 90, width: int = 34) -> str:
    """One line: ours p50 and high percentile against the budget, the naive page's p50 and high, the p50 ratio."""
    (o50, ohi), (n50, nhi) = p50_high(ours, high), p50_high(naive, high)
    return (
        f"  {name:{width}s} ours p50 {o50:6.1f} ms p{high} {ohi:6.1f} ({verdict(o50, budget_ms)})  "
        f"naive p50 {n50:6.1f} ms p{high} {nhi:6.1f}  ratio {n50 / o50:.1f}x"
    )


def block(ours: list[float], naive: list[float], budget_ms: float, *, high: int = 90, indent: str = "  ") -> list[str]:
    """Three lines: ours (p50, high, against the budget), the naive page, the p50 ratio naive/ours."""
    (o50, ohi), (n50, nhi) = p50_high(ours, high), p50_high(naive, high)
    return [
        f"{indent}ours : p50 {o50:7.1f} ms  p{high} {ohi:7.1f} ms  ({verdict(o50, budget_ms)} the {budget_ms:.0f} ms budget)",
        f"{indent}naive: p50 {n50:7.1f} ms  p{high} {nhi:7.1f} ms  (pandas frames in st.cache_data + px)",
        f"{indent}ratio naive/ours at p50: {n50 / o50:.1f}x",
    ]


# ---- shared by the province suites: bytes sent, a warehouse "load", memory, machine, results for BENCH.md ----


class Sent:
    """Counts the bytes of every ForwardMsg the script runs of this process produce (protobuf ``ByteSize()`` as
    enqueued for the browser, hash and metadata included). A real browser may be sent a short reference instead of
    a large element it already holds (Streamlit's message cache), so this is the upper bound of what one rerun
    sends, before websocket compression."""

    def __init__(self) -> None:
        from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

        self.total = 0
        ForwardMsgQueue.on_before_enqueue_msg(self._add)

    def _add(self, msg) -> None:
        self.total += msg.ByteSize()

    def take(self) -> int:
        """The bytes counted since the last take."""
        n, self.total = self.total, 0
        return n


def measured_run(at: AppTest, sent: Sent) -> tuple[float, int]:
    """(wall time in ms, bytes sent) of one ``at.run()`` (the run must not raise)."""
    sent.take()
    ms = time_run(at)
    return ms, sent.take()


def simulate_load(db: Path) -> None:
    """What a load or rollback does to the readers: the file's version token (etl.store.version: inode, mtime_ns)
    changes, so every cached result misses and the shared Reader reopens the file (a new DuckDB instance, cold
    buffers). The file is copied and the copy renamed over it (a new inode), as build-and-swap does."""
    import shutil

    tmp = db.with_name(db.name + ".swap")
    shutil.copyfile(db, tmp)
    os.replace(tmp, db)


def peak_rss_mib(pid: int | str = "self") -> float:
    """The peak resident set (VmHWM) of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mib(pid: int) -> float:
    """The current resident set (VmRSS) of a process, in MiB (0 when it is gone)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return next((int(x.split()[1]) / 1024 for x in text.splitlines() if x.startswith("VmRSS:")), 0.0)


def run_capped(
    cmd: list[str], *, max_rss_mib: float, timeout: float, env: dict | None = None, log: Path | None = None
) -> dict:
    """Run ``cmd`` (cwd: the repository), watching its resident memory every 0.1 s; kill it when it passes
    ``max_rss_mib`` or ``timeout`` seconds. Returns its stdout, return code, peak RSS seen (MiB), why it was
    stopped ("" when it ended by itself) and the end of its stderr (appended to ``log`` as it runs, if given)."""
    import subprocess
    import tempfile

    err_file = open(log, "a+") if log else tempfile.TemporaryFile("w+")  # noqa: SIM115 — closed below
    out_file = tempfile.TemporaryFile("w+")  # files, not pipes: a child never blocks on a full pipe
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out_file, stderr=err_file, text=True)
    started, peak, why = time.perf_counter(), 0.0, ""
    while proc.poll() is None:
        peak = max(peak, rss_mib(proc.pid))
        if peak > max_rss_mib:
            why = f"memory over {max_rss_mib:,.0f} MiB"
        elif time.perf_counter() - started > timeout:
            why = f"over {timeout:,.0f} s"
        if why:
            proc.kill()
            break
        time.sleep(0.1)
    proc.wait()
    out_file.seek(0)
    err_file.seek(0)
    out, err = out_file.read(), err_file.read()
    out_file.close()
    err_file.close()
    return {"stdout": out, "stderr": err[-4000:], "returncode": proc.returncode, "peak_rss_mib": peak, "killed": why}


def machine() -> dict:
    """Cores, memory, load average and the kernel of this machine, now."""
    import platform

    mem = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        name, value = line.split(":", 1)
        mem[name] = int(value.split()[0]) / 1024 / 1024  # GiB
    cpu = next(
        (x.split(":", 1)[1].strip() for x in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in x), ""
    )
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(mem.get("MemTotal", 0), 1),
        "available_gib": round(mem.get("MemAvailable", 0), 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "kernel": platform.release(),
    }


def versions() -> dict:
    """The versions of what the figures depend on."""
    import platform
    from importlib.metadata import version

    out = {"python": platform.python_version()}
    for dist in ("duckdb", "pandas", "pyarrow", "streamlit", "plotly", "playwright"):
        try:
            out[dist] = version(dist)
        except Exception:  # noqa: BLE001 — not installed: said so
            out[dist] = "not installed"
    return out


RESULTS_DIR = ROOT / "data" / "bench" / "results"


def save_result(suite: str, title: str, markdown: str, *, budgets: list[dict] | None = None, data=None) -> Path:
    """Write a suite's figures as data/bench/results/<suite>.json, the contribution ``python -m bench report``
    assembles into BENCH.md: its ``title``, its section's ``markdown`` body, its ``budgets`` (rows of ``what``,
    ``figure``, ``budget``, ``verdict``: "met", "missed" or "not measured") for the summary, the machine at the time
    of the measurement, and raw ``data``."""
    import json
    from datetime import UTC, datetime

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    record = {
        "suite": suite,
        "title": title,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "markdown": markdown,
        "budgets": budgets or [],
        "data": data,
    }
    path = RESULTS_DIR / f"{suite}.json"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1, default=str) + "\n")
    return path


def spread(values: list[float], digits: int = 0) -> str:
    """ "min / median / max" of the runs' figures (one figure alone when there was one run)."""
    if not values:
        return "—"
    f = f"{{:,.{digits}f}}"
    if len(values) == 1:
        return f.format(values[0])
    return " / ".join(f.format(v) for v in (min(values), statistics.median(values), max(values)))


def met(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "missed")
