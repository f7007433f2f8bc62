"""The opt-in timing log (board.timings, DASHBOARD_TIMINGS): off by default; one line per run of dashboard.py with
the page, a session hash, the time and whether the error message was shown; never a data value."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest

from board import timings
from board.i18n import t
from board.metrics import returnees
from etl import warehouse
from tests.apptest_pages import ROOT, session, switch
from tests.apptest_pages import clean as ok

KEYS = {"session", "page", "start", "ms", "end", "error"}


@pytest.fixture
def log(board_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "timings.jsonl"
    monkeypatch.setenv(timings.ENV, str(path))
    return path


def test_off_unless_asked(board_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(timings.ENV, raising=False)
    assert timings.target() is None
    monkeypatch.setenv(timings.ENV, "  ")
    assert timings.target() is None
    ok(session(tmp_path))
    assert not list(tmp_path.glob("*.jsonl"))


def test_one_line_per_run_with_the_page_and_the_session_hash(log: Path, tmp_path: Path):
    at = session(tmp_path, town="青石镇")
    ok(at)
    switch(at, "pages/returnees.py")
    ok(at)
    other = session(tmp_path)
    ok(other)
    lines = timings.read(log)
    assert [x["page"] for x in lines] == ["overview", "returnees", "overview"]
    for x in lines:
        assert set(x) == KEYS
        assert re.fullmatch(r"[0-9a-f]{12}", x["session"])
        assert x["end"] == "ok" and x["error"] is False
        assert isinstance(x["ms"], float) and x["ms"] >= 0
        assert isinstance(x["start"], float)
    assert lines[0]["session"] == lines[1]["session"]  # (AppTest gives every session one id: the browser test
    # tests/test_browser_load_visible.py sees a hash per tab)
    assert lines[0]["start"] <= lines[1]["start"] <= lines[2]["start"]
    text = log.read_text(encoding="utf-8")
    assert "青石镇" not in text  # a filter value never reaches the log


def test_an_error_shown_is_logged_as_such(log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("DASHBOARD_RAISE")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    at = session(tmp_path)
    monkeypatch.setattr(returnees, "summary", broken)
    switch(at, "pages/returnees.py")
    assert t("error.generic", "zh") in [e.value for e in at.error]
    last = timings.read(log)[-1]
    assert (last["page"], last["end"], last["error"]) == ("returnees", "ok", True)
    assert "boom" not in log.read_text(encoding="utf-8")


def test_an_exception_that_escapes_is_an_error_too(log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    at = session(tmp_path)
    monkeypatch.setattr(returnees, "summary", broken)  # DASHBOARD_RAISE (board_env): the exception escapes
    at.switch_page(str(ROOT / "pages/returnees.py")).run()
    assert at.exception
    last = timings.read(log)[-1]
    assert (last["page"], last["end"], last["error"]) == ("returnees", "raised", True)


def test_a_stopped_run_says_so(log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DASHBOARD_DB", str(warehouse.init(tmp_path / "empty.duckdb")))  # the empty screen stops
    ok(session(tmp_path))
    assert [(x["page"], x["end"], x["error"]) for x in timings.read(log)] == [("overview", "stop", False)]


def test_lines_from_many_threads_stay_whole(tmp_path: Path):
    path = tmp_path / "t.jsonl"

    def writer(i: int) -> None:
        for j in range(200):
            timings.write(path, {"session": f"{i:012x}", "page": "overview", "ms": float(j)})

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1600
    assert sorted({json.loads(x)["session"] for x in lines}) == [f"{i:012x}" for i in range(8)]


def test_a_half_written_last_line_is_skipped(tmp_path: Path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"page": "overview", "ms": 1.0}\n{"page": "targ', encoding="utf-8")
    assert timings.read(path) == [{"page": "overview", "ms": 1.0}]
    assert timings.read(tmp_path / "absent.jsonl") == []


def test_session_hashes_are_short_stable_and_not_the_id():
    a = timings.session_hash("0b6f6a1e-5c0e-4c1e-9a57-3f0c2d9e8b11")
    assert a == timings.session_hash("0b6f6a1e-5c0e-4c1e-9a57-3f0c2d9e8b11")
    assert a != timings.session_hash("0b6f6a1e-5c0e-4c1e-9a57-3f0c2d9e8b12")
    assert re.fullmatch(r"[0-9a-f]{12}", a) and a not in "0b6f6a1e-5c0e-4c1e-9a57-3f0c2d9e8b11"
