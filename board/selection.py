"""The view a user has chosen, as data: filter options, the selection, and its URL codec. Pure (no Streamlit).

The URL holds the whole view (year, as-of month, townships, industries, parks, language and page
parameters such as the ranking metric), so a copied link reproduces it. Invalid parameters are dropped
with a notice; a month past the latest month with data is clamped to it, with a notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from board.i18n import DEFAULT_LANG, LANGS
from etl import clock

# Selection field → URL parameter; list fields repeat the parameter (?town=A&town=B).
PARAMS: dict[str, str] = {"year": "year", "month": "month", "townships": "town", "industries": "ind", "parks": "park"}
LANG_PARAM = "lang"
LIST_FIELDS: tuple[str, ...] = ("townships", "industries", "parks")


@dataclass(frozen=True)
class Options:
    """What the filters may choose from, read from the warehouse.

    ``latest_month``: year → the last month a user may choose (the latest month with data in that year;
    12 for a year with data in a later year). ``today`` is the clock, injected.
    """

    years: tuple[int, ...] = ()
    latest_month: Mapping[int, int] = field(default_factory=dict)
    townships: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    parks: tuple[str, ...] = ()
    today: dt.date = field(default_factory=clock.today)

    def default_year(self) -> int:
        """The latest year with data (else the latest year with targets, else this year)."""
        if self.latest_month:
            return max(self.latest_month)
        return max(self.years) if self.years else self.today.year

    def last_month(self, year: int) -> int:
        """The latest month that may be chosen in ``year``: with data through it, or 12 for a year without data."""
        return self.latest_month.get(year, 12)

    def months(self, year: int) -> tuple[int, ...]:
        return tuple(range(1, self.last_month(year) + 1))

    def year_choices(self) -> tuple[int, ...]:
        return self.years or (self.default_year(),)

    def data_through(self) -> tuple[int, int] | None:
        """(year, month) of the latest data, or None without data."""
        if not self.latest_month:
            return None
        year = max(self.latest_month)
        return year, self.latest_month[year]


# A township name no row carries (loaded text never holds control characters): selects nothing.
NOWHERE = "\x00"


@dataclass(frozen=True)
class Selection:
    """The view: year, data through ``month`` (1–12), and the multi-select filters (empty = all).

    ``scope``: the townships a restricted account may see (board.access; empty = every township). It clamps the
    township filter on construction, so every selection derived from this one (``dataclasses.replace``) stays
    inside it: no township filter → all of the scope; townships outside it are dropped, and when none is left the
    selection holds NOWHERE and selects no rows. A scoped selection is never the whole area.
    """

    year: int
    month: int
    townships: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    parks: tuple[str, ...] = ()
    scope: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.scope:
            kept = tuple(x for x in self.townships if x in self.scope)
            object.__setattr__(self, "townships", kept or (self.scope if not self.townships else (NOWHERE,)))

    @property
    def whole_area(self) -> bool:
        """No township or park filter: the whole-jurisdiction target applies."""
        return not self.townships and not self.parks


@dataclass(frozen=True)
class Notice:
    """A URL parameter that was not taken as given. ``kind``: ignored (dropped, default used) or
    clamped (a month past the data, replaced by ``used``)."""

    param: str
    value: str
    kind: str = "ignored"
    used: str = ""


def default_selection(options: Options) -> Selection:
    year = options.default_year()
    return Selection(year=year, month=options.last_month(year))


def parse_params(params: Mapping[str, Sequence[str]], options: Options, extra: Sequence[str] = ()) -> tuple:
    """URL parameters (name → values) → (Selection, language, notices). ``extra``: parameters a page owns
    (kept, not reported)."""
    notices: list[Notice] = []
    known = {*PARAMS.values(), LANG_PARAM, *extra}
    for name, values in params.items():
        if name not in known:
            notices.extend(Notice(name, v) for v in values or [""])

    def single(name: str) -> str | None:
        values = list(params.get(name, []))
        for more in values[1:]:
            notices.append(Notice(name, more))
        return values[0] if values else None

    year = options.default_year()
    raw = single(PARAMS["year"])
    if raw is not None:
        if number(raw) in options.year_choices():
            year = number(raw)
        else:
            notices.append(Notice(PARAMS["year"], raw))
    month = options.last_month(year)
    raw = single(PARAMS["month"])
    if raw is not None:
        asked = number(raw)
        if asked is not None and 1 <= asked <= month:
            month = asked
        elif asked is not None and 1 <= asked <= 12:
            notices.append(Notice(PARAMS["month"], raw, "clamped", str(month)))
        else:
            notices.append(Notice(PARAMS["month"], raw))
    chosen: dict[str, tuple[str, ...]] = {}
    for fld in LIST_FIELDS:
        allowed = getattr(options, fld)
        kept: list[str] = []
        for v in params.get(PARAMS[fld], []):
            if v in allowed and v not in kept:
                kept.append(v)
            elif v not in allowed:
                notices.append(Notice(PARAMS[fld], v))
        chosen[fld] = tuple(kept)
    lang = single(LANG_PARAM) or DEFAULT_LANG
    if lang not in LANGS:
        notices.append(Notice(LANG_PARAM, lang))
        lang = DEFAULT_LANG
    return Selection(year=year, month=month, **chosen), lang, notices


_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def number(text: str) -> int | None:
    """A whole number written in ASCII or full-width digits (２０２５); None for anything else (str.isdigit()
    is also true for ² and ٣, which int() refuses)."""
    ascii_text = text.translate(_FULL_WIDTH)
    if not ascii_text or len(ascii_text) > 6 or not all("0" <= ch <= "9" for ch in ascii_text):
        return None
    return int(ascii_text)


def to_params(sel: Selection, lang: str) -> dict[str, list[str]]:
    """Selection and language → URL parameters (year and month always; lists and lang only when set)."""
    out: dict[str, list[str]] = {PARAMS["year"]: [str(sel.year)], PARAMS["month"]: [str(sel.month)]}
    for fld in LIST_FIELDS:
        if getattr(sel, fld):
            out[PARAMS[fld]] = list(getattr(sel, fld))
    if lang != DEFAULT_LANG:
        out[LANG_PARAM] = [lang]
    return out
