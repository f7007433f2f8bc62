"""The opt-in timing log of script runs: with ``DASHBOARD_TIMINGS=<file>``, each run of dashboard.py appends one
JSON line to that file; off (nothing written, nothing measured) when the variable is unset or empty.

One line per script run (a rerun after a click, a first view, a page change):
``{"session": "…", "page": "overview", "start": 1764334800.123, "ms": 48.2, "end": "ok", "error": false}``

- ``session``: 12 hex characters of a SHA-256 of the Streamlit session id with a per-process random salt (tells
  the runs of one browser tab apart; cannot be turned back into the session id);
- ``page``: the registry's URL path of the page that ran (``overview`` for the home page; ``missing`` for the
  placeholder, ``sign-in`` when no page ran because nobody is signed in, ``""`` when the frame itself failed);
- ``start``: the run's start, seconds since the epoch (wall clock); ``ms``: its duration (monotonic clock);
- ``end``: ``ok``; ``stop`` (st.stop: e.g. the empty warehouse's screen, a refused page); ``rerun`` (cut short by
  st.rerun, or by a newer click that interrupted it: not a whole run);
- ``error``: whether the run showed the generic error message (an exception in our code).

Never a filter value, a number shown, a user name or an address: the log is safe to hand to anyone.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ENV = "DASHBOARD_TIMINGS"
_SALT = secrets.token_bytes(16)  # per process: a session's hash is stable within one server process only
_LOCK = threading.Lock()  # sessions run their scripts in threads of one process: one line written at a time


@dataclass
class Run:
    """What the entry script tells the log about the run in progress."""

    page: str = ""
    error: bool = False


def target() -> Path | None:
    """The log file named by DASHBOARD_TIMINGS, or None when the log is off."""
    value = os.environ.get(ENV, "").strip()
    return Path(value) if value else None


def session_hash(session_id: str) -> str:
    """12 hex characters standing for one session in this server process."""
    return hashlib.sha256(_SALT + session_id.encode()).hexdigest()[:12]


def _session() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return session_hash(ctx.session_id) if ctx is not None else ""


def _ending(exc: BaseException | None) -> str:
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

    if exc is None:
        return "ok"
    if isinstance(exc, StopException):
        return "stop"
    if isinstance(exc, RerunException):
        return "rerun"
    return "raised"  # escaped the entry script (only with DASHBOARD_RAISE): counted as an error


def write(path: Path, record: dict) -> None:
    """Append one JSON line (one write call under the process lock)."""
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
    with _LOCK, open(path, "a", encoding="utf-8") as fh:
        fh.write(line)


@contextmanager
def timed() -> Iterator[Run]:
    """Time the script run inside the block and append its line to the log (when on); the block sets ``page``
    and ``error`` on the yielded Run. Exceptions pass through untouched."""
    run = Run()
    path = target()
    if path is None:
        yield run
        return
    start, t0 = time.time(), time.perf_counter()
    exc: BaseException | None = None
    try:
        yield run
    except BaseException as e:
        exc = e
        raise
    finally:
        ms = (time.perf_counter() - t0) * 1000
        end = _ending(exc)
        record = {
            "session": _session(),
            "page": run.page,
            "start": round(start, 3),
            "ms": round(ms, 1),
            "end": end,
            "error": run.error or end == "raised",
        }
        try:
            write(path, record)
        except OSError:  # a log that cannot be written never breaks the dashboard
            pass


def page_name(page: object) -> str:
    """The name a run's page goes by in the log: its registry URL path, ``missing`` for the placeholder."""
    from board import nav

    spec = nav.page_spec(page)  # type: ignore[arg-type]
    return spec.url_path if spec is not None else "missing"


def read(path: Path) -> list[dict]:
    """Every line of a timing log (a last, half-written line is skipped)."""
    out = []
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out
