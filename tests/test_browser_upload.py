"""Real browser: an uploader signs in, uploads a file with errors, sees the located errors, uploads the corrected
file, loads it, and sees the overview change."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from board.i18n import metric_name, t
from tests import servers
from tests.clerk_files import csv, project

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
pytestmark = pytest.mark.browser


PASSWORD = "uploader-password-1"


@pytest.fixture
def server(demo_db: Path, tmp_path: Path, no_accounts: Path):
    servers.add_account("报送员", "uploader", PASSWORD)
    db = tmp_path / "wh" / "warehouse.duckdb"
    db.parent.mkdir()
    shutil.copy(demo_db, db)
    proc, url = servers.start(db, tmp_path / "k")
    if url is None:
        pytest.fail("the dashboard server exited before listening")
    yield url
    servers.stop(proc)


def _idle(page) -> None:
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=60_000
    )


def _contract_card(page) -> str:
    label = metric_name("contract_investment", "zh")
    card = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return card.locator('[data-testid="stMetricValue"]').inner_text()


def test_upload_errors_then_the_corrected_file_changes_the_overview(server, browser, tmp_path):
    overview = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    overview.goto(server, timeout=60_000)
    servers.sign_in(overview, "报送员", PASSWORD)
    expect(overview.locator('[data-testid="stMetricValue"]').first).to_contain_text("亿元", timeout=60_000)
    _idle(overview)
    before = _contract_card(overview)

    bad = [project("BR1", "50000", signed="2026-06-01"), project("BR2", "abc", township="青石乡")]
    good = [project("BR1", "50000", signed="2026-06-01"), project("BR2", "30000", signed="2026-07-01")]
    page = browser.new_page(viewport={"width": 1366, "height": 1600}, locale="zh-CN")
    page.goto(server + "/upload", timeout=60_000)
    servers.sign_in(page, "报送员", PASSWORD)
    expect(page.locator("h1").first).to_have_text(t("page.upload", "zh"), timeout=60_000)
    page.set_input_files("input[type=file]", str(csv(tmp_path / "bad.csv", "projects", bad)))
    expect(page.get_by_text(t("upload.errors_heading", "zh", n=2))).to_be_visible(timeout=60_000)
    expect(page.get_by_text(t("upload.some_bad", "zh", bad=1, good=1))).to_be_visible()
    grid = page.locator('[data-testid="stDataFrame"]').first
    cells = grid.locator('td[role="gridcell"]')  # the grid's accessible copy of what its canvas draws
    expect(cells.filter(has_text=re.compile(r"^青石乡$"))).to_have_count(1, timeout=20_000)  # the located value
    expect(cells.filter(has_text=re.compile(r"^所属镇街$"))).to_have_count(1)  # the column as headed
    expect(cells.filter(has_text=re.compile(r"^3$"))).to_have_count(2)  # both errors in row 3, as in Excel

    page.set_input_files("input[type=file]", str(csv(tmp_path / "good.csv", "projects", good)))
    expect(page.get_by_text(t("upload.ok", "zh"))).to_be_visible(timeout=60_000)
    _idle(page)
    page.get_by_role("button", name=t("upload.commit_all", "zh")).click()
    expect(page.get_by_text("已装入批次")).to_be_visible(timeout=60_000)

    overview.reload()  # a reload is a new session: sign in again
    servers.sign_in(overview, "报送员", PASSWORD)
    expect(overview.locator('[data-testid="stMetricValue"]').first).to_contain_text("亿元", timeout=60_000)
    _idle(overview)
    after = _contract_card(overview)
    assert after != before
    assert float(after.split()[0]) == pytest.approx(float(before.split()[0]) + 8.0, abs=0.011)  # + 8亿 signed in 2026
