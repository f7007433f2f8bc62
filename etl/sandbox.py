"""Uploaded files are parsed and checked in a separate worker process with time and memory limits.

A file that crashes the reader, exhausts memory or never finishes takes only its worker down: the dashboard
server that asked gets a :class:`WorkerFailed` with a clear reason in both languages, and every other session
keeps browsing. The worker is ``python -m etl.sandbox``: it caps its own address space (RLIMIT_AS) and CPU
time (RLIMIT_CPU) before it reads the file, and the server kills it after the wall-clock timeout.

The answer comes back as data, never as pickled objects (a worker that a hostile file took over must not be
able to run code in the server): a JSON header with the scalars, then Arrow IPC streams for the frames and
the raw bytes of the error report. Limits: ``DASHBOARD_WORKER_SECONDS`` (default 60) and
``DASHBOARD_WORKER_MB`` (memory a worker may add to what it holds after start-up, default 2048).
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import queue
import resource
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import pandas as pd
import pyarrow as pa

SECONDS_ENV = "DASHBOARD_WORKER_SECONDS"
MEMORY_ENV = "DASHBOARD_WORKER_MB"
ROOT = Path(__file__).resolve().parents[1]
_FRAMES = ("errors", "warnings", "rows", "changes")
# What a worker that ran out of its memory limit says on stderr (Python, C++, glibc, DuckDB)
_OUT_OF_MEMORY = (b"MemoryError", b"bad_alloc", b"cannot allocate memory", b"Out of Memory", b"Cannot allocate memory")


class WorkerFailed(Exception):
    """The worker did not answer: ``code`` is timeout, memory or crashed; ``zh``/``en`` say it for people."""

    def __init__(self, code: str, zh: str, en: str):
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en


def _limit(env: str, default: float) -> float:
    raw = os.environ.get(env, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        value = default
    return value if value > 0 else default


def seconds_limit() -> float:
    return _limit(SECONDS_ENV, 60.0)


def memory_limit_mb() -> float:
    return _limit(MEMORY_ENV, 2048.0)


# --------------------------------------------------------------------------- wire format


def _frame_bytes(df: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(df, preserve_index=False)
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return sink.getvalue()


def _frame(data: bytes) -> pd.DataFrame:
    with pa.ipc.open_stream(data) as r:
        return r.read_all().to_pandas()


def encode(preview) -> bytes:
    """A Preview as bytes: header length, JSON header (scalars, blob sizes), then the blobs."""
    scalars, blobs = {}, []
    for f in dataclasses.fields(preview):
        value = getattr(preview, f.name)
        if f.name in _FRAMES:
            blobs.append((f.name, _frame_bytes(value)))
        elif isinstance(value, bytes):
            blobs.append((f.name, value))
        else:
            scalars[f.name] = value
    head = json.dumps({"scalars": scalars, "blobs": [(n, len(b)) for n, b in blobs]}, ensure_ascii=False).encode()
    return struct.pack(">I", len(head)) + head + b"".join(b for _, b in blobs)


def decode(data: bytes):
    """The Preview that :func:`encode` wrote (checked: sizes must add up; frames read as Arrow, not pickles)."""
    from etl.preview import Preview

    (n,) = struct.unpack(">I", data[:4])
    head = json.loads(data[4 : 4 + n])
    kwargs = dict(head["scalars"])
    at = 4 + n
    for name, size in head["blobs"]:
        blob = data[at : at + size]
        at += size
        kwargs[name] = _frame(blob) if name in _FRAMES else blob
    if at != len(data):
        raise ValueError("worker answer of the wrong length")
    fields = {f.name for f in dataclasses.fields(Preview)}
    return Preview(**{k: v for k, v in kwargs.items() if k in fields})


# --------------------------------------------------------------------------- the server side


def preview(
    kind: str,
    data: bytes,
    file_name: str,
    db_path: Path,
    dataset: str | None = None,
    sheet: str | None = None,
    *,
    seconds: float | None = None,
    memory_mb: float | None = None,
    on_progress: Callable[[str, float], None] | None = None,
    townships: tuple[str, ...] = (),
):
    """Check ``data`` in a worker process (``kind``: table or boundaries) and return its Preview; WorkerFailed
    when the worker ran out of time or memory or died. ``on_progress(stage, seconds)`` is called about four
    times a second while the worker runs: stage start (the worker is starting), check (reading and checking),
    compare (against the warehouse), report (writing the error report). ``townships``: the account's
    townships (empty = all); the worker checks the file as restricted to them (etl.check)."""
    seconds = seconds_limit() if seconds is None else seconds
    memory_mb = memory_limit_mb() if memory_mb is None else memory_mb
    request = {"kind": kind, "file_name": file_name, "db_path": str(db_path), "dataset": dataset, "sheet": sheet}
    request["townships"] = list(townships)
    request |= {"memory_mb": memory_mb, "seconds": seconds}
    head = json.dumps(request).encode()
    cmd = [sys.executable, "-m", "etl.sandbox"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err, done = _talk(proc, struct.pack(">I", len(head)) + head + data, seconds, on_progress)
    if not done:
        raise WorkerFailed(
            "timeout",
            f"检查这个文件超过了 {seconds:g} 秒，已停止。文件可能过大或已损坏；请拆分文件或另存后重试。",
            f"Checking this file took longer than {seconds:g} s and was stopped. The file may be too large or "
            "damaged; split it, or save it again, and retry.",
        ) from None
    if proc.returncode == 0 and out:
        return decode(out)
    if proc.returncode == 3 or any(m in err for m in _OUT_OF_MEMORY):
        raise WorkerFailed(
            "memory",
            f"检查这个文件需要的内存超过了 {memory_mb:g} MB，已停止。文件可能过大或是恶意构造的；请拆分文件后重试。",
            f"Checking this file needed more than {memory_mb:g} MB of memory and was stopped. The file may be too "
            "large or built to exhaust memory; split it and retry.",
        )
    raise WorkerFailed(
        "crashed",
        "读取这个文件时检查程序异常退出，文件未被接受。文件可能已损坏；请另存为新的 CSV 或 XLSX 后重试。",
        "The checker stopped abnormally while reading this file; the file was not accepted. It may be damaged; "
        "save it again as a new CSV or XLSX and retry.",
    )


def _talk(proc: subprocess.Popen, request: bytes, seconds: float, on_progress) -> tuple[bytes, bytes, bool]:
    """Send the request, collect the answer and stderr (stage lines reported to ``on_progress``); kill the
    worker after ``seconds``. Returns (stdout, stderr without stage lines, finished in time)."""
    start = time.monotonic()
    stages: queue.Queue[str] = queue.Queue()
    out: list[bytes] = []
    err: list[bytes] = []

    def send() -> None:
        with suppress(BrokenPipeError, OSError):  # a worker that died early stops reading
            proc.stdin.write(request)
        with suppress(BrokenPipeError, OSError):
            proc.stdin.close()

    def read_err() -> None:
        for line in proc.stderr:
            if line.startswith(_STAGE):
                stages.put(line[len(_STAGE) :].strip().decode("ascii", "replace"))
            elif sum(map(len, err)) < 1 << 16:
                err.append(line)

    threads = [
        threading.Thread(target=send, daemon=True),
        threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True),
        threading.Thread(target=read_err, daemon=True),
    ]
    for th in threads:
        th.start()
    stage = "start"
    while True:
        try:
            proc.wait(timeout=0.25)
            break
        except subprocess.TimeoutExpired:
            pass
        while not stages.empty():
            stage = stages.get_nowait()
        elapsed = time.monotonic() - start
        if elapsed > seconds:
            proc.kill()
            proc.wait()
            for th in threads:
                th.join(timeout=5)
            return b"", b"".join(err), False
        if on_progress is not None:
            on_progress(stage, elapsed)
    for th in threads:
        th.join(timeout=5)
    return b"".join(out), b"".join(err), True


# --------------------------------------------------------------------------- the worker

_STAGE = b"\x00stage:"


def _stage(name: str) -> None:
    sys.stderr.buffer.write(_STAGE + name.encode("ascii") + b"\n")
    sys.stderr.buffer.flush()


def _address_space() -> int:
    """Bytes of virtual memory this process maps now (VmSize)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _worker() -> int:
    answer = os.fdopen(os.dup(1), "wb")  # our answer only: anything a library prints goes to stderr
    os.dup2(2, 1)
    raw = sys.stdin.buffer.read()
    (n,) = struct.unpack(">I", raw[:4])
    req = json.loads(raw[4 : 4 + n])
    data = raw[4 + n :]
    del raw
    from etl import preview

    extra = int(req["memory_mb"] * 1024 * 1024)
    resource.setrlimit(resource.RLIMIT_AS, (_address_space() + extra, resource.RLIM_INFINITY))
    cpu = int(req["seconds"]) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    db = Path(req["db_path"])
    towns = tuple(str(x) for x in req.get("townships") or ())
    try:
        if req["kind"] == "boundaries":
            p = preview.boundary_preview(data, req["file_name"], db, _stage, towns)
        else:
            p = preview.table_preview(data, req["file_name"], db, req["dataset"], req["sheet"], _stage, towns)
        body = encode(p)
    except MemoryError:
        return 3
    answer.write(body)
    answer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_worker())
