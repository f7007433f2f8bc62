"""Upload data: choose or detect the dataset, check the file in a worker, see what it would change, then commit."""

from __future__ import annotations

import streamlit as st

from board import access, export, fmt, meta, nav, tables, upload
from board.i18n import current_lang, dataset_name, t
from board.selection import Options
from board.tables import Col
from etl import readers
from etl.contracts import DATASETS
from etl.sandbox import WorkerFailed

STATE = "up_state"  # {"token", "preview" | None, "failed": (zh, en) | None}
DONE = "up_done"  # the last commit's Outcome, shown after the rerun that follows it
NONCE = "up_nonce"  # bumped after a commit: a fresh, empty file uploader
TABLE_KINDS = {"money": "money", "usd": "usd", "count": "count", "date": "date"}
STAGES = {"start": 0.1, "check": 0.4, "compare": 0.8, "report": 0.9}


def say(zh: str, en: str) -> str:
    return zh if current_lang() == "zh" else en


def options() -> Options:
    return meta.options() if upload.db.has_data() else Options()


def outcome_notice(done: upload.Outcome) -> None:
    if done.status == "loaded":
        st.success(
            t("upload.loaded", batch=done.batch_id, rows=done.rows_loaded, bad=done.rows_rejected),
            icon=":material/check_circle:",
        )
        nav.link(nav.HOME.path, t("upload.see_overview"))
        nav.link("pages/batches.py", t("upload.see_batches"), {"batch": str(done.batch_id)})
    elif done.status == "busy":
        st.warning(t("upload.busy_gave_up", seconds=f"{done.waited:.0f}"), icon=":material/hourglass_top:")
    elif done.status == "refused":
        st.error(say(done.zh, done.en), icon=":material/block:")
    elif done.status == "rejected":
        st.error(t("upload.changed_since_check"), icon=":material/sync_problem:")
    elif done.status == "noop":
        st.info(t("upload.noop_now"), icon=":material/info:")
    if done.waited:
        st.caption(t("upload.waited", seconds=f"{done.waited:.1f}"))


def issues_table(frame, title: str, key: str, boundaries: bool, opts: Options) -> None:
    reason = "reason_zh" if current_lang() == "zh" else "reason_en"
    cols = [
        Col("row", "upload.col_feature" if boundaries else "upload.col_row", "count"),
        Col("column", "upload.col_column"),
        Col("value", "upload.col_value"),
        Col(reason, "upload.col_reason"),
    ]
    export.show(tables.table(frame, cols, title, None, opts), key)


def preview_rows(p, opts: Options) -> None:
    if p.kind == "boundaries":
        cols = [Col("township", "upload.col_township"), Col("code", "upload.col_code"), Col("area_km2", "upload.col_area", "money")]  # fmt: skip
    else:
        ds = DATASETS[p.dataset]
        names = {c.name: c for c in ds.columns}
        cols = [
            Col(
                n,
                (names[n].zh, n) if n in names else (n, n),
                TABLE_KINDS.get(names[n].kind, "text") if n in names else "text",
            )  # fmt: skip
            for n in p.rows.columns
        ]
    export.show(tables.table(p.rows, cols, t("upload.preview_title"), None, opts), "up_rows")


def changes_table(p, opts: Options) -> None:
    ds = DATASETS[p.dataset]
    heads = {c.name: (c.zh if current_lang() == "zh" else c.name) for c in ds.columns}
    cols = [
        Col("key", "upload.col_key"),
        Col("column", "upload.col_field", show=lambda n: heads.get(str(n), str(n))),
        Col("old", "upload.col_old"),
        Col("new", "upload.col_new"),
    ]
    export.show(tables.table(p.changes, cols, t("upload.changes_title"), None, opts), "up_changes")


def verdict(p) -> None:
    """Counts and the verdict, before anything is written."""
    what = dataset_name(p.dataset) if p.dataset else t("upload.unknown_dataset")
    if p.status == "noop":
        st.info(t("upload.noop", batch=p.duplicate_of, dataset=what), icon=":material/info:")
        return
    a, b, c, d = st.columns(4)
    if p.kind == "boundaries":
        a.metric(t("upload.m_features"), fmt.number(p.features, 0))
        b.metric(t("upload.m_townships"), fmt.number(p.townships, 0))
        c.metric(t("upload.m_errors"), fmt.number(p.errors_total, 0))
        d.metric(t("upload.m_crs"), p.crs or fmt.DASH)
    else:
        a.metric(t("upload.m_rows"), fmt.number(p.rows_read, 0))
        b.metric(t("upload.m_bad"), fmt.number(p.rows_bad, 0))
        c.metric(t("upload.m_new"), fmt.number(p.new_keys, 0))
        d.metric(t("upload.m_superseded"), fmt.number(p.superseded, 0))
    format_words = " · ".join(x for x in (p.file_format, p.encoding, p.sheet) if x)
    st.caption(t("upload.checked_as", dataset=what, format=format_words or fmt.DASH, seconds=f"{p.seconds:.1f}"))
    if p.can_load:
        st.success(t("upload.ok"), icon=":material/check_circle:")
    elif p.can_quarantine:
        st.warning(t("upload.some_bad", bad=p.rows_bad, good=p.rows_read - p.rows_bad), icon=":material/warning:")
    else:
        st.error(t("upload.refused_file" if p.file_level_error else "upload.refused_all"), icon=":material/error:")


