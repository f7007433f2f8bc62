"""The pipeline, key-projects and register pages through AppTest: both languages, filters, URL parameters,
drill-through and row clicks that open the project."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from board import fmt, nav
from board.i18n import status_name, t, tier_name
from board.metrics import pipeline
from board.selection import Notice
from board.sidebar import notice_text
from tests import apptest_pages
from tests.apptest_pages import captions, qp
from tests.apptest_pages import cells as shown_cells
from tests.apptest_pages import clean as ok

PAGES = {
    "pipeline": ("pages/pipeline.py", "page.pipeline"),
    "key": ("pages/key_projects.py", "page.key_projects"),
    "register": ("pages/projects.py", "page.projects"),
}


@pytest.fixture
def open_page(board_env: Path, tmp_path: Path):
    """A factory: an AppTest of dashboard.py (through tests/apptest_pages.py) opened on one of PAGES with URL
    parameters, as a link to that page opens it."""

    def make(page: str, **params: str | list[str]) -> AppTest:
        path = PAGES[page][0]
        # AppTest names a page by its file before the first run: where the URL path is not the file's name, the
        # home page runs first (the parameters not set again), then the switch
        deep = Path(path).stem == next(p.url_path for p in nav.PAGES if p.path == path)
        return apptest_pages.open_page(tmp_path, path, deep_link=deep, reapply=False, check=ok, **params)

    return make


@pytest.fixture
def switches(monkeypatch: pytest.MonkeyPatch) -> list | None:
    """Where the pages asked st.switch_page to go while the project page does not exist yet (it comes from
    another change); None when it exists and the switch really happens."""
    if nav.exists(nav.PROJECT_PAGE):
        return None
    calls: list = []
    monkeypatch.setattr(streamlit, "switch_page", lambda page, query_params=None: calls.append((page, query_params)))
    return calls


def assert_opened(at: AppTest, calls: list | None, project_id: str) -> None:
    if calls is None:
        ok(at)
        assert [x.value for x in at.title] == [t("page.project", "zh")]
        assert qp(at)["id"] == [project_id]
    else:
        assert calls == [(nav.script(nav.PROJECT_PAGE), {"id": project_id})]


def select_row(at: AppTest, table: int, row: int) -> None:
    """Click row ``row`` of the page's ``table``-th table (a selectable st.dataframe keeps its selection in the
    session state under its key)."""
    at.session_state[at.dataframe[table].key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()


@pytest.fixture
def con(board_env: Path):
    c = duckdb.connect(str(board_env), read_only=True)
    yield c
    c.close()


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_page_runs_in_both_languages_with_no_none_cell(open_page, page, lang):
    at = open_page(page, lang=lang)
    assert [x.value for x in at.title] == [t(PAGES[page][1], lang)]
    cells = shown_cells(at)
    assert cells
    assert not {"None", "nan", "NaN", "<NA>", "NaT", "None 个", "nan%"} & set(cells)
    texts = [c.value for c in at.caption] + [m.label for m in at.metric] + [m.value for m in at.metric]
    assert not any(word in text for text in texts for word in ("None", "nan", "NaT"))
    if page == "pipeline":
        assert len(at.get("plotly_chart")) == 5 and len(at.dataframe) == 5
        stages = at.dataframe[0].value[t("col.stage", lang)].tolist()
        assert [s.lower() for s in stages] == [
            status_name(s, lang).lower() for s in (*pipeline.STAGES, *pipeline.LEAKS)
        ]
        tiers = at.dataframe[2].value[t("col.size_tier", lang)].tolist()
        assert tiers == [tier_name(c, lang) for c in pipeline.TIERS]


def _signed_in(con, town: str | None) -> int:
    """The test's own count: projects signed in 2026 through November that answer to ``town`` (or all)."""
    return con.execute(
        """SELECT count(*) FROM v_projects p WHERE signed_date BETWEEN DATE '2026-01-01' AND DATE '2026-11-30'
           AND (? IS NULL OR EXISTS (SELECT 1 FROM v_project_units u WHERE u.project_id = p.project_id AND u.unit = ?))""",
        [town, town],
    ).fetchone()[0]


def test_pipeline_funnel_follows_the_township_filter(open_page, con):
    at = open_page("pipeline")
    funnel = at.dataframe[0].value.set_index(t("col.stage", "zh"))[t("col.projects", "zh")]
    assert int(funnel["签约"]) == _signed_in(con, None)
    town = at.multiselect(key="f_town").options[2]
    at.multiselect(key="f_town").set_value([town]).run()
    ok(at)
    mine = at.dataframe[0].value.set_index(t("col.stage", "zh"))[t("col.projects", "zh")]
    assert int(mine["签约"]) == _signed_in(con, town) < int(funnel["签约"])
    assert int(mine["在谈"]) < int(funnel["在谈"])


