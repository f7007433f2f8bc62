"""Dashboard entry point: page config, navigation, the shared sidebar filters and data freshness."""

from __future__ import annotations

import logging
import os

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from board import access, db, fmt, meta, nav, sidebar, timings
from board.i18n import t
from board.selection import Options

log = logging.getLogger("dashboard")


def frame() -> StreamlitPage | None:
    """Draw what every page shares and return the page to run; None when the user must sign in first (or the
    server needs its first account), or may not open the page asked for: then nothing showing data was drawn."""
    if not access.gate(draw=False):  # not signed in: the URL's filters wait (a deep link survives the sign-in)
        sidebar.init_language()
        st.set_page_config(page_title=t("app.title"), page_icon=nav.FAVICON, layout="wide")
        nav.navigation()
        access.gate()  # the setup screen or the sign-in form
        sidebar.sidebar(Options(), with_data=False)  # the language switch only
        return None
    ready = db.has_data()
    options = meta.options() if ready else Options()
    notices = sidebar.init_state(options, nav.page_params())
    st.set_page_config(page_title=t("app.title"), page_icon=nav.FAVICON, layout="wide")
    current_page, own = nav.navigation()
    access.sidebar_status()
    spec = nav.page_spec(current_page)
    if spec is not None and not nav.permitted(spec):
        sidebar.sidebar(Options(), with_data=False)
        nav.menu()
        access.refuse(spec.url_path)
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


with timings.timed() as run:  # one line per run in the opt-in timing log (DASHBOARD_TIMINGS)
    try:
        page = frame()
        run.page = timings.page_name(page) if page is not None else "sign-in"
        if page is not None:
            page.run()
    except Exception:  # the details go to the server log; the user gets a short message in their language
        run.error = True
        if os.environ.get("DASHBOARD_RAISE"):
            raise
        log.exception("dashboard run failed")
        st.error(t("error.generic"), icon=":material/error:")
