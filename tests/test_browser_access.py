"""Real browser against a server with accounts: a viewer signs in, sees the dashboard, and finds the admin page and
the upload page refused when opening their URLs; before signing in nothing but the form is shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from board.i18n import t
from tests import servers

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "viewer-password-1"


@pytest.fixture
def server(demo_db: Path, tmp_path: Path, no_accounts: Path) -> Iterator[str]:
    servers.add_account("访客", "viewer", PASSWORD)
    served, url = servers.start(demo_db, tmp_path / "k")
    try:
        if url is None:
            pytest.fail("the dashboard server exited before listening")
        yield url
    finally:
        servers.stop(served)


def test_a_viewer_signs_in_sees_the_dashboard_and_is_refused_the_audit_log_and_upload(server: str, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page.goto(server, timeout=60_000)
    servers.sign_in(page, "访客", "wrong-password")
    expect(page.get_by_text(t("auth.wrong", "zh"))).to_be_visible(timeout=30_000)
    servers.sign_in(page, "访客", PASSWORD)
    expect(page.locator('[data-testid="stMetricValue"]').first).to_contain_text("亿元", timeout=60_000)
    expect(page.locator("h1").first).to_have_text(t("overview.title", "zh"))
    assert page.locator('[data-testid="stDownloadButton"]').count() == 0  # a viewer exports nothing
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_contain_text("访客")
    assert sidebar.get_by_text(t("page.audit", "zh")).count() == 0
    page.goto(server + "/audit", timeout=60_000)  # a new session: sign in again, then the page refuses
    servers.sign_in(page, "访客", PASSWORD)
    expect(page.locator("h1").first).to_have_text(t("auth.refused_title", "zh"), timeout=60_000)
    expect(page.get_by_text(t("auth.refused_body", "zh"))).to_be_visible()
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    page.goto(server + "/upload", timeout=60_000)  # the upload page, typed by hand: refused as well
    servers.sign_in(page, "访客", PASSWORD)
    expect(page.locator("h1").first).to_have_text(t("auth.refused_title", "zh"), timeout=60_000)
    assert page.locator('input[type="file"]').count() == 0
    page.close()
