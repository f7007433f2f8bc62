"""The upload and batches pages' calls into the ETL: check a file in the worker, commit it, roll a batch back.

The same functions as the command line (etl.check through etl.preview, etl.warehouse.load_file,
etl.boundaries.load, etl.warehouse.rollback). Checking runs in a worker process (etl.sandbox), so a hostile
file cannot take the server down; committing runs here, after the user confirmed, under the single-writer
lock: while another load holds it, ``on_wait`` tells the page how long it has been waiting ("busy,
retrying"), and after ``DASHBOARD_LOCK_TIMEOUT`` seconds the outcome is ``busy`` with nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from board import access, db
from board.i18n import t
from board.tables import Col
from etl import keep, sandbox, store, warehouse
from etl.check import allowed_text
from etl.contracts import DATASETS
from etl.messages import message
from etl.preview import Preview

BOUNDARY_SUFFIXES = (".geojson", ".json", ".zip")
UPLOAD_TYPES = ["csv", "xlsx", "geojson", "json", "zip"]


def kind_of(file_name: str, dataset: str | None) -> str:
    """ "boundaries" for a boundary file (chosen, or a GeoJSON/zip by its name), else "table"."""
    if dataset == "boundaries" or (dataset is None and file_name.lower().endswith(BOUNDARY_SUFFIXES)):
        return "boundaries"
    return "table"


def check_file(
    data: bytes,
    file_name: str,
    dataset: str | None,
    on_progress: Callable[[str, float], None] | None = None,
) -> Preview:
    """Read and check an uploaded file in the worker, against the current warehouse and as restricted to the
    signed-in account's townships (etl.check); nothing is written. ``dataset`` None: detected from the headers.
    Raises etl.sandbox.WorkerFailed for a file that exhausted the worker."""
    kind = kind_of(file_name, dataset)
    ds = None if kind == "boundaries" else dataset
    towns = access.townships()
    return sandbox.preview(kind, data, file_name, db.db_path(), ds, on_progress=on_progress, townships=towns)


@dataclass(frozen=True)
class Outcome:
    """What a commit or rollback did. ``status``: loaded | noop | rejected (the file no longer passes: the
    warehouse changed since the check) | busy (another writer held the lock too long: nothing written) |
    refused (``zh``/``en`` say why) | rolled_back. ``waited``: seconds spent waiting for another writer."""

    status: str
    batch_id: int | None = None
    rows_loaded: int = 0
    rows_rejected: int = 0
    waited: float = 0.0
    zh: str = ""
    en: str = ""


def _waiting(on_wait: Callable[[float], None] | None, seen: list[float]) -> Callable[[float], None]:
    def told(seconds: float) -> None:
        seen.append(seconds)
        if on_wait is not None:
            on_wait(seconds)

    return told


def commit(
    data: bytes,
    file_name: str,
    dataset: str | None,
    *,
    quarantine: bool,
    on_wait: Callable[[float], None] | None = None,
) -> Outcome:
    """Load the checked file as one batch: all-or-nothing, or (``quarantine``) the valid rows with the rows in
    error quarantined. Recorded as the current user (board.access), and checked again as restricted to their
    townships: a row of another township is never loaded, only quarantined."""
    seen: list[float] = []
    path = db.db_path()
    user = access.user_name()
    towns = access.townships()
    try:
        if kind_of(file_name, dataset) == "boundaries" and towns:
            zh, en = message("scope_boundaries", allowed=allowed_text(towns))
            return Outcome("refused", zh=zh, en=en)
        if kind_of(file_name, dataset) == "boundaries":
            from etl import boundaries

            b = boundaries.load(path, file_name, data=data, user=user, on_wait=_waiting(on_wait, seen))
            out = Outcome(b.status, b.batch_id, len(b.checked.shapes) if b.status == "loaded" else 0, 0)
        else:
            res = warehouse.load_file(
                path,
                Path(file_name),
                dataset=dataset,
                skip_invalid=quarantine,
                user=user,
                data=data,
                on_wait=_waiting(on_wait, seen),
                townships=towns,
            )
            rejected = res.rows_rejected if res.status == "loaded" else 0
            out = Outcome(res.status, res.batch_id, res.rows_loaded, rejected)
    except warehouse.WarehouseBusy:
        return Outcome("busy", waited=max(seen, default=0.0))
    except store.Refused as exc:
        return Outcome("refused", waited=max(seen, default=0.0), zh=exc.zh, en=exc.en)
    if out.status == "loaded":
        access.audit("upload", f"batch {out.batch_id}: {file_name}")
    return Outcome(out.status, out.batch_id, out.rows_loaded, out.rows_rejected, max(seen, default=0.0))


def rollback(batch_id: int, on_wait: Callable[[float], None] | None = None) -> Outcome:
    """Undo one batch under the CLI's rules (etl.warehouse.rollback): refused when a later batch changed the
    same records, or when funding rows would point at projects that no longer exist; refused for an account
    restricted to some townships unless it loaded the batch itself (board.metrics.batches.Scope)."""
    from board.metrics import batches

    scope = batches.current()
    if scope.restricted and batches.batch(batch_id, scope) is None:
        return Outcome("refused", batch_id, zh=t("batches.not_yours", "zh"), en=t("batches.not_yours", "en"))
    seen: list[float] = []
    try:
        warehouse.rollback(db.db_path(), batch_id, user=access.user_name(), on_wait=_waiting(on_wait, seen))
    except warehouse.WarehouseBusy:
        return Outcome("busy", batch_id, waited=max(seen, default=0.0))
    except store.Refused as exc:
        return Outcome("refused", batch_id, waited=max(seen, default=0.0), zh=exc.zh, en=exc.en)
    access.audit("rollback", f"batch {batch_id}")
    return Outcome("rolled_back", batch_id, waited=max(seen, default=0.0))


def template(dataset: str, fmt: str, lang: str) -> bytes:
    """The blank template of ``dataset`` (etl.templates): XLSX or CSV, headers in ``lang``."""
    from etl.templates import template as build

    return build(DATASETS[dataset], fmt, lang)


def kept_file(path: str | None) -> Path | None:
    """A batch's kept file (the pseudonymised copy when it held personal data) when it lies in the uploads folder
    beside the warehouse; None when it is not there (moved, or an old batch). Read it only when downloaded."""
    if not path:
        return None
    root = store.uploads_dir(db.db_path()).resolve()
    p = Path(path).resolve()
    if root not in p.parents or not p.is_file():
        return None
    return p


def kept_downloads(path: Path) -> list[tuple[str, str]]:
    """(format, file name) of each download a kept file offers: the file itself (as given, or an old batch's
    pseudonymised CSV) once, or, for a pseudonymised Parquet copy, CSV and XLSX made when clicked (XLSX only
    when its rows fit one sheet)."""
    if not keep.is_table(path):
        return [("file", path.name)]
    stem = path.name.removesuffix(".parquet")
    out = [("csv", stem + ".csv")]
    if keep.kept_rows(path) <= keep.XLSX_MAX_ROWS:
        out.append(("xlsx", stem + ".xlsx"))
    return out


def kept_bytes(path: Path, fmt: str) -> bytes:
    """The bytes of one of :func:`kept_downloads` (built now: call it when the button is clicked)."""
    return path.read_bytes() if fmt == "file" else keep.kept_download(path, fmt)


HELP_COLS = [
    Col("header", "upload.help_header"),
    Col("type", "upload.help_type"),
    Col("unit", "upload.help_unit"),
    Col("required", "upload.help_required"),
    Col("allowed", "upload.help_allowed"),
    Col("help", "upload.help_text"),
]


def columns_help(dataset: str, lang: str) -> pd.DataFrame:
    """Grain: one row per column of ``dataset``'s upload file, from the contract (etl.contracts): the header
    in ``lang`` (with the other language's in brackets), what a cell holds, its unit, whether it is required,
    the allowed values of an enum, and the column's help."""
    from etl.templates import KIND_TEXT

    ds = DATASETS[dataset]
    i = 0 if lang == "zh" else 1
    one_of = {n for g in ds.one_of for n in g}
    rows = []
    for c in ds.columns:
        required = t("upload.required_yes", lang) if c.required else ""
        if not c.required and c.name in one_of:
            required = t("upload.required_one_of", lang)
        rows.append(
            {
                "header": f"{c.zh} ({c.name})" if i == 0 else f"{c.name} ({c.zh})",
                "type": KIND_TEXT[c.kind][i],
                "unit": c.unit,
                "required": required,
                "allowed": "、".join(c.choices),
                "help": (c.help_zh, c.help_en)[i] or "",
            }
        )
    return pd.DataFrame(rows, columns=[c.source for c in HELP_COLS])
