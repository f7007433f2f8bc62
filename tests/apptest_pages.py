"""Test helper: one page of dashboard.py through AppTest (the wrapper of tests/test_pages.py), opened with URL
parameters, and what it shows."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
BAD_CELLS = frozenset({"None", "nan", "NaN", "<NA>", "NaT", "inf", "-inf"})


def open_page(tmp_path: Path, path: str, **params: str | list[str]) -> AppTest:
    """AppTest of dashboard.py (DASHBOARD_DB set by the caller) switched to ``path``, with URL ``params``: the shared
    ones are read on the session's first run, the page's own ones when the page runs."""
    entry = tmp_path / "entry.py"
    entry.write_text(f"import runpy\nrunpy.run_path({str(ROOT / 'dashboard.py')!r}, run_name='__main__')\n")
    at = AppTest.from_file(str(entry), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(str(ROOT / path)).run()
    ok(at)
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def cells(at: AppTest) -> list[str]:
    """Every cell of every table on the page as shown."""
    return [str(v) for df in at.dataframe for v in df.value.to_numpy().ravel()]


def cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def qp(at: AppTest) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in at.query_params.items()}


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
