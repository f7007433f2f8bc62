"""UI text: the zh-CN and en message catalogs and the current language."""

from __future__ import annotations

import functools
import json
from pathlib import Path

LANGS: tuple[str, ...] = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_KEY = "f_lang"  # session-state key of the sidebar language switch
_DIR = Path(__file__).parent / "locales"
_FILES = {"zh": "zh_CN.json", "en": "en.json"}


@functools.cache
def catalog(lang: str) -> dict[str, str]:
    """All messages of one language: key → text (``str.format`` placeholders allowed)."""
    return json.loads((_DIR / _FILES[lang]).read_text(encoding="utf-8"))


def current_lang() -> str:
    """The language chosen in the sidebar (zh when none or outside a Streamlit run)."""
    try:
        import streamlit as st

        lang = st.session_state.get(LANG_KEY, DEFAULT_LANG)
    except Exception:  # no Streamlit session (CLI, bulletin)
        lang = DEFAULT_LANG
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The message ``key`` in ``lang`` (default: current), with ``values`` filled in. Unknown key → KeyError."""
    text = catalog(lang or current_lang())[key]
    return text.format(**values) if values else text


def metric_name(code: str, lang: str | None = None) -> str:
    """Display name of a metric, from the metric catalogue (etl.metric_catalogue)."""
    from etl.metric_catalogue import get

    return get(code).name(lang or current_lang())


def field_name(fields: dict[str, tuple[str, str]], name: str, lang: str | None = None) -> str:
    """A word shared with the command line (etl.messages: BATCH_FIELDS, BATCH_STATUS…) in the display language."""
    return fields[name][0 if (lang or current_lang()) == "zh" else 1]


def dataset_name(name: str, lang: str | None = None) -> str:
    """Display name of what a batch loaded (an upload dataset or the boundaries), from etl.contracts."""
    from etl.contracts import dataset_words

    zh, en = dataset_words(name)
    return zh if (lang or current_lang()) == "zh" else en


def status_name(status: str, lang: str | None = None) -> str:
    """A project status (stored in Chinese) in the display language."""
    from etl.contracts import PROJECT_STATUS_EN

    if (lang or current_lang()) == "zh":
        return status
    return {zh: en.replace("_", " ") for en, zh in PROJECT_STATUS_EN.items()}.get(status, status)


def tier_name(code: object, lang: str | None = None) -> str:
    """A size tier (etl.contracts.SIZE_TIERS code t1…t6) in the display language; "—" for none."""
    from etl.contracts import SIZE_TIERS

    for tier, _low, zh, en in SIZE_TIERS:
        if tier == code:
            return zh if (lang or current_lang()) == "zh" else en
    return "—" if code is None or code != code else str(code)
