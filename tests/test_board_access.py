"""Sign-in and roles through AppTest, with real accounts created by `python -m etl users` in tmp_path: the sign-in
form before any data, role gates checked by each page itself (a page opened by its URL without the right is
refused), exports for analysts, session expiry, slowed failures, the audit lines, the setup screen off
localhost, and a township-restricted account that never sees another township's rows."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from board import access, fmt
from board.i18n import metric_name, t
from etl import audit
from etl.metric_catalogue import CARD_METRICS, get
from tests import servers
from tests.apptest_pages import cards, session, switch
from tests.apptest_pages import cells as shown_cells
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct-horse-9"
TOWN = "青石镇"


def add_user(name: str, role: str, townships: str = "") -> None:
    """An account made as an operator makes it: the CLI, the password on standard input."""
    servers.add_account(name, role, PASSWORD, townships)


@pytest.fixture(scope="module")
def users_file(tmp_path_factory) -> Path:
    """One accounts file for the module: every role, and a township clerk."""
    roles = [(f"{r}1", r, "") for r in ("viewer", "analyst", "uploader", "admin")]
    return servers.accounts_file(tmp_path_factory, [*roles, ("clerk1", "analyst", TOWN)], PASSWORD)


@pytest.fixture
def signed(board_env: Path, tmp_path: Path, users_file: Path, monkeypatch):
    """A factory: an AppTest of the dashboard with accounts; signed in as ``name`` unless None."""
    monkeypatch.setenv("DASHBOARD_USERS", str(users_file))
    access.throttle.clear()  # the wait is process-wide: each test starts with none

    def make(name: str | None, password: str = PASSWORD, **params: str) -> AppTest:
        at = session(tmp_path, **params)
        assert not at.exception, [e.value for e in at.exception]
        if name is not None:
            sign_in(at, name, password)
        return at

    return make


def sign_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="auth_name").input(name)
    at.text_input(key="auth_password").input(password)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(at: AppTest, path: str) -> AppTest:
    switch(at, path)
    assert not at.exception, [e.value for e in at.exception]
    return at


def titles(at: AppTest) -> list[str]:
    return [x.value for x in at.title]


def downloads(at: AppTest) -> int:
    return len(at.get("download_button"))


def no_data(at: AppTest) -> None:
    assert not at.metric and not at.dataframe and not at.get("plotly_chart") and not downloads(at)
    assert not at.multiselect, "no filter lists (they name the townships)"


def events() -> list[tuple[str, str]]:
    return [(e["user"], e["action"]) for e in audit.read().iloc[::-1].to_dict(orient="records")]


def test_without_a_session_only_the_sign_in_form(signed):
    at = signed(None)
    assert titles(at) == [t("auth.sign_in_title", "zh")]
    no_data(at)
    for page in ("pages/targets.py", "pages/batches.py", "pages/audit.py", "pages/project.py"):
        open_page(at, page)
        assert titles(at) == [t("auth.sign_in_title", "zh")], page
        no_data(at)


def test_the_sign_in_form_follows_the_language_of_the_link(signed):
    at = signed(None, lang="en")
    assert titles(at) == ["Sign in"]
    sign_in(at, "viewer1")
    assert at.query_params["lang"] == "en" and at.metric


def test_a_deep_link_survives_the_sign_in(signed):
    at = signed(None, town=TOWN, month="6")
    sign_in(at, "viewer1")
    assert at.multiselect(key="f_town").value == [TOWN] and at.selectbox(key="f_month").value == 6


def test_a_viewer_sees_the_dashboard_without_exports_and_is_refused_elsewhere(signed):
    at = signed("viewer1")
    assert titles(at) == [t("overview.title", "zh")] and at.metric
    assert downloads(at) == 0
    assert any("viewer1" in c.value for c in at.sidebar.caption)
    menu = [link.label for link in at.sidebar.get("page_link")]
    assert t("page.batches", "zh") not in menu and t("page.audit", "zh") not in menu
    assert t("page.targets", "zh") in menu
    for page in ("pages/batches.py", "pages/audit.py"):  # by URL: being left out of the menu is not protection
        open_page(at, page)
        assert titles(at) == [t("auth.refused_title", "zh")], page
        assert not at.dataframe and not downloads(at)
    assert ("viewer1", "refused") in events()


def test_an_analyst_gets_exports_but_not_the_batches(signed):
    at = signed("analyst1")
    assert downloads(at) > 0
    open_page(at, "pages/targets.py")
    assert downloads(at) > 0
    open_page(at, "pages/batches.py")
    assert titles(at) == [t("auth.refused_title", "zh")]


def test_an_uploader_opens_the_batches_and_only_an_admin_the_audit_log(signed):
    at = open_page(signed("uploader1"), "pages/batches.py")
    assert titles(at) == [t("page.batches", "zh")] and at.dataframe
    open_page(at, "pages/audit.py")
    assert titles(at) == [t("auth.refused_title", "zh")]
    at = open_page(signed("admin1"), "pages/audit.py")
    assert titles(at) == [t("page.audit", "zh")]
    shown = shown_cells(at)
    assert "admin1" in shown and "uploader1" in shown and t("audit.action.refused", "zh") in shown


def test_sign_in_failure_sign_out_and_their_audit_lines(signed):
    at = signed("viewer1", password="wrong-password")
    assert [e.value for e in at.error] == [t("auth.wrong", "zh")]
    no_data(at)
    at = signed("nobody", password="wrong-password")
    assert [e.value for e in at.error] == [t("auth.wrong", "zh")]  # the same words for an unknown name
    sign_in(at, "viewer1")
    assert at.metric
    at.button(key="auth_sign_out").click().run()
    assert titles(at) == [t("auth.sign_in_title", "zh")]
    no_data(at)
    assert events() == [
        ("viewer1", "sign_in_failed"), ("nobody", "sign_in_failed"), ("viewer1", "sign_in"), ("viewer1", "sign_out")
    ]  # fmt: skip
    log = audit.path().read_text(encoding="utf-8")
    assert PASSWORD not in log and "wrong-password" not in log


def test_repeated_failures_are_slowed_down(signed, monkeypatch):
    at = signed(None)
    for _ in range(access.FREE_FAILURES):  # a few typos cost nothing
        sign_in(at, "analyst1", "typo-password")
        assert [e.value for e in at.error] == [t("auth.wrong", "zh")]
    sign_in(at, "analyst1", "typo-password")  # the 4th failure: the next attempt waits 1 s, the 5th's 2 s
    sign_in(at, "analyst1")  # the right password, too early: refused without being checked
    assert [e.value for e in at.error] == [t("auth.slowed", "zh", seconds="1")]
    assert not at.metric
    monkeypatch.setenv("DASHBOARD_NOW", (datetime.fromisoformat(NOW) + timedelta(seconds=1)).isoformat())
    sign_in(at, "analyst1", "typo-password")
    sign_in(at, "analyst1")
    assert [e.value for e in at.error] == [t("auth.slowed", "zh", seconds="2")]
    monkeypatch.setenv("DASHBOARD_NOW", (datetime.fromisoformat(NOW) + timedelta(seconds=3)).isoformat())
    sign_in(at, "analyst1")
    assert at.metric and not at.error
    assert access.throttle().wait(["name:analyst1"], datetime.fromisoformat(NOW)) == 0  # a success forgives


def test_the_wait_doubles_up_to_its_cap():
    th, now = access.Throttle(), datetime.fromisoformat(NOW)
    waits = []
    for _ in range(access.FREE_FAILURES + 12):
        th.failed(["name:x"], now)
        waits.append(th.wait(["name:x", "ip:y"], now))
    assert waits[: access.FREE_FAILURES] == [0.0] * access.FREE_FAILURES
    assert waits[access.FREE_FAILURES : access.FREE_FAILURES + 4] == [1.0, 2.0, 4.0, 8.0]
    assert waits[-1] == access.MAX_DELAY
    assert th.wait(["name:other"], now) == 0.0


def test_an_idle_session_expires(signed, monkeypatch):
    at = signed("viewer1")
    start = datetime.fromisoformat(NOW)
    monkeypatch.setenv("DASHBOARD_NOW", (start + timedelta(minutes=29)).isoformat())
    at.run()
    assert at.metric
    monkeypatch.setenv("DASHBOARD_NOW", (start + timedelta(minutes=60)).isoformat())
    at.run()
    assert titles(at) == [t("auth.sign_in_title", "zh")]
    assert [i.value for i in at.info] == [t("auth.ended.session_expired", "zh")]
    no_data(at)
    assert events()[-1] == ("viewer1", "session_expired")


def test_a_busy_session_expires_after_its_lifetime(signed, monkeypatch):
    monkeypatch.setenv("DASHBOARD_SESSION_HOURS", "1")
    at = signed("viewer1")
    start = datetime.fromisoformat(NOW)
    for minutes in (20, 40, 59):  # never idle for long
        monkeypatch.setenv("DASHBOARD_NOW", (start + timedelta(minutes=minutes)).isoformat())
        at.run()
        assert at.metric, minutes
    monkeypatch.setenv("DASHBOARD_NOW", (start + timedelta(minutes=61)).isoformat())
    at.run()
    assert titles(at) == [t("auth.sign_in_title", "zh")]


def test_a_removed_account_is_signed_out_at_once(signed, users_file, tmp_path, monkeypatch):
    copy = tmp_path / "users.toml"
    copy.write_bytes(users_file.read_bytes())
    monkeypatch.setenv("DASHBOARD_USERS", str(copy))
    at = signed("viewer1")
    assert at.metric
    cmd = [sys.executable, "-m", "etl", "users", "remove", "viewer1"]
    assert subprocess.run(cmd, cwd=ROOT, capture_output=True, env=os.environ.copy()).returncode == 0
    at.run()
    assert [i.value for i in at.info] == [t("auth.ended.account_gone", "zh")]
    no_data(at)


def test_off_localhost_without_accounts_only_the_setup_screen(board_env, tmp_path):
    config.set_option("server.address", "0.0.0.0")
    try:
        at = session(tmp_path)
        assert not at.exception
        assert titles(at) == [t("auth.setup_title", "zh")]
        assert "bin/etl users add admin --role admin" in [c.value for c in at.code]
        no_data(at)
        for page in ("pages/targets.py", "pages/batches.py"):
            open_page(at, page)
            assert titles(at) == [t("auth.setup_title", "zh")]
            no_data(at)
    finally:
        config.set_option("server.address", "localhost")


def test_on_localhost_without_accounts_the_local_mode_says_so(board_env, tmp_path):
    at = session(tmp_path)
    assert [i.value for i in at.sidebar.info] == [t("auth.local_notice", "zh")]
    assert at.metric and downloads(at) > 0
    open_page(at, "pages/audit.py")
    assert titles(at) == [t("page.audit", "zh")]


# ── a township clerk ──────────────────────────────────────────────────────────────────────────────────────


def _towns(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {r[0] for r in con.execute("SELECT name FROM v_units WHERE type = '镇街'").fetchall()}


def _own_actuals(db: Path, town: str) -> dict[str, float]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            """SELECT metric, sum(value) FROM v_metric_facts WHERE year = 2026 AND month <= 11
               AND ? IN (township, park, responsible_unit) GROUP BY metric""",
            [town],
        ).fetchall()
    return dict(rows)


def test_a_township_clerk_sees_only_their_township(signed, board_env):
    at = signed("clerk1", town="柳河镇")  # a link to another township is not followed
    assert at.multiselect(key="f_town").options == [TOWN]
    own = _own_actuals(board_env, TOWN)
    shown = cards(at)
    for m in CARD_METRICS:  # no whole-area totals: the cards are the township's own
        assert shown[metric_name(m, "zh")] == fmt.value(own.get(m, 0.0), get(m).kind, "zh", compact=True), m
    others = _towns(board_env) - {TOWN}
    menu = [link.label for link in at.sidebar.get("page_link")]
    assert t("page.parks", "zh") not in menu
    for page in ("pages/overview.py", "pages/targets.py", "pages/pipeline.py", "pages/stalled.py",
                 "pages/key_projects.py", "pages/projects.py"):  # fmt: skip
        open_page(at, page)
        assert titles(at) and titles(at) != [t("auth.refused_title", "zh")], page
        leaked = others & set(shown_cells(at))
        assert not leaked, (page, leaked)
    open_page(at, "pages/parks.py")
    assert titles(at) == [t("auth.refused_title", "zh")]


def test_a_township_clerk_cannot_open_another_townships_project(signed, board_env):
    with duckdb.connect(str(board_env), read_only=True) as con:
        outside = con.execute(
            """SELECT min(project_id) FROM v_projects WHERE project_id NOT IN
               (SELECT project_id FROM v_project_units WHERE unit = ?)""",
            [TOWN],
        ).fetchone()[0]
        inside = con.execute("SELECT min(project_id) FROM v_projects WHERE township = ?", [TOWN]).fetchone()[0]
    at = signed("clerk1")
    at.query_params["id"] = outside
    open_page(at, "pages/project.py")
    assert [w.value for w in at.warning] == [t("project.unknown", "zh", id=fmt.code_span(outside))]
    at.query_params["id"] = inside
    open_page(at, "pages/project.py")
    assert not at.warning and at.metric
    at.text_input(key="pj_q").input(outside).run()
    assert outside not in shown_cells(at)


def test_each_page_checks_the_role_itself_without_the_frame(board_env, users_file, monkeypatch):
    """The page file run alone (as Streamlit runs it on a fresh server's first request): its require_frame
    refuses a viewer and shows an anonymous visitor the sign-in form, whatever the frame did or did not draw."""
    from board.selection import Selection

    monkeypatch.setenv("DASHBOARD_USERS", str(users_file))
    for who, title in ((None, "auth.sign_in_title"), ("viewer1", "auth.refused_title"), ("uploader1", "page.batches")):
        at = AppTest.from_file(str(ROOT / "pages" / "batches.py"), default_timeout=60)
        at.session_state["f_selection"] = Selection(2026, 11)
        if who:
            now = datetime.fromisoformat(NOW)
            at.session_state[access.USER_KEY] = {"name": who, "since": now, "seen": now}
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert titles(at) == [t(title, "zh")], who
        assert bool(at.dataframe) == (who == "uploader1"), who
