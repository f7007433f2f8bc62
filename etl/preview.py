"""What the upload page shows before anything is written: one file checked exactly as a load checks it, summed up.

:func:`table_preview` (a dataset file) and :func:`boundary_preview` (a boundary file) run inside the worker
process of :mod:`etl.sandbox`: they read and check the bytes (etl.check / etl.boundaries, the same calls as
``python -m etl validate`` and ``boundaries --check``) and return a small :class:`Preview` — counts, the first
located errors and warnings, the full error report as XLSX, the first normalised rows (personal fields already
pseudonymised: the stored columns never hold a raw ID, name or phone), and what the batch would change (new
keys; superseded keys with old → new values for the first of them). Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from etl import check, schema, store
from etl.findings import ERROR_COLUMNS
from etl.messages import message

SHOWN_ISSUES = 1000  # located errors (and warnings) sent back to the page; the XLSX report holds them all
PREVIEW_ROWS = 20  # normalised rows shown
CHANGED_KEYS = 20  # superseded keys whose old → new values are shown
CHANGE_COLUMNS = ["key", "column", "old", "new"]


@dataclass
class Preview:
    """The verdict on one uploaded file, as the page shows it. ``status``: ok | rejected | noop.

    ``errors``/``warnings``: the first SHOWN_ISSUES located findings (ERROR_COLUMNS; ``row`` as in Excel,
    ``column`` as headed in the file); ``rows``: the first PREVIEW_ROWS valid normalised rows (stored columns:
    pseudonyms, never raw personal data); ``changes``: one row per changed cell (key, column, old, new) of the
    first CHANGED_KEYS superseded keys in file order."""

    kind: str  # "table" (a dataset file) or "boundaries"
    status: str
    file_name: str
    sha256: str = ""
    dataset: str | None = None
    rows_read: int = 0
    rows_bad: int = 0
    file_level_error: bool = False
    can_load: bool = False  # all-or-nothing load possible
    can_quarantine: bool = False  # a load with the rows in error quarantined possible
    duplicate_of: int | None = None
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))
    errors_total: int = 0
    warnings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))
    warnings_total: int = 0
    report_xlsx: bytes = b""
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    new_keys: int = 0
    superseded: int = 0
    changes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CHANGE_COLUMNS))
    file_format: str = ""
    encoding: str = ""
    sheet: str = ""
    features: int = 0  # boundaries: features read
    townships: int = 0  # boundaries: townships matched
    crs: str = ""
    seconds: float = 0.0  # checking time inside the worker


def cell_text(v: object) -> str:
    """A stored value as the page shows it: '' for a missing one, ISO dates, numbers without a trailing .0."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    if isinstance(v, (dt.date, pd.Timestamp)):
        return v.isoformat()[:10]
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _issues(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.head(SHOWN_ISSUES).reset_index(drop=True)
    return out.astype({c: "str" for c in ERROR_COLUMNS if c != "row"}).astype({"row": "Int64"})


def superseded_values(reader: store.Reader, v, limit: int = CHANGED_KEYS) -> tuple[pd.DataFrame, int]:
    """(changes, superseded): for the first ``limit`` valid rows of ``v`` (file order) whose key the warehouse
    already holds, one row per cell whose value would change (key, column, old, new as text); and how many
    valid rows supersede a key in all. Grain of the frame: one row per changed cell."""
    ds = v.dataset
    stored = [n for n, _ in ds.stored_columns()]
    good = v.frame.loc[v.valid, stored].reset_index(drop=True)
    keys = good[list(ds.key)].assign(_pos=np.arange(len(good)))
    cur = reader.cursor()
    try:
        cur.register("incoming_keys", keys)
        old = cur.execute(schema.current_for_keys_sql(ds)).df()
    finally:
        cur.close()
    out: list[tuple[str, str, str, str]] = []
    for rec in old.head(limit).to_dict(orient="records"):
        new = good.iloc[int(rec["_pos"])]
        key = " · ".join(cell_text(new[k]) for k in ds.key)
        for n in stored:
            if n in ds.key:
                continue
            before, after = cell_text(rec[n]), cell_text(new[n])
            if before != after:
                out.append((key, n, before, after))
    return pd.DataFrame(out, columns=CHANGE_COLUMNS, dtype="str"), len(old)


def _quiet(stage: str) -> None:
    """No progress reporting."""


def table_preview(
    data: bytes,
    file_name: str,
    db_path: Path,
    dataset: str | None,
    sheet: str | None,
    progress: Callable[[str], None] = _quiet,
    townships: Collection[str] = (),
) -> Preview:
    """Check a dataset file against the warehouse at ``db_path`` (as ``load`` would, for an account restricted
    to ``townships``: empty = all) and sum it up. ``progress`` is told each stage as it starts: check, compare,
    report."""
    from etl.pseudonym import load_key
    from etl.reports import error_report

    start = time.perf_counter()
    ctx = check.read_context(db_path)
    progress("check")
    checked = check.check(data, file_name, ctx, key=load_key(), dataset=dataset, sheet=sheet, townships=townships)
    ds = checked.dataset.name if checked.dataset else None
    p = Preview("table", checked.status, file_name, checked.sha256, ds, duplicate_of=checked.duplicate_of)
    if checked.status == "noop":
        p.seconds = time.perf_counter() - start
        return p
    v = checked.validated
    p.rows_read, p.rows_bad = checked.rows_read, checked.rows_bad
    p.file_level_error = v is None or v.file_level_error
    p.can_load, p.can_quarantine = checked.loadable(False), checked.loadable(True) and not checked.loadable(False)
    p.errors, p.errors_total = _issues(checked.errors), len(checked.errors)
    p.warnings, p.warnings_total = _issues(checked.warnings), len(checked.warnings)
    if len(checked.errors) or len(checked.warnings):
        progress("report")
        p.report_xlsx = error_report(checked.errors, checked.warnings, "xlsx")
    if v is not None:
        raw = v.raw
        p.file_format, p.encoding, p.sheet = raw.file_format or "", raw.encoding or "", raw.sheet or ""
        stored = [n for n, _ in v.dataset.stored_columns()]
        p.rows = v.frame.loc[v.valid, stored].head(PREVIEW_ROWS).reset_index(drop=True)
        if v.valid.any():
            good = int(v.valid.sum())
            if ctx.exists:
                progress("compare")
                reader = store.Reader(db_path)
                try:
                    p.changes, p.superseded = superseded_values(reader, v)
                finally:
                    reader.close()
            p.new_keys = good - p.superseded
    p.seconds = time.perf_counter() - start
    return p


def scope_refusal(file_name: str, townships: Collection[str]) -> Preview:
    """A boundary file from a township-restricted account: refused whole (the county office loads them)."""
    zh, en = message("scope_boundaries", allowed=check.allowed_text(townships))
    p = Preview("boundaries", "rejected", file_name, dataset="boundaries", file_level_error=True)
    p.errors = _issues(pd.DataFrame([(None, "", "", "scope_boundaries", zh, en)], columns=ERROR_COLUMNS))
    p.errors_total = 1
    return p


def boundary_preview(
    data: bytes,
    file_name: str,
    db_path: Path,
    progress: Callable[[str], None] = _quiet,
    townships: Collection[str] = (),
) -> Preview:
    """Check a boundary file against the warehouse's unit registry (as ``boundaries --check``) and sum it up;
    refused whole for an account restricted to ``townships``."""
    from etl import boundaries

    if townships:
        return scope_refusal(file_name, townships)
    start = time.perf_counter()
    progress("check")
    checked, _ = boundaries.check_file(db_path, data, file_name)
    rows = [(f.feature, "", "", f.code, f.zh, f.en) for f in checked.errors]
    warns = [(f.feature, "", "", f.code, f.zh, f.en) for f in checked.warnings]
    p = Preview(
        "boundaries",
        checked.status,
        file_name,
        checked.sha256,
        "boundaries",
        duplicate_of=checked.duplicate_of,
        can_load=checked.status == "ok",
        file_format=checked.file_format,
        encoding=checked.encoding or "",
        features=checked.features_read,
        townships=len(checked.shapes),
        crs=checked.crs,
    )
    p.errors = _issues(pd.DataFrame(rows, columns=ERROR_COLUMNS))
    p.warnings = _issues(pd.DataFrame(warns, columns=ERROR_COLUMNS))
    p.errors_total, p.warnings_total = len(rows), len(warns)
    p.rows = pd.DataFrame(
        {"township": [s.township for s in checked.shapes], "code": [s.code or "" for s in checked.shapes]}
    ).astype("str")
    p.rows["area_km2"] = [round(s.area_km2, 2) for s in checked.shapes]
    p.seconds = time.perf_counter() - start
    return p
