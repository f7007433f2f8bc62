"""Dashboard entry point: page config, navigation, the shared sidebar filters and data freshness."""

from __future__ import annotations

import logging
import os

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from board import db, fmt, meta, nav, sidebar
from board.i18n import t
from board.selection import Options

log = logging.getLogger("dashboard")


def frame() -> StreamlitPage:
    """Draw what every page shares and return the page to run."""
    ready = db.has_data()
    options = meta.options() if ready else Options()
    notices = sidebar.init_state(options, nav.page_params())
    st.set_page_config(page_title=t("app.title"), page_icon=nav.FAVICON, layout="wide")
    current_page, own = nav.navigation()
    nav.menu()
    st.sidebar.caption(t("app.title"))
    sel = sidebar.sidebar(options, with_data=ready, page_params=own)
    for notice in notices:  # what came from the URL is shown as code, never as Markdown
        st.warning(sidebar.notice_text(notice), icon=":material/info:")
    through = options.data_through()
    if ready and through:
        period, loaded = fmt.period(sel.year, sel.month), fmt.timestamp(meta.latest_load())
        st.caption(t("freshness", period=period, through=fmt.month(*through), loaded=loaded), help=t("freshness_help"))
    return current_page


try:
    frame().run()
except Exception:  # the details go to the server log; the user gets a short message in their language
    if os.environ.get("DASHBOARD_RAISE"):
        raise
    log.exception("dashboard run failed")
    st.error(t("error.generic"), icon=":material/error:")
