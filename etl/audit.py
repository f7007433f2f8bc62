"""The audit log: who did what, when and from where, one JSON object per line, appended and never rewritten.

The file is ``data/audit.jsonl`` of the repository, or the one ``$DASHBOARD_AUDIT_LOG`` names; it is kept apart
from the warehouse (whose writer lock is for loads). Each line: ``ts`` (ISO local time, etl.clock), ``user``,
``action`` (ACTIONS), ``detail`` (text), ``ip`` (the client's address, or ``cli``), ``agent`` (the browser's
User-Agent or the OS user of a command). Lines are appended with O_APPEND under an exclusive lock, so
concurrent writers never interleave; nothing here deletes or edits a line.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import pandas as pd

from etl import clock

ROOT = Path(__file__).resolve().parents[1]
AUDIT_ENV = "DASHBOARD_AUDIT_LOG"
DEFAULT_PATH = ROOT / "data" / "audit.jsonl"
ACTIONS: tuple[str, ...] = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "session_expired",
    "refused",
    "upload",
    "rollback",
    "user_added",
    "user_removed",
    "rules_saved",
)
COLUMNS = ["ts", "user", "action", "detail", "ip", "agent"]
MAX_FIELD = 2000  # a field longer than this is cut (a hostile header or name cannot bloat the log)


def path() -> Path:
    """The audit log: $DASHBOARD_AUDIT_LOG, else data/audit.jsonl of the repository."""
    return Path(os.environ.get(AUDIT_ENV) or DEFAULT_PATH)


def write(user: str, action: str, detail: str = "", ip: str = "", agent: str = "", file: Path | None = None) -> dict:
    """Append one event; return it."""
    event = {
        "ts": clock.now().isoformat(timespec="seconds"),
        "user": str(user)[:MAX_FIELD],
        "action": str(action)[:MAX_FIELD],
        "detail": str(detail)[:MAX_FIELD],
        "ip": str(ip or "")[:MAX_FIELD],
        "agent": str(agent or "")[:MAX_FIELD],
    }
    line = (json.dumps(event, ensure_ascii=False) + "\n").encode("utf-8")
    target = file or path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock
    return event


def read(file: Path | None = None) -> pd.DataFrame:
    """Every event, newest first. Grain: one row per line of the log (a damaged line is skipped); columns COLUMNS
    with ``ts`` as a timestamp."""
    rows = []
    try:
        with open(file or path(), encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if isinstance(rec, dict):
                    rows.append({c: str(rec.get(c, "")) for c in COLUMNS})
    except FileNotFoundError:
        pass
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["ts"] = pd.to_datetime(df["ts"], errors="coerce")
    return df.iloc[::-1].reset_index(drop=True)
