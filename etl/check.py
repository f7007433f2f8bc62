"""The one read-and-check path: a file read and checked against the warehouse exactly as a load checks it.

``load`` (etl.warehouse.load_file), ``python -m etl validate`` and the upload page all call
:func:`check` with a :class:`Context` read by :func:`read_context`, so a file that ``validate``
passes is a file that ``load`` loads, and the other way round. Nothing here writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from etl import contracts, schema, store
from etl.findings import ERROR_COLUMNS, Findings
from etl.messages import ERROR
from etl.readers import FileRejected, read_file
from etl.units import Registry, registry_from_frame
from etl.validate import Validated, detect_dataset, known_headers, validate


@dataclass(frozen=True)
class Context:
    """What the warehouse knows that a file is checked against, read once before the check."""

    exists: bool = False  # the warehouse file exists
    version: tuple[int, int] | None = None  # the file version it was read from (etl.store.version)
    loaded: dict[str, tuple[int, str]] = field(default_factory=dict)  # sha256 → (first loaded batch, dataset)
    project_ids: frozenset[str] = frozenset()
    project_townships: dict[str, str] = field(default_factory=dict)  # project id → its township (v_projects)
    registry: Registry = field(default_factory=Registry)
    next_batch: int = 1
    path: Path | None = None  # the warehouse file (rows already loaded are looked up there when needed)


_LOADED_SQL = "SELECT sha256, min(batch_id), any_value(dataset) FROM batches WHERE status = 'loaded' GROUP BY 1"
_UNITS_SQL = "SELECT name, type, code, aliases, first_year, last_year FROM v_units ORDER BY name"


def read_context(db_path: Path) -> Context:
    """The context of the warehouse at ``db_path``; an empty one when there is no warehouse yet."""
    version = store.version(db_path)
    if version is None:
        return Context()
    reader = store.Reader(db_path)
    cur = reader.cursor()
    try:
        schema_version = cur.execute("SELECT max(value) FROM meta WHERE key = 'schema_version'").fetchone()[0]
        if schema_version != schema.SCHEMA_VERSION:
            raise store.Refused(
                f"数据仓库是旧版本（{schema_version}），请先运行 bin/etl --db {db_path} init 升级（数据不变）",
                f"the warehouse has an older schema ({schema_version}): run bin/etl --db {db_path} init to upgrade it "
                "(the data stays as it is)",
            )
        loaded = {sha: (int(b), ds) for sha, b, ds in cur.execute(_LOADED_SQL).fetchall()}
        project_townships = dict(cur.execute("SELECT project_id, township FROM v_projects").fetchall())
        units = cur.execute(_UNITS_SQL).df()
        seen = frozenset(r[0] for r in cur.execute(schema.seen_units_sql()).fetchall()) if units.empty else frozenset()
        next_batch = int(cur.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM batches").fetchone()[0])
    finally:
        cur.close()
        reader.close()
    registry = registry_from_frame(units, seen)
    ids = frozenset(project_townships)
    return Context(True, version, loaded, ids, project_townships, registry, next_batch, Path(db_path))


@dataclass
class Checked:
    """The verdict on one file. ``status``: ok (loadable), rejected (nothing may be loaded unless the
    rows in error are quarantined: see ``loadable``), or noop (the same bytes are already loaded)."""

    status: str
    sha256: str
    dataset: contracts.Dataset | None = None
    validated: Validated | None = None
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))
    warnings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))
    duplicate_of: int | None = None

    @property
    def rows_read(self) -> int:
        return 0 if self.validated is None else len(self.validated.frame)

    @property
    def rows_bad(self) -> int:
        return 0 if self.validated is None else int((~self.validated.valid).sum())

    def loadable(self, skip_invalid: bool = False) -> bool:
        """Whether a load writes this file: no error at all, or (``skip_invalid``) errors only in rows and
        at least one good row."""
        if self.status == "ok":
            return True
        v = self.validated
        if self.status != "rejected" or v is None or v.file_level_error or not skip_invalid:
            return False
        return bool(v.valid.any())


def scoped(ds: contracts.Dataset) -> bool:
    """Whether a township-restricted account may load ``ds``: its rows name a township (etl.contracts
    ``township_column``), or each row names a project (funding), whose township the warehouse knows."""
    if ds.township_column is not None:
        return True
    return "project_id" in ds.key and any(r.code == "project_exists" for r in ds.rules)


def allowed_text(townships: Collection[str]) -> str:
    """The account's townships as the messages list them."""
    return "、".join(sorted(townships))


