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


def add_account(name: str, role: str, password: str, townships: str = "") -> None:
    """An account made as an operator makes it: the CLI (``bin/etl users add``), the password on standard input,
    in the accounts file the test environment names (DASHBOARD_USERS)."""
    cmd = [sys.executable, "-m", "etl", "users", "add", name, "--role", role]
    cmd += ["--townships", townships] if townships else []
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(cmd, cwd=root, input=password + "\n", capture_output=True, text=True, env=os.environ.copy())
    assert proc.returncode == 0, proc.stderr


def sign_in(page, name: str, password: str) -> None:
    """Fill and send the sign-in form (Chinese UI); the form must be the only thing shown before."""
    from playwright.sync_api import expect

    from board.i18n import t

    expect(page.locator("h1").first).to_have_text(t("auth.sign_in_title", "zh"), timeout=60_000)
    assert page.locator('[data-testid="stMetricValue"]').count() == 0
    page.get_by_label(t("auth.name", "zh")).fill(name)
    page.get_by_label(t("auth.password", "zh")).fill(password)
    page.get_by_role("button", name=t("auth.sign_in", "zh")).click()


def accounts_file(factory, accounts: list[tuple[str, str, str]], password: str) -> Path:
    """A module's accounts file (bcrypt and subprocesses are slow: made once), with ``accounts`` as (name, role,
    townships), made through the CLI; the environment is set only while they are made."""
    import pytest

    file = factory.mktemp("users") / "users.toml"
    mp = pytest.MonkeyPatch()
    mp.setenv("DASHBOARD_USERS", str(file))
    mp.setenv("DASHBOARD_BCRYPT_ROUNDS", "4")
    mp.setenv("DASHBOARD_AUDIT_LOG", str(file.with_name("setup-audit.jsonl")))
    try:
        for name, role, townships in accounts:
            add_account(name, role, password, townships)
    finally:
        mp.undo()
    return file
