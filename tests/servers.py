"""Test helper: the dashboard served as `make run` serves it (python -m board.serve), on a free local port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(db: Path, key: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str | None]:
    """A fresh server process on warehouse ``db``, bound to localhost as `make run` binds it (``env``: more
    variables, e.g. DASHBOARD_USERS); (process, URL), the URL None when it exited before listening."""
    port = _free_port()
    env = {**os.environ, "DASHBOARD_DB": str(db), "DASHBOARD_PSEUDONYM_KEY": str(key), **(env or {})}
    cmd = [sys.executable, "-m", "board.serve", "--server.headless", "true", "--server.port", str(port)]
    cmd += ["--server.address", "localhost"]
    cmd += ["--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:  # blocks until the server reports its URL (or exits)
        if "URL:" in line:
            return proc, f"http://localhost:{port}"
    return proc, None


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=20)
