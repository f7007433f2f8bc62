"""Data batches: the history filtered by dataset, uploader and date; one batch's record; the values it superseded.

Rows are counts of file rows (人 or 条 as the dataset's grain says); times are the load's wall-clock time
(etl.clock). The quarantined rows of a batch come from board.meta.quarantined (etl.store.quarantine).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from board import db, meta
from etl import schema
from etl.contracts import DATASETS
from etl.preview import cell_text

_BATCH_SQL = """SELECT batch_id, dataset, file_name, sha256, file_format, encoding, sheet, rows_read, rows_loaded,
  rows_rejected, user_name, loaded_at, status, rolled_back_at, rolled_back_by, kept_path FROM batches
WHERE batch_id = ?"""
SUPERSEDED_ROWS = 200  # superseded records of a batch that are compared cell by cell


def history(
    datasets: tuple[str, ...] = (),
    users: tuple[str, ...] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> pd.DataFrame:
    """Grain: one row per batch (loaded or rolled back), newest first, of the chosen datasets and uploaders
    (empty = all) loaded between ``since`` and ``until`` (whole days, both included)."""
    frame = meta.batch_history()
    keep = pd.Series(True, index=frame.index)
    if datasets:
        keep &= frame["dataset"].isin(datasets)
    if users:
        keep &= frame["user_name"].isin(users)
    day = pd.to_datetime(frame["loaded_at"]).dt.date
    if since is not None:
        keep &= day >= since
    if until is not None:
        keep &= day <= until
    return frame[keep].reset_index(drop=True)


@db.cached
def batch(batch_id: int) -> dict | None:
    """One batch's record (the columns of ``batches``, with ``kept_path``); None when there is no such batch."""
    rows = db.query(_BATCH_SQL, [batch_id])
    return None if rows.empty else rows.iloc[0].to_dict()


@db.cached
def superseded(batch_id: int, dataset: str) -> pd.DataFrame:
    """Grain: one row per cell a record of batch ``batch_id`` changed, for the first SUPERSEDED_ROWS of its
    records that replaced an earlier one (in file order): ``row`` (as in Excel), ``prev_batch`` (the batch
    whose value it replaced, among the batches still loaded), ``key``, ``column``, ``old``, ``new`` (text)."""
    cols = ["row", "prev_batch", "key", "column", "old", "new"]
    ds = DATASETS.get(dataset)
    if ds is None:  # boundaries replace the previous file whole
        return pd.DataFrame(columns=cols)
    pairs = db.query(schema.superseded_sql(ds), [batch_id, batch_id, SUPERSEDED_ROWS])
    out = []
    stored = [n for n, _ in ds.stored_columns()]
    for rec in pairs.to_dict(orient="records"):
        key = " · ".join(cell_text(rec["new_" + k]) for k in ds.key)
        for n in stored:
            old, new = cell_text(rec["old_" + n]), cell_text(rec["new_" + n])
            if n not in ds.key and old != new:
                out.append((int(rec["_row"]), int(rec["prev_batch"]), key, n, old, new))
    return pd.DataFrame(out, columns=cols)


def uploaders() -> tuple[str, ...]:
    """Every name that loaded a batch, sorted."""
    return tuple(sorted(set(meta.batch_history()["user_name"].dropna().astype(str))))
