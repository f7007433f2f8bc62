"""Test helper: read and check a file through etl.check (the one path) against a context built in memory."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection

from etl import check
from etl.units import Registry
from etl.validate import Validated

KEY = b"k" * 32


def valid_id(body17: str) -> str:
    """An 18-character resident ID with the GB 11643 check digit computed for the first 17."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body17 + "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights, strict=True)) % 11]


def hmac_reference(value: str, key: bytes) -> str:
    """The pseudonym of one value computed the plain way (hmac module), to check etl.pseudonym against."""
    return "P" + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:24]


def checked(
    data: bytes | str,
    name: str = "f.csv",
    dataset: str | None = None,
    *,
    project_ids: Collection[str] = (),
    registry: Registry | None = None,
    key: bytes = KEY,
) -> check.Checked:
    ctx = check.Context(project_ids=frozenset(project_ids), registry=registry or Registry())
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return check.check(raw, name, ctx, key=key, dataset=dataset)


def validated(data: bytes | str, name: str = "f.csv", dataset: str | None = None, **ctx) -> Validated:
    """The validation of a file that is readable as a whole (asserts it is)."""
    c = checked(data, name, dataset, **ctx)
    assert c.validated is not None, c.errors.to_dict(orient="records")
    return c.validated


def file_text(path) -> bytes:
    """A file's bytes as a search for a raw value must see them: a (compressed) Parquet file is searched in its
    bytes and in every cell and column name it holds, read back as UTF-8 text."""
    from pathlib import Path

    import pyarrow.parquet as pq

    blob = Path(path).read_bytes()
    if blob[:4] != b"PAR1":
        return blob
    table = pq.read_table(path)
    cells = [str(v) for col in table.columns for v in col.to_pylist()]
    return blob + "\n".join([*table.column_names, *cells]).encode("utf-8")
