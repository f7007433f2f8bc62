"""Upload page: validation + preview time of a 100k-row upload through the page, against the CLI's check of the
same file in the same run.

Ours: AppTest wall time of the upload page's run after the file is given to its uploader — the worker process
starts, reads and checks the file against the warehouse (etl.check, as ``load`` would), compares its keys with
the loaded data, writes the error report, and the page draws the counts, the tables and the preview. The
baseline: ``python -m etl validate FILE`` (a process of its own, the same check, printing the verdict), and for
reference the in-process ``etl.check.check`` alone. Files: a valid 100k-row projects CSV, and the same with
every 10th row in error (10k located errors and the report). Budget: preview within 5 s (figures only).
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

ROWS = int(os.environ.get("BENCH_UPLOAD_ROWS", 100_000))
REPEATS = int(os.environ.get("BENCH_UPLOAD_REPEATS", 5))
BUDGET_S = 5.0
TOWNS = ["青石镇", "柳河镇", "城关镇"]


def projects_csv(rows: int, bad_every: int = 0) -> bytes:
    """A clerk's projects file of ``rows`` new projects; every ``bad_every``-th total is unreadable."""
    head = "项目编号,项目名称,所属镇街,产业类别,总投资(万元),项目状态,签约日期\n"
    lines = []
    for i in range(rows):
        total = "abc" if bad_every and i % bad_every == 0 else str(1000 + i % 5000)
        lines.append(f"B{i:07d},项目{i},{TOWNS[i % 3]},新材料,{total},签约,2026-{i % 9 + 1:02d}-15\n")
    return (head + "".join(lines)).encode("utf-8-sig")


def _stats(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(times), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _page(entry: Path, data: bytes) -> list[float]:
    times = []
    for i in range(REPEATS):
        at = h.open_page(entry, "pages/upload.py", timeout=300)
        at.get("file_uploader")[0].upload(f"projects_{i}.csv", data)
        times.append(h.time_run(at) / 1000)
        assert at.metric, "the page shows the counts"
    return times


def _cli(db: Path, path: Path) -> list[float]:
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "etl", "--db", str(db), "validate", str(path)], cwd=ROOT, capture_output=True)  # fmt: skip
        times.append(time.perf_counter() - t)
    return times


def _in_process(db: Path, data: bytes) -> list[float]:
    from etl import check
    from etl.pseudonym import load_key

    times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        check.check(data, "p.csv", check.read_context(db), key=load_key())
        times.append(time.perf_counter() - t)
    return times


def main() -> None:
    rows = []
    with h.demo_warehouse() as (root, db):
        entry = h.entry(root)
        for name, data in (("valid", projects_csv(ROWS)), ("10% rows in error", projects_csv(ROWS, 10))):
            path = root / "projects.csv"
            path.write_bytes(data)
            rows.append((name, len(data), _page(entry, data), _cli(db, path), _in_process(db, data)))
    print(f"upload of a {ROWS:,}-row projects CSV, p50/p95 over {REPEATS} runs, budget {BUDGET_S:.0f} s:")
    for name, size, ours, cli, inproc in rows:
        (o50, o95), (c50, c95), (i50, _) = _stats(ours), _stats(cli), _stats(inproc)
        verdict = "within" if o50 <= BUDGET_S else "OVER"
        print(
            f"  {name:18s} ({size / 1e6:.1f} MB) page check+preview p50 {o50:5.2f} s p95 {o95:5.2f} ({verdict})"
            f"  CLI validate p50 {c50:5.2f} s p95 {c95:5.2f}  ratio {o50 / c50:.2f}x"
            f"  [check alone, in process: {i50:5.2f} s]"
        )


if __name__ == "__main__":
    main()
