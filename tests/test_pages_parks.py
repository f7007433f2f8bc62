"""The parks pages through AppTest: both languages, the park chooser drives the cards, the URL keeps the pages' own
parameters, a project row opens the project, the grading settings file's state is said on the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from board import fmt
from board.i18n import metric_name, t
from board.metrics import parks, progress
from board.selection import Selection
from etl import park_grading
from tests.apptest_pages import BAD_CELLS, ROOT, cards, cells, ok, page_fixture, session, switch

PARKS_PAGE, GRADES_PAGE = "pages/parks.py", "pages/park_grades.py"


@pytest.fixture(autouse=True)
def grading_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No settings file unless a test writes one (the demo warehouse holds the defaults)."""
    path = tmp_path / "park_grading.toml"
    monkeypatch.setenv(park_grading.ENV, str(path))
    return path


page = page_fixture()


def qp(at: AppTest) -> dict[str, str]:
    return dict(at.query_params.items())


@pytest.mark.parametrize("path", [PARKS_PAGE, GRADES_PAGE])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("year", ["2026", "2022"])
def test_the_parks_pages_run_in_both_languages_with_no_none_or_nan_cell(page, path, lang, year):
    at = page(path, lang=lang, year=year)
    title = t("page.parks" if path == PARKS_PAGE else "page.park_grades", lang)
    assert [x.value for x in at.title] == [title]
    shown = cells(at)
    assert shown and not BAD_CELLS & set(shown)
    assert len(at.get("plotly_chart")) == 2


def test_a_park_without_land_shows_a_dash_and_no_grade(page):
    at = page(GRADES_PAGE, year="2022")
    efficiency = at.dataframe[0].value.set_index(t("col.park", "zh"))
    row = efficiency.loc["物流园"]
    assert row[t("col.tax_per_mu", "zh")] == fmt.DASH and row[t("col.grade", "zh")] == fmt.DASH
    assert t("parks.no_land", "zh", parks="物流园") in [i.value for i in at.info]
    grades = at.dataframe[1].value
    assert "物流园" not in set(grades[t("col.park", "zh")])


def test_choosing_a_park_changes_the_cards_to_its_numbers(page):
    at = page(PARKS_PAGE)
    first = at.selectbox(key="url_focus").value
    before = cards(at)
    other = next(p for p in at.selectbox(key="url_focus").options if p != first)
    at.selectbox(key="url_focus").set_value(other).run()
    ok(at)
    after = cards(at)
    own = progress.progress(Selection(2026, 11, parks=(other,)), parks.CARD_METRICS).set_index("metric")["actual"]
    for metric in parks.CARD_METRICS:
        assert after[metric_name(metric, "zh")] == fmt.money(own[metric], "zh", compact=True), metric
    assert after[metric_name("park_revenue", "zh")] != before[metric_name("park_revenue", "zh")]
    jobs = parks.efficiency(2026, 11).set_index("park").loc[other, "jobs"]
    assert after[t("parks.measure.jobs", "zh")] == t("fmt.people", "zh", v=f"{jobs:,.0f}")
    assert qp(at)["focus"] == other


def test_the_url_keeps_the_pages_own_parameters(page):
    at = page(PARKS_PAGE, focus="食品工业园", measure="tax")
    assert at.selectbox(key="url_focus").value == "食品工业园"
    assert at.selectbox(key="url_measure").value == "tax"
    at.selectbox(key="f_year").set_value(2025).run()  # a filter change keeps the page's own parameters
    ok(at)
    assert {k: v for k, v in qp(at).items() if k in ("focus", "measure", "year")} == {
        "focus": "食品工业园", "measure": "tax", "year": "2025",
    }  # fmt: skip
    at.selectbox(key="url_measure").set_value(parks.TREND_MEASURES[0]).run()  # the default leaves the URL clean
    assert "measure" not in qp(at)
    at = page(GRADES_PAGE, cmp="output_per_job")
    assert at.selectbox(key="url_cmp").value == "output_per_job"
    at.multiselect(key="f_town").set_value(["青石镇"]).run()
    ok(at)
    assert qp(at)["cmp"] == "output_per_job"


