"""Real browser (Debian chromium via Playwright) against the dashboard as `make run` serves it: the overview renders, a
township filter changes a card; deep links on a fresh server; our own page for unknown URLs; nothing fetched
from the internet."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from board import nav
from board.i18n import t
from tests import servers

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
# Records, from the first paint on, every h1 text, whether Streamlit's own page menu and any dialog ever appeared.
RECORDER = """
window.__seen = {h1: [], menu: false, dialogs: []};
new MutationObserver(() => {
  const seen = window.__seen;
  if (document.querySelector('[data-testid="stSidebarNav"]')) seen.menu = true;
  for (const el of document.querySelectorAll('h1, [role="dialog"]')) {
    const list = el.tagName === 'H1' ? seen.h1 : seen.dialogs;
    const text = el.innerText.trim();
    if (text && !list.includes(text)) list.push(text);
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


@pytest.fixture
def serve(demo_db: Path, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A factory of fresh dashboard server processes (as `make run` starts them) on the demo warehouse."""
    procs = []

    def start() -> str:
        proc, url = servers.start(demo_db, tmp_path / "k")
        procs.append(proc)
        if url is None:
            pytest.fail("the dashboard server exited before listening")
        return url

    yield start
    for proc in procs:
        servers.stop(proc)


@pytest.fixture
def server(serve: Callable[[], str]) -> str:
    return serve()


def _open(browser, url: str, heading: str):
    """A new tab (its own session) at ``url``, once its h1 reads ``heading`` and the script has finished."""
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page.add_init_script(RECORDER)
    page.goto(url, timeout=60_000)
    expect(page.locator("h1").first).to_have_text(heading, timeout=60_000)
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute("data-test-script-state", "notRunning")
    return page


def _seen(page) -> dict:
    return page.evaluate("window.__seen")


def test_overview_in_a_real_browser(server: str, browser, tmp_path: Path):
    page = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page.goto(server, timeout=60_000)
    first = page.locator('[data-testid="stMetricValue"]').first
    expect(first).to_contain_text("亿元", timeout=60_000)
    county = first.inner_text()
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute("data-test-script-state", "notRunning")
    # Type into the townships box itself: keyboard.type after a click sometimes reached another multiselect.
    town = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=t("filters.townships", "zh"))
    town.click()
    town.press_sequentially("青石镇")  # the option list is virtualised: filter it first
    page.get_by_role("option", name="青石镇", exact=True).click()
    expect(first).not_to_have_text(county, timeout=30_000)
    expect(page).to_have_url(re.compile(r"[?&]town="), timeout=30_000)  # the URL follows the run that drew the cards
    page.keyboard.press("Escape")
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    shot = tmp_path / "overview.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000


def test_a_deep_link_as_the_first_request_of_a_fresh_server_lands_on_its_page(server: str, browser):
    page = _open(browser, f"{server}/batches?lang=en&year=2025&town=青石镇", t("page.batches", "en"))
    url = urlsplit(page.url)
    assert url.path == "/batches"
    assert {k: v for k, v in parse_qs(url.query).items() if k != "month"} == {
        "lang": ["en"], "year": ["2025"], "town": ["青石镇"],
    }  # fmt: skip
    seen = _seen(page)
    assert seen["h1"] == [t("page.batches", "en")], "another page was shown on the way"
    assert not seen["menu"], "Streamlit's own pages/ menu appeared"
    assert not seen["dialogs"]
    menu = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]')  # text: icon ligature + label
    expect(menu).to_have_text([re.compile(re.escape(t(p.title_key, "en")) + "$") for p in nav.existing()])


def test_unknown_and_unavailable_pages_show_our_message_with_a_home_link(server: str, browser):
    _open(browser, server, t("overview.title", "zh")).close()  # see the next test for a first request
    unavailable = [f"/{p.url_path}?lang=en" for p in nav.PAGES if not nav.exists(p.path)][-1:]
    for path, lang in (
        ("/nonsense", "zh"),
        *((u, "en") for u in unavailable),  # registered, its file not there yet (none once every page exists)
        ("/nonsense?lang=en", "en"),
    ):
        page = _open(browser, server + path, t("missing.title", lang))
        assert urlsplit(page.url).path == path.split("?")[0]
        seen = _seen(page)
        assert seen["dialogs"] == [], path  # no Streamlit "Page not found"
        assert not seen["menu"]
        home = page.locator('[data-testid="stMain"] [data-testid="stPageLink"] a')
        expect(home).to_have_text(re.compile(re.escape(t("missing.home", lang)) + "$"))
        if path != "/nonsense?lang=en":
            page.close()
    page.locator('[data-testid="stSidebar"]').get_by_text(t("lang.zh"), exact=True).click()
    expect(page.locator("h1").first).to_have_text(t("missing.title", "zh"))  # a rerun keeps the placeholder
    assert urlsplit(page.url).path == "/nonsense"
    home.click()
    expect(page.locator("h1").first).to_have_text(t("overview.title", "zh"), timeout=60_000)
    assert urlsplit(page.url).path == "/"


@pytest.mark.parametrize(("path", "lang"), [("/nonsense", "zh"), ("/no-such-page?lang=en", "en")])
def test_an_unknown_page_as_the_first_request_of_a_fresh_server(server: str, browser, path: str, lang: str):
    page = _open(browser, server + path, t("missing.title", lang))
    seen = _seen(page)
    assert seen["dialogs"] == [] and not seen["menu"]
    assert seen["h1"] == [t("missing.title", lang)]


def test_no_request_leaves_the_local_server(server: str, browser):
    outside: list[str] = []
    local: list[str] = []
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page.on("request", lambda r: (local if r.url.startswith(server + "/") else outside).append(r.url))
    charts = page.locator('[data-testid="stPlotlyChart"]')
    idle = page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    page.goto(server, timeout=60_000)
    expect(charts).to_have_count(5, timeout=60_000)  # two pace charts, the township map, the ranking's two
    expect(idle).to_have_count(1)
    page.wait_for_load_state("networkidle")
    assert [u for u in outside if not u.startswith(("data:", "blob:"))] == []
    favicon = page.locator("link[rel='shortcut icon']").get_attribute("href")
    assert favicon.startswith("data:image/svg+xml"), favicon  # board/assets/favicon.svg, inlined by Streamlit
    assert any("MaterialSymbols" in u for u in local), "icons are drawn with the font bundled with Streamlit"
    for link, heading in (("page.batches", "page.batches"), ("page.overview", "overview.title")):  # our menu
        page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]').get_by_text(t(link, "zh")).click()
        expect(page.locator("h1").first).to_have_text(t(heading, "zh"), timeout=60_000)
        expect(idle).to_have_count(1)
    expect(charts).to_have_count(5, timeout=60_000)
    page.wait_for_load_state("networkidle")
    assert [u for u in outside if not u.startswith(("data:", "blob:"))] == []
    # A crafted link: rejected parameters are echoed in a notice, as text, never as Markdown images or links.
    page.goto(f"{server}/?{urlencode({'x': '![i](https://example.org/p.png)', 'y': 'https://example.org/'})}")
    alerts = page.locator('[data-testid="stMain"] [data-testid="stAlert"]')  # the sidebar holds the local-mode notice
    expect(alerts).to_have_count(2, timeout=60_000)
    expect(alerts.first).to_contain_text("![i](https://example.org/p.png)")
    expect(idle).to_have_count(1)
    page.wait_for_load_state("networkidle")
    assert alerts.locator("img, a").count() == 0
    assert [u for u in outside if not u.startswith(("data:", "blob:"))] == []


def test_from_the_stalled_list_a_click_opens_the_project_and_its_funds_chart(server: str, browser, board_env: Path):
    from board.metrics import projects
    from board.selection import Selection

    listed = projects.stalled_projects(Selection(2026, 11), 180, 6)  # what the page lists, in its order
    listed = listed[listed["reason"] == "no_funds"].reset_index(drop=True)
    row = int(listed.index[listed["last_funds_period"].notna()][0])  # the first one that had funds once
    assert row < 8, "on the first screen of the list"
    page = _open(browser, f"{server}/stalled?rule=no_funds", t("page.stalled", "zh"))
    grid = page.locator('[data-testid="stDataFrame"]').first
    expect(grid).to_be_visible(timeout=30_000)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 35 * row + 17)  # that row's selection box (rows are 35 px)
    expect(page.locator("h1").first).to_have_text(t("page.project", "zh"), timeout=60_000)
    url = urlsplit(page.url)
    assert url.path == "/project" and parse_qs(url.query)["id"] == [listed["project_id"].iloc[row]]
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(2, timeout=60_000)  # stages, funds


def test_a_click_on_a_township_bar_filters_the_dashboard_to_it(server: str, browser):
    page = _open(browser, server, t("overview.title", "zh"))
    first = page.locator('[data-testid="stMetricValue"]').first
    county = first.inner_text()
    chart = page.locator('[data-testid="stPlotlyChart"]').nth(3)  # the ranking's top five (after the map)
    chart.scroll_into_view_if_needed()
    bar = chart.locator("g.point path").first
    expect(bar).to_be_visible(timeout=30_000)
    box = bar.bounding_box()  # plotly's drag layer takes the click and maps it to the bar under the pointer
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(first).not_to_have_text(county, timeout=60_000)
    expect(page).to_have_url(re.compile(r"[?&]town="), timeout=30_000)  # the URL follows the run that drew the cards
    town = parse_qs(urlsplit(page.url).query)["town"][0]
    expect(page.locator('[data-testid="stMultiSelect"]').first).to_contain_text(town)


def test_labour_in_english_a_click_on_a_township_bar_filters_the_page_to_it(server: str, browser):
    page = _open(browser, f"{server}/labour?lang=en", t("page.labour", "en"))
    first = page.locator('[data-testid="stMetricValue"]').first
    county = first.inner_text()
    assert county.endswith(" people")
    chart = page.locator('[data-testid="stPlotlyChart"]').nth(1)  # by township, beside the months
    chart.scroll_into_view_if_needed()
    bar = chart.locator("g.point path").first  # the township with the largest labour export
    expect(bar).to_be_visible(timeout=30_000)
    town = chart.locator("g.ytick text").last.text_content()  # the y axis is reversed: the top bar's label is last
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page).to_have_url(re.compile(r"[?&]town="), timeout=60_000)
    assert parse_qs(urlsplit(page.url).query)["town"] == [town]
    assert parse_qs(urlsplit(page.url).query)["lang"] == ["en"]
    expect(first).not_to_have_text(county, timeout=60_000)
    expect(page.locator("h1").first).to_have_text(t("page.labour", "en"))
    expect(page.locator('[data-testid="stMultiSelect"]').first).to_contain_text(town)


def test_the_park_scatter_names_each_park_on_its_point(server: str, browser):
    from etl.demo_county import PARKS

    page = _open(browser, f"{server}/park-grades", t("page.park_grades", "zh"))
    scatter = page.locator('[data-testid="stPlotlyChart"]').nth(1)  # beside the ranked bars
    scatter.scroll_into_view_if_needed()
    names = scatter.locator("svg g.textpoint text")
    expect(names).to_have_count(len(PARKS), timeout=30_000)
    assert sorted(names.all_text_contents()) == sorted(PARKS)
    page.goto(f"{server}/park-grades?year=2022&lang=en", timeout=60_000)  # 物流园 recorded no land in 2022
    expect(page.locator("h1").first).to_have_text(t("page.park_grades", "en"), timeout=60_000)
    names = page.locator('[data-testid="stPlotlyChart"]').nth(1).locator("svg g.textpoint text")
    expect(names).to_have_count(len(PARKS) - 1, timeout=30_000)
    assert "物流园" not in names.all_text_contents()


def _click_until(page, x: float, y: float, url: re.Pattern, tries: int = 3) -> None:
    """Click at (x, y) once the app is idle, until the URL matches ``url``: on a loaded machine a click that lands
    while a rerun redraws the chart is lost (Plotly rebinds its handlers), so it is repeated, at most ``tries``
    times; the test still fails when the URL never follows."""
    for attempt in range(tries):
        expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
            "data-test-script-state", "notRunning", timeout=60_000
        )
        page.mouse.move(x, y)
        page.mouse.click(x, y)
        try:
            expect(page).to_have_url(url, timeout=20_000)
            return
        except AssertionError:
            if attempt == tries - 1:
                raise


def _map_chart(page):
    """The township map: the chart whose SVG holds filled shapes (drawn above the ranking's bars)."""
    chart = page.locator('[data-testid="stPlotlyChart"]').nth(2)
    chart.scroll_into_view_if_needed()
    expect(chart.locator("path.js-fill").first).to_be_attached(timeout=30_000)
    return chart


def test_the_map_names_every_township_and_a_click_on_one_filters_the_dashboard_to_it(server: str, browser):
    page = _open(browser, server, t("overview.title", "zh"))
    first = page.locator('[data-testid="stMetricValue"]').first
    county = first.inner_text()
    chart = _map_chart(page)
    expect(chart.locator("path.js-fill")).to_have_count(18)
    labels = chart.locator("g.textpoint text")
    expect(labels).to_have_count(18 + 4)  # every township, and the four parks with a location
    names = [labels.nth(i).text_content() for i in range(22)]
    towns = [n for n in names if n not in ("高新技术产业园", "食品工业园", "新材料产业园", "物流园")]
    assert len(towns) == 18 and any(n.startswith("青石镇") for n in towns), names
    assert all(("%" in n) or ("无目标" in n) for n in towns), names
    label = chart.locator("g.textpoint text", has_text="青石镇")
    box = label.bounding_box()  # plotly's drag layer takes the click and maps it to the label's point
    town = re.compile(r"[?&]town=%E9%9D%92%E7%9F%B3%E9%95%87|[?&]town=青石镇")
    _click_until(page, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, town)
    expect(first).not_to_have_text(county, timeout=60_000)
    expect(page.locator('[data-testid="stMultiSelect"]').first).to_contain_text("青石镇")
    chart = _map_chart(page)  # the chosen township is outlined and its name in bold
    expect(chart.locator("g.textpoint text", has_text="青石镇").locator("b, tspan[style*='bold']")).to_have_count(
        1, timeout=30_000
    )


def test_a_click_on_a_park_on_the_map_filters_the_dashboard_to_the_park(server: str, browser):
    page = _open(browser, server, t("overview.title", "zh"))
    chart = _map_chart(page)
    label = chart.locator("g.textpoint text", has_text="食品工业园")
    box = label.bounding_box()
    park = re.compile(r"[?&]park=(%E9%A3%9F%E5%93%81%E5%B7%A5%E4%B8%9A%E5%9B%AD|食品工业园)")
    _click_until(page, box["x"] + box["width"] / 2, box["y"] - 8, park)  # the diamond sits just above its name
    expect(page.locator('[data-testid="stMultiSelect"]').nth(2)).to_contain_text("食品工业园")


def test_no_request_leaves_the_local_server_on_the_overview_with_the_map(server: str, browser):
    outside: list[str] = []
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page.on("request", lambda r: None if r.url.startswith(server + "/") else outside.append(r.url))
    page.goto(server + "/?lang=en", timeout=60_000)
    chart = _map_chart(page)
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute("data-test-script-state", "notRunning")
    box = chart.locator("g.textpoint text", has_text="城关街道").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # hover text, nothing fetched
    expect(page.locator(".hoverlayer .hovertext")).to_have_count(1, timeout=10_000)
    page.wait_for_load_state("networkidle")
    assert [u for u in outside if not u.startswith(("data:", "blob:"))] == []


def test_the_returnees_page_in_english(server: str, browser):
    outside: list[str] = []
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="en-GB")
    page.on("request", lambda r: None if r.url.startswith(server + "/") else outside.append(r.url))
    page.goto(f"{server}/returnees?lang=en&year=2025&cohort=all", timeout=60_000)
    expect(page.locator("h1").first).to_have_text(t("page.returnees", "en"), timeout=60_000)
    idle = page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    expect(idle).to_have_count(1, timeout=60_000)
    labels = page.locator('[data-testid="stMain"] [data-testid="stMetricLabel"]')
    keys = ("returnees", "placed", "placement_rate", "waiting")
    expect(labels).to_have_text([t(f"returnees.card.{k}", "en") for k in keys])
    expect(page.locator('[data-testid="stMetricValue"]').first).to_contain_text("people")
    charts = page.locator('[data-testid="stPlotlyChart"]')
    expect(charts).to_have_count(6, timeout=30_000)
    cohort = page.get_by_role("combobox", name=t("returnees.cohort", "en"))
    expect(cohort).to_have_value(t("returnees.cohort.all", "en"))
    towns = charts.nth(1)  # returnees and placement rate by township: one bar text per township
    towns.scroll_into_view_if_needed()
    texts = towns.locator("g.textpoint text, text.bartext")
    expect(texts.first).to_contain_text("placed", timeout=30_000)
    assert all("placed" in x for x in texts.all_text_contents())
    ages = charts.nth(4)
    ages.scroll_into_view_if_needed()
    expect(ages.locator("g.legend")).to_contain_text(t("returnees.gender.female", "en"))
    assert page.locator('[data-testid="stException"]').count() == 0
    page.wait_for_load_state("networkidle")
    assert [u for u in outside if not u.startswith(("data:", "blob:"))] == []
