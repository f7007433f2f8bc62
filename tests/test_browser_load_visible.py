"""Real browser: a batch loaded by the CLI while three sessions keep clicking becomes visible in every session on its
next rerun (no restart, no reload), and no session shows an error while it loads (issue 13, load under browsing).
Behaviour only: how long anything takes is measured by ``python -m bench browsing``, never asserted here."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.browsing_bench import IDLE, MARK, RECORDER, SETTLED, console_error, returnee_count, townships, write_batch
from board import timings
from board.i18n import t
from tests import servers
from tests.conftest import AS_OF

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
BATCH_ROWS = 300


@pytest.fixture
def warehouse(demo_db: Path, tmp_path: Path) -> Path:
    """A copy of the demo county (the load changes it)."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    return db


def _mark(page) -> list:
    return page.evaluate(MARK)


def _rerun(page) -> None:
    """One rerun by a click in the session (the returnees page's menu link: same page, same view), waited for."""
    before = _mark(page)
    link = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]')
    link.get_by_text(t("page.returnees", "zh"), exact=True).click()
    page.wait_for_function(SETTLED, arg=before, timeout=60_000)
    assert page.evaluate("window.__doc") == before[0], "the click reloaded the page (a new session)"


def _no_error(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text(t("error.generic", "zh"), exact=True).count() == 0


def _total(page) -> int:
    """The first card of the returnees page: every returnee through the month shown (cohort "all")."""
    return int(re.sub(r"\D", "", page.locator('[data-testid="stMetricValue"]').first.inner_text()))


def test_a_load_by_the_cli_shows_in_every_open_session_on_its_next_rerun(
    warehouse: Path, tmp_path: Path, browser, pseudonym_key: Path
):
    log = tmp_path / "timings.jsonl"
    proc, url = servers.start(warehouse, pseudonym_key, {timings.ENV: str(log)})
    assert url is not None, "the dashboard server exited before listening"
    try:
        before = returnee_count(warehouse)
        batch = write_batch(tmp_path / "batch.csv", BATCH_ROWS, townships(warehouse), as_of=AS_OF)
        console: list[str] = []
        tabs = []
        for _ in range(3):
            page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
            page.add_init_script(RECORDER)
            page.on("console", lambda m: console.append(e) if (e := console_error(m)) else None)
            page.on("pageerror", lambda e: console.append(str(e)))
            page.goto(f"{url}/returnees?cohort=all", timeout=60_000)
            expect(page.locator("h1").first).to_have_text(t("page.returnees", "zh"), timeout=60_000)
            page.wait_for_selector(IDLE, timeout=60_000)
            assert _total(page) == before
            tabs.append(page)

        cmd = [sys.executable, "-m", "etl", "--db", str(warehouse), "load", str(batch), "--user", "test"]
        loader = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        while loader.poll() is None:  # the sessions keep clicking while the batch loads
            for page in tabs:
                _rerun(page)
                _no_error(page)
        out = loader.communicate()[0]
        assert loader.returncode == 0, out

        after = returnee_count(warehouse)
        assert after == before + BATCH_ROWS  # every person of the batch is new (IDs of a region no county uses)
        for page in tabs:
            _rerun(page)  # the next rerun, in the same session: no reload, no restart
            _no_error(page)
            assert _total(page) == after
        assert not console
        lines = timings.read(log)
        assert len({x["session"] for x in lines}) == 3  # one hash per tab
        assert not [x for x in lines if x["error"]]
        assert {x["page"] for x in lines} == {"returnees"}
    finally:
        servers.stop(proc)
