"""Placeholder: a registered page whose file does not exist yet, or a URL that is no page at all."""

from __future__ import annotations

import streamlit as st

from board import nav
from board.i18n import t

nav.require_frame()
st.title(t("missing.title"))
st.write(t("missing.body"))
nav.link(nav.HOME.path, t("missing.home"))
