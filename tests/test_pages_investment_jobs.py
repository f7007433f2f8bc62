"""The jobs-from-investment page through AppTest: both languages, filters and the basis change the numbers, a click
on a township bar filters to it, a click on a project opens its detail."""

from __future__ import annotations

import pytest

from board.i18n import t
from board.metrics import jobs
from board.selection import Selection
from tests.apptest_pages import BAD_CELLS, cards, cells, click_bar, click_row, ok, open_page, qp

PAGE = "pages/investment_jobs.py"


def per_yi_card(at) -> str:
    return cards(at)[t("ijobs.card.per_yi", "zh")]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("basis", ["year", "all"])
def test_the_page_runs_in_both_languages_with_no_none_or_nan_cell(board_env, tmp_path, lang, basis):
    at = open_page(tmp_path, PAGE, lang=lang, basis=basis)
    assert [x.value for x in at.title] == [t("page.investment_jobs", lang)]
    shown = cells(at)
    assert shown and not BAD_CELLS & set(shown)
    assert len(at.get("plotly_chart")) == 2 and len(at.dataframe) == 4


def test_the_cards_are_the_read_sides_numbers_and_follow_filters_and_basis(board_env, tmp_path):
    at = open_page(tmp_path, PAGE)
    own = jobs.summary(Selection(2026, 11)).set_index("part").loc["all"]
    assert per_yi_card(at) == f"{own['jobs_per_yi']:,.1f}"
    at.selectbox(key="url_basis").set_value("all").run()
    ok(at)
    assert qp(at)["basis"] == ["all"]
    to_date = jobs.summary(Selection(2026, 11), "all").set_index("part").loc["all"]
    assert per_yi_card(at) == f"{to_date['jobs_per_yi']:,.1f}" != f"{own['jobs_per_yi']:,.1f}"
    at.multiselect(key="f_ind").set_value(["新材料"]).run()
    ok(at)
    ind = jobs.summary(Selection(2026, 11, industries=("新材料",)), "all").set_index("part").loc["all"]
    assert per_yi_card(at) == f"{ind['jobs_per_yi']:,.1f}"
    ranked = at.dataframe[2].value  # by industry
    assert ranked.iloc[:, 0].tolist() == ["新材料"]


def test_industries_are_ranked_by_jobs_per_yi(board_env, tmp_path):
    at = open_page(tmp_path, PAGE, lang="en")
    table = at.dataframe[2].value
    assert table.iloc[:, 0].tolist() == jobs.by_group(Selection(2026, 11), "industry")["key"].tolist()
    rates = [float(str(v).replace(",", "")) for v in table[t("ijobs.col.jobs_per_yi", "en")]]
    assert rates == sorted(rates, reverse=True)


def test_a_click_on_a_township_bar_filters_the_dashboard_to_it(board_env, tmp_path):
    at = open_page(tmp_path, PAGE)
    click_bar(at, "ij_township_year_", "青石镇")
    assert at.multiselect(key="f_town").value == ["青石镇"] and qp(at)["town"] == ["青石镇"]
    own = jobs.summary(Selection(2026, 11, townships=("青石镇",))).set_index("part").loc["all"]
    assert per_yi_card(at) == f"{own['jobs_per_yi']:,.1f}"


@pytest.mark.parametrize("table", [0, 1])  # key projects, all projects in production
def test_a_click_on_a_project_opens_its_detail(board_env, tmp_path, table):
    at = open_page(tmp_path, PAGE)
    listed = at.dataframe[table].value[t("col.project_id", "zh")].tolist()
    found = jobs.projects(Selection(2026, 11))
    want = found[found["key_project"]] if table == 0 else found
    assert listed == want["project_id"].tolist()
    click_row(at, table, 1)
    assert [x.value for x in at.title] == [t("page.project", "zh")]
    assert at.query_params["id"] == listed[1]
