"""The app through Streamlit's AppTest: every page runs, filters drive the cards, the URL holds the view."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from board import fmt, i18n, nav
from board.i18n import metric_name, t
from board.selection import Notice
from board.sidebar import notice_text
from etl import audit, warehouse
from etl.metric_catalogue import CARD_METRICS, get
from tests.apptest_pages import ROOT, captions, cards, qp, session, switch
from tests.apptest_pages import cells as shown_cells
from tests.apptest_pages import clean as ok
from tests.apptest_pages import entry as _entry
from tests.clerk_files import csv, project


@pytest.fixture
def app(board_env: Path, tmp_path: Path):
    """A factory of AppTests of dashboard.py, optionally opened with URL parameters."""

    def make(**params: str | list[str]) -> AppTest:
        return session(tmp_path, **params)

    return make


def _page_params(db: Path, page: str) -> dict[str, str]:
    """What a page needs in its URL to show its tables: the project detail, a project that has funds (the audit
    page, an event in the log)."""
    if page == "pages/audit.py":
        audit.write("张三", "sign_in", "role=viewer", "192.0.2.7", "test")
    if page != nav.PROJECT_PAGE:
        return {}
    with duckdb.connect(str(db), read_only=True) as con:
        return {"id": con.execute("SELECT min(project_id) FROM v_funding").fetchone()[0]}


@pytest.mark.parametrize("page", [p.path for p in nav.existing()])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_runs_says_its_period_and_shows_no_none(app, board_env, page, lang):
    at = app(lang=lang)
    ok(at)
    switch(at, page, **_page_params(board_env, page))
    ok(at)
    assert at.title, "each page has a title"
    head = t("freshness", lang, period="", through="", loaded="").split(" ")[0]
    assert any(c.startswith(head) for c in captions(at))
    cells = shown_cells(at)
    assert cells, "each page shows a table"
    assert not {"None", "nan", "NaN", "<NA>", "NaT"} & set(cells)


def _own_actuals(db: Path, town: str | None) -> dict[str, float]:
    """The test's own numbers: Σ v_metric_facts for 2026 through November, for the unit ``town``."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            """SELECT metric, sum(value) FROM v_metric_facts WHERE year = 2026 AND month <= 11
               AND (? IS NULL OR ? IN (township, park, responsible_unit)) GROUP BY metric""",
            [town, town],
        ).fetchall()
    return dict(rows)


def test_choosing_a_township_changes_every_card_to_its_numbers(app, board_env):
    at = app()
    ok(at)
    county = cards(at)
    own = _own_actuals(board_env, None)
    for m in CARD_METRICS:
        assert county[metric_name(m, "zh")] == fmt.value(own.get(m, 0.0), get(m).kind, "zh", compact=True)
    town = at.multiselect(key="f_town").options[3]
    at.multiselect(key="f_town").set_value([town]).run()
    ok(at)
    shown = cards(at)
    own = _own_actuals(board_env, town)
    for m in CARD_METRICS:
        label = metric_name(m, "zh")
        assert shown[label] == fmt.value(own.get(m, 0.0), get(m).kind, "zh", compact=True), m
        assert shown[label] != county[label], m
    assert qp(at)["town"] == [town]


def test_card_targets_and_rates_equal_v_target_progress(app, board_env):
    with duckdb.connect(str(board_env), read_only=True) as con:
        town = con.execute("SELECT min(township) FROM v_labor").fetchone()[0]
        rows = con.execute(
            "SELECT metric, target, completion_rate FROM v_target_progress WHERE year = 2025 AND unit = ? "
            "AND list_contains(?::VARCHAR[], metric)",
            [town, list(CARD_METRICS)],
        ).fetchall()
    at = app(year="2025", town=town)
    ok(at)
    assert at.selectbox(key="f_month").value == 12  # a past year defaults to December
    assert len(rows) >= 5
    texts = captions(at)
    for metric, target, rate in rows:
        expected = t("card.target", "zh", target=fmt.value(target, get(metric).kind, "zh"), rate=fmt.pct(rate))
        assert expected in texts, metric


def test_query_params_round_trip(app):
    at = app(year="2025", month="6", town=["青石镇", "柳河镇"], lang="en", rank="funds_in_place")
    ok(at)
    assert at.selectbox(key="f_year").value == 2025
    assert at.selectbox(key="f_month").value == 6
    assert at.multiselect(key="f_town").value == ["青石镇", "柳河镇"]
    assert at.radio(key="f_lang").value == "en"
    assert at.selectbox(key="url_rank").value == "funds_in_place"
    want = {"year": ["2025"], "month": ["6"], "town": ["青石镇", "柳河镇"], "lang": ["en"], "rank": ["funds_in_place"]}
    assert qp(at) == want
    assert t("fmt.period", "en", y=2025, m=6, mon="Jun") + " · 青石镇, 柳河镇" in captions(at)


def test_the_ranking_metric_is_kept_in_the_url(app):
    at = app()
    assert "rank" not in qp(at)  # the default metric leaves the URL clean
    at.selectbox(key="url_rank").set_value("new_jobs").run()
    ok(at)
    assert qp(at)["rank"] == ["new_jobs"]
    ranking = at.dataframe[1].value  # the ranking table, under the chart
    assert set(ranking[t("col.metric", "zh")]) == {metric_name("new_jobs", "zh")}
    at.multiselect(key="f_town").set_value(["青石镇"]).run()  # a filter change keeps the page's own parameter
    assert qp(at)["rank"] == ["new_jobs"]


def test_bad_params_fall_back_with_a_notice(app):
    at = app(year="1999", town="不存在镇", month="6", rank="nonsense")
    ok(at)
    assert at.selectbox(key="f_year").value == 2026
    assert at.multiselect(key="f_town").value == []
    notices = [w.value for w in at.warning]
    for param, value in (("year", "1999"), ("town", "不存在镇"), ("rank", "nonsense")):
        assert notice_text(Notice(param, value)) in notices
    assert qp(at) == {"year": ["2026"], "month": ["6"]}


def test_a_month_past_the_data_is_clamped_with_a_notice(app):
    at = app(year="2026", month="12")
    ok(at)
    assert at.selectbox(key="f_month").value == 11
    assert at.selectbox(key="f_month").options == [t(f"month.long.{m}", "zh") for m in range(1, 12)]
    assert notice_text(Notice("month", "12", "clamped", "11")) in [w.value for w in at.warning]
    assert t("fmt.period", "zh", y=2026, m=11, mon="Nov") + " · " + t("scope.all", "zh") in captions(at)
    assert qp(at)["month"] == ["11"]


def test_english_switch_changes_labels_and_keeps_filters(app):
    at = app(town="青石镇")
    at.radio(key="f_lang").set_value("en").run()
    ok(at)
    labels = set(cards(at))
    assert {metric_name(m, "en") for m in CARD_METRICS} <= labels
    assert at.title[0].value == t("overview.title", "en")
    assert at.multiselect(key="f_town").value == ["青石镇"]
    assert qp(at)["lang"] == ["en"]


def test_missing_target_says_no_target(app, board_env):
    with duckdb.connect(str(board_env), read_only=True) as con:
        town, metric = con.execute(
            """SELECT t.township, m.metric FROM (SELECT DISTINCT township FROM v_labor) t,
               (SELECT unnest(?::VARCHAR[]) AS metric) m
               WHERE NOT EXISTS (SELECT 1 FROM v_targets v WHERE v.year = 2026 AND v.unit = t.township
                                 AND v.metric = m.metric) ORDER BY 1, 2 LIMIT 1""",
            [list(CARD_METRICS)],
        ).fetchone()
    for lang, word in (("zh", "无目标"), ("en", "no target")):
        at = app(town=town, lang=lang)
        ok(at)
        block = _card_block(at, metric_name(metric, lang))
        assert word in block
        assert "%" not in block.split("\n", 2)[-1]  # no 0 % rate


def _card_block(at: AppTest, label: str) -> str:
    """The texts of the bordered card whose metric has ``label``: label, value, captions."""
    cards_row = next(b for b in at.main.children.values() if b.type == "flex_container" and len(b.get("metric")) > 2)
    for box in cards_row.children.values():
        metrics_in = [m for m in box.get("metric") if m.label == label]
        if metrics_in:
            return "\n".join([label, metrics_in[0].value] + [c.value for c in box.get("caption")])
    raise AssertionError(label)


def test_industry_filter_says_targets_do_not_apply_and_judges_nobody_behind(app):
    at = app(ind="食品加工")
    ok(at)
    texts = captions(at)
    assert texts.count(t("note.target_na_industry", "zh")) >= 8
    template = re.escape(i18n.catalog("zh")["card.target"])
    card_rate = re.compile(template.replace(re.escape("{target}"), ".+").replace(re.escape("{rate}"), ".+"))
    assert not any(card_rate.fullmatch(c) for c in texts)
    assert any(card_rate.fullmatch(c) for c in captions(app()))  # the same check finds rates without the filter
    assert t("attention.behind_industry", "zh") in texts
    assert cards(at)[t("attention.behind", "zh")] == fmt.DASH
    assert t("overview.ranking_industry", "zh") in [i.value for i in at.info]


def test_a_township_filter_says_the_ranking_covers_every_township(app):
    assert t("overview.ranking_scope", "zh") not in captions(app())
    at = app(town="青石镇")
    ok(at)
    assert t("overview.ranking_scope", "zh") in captions(at)


def test_empty_warehouse_shows_the_first_screen(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(tmp_path / "none.duckdb"))
    monkeypatch.setenv("DASHBOARD_RAISE", "1")
    at = AppTest.from_file(str(_entry(tmp_path)), default_timeout=60).run()
    ok(at)
    assert at.title[0].value == t("empty.title", "zh")
    commands = [c.value for c in at.code]
    assert "make run" in commands and "make demo" in commands
    links = [x.proto.label for x in at.get("page_link")]
    assert t("empty.upload_link", "zh") in links  # the upload page, now that it exists
    at.switch_page(str(ROOT / "pages/batches.py")).run()
    ok(at)
    assert t("batches.none", "zh") in [i.value for i in at.info]


def test_choosing_a_past_year_moves_the_month_to_december(app):
    at = app()
    assert at.selectbox(key="f_month").value == 11  # latest month with data in 2026
    at.selectbox(key="f_year").set_value(2025).run()
    ok(at)
    assert at.selectbox(key="f_month").value == 12
    assert qp(at)["year"] == ["2025"] and qp(at)["month"] == ["12"]


def test_batches_page_in_english_with_the_quarantined_rows(demo_db, tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    shutil.copy(demo_db, db)
    rows = [project("Q1", "100"), project("Q2", "abc"), project("Q3", "200", township="青石乡")]
    res = warehouse.load_file(db, csv(tmp_path / "p.csv", "projects", rows), skip_invalid=True)
    assert (res.status, res.rows_rejected) == ("loaded", 2)
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    monkeypatch.setenv("DASHBOARD_RAISE", "1")
    at = AppTest.from_file(str(_entry(tmp_path)), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page(str(ROOT / "pages/batches.py")).run()
    ok(at)
    assert at.title[0].value == t("page.batches", "en")
    history, quarantine = (df.value for df in at.dataframe)
    assert {"Batch", "Rows quarantined", "SHA-256", "Status"} <= set(history.columns)
    assert set(history["Status"]) == {"loaded"}
    assert at.selectbox(key="url_batch").value == str(res.batch_id)  # the newest batch is shown
    assert quarantine["Row"].tolist() == ["3", "4"]
    reasons = " ".join(quarantine["Why quarantined"])
    assert "Row 3" in reasons and "青石镇" in reasons  # the suggestion for the township typo


def test_a_failing_page_shows_a_short_message_not_a_traceback(demo_db, tmp_path, monkeypatch):
    broken = tmp_path / "broken.duckdb"
    shutil.copy(demo_db, broken)
    with duckdb.connect(str(broken)) as con:  # a setting that is not a number: the overview cannot run
        con.execute("INSERT OR REPLACE INTO meta VALUES ('settings.stalled_signed_days', 'abc')")
    monkeypatch.setenv("DASHBOARD_DB", str(broken))
    monkeypatch.delenv("DASHBOARD_RAISE", raising=False)
    at = AppTest.from_file(str(_entry(tmp_path)), default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("error.generic", "zh")]
    assert "abc" not in " ".join(m.value for m in at.markdown)


def _sql_or_duckdb(path: Path) -> list[str]:
    """What in a page's source is database access: a duckdb import or a string that reads as SQL."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            found += [n for n in names if n and n.split(".")[0] == "duckdb"]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if re.search(
                r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP)\b.+\b(FROM|INTO|SET|TABLE|VIEW)\b",
                node.value,
                re.I | re.S,
            ):
                found.append(node.value[:40])
    return found


