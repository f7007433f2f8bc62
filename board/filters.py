"""Shared sidebar filters (year, as-of month, townships, industries, parks, language) kept in the URL.

``parse_params``/``to_params`` are pure (tested directly); ``sidebar`` renders the widgets. The URL
holds the whole view, so a copied link reproduces it; unknown or invalid parameters are dropped
with a notice and the default is used instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from board.i18n import DEFAULT_LANG, LANG_KEY, LANGS, t

# Selection field → URL parameter; list fields repeat the parameter (?town=A&town=B).
PARAMS: dict[str, str] = {"year": "year", "month": "month", "townships": "town", "industries": "ind", "parks": "park"}
LANG_PARAM = "lang"
LIST_FIELDS: tuple[str, ...] = ("townships", "industries", "parks")
KEYS: dict[str, str] = {
    "year": "f_year",
    "month": "f_month",
    "townships": "f_town",
    "industries": "f_ind",
    "parks": "f_park",
}
SELECTION_KEY = "f_selection"  # the current Selection, for pages
_INIT_KEY = "f_init"


@dataclass(frozen=True)
class Options:
    """What the filters may choose from, read from the warehouse."""

    years: tuple[int, ...] = ()
    latest_month: Mapping[int, int] = field(default_factory=dict)  # year → latest month with data
    townships: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    parks: tuple[str, ...] = ()

    def default_year(self) -> int:
        """The latest year with data (else the latest year with targets, else this year)."""
        if self.latest_month:
            return max(self.latest_month)
        return max(self.years) if self.years else dt.date.today().year

    def default_month(self, year: int) -> int:
        """The latest month with data in ``year``; 12 for a year without data."""
        return self.latest_month.get(year, 12)

    def year_choices(self) -> tuple[int, ...]:
        return self.years or (self.default_year(),)


@dataclass(frozen=True)
class Selection:
    """The view: year, data through ``month`` (1–12), and the multi-select filters (empty = all)."""

    year: int
    month: int
    townships: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    parks: tuple[str, ...] = ()

    @property
    def whole_area(self) -> bool:
        """No township or park filter: the whole-jurisdiction target applies."""
        return not self.townships and not self.parks


@dataclass(frozen=True)
class Notice:
    """A URL parameter that was ignored: its name and the offending value."""

    param: str
    value: str

    def text(self, lang: str | None = None) -> str:
        return t("filters.bad_param", lang, param=self.param, value=self.value)


def default_selection(options: Options) -> Selection:
    year = options.default_year()
    return Selection(year=year, month=options.default_month(year))


def parse_params(params: Mapping[str, Sequence[str]], options: Options) -> tuple[Selection, str, list[Notice]]:
    """URL parameters (name → values) → (Selection, language, notices about what was ignored)."""
    notices: list[Notice] = []
    known = {*PARAMS.values(), LANG_PARAM}
    for name, values in params.items():
        if name not in known:
            notices.extend(Notice(name, v) for v in values or [""])

    def single(name: str) -> str | None:
        values = list(params.get(name, []))
        for extra in values[1:]:
            notices.append(Notice(name, extra))
        return values[0] if values else None

    year = options.default_year()
    raw = single(PARAMS["year"])
    if raw is not None:
        if raw.isdigit() and int(raw) in options.year_choices():
            year = int(raw)
        else:
            notices.append(Notice(PARAMS["year"], raw))
    month = options.default_month(year)
    raw = single(PARAMS["month"])
    if raw is not None:
        if raw.isdigit() and 1 <= int(raw) <= 12:
            month = int(raw)
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


def to_params(sel: Selection, lang: str) -> dict[str, list[str]]:
    """Selection and language → URL parameters (year and month always; lists and lang only when set)."""
    out: dict[str, list[str]] = {PARAMS["year"]: [str(sel.year)], PARAMS["month"]: [str(sel.month)]}
    for fld in LIST_FIELDS:
        if getattr(sel, fld):
            out[PARAMS[fld]] = list(getattr(sel, fld))
    if lang != DEFAULT_LANG:
        out[LANG_PARAM] = [lang]
    return out


def init_state(options: Options) -> list[Notice]:
    """Call first in every run. On a session's first run, fill the language and filter state from the URL
    (returning notices about ignored parameters); later, drop values no longer offered."""
    import streamlit as st

    ss = st.session_state
    notices: list[Notice] = []
    if _INIT_KEY not in ss:
        params = {name: st.query_params.get_all(name) for name in st.query_params}
        sel, lang, notices = parse_params(params, options)
        for fld, key in KEYS.items():
            ss[key] = list(getattr(sel, fld)) if fld in LIST_FIELDS else getattr(sel, fld)
        ss[LANG_KEY] = lang
        ss[_INIT_KEY] = True
    if ss.get(KEYS["year"]) not in options.year_choices():
        ss[KEYS["year"]] = options.default_year()
    for fld in LIST_FIELDS:
        ss[KEYS[fld]] = [v for v in ss.get(KEYS[fld], []) if v in getattr(options, fld)]
    return notices


def _year_changed(options: Options) -> None:
    import streamlit as st

    st.session_state[KEYS["month"]] = options.default_month(st.session_state[KEYS["year"]])


def sidebar(options: Options, with_data: bool = True) -> Selection:
    """Render the shared filters in the sidebar, mirror them into the URL and return the Selection.

    Without data only the language switch is shown."""
    import streamlit as st

    # Labels are resolved here, on the script thread (format_func may be called elsewhere).
    lang_labels = {x: t(f"lang.{x}") for x in LANGS}
    year_labels = {y: t("fmt.year", y=y) for y in options.year_choices()}
    month_labels = {m: t(f"month.long.{m}") for m in range(1, 13)}
    with st.sidebar:
        st.radio(t("filters.language"), LANGS, key=LANG_KEY, horizontal=True, format_func=lang_labels.get)
        if not with_data:
            sel = default_selection(options)
            st.session_state[SELECTION_KEY] = sel
            return sel
        st.selectbox(
            t("filters.year"),
            options.year_choices(),
            key=KEYS["year"],
            format_func=year_labels.get,
            on_change=_year_changed,
            args=(options,),
        )
        st.selectbox(t("filters.month"), range(1, 13), key=KEYS["month"], format_func=month_labels.get)
        for fld, label in (
            ("townships", "filters.townships"),
            ("industries", "filters.industries"),
            ("parks", "filters.parks"),
        ):
            st.multiselect(t(label), getattr(options, fld), key=KEYS[fld], placeholder=t("filters.all"))
    ss = st.session_state
    sel = Selection(
        year=int(ss[KEYS["year"]]),
        month=int(ss[KEYS["month"]]),
        **{fld: tuple(ss[KEYS[fld]]) for fld in LIST_FIELDS},
    )
    wanted = to_params(sel, ss[LANG_KEY])
    current = {name: st.query_params.get_all(name) for name in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)
    ss[SELECTION_KEY] = sel
    return sel


def current() -> Selection:
    """The Selection the sidebar produced in this run (pages call this after ``nav.require_frame``)."""
    import streamlit as st

    return st.session_state[SELECTION_KEY]
