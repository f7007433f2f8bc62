"""Data batches: every loaded or rolled-back batch, newest first."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from board import db, fmt, meta, nav
from board.export import download_buttons
from board.i18n import dataset_name, t

nav.require_frame()
st.title(t("page.batches"))
if not db.has_data():
    st.info(t("batches.none"), icon=":material/info:")
    st.stop()
df = meta.batches()
COLUMNS = (
    "batch_id", "dataset", "file_name", "rows_read", "rows_loaded", "rows_rejected", "user_name", "loaded_at",
    "status", "rolled_back_at",
)  # fmt: skip
table = pd.DataFrame({t(f"batches.col.{c}"): df[c] for c in COLUMNS})
table[t("batches.col.rolled_back_at")] = [fmt.timestamp(x) if pd.notna(x) else "" for x in df["rolled_back_at"]]
table[t("batches.col.status")] = [t(f"batches.status.{s}") for s in df["status"]]
table[t("batches.col.dataset")] = [dataset_name(d) for d in df["dataset"]]
st.caption(t("batches.caption", n=len(df)))
st.dataframe(table, hide_index=True)
download_buttons(table, "batches", "bt_dl")
