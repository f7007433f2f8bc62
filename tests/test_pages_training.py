"""The 技能培训 page through AppTest: both languages, no None/nan, the trainees card is the catalogue's and follows
the filters, the breakdown is kept in the URL, rates are the warehouse's own, small groups are suppressed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from board import fmt
from board.i18n import t
from board.tables import SMALL_CELL_TEXT
from tests.apptest_pages import BAD_CELLS, cards, cells, industry_changes_nothing, ok, page_fixture

PAGE = "pages/training.py"


page = page_fixture(PAGE)


def own(db: Path, year: int, month: int, town: str | None = None) -> tuple[int, int, int, int]:
    """The test's own (trainees, ended, certified, employed) of classes started in the year through the month."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            """WITH p AS (SELECT make_date(?, 1, 1) AS lo, make_date(?, ?, 1) + INTERVAL 1 MONTH - INTERVAL 1 DAY AS hi)
               SELECT count(*), count(*) FILTER (WHERE end_date <= hi),
                      count(*) FILTER (WHERE end_date <= hi AND certified),
                      count(*) FILTER (WHERE end_date <= hi AND employed_after AND coalesce(employed_date <= hi, true))
               FROM v_training, p WHERE start_date BETWEEN lo AND hi AND (? IS NULL OR township = ?)""",
            [year, year, month, town, town],
        ).fetchone()


def people(n: int, lang: str = "zh") -> str:
    return t("fmt.people", lang, v=SMALL_CELL_TEXT if 0 < n < 5 else f"{n:,}")


def rate(num: int, den: int) -> str:
    return fmt.DASH if den < 5 or 0 < num < 5 else fmt.pct(num / den)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("year", ["2026", "2022"])
def test_the_page_runs_in_both_languages_with_no_none_or_nan(page, lang, year):
    at = page(lang=lang, year=year)
    assert [x.value for x in at.title] == [t("page.training", lang)]
    shown = cells(at)
    assert shown and not BAD_CELLS & set(shown)
    assert not BAD_CELLS & set(cards(at).values())
    assert len(at.get("plotly_chart")) == 3


def test_the_cards_are_the_warehouses_figures_and_follow_the_township_and_the_year(page, board_env):
    at = page()
    n, ended, cert, employed = own(board_env, 2026, 11)
    got = cards(at)
    assert got[t("training.card.trainees", "zh")] == people(n)
    assert got[t("training.card.cert_rate", "zh")] == rate(cert, ended)
    assert got[t("training.card.employment_rate", "zh")] == rate(employed, ended)
    town = "青石镇"
    at.multiselect(key="f_town").set_value([town]).run()
    ok(at)
    tn, tended, tcert, _ = own(board_env, 2026, 11, town)
    assert tn != n
    assert cards(at)[t("training.card.trainees", "zh")] == people(tn)
    assert cards(at)[t("training.card.cert_rate", "zh")] == rate(tcert, tended)
    at.selectbox(key="f_year").set_value(2024).run()
    ok(at)
    yn, _, _, _ = own(board_env, 2024, 12, town)
    assert cards(at)[t("training.card.trainees", "zh")] == people(yn)


def test_the_breakdown_is_kept_in_the_url_and_its_table_adds_up_to_the_card(page, board_env):
    at = page(breakdown="provider")
    assert at.selectbox(key="url_breakdown").value == "provider"
    table = at.dataframe[0].value
    assert table.columns[0] == t("training.by.provider", "zh")
    n = own(board_env, 2026, 11)[0]
    assert sum(int(str(v).replace(",", "")) for v in table[t("training.col.trainees", "zh")]) == n
    at.selectbox(key="f_month").set_value(6).run()
    ok(at)
    assert dict(at.query_params.items())["breakdown"] == "provider"
    at.selectbox(key="url_breakdown").set_value("course").run()
    assert "breakdown" not in dict(at.query_params.items())


def test_small_groups_show_under_5_and_no_rate(page):
    at = page(town="青石镇")
    shown = cells(at)
    assert SMALL_CELL_TEXT in shown
    for df in at.dataframe[:2]:  # by course, by end month
        frame = df.value
        small = frame[t("training.col.ended", "zh")] == SMALL_CELL_TEXT
        assert (frame.loc[small, t("training.col.cert_rate", "zh")] == fmt.DASH).all()
        assert (frame.loc[small, t("training.col.subsidy_wan", "zh")] == fmt.DASH).all()


def test_industry_filter_does_not_apply_and_the_page_says_so(page):
    at = page()
    industry_changes_nothing(at, t("people.filters_note", "zh"))


def test_english_labels(page):
    at = page(lang="en")
    labels = set(cards(at))
    assert t("training.card.trainees", "en") in labels and t("training.card.employment_rate", "en") in labels
    headers = [str(c) for df in at.dataframe for c in df.value.columns]
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in headers)
