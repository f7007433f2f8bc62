"""Real browser (Debian chromium via Playwright): the overview renders, a township filter changes a card."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(demo_db: Path, tmp_path: Path):
    """`streamlit run dashboard.py` against the demo warehouse; yields its URL once it says it listens."""
    port = _free_port()
    env = {**os.environ, "DASHBOARD_DB": str(demo_db), "DASHBOARD_PSEUDONYM_KEY": str(tmp_path / "k")}
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true"]
    cmd += ["--server.port", str(port), "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in proc.stdout:  # blocks until the server reports its URL (or exits)
            if "URL:" in line:
                break
        else:
            pytest.fail("streamlit exited before listening")
        yield f"http://localhost:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_overview_in_a_real_browser(server: str, tmp_path: Path):
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make browser)")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
        page.goto(server, timeout=60_000)
        first = page.locator('[data-testid="stMetricValue"]').first
        playwright.expect(first).to_contain_text("亿元", timeout=60_000)
        county = first.inner_text()
        playwright.expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
            "data-test-script-state", "notRunning"
        )
        # Type into the townships box itself: keyboard.type after a click sometimes reached another multiselect.
        town = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="镇街")
        town.click()
        town.press_sequentially("青石镇")  # the option list is virtualised: filter it first
        page.get_by_role("option", name="青石镇", exact=True).click()
        playwright.expect(first).not_to_have_text(county, timeout=30_000)
        assert "town=" in page.url
        page.keyboard.press("Escape")
        playwright.expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        shot = tmp_path / "overview.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 50_000
        browser.close()
