"""The stalled lists and the project detail through AppTest: thresholds in the URL, numbers from the read side."""

from __future__ import annotations

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from board import fmt
from board.i18n import t
from board.metrics import projects
from board.selection import Notice, Selection
from board.sidebar import notice_text
from tests.apptest_pages import page_fixture

page = page_fixture()


def counts(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_stalled_counts_follow_the_thresholds_kept_in_the_url(page):
    at = page("pages/stalled.py")
    expected = projects.stalled_projects(Selection(2026, 11), 180, 6)["reason"].value_counts()
    shown = counts(at)
    for reason in ("not_started", "no_funds", "status"):
        assert shown[t(f"stalled.{reason}", "zh")] == fmt.count(int(expected.get(reason, 0)), "projects", "zh")
    at.number_input(key="url_days").set_value(30).run()
    fewer_days = projects.stalled_projects(Selection(2026, 11), 30, 6)["reason"].value_counts()
    assert counts(at)[t("stalled.not_started", "zh")] == fmt.count(int(fewer_days["not_started"]), "projects", "zh")
    assert fewer_days["not_started"] > expected["not_started"]
    assert at.query_params["days"] == "30"


def test_the_stalled_list_shows_the_chosen_rule_with_days_and_last_funds(page):
    at = page("pages/stalled.py", rule="no_funds", lang="en")
    table = at.dataframe[0].value
    assert set(table["Why stalled"]) == {t("stalled.no_funds", "en")}
    assert {"Days stuck", "Last funds in", "Lead person", "Responsible unit"} <= set(table.columns)
    assert "None" not in table.astype(str).to_numpy().ravel()


def test_a_threshold_out_of_range_in_the_link_is_a_notice(page):
    at = page("pages/stalled.py", days="99999")
    assert notice_text(Notice("days", "99999")) in [w.value for w in at.warning]
    assert at.number_input(key="url_days").value == 180


def test_the_project_detail_shows_its_funds_against_its_contract(page, board_env):
    with duckdb.connect(str(board_env), read_only=True) as con:
        pid, funds = con.execute(
            "SELECT project_id, sum(funds_in_place) FROM v_funding WHERE period <= '2026-11' GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
        ).fetchone()
    at = page("pages/project.py", id=pid)
    assert counts(at)[t("project.funds_to_date", "zh")] == fmt.money(funds, "zh")
    assert len(at.get("plotly_chart")) == 2  # the stages and the funds
    assert at.dataframe[-1].value[t("col.cumulative", "zh")].iloc[-1] == pytest.approx(round(funds, 2))


def test_project_search_and_an_unknown_id(page):
    at = page("pages/project.py", q="ZS2026")
    found = at.dataframe[0].value
    assert len(found) > 0 and found[t("col.project_id", "zh")].str.startswith("ZS2026").all()
    at = page("pages/project.py", id="![x](http://e.x/p.png)")
    assert t("project.unknown", "zh", id=fmt.code_span("![x](http://e.x/p.png)")) in [w.value for w in at.warning]
