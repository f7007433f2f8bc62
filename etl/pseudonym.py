"""Personal data: GB 11643 ID checks, keyed pseudonyms (HMAC-SHA256) and masking.

The key lives in a file outside the database and outside git (default
``~/.config/zsjy/pseudonym.key``, or ``$DASHBOARD_PSEUDONYM_KEY``), created on first use
with owner-only permissions. Losing the key means new files no longer join old ones.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

KEY_ENV = "DASHBOARD_PSEUDONYM_KEY"
DEFAULT_KEY_PATH = Path.home() / ".config" / "zsjy" / "pseudonym.key"

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)


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


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Keyed pseudonym ``P`` + 24 hex chars of HMAC-SHA256 for each valid ID (NA stays NA).

    Grain: one output per input cell. The same ID always maps to the same key.
    """
    inner = hashlib.sha256()
    outer = hashlib.sha256()
    block = key.ljust(64, b"\0") if len(key) <= 64 else hashlib.sha256(key).digest().ljust(64, b"\0")
    inner.update(bytes(b ^ 0x36 for b in block))
    outer.update(bytes(b ^ 0x5C for b in block))

    def one(v: str) -> str:
        i = inner.copy()
        i.update(v.encode())
        o = outer.copy()
        o.update(i.digest())
        return "P" + o.hexdigest()[:24]

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array([one(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype="str")


def hmac_reference(value: str, key: bytes) -> str:
    """Plain-hmac version of :func:`pseudonymise` for one value (used by tests)."""
    return "P" + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:24]


def check_ids(values: pd.Series) -> pd.DataFrame:
    """Vectorised GB 11643 check of NFKC-normalised, upper-cased 18-char ID strings.

    Grain: one row per input cell. Columns: ``ok`` (bool), ``reason`` (error code or
    None: ``id_length``, ``id_chars``, ``id_date``, ``id_checksum``), ``birth_year``
    (Int64), ``gender`` (男/女).
    """
    s = values.fillna("").astype("str")
    n = len(s)
    length_ok = (s.str.len() == 18).to_numpy(dtype=bool)
    padded = s.where(length_ok, "0" * 18)
    raw = np.frombuffer("".join(padded.tolist()).encode("ascii", "replace"), dtype=np.uint8).reshape(n, 18)
    digits = raw[:, :17]
    chars_ok = ((digits >= 48) & (digits <= 57)).all(axis=1) & (
        ((raw[:, 17] >= 48) & (raw[:, 17] <= 57)) | (raw[:, 17] == ord("X"))
    )
    d = digits.astype(np.int64) - 48
    check_ok = _CHECK[(d * _WEIGHTS).sum(axis=1) % 11] == raw[:, 17]
    year = d[:, 6] * 1000 + d[:, 7] * 100 + d[:, 8] * 10 + d[:, 9]
    month = d[:, 10] * 10 + d[:, 11]
    day = d[:, 12] * 10 + d[:, 13]
    births = pd.to_datetime(
        pd.DataFrame({"year": year, "month": month, "day": day}).where(
            (year >= 1900) & (year <= 2100) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31), None
        ),
        errors="coerce",
    )
    date_ok = births.notna().to_numpy()
    reason = np.where(
        ~length_ok,
        "id_length",
        np.where(~chars_ok, "id_chars", np.where(~date_ok, "id_date", np.where(~check_ok, "id_checksum", ""))),
    )
    ok = reason == ""
    out = pd.DataFrame(index=values.index)
    out["ok"] = ok
    out["reason"] = pd.Series(reason, index=values.index).replace("", None)
    out["birth_year"] = pd.array(np.where(ok, year, 0), dtype="Int64")
    out.loc[~ok, "birth_year"] = pd.NA
    out["gender"] = pd.Series(np.where(d[:, 16] % 2 == 1, "男", "女"), index=values.index).where(ok, None)
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
