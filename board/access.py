"""Who may see and do what: sign-in, roles, session expiry, slowed failures, the township scope and the audit log.

Three modes, decided on every run (board.access.mode):

- ``accounts``: at least one account in the accounts file (etl.accounts). Every page needs a signed-in user;
  each page checks its own role (PageSpec.role, through ``nav.require_frame``); exports need ``analyst``.
- ``local``: no accounts and the server bound to a loopback address (``make run``'s default): one user, all
  rights, with a notice saying so.
- ``setup``: no accounts and the server reachable from other machines: only the setup screen, no data.

A session expires DASHBOARD_SESSION_HOURS after sign-in (default 8) or DASHBOARD_IDLE_MINUTES after its last run
(default 30). Failed sign-ins are slowed down per name and per client address: after FREE_FAILURES failures
each further one doubles the wait before the next attempt (1 s, 2 s, 4 s … at most MAX_DELAY). The wait is a
refusal with the time left, never a sleep, so no server thread is held. Sign-ins, failures, sign-outs, expiries,
refused pages, uploads, rollbacks and account changes go to the audit log (etl.audit).
"""

from __future__ import annotations

import getpass
import ipaddress
import os
import threading
import unicodedata
from dataclasses import replace
from datetime import date, datetime, timedelta

import pandas as pd
import streamlit as st

from board import fmt
from board.i18n import t
from board.selection import Options, Selection
from etl import accounts, clock
from etl import audit as audit_log

USER_KEY = "auth_user"  # session: {"name", "since", "seen"} of the signed-in account
NOTICE_KEY = "auth_notice"  # session: why the last session ended (expired, account gone)
LOCAL = accounts.Account("local", "admin")  # the one user of local single-user mode
SESSION_HOURS_ENV, IDLE_MINUTES_ENV = "DASHBOARD_SESSION_HOURS", "DASHBOARD_IDLE_MINUTES"
FREE_FAILURES = 3  # failures before the waits start (a typo or two costs nothing)
BASE_DELAY = 1.0  # seconds: the first wait; each further failure doubles it
MAX_DELAY = 900.0  # seconds: the longest wait
MAX_TRACKED = 10_000  # names and addresses remembered (oldest dropped): unknown names cannot exhaust memory


def _setting(env: str, default: float) -> float:
    try:
        value = float(os.environ.get(env, default))
    except ValueError:
        return default
    return value if value > 0 else default


def session_limits() -> tuple[timedelta, timedelta]:
    """(absolute lifetime, idle timeout) of a signed-in session."""
    return (
        timedelta(hours=_setting(SESSION_HOURS_ENV, 8)),
        timedelta(minutes=_setting(IDLE_MINUTES_ENV, 30)),
    )


# ── where the request comes from and where the server listens ─────────────────────────────────────────────


def _loopback(host: str) -> bool:
    host = host.strip().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def localhost_bound() -> bool:
    """Whether the server listens on a loopback address only (server.address localhost, 127.x or ::1). Unset,
    Streamlit listens on every interface."""
    address = st.get_option("server.address")
    return bool(address) and _loopback(str(address))


def client() -> tuple[str, str]:
    """(address, user agent) of the browser, for the audit log and the per-address wait. A proxy's
    X-Forwarded-For is recorded beside the address, never trusted instead of it."""
    ip = st.context.ip_address  # None for a browser on this computer (Streamlit hides ::1 and 127.0.0.1)
    ip = ip if isinstance(ip, str) else "localhost"
    try:
        headers = st.context.headers
        forwarded, agent = headers.get("X-Forwarded-For") or "", headers.get("User-Agent") or ""
    except Exception:  # no headers outside a browser session (AppTest)
        forwarded, agent = "", ""
    where = f"{ip} (X-Forwarded-For {forwarded})" if forwarded else ip
    return where, agent


# ── the mode and the current user ─────────────────────────────────────────────────────────────────────────


def mode() -> str:
    """``accounts``, ``local`` or ``setup`` (see the module docstring)."""
    if accounts.any_accounts():
        return "accounts"
    return "local" if localhost_bound() else "setup"


def user() -> accounts.Account | None:
    """The signed-in account as the accounts file has it now (a removed account or changed role applies at
    once); LOCAL in local single-user mode; None when nobody is signed in or in setup mode."""
    current = mode()
    if current == "local":
        return LOCAL
    if current == "setup":
        return None
    state = st.session_state.get(USER_KEY)
    return accounts.get(state["name"]) if state else None


