"""Display formatting: 万元/亿元 by magnitude with the unit, 万美元, counts, percentages, dates."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from board import fmt


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (887_000, "zh", "88.70 亿元"),
        (10_000, "zh", "1.00 亿元"),
        (9_999.5, "zh", "9,999.50 万元"),
        (3_000, "zh", "3,000.00 万元"),
        (0, "zh", "0.00 万元"),
        (-25_000, "zh", "-2.50 亿元"),
        (887_000, "en", "CNY 8.87 bn"),
        (3_000, "en", "CNY 30.00 m"),
        (99_999, "en", "CNY 999.99 m"),
        (None, "zh", "—"),
        (math.nan, "en", "—"),
    ],
)
def test_money(value, lang, expected):
    assert fmt.money(value, lang) == expected


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (1_061.6, "zh", "1,061.60 万美元"),
        (25_000, "zh", "2.50 亿美元"),
        (1_061.6, "en", "USD 10.62 m"),
        (500, "en", "USD 5.00 m"),
    ],
)
def test_usd(value, lang, expected):
    assert fmt.usd(value, lang) == expected


@pytest.mark.parametrize(
    ("value", "kind", "lang", "expected"),
    [
        (7088, "people", "zh", "7,088 人"),
        (7088.0, "people", "en", "7,088 people"),
        (65, "projects", "zh", "65 个"),
        (65, "projects", "en", "65 projects"),
        (212, "ventures", "en", "212 ventures"),
        (12.5, "items", "zh", "12.50 条"),
        (None, "people", "zh", "—"),
    ],
)
def test_counts(value, kind, lang, expected):
    assert fmt.count(value, kind, lang) == expected


@pytest.mark.parametrize(
    ("kind", "expected"), [("money", "88.70 亿元"), ("usd", "88.70 亿美元"), ("people", "887,000 人")]
)
def test_value_dispatches_on_kind(kind, expected):
    assert fmt.value(887_000, kind, "zh") == expected


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (3_275.52, "usd", "3,276 万美元"),
        (999.5, "money", "999.5 万元"),
        (99.5, "money", "99.50 万元"),
        (887_000, "money", "88.70 亿元"),
    ],
)
def test_compact_card_values(value, kind, expected):
    assert fmt.value(value, kind, "zh", compact=True) == expected


@pytest.mark.parametrize(
    ("ratio", "signed", "expected"),
    [
        (1.77, False, "177.0%"),
        (0.8534, False, "85.3%"),
        (0.1234, True, "+12.3%"),
        (-0.05, True, "-5.0%"),
        (None, False, "—"),
    ],
)
def test_pct(ratio, signed, expected):
    assert fmt.pct(ratio, signed) == expected


@pytest.mark.parametrize(
    ("max_abs", "kind", "lang", "expected"),
    [
        (420_000, "money", "zh", (10_000.0, "亿元")),
        (4_000, "money", "zh", (1.0, "万元")),
        (420_000, "money", "en", (100_000.0, "CNY bn")),
        (4_000, "money", "en", (100.0, "CNY m")),
        (300, "people", "zh", (1.0, "人")),
    ],
)
def test_chart_scale(max_abs, kind, lang, expected):
    assert fmt.scale(max_abs, kind, lang) == expected


@pytest.mark.parametrize(
    ("lang", "date", "month", "period", "stamp"),
    [
        ("zh", "2026年11月27日", "2026年11月", "2026年1–11月", "2026年11月27日 09:05"),
        ("en", "27 Nov 2026", "Nov 2026", "Jan–Nov 2026", "27 Nov 2026 09:05"),
    ],
)
def test_dates_per_locale(lang, date, month, period, stamp):
    assert fmt.date(dt.date(2026, 11, 27), lang) == date
    assert fmt.month(2026, 11, lang) == month
    assert fmt.period(2026, 11, lang) == period
    assert fmt.timestamp(dt.datetime(2026, 11, 27, 9, 5), lang) == stamp
    assert fmt.timestamp(None, lang) == "—"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1999", "` 1999 `"),
        ("不存在镇", "` 不存在镇 `"),
        ("![i](https://example.org/p.png)", "` ![i](https://example.org/p.png) `"),
        ("a`![i](http://x/p.png)`b", "`` a`![i](http://x/p.png)`b ``"),  # a backtick cannot close the span
        ("a\n\n![j](http://x/r.png)", "` a ![j](http://x/r.png) `"),  # nor a blank line end it
        ("", "`  `"),
    ],
)
def test_code_span_for_user_text(text, expected):
    assert fmt.code_span(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "[登录已过期](http://evil.example/login)",
        "![x](https://e.x/p.png)",
        ":material/bolt: :red[红]",
        "**粗** www.evil.cn",
    ],
)
def test_plain_data_text_cannot_become_markdown(text):
    shown = fmt.plain(text)
    for i, ch in enumerate(shown):
        if ch in "[]()!:*":
            assert shown[i - 1] == "\\", shown
    assert "http://" not in shown and "www." not in shown.lower()
    assert shown.replace("\\", "").replace("\u200d", "") == text  # the same characters, as typed