def test_the_page_check_finds_sql_and_duckdb():
    source = 'import duckdb\nx = "SELECT a FROM v_projects"\ny = "选择 from the menu"\n'
    path = Path(__file__).parent / "_tmp_page_probe.py"
    path.write_text(source, encoding="utf-8")
    try:
        assert _sql_or_duckdb(path) == ["duckdb", "SELECT a FROM v_projects"]
    finally:
        path.unlink()


@pytest.mark.parametrize("path", [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py"))], ids=lambda p: p.name)
def test_no_page_imports_duckdb_or_holds_sql(path: Path):
    assert _sql_or_duckdb(path) == []


def test_first_request_to_a_page_url_runs_that_page_with_its_parameters(board_env):
    """dashboard.py itself, not the wrapper: with pages/ beside it, AppTest's first run is in Streamlit's legacy
    pages/ mode, as the first request to a fresh server is: the page file runs alone first."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for name, value in {"lang": "en", "year": "2025", "town": "青石镇"}.items():
        at.query_params[name] = value
    at.switch_page("pages/batches.py").run()
    ok(at)
    assert [x.value for x in at.title] == [t("page.batches", "en")]
    assert at.selectbox(key="f_year").value == 2025
    assert qp(at) == {"year": ["2025"], "month": ["12"], "town": ["青石镇"], "lang": ["en"]}


def test_menu_lists_the_existing_pages_in_the_current_language(app):
    for lang in i18n.LANGS:
        at = app(lang=lang)
        ok(at)
        assert [link.value for link in at.sidebar.get("page_link")] == [t(p.title_key, lang) for p in nav.existing()]


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_placeholder_page_in_both_languages(app, lang, monkeypatch):
    # every registered page has its file now: register one more whose file does not exist (a page to come)
    to_come = nav.PageSpec("pages/to_come.py", "data", "page.upload", ":material/upload_file:", "to-come")
    monkeypatch.setattr(nav, "PAGES", (*nav.PAGES, to_come))
    at = app(lang=lang)
    at.switch_page(str(ROOT / nav.MISSING_PAGE)).run()  # a registered page without a file, or an unknown URL
    ok(at)
    assert [x.value for x in at.title] == [t("missing.title", lang)]
    home = [link for link in at.main.get("page_link") if link.value == t("missing.home", lang)]
    assert len(home) == 1 and home[0].proto.page == ""  # the overview, at the app root


def test_superscript_digits_in_the_link_are_a_notice_not_an_error_page(app):
    at = app(year="²", month="³")
    ok(at)
    assert at.selectbox(key="f_year").value == 2026 and at.title[0].value == t("overview.title", "zh")
    notices = [w.value for w in at.warning]
    assert notice_text(Notice("year", "²")) in notices and notice_text(Notice("month", "³")) in notices
