"""Number and date formatting for display: 万元/亿元 by magnitude, 万美元, 人, %, dates per locale.

Stored units (DOMAIN.md §3): money in 万元, foreign capital in 万美元. Display only — exports keep
the exact stored values. Chinese shows 万元 below 1亿 and 亿元 from 1亿; English shows CNY m below
CNY 1 bn and CNY bn from there (1亿 = CNY 100 m). Missing values show as "—".
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from board.i18n import catalog, current_lang, t

DASH = "—"
# lang → ((threshold in stored unit, divisor, catalog key), ...) from the largest down.
_MONEY = {
    "zh": ((10_000, 10_000, "fmt.money_large"), (0, 1, "fmt.money_small")),
    "en": ((100_000, 100_000, "fmt.money_large"), (0, 100, "fmt.money_small")),
}
_USD = {
    "zh": ((10_000, 10_000, "fmt.usd_large"), (0, 1, "fmt.usd_small")),
    "en": ((100_000, 100_000, "fmt.usd_large"), (0, 100, "fmt.usd_small")),
}
KINDS: tuple[str, ...] = ("money", "usd", "projects", "ventures", "people", "items")


def missing(v: object) -> bool:
    """None, NaN, NA or NaT."""
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def number(v: float | int | None, decimals: int = 2) -> str:
    """Thousands separators; integers without decimals, other values with ``decimals`` places."""
    if missing(v):
        return DASH
    if float(v) == int(v):
        return f"{int(v):,}"
    return f"{v:,.{decimals}f}"


def _scaled(v: float | None, table: dict, lang: str | None, compact: bool = False) -> str:
    if missing(v):
        return DASH
    lang = lang or current_lang()
    for threshold, divisor, key in table[lang]:
        if abs(v) >= threshold:
            x = v / divisor
            places = 2 if not compact else 0 if abs(x) >= 1000 else 1 if abs(x) >= 100 else 2
            return t(key, lang, v=f"{x:,.{places}f}")
    raise AssertionError("unreachable")


def money(v: float | None, lang: str | None = None, compact: bool = False) -> str:
    """A money amount given in 万元: '3,000.00 万元', '88.70 亿元' (en: 'CNY 30.00 m', 'CNY 8.87 bn').
    ``compact`` (cards): one decimal from 100 of the shown unit, none from 1,000 ('3,000 万元')."""
    return _scaled(v, _MONEY, lang, compact)


def usd(v: float | None, lang: str | None = None, compact: bool = False) -> str:
    """A foreign-capital amount given in 万美元: '1,061.60 万美元' (en: 'USD 10.62 m'); ``compact`` as for money."""
    return _scaled(v, _USD, lang, compact)


def count(v: float | int | None, kind: str, lang: str | None = None) -> str:
    """A count with its unit word: kind people (人), projects or ventures (个), items (条)."""
    if missing(v):
        return DASH
    lang = lang or current_lang()
    one = f"fmt.{kind}_one"  # English says "1 project", not "1 projects"
    key = one if lang == "en" and float(v) == 1 and one in catalog(lang) else f"fmt.{kind}"
    return t(key, lang, v=number(v))


def value(v: float | None, kind: str, lang: str | None = None, compact: bool = False) -> str:
    """Format ``v`` by its kind (one of KINDS); ``compact`` drops decimals of large 万 amounts (cards)."""
    if kind == "money":
        return money(v, lang, compact)
    if kind == "usd":
        return usd(v, lang, compact)
    return count(v, kind, lang)


def pct(r: float | None, signed: bool = False) -> str:
    """A ratio as a percentage with one decimal: 0.853 → '85.3%' ('+85.3%' when signed)."""
    if missing(r):
        return DASH
    return f"{r * 100:+.1f}%" if signed else f"{r * 100:.1f}%"


def scale(max_abs: float, kind: str, lang: str | None = None) -> tuple[float, str]:
    """(divisor, axis unit label) for a chart whose largest value is ``max_abs`` in the stored unit."""
    lang = lang or current_lang()
    if kind in ("money", "usd"):
        for threshold, divisor, key in (_MONEY if kind == "money" else _USD)[lang]:
            if abs(max_abs) >= threshold:
                return float(divisor), t(key.replace("fmt.", "unit."), lang)
    return 1.0, t(f"unit.{kind}", lang)


def date(d: dt.date | None, lang: str | None = None) -> str:
    """'2026年11月27日' / '27 Nov 2026'."""
    if d is None:
        return DASH
    return t("fmt.date", lang, y=d.year, m=d.month, d=d.day, mon=t(f"month.short.{d.month}", "en"))


def month(year: int, m: int, lang: str | None = None) -> str:
    """'2026年11月' / 'Nov 2026'."""
    return t("fmt.month", lang, y=year, m=m, mon=t(f"month.short.{m}", "en"))


def timestamp(ts: dt.datetime | None, lang: str | None = None) -> str:
    """A date and minute: '2026年11月27日 10:03' / '27 Nov 2026 10:03'."""
    if ts is None or missing(ts):
        return DASH
    return f"{date(ts.date(), lang)} {ts:%H:%M}"


def period_short(m: int, lang: str | None = None) -> str:
    """Months 1 through ``m`` of the year: '1–11月' / 'Jan–Nov'."""
    return t("fmt.period_short", lang, m=m, mon=t(f"month.short.{m}", "en"))


def period(year: int, m: int, lang: str | None = None) -> str:
    """Year to date through month ``m``: '2026年1–11月' / 'Jan–Nov 2026'."""
    return t("fmt.period", lang, y=year, m=m, mon=t(f"month.short.{m}", "en"))


def code_span(text: str) -> str:
    """``text`` as a Markdown code span: shown literally by Streamlit's Markdown (no link, autolink,
    image, emphasis, colour or icon directive can come out of it); the fence outgrows any backticks."""
    flat = " ".join(str(text).split())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    return f"{fence} {flat} {fence}"


_CELL_FORMATS = {"money": "{:,.2f}", "usd": "{:,.2f}", "count": "{:,.0f}", "rate": "{:.1%}"}


def cell_format(kind: str) -> str:
    """The format of a table cell of ``kind`` (money, usd, count, rate): '1,234.56', '1,234', '85.3%'."""
    return _CELL_FORMATS[kind]


def cell(v: object, kind: str) -> str:
    """A table cell as text in its display precision; "—" when missing."""
    return DASH if missing(v) else cell_format(kind).format(float(v))


def iso_date(v: object) -> str:
    """A date as 2026-03-05 (tables and exports); "" when missing."""
    if missing(v):
        return ""
    return pd.Timestamp(v).strftime("%Y-%m-%d")


_MD_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$=\"'&%^@/])")


def plain(text: object) -> str:
    """Data text (a project's or a unit's name) for a Markdown element, shown as typed: every ASCII
    punctuation mark escaped, and a zero-width joiner after "http"/"www" so no autolink can form (GFM links
    bare URLs even when their punctuation is escaped). Nothing of it can become a link, image, colour or icon."""
    escaped = _MD_PUNCTUATION.sub(r"\\\1", str(text))
    return re.sub(r"(?i)(http|ftp|www)", "\\1\u200d", escaped)
