"""Test helper: the pages of dashboard.py through AppTest (a wrapper of it outside the repository), opened with URL
parameters, and what they show. Every page test opens its page through here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from board.i18n import t

ROOT = Path(__file__).resolve().parents[1]
BAD_CELLS = frozenset({"None", "nan", "NaN", "<NA>", "NaT", "inf", "-inf"})


def entry(tmp_path: Path) -> Path:
    """A one-line wrapper outside the repository: AppTest resets Streamlit's "pages/ folder" flag before
    every run, so with dashboard.py itself a rerun would execute the page file alone (a real server runs
    the entry script every time once st.navigation was called)."""
    path = tmp_path / "entry.py"
    path.write_text(f"import runpy\nrunpy.run_path({str(ROOT / 'dashboard.py')!r}, run_name='__main__')\n")
    return path


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def clean(at: AppTest) -> None:
    """No exception and no generic error message on the page."""
    ok(at)
    assert t("error.generic", "zh") not in [e.value for e in at.error]


def session(tmp_path: Path, **params: str | list[str]) -> AppTest:
    """AppTest of dashboard.py (DASHBOARD_DB set by the caller) after its first run, on the home page, opened with
    URL ``params`` (nothing checked)."""
    at = AppTest.from_file(str(entry(tmp_path)), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def switch(at: AppTest, path: str, **params: str | list[str]) -> AppTest:
    """``at`` switched to the page ``path`` (in the repository) with URL ``params`` set before, and run."""
    for name, value in params.items():
        at.query_params[name] = value
    return at.switch_page(str(ROOT / path)).run()


def open_page(
    tmp_path: Path,
    path: str,
    *,
    deep_link: bool = False,
    reapply: bool = True,
    check: Callable[[AppTest], None] = ok,
    **params: str | list[str],
) -> AppTest:
    """AppTest of dashboard.py (DASHBOARD_DB set by the caller) switched to ``path``, with URL ``params``, passed
    through ``check``. By default the session's first run is the home page's, which reads the shared parameters;
    the page's own ones are set again before the switch (``reapply``; the home page's run leaves them out of the URL).
    With ``deep_link`` the first run is the page's own, with the parameters, as a link to the page opens it."""
    if deep_link:
        at = AppTest.from_file(str(entry(tmp_path)), default_timeout=60)
        for name, value in params.items():
            at.query_params[name] = value
        at.switch_page(str(ROOT / path)).run()
    else:
        at = switch(session(tmp_path, **params), path, **(params if reapply else {}))
    check(at)
    return at


def page_fixture(path: str | None = None):
    """A test module's ``page`` fixture (``page = page_fixture(PAGE)``) on the demo county (board_env): a factory of
    AppTests opened through open_page on ``path`` with URL parameters, ``page(**params)``; without ``path`` the page
    is the factory's first argument, ``page(path, **params)``."""

    @pytest.fixture
    def page(board_env: Path, tmp_path: Path):
        def make(*where: str, **params: str | list[str]) -> AppTest:
            return open_page(tmp_path, *(where or (path,)), **params)

        return make

    return page


def cells(at: AppTest) -> list[str]:
    """Every cell of every table on the page as shown."""
    return [str(v) for df in at.dataframe for v in df.value.to_numpy().ravel()]


def cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def qp(at: AppTest) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in at.query_params.items()}


def industry_changes_nothing(at: AppTest, note: str) -> None:
    """Choosing an industry in the sidebar leaves the cards as they were, and a caption ``note`` says why."""
    before = cards(at)
    at.multiselect(key="f_ind").set_value([at.multiselect(key="f_ind").options[0]]).run()
    ok(at)
    assert cards(at) == before
    assert note in captions(at)


def click_bar(at: AppTest, key: str, value: str) -> None:
    """A click on the bar of a chart drawn with ``on_select="rerun"`` whose customdata is ``value``."""
    points = [{"customdata": value, "y": value, "point_index": 0}]
    at.session_state[key] = {"selection": {"points": points, "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    ok(at)


def click_row(at: AppTest, table: int, row: int) -> None:
    """A click on row ``row`` of the ``table``-th (selectable) table."""
    at.session_state[at.dataframe[table].key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    ok(at)
