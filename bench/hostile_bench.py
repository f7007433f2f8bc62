"""Hostile and careless inputs through the real CLI: wall time and peak memory of `python -m etl validate FILE`.

Each input is generated here, then checked by a fresh `python -m etl --db … validate FILE` subprocess, whose
own peak RSS comes from os.wait4. The budget is ≤ 2 s and ≤ 300 MB per input (a refusal must come in about a
second, never from the kernel); the figures are printed, never asserted. A small valid file is measured first:
its figures are the floor of any run (the interpreter and the imports).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from etl import warehouse

ROOT = Path(__file__).resolve().parents[1]
BUDGET_S, BUDGET_MB = 2.0, 300
HEADER = "项目编号,项目名称,所属镇街,产业类别,总投资(万元),项目状态,签约日期"
ROW = ["P1", "项目P1", "青石镇", "新材料", 100, "签约", "2026-03-05"]


def _xlsx(path: Path, far: tuple[int, int] | None, *, header: bool = True, error: bool = False) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("项目")
    if header:
        ws.write_row(0, 0, HEADER.split(","))
        ws.write_row(1, 0, ROW)
    if far is not None:
        ws.write(*far, 1)
    if error:
        ws.write_formula(1, 4, "=#REF!+1", None, "#REF!")
    wb.close()
    return path


def _inputs(tmp: Path) -> list[tuple[str, Path]]:
    """(label, path) of every hostile input; built here, in ``tmp``."""
    out: list[tuple[str, Path]] = []
    (tmp / "good.csv").write_bytes((HEADER + "\n" + ",".join(map(str, ROW)) + "\n").encode("utf-8-sig"))
    out.append(("floor: a valid 1-row CSV", tmp / "good.csv"))
    out.append(("XLSX: one cell at XFD1048576", _xlsx(tmp / "xfd.xlsx", (1048575, 16383), header=False)))
    out.append(("XLSX: header + a cell at XFD1048576", _xlsx(tmp / "xfd_h.xlsx", (1048575, 16383))))
    out.append(("XLSX: one cell at Z200000", _xlsx(tmp / "z.xlsx", (199999, 25), header=False)))
    out.append(("XLSX: header + a cell at Z200000", _xlsx(tmp / "z_h.xlsx", (199999, 25))))
    out.append(("XLSX: #REF! in a required cell", _xlsx(tmp / "ref.xlsx", None, error=True)))
    out.append(("/dev/zero", Path("/dev/zero")))
    fifo = tmp / "pipe.csv"
    os.mkfifo(fifo)
    out.append(("a FIFO (nobody writing)", fifo))
    sparse = tmp / "sparse.csv"
    with open(sparse, "wb") as fh:
        fh.truncate(10 * 2**30)
    out.append(("a 10 GiB (sparse) file", sparse))
    zeros = tmp / "zeros.csv"
    with open(zeros, "wb") as fh:
        fh.truncate(200 * 10**6)  # under the 200 MiB cap: read, then refused by its content
    out.append(("200 MB of zeros", zeros))
    flood = tmp / "flood.csv"
    with open(flood, "wb") as fh:
        fh.write(HEADER.encode() + b"\n")
        fh.write(b"\n" * (190 * 10**6))
    out.append(("190 MB of empty lines", flood))
    wide = tmp / "wide.csv"
    wide.write_bytes((HEADER + "\n" + ",".join(map(str, ROW)) + "\n" + "," * 5_000_000 + "\n").encode())
    out.append(("CSV: one row of 5M commas", wide))
    long_cell = tmp / "long.csv"
    long_cell.write_bytes((HEADER + "\nP1," + "长" * 5_000_000 + ",青石镇,新材料,100,签约,2026-03-05\n").encode("gbk"))
    out.append(("GBK CSV: a 5M-character cell", long_cell))
    cr = tmp / "cr.csv"
    lines = [HEADER] + [f"P{i},项目{i},青石镇,新材料,{i % 900 + 1},签约,2026-03-05" for i in range(100_000)]
    cr.write_bytes("\r".join(lines).encode("gbk") + b"\r")
    out.append(("GBK CSV, CR-only line ends, 100k rows", cr))
    # error collection used to be quadratic: one message per row written into an Arrow-backed Series
    dup = tmp / "dup.csv"
    dup.write_bytes((HEADER + "\n" + (",".join(map(str, ROW)) + "\n") * 200_000).encode("utf-8"))
    out.append(("CSV: 200k duplicate rows (200k errors)", dup))
    blank = tmp / "blank.csv"
    blank.write_bytes(
        (
            HEADER
            + "\n"
            + ",".join(map(str, ROW))
            + "\n"
            + ",,,,,,\n" * 20_000
            + "P2,项目P2,青石镇,新材料,1,签约,2026-03-05\n"
        ).encode()
    )
    out.append(("CSV: 20k blank rows between two rows", blank))
    cols = tmp / "cols.csv"
    cols.write_bytes(
        (
            HEADER
            + ","
            + ",".join(f"x{i}" for i in range(10_000))
            + "\n"
            + ",".join(map(str, ROW))
            + "," * 10_000
            + "\n"
        ).encode()
    )
    out.append(("CSV: 10k unknown columns", cols))
    return out


# A child's peak RSS starts at its parent's (Linux counts the pages it inherits at fork), and this process is
# large: the CLI is started by a small runner, and its own rusage comes from os.wait4 there.
RUNNER = """import os, subprocess, sys, time
t = time.perf_counter()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
out = p.stdout.read()
_, status, usage = os.wait4(p.pid, 0)
sys.stdout.buffer.write(out)
print(time.perf_counter() - t, usage.ru_maxrss, os.waitstatus_to_exitcode(status), file=sys.stderr)
"""


def _run(db: Path, path: Path) -> tuple[float, float, int, str]:
    """(seconds, peak MB, exit code, first line of output) of one `validate` subprocess."""
    cmd = [sys.executable, "-c", RUNNER, sys.executable, "-m", "etl", "--db", str(db), "validate", str(path)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True)
    seconds, rss_kb, code = proc.stderr.decode().split()[-3:]
    seconds, mb, code = float(seconds), int(rss_kb) / 1024, int(code)
    text = proc.stdout.decode("utf-8", "replace")
    lines = [x.strip() for x in text.splitlines() if x.strip() and not x.startswith("（未找到")]
    shown = next((x for x in lines if x.startswith("行") or "Traceback" in x), lines[0] if lines else "")
    if "Traceback" in text:
        shown = "TRACEBACK: " + lines[-1]
    return seconds, mb, code, shown


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        os.environ.setdefault("DASHBOARD_PSEUDONYM_KEY", str(tmp / "bench.key"))
        db = warehouse.init(tmp / "w.duckdb")
        print(f"  budget per input: ≤ {BUDGET_S:.0f} s and ≤ {BUDGET_MB} MB (printed, not asserted)")
        print(f"  {'input':40s} {'time':>7s} {'peak':>8s} {'exit':>4s}  first line")
        for label, path in _inputs(tmp):
            seconds, mb, code, line = _run(db, path)
            over = " OVER BUDGET" if seconds > BUDGET_S or mb > BUDGET_MB else ""
            print(f"  {label:40s} {seconds:6.2f}s {mb:6.0f}MB {code:4d}  {line[:110]}{over}", flush=True)
            if path.is_file() and path.stat().st_size > 2**20:
                path.unlink()  # keep the temporary directory small


if __name__ == "__main__":
    main()
