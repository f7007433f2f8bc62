"""Dashboard entry point: page config, navigation, the shared sidebar filters and data freshness."""

from __future__ import annotations

import logging
import os

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from board import db, filters, fmt, meta, nav
from board.i18n import t

log = logging.getLogger("dashboard")


def frame() -> StreamlitPage:
    """Draw what every page shares and return the page to run."""
    ready = db.has_data()
    options = meta.options() if ready else filters.Options()
    notices = filters.init_state(options)
    st.set_page_config(page_title=t("app.title"), page_icon=nav.FAVICON, layout="wide")
    current_page = nav.navigation()
    nav.menu()
    st.sidebar.caption(t("app.title"))
    sel = filters.sidebar(options, with_data=ready)
    for notice in notices:  # name and value come from the URL: code spans, never Markdown
        st.warning(
            t("filters.bad_param", param=fmt.code(notice.param), value=fmt.code(notice.value)), icon=":material/info:"
        )
    if ready:
        st.caption(
            t("freshness", loaded=fmt.timestamp(meta.latest_load()), month=fmt.month(sel.year, sel.month)),
            help=t("freshness_help"),
        )
    return current_page


try:
    frame().run()
except Exception:  # the details go to the server log; the user gets a short message in their language
    if os.environ.get("DASHBOARD_RAISE"):
        raise
    log.exception("dashboard run failed")
    st.error(t("error.generic"), icon=":material/error:")
