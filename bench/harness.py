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
