"""Audit log (审计日志, admin only): sign-ins, failures, sign-outs, uploads, rollbacks and account changes."""

from __future__ import annotations

import streamlit as st

from board import access, db, export, fmt, meta, nav, tables
from board.i18n import t
from board.selection import Options
from board.sidebar import url_choice
from board.tables import Col
from etl import audit, clock

COLS = [
    Col("ts", "audit.col.ts", show=lambda ts: fmt.DASH if fmt.missing(ts) else f"{ts:%Y-%m-%d %H:%M:%S}"),
    Col("user", "audit.col.user"),
    Col("action", "audit.col.action", show=lambda a: t(f"audit.action.{a}") if a in audit.ACTIONS else str(a)),
    Col("detail", "audit.col.detail"),
    Col("ip", "audit.col.ip"),
    Col("agent", "audit.col.agent"),
]

nav.require_frame()
st.title(t("page.audit"))
st.caption(t("audit.caption", path=fmt.code_span(str(audit.path()))))
users = ("", *access.audit_users())
actions = ("", *audit.ACTIONS)
action_labels = {a: t(f"audit.action.{a}") if a else t("audit.all") for a in actions}
left, middle, right = st.columns(3)
with left:
    who = url_choice("who", users, t("audit.user"), lambda u: u or t("audit.all"))
with middle:
    action = url_choice("act", actions, t("audit.action"), action_labels.get)
with right:
    today = clock.today()
    days = st.date_input(t("audit.days"), value=(), max_value=today, key="au_days", format="YYYY-MM-DD")
first = days[0] if len(days) > 0 else None
last = days[1] if len(days) > 1 else first
events = access.audit_events(who, action, first, last)
st.caption(t("audit.count", n=len(events)))
if events.empty:
    st.info(t("audit.none"), icon=":material/info:")
else:
    options = meta.options() if db.has_data() else Options()
    export.show(tables.table(events, COLS, t("page.audit"), None, options), "au_log")
