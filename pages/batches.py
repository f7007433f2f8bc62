"""Data batches: the history with filters, one batch's detail (rows, rejects, file, superseded values), rollback."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from board import access, db, export, fmt, meta, nav, sidebar, tables, upload
from board.i18n import current_lang, dataset_name, field_name, t
from board.metrics import batches
from board.tables import Col
from etl.contracts import DATASETS
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
CONFIRM = "bt_confirm"  # the batch whose rollback waits for confirmation
DONE = "bt_done"  # the last rollback's Outcome, shown after the rerun that follows it


def say(zh: str, en: str) -> str:
    return zh if current_lang() == "zh" else en


def filters(history, scope: batches.Scope) -> tuple[tuple[str, ...], tuple[str, ...], dt.date | None, dt.date | None]:
    a, b, c = st.columns(3)
    present = list(dict.fromkeys(history["dataset"]))
    labels = {d: dataset_name(str(d)) for d in present}
    every = t("batches.f_all")
    chosen = a.multiselect(t("batches.f_dataset"), present, format_func=labels.get, key="bt_ds", placeholder=every)
    users = b.multiselect(t("batches.f_user"), list(batches.uploaders(scope)), key="bt_user", placeholder=every)
    days = pd_days(history)
    span = c.date_input(t("batches.f_dates"), value=(), min_value=days[0], max_value=days[1], key="bt_dates")
    since = span[0] if len(span) > 0 else None
    until = span[1] if len(span) > 1 else since
    return tuple(chosen), tuple(users), since, until


def pd_days(history) -> tuple[dt.date, dt.date]:
    stamps = [ts.date() for ts in history["loaded_at"]]
    return min(stamps), max(stamps)


def rollback_section(b: dict) -> None:
    bid = int(b["batch_id"])
    if b["status"] != "loaded":
        st.caption(t("batches.rolled_back_by", at=fmt.timestamp(b["rolled_back_at"]), user=b["rolled_back_by"] or ""))
        return
    if not access.can("rollback"):
        return
    if st.session_state.get(CONFIRM) != bid:
        if st.button(t("batches.rollback", batch=bid), key="bt_rollback", icon=":material/undo:"):
            st.session_state[CONFIRM] = bid
            st.rerun()
        return
    st.warning(t("batches.rollback_confirm", batch=bid, rows=int(b["rows_loaded"]), dataset=dataset_name(b["dataset"])))
    yes, no = st.columns([1, 4])
    if no.button(t("batches.rollback_cancel"), key="bt_cancel"):
        st.session_state.pop(CONFIRM, None)
        st.rerun()
    if yes.button(t("batches.rollback_yes"), key="bt_rollback_yes", type="primary"):
        with st.status(t("batches.rolling_back"), expanded=True) as status:
            line = st.empty()

            def waiting(seconds: float) -> None:
                status.update(label=t("upload.busy"))
                line.write(t("upload.busy_retrying", seconds=f"{seconds:.0f}"))

            done = upload.rollback(bid, on_wait=waiting)
        st.session_state.pop(CONFIRM, None)
        st.session_state[DONE] = done
        st.rerun()


def outcome_notice(done: upload.Outcome) -> None:
    if done.status == "rolled_back":
        st.success(t("batches.rolled_back", batch=done.batch_id), icon=":material/check_circle:")
    elif done.status == "busy":
        st.warning(t("upload.busy_gave_up", seconds=f"{done.waited:.0f}"), icon=":material/hourglass_top:")
    else:
        st.error(say(done.zh, done.en), icon=":material/block:")
    if done.waited:
        st.caption(t("upload.waited", seconds=f"{done.waited:.1f}"))


def detail(bid: int, options, scope: batches.Scope) -> None:
    b = batches.batch(bid, scope)
    if b is None:
        return
    st.subheader(t("batches.detail_heading", batch=bid, dataset=dataset_name(b["dataset"])))
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(field_name(BATCH_FIELDS, "rows_read"), fmt.number(b["rows_read"], 0))
    m2.metric(field_name(BATCH_FIELDS, "rows_loaded"), fmt.number(b["rows_loaded"], 0))
    m3.metric(field_name(BATCH_FIELDS, "rows_rejected"), fmt.number(b["rows_rejected"], 0))
    m4.metric(field_name(BATCH_FIELDS, "status"), field_name(BATCH_STATUS, b["status"]))
    how = " · ".join(str(x) for x in (b["file_format"], b["encoding"], b["sheet"]) if x and not fmt.missing(x))
    st.caption(
        t("batches.detail_caption", user=b["user_name"], at=fmt.timestamp(b["loaded_at"]), file=b["file_name"])
        + (f" ({how})" if how else "")
    )
    kept = upload.kept_file(b["kept_path"])
    if kept is not None:
        with st.container(horizontal=True, gap="small"):
            for kind, name in upload.kept_downloads(kept):
                st.download_button(
                    t("batches.kept_download" if kind == "file" else "batches.kept_download_" + kind),
                    lambda kind=kind: upload.kept_bytes(kept, kind),  # made when clicked: a kept file may be large
                    file_name=name,
                    key="bt_kept_" + kind,
                    on_click="ignore",
                    icon=":material/download:",
                    help=t("batches.kept_help"),
                    width="content",
                )
    rollback_section(b)
    if b["rows_rejected"]:
        rows, hidden = batches.quarantined(bid, scope)
        st.markdown("**" + t("batches.quarantine_heading") + "**")
        st.caption(t("batches.quarantine_caption", batch=bid, n=len(rows) + hidden))
        if hidden:
            st.caption(t("batches.quarantine_hidden", n=hidden))
        reason = "reason" if current_lang() == "zh" else "reason_en"
        cols = [Col("row", QUARANTINE_FIELDS["row"]), Col(reason, QUARANTINE_FIELDS[reason])]
        cols += [Col(c, (c, c)) for c in rows.columns if c not in ("row", "reason", "reason_en")]
        export.show(tables.table(rows, cols, t("title.quarantine") + f" {bid}", None, options), "bt_q")
    changed = batches.superseded(bid, str(b["dataset"]), scope)
    if len(changed):
        ds = DATASETS[b["dataset"]]
        heads = {c.name: (c.zh if current_lang() == "zh" else c.name) for c in ds.columns}
        st.markdown("**" + t("batches.superseded_heading") + "**")
        st.caption(t("batches.superseded_caption", n=changed["key"].nunique(), max=batches.SUPERSEDED_ROWS))
        cols = [
            Col("row", "upload.col_row", "count"),
            Col("key", "upload.col_key"),
            Col("column", "upload.col_field", show=lambda n: heads.get(str(n), str(n))),
            Col("old", "upload.col_old"),
            Col("new", "upload.col_new"),
            Col("prev_batch", "batches.col_prev_batch"),
        ]
        export.show(tables.table(changed, cols, t("batches.superseded_heading") + f" {bid}", None, options), "bt_s")


nav.require_frame()
st.title(t("page.batches"))
if not db.has_data():
    st.info(t("batches.none"), icon=":material/info:")
    st.stop()
if DONE in st.session_state:
    outcome_notice(st.session_state.pop(DONE))
scope = batches.current()
if scope.restricted:
    st.caption(t("batches.scope_caption", towns=access.townships_text()))
options = meta.options()
everything = batches.all_batches(scope)
if everything.empty:
    st.info(t("batches.none_yours"), icon=":material/info:")
    st.stop()
datasets, users, since, until = filters(everything, scope)
history = batches.history(datasets, users, since, until, scope)
st.caption(t("batches.caption", n=len(history)))
picked = export.show(tables.table(history, BATCH_COLS, t("title.batches"), None, options), "bt", selectable=True)
ids = [str(b) for b in everything["batch_id"]]
labels = {
    str(b): f"{b} · {dataset_name(str(d))} · {f}"
    for b, d, f in zip(everything["batch_id"], everything["dataset"], everything["file_name"], strict=True)
}
if picked is not None:  # a click on a row opens that batch
    st.session_state["url_batch"] = str(history["batch_id"].iloc[picked])
chosen = sidebar.url_choice("batch", ids, t("batches.pick"), labels.get)
detail(int(chosen), options, scope)
