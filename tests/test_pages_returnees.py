"""The 返乡人员 page through AppTest: both languages, no None/nan, filters and the cohort change the numbers to the
warehouse's own counts, no count of 1–4 people and no rate over a small group on screen, the URL keeps the cohort."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from board import fmt
from board.i18n import t
from board.tables import SMALL_CELL_TEXT
from tests.apptest_pages import BAD_CELLS, cards, cells, industry_changes_nothing, ok, page_fixture

PAGE = "pages/returnees.py"


page = page_fixture(PAGE)


def own(db: Path, year: int, month: int, town: str | None = None, cohort: str = "period") -> tuple[int, int, int]:
    """The test's own (returnees, placed, waiting) from v_returnees."""
    first = f"{year}-01-01" if cohort == "period" else "1900-01-01"
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            """SELECT count(*), count(*) FILTER (WHERE status IN ('县内就业', '县外就业', '自主创业')),
                      count(*) FILTER (WHERE status = '待业')
               FROM v_returnees WHERE return_date >= ?::DATE AND return_date < (make_date(?, ?, 1) + INTERVAL 1 MONTH)
               AND (? IS NULL OR township = ?)""",
            [first, year, month, town, town],
        ).fetchone()


def shown_count(n: int, lang: str = "zh") -> str:
    return t("fmt.people", lang, v=SMALL_CELL_TEXT if 0 < n < 5 else f"{n:,}")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("year", ["2026", "2023"])
def test_the_page_runs_in_both_languages_with_no_none_or_nan(page, lang, year):
    at = page(lang=lang, year=year)
    assert [x.value for x in at.title] == [t("page.returnees", lang)]
    shown = cells(at)
    assert shown and not BAD_CELLS & set(shown)
    assert not BAD_CELLS & set(cards(at).values())
    assert len(at.get("plotly_chart")) == 6
    assert t("people.privacy_note", lang) in [c.value for c in at.caption]


def test_the_cards_are_the_warehouses_counts_and_follow_the_township_and_the_year(page, board_env):
    at = page()
    n, placed, waiting = own(board_env, 2026, 11)
    got = cards(at)
    assert got[t("returnees.card.returnees", "zh")] == shown_count(n)
    assert got[t("returnees.card.placed", "zh")] == shown_count(placed)
    assert got[t("returnees.card.waiting", "zh")] == shown_count(waiting)
    assert got[t("returnees.card.placement_rate", "zh")] == fmt.pct(placed / n)
    town = "青石镇"
    at.multiselect(key="f_town").set_value([town]).run()
    ok(at)
    tn, tplaced, _ = own(board_env, 2026, 11, town)
    assert tn < n
    assert cards(at)[t("returnees.card.returnees", "zh")] == shown_count(tn)
    at.selectbox(key="f_year").set_value(2024).run()
    ok(at)
    yn, _, _ = own(board_env, 2024, 12, town)
    assert cards(at)[t("returnees.card.returnees", "zh")] == shown_count(yn)
    assert dict(at.query_params.items())["town"] == town


def test_the_cohort_is_kept_in_the_url_and_counts_everyone_registered(page, board_env):
    at = page(cohort="all", year="2025")
    assert at.selectbox(key="url_cohort").value == "all"
    n, _, _ = own(board_env, 2025, 12, cohort="all")
    assert cards(at)[t("returnees.card.returnees", "zh")] == shown_count(n)
    at.selectbox(key="f_month").set_value(6).run()
    ok(at)
    assert dict(at.query_params.items())["cohort"] == "all"
    at.selectbox(key="url_cohort").set_value("period").run()
    assert "cohort" not in dict(at.query_params.items())


def test_no_count_of_1_to_4_people_is_shown_and_small_groups_get_no_rate(page, board_env):
    at = page(town="青石镇", year="2025")  # one township, one year of the 500-returnee demo: small groups
    assert SMALL_CELL_TEXT in cells(at)
    assert not {"1", "2", "3", "4"} & set(cells(at))  # every count on this page is of people
    towns = at.dataframe[0].value  # the township table: one row, its placement rate shown only over ≥ 5 people
    n, placed, _ = own(board_env, 2025, 12, "青石镇")
    rate = towns[t("returnees.col.placement_rate", "zh")].iloc[0]
    if n < 5 or 0 < placed < 5:
        assert rate == fmt.DASH
    else:
        assert rate == fmt.pct(placed / n)


def test_industry_and_park_filters_do_not_apply_and_the_page_says_so(page, board_env):
    at = page()
    industry_changes_nothing(at, t("people.filters_note", "zh"))


def test_english_labels(page):
    at = page(lang="en")
    assert set(cards(at)) == {
        t(f"returnees.card.{k}", "en") for k in ("returnees", "placed", "placement_rate", "waiting")
    }
    headers = [str(c) for df in at.dataframe for c in df.value.columns]
    assert t("returnees.col.placement_rate", "en") in headers
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in headers)