def run_check(data: bytes, name: str, dataset: str | None) -> dict:
    bar = st.progress(0.0, text=t("upload.stage.start", seconds="0"))

    def progress(stage: str, seconds: float) -> None:
        bar.progress(STAGES.get(stage, 0.5), text=t(f"upload.stage.{stage}", seconds=f"{seconds:.0f}"))

    try:
        return {"preview": upload.check_file(data, name, dataset, progress), "failed": None}
    except WorkerFailed as exc:
        return {"preview": None, "failed": (exc.zh, exc.en)}
    finally:
        bar.empty()


def commit(data: bytes, name: str, dataset: str | None, quarantine: bool) -> None:
    with st.status(t("upload.committing"), expanded=True) as status:
        line = st.empty()

        def waiting(seconds: float) -> None:
            status.update(label=t("upload.busy"), state="running")
            line.write(t("upload.busy_retrying", seconds=f"{seconds:.0f}"))

        done = upload.commit(data, name, dataset, quarantine=quarantine, on_wait=waiting)
        status.update(label=t("upload.committed"), state="complete" if done.status == "loaded" else "error")
    st.session_state[DONE] = done
    if done.status == "loaded":
        st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1
        st.session_state.pop(STATE, None)
    st.rerun()


nav.require_frame()
st.title(t("page.upload"))
if not access.can("upload"):
    st.error(t("access.denied"), icon=":material/lock:")
    st.stop()
opts = options()
if access.townships():
    st.caption(t("upload.scope_caption", towns=access.townships_text()))
if DONE in st.session_state:
    outcome_notice(st.session_state.pop(DONE))

choices = ["", *DATASETS, "boundaries"]
labels = {c: dataset_name(c) if c else t("upload.detect") for c in choices}
dataset = st.selectbox(t("upload.dataset"), choices, format_func=labels.get, key="up_dataset") or None
mb = max(1, readers.max_upload_bytes() // (1 << 20))
file = st.file_uploader(
    t("upload.file"),
    type=upload.UPLOAD_TYPES,
    key=f"up_file_{st.session_state.get(NONCE, 0)}",
    help=t("upload.file_help", mb=mb),
    max_upload_size=mb,
)

if file is not None:
    token = (file.file_id, file.name, dataset)
    state = st.session_state.get(STATE)
    if state is None or state["token"] != token:
        state = {"token": token, **run_check(file.getvalue(), file.name, dataset)}
        st.session_state[STATE] = state
    p = state["preview"]
    if p is None:
        st.error(say(*state["failed"]), icon=":material/gpp_bad:")
    else:
        verdict(p)
        boundaries = p.kind == "boundaries"
        if p.errors_total:
            st.subheader(t("upload.errors_heading", n=p.errors_total))
            if p.errors_total > len(p.errors):
                st.caption(t("upload.errors_cut", shown=len(p.errors), n=p.errors_total))
            issues_table(p.errors, t("upload.errors_title"), "up_err", boundaries, opts)
            if p.report_xlsx:
                st.download_button(
                    t("upload.report"),
                    p.report_xlsx,
                    file_name=f"{t('upload.errors_title')}_{file.name}.xlsx",
                    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    key="up_report",
                    on_click="ignore",
                    icon=":material/download:",
                )
        if p.warnings_total:
            st.subheader(t("upload.warnings_heading", n=p.warnings_total))
            issues_table(p.warnings, t("upload.warnings_title"), "up_warn", boundaries, opts)
        if len(p.rows):
            st.subheader(t("upload.preview_heading"))
            st.caption(t("upload.preview_caption", n=len(p.rows)))
            preview_rows(p, opts)
        if len(p.changes):
            st.subheader(t("upload.changes_heading"))
            st.caption(t("upload.changes_caption", n=p.superseded))
            changes_table(p, opts)
        if p.can_load or p.can_quarantine:
            st.subheader(t("upload.commit_heading"))
            quarantine = False
            if p.can_quarantine:
                quarantine = st.checkbox(t("upload.quarantine", bad=p.rows_bad), key="up_quarantine")
            label = t("upload.commit_all") if p.can_load else t("upload.commit_good", n=p.rows_read - p.rows_bad)
            if st.button(label, type="primary", key="up_commit", disabled=not (p.can_load or quarantine)):
                commit(file.getvalue(), file.name, dataset, quarantine)

st.divider()
st.subheader(t("upload.templates_heading"))
st.caption(t("upload.templates_caption"))
tpl = st.selectbox(t("upload.template_dataset"), list(DATASETS), format_func=labels.get, key="up_tpl")
lang = current_lang()
with st.container(horizontal=True, gap="small"):
    for fmt_ in ("xlsx", "csv"):
        st.download_button(
            t(f"upload.template_{fmt_}"),
            lambda f=fmt_: upload.template(tpl, f, lang),
            file_name=f"{t('upload.template_name')}_{dataset_name(tpl)}.{fmt_}",
            key=f"up_tpl_{fmt_}",
            on_click="ignore",
            icon=":material/download:",
        )
export.show(tables.table(upload.columns_help(tpl, lang), upload.HELP_COLS, dataset_name(tpl), None, opts), "up_help")
