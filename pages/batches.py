"""Data batches: every loaded or rolled-back batch, newest first, and the rows a batch quarantined."""

from __future__ import annotations

import streamlit as st

from board import db, export, fmt, meta, nav, tables
from board.i18n import current_lang, dataset_name, field_name, t
from board.tables import Col
from etl.messages import BATCH_FIELDS, BATCH_STATUS, QUARANTINE_FIELDS

BATCH_COLS = [
    Col("batch_id", BATCH_FIELDS["batch_id"]),
    Col("dataset", BATCH_FIELDS["dataset"], show=lambda d: dataset_name(str(d))),
    Col("file_name", BATCH_FIELDS["file_name"]),
    Col("status", BATCH_FIELDS["status"], show=lambda s: field_name(BATCH_STATUS, str(s))),
    Col("rows_read", BATCH_FIELDS["rows_read"], "count"),
    Col("rows_loaded", BATCH_FIELDS["rows_loaded"], "count"),
    Col("rows_rejected", BATCH_FIELDS["rows_rejected"], "count"),
    Col("loaded_at", BATCH_FIELDS["loaded_at"], show=fmt.timestamp),
    Col("user_name", BATCH_FIELDS["user_name"]),
    Col("rolled_back_at", BATCH_FIELDS["rolled_back_at"], show=fmt.timestamp),
    Col("sha256", BATCH_FIELDS["sha256"], show=lambda h: str(h)[:12]),
]

nav.require_frame()
st.title(t("page.batches"))
if not db.has_data():
    st.info(t("batches.none"), icon=":material/info:")
    st.stop()
options = meta.options()
history = meta.batch_history()
st.caption(t("batches.caption", n=len(history)))
export.show(tables.table(history, BATCH_COLS, t("title.batches"), None, options), "bt")

st.subheader(t("batches.quarantine_heading"))
with_rows = history[history["rows_rejected"] > 0]
if with_rows.empty:
    st.info(t("batches.quarantine_none"), icon=":material/info:")
    st.stop()
labels = {b: f"{b} · {dataset_name(str(d))}" for b, d in zip(with_rows["batch_id"], with_rows["dataset"], strict=True)}
batch = st.selectbox(t("batches.quarantine_pick"), list(labels), format_func=labels.get, key="bt_quarantine")
rows = meta.quarantined(int(batch))
st.caption(t("batches.quarantine_caption", batch=batch, n=len(rows)))
reason = "reason" if current_lang() == "zh" else "reason_en"
cols = [Col("row", QUARANTINE_FIELDS["row"]), Col(reason, QUARANTINE_FIELDS[reason])]
cols += [Col(c, (c, c)) for c in rows.columns if c not in ("row", "reason", "reason_en")]
export.show(tables.table(rows, cols, t("title.quarantine") + f" {batch}", None, options), "bt_q")
