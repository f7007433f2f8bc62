"""Real browser (Debian chromium via Playwright): nothing clipped at laptop widths, URL text stays text."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip
# Text elements whose box (or a near ancestor's) hides part of the text: an ellipsis or an overflow cut.
CLIPPED_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('[data-testid=stMain] *')) {
    if (el.childElementCount || !el.innerText || !el.innerText.trim() || !el.offsetParent) continue;
    let e = el;
    for (let i = 0; i < 4 && e; i++, e = e.parentElement) {
      const cs = getComputedStyle(e);
      if ((cs.overflowX === 'hidden' || cs.textOverflow === 'ellipsis') && e.scrollWidth > e.clientWidth + 1) {
        out.push(el.innerText.slice(0, 40)); break;
      }
    }
  }
  return out;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory):
    """`streamlit run dashboard.py` against the demo warehouse; yields its URL once it listens."""
    port = _free_port()
    key = tmp_path_factory.mktemp("key") / "k"
    env = {**os.environ, "DASHBOARD_DB": str(demo_db), "DASHBOARD_PSEUDONYM_KEY": str(key)}
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


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make browser)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open_overview(browser, url: str, width: int):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.goto(url, timeout=60_000)
    cards = page.locator('[data-testid="stMetricValue"]')
    expect(cards.nth(11)).to_be_visible(timeout=60_000)  # ten headline cards and the two attention cards
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=30_000)
    for summary in page.locator('[data-testid="stExpander"] summary').all():  # open every table
        summary.click()
    expect(page.locator('[data-testid="stDownloadButton"]').nth(7)).to_be_visible(timeout=30_000)
    return page


@pytest.mark.parametrize("width", [1366, 1440, 1920])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_card_value_label_or_button_is_clipped(server, browser, width, lang, tmp_path):
    page = _open_overview(browser, f"{server}/?lang={lang}", width)
    clipped = page.evaluate(CLIPPED_JS)
    page.screenshot(path=str(tmp_path / f"overview-{lang}-{width}.png"), full_page=True)
    assert clipped == []
    widths = [b.bounding_box()["width"] for b in page.locator('[data-testid="stDownloadButton"] button').all()]
    assert min(widths) > 90  # a button shows its whole label, not one shrunken character
    page.close()


def test_the_clip_check_finds_a_clipped_value(server, browser):
    page = _open_overview(browser, f"{server}/", 1366)
    page.add_style_tag(content='[data-testid="stMetricValue"] { width: 40px !important; overflow: hidden; }')
    assert page.evaluate(CLIPPED_JS)  # the same check finds clipping when there is some
    page.close()


def test_a_url_value_stays_text_in_the_notice(server, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(f"{server}/?town=![x](http://127.0.0.1:9/pixel.png)%20[here](http://127.0.0.1:9/)", timeout=60_000)
    alert = page.locator('[data-testid="stAlert"]').first
    expect(alert).to_contain_text("pixel.png", timeout=60_000)
    assert alert.locator("img").count() == 0 and alert.locator("a").count() == 0
    assert not [u for u in fetched if urlsplit(u).netloc == "127.0.0.1:9"]
    page.close()
