"""Data batches: the history filtered by dataset, uploader and date; one batch's record; the values it superseded.

Rows are counts of file rows (人 or 条 as the dataset's grain says); times are the load's wall-clock time
(etl.clock). The quarantined rows of a batch come from board.meta.quarantined (etl.store.quarantine).

Every function answers within a :class:`Scope`, by default the signed-in account's (board.access): an account
restricted to some townships sees only the batches it loaded itself, and of their quarantined rows only those
of its townships; an account of the whole county sees every batch.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

import pandas as pd

from board import access, db, meta
from etl import schema
from etl.contracts import DATASETS
from etl.preview import cell_text
from etl.units import split_aliases
from etl.validate import map_headers

_BATCH_SQL = """SELECT batch_id, dataset, file_name, sha256, file_format, encoding, sheet, rows_read, rows_loaded,
  rows_rejected, user_name, loaded_at, status, rolled_back_at, rolled_back_by, kept_path FROM batches
WHERE batch_id = ?"""
SUPERSEDED_ROWS = 200  # superseded records of a batch that are compared cell by cell
_TOWNS_SQL = "SELECT name, aliases FROM v_units WHERE type = '镇街'"
_PROJECT_TOWNS_SQL = "SELECT project_id, township FROM v_projects WHERE list_contains(?::VARCHAR[], project_id)"


@dataclass(frozen=True)
class Scope:
    """Whose batches are seen: ``townships`` empty = every batch (the county office, local mode); else only the
    batches ``user`` loaded, and of their quarantined rows only those of ``townships``."""

    user: str = ""
    townships: tuple[str, ...] = ()

    @property
    def restricted(self) -> bool:
        return bool(self.townships)


EVERYTHING = Scope()


def current() -> Scope:
    """The signed-in account's scope (board.access)."""
    towns = access.townships()
    return Scope(access.user_name(), tuple(towns)) if towns else EVERYTHING


def _own(frame: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    if not scope.restricted:
        return frame
    return frame[frame["user_name"] == scope.user].reset_index(drop=True)


def all_batches(scope: Scope | None = None) -> pd.DataFrame:
    """Grain: one row per batch (loaded or rolled back) the scope sees (default: the signed-in account's),
    newest first (etl.store.batches)."""
    return _own(meta.batch_history(), scope or current())


def history(
    datasets: tuple[str, ...] = (),
    users: tuple[str, ...] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
    scope: Scope | None = None,
) -> pd.DataFrame:
    """Grain: one row per batch (loaded or rolled back), newest first, of the chosen datasets and uploaders
    (empty = all) loaded between ``since`` and ``until`` (whole days, both included), among the batches the
    ``scope`` sees (default: the signed-in account's)."""
    frame = all_batches(scope)
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


def batch(batch_id: int, scope: Scope | None = None) -> dict | None:
    """One batch's record (the columns of ``batches``, with ``kept_path``); None when there is no such batch
    or the ``scope`` (default: the signed-in account's) does not see it."""
    found = _batch(batch_id)
    scope = scope or current()
    if found is None or (scope.restricted and found["user_name"] != scope.user):
        return None
    return found


@db.cached
def _batch(batch_id: int) -> dict | None:
    rows = db.query(_BATCH_SQL, [batch_id])
    return None if rows.empty else rows.iloc[0].to_dict()


def quarantined(batch_id: int, scope: Scope | None = None) -> tuple[pd.DataFrame, int]:
    """(rows, hidden). Grain of ``rows``: one row per quarantined row of the batch the ``scope`` (default: the
    signed-in account's) sees, as etl.store.quarantine gives them; ``hidden``: how many it does not see. A
    restricted account sees the quarantined rows of its own batches whose township (the file's township cell,
    or the township of the project a funding row names) is one of its townships."""
    scope = scope or current()
    b = batch(batch_id, scope)
    if b is None:
        return pd.DataFrame(columns=["row", "reason", "reason_en"]), 0
    rows = meta.quarantined(batch_id)
    if not scope.restricted or rows.empty:
        return rows, 0
    keep = _of_townships(rows, str(b["dataset"]), scope.townships)
    return rows[keep].reset_index(drop=True), int((~keep).sum())


def _of_townships(rows: pd.DataFrame, dataset: str, townships: tuple[str, ...]) -> pd.Series:
    """Per quarantined row: whether it names one of ``townships`` (a registered alias counts as its name)."""
    ds = DATASETS.get(dataset)
    none = pd.Series(False, index=rows.index)
    if ds is None:
        return none
    hmap, _ = map_headers([str(c) for c in rows.columns if c not in ("row", "reason", "reason_en")], ds)
    by_name = {v: k for k, v in hmap.items()}
    text = lambda h: rows[h].astype("str").map(lambda x: unicodedata.normalize("NFKC", x).strip())  # noqa: E731
    if ds.township_column and ds.township_column in by_name:
        units = db.query(_TOWNS_SQL)
        canonical = {n: n for n in units["name"]}
        for name, aliases in zip(units["name"], units["aliases"], strict=True):
            canonical |= {a: name for a in split_aliases(None if pd.isna(aliases) else str(aliases))}
        towns = text(by_name[ds.township_column]).map(lambda x: canonical.get(x, x))
        return towns.isin(townships)
    if "project_id" in by_name:
        ids = text(by_name["project_id"]).str.replace(r"\s+", "", regex=True)
        owners = db.query(_PROJECT_TOWNS_SQL, [tuple(dict.fromkeys(ids))])
        return ids.map(dict(zip(owners["project_id"], owners["township"], strict=True))).isin(townships)
    return none


_SUPERSEDED_COLS = ["row", "prev_batch", "key", "column", "old", "new"]


def superseded(batch_id: int, dataset: str, scope: Scope | None = None) -> pd.DataFrame:
    """Grain: one row per cell a record of batch ``batch_id`` changed, for the first SUPERSEDED_ROWS of its
    records that replaced an earlier one (in file order): ``row`` (as in Excel), ``prev_batch`` (the batch
    whose value it replaced, among the batches still loaded), ``key``, ``column``, ``old``, ``new`` (text).
    Empty when the ``scope`` (default: the signed-in account's) does not see the batch."""
    if batch(batch_id, scope) is None:
        return pd.DataFrame(columns=_SUPERSEDED_COLS)
    return _superseded(batch_id, dataset)


@db.cached
def _superseded(batch_id: int, dataset: str) -> pd.DataFrame:
    cols = _SUPERSEDED_COLS
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


def uploaders(scope: Scope | None = None) -> tuple[str, ...]:
    """Every name that loaded a batch the ``scope`` (default: the signed-in account's) sees, sorted."""
    return tuple(sorted(set(all_batches(scope)["user_name"].dropna().astype(str))))