def user_name() -> str:
    """The name recorded with a batch or a rollback: the signed-in account's; in local single-user mode the OS
    user running the server (else "local")."""
    who = user()
    if who is LOCAL:
        try:
            return getpass.getuser() or LOCAL.name
        except (KeyError, OSError):
            return LOCAL.name
    return who.name if who else "-"


def can(action: str) -> bool:
    """Whether the current user may ``action``: view, export, upload, rollback, admin (etl.accounts.ACTIONS)."""
    who = user()
    return who is not None and who.can(action)


def audit(action: str, detail: str = "") -> None:
    """Write one event of the current user to the audit log (who, when, what, from where)."""
    who = user()
    ip, agent = client()
    audit_log.write(who.name if who else "-", action, detail, ip, agent)


# ── the township scope ────────────────────────────────────────────────────────────────────────────────────


def townships() -> tuple[str, ...]:
    """The townships the current user may see; () = every township."""
    who = user()
    return who.townships if who else ()


def townships_text() -> str:
    """The current user's townships as one line of Markdown-safe text ("" = every township)."""
    return fmt.plain("、".join(townships()))


def clamp(sel: Selection) -> Selection:
    """The selection within the current user's townships (Selection.scope does the clamping)."""
    scope = townships()
    return replace(sel, scope=scope) if scope else sel


def clamp_options(options: Options, park_towns: dict[str, str | None]) -> Options:
    """The filter options within the current user's townships: their townships, and the parks registered under
    one of them (``park_towns``: park → its parent township in the unit registry)."""
    scope = townships()
    if not scope:
        return options
    towns = tuple(x for x in options.townships if x in scope) + tuple(x for x in scope if x not in options.townships)
    parks = tuple(p for p in options.parks if park_towns.get(p) in scope)
    return replace(options, townships=towns, parks=parks)


# ── slowed failures ───────────────────────────────────────────────────────────────────────────────────────


