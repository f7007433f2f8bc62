"""What is kept of an upload: the file (or its pseudonymised copy) and the quarantined rows, masked.

Every uploaded file is kept beside the warehouse under ``uploads/`` (``uploads/rejected/`` when it was
not loaded). A file of a dataset with personal fields is never kept as given: only a pseudonymised
copy, with no raw ID, name or phone, as zstd Parquet (every cell text; the batches page offers it as CSV
or XLSX made when asked). Batches kept before that hold a pseudonymised CSV, downloaded as it is.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from etl import clock, store
from etl.messages import printable_values
from etl.pseudonym import mask_id, mask_text
from etl.validate import Validated, mask_series


def bad_rows(v: Validated) -> pd.DataFrame:
    """The invalid rows' cells of the contract's columns only (personal ones masked), with ``_row`` and the
    joined reasons in Chinese (``reason``) and English (``reason_en``). Columns outside the contract are
    never kept: they may hold anything."""
    bad = ~v.valid
    out = _masked(v, list(v.header_map), bad)
    for h in out.columns:  # what is kept to be shown: escaped, a runaway cell cut
        out[h] = printable_values(out[h])
    out["_row"] = v.raw.rows[bad]
    errs = v.errors.dropna(subset=["row"])
    for col, src, sep in (("reason", "reason_zh", "；"), ("reason_en", "reason_en", "; ")):
        out[col] = out["_row"].map(errs.groupby("row")[src].agg(sep.join)).fillna("").astype("str")
    return out.reset_index(drop=True)


def _masked(v: Validated, headers: list[str], rows: np.ndarray) -> pd.DataFrame:
    """The file's cells of ``headers`` in ``rows`` (a boolean mask) with every personal value masked: the
    contract's ID, name and phone columns, and the cells found personal where the contract does not expect it.
    Only the rows asked for are masked (one call per distinct value)."""
    frame = v.raw.frame
    out = pd.DataFrame({h: frame[h][rows] for h in headers}, index=frame.index[rows])
    for h in headers:
        name = v.header_map.get(h)
        kind = v.dataset.column(name).kind if name else None
        if kind in ("id_number", "drop"):
            out[h] = mask_series(out[h], mask_id if kind == "id_number" else mask_text)
        elif h in v.personal:  # an ID or phone typed where the contract does not expect one: nothing shown
            at = v.personal[h][rows]
            if at.any():
                out.loc[out.index[at], h] = mask_series(out[h][at], mask_text).to_numpy()
    return out


def _cells(cells: pd.Series) -> pa.Array:
    """The Arrow string array behind a column of cells (zero-copy for pandas' ``str`` dtype)."""
    arr = pa.array(cells.array) if isinstance(cells.dtype, pd.StringDtype) else pa.array(cells.astype("str").array)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _replace_at(arr: pa.Array, at: np.ndarray, shown: pd.Series) -> pa.Array:
    """``arr`` with the cells ``at`` (a boolean mask) replaced by ``shown`` (one value per cell at ``at``)."""
    if not at.any():
        return arr
    full = np.empty(len(arr), dtype=object)
    full[at] = shown.to_numpy(dtype=object)
    return pc.if_else(pa.array(at), pa.array(full, type=arr.type), arr)


def safe_table(v: Validated) -> pa.Table:
    """The data rows with no raw ID, name or phone anywhere, every cell as text, the file's headers as names.

    The contract's columns only: valid IDs become their pseudonym in the person-key column (人员编号), so the
    copy re-validates to the same person_key; invalid IDs stay masked; name and phone columns are removed;
    a personal value found in another column is masked. Columns outside the contract are left out. Only the
    cells that change are touched: the other columns are the file's own Arrow arrays, not copied.
    """
    hmap = v.header_map
    by_name = {n: h for h, n in hmap.items()}
    cols: dict[str, pa.Array] = {}
    frame = v.raw.frame
    for h in v.raw.headers:
        name = hmap.get(h)
        col = v.dataset.column(name) if name else None
        if col is None or col.kind == "drop":
            continue
        if col.kind == "person_key" and "id_number" in by_name:
            continue  # written below, merged with the pseudonyms
        cells = frame[h]
        if col.kind == "id_number":
            pseudo = v.id_pseudonym
            invalid = pseudo.isna().to_numpy() if pseudo is not None else np.ones(len(cells), dtype=bool)
            blank = pc.fill_null(pa.nulls(len(cells), pa.large_string()), "")  # only invalid IDs stay, masked
            cols[h] = _replace_at(blank, invalid, mask_series(cells[invalid], mask_id))
            pk_header = by_name.get("person_key") or v.dataset.column("person_key").zh
            cols[pk_header] = pc.fill_null(_cells(v.frame["person_key"]), "")
            continue
        arr = _cells(cells)
        if h in v.personal:  # an ID or phone typed where the contract does not expect one: masked
            at = v.personal[h]
            arr = _replace_at(arr, at, mask_series(cells[at], mask_text))
        cols[h] = arr
    return pa.table(cols) if cols else pa.table({})


def safe_copy(v: Validated, fmt: str = "csv") -> bytes:
    """:func:`safe_table` as a UTF-8-BOM CSV (or XLSX) file, which re-validates to the same rows and keys."""
    return table_bytes(safe_table(v), fmt, neutral=False)


def table_bytes(table: pa.Table, fmt: str, *, neutral: bool = True, sheet: str = "data") -> bytes:
    """Every cell of ``table`` as text in a CSV (UTF-8 with BOM) or XLSX file. ``neutral``: a CSV cell a
    spreadsheet would run as a formula (= + - @ tab CR first) gets a leading apostrophe, as every export does
    (board.export); XLSX is written with formulas-from-strings off, so its cells always stay text."""
    if fmt == "csv" and neutral:
        table = pa.table({n: _neutralised(c) for n, c in zip(table.column_names, table.columns, strict=True)})
    if fmt == "xlsx":
        return _xlsx_bytes(table, sheet)
    if fmt != "csv":
        raise ValueError(fmt)
    sink = io.BytesIO()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(quoting_style="needed"))
    return b"\xef\xbb\xbf" + sink.getvalue()


