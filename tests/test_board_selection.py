"""The selection ⇄ URL parameters: round trip, defaults, the as-of month clamped to the data, unknown or
invalid values dropped with a notice."""

from __future__ import annotations

import re
from datetime import date

import pytest

from board.selection import Notice, Options, Selection, parse_params, to_params
from board.sidebar import notice_text

OPTIONS = Options(
    years=(2022, 2023, 2024, 2025, 2026),
    latest_month={2022: 12, 2023: 12, 2024: 12, 2025: 12, 2026: 11},
    townships=("城关街道", "青石镇", "柳河镇"),
    industries=("装备制造", "食品加工"),
    parks=("高新区",),
)


@pytest.mark.parametrize(
    ("sel", "lang"),
    [
        (Selection(2026, 11), "zh"),
        (Selection(2025, 6, townships=("青石镇", "柳河镇")), "en"),
        (Selection(2024, 12, ("城关街道",), ("食品加工", "装备制造"), ("高新区",)), "zh"),
    ],
)
def test_round_trip(sel, lang):
    back, back_lang, notices = parse_params(to_params(sel, lang), OPTIONS)
    assert (back, back_lang, notices) == (sel, lang, [])


def test_defaults_are_latest_year_and_latest_month_with_data():
    assert parse_params({}, OPTIONS) == (Selection(2026, 11), "zh", [])
    sel, _, _ = parse_params({"year": ["2024"]}, OPTIONS)
    assert sel == Selection(2024, 12)


def test_params_are_clean():
    assert to_params(Selection(2026, 11), "zh") == {"year": ["2026"], "month": ["11"]}
    assert to_params(Selection(2026, 3, townships=("青石镇",)), "en") == {
        "year": ["2026"],
        "month": ["3"],
        "town": ["青石镇"],
        "lang": ["en"],
    }


@pytest.mark.parametrize(
    ("params", "expected", "notices"),
    [
        ({"year": ["1999"]}, Selection(2026, 11), [Notice("year", "1999")]),
        ({"year": ["abc"], "month": ["13"]}, Selection(2026, 11), [Notice("year", "abc"), Notice("month", "13")]),
        ({"month": ["²"]}, Selection(2026, 11), [Notice("month", "²")]),  # str.isdigit() says yes to ²
        ({"year": ["²"]}, Selection(2026, 11), [Notice("year", "²")]),
        ({"month": ["٣"]}, Selection(2026, 11), [Notice("month", "٣")]),
        ({"year": ["２０２５"], "month": ["６"]}, Selection(2025, 6), []),  # full-width digits are digits
        ({"month": ["12"]}, Selection(2026, 11), [Notice("month", "12", "clamped", "11")]),  # data through Nov
        ({"year": ["2025"], "month": ["12"]}, Selection(2025, 12), []),  # a closed year offers all twelve
        ({"rank": ["funds_in_place"]}, Selection(2026, 11), [Notice("rank", "funds_in_place")]),  # not declared
        ({"month": ["0"]}, Selection(2026, 11), [Notice("month", "0")]),
        ({"town": ["青石镇", "不存在镇"]}, Selection(2026, 11, ("青石镇",)), [Notice("town", "不存在镇")]),
        ({"town": ["青石镇", "青石镇"]}, Selection(2026, 11, ("青石镇",)), []),
        ({"park": ["'; DROP TABLE x"]}, Selection(2026, 11), [Notice("park", "'; DROP TABLE x")]),
        ({"utm": ["x"]}, Selection(2026, 11), [Notice("utm", "x")]),
        ({"year": ["2025", "2024"]}, Selection(2025, 12), [Notice("year", "2024")]),
    ],
)
def test_bad_params_fall_back_with_a_notice(params, expected, notices):
    sel, lang, got = parse_params(params, OPTIONS)
    assert sel == expected
    assert lang == "zh"
    assert sorted(got, key=str) == sorted(notices, key=str)


def test_unknown_language_falls_back_to_chinese_with_a_notice():
    _, lang, notices = parse_params({"lang": ["fr"]}, OPTIONS)
    assert lang == "zh"
    assert notices == [Notice("lang", "fr")]
    assert notice_text(notices[0]) == "链接参数 ` lang `=` fr ` 无效，已忽略并使用默认值。"


def test_a_page_parameter_is_kept_without_a_notice():
    sel, _, notices = parse_params({"rank": ["funds_in_place"]}, OPTIONS, extra=("rank",))
    assert (sel, notices) == (Selection(2026, 11), [])


@pytest.mark.parametrize("raw", ["![x](http://e.x/a.png) [l](http://e.x) :material/bolt: **b**", "a`b``c", "x\ny"])
def test_a_url_value_is_shown_as_a_code_span(raw):
    text = notice_text(Notice("town", raw))
    spans = re.findall(r"(`+) (.*?) \1(?!`)", text)
    assert [body for _, body in spans] == ["town", " ".join(raw.split())]
    assert len(spans[1][0]) > max(len(r) for r in re.findall(r"`*", raw))


def test_empty_warehouse_options_follow_the_injected_clock():
    options = Options(today=date(2031, 5, 2))
    assert parse_params({}, options) == (Selection(2031, 12), "zh", [])
    assert parse_params({"year": ["2026"]}, options)[2] == [Notice("year", "2026")]


def test_months_offered_stop_at_the_latest_month_with_data():
    assert OPTIONS.months(2026) == tuple(range(1, 12))
    assert OPTIONS.months(2025) == tuple(range(1, 13))
    assert OPTIONS.data_through() == (2026, 11)


def test_a_scope_clamps_the_township_filter_and_every_selection_derived_from_it():
    from dataclasses import replace

    from board.selection import NOWHERE

    sel = Selection(2026, 11, scope=("A", "B"))
    assert sel.townships == ("A", "B") and not sel.whole_area  # no filter: all of the scope
    assert Selection(2026, 11, townships=("B", "C"), scope=("A", "B")).townships == ("B",)
    assert replace(sel, townships=("C",)).townships == (NOWHERE,)  # outside the scope: nothing
    assert replace(sel, townships=()).townships == ("A", "B")
    assert Selection(2026, 11, townships=("C",)).townships == ("C",)  # no scope: as chosen