class Throttle:
    """Failed sign-ins per key ("name:…", "ip:…") and when the next attempt is allowed; shared by all sessions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, datetime]] = {}

    def wait(self, keys: list[str], now: datetime) -> float:
        """Seconds until every key may try again (0 = now)."""
        with self._lock:
            until = [self._failures[k][1] for k in keys if k in self._failures]
        return max([(u - now).total_seconds() for u in until] + [0.0])

    def failed(self, keys: list[str], now: datetime) -> None:
        with self._lock:
            for key in keys:
                n = self._failures.pop(key, (0, now))[0] + 1
                delay = 0.0 if n <= FREE_FAILURES else min(BASE_DELAY * 2 ** (n - FREE_FAILURES - 1), MAX_DELAY)
                self._failures[key] = (n, now + timedelta(seconds=delay))
            while len(self._failures) > MAX_TRACKED:
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


@st.cache_resource(show_spinner=False)
def throttle() -> Throttle:
    """The process-wide throttle."""
    return Throttle()


def sign_in(name: str, password: str) -> str | None:
    """Check a name and password; on success start the session. Returns None, or why it failed: ``wait:<s>``
    (slowed down: try again in s seconds) or ``wrong`` (the same message for an unknown name)."""
    now = clock.now()
    ip, agent = client()
    name = unicodedata.normalize("NFKC", name).strip()  # as etl.accounts stores names
    keys = [f"name:{name}", f"ip:{ip}"]
    left = throttle().wait(keys, now)
    if left > 0:
        audit_log.write(name, "sign_in_failed", f"slowed down, {left:.0f} s left", ip, agent)
        return f"wait:{max(1, round(left))}"
    found = accounts.verify(name, password)
    if found is None:
        throttle().failed(keys, now)
        audit_log.write(name, "sign_in_failed", "wrong name or password", ip, agent)
        return "wrong"
    throttle().succeeded(keys[0])
    throttle().succeeded(keys[1])
    st.session_state[USER_KEY] = {"name": found.name, "since": now, "seen": now}
    st.session_state.pop(NOTICE_KEY, None)
    audit_log.write(found.name, "sign_in", f"role={found.role}", ip, agent)
    return None


def sign_out(reason: str = "sign_out") -> None:
    """End the session (``reason``: sign_out, session_expired, account_gone) and say why on the next run."""
    state = st.session_state.pop(USER_KEY, None)
    if state:
        ip, agent = client()
        audit_log.write(state["name"], "sign_out" if reason == "sign_out" else "session_expired", reason, ip, agent)
    if reason != "sign_out":
        st.session_state[NOTICE_KEY] = reason
    for key in [k for k in st.session_state if not str(k).startswith(("f_", "lang", "auth_"))]:
        del st.session_state[key]  # page state (chosen rows, open details) does not outlive the user


def _session_alive() -> bool:
    """Whether the signed-in session may go on (ending it when it expired or its account is gone)."""
    state = st.session_state.get(USER_KEY)
    if not state:
        return False
    now = clock.now()
    lifetime, idle = session_limits()
    if now - state["since"] > lifetime or now - state["seen"] > idle:
        sign_out("session_expired")
        return False
    if accounts.get(state["name"]) is None:
        sign_out("account_gone")
        return False
    state["seen"] = now
    return True


# ── what the frame draws before any data ──────────────────────────────────────────────────────────────────


def gate(draw: bool = True) -> bool:
    """Call before anything that shows data. True: go on (a user is signed in, or local mode). False: nobody
    may see data; with ``draw`` the setup screen or the sign-in form is drawn instead."""
    current = mode()
    if current == "local":
        return True
    if current == "setup":
        if draw:
            setup_screen()
        return False
    if _session_alive():
        return True
    if draw:
        sign_in_form()
    return False


def setup_screen() -> None:
    """No accounts while served to other machines: how to create the first admin; no data."""
    st.title(t("auth.setup_title"))
    st.warning(t("auth.setup_body"), icon=":material/lock:")
    st.write(t("auth.setup_admin"))
    st.code("bin/etl users add admin --role admin", language="bash")
    st.write(t("auth.setup_local"))
    st.code("make run", language="bash")


def sign_in_form() -> None:
    st.title(t("auth.sign_in_title"))
    notice = st.session_state.get(NOTICE_KEY)
    if notice:
        st.info(t(f"auth.ended.{notice}"), icon=":material/schedule:")
    with st.form("auth_sign_in", border=True, width=420):
        name = st.text_input(t("auth.name"), key="auth_name", max_chars=accounts.MAX_NAME, autocomplete="username")
        password = st.text_input(
            t("auth.password"), type="password", key="auth_password", max_chars=200, autocomplete="current-password"
        )
        pressed = st.form_submit_button(t("auth.sign_in"), type="primary")
    if pressed:
        problem = sign_in(name, password)
        if problem is None:
            st.session_state.pop("auth_password", None)  # the password does not stay in the session
            st.rerun()
        elif problem.startswith("wait:"):
            st.error(t("auth.slowed", seconds=problem.split(":", 1)[1]), icon=":material/hourglass_top:")
        else:
            st.error(t("auth.wrong"), icon=":material/error:")


def sidebar_status() -> None:
    """Who is signed in (with a sign-out button), or the local single-user notice."""
    current = mode()
    with st.sidebar:
        if current == "local":
            st.info(t("auth.local_notice"), icon=":material/person:")
            return
        who = user()
        if who is None:
            return
        scope = fmt.plain("、".join(who.townships)) if who.townships else t("auth.all_townships")
        st.caption(t("auth.signed_in_as", name=fmt.plain(who.name), role=t(f"auth.role.{who.role}"), scope=scope))
        if st.button(t("auth.sign_out"), key="auth_sign_out", icon=":material/logout:"):
            sign_out()
            st.rerun()


def allowed(role: str) -> bool:
    """Whether the current user holds ``role`` or a higher one."""
    who = user()
    return (
        who is not None and who.role in accounts.ROLES and accounts.ROLES.index(who.role) >= accounts.ROLES.index(role)
    )


def refuse(page: str) -> None:
    """The page is not for this user: say so, log it, show nothing else."""
    audit("refused", page)
    st.title(t("auth.refused_title"))
    st.error(t("auth.refused_body"), icon=":material/block:")
    st.stop()


# ── the audit log page's read side ────────────────────────────────────────────────────────────────────────


def audit_events(who: str = "", action: str = "", first: date | None = None, last: date | None = None) -> pd.DataFrame:
    """The audit log (etl.audit.read), newest first, filtered by user name (exact; "" = all), action ("" = all)
    and the days ``first``..``last`` (inclusive; None = open). Grain: one row per event; columns ts, user,
    action, detail, ip, agent. Read on every call (the file is appended to by every session and the CLI)."""
    df = audit_log.read()
    keep = pd.Series(True, index=df.index)
    if who:
        keep &= df["user"] == who
    if action:
        keep &= df["action"] == action
    if first is not None:
        keep &= df["ts"] >= pd.Timestamp(first)
    if last is not None:
        keep &= df["ts"] < pd.Timestamp(last) + pd.Timedelta(days=1)
    return df[keep].reset_index(drop=True)


def audit_users() -> tuple[str, ...]:
    """Every user name in the audit log, sorted."""
    return tuple(sorted(set(audit_log.read()["user"])))
