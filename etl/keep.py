"""What is kept of an upload: the file (or its pseudonymised copy) and the quarantined rows, masked.

Every uploaded file is kept beside the warehouse under ``uploads/`` (``uploads/rejected/`` when it was
not loaded). A file of a dataset with personal fields is never kept as given: only a pseudonymised
copy, with no raw ID, name or phone.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl import clock, store
from etl.messages import printable_values
from etl.pseudonym import mask_id, mask_text
from etl.reports import write_table
from etl.validate import Validated, mask_series


def bad_rows(v: Validated) -> pd.DataFrame:
    """The invalid rows' cells of the contract's columns only (personal ones masked), with ``_row`` and the
    joined reasons in Chinese (``reason``) and English (``reason_en``). Columns outside the contract are
    never kept: they may hold anything."""
    bad = ~v.valid
    out = _masked(v, list(v.header_map)).loc[bad].copy()
    for h in out.columns:  # what is kept to be shown: escaped, a runaway cell cut
        out[h] = printable_values(out[h])
    out["_row"] = v.raw.rows[bad]
    errs = v.errors.dropna(subset=["row"])
    for col, src, sep in (("reason", "reason_zh", "；"), ("reason_en", "reason_en", "; ")):
        out[col] = out["_row"].map(errs.groupby("row")[src].agg(sep.join)).fillna("").astype("str")
    return out.reset_index(drop=True)


def _masked(v: Validated, headers: list[str]) -> pd.DataFrame:
    """The file's cells of ``headers`` with every personal value masked: the contract's ID, name and phone
    columns, and the cells found personal where the contract does not expect it."""
    out = pd.DataFrame({h: v.raw.frame[h] for h in headers}, index=v.raw.frame.index)
    for h in headers:
        name = v.header_map.get(h)
        kind = v.dataset.column(name).kind if name else None
        if kind in ("id_number", "drop"):
            out[h] = mask_series(out[h], mask_id if kind == "id_number" else mask_text)
        elif h in v.personal:  # an ID or phone typed where the contract does not expect one: nothing shown
            at = v.personal[h]
            out.loc[at, h] = mask_series(out.loc[at, h], mask_text).to_numpy()
    return out


def safe_copy(v: Validated) -> bytes:
    """The data rows as a UTF-8-BOM CSV safe to keep: no raw ID, name or phone anywhere.

    The contract's columns only: valid IDs become their pseudonym in the person-key column (人员编号), so the
    copy re-validates to the same person_key; invalid IDs stay masked; name and phone columns are removed;
    a personal value found in another column is masked. Columns outside the contract are left out.
    """
    hmap = v.header_map
    by_name = {n: h for h, n in hmap.items()}
    out = pd.DataFrame(index=v.raw.frame.index)
    masked = _masked(v, [h for h in v.raw.headers if h in hmap])
    for h in v.raw.headers:
        name = hmap.get(h)
        col = v.dataset.column(name) if name else None
        if col is None or col.kind == "drop":
            continue
        if col.kind == "person_key" and "id_number" in by_name:
            continue  # written below, merged with the pseudonyms
        if col.kind == "id_number":
            pseudo = v.id_pseudonym
            cells = v.raw.frame[h]
            keep = pseudo.isna() if pseudo is not None else pd.Series(True, index=cells.index)
            shown = pd.Series("", index=cells.index, dtype="str")
            shown[keep] = mask_series(cells[keep], mask_id)  # only invalid IDs stay, masked
            out[h] = shown
            pk_header = by_name.get("person_key") or v.dataset.column("person_key").zh
            out[pk_header] = v.frame["person_key"].fillna("").astype("str").to_numpy()
            continue
        out[h] = masked[h]
    return write_table(out, "csv")


MAX_NAME_BYTES = 120  # of the file's own name in a kept name (a file name may hold 255 bytes; CJK is 3 each)


def _safe_name(name: str) -> str:
    """The file's name with only letters, digits and ._- kept, its end cut to MAX_NAME_BYTES of UTF-8."""
    keep = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)
    cut = keep.encode("utf-8")[-MAX_NAME_BYTES:].decode("utf-8", errors="ignore")
    return cut or "upload"


def _kept_name(v: Validated, file_name: str) -> str:
    if v.has_personal_data:
        return _safe_name(Path(file_name).stem) + ".pseudonymised.csv"
    return _safe_name(file_name)


def kept_bytes(v: Validated, data: bytes) -> bytes:
    """What is kept of an upload: the file itself, or a safe copy when it holds personal data anywhere."""
    return safe_copy(v) if v.has_personal_data else data


def kept_path(db_path: Path, v: Validated, sha: str, file_name: str, batch_id: int) -> Path:
    """Where a loaded batch's file is kept: ``uploads/<batch>-<sha12>-<name>``."""
    return store.uploads_dir(db_path) / (str(batch_id) + "-" + sha[:12] + "-" + _kept_name(v, file_name))


def write_kept(path: Path, v: Validated, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(kept_bytes(v, data))


def keep_rejected(db_path: Path, v: Validated, data: bytes, sha: str, file_name: str) -> Path:
    """Keep a rejected file too (pseudonymised when personal), under ``uploads/rejected/``; returns its path."""
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    out = store.uploads_dir(db_path) / "rejected" / (stamp + "-" + sha[:12] + "-" + _kept_name(v, file_name))
    write_kept(out, v, data)
    return out
