"""Shared fixtures: a fixed clock and a per-test pseudonym key; the demo county loaded through the real load path."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

AS_OF = date(2026, 11, 27)
NOW = "2026-11-28T09:30:00"  # the clock every test runs at (etl.clock): no test depends on today's date


@pytest.fixture(autouse=True, scope="session")
def fixed_clock():
    mp = pytest.MonkeyPatch()
    mp.setenv("DASHBOARD_NOW", NOW)
    yield NOW
    mp.undo()


@pytest.fixture(autouse=True, scope="session")
def served_on_localhost():
    """The dashboard as `make run` serves it: bound to localhost (with no accounts: local single-user mode)."""
    from streamlit import config

    config.set_option("server.address", "localhost")
    yield
    config.set_option("server.address", None)


@pytest.fixture(autouse=True)
def no_accounts(tmp_path_factory, monkeypatch):
    """Per-test accounts file (absent: no accounts) and audit log, never the repository's data/users.toml; a
    cheap bcrypt cost."""
    where = tmp_path_factory.mktemp("auth")
    monkeypatch.setenv("DASHBOARD_USERS", str(where / "users.toml"))
    monkeypatch.setenv("DASHBOARD_AUDIT_LOG", str(where / "audit.jsonl"))
    monkeypatch.setenv("DASHBOARD_BCRYPT_ROUNDS", "4")
    return where


@pytest.fixture(autouse=True)
def pseudonym_key(tmp_path_factory, monkeypatch):
    """A per-test key file (created on first use, mode 0600), never ~/.config of the developer."""
    path = tmp_path_factory.mktemp("key") / "pseudonym.key"
    monkeypatch.setenv("DASHBOARD_PSEUDONYM_KEY", str(path))
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory, fixed_clock: str) -> Path:
    """A warehouse holding the demo county (500 returnees) as of 2026-11-27, built by etl.warehouse."""
    from etl import demo

    root = tmp_path_factory.mktemp("demo")
    mp = pytest.MonkeyPatch()  # the session fixture needs its own key (the autouse one is per test)
    mp.setenv("DASHBOARD_PSEUDONYM_KEY", str(root / "pseudonym.key"))
    try:
        db = root / "warehouse.duckdb"
        demo.build(db, root / "files", seed=11, as_of=AS_OF, returnees=500)
    finally:
        mp.undo()
    return db


@pytest.fixture
def board_env(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the dashboard at the demo warehouse; page errors raise instead of the friendly message."""
    monkeypatch.setenv("DASHBOARD_DB", str(demo_db))
    monkeypatch.setenv("DASHBOARD_RAISE", "1")
    return demo_db


@pytest.fixture(scope="module")
def people_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-counted county of tests/people_files.py (returnees and training), built once per test module."""
    from tests import people_files

    mp = pytest.MonkeyPatch()  # the module fixture needs its own key (the autouse one is per test)
    root = tmp_path_factory.mktemp("people")
    mp.setenv("DASHBOARD_PSEUDONYM_KEY", str(root / "key"))
    try:
        return people_files.build(root)
    finally:
        mp.undo()


@pytest.fixture
def people_env(people_county: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the dashboard at the hand-counted county (use with ``pytestmark = pytest.mark.usefixtures(...)``)."""
    monkeypatch.setenv("DASHBOARD_DB", str(people_county))
    return people_county


CHROMIUM = "/usr/bin/chromium"  # Debian's chromium (make browser); playwright's own download cannot work here
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser():
    """One real Chromium for the browser tests (each test opens its own tabs)."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make browser)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
