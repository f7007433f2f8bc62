"""Real browser (Debian chromium via Playwright): no card value, label or button clipped at laptop widths."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import servers

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
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


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory):
    """The dashboard as `make run` serves it, on the demo warehouse, shared by this module's tests."""
    proc, url = servers.start(demo_db, tmp_path_factory.mktemp("key") / "k")
    if url is None:
        pytest.fail("the dashboard server exited before listening")
    yield url
    servers.stop(proc)


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
