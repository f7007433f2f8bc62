"""The ventures page through AppTest: both languages, filters change the numbers, the park filter is said not to
apply, a click on a township bar filters to it, small counts of people are suppressed; no venture is listed."""

from __future__ import annotations

import pytest

from board import fmt
from board.i18n import t
from board.metrics import ventures
from board.selection import Selection
from board.tables import SMALL_CELL_TEXT
from etl import warehouse
from tests.apptest_pages import BAD_CELLS, cards, cells, click_bar, ok, open_page, qp
from tests.clerk_files import csv

PAGE = "pages/ventures.py"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_runs_in_both_languages_with_no_none_or_nan_cell(board_env, tmp_path, lang):
    at = open_page(tmp_path, PAGE, lang=lang)
    assert [x.value for x in at.title] == [t("page.ventures", lang)]
    shown = cells(at)
    assert shown and not BAD_CELLS & set(shown)
    assert len(at.get("plotly_chart")) == 3
    assert len(at.dataframe) == 3  # by type, township, industry: totals only
    by_type = at.dataframe[0].value
    assert by_type.iloc[:, 0].tolist() == [
        t(f"venture_type.{v}", lang) for v in ("能人创办企业", "家庭创业", "返乡创业", "其他")
    ]
    assert t("col.project", lang) not in by_type.columns


def test_a_township_filter_changes_the_cards_to_its_numbers(board_env, tmp_path):
    at = open_page(tmp_path, PAGE)
    county = cards(at)
    own = ventures.summary(Selection(2026, 11)).iloc[0]
    assert county[t("ventures.card.ventures", "zh")] == fmt.count(own["ventures"], "ventures", "zh")
    at.multiselect(key="f_town").set_value(["青石镇"]).run()
    ok(at)
    town = cards(at)
    own = ventures.summary(Selection(2026, 11, townships=("青石镇",))).iloc[0]
    assert town[t("ventures.card.ventures", "zh")] == fmt.count(own["ventures"], "ventures", "zh")
    assert town[t("ventures.card.jobs", "zh")] == fmt.count(own["jobs"], "people", "zh")
    assert town[t("ventures.card.multiplier", "zh")] == f"{own['jobs_per_venture']:,.2f}"
    for label in (t("ventures.card.ventures", "zh"), t("ventures.card.jobs", "zh"), t("ventures.card.loan", "zh")):
        assert town[label] != county[label], label
    at.multiselect(key="f_ind").set_value(["食品加工"]).run()
    ok(at)
    both = ventures.summary(Selection(2026, 11, townships=("青石镇",), industries=("食品加工",))).iloc[0]
    assert cards(at)[t("ventures.card.ventures", "zh")] == fmt.count(both["ventures"], "ventures", "zh")


def test_the_park_filter_is_said_not_to_apply_and_changes_nothing(board_env, tmp_path):
    before = cards(open_page(tmp_path, PAGE))
    at = open_page(tmp_path, PAGE, park="食品工业园")
    assert t("ventures.park_na", "zh") in [i.value for i in at.info]
    assert cards(at) == before


def test_a_click_on_a_township_bar_filters_the_dashboard_to_it(board_env, tmp_path):
    at = open_page(tmp_path, PAGE, lang="en")
    click_bar(at, "vt_by_township_", "柳河镇")
    assert at.multiselect(key="f_town").value == ["柳河镇"] and qp(at)["town"] == ["柳河镇"]
    assert [x.value for x in at.title] == [t("page.ventures", "en")]
    assert at.dataframe[1].value.iloc[:, 0].tolist() == ["柳河镇"]


def test_counts_of_one_to_four_people_are_suppressed(tmp_path, monkeypatch):
    db = warehouse.init(tmp_path / "w.duckdb")
    rows = [
        {"venture_id": "V1", "venture_type": "家庭创业", "township": "青石镇", "industry": "餐饮", "start_date": "2026-03-01",
         "jobs": "3"},
        {"venture_id": "V2", "venture_type": "能人创办企业", "township": "柳河镇", "industry": "制造", "start_date": "2026-04-01",
         "jobs": "12", "loan": "0"},
    ]  # fmt: skip
    assert warehouse.load_file(db, csv(tmp_path / "v.csv", "ventures", rows)).status == "loaded"
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    monkeypatch.setenv("DASHBOARD_RAISE", "1")
    at = open_page(tmp_path, PAGE)
    towns = at.dataframe[1].value.set_index(t("col.township", "zh"))
    assert towns.loc["青石镇", t("ventures.col.jobs_created", "zh")] == SMALL_CELL_TEXT
    assert towns.loc["柳河镇", t("ventures.col.jobs_created", "zh")] == "12"
    assert towns.loc["柳河镇", t("ventures.col.jobs_per_loan", "zh")] == fmt.DASH  # a loan of 0: no rate
    assert towns.loc["青石镇", t("ventures.col.jobs_per_venture", "zh")] == fmt.DASH  # 3 ÷ 1 would give it back
    assert towns.loc["柳河镇", t("ventures.col.jobs_per_venture", "zh")] == "12.00"
    assert "3" not in set(towns[t("ventures.col.jobs_created", "zh")])
    assert cards(at)[t("ventures.card.jobs", "zh")] == fmt.count(15, "people", "zh")
    assert not BAD_CELLS & set(cells(at))