def _neutralised(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    formula = pc.fill_null(pc.match_substring_regex(arr, r"^[=+\-@\t\r]"), False)
    if not pc.any(formula).as_py():
        return arr
    quote, empty = pa.scalar("'", arr.type), pa.scalar("", arr.type)
    return pc.if_else(formula, pc.binary_join_element_wise(quote, arr, empty), arr)


XLSX_MAX_ROWS = 1_048_575  # below the header row


def _xlsx_bytes(table: pa.Table, sheet: str) -> bytes:
    """XLSX through xlsxwriter in constant-memory mode (row by row through a temporary file), every cell text."""
    import tempfile

    import xlsxwriter

    if table.num_rows > XLSX_MAX_ROWS:
        raise ValueError(f"{table.num_rows:,} rows do not fit one sheet")
    opts = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kept.xlsx"
        opts["tmpdir"] = tmp
        wb = xlsxwriter.Workbook(str(path), opts)
        ws = wb.add_worksheet(sheet)
        ws.write_row(0, 0, table.column_names)
        ws.freeze_panes(1, 0)
        r = 0
        for batch in table.to_batches(max_chunksize=65_536):
            cols = [c.to_pylist() for c in batch.columns]
            for rec in zip(*cols, strict=True):
                r += 1
                ws.write_row(r, 0, ["" if x is None else x for x in rec])
        wb.close()
        return path.read_bytes()


MAX_NAME_BYTES = 120  # of the file's own name in a kept name (a file name may hold 255 bytes; CJK is 3 each)


def _safe_name(name: str) -> str:
    """The file's name with only letters, digits and ._- kept, its end cut to MAX_NAME_BYTES of UTF-8."""
    keep = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)
    cut = keep.encode("utf-8")[-MAX_NAME_BYTES:].decode("utf-8", errors="ignore")
    return cut or "upload"


PSEUDONYMISED = ".pseudonymised.parquet"  # the kept copy of a file with personal data (before: .pseudonymised.csv)


def _kept_name(v: Validated, file_name: str) -> str:
    if v.has_personal_data:
        return _safe_name(Path(file_name).stem) + PSEUDONYMISED
    return _safe_name(file_name)


def kept_path(db_path: Path, v: Validated, sha: str, file_name: str, batch_id: int) -> Path:
    """Where a loaded batch's file is kept: ``uploads/<batch>-<sha12>-<name>``."""
    return store.uploads_dir(db_path) / (str(batch_id) + "-" + sha[:12] + "-" + _kept_name(v, file_name))


def write_kept(path: Path, v: Validated, data: bytes) -> None:
    """Keep the file itself, or :func:`safe_table` as zstd Parquet when it holds personal data anywhere (about
    an eighth of the CSV's size; written by pyarrow with the GIL released, beside the INSERT)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not v.has_personal_data:
        path.write_bytes(data)
        return
    tmp = path.with_name(path.name + ".part")
    table = safe_table(v)
    keys = {h for h, n in v.header_map.items() if n in ("id_number", "person_key")}
    keys |= {c.zh for c in v.dataset.columns if c.kind == "person_key"}
    pq.write_table(
        table,
        tmp,
        compression="zstd",
        compression_level=1,
        row_group_size=131_072,  # the writer holds one group's pages at a time, not the whole file's
        write_statistics=False,  # nobody queries the copy: its min/max per page cost CPU for nothing
        use_dictionary=[n for n in table.column_names if n not in keys],  # a person's key is unique: no dictionary
    )
    os.replace(tmp, path)


def is_table(path: Path) -> bool:
    """Whether a kept file is a pseudonymised table (Parquet), downloaded as CSV or XLSX made when asked."""
    return Path(path).name.endswith(PSEUDONYMISED)


def kept_rows(path: Path) -> int:
    """The number of rows of a kept Parquet copy (from its footer, nothing else read)."""
    return pq.ParquetFile(path).metadata.num_rows


def kept_download(path: Path, fmt: str) -> bytes:
    """A kept Parquet copy as a CSV or XLSX file (every cell text, formula-like CSV cells neutralised); made
    when asked. Any other kept file (the file as given, an old batch's pseudonymised CSV) is its own bytes."""
    path = Path(path)
    if not is_table(path):
        return path.read_bytes()
    return table_bytes(pq.read_table(path), fmt)


def keep_rejected(db_path: Path, v: Validated, data: bytes, sha: str, file_name: str) -> Path:
    """Keep a rejected file too (pseudonymised when personal), under ``uploads/rejected/``; returns its path."""
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    out = store.uploads_dir(db_path) / "rejected" / (stamp + "-" + sha[:12] + "-" + _kept_name(v, file_name))
    write_kept(out, v, data)
    return out