def check(
    data: bytes,
    file_name: str,
    ctx: Context,
    *,
    key: bytes,
    dataset: str | None = None,
    sheet: str | None = None,
    townships: Collection[str] = (),
) -> Checked:
    """Read and check ``data`` (the bytes of ``file_name``) against ``ctx``; the dataset is detected from
    the headers when ``dataset`` is None. Whole-file problems come back as one error without a row.

    ``townships`` not empty: the account is restricted to them (etl.accounts). A row of another township, or
    naming a project of another township, is a located error; a dataset whose rows name no township nor a
    project (units, targets, parks, leads) is refused whole. Empty: every township (the county office, the CLI).
    """
    ds: contracts.Dataset | None = contracts.get(dataset) if dataset else None
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = pool.submit(lambda: hashlib.sha256(data).hexdigest())  # GIL released: runs beside the reading
        try:
            raw = read_file(data, file_name, sheet=sheet, known_headers=known_headers())
            sha = hashing.result()
            if sha in ctx.loaded:
                batch, name = ctx.loaded[sha]
                return Checked("noop", sha, contracts.get(name), duplicate_of=batch)
            ds = ds or detect_dataset(raw.headers)
            if townships and not scoped(ds):
                raise FileRejected("scope_dataset", dataset=f"{ds.zh} {ds.name}", allowed=allowed_text(townships))
            v = validate(
                raw,
                ds,
                key=key,
                project_ids=ctx.project_ids,
                registry=ctx.registry,
                townships=frozenset(townships),
                project_townships=ctx.project_townships,
            )
        except FileRejected as exc:
            sha = hashing.result()
            if sha in ctx.loaded:
                batch, name = ctx.loaded[sha]
                return Checked("noop", sha, contracts.get(name), duplicate_of=batch)
            row = {"row": pd.NA, "column": "", "value": "", "code": exc.code, "reason_zh": exc.zh, "reason_en": exc.en}
            errors = pd.DataFrame([row], columns=ERROR_COLUMNS).astype({"row": "Int64"})
            return Checked("rejected", sha, ds, errors=errors)
    if townships and ctx.path is not None:
        _taken_keys(ctx.path, v, townships)
    status = "ok" if not len(v.errors) and len(v.frame) else "rejected"
    return Checked(status, sha, ds, v, v.errors, v.warnings)


def _taken_keys(db_path: Path, v: Validated, townships: Collection[str]) -> None:
    """A restricted account: a valid row whose key the warehouse already holds under another township would
    replace that township's record (a returnee, a class member, a venture). Such rows become errors in ``v``."""
    ds, col = v.dataset, v.dataset.township_column
    if col is None or col in ds.key or not v.valid.any():
        return
    keys = v.frame.loc[v.valid, list(ds.key)].assign(_pos=np.flatnonzero(v.valid))
    reader = store.Reader(db_path)
    cur = reader.cursor()
    try:
        cur.register("incoming_keys", pa.Table.from_pandas(keys, preserve_index=False))
        old = cur.execute(schema.current_for_keys_sql(ds)).df()
    finally:
        cur.close()
        reader.close()
    old = old[old[col].notna() & ~old[col].isin(list(townships))]
    if old.empty:
        return
    pos = old["_pos"].to_numpy(dtype=np.int64)
    found = Findings()
    params = {"township": old[col].astype("str").to_numpy(dtype=object), "allowed": allowed_text(townships)}
    found.add(v.frame["_row"].to_numpy()[pos], "", "", "record_not_allowed", params)
    v.errors = pd.concat([v.errors, found.frame(ERROR)], ignore_index=True)
    v.errors = v.errors.sort_values("row", kind="stable", na_position="first").reset_index(drop=True)
    v.valid = v.valid.copy()
    v.valid[pos] = False


def key_changes(reader: store.Reader, v: Validated) -> tuple[int, int]:
    """(new keys, keys already in the warehouse that the file would supersede), over its valid rows."""
    ds = v.dataset
    keys = v.frame.loc[v.valid, list(ds.key)].drop_duplicates()
    cur = reader.cursor()
    try:
        cur.register("incoming_keys", pa.Table.from_pandas(keys, preserve_index=False))
        old = int(cur.execute(schema.existing_keys_sql(ds)).fetchone()[0])
    finally:
        cur.close()
    return len(keys) - old, old
