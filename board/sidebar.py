"""The shared sidebar: language and filter widgets kept in the URL, page-owned URL choices, notices.

The selection logic itself (options, parsing, URL codec) is pure and lives in board.selection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from board import access, fmt, selection
from board.i18n import LANG_KEY, LANGS, t
from board.selection import LIST_FIELDS, Notice, Options, Selection, default_selection, parse_params, to_params

KEYS: dict[str, str] = {
    "year": "f_year",
    "month": "f_month",
    "townships": "f_town",
    "industries": "f_ind",
    "parks": "f_park",
}
SELECTION_KEY = "f_selection"  # the current Selection, for pages
_INIT_KEY = "f_init"
_PENDING_KEY = "f_pending"  # filters asked for by a click, applied before the widgets of the next run


def init_state(options: Options, page_params: Sequence[str] = ()) -> list[Notice]:
    """Call first in every run. On a session's first run, fill the language and filter state from the URL
    (returning notices about what was not taken as given); later, keep the state within what is offered."""
    ss = st.session_state
    notices: list[Notice] = []
    if _INIT_KEY not in ss:
        params = {name: st.query_params.get_all(name) for name in st.query_params}
        sel, lang, notices = parse_params(params, options, extra=page_params)
        for fld, key in KEYS.items():
            ss[key] = list(getattr(sel, fld)) if fld in LIST_FIELDS else getattr(sel, fld)
        ss[LANG_KEY] = lang
        ss[_INIT_KEY] = True
    for fld, value in ss.pop(_PENDING_KEY, {}).items():
        ss[KEYS[fld]] = list(value) if fld in LIST_FIELDS else value
    if ss.get(KEYS["year"]) not in options.year_choices():
        ss[KEYS["year"]] = options.default_year()
        ss[KEYS["month"]] = options.last_month(ss[KEYS["year"]])
    if ss.get(KEYS["month"]) not in options.months(ss[KEYS["year"]]):
        ss[KEYS["month"]] = options.last_month(ss[KEYS["year"]])
    for fld in LIST_FIELDS:
        ss[KEYS[fld]] = [v for v in ss.get(KEYS[fld], []) if v in getattr(options, fld)]
    return notices


def init_language() -> None:
    """The language from the URL (?lang=en) before the filters are set up (the sign-in and setup screens)."""
    if LANG_KEY not in st.session_state:
        lang = st.query_params.get("lang")
        st.session_state[LANG_KEY] = lang if lang in LANGS else LANGS[0]


def notice_text(notice: Notice) -> str:
    """The notice in the current language; what came from the URL is shown as code (never a link or image)."""
    if notice.kind == "clamped":
        return t("filters.month_clamped", value=fmt.code_span(notice.value), used=notice.used)
    return t("filters.bad_param", param=fmt.code_span(notice.param), value=fmt.code_span(notice.value))


def _year_changed(options: Options) -> None:
    st.session_state[KEYS["month"]] = options.last_month(st.session_state[KEYS["year"]])


def sidebar(options: Options, with_data: bool = True, page_params: Sequence[str] = ()) -> Selection:
    """Render the shared filters in the sidebar, mirror them into the URL (keeping the current page's own
    ``page_params``) and return the Selection. Without data only the language switch is shown."""
    ss = st.session_state
    # Labels are resolved here, on the script thread (format_func may be called elsewhere).
    lang_labels = {x: t(f"lang.{x}") for x in LANGS}
    year_labels = {y: t("fmt.year", y=y) for y in options.year_choices()}
    month_labels = {m: t(f"month.long.{m}") for m in range(1, 13)}
    with st.sidebar:
        st.radio(t("filters.language"), LANGS, key=LANG_KEY, horizontal=True, format_func=lang_labels.get)
        if not with_data:
            sel = access.clamp(default_selection(options))
            ss[SELECTION_KEY] = sel
            return sel
        st.selectbox(
            t("filters.year"),
            options.year_choices(),
            key=KEYS["year"],
            format_func=year_labels.get,
            on_change=_year_changed,
            args=(options,),
        )
        st.selectbox(
            t("filters.month"),
            options.months(ss[KEYS["year"]]),
            key=KEYS["month"],
            format_func=month_labels.get,
            help=t("filters.month_help"),
        )
        for fld, label in (
            ("townships", "filters.townships"),
            ("industries", "filters.industries"),
            ("parks", "filters.parks"),
        ):
            st.multiselect(t(label), getattr(options, fld), key=KEYS[fld], placeholder=t("filters.all"))
    sel = Selection(
        year=int(ss[KEYS["year"]]),
        month=int(ss[KEYS["month"]]),
        **{fld: tuple(ss[KEYS[fld]]) for fld in LIST_FIELDS},
    )
    current = {name: st.query_params.get_all(name) for name in st.query_params}
    wanted = to_params(sel, ss[LANG_KEY]) | {p: current[p] for p in page_params if p in current}
    if current != wanted:
        st.query_params.from_dict(wanted)
    sel = access.clamp(sel)  # a township-restricted account's view never leaves its townships
    ss[SELECTION_KEY] = sel
    return sel


def current() -> Selection:
    """The Selection the sidebar produced in this run (pages call this after ``nav.require_frame``), within the
    account's townships (Selection.scope)."""
    return st.session_state[SELECTION_KEY]


def url_choice(param: str, choices: Sequence[str], label: str, format_func: Callable[[str], str]) -> str:
    """A selectbox of the page whose choice is kept in the URL parameter ``param`` (declared in the page's
    registry entry, board.nav). The first choice is the default and leaves the URL without the parameter;
    a value in the URL that is not a choice is dropped with a notice."""
    key = "url_" + param
    given = st.query_params.get(param)
    if key not in st.session_state:
        if given is not None and given not in choices:
            st.warning(notice_text(Notice(param, given)), icon=":material/info:")
        st.session_state[key] = given if given in choices else choices[0]
    labels = {c: format_func(c) for c in choices}  # resolved here, on the script thread
    value = st.selectbox(label, choices, key=key, format_func=labels.get)
    if value == choices[0]:
        st.query_params.pop(param, None)
    elif given != value:
        st.query_params[param] = value
    return value


def request_filters(**fields: object) -> None:
    """Drill through: set shared filters from a click on a chart or a table (e.g. ``townships=("青石镇",)``) and
    rerun; the sidebar applies them before its widgets are drawn, and the URL follows."""
    st.session_state[_PENDING_KEY] = fields
    st.rerun()


def url_number(param: str, label: str, default: int, low: int, high: int, help: str | None = None) -> int:
    """A whole-number input of the page kept in the URL parameter ``param`` (declared in board.nav); the
    default leaves the URL without it; a value in the URL outside [low, high] is dropped with a notice."""
    key = "url_" + param
    given = st.query_params.get(param)
    if key not in st.session_state:
        number = selection.number(given) if given is not None else None
        if given is not None and (number is None or not low <= number <= high):
            st.warning(notice_text(Notice(param, given)), icon=":material/info:")
            number = None
        st.session_state[key] = default if number is None else number
    value = int(st.number_input(label, min_value=low, max_value=high, step=1, key=key, help=help))
    if value == default:
        st.query_params.pop(param, None)
    elif given != str(value):
        st.query_params[param] = str(value)
    return value
