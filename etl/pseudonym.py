"""Personal data: GB 11643 ID checks, keyed pseudonyms (HMAC-SHA256) and masking.

The key lives in a file outside the database and outside git (default
``~/.config/zsjy/pseudonym.key``, or ``$DASHBOARD_PSEUDONYM_KEY``), created on first use
with owner-only permissions. Losing the key means new files no longer join old ones.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl import clock

KEY_ENV = "DASHBOARD_PSEUDONYM_KEY"
DEFAULT_KEY_PATH = Path.home() / ".config" / "zsjy" / "pseudonym.key"

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int16)
_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
# columns of place values over the 17 digits: the check-digit weights, then the year (digits 7–10), the month
# (11–12) and the day (13–14) of the birth date
_PLACES = np.zeros((17, 4), dtype=np.float32)
_PLACES[:, 0] = _WEIGHTS
_PLACES[6:10, 1] = (1000, 100, 10, 1)
_PLACES[10:12, 2] = (10, 1)
_PLACES[12:14, 3] = (10, 1)
_REASONS = ("id_length", "id_chars", "id_date", "id_checksum")
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def key_path() -> Path:
    return Path(os.environ.get(KEY_ENV) or DEFAULT_KEY_PATH)


def ensure_key(path: Path | None = None) -> Path:
    """Create the key file (32 random bytes, hex, mode 0600) if it does not exist."""
    path = path or key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path


def load_key(path: Path | None = None) -> bytes:
    """The pseudonym key; created on first use."""
    path = ensure_key(path)
    return bytes.fromhex(path.read_text().strip())


def _pads(key: bytes) -> tuple[bytes, bytes]:
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


# HMAC-SHA256 (RFC 2104) evaluated by DuckDB's vectorised sha256: H(K^opad || H(K^ipad || m)).
_HMAC_SQL = "SELECT 'P' || left(sha256(?::BLOB || unhex(sha256(?::BLOB || encode(v)))), 24) AS k FROM ids"


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Keyed pseudonym ``P`` + 24 hex chars of HMAC-SHA256 for each cell (NA stays NA).

    Grain: one output per input cell. The same ID always maps to the same key; without
    the key the mapping cannot be recomputed by enumerating IDs.
    """
    ipad, opad = _pads(key)
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")  # a long run would draw a bar on the terminal
        con.register("ids", pa.table({"v": pa.Array.from_pandas(values.astype("str"), type=pa.string())}))
        out = con.sql(_HMAC_SQL, params=[opad, ipad]).to_arrow_table().column(0)
    finally:
        con.close()
    return pd.Series(out.to_pandas(types_mapper=None), index=values.index, dtype="str")


def check_ids(values: pd.Series) -> pd.DataFrame:
    """Vectorised GB 11643 check of NFKC-normalised, upper-cased 18-char ID strings.

    Grain: one row per input cell. Columns: ``ok`` (bool), ``reason`` (error code or
    None: ``id_length``, ``id_chars``, ``id_date``, ``id_checksum``), ``birth_year``
    (Int64), ``gender`` (男/女). The birth date must be a real day from 1900-01-01 up to
    today (etl.clock): a later one (20990101) or an earlier one is ``id_date``.
    """
    arr = pa.Array.from_pandas(values.astype("str"), type=pa.string()).fill_null("")
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    length_ok = pc.equal(pc.binary_length(arr), 18).to_numpy(zero_copy_only=False)
    fixed = pc.if_else(pa.array(length_ok), arr, pa.scalar("0" * 18)) if n else arr
    offsets = np.frombuffer(fixed.buffers()[1], dtype=np.int32)[fixed.offset : fixed.offset + n + 1]
    raw = np.frombuffer(fixed.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]].reshape(n, 18)
    digits = raw[:, :17]
    chars_ok = ((digits >= 48) & (digits <= 57)).all(axis=1) & (
        ((raw[:, 17] >= 48) & (raw[:, 17] <= 57)) | (raw[:, 17] == ord("X"))
    )
    # weighted digit sums as one float32 matrix product (exact: every sum is below 2**24), less 48 × the weights
    # each digit's character code carries
    sums = (digits.astype(np.float32) @ _PLACES).astype(np.int64) - 48 * _PLACES.sum(axis=0).astype(np.int64)
    check_ok = _CHECK[sums[:, 0] % 11] == raw[:, 17]
    year, month, day = sums[:, 1], sums[:, 2], sums[:, 3]
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days_in_month = _MONTH_DAYS[np.clip(month - 1, 0, 11)] + ((month == 2) & leap)
    today = clock.today()
    born = year * 10000 + month * 100 + day  # yyyymmdd
    date_ok = (month >= 1) & (month <= 12) & (day >= 1) & (day <= days_in_month)
    date_ok &= (born >= 1900_01_01) & (born <= today.year * 10000 + today.month * 100 + today.day)
    code = np.select([~length_ok, ~chars_ok, ~date_ok, ~check_ok], [0, 1, 2, 3], default=-1)
    ok = code == -1
    out = pd.DataFrame(index=values.index)
    out["ok"] = ok
    out["reason"] = pd.Categorical.from_codes(code, categories=list(_REASONS))
    out["birth_year"] = pd.array(np.where(ok, year, 0), dtype="Int64")
    out.loc[~ok, "birth_year"] = pd.NA
    out["gender"] = pd.Categorical.from_codes(
        np.where(ok, raw[:, 16].astype(np.int64) % 2, -1), categories=["女", "男"]
    )
    return out


def mask_id(value: object) -> str:
    """Display form of an ID-like value: first 6 and last 4 characters, the rest ``*``."""
    s = "" if value is None else str(value)
    if len(s) <= 10:
        return "*" * len(s)
    return s[:6] + "*" * (len(s) - 10) + s[-4:]


def mask_text(value: object) -> str:
    """Display form of a name or phone: nothing of it is shown but its length."""
    s = "" if value is None else str(value)
    return "*" * len(s)
