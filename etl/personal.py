"""Personal data recognised by what a column holds, whatever the dataset: ID numbers, phones, names.

The contract says where personal data belongs (an ``id_number`` column becomes a keyed pseudonym; names
and phones are read and dropped). Everywhere else the content decides: a column outside the contract
whose header names an ID, a phone or a person, or whose cells are valid ID numbers or mobile numbers, is
never stored or kept (the kept copy and the quarantine leave it out, with a warning naming it); a cell of
a contract code or text column that is a valid ID number or a mobile number is refused (it would be
stored as given).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.normalise import clean
from etl.pseudonym import check_ids, mask_id, mask_text

ID_HEADER = re.compile(r"身份证|证件|公民身份|id[\s_-]*(card|no|number|num)|identity", re.IGNORECASE)
PHONE_HEADER = re.compile(r"电话|手机|联系方式|phone|mobile|tel(ephone)?$", re.IGNORECASE)
NAME_HEADER = re.compile(r"姓名|名字|联系人|家属|户主|法人|^(full[\s_-]*)?name$", re.IGNORECASE)
ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
PHONE_SHAPE = re.compile(r"^(\+?86[\s-]?)?1[3-9]\d{9}$")


def header_kind(header: str) -> str | None:
    """'id', 'phone' or 'name' when a column's header says it holds that; else None."""
    for kind, pattern in (("id", ID_HEADER), ("phone", PHONE_HEADER), ("name", NAME_HEADER)):
        if pattern.search(header.strip()):
            return kind
    return None


# An ID or a mobile number has eleven digits or more (ASCII or full-width), perhaps split by spaces or dashes.
_MANY_DIGITS = r"([0-9０-９][\s\-－]?){11}"


def may_hold_numbers(cells: pd.Series) -> bool:
    """Whether any cell holds a run of eleven digits: one Arrow scan, so a column without one costs nothing more."""
    arr = pa.array(cells.array) if isinstance(cells.dtype, pd.StringDtype) else pa.array(cells.astype("str").array)
    if not _digits_in(arr):
        return False  # no digit at all (a memchr per digit over the data): no regex over every cell
    return bool(pc.any(pc.match_substring_regex(arr, _MANY_DIGITS)).as_py())


def _digits_in(arr: pa.Array | pa.ChunkedArray) -> bool:
    """Whether the UTF-8 data of ``arr`` holds an ASCII or a full-width digit (False: no cell can hold one)."""
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else (arr,):
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return True
        data = chunk.buffers()[2]
        if data is None or not data.size:
            continue
        a = np.frombuffer(data, dtype=np.uint8)
        if ((a >= 0x30) & (a <= 0x39)).any():
            return True
        lead = np.flatnonzero(a[:-2] == 0xEF)  # full-width ０-９ are EF BC 90 … EF BC 99
        if len(lead) and ((a[lead + 1] == 0xBC) & (a[lead + 2] >= 0x90) & (a[lead + 2] <= 0x99)).any():
            return True
    return False


def cell_kinds(cells: pd.Series) -> pd.Series:
    """Per cell: 'id' for a valid GB 11643 ID number, 'phone' for a mobile number, else NA (full-width
    digits, spaces and dashes allowed). Work is per distinct value."""
    if not may_hold_numbers(cells):
        return pd.Series([None] * len(cells), index=cells.index, dtype=object)
    codes, uniques = pd.factorize(cells.fillna("").astype("str"))
    u = clean(pd.Series(uniques, dtype="str")).str.replace(r"[\s-]", "", regex=True).str.upper()
    kinds = pd.Series([None] * len(u), dtype=object)
    id_like = u.str.match(ID_SHAPE.pattern).to_numpy(dtype=bool)
    if id_like.any():
        ok = check_ids(u[id_like].reset_index(drop=True))["ok"].to_numpy(dtype=bool)
        kinds[np.flatnonzero(id_like)[ok]] = "id"
    phone = u.str.match(PHONE_SHAPE.pattern).to_numpy(dtype=bool) & kinds.isna().to_numpy()
    kinds[phone] = "phone"
    out = kinds.to_numpy(dtype=object)[codes] if len(codes) else np.array([], dtype=object)
    out[codes < 0] = None
    return pd.Series(out, index=cells.index, dtype=object)


def column_kind(header: str, cells: pd.Series) -> str | None:
    """What personal data a column outside the contract holds, by header first, then by its cells."""
    kind = header_kind(header)
    if kind is not None:
        return kind
    if not may_hold_numbers(cells):
        return None
    found = cell_kinds(cells).dropna()
    return None if found.empty else str(found.iloc[0])


def masked(cells: pd.Series, kinds: pd.Series) -> pd.Series:
    """The cells with every personal one masked (an ID as 110105********002X, a phone as stars)."""
    out = cells.astype("str").copy()
    for kind, fn in (("id", mask_id), ("phone", mask_text)):
        at = (kinds == kind).to_numpy(dtype=bool)
        if at.any():
            out[at] = [fn(v) for v in cells[at]]
    return out
