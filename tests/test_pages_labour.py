"""The labour page through AppTest: both languages, the township filter changes the cards to its numbers (the
target metrics against its own targets), industry and park filters are said not to apply, the chart's measure is
kept in the URL, a click on a township bar filters to it."""

from __future__ import annotations

import pytest

from board import fmt
from board.i18n import t
from board.metrics import labour
from board.selection import Notice, Selection
from board.sidebar import notice_text
from tests.apptest_pages import BAD_CELLS, captions, cards, cells, click_bar, ok, open_page, qp

PAGE = "pages/labour.py"


def label(measure: str, lang: str = "zh") -> str:
    return t(f"labour.measure.{measure}", lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_runs_in_both_languages_with_no_none_or_nan_cell(board_env, tmp_path, lang):
    at = open_page(tmp_path, PAGE, lang=lang)
    assert [x.value for x in at.title] == [t("page.labour", lang)]
    shown = cells(at)
    assert shown and not BAD_CELLS & set(shown)
    assert len(at.get("plotly_chart")) == 2 and len(at.dataframe) == 2
    assert set(cards(at)) == {label(m, lang) for m in labour.MEASURES} | {t("labour.card.share", lang)}
    # the measures without a target metric say so; the two target metrics show their rate against 序时
    assert captions(at).count(t("labour.no_target_metric", lang)) == len(labour.OWN)


def test_a_township_filter_changes_the_cards_and_targets_to_its_own(board_env, tmp_path):
    at = open_page(tmp_path, PAGE)
    county = cards(at)
    at.multiselect(key="f_town").set_value(["青石镇"]).run()
    ok(at)
    town = cards(at)
    own = labour.totals(Selection(2026, 11, townships=("青石镇",))).set_index("measure")
    for measure in labour.MEASURES:
        assert town[label(measure)] == fmt.count(own.loc[measure, "actual"], "positions" if measure == "new_positions"
                                                 else "people", "zh")  # fmt: skip
        assert town[label(measure)] != county[label(measure)], measure
    row = own.loc["new_urban_jobs"]
    target = t("labour.card_target", "zh", target=fmt.count(row["target"], "people", "zh"), rate=fmt.pct(row["rate"]))
    assert target in captions(at)
    assert at.dataframe[0].value.iloc[:, 0].tolist() == ["青石镇"]


def test_industry_and_park_filters_are_said_not_to_apply(board_env, tmp_path):
    before = cards(open_page(tmp_path, PAGE))
    at = open_page(tmp_path, PAGE, ind="食品加工", park="食品工业园")
    assert t("labour.filters_na", "zh") in [i.value for i in at.info]
    assert cards(at) == before


def test_the_charts_measure_is_kept_in_the_url(board_env, tmp_path):
    at = open_page(tmp_path, PAGE)
    assert at.selectbox(key="url_series").value == "export_total" and "series" not in qp(at)
    at.selectbox(key="url_series").set_value("local_transfer").run()
    ok(at)
    assert qp(at)["series"] == ["local_transfer"]
    assert t("labour.monthly_help", "zh") in captions(at)  # no target metric: no pace line
    at.selectbox(key="f_year").set_value(2025).run()
    assert qp(at)["series"] == ["local_transfer"]
    deep = open_page(tmp_path, PAGE, series="new_urban_jobs", lang="en")
    assert deep.selectbox(key="url_series").value == "new_urban_jobs"
    assert t("labour.monthly_help_target", "en") in captions(deep)
    bad = open_page(tmp_path, PAGE, series="nonsense")
    assert notice_text(Notice("series", "nonsense")) in [w.value for w in bad.warning]


def test_a_click_on_a_township_bar_filters_the_dashboard_to_it(board_env, tmp_path):
    at = open_page(tmp_path, PAGE)
    click_bar(at, "lb_by_township_export_total_", "柳河镇")
    assert at.multiselect(key="f_town").value == ["柳河镇"] and qp(at)["town"] == ["柳河镇"]
    own = labour.totals(Selection(2026, 11, townships=("柳河镇",))).set_index("measure")
    assert cards(at)[label("export_total")] == fmt.count(own.loc["export_total", "actual"], "people", "zh")
