"""Message catalogs: same keys in both languages, every placeholder kept, no literal UI text in pages."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from board import i18n
from etl.contracts import TARGET_METRICS

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogs_have_the_same_keys():
    zh, en = i18n.catalog("zh"), i18n.catalog("en")
    assert set(zh) - set(en) == set()
    assert set(en) - set(zh) == set()


def test_placeholders_agree_between_languages():
    zh, en = i18n.catalog("zh"), i18n.catalog("en")
    zh_only = {"fmt.month", "fmt.date", "fmt.period", "fmt.period_short"}  # zh uses the month number, en its name
    for key in zh:
        if key not in zh_only:
            assert _placeholders(zh[key]) == _placeholders(en[key]), key


def test_every_target_metric_has_a_name_and_zh_names_match_the_contract():
    for code, zh_name in TARGET_METRICS.items():
        assert i18n.metric_name(code, "zh") == zh_name
        assert not CJK.search(i18n.metric_name(code, "en")), code


def test_english_catalog_has_no_chinese_except_the_language_names():
    for key, text in i18n.catalog("en").items():
        if key not in ("lang.zh", "filters.language"):
            assert not CJK.search(text), (key, text)


def _ui_files() -> list[Path]:
    return [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py"))]


def _cjk_literals(source: str) -> list[str]:
    """String constants (f-string parts included) of ``source`` holding CJK; docstrings and comments are fine."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node) is not None:
            docstrings.add(id(node.body[0].value))
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings and CJK.search(n.value)
    ]


def test_the_literal_check_finds_chinese_text():
    source = '"""模块说明。"""\n# 注释可以\nst.title("总览")\nx = f"{a}：合计"\ny = "ok"\n'
    assert _cjk_literals(source) == ["总览", "：合计"]


@pytest.mark.parametrize("path", _ui_files(), ids=lambda p: p.name)
def test_pages_hold_no_literal_chinese_text(path: Path):
    """All UI text goes through the catalog: no string literal in a page contains CJK characters."""
    assert _cjk_literals(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", _ui_files(), ids=lambda p: p.name)
def test_every_catalog_key_used_in_pages_exists(path: Path):
    keys = re.findall(r"\bt\(\s*\"([a-z_.]+)\"", path.read_text(encoding="utf-8"))
    assert keys, "a page without catalog text"
    for key in keys:
        assert key in i18n.catalog("zh"), key


def test_unknown_key_is_an_error_not_a_blank():
    with pytest.raises(KeyError):
        i18n.t("no.such.key", "zh")


def test_values_are_filled_in():
    assert i18n.t("overview.top", "zh", n=5) == "前 5 名"
    assert i18n.t("overview.top", "en", n=5) == "Top 5"