def test_the_sidebars_park_filter_is_the_choice_and_drops_another_park(page):
    at = page(PARKS_PAGE, focus="物流园")
    at.multiselect(key="f_park").set_value(["食品工业园"]).run()
    ok(at)
    assert at.selectbox(key="url_focus").options == ["食品工业园"]
    assert at.selectbox(key="url_focus").value == "食品工业园" and "focus" not in qp(at)
    assert not at.warning


def test_a_row_click_in_the_projects_table_opens_the_project(page):
    at = page(PARKS_PAGE, focus="新材料产业园")
    listed = parks.projects("新材料产业园")
    table = at.dataframe[-1].value
    assert list(table[t("col.project_id", "zh")]) == list(listed["project_id"])
    key = at.dataframe[-1].key  # the table's widget key (it follows the rows shown)
    assert key.startswith("pk_projects_")
    at.session_state[key] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    at.run()
    ok(at)
    assert [x.value for x in at.title] == [t("page.project", "zh")]
    assert at.query_params["id"] == listed["project_id"].iloc[2]


def test_a_year_with_an_annual_row_says_its_total_is_that_rows(page):
    at = page(PARKS_PAGE, year="2023", focus="食品工业园", measure="revenue")
    total = parks.efficiency(2023, 12).set_index("park").loc["食品工业园", "revenue"]
    note = t("parks.trend_annual_note", "zh", year=2023, value=fmt.money(total, "zh"))
    assert note in [i.value for i in at.info]


def test_the_grading_page_explains_the_settings_and_says_when_the_file_is_invalid_or_not_applied(page, grading_file):
    at = page(GRADES_PAGE, lang="en")
    text = " ".join(m.value for m in at.markdown)
    assert "40.0%" in text and "under 20 %" in text and "exactly 20 %" in text
    assert not at.error and not at.warning
    grading_file.write_text("[bands]\nA = 70\nB = 60\n")
    at = page(GRADES_PAGE, lang="en")
    reason = park_grading.Invalid  # the page shows the loader's own message
    with pytest.raises(reason) as err:
        park_grading.load()
    assert [e.value for e in at.error] == [t("parks.grading_invalid", "en", reason=fmt.code_span(err.value.en))]
    grading_file.write_text("[weights]\ntax_per_mu = 1\n")
    at = page(GRADES_PAGE)
    where = fmt.code_span(parks.grading_path())
    assert [w.value for w in at.warning] == [t("parks.grading_pending", "zh", path=where)]


def test_a_registered_park_without_rows_shows_dashes_and_the_pages_still_run(tmp_path, monkeypatch):
    from etl import warehouse
    from tests.clerk_files import csv

    db = warehouse.init(tmp_path / "w.duckdb")
    units = [
        {"name": "青石镇", "type": "镇街", "code": "510999100000"},
        {"name": "新园", "type": "园区", "parent": "青石镇"},
        {"name": "老园", "type": "园区", "parent": "青石镇"},
    ]
    rows = [{"park": "老园", "period": f"2026-{m:02d}", "land_used_mu": "100", "jobs": "50", "tax": "3",
             "industrial_output": "40", "fixed_asset_investment": "20", "revenue": "60"} for m in (1, 2, 3)]  # fmt: skip
    for name, data in (("units", units), ("parks", rows)):
        assert warehouse.load_file(db, csv(tmp_path / f"{name}.csv", name, data)).status == "loaded"
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    monkeypatch.setenv("DASHBOARD_RAISE", "1")
    at = switch(session(tmp_path), PARKS_PAGE, focus="新园")
    ok(at)
    assert at.selectbox(key="url_focus").value == "新园"
    shown = cards(at)
    assert shown[t("parks.measure.jobs", "zh")] == fmt.DASH and shown[metric_name("park_revenue", "zh")] == "0.00 万元"
    assert t("parks.projects_none", "zh") in [i.value for i in at.info]
    assert not BAD_CELLS & set(cells(at))
    at.switch_page(str(ROOT / GRADES_PAGE)).run()
    ok(at)
    grades = at.dataframe[1].value
    assert list(grades[t("col.grade", "zh")]) == ["A"]  # the only park with rows, graded alone