def test_the_breakdown_is_kept_in_the_url_and_survives_a_filter_change(open_page):
    at = open_page("pipeline")
    assert "by" not in qp(at)  # the default (township) leaves the URL clean
    at.selectbox(key="url_by").set_value("method").run()
    ok(at)
    assert qp(at)["by"] == ["method"]
    table = at.dataframe[3].value
    assert list(table.columns)[0] == t("col.method", "zh")
    assert set(table[t("col.method", "zh")]) <= {t(f"method.{m}", "zh") for m in pipeline.METHODS} | {
        t("pipeline.not_recorded", "zh")
    }
    at.multiselect(key="f_town").set_value(["青石镇"]).run()
    assert qp(at)["by"] == ["method"] and qp(at)["town"] == ["青石镇"]
    deep = open_page("pipeline", by="origin", lang="en")
    assert deep.selectbox(key="url_by").value == "origin"
    assert list(deep.dataframe[3].value.columns)[0] == t("col.origin", "en")
    bad = open_page("pipeline", by="nonsense")
    assert notice_text(Notice("by", "nonsense")) in [w.value for w in bad.warning]


def test_a_click_on_a_township_bar_filters_the_dashboard_to_it(open_page):
    at = open_page("pipeline")
    town = at.dataframe[3].value[t("col.township", "zh")].iloc[1]
    points = [{"customdata": town, "y": town, "point_index": 1}]
    at.session_state["pl_by_township_"] = {
        "selection": {"points": points, "point_indices": [1], "box": [], "lasso": []}
    }
    at.run()
    ok(at)
    assert at.multiselect(key="f_town").value == [town]
    assert qp(at)["town"] == [town]
    assert at.dataframe[3].value[t("col.township", "zh")].tolist() == [town]


def test_key_projects_follow_the_filters_and_a_row_opens_the_project(open_page, con, switches):
    at = open_page("key")
    count = next(m.value for m in at.metric if m.label == t("key.count", "zh"))
    own = con.execute(
        "SELECT count(*) FROM v_projects WHERE key_project AND (signed_date IS NULL OR signed_date <= '2026-11-30')"
    ).fetchone()[0]
    assert count == fmt.count(own, "projects", "zh")
    at.multiselect(key="f_town").set_value(["青石镇"]).run()
    ok(at)
    assert next(m.value for m in at.metric if m.label == t("key.count", "zh")) != count
    table = at.dataframe[0].value
    second = table[t("col.project_id", "zh")].iloc[1]
    select_row(at, 0, 1)
    assert_opened(at, switches, second)


def test_register_search_is_kept_in_the_url(open_page, con):
    at = open_page("register", q="钛")
    assert at.text_input(key="rg_q").value == "钛"
    n = con.execute("SELECT count(*) FROM v_projects WHERE name ILIKE '%钛%' OR project_id ILIKE '%钛%'").fetchone()[0]
    assert n > 0
    assert t("register.count", "zh", n=fmt.number(n), first=1, last=min(n, 50)) in captions(at)
    names = at.dataframe[0].value[t("col.project", "zh")]
    assert len(names) == min(n, 50) and all("钛" in x for x in names)
    at.text_input(key="rg_q").input("ZS2026").run()
    ok(at)
    assert qp(at)["q"] == ["ZS2026"]
    at.multiselect(key="f_town").set_value(["青石镇"]).run()  # a filter change keeps the page's own parameters
    assert qp(at)["q"] == ["ZS2026"] and qp(at)["town"] == ["青石镇"]
    at.text_input(key="rg_q").input("").run()
    assert "q" not in qp(at)


def _total(con) -> int:
    return con.execute("SELECT count(*) FROM v_projects").fetchone()[0]


def test_register_status_and_tier_come_from_the_url_and_change_the_count(open_page, con):
    everything = captions(open_page("register"))
    at = open_page("register", status="started", tier="t3", lang="en")
    n = con.execute("SELECT count(*) FROM v_projects WHERE status = '开工' AND size_tier = 't3'").fetchone()[0]
    assert at.selectbox(key="url_status").value == "started" and at.selectbox(key="url_tier").value == "t3"
    assert t("register.count", "en", n=n, first=1, last=min(n, 50)) in captions(at)
    assert t("register.count", "zh", n=fmt.number(_total(con)), first=1, last=50) in everything and n < _total(con)
    shown = at.dataframe[0].value
    assert set(shown[t("col.status", "en")]) == {"started"}
    assert set(shown[t("col.size_tier", "en")]) == {tier_name("t3", "en")}
    assert {k: v for k, v in qp(at).items() if k in ("status", "tier")} == {"status": ["started"], "tier": ["t3"]}


def test_register_pages_and_sorts_in_sql_and_a_row_opens_the_project(open_page, con, switches):
    at = open_page("register")
    total = _total(con)
    assert total > 100
    at.selectbox(key="rg_sort").set_value("total_investment").run()
    at.number_input(key="rg_page").set_value(2).run()
    ok(at)
    assert t("register.count", "zh", n=fmt.number(total), first=51, last=100) in captions(at)
    ids = [
        r[0]
        for r in con.execute("SELECT project_id FROM v_projects ORDER BY total_investment DESC, project_id").fetchall()
    ]
    shown = at.dataframe[0].value[t("col.project_id", "zh")].tolist()
    assert shown == ids[50:100]
    at.selectbox(key="rg_sort").set_value("signed_date").run()  # a new order starts again at page 1
    assert at.number_input(key="rg_page").value == 1
    expected = con.execute(
        "SELECT project_id FROM v_projects ORDER BY signed_date DESC NULLS LAST, project_id LIMIT 1 OFFSET 2"
    ).fetchone()[0]
    assert at.dataframe[0].value[t("col.project_id", "zh")].iloc[2] == expected  # the newest signed first
    select_row(at, 0, 2)
    assert_opened(at, switches, expected)
