"""Validate a read file against its dataset contract: typed frame, per-row validity, located zh/en errors."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl import contracts, personal
from etl.contracts import DATASETS, STAGE_DATES, STATUS_REQUIRED_DATES, Column, Dataset
from etl.findings import Findings
from etl.messages import ERROR, WARNING
from etl.normalise import DATE_DTYPE, clean, normalise
from etl.pseudonym import mask_id, pseudonymise
from etl.readers import FileRejected, RawTable, header_key
from etl.templates import example_value
from etl.units import Registry, check_aliases, check_codes, check_lon_lat, check_units

_UNIT_SYNONYMS = {"万元": {"万元", "万"}, "人": {"人", "名"}}


@dataclass
class Validated:
    """Result of validating one file: one ``frame`` row per data row (valid and invalid), typed as stored."""

    dataset: Dataset
    frame: pd.DataFrame
    valid: np.ndarray
    errors: pd.DataFrame
    warnings: pd.DataFrame
    raw: RawTable
    header_map: dict[str, str] = field(default_factory=dict)  # file header → column name
    id_pseudonym: pd.Series | None = None  # per frame row: pseudonym of a valid ID, else NA
    # file header → per frame row, the cells that hold personal data outside the contract's personal
    # columns (a whole column outside the contract, or an ID typed into a code column): never kept as given
    personal: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def has_personal_data(self) -> bool:
        """The file holds personal data somewhere: in the contract's personal columns or elsewhere."""
        mapped = any(self.dataset.column(n).personal for n in self.header_map.values())
        return mapped or any(m.any() for m in self.personal.values())

    @property
    def file_level_error(self) -> bool:
        """An error of the whole file (a missing column, a wrong dataset): no row can be loaded."""
        return bool(len(self.errors)) and bool(self.errors["row"].isna().any())


def mask_series(s: pd.Series, fn) -> pd.Series:
    """``fn`` (a masking function) applied once per distinct cell."""
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    return pd.Series(np.array([fn(u) for u in uniques], dtype=object)[codes], index=s.index, dtype="str")


# ---------------------------------------------------------------- header mapping and dataset detection


def known_headers() -> set[str]:
    """Every header text of every contract."""
    return {h for d in DATASETS.values() for c in d.columns for h in c.headers()}


def _lookup(dataset: Dataset) -> dict[str, Column]:
    out: dict[str, Column] = {}
    for col in dataset.columns:
        for h in col.headers():
            out.setdefault(header_key(h), col)
    return out


def map_headers(headers: Sequence[str], dataset: Dataset) -> tuple[dict[str, str], list[tuple[str, str, dict]]]:
    """File header → column name, plus file-level problems (code, header, params) such as a wrong unit."""
    lookup = _lookup(dataset)
    out: dict[str, str] = {}
    problems: list[tuple[str, str, dict]] = []
    for h in headers:
        key = header_key(h)
        col = lookup.get(key)
        if col is None and "(" in key and key.endswith(")"):
            col = lookup.get(key.split("(")[0])
            unit = key[key.index("(") + 1 : -1]
            if col is not None and col.unit and unit not in _UNIT_SYNONYMS.get(col.unit, {col.unit}):
                problems.append(("column_unit", h, {"header": h, "unit": col.unit}))
                continue
        if col is None:
            continue
        if col.name in out.values():
            other = next(k for k, v in out.items() if v == col.name)
            problems.append(("column_duplicate", h, {"header": h, "other": other, "name": col.name}))
            continue
        out[h] = col.name
    return out, problems


def _fit(headers: Sequence[str], dataset: Dataset) -> tuple[int, int]:
    hmap, _ = map_headers(headers, dataset)
    missing = sum(1 for c in dataset.columns if c.required and c.name not in hmap.values())
    return len(hmap), -missing


def detect_dataset(headers: Sequence[str]) -> Dataset:
    """The dataset whose contract best fits ``headers``; FileRejected when none fits or two fit equally.

    A file that clearly belongs to one dataset but lacks a required column is still assigned to it, so the
    clerk gets the precise "column missing" error rather than "unknown file".
    """
    scored = sorted(((_fit(headers, d), d) for d in DATASETS.values()), key=lambda x: x[0], reverse=True)
    (best, ds), (second, other) = scored[0], scored[1]
    if best[0] < 2 or (best[1] < 0 and best[0] < 3):
        raise FileRejected("dataset_unknown", headers="、".join(headers[:12]))
    if best == second:
        raise FileRejected("dataset_ambiguous", a=f"{ds.zh} {ds.name}", b=f"{other.zh} {other.name}")
    return ds


# ---------------------------------------------------------------- validation


def validate(
    raw: RawTable,
    dataset: Dataset,
    *,
    key: bytes,
    project_ids: Collection[str] = (),
    registry: Registry | None = None,
    townships: Collection[str] = (),
    project_townships: Mapping[str, str] | None = None,
) -> Validated:
    """Check every cell and row of ``raw`` against ``dataset``, the known ``project_ids`` and the unit
    ``registry``; nothing is dropped, every problem is located. ``townships`` (not empty: the account is
    restricted to them) makes a row of another township an error, and so a row naming a project that
    ``project_townships`` (project id → township) places in another township. Call it through etl.check,
    which reads what the warehouse knows."""
    errs = Findings()
    hmap, problems = map_headers(raw.headers, dataset)
    raw = _without_template_example(raw, dataset, hmap, errs)
    n, rows = len(raw.frame), raw.rows
    by_name = {v: k for k, v in hmap.items()}
    file_bad = False
    for code, h, params in problems:
        errs.add([None], h, "", code, params)
        file_bad = True
    fit = _fit(raw.headers, dataset)
    best = max(DATASETS.values(), key=lambda d: _fit(raw.headers, d))
    if best is not dataset and _fit(raw.headers, best) > fit and fit[1] < 0:  # chosen type lacks columns another has
        params = {"chosen": f"{dataset.zh} {dataset.name}", "other": f"{best.zh} {best.name}"}
        errs.add([None], "", "", "wrong_dataset", params)
        file_bad = True
    for col in dataset.columns:
        if col.required and col.name not in by_name:
            errs.add([None], "", "", "column_missing", {"header": col.zh, "name": col.name})
            file_bad = True
    for group in dataset.one_of:
        if not any(g in by_name for g in group):
            errs.add([None], "", "", "one_of_columns", {"headers": "、".join(dataset.column(g).zh for g in group)})
            file_bad = True
    unknown = [h for h in raw.headers if h not in hmap and not any(p[1] == h for p in problems)]
    for h in unknown:
        errs.add([None], h, "", "column_unknown", {"header": h, "dataset": dataset.zh}, WARNING)
    personal_cells = _personal_outside_the_contract(raw, dataset, hmap, errs)
    for code in dict.fromkeys(code for _, code in raw.skipped):
        errs.add([row for row, c in raw.skipped if c == code], "", "", code, severity=WARNING)
    issue_cells: set[tuple[int, str]] = set()
    for issue in raw.issues:
        errs.add([issue.row], issue.column, issue.value, issue.code, issue.params, issue.severity)
        if issue.row is not None and issue.severity == ERROR:
            issue_cells.add((issue.row, issue.column))

    # cells (the keyed pseudonyms are computed by DuckDB, GIL released, while later columns normalise)
    with ThreadPoolExecutor(max_workers=1) as pool:
        values, cell_bad, pseudo = _normalise_cells(raw, dataset, hmap, issue_cells, errs, pool, key)
        frame = _build_frame(dataset, values, n, pseudo)
    _check_one_of(dataset, raw, by_name, rows, errs)
    _check_rules(dataset, frame, by_name, rows, errs, project_ids, cell_bad, registry or Registry())
    check_units(dataset, frame, by_name, rows, errs, registry or Registry())
    if townships:
        _check_scope(dataset, raw, frame, by_name, errs, townships, registry or Registry(), project_townships or {})
    _check_keys(dataset, frame, by_name, rows, errs)
    _check_totals(raw, dataset, hmap, values, errs)

    errors, warnings = errs.frame(ERROR), errs.frame(WARNING)
    located = errors["row"].dropna().to_numpy(dtype=np.int64)
    valid = np.zeros(n, dtype=bool) if file_bad else ~np.isin(rows, located)
    frame["_row"] = rows
    stored = [c for c, _ in dataset.stored_columns()]
    pseudo = frame.get("_id_pseudonym")
    return Validated(dataset, frame[stored + ["_row"]], valid, errors, warnings, raw, hmap, pseudo, personal_cells)


_SCANNED_KINDS = ("text", "code", "person_key")  # contract columns where a person's ID or phone must not sit


def _personal_outside_the_contract(raw: RawTable, dataset: Dataset, hmap: dict[str, str], errs) -> dict:
    """Personal data where the contract does not put it: a column outside the contract that holds it (by
    header or cells) is left out of everything kept, with a warning; an ID or mobile number in a contract
    code or text column is an error for its row. Returns file header → cells never to keep as given."""
    out: dict[str, np.ndarray] = {}
    words = {"id": ("身份证号", "ID numbers"), "phone": ("电话号码", "phone numbers"), "name": ("姓名", "names")}
    for h in raw.headers:
        name = hmap.get(h)
        cells = raw.frame[h]
        if name is None:
            kind = personal.column_kind(h, cells)
            if kind is not None:
                out[h] = np.ones(len(cells), dtype=bool)
                zh, en = words[kind]
                errs.add([None], h, "", "personal_column_dropped", {"header": h, "what_zh": zh, "what_en": en}, WARNING)
            continue
        if dataset.column(name).kind not in _SCANNED_KINDS:
            continue
        kinds = personal.cell_kinds(cells)
        found = kinds.notna().to_numpy(dtype=bool)
        if found.any():
            out[h] = found
            shown = personal.masked(cells[found], kinds[found]).to_numpy(dtype=object)
            errs.add(raw.rows[found], h, shown, "personal_in_column")
    return out


def _normalise_cells(raw, dataset, hmap, issue_cells, errs, pool, key):
    """Normalise every mapped column; returns (values, cells already in error, pseudonym future or None)."""
    n, rows = len(raw.frame), raw.rows
    values: dict[str, pd.Series] = {}
    cell_bad: dict[str, np.ndarray] = {}  # column name → cells that already carry an error
    pseudo = None
    # columns whose kind depends on another column (targets: the metric) come after that column
    for h, name in sorted(hmap.items(), key=lambda item: bool(dataset.column(item[1]).kind_by)):
        col = dataset.column(name)
        if col.kind == "drop":
            continue  # names and phones: read, never validated or stored
        cells = raw.frame[h]
        flagged = np.isin(rows, [r for r, c in issue_cells if c == h])  # the reader already reported these cells
        bad = np.zeros(n, dtype=bool)
        blank = np.zeros(n, dtype=bool)
        parts = []
        for sub_col, mask in _kinds(col, values.get(col.kind_by), n):
            whole = bool(mask.all())  # one kind for the column (the usual case): no copy of its cells
            sub_cells = cells if whole else cells[mask]
            norm = normalise(sub_cells, sub_col)
            parts.append(norm.values)
            sub_bad = norm.errors.notna().to_numpy() & ~(flagged if whole else flagged[mask])
            bad[mask] = sub_bad
            blank[mask] = norm.blank
            if sub_bad.any():
                shown = sub_cells[sub_bad]
                shown = mask_series(shown, mask_id) if col.personal else shown
                params = _col_params(sub_col)
                errs.add(
                    rows[mask][sub_bad],
                    h,
                    shown.to_numpy(dtype=object),
                    norm.errors[sub_bad].to_numpy(dtype=object),
                    params,
                )
        values[name] = (parts[0] if len(parts) == 1 else pd.concat(parts).sort_index()).reset_index(drop=True)
        if col.kind == "id_number" and pseudo is None:
            pseudo = pool.submit(pseudonymise, values[name], key)
        blank = blank & ~flagged if col.required else np.zeros(n, dtype=bool)
        cell_bad[name] = bad | flagged
        if col.required and blank.any():
            errs.add(rows[blank], h, "", "required")

    return values, cell_bad, pseudo


def _kinds(col: Column, ctrl: pd.Series | None, n: int):
    """(column as normalised, row mask) pairs: one pair, or one per kind set by the controlling column."""
    if not col.kind_by or ctrl is None:
        yield col, np.ones(n, dtype=bool)
        return
    ctrl = ctrl.astype("str").fillna("").to_numpy(dtype=object)
    seen = np.zeros(n, dtype=bool)
    for (kind, unit), codes in _group_kinds(contracts.KIND_BY[col.kind_by]).items():
        mask = np.isin(ctrl, codes)
        if mask.any():
            yield replace(col, kind=kind, unit=unit, kind_by=""), mask
        seen |= mask
    if (~seen).any():
        yield col, ~seen


def _group_kinds(mapping: dict[str, tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for code, kind in mapping.items():
        out.setdefault(kind, []).append(code)
    return out


def _col_params(col: Column) -> dict:
    extra = [a for a in col.aliases if not a.isascii()]
    return {"unit": col.unit or "—", "choices": "、".join(dict.fromkeys([*col.choices, *extra]))}


def _empty(sql_type: str, n: int) -> pd.Series:
    """An all-NA column of the stored type (for a contract column absent from the file)."""
    if sql_type == "DOUBLE":
        return pd.Series(np.full(n, np.nan))
    if sql_type in ("BIGINT", "INTEGER"):
        return pd.Series(pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)))
    if sql_type == "BOOLEAN":
        return pd.Series(pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool)))
    if sql_type == "DATE":
        return pd.Series(pa.nulls(n, pa.date32()), dtype=DATE_DTYPE)
    return pd.Series(pa.nulls(n, pa.large_string()), dtype="str")


def _build_frame(dataset, values, n, pseudo_future) -> pd.DataFrame:
    cols: dict[str, pd.Series] = {}
    for name, sql_type in dataset.stored_columns():
        cols[name] = values[name] if name in values else _empty(sql_type, n)
    frame = pd.DataFrame(cols, index=pd.RangeIndex(n))
    id_cols = [c.name for c in dataset.columns if c.kind == "id_number" and c.name in values]
    if id_cols:
        ids = values[id_cols[0]]
        pseudo = pseudo_future.result()
        given = frame["person_key"] if "person_key" in values else _empty("VARCHAR", n)
        frame["person_key"] = pseudo.where(pseudo.notna(), given)
        arr = pa.array(ids.array)  # valid 18-character IDs or null
        year = pc.cast(pc.utf8_slice_codeunits(arr, 6, 10), pa.int64())
        odd = pc.equal(pc.bit_wise_and(pc.cast(pc.utf8_slice_codeunits(arr, 16, 17), pa.int64()), 1), 1)
        frame["birth_year"] = pd.Series(year, dtype=pd.Int64Dtype())
        frame["id_gender"] = pd.Series(pc.if_else(odd, "男", "女"), dtype="str")
        frame["_id_pseudonym"] = pseudo
    return frame


def _without_template_example(raw: RawTable, dataset: Dataset, hmap: dict[str, str], errs) -> RawTable:
    """``raw`` without the rows that are the template's untouched example row (each noted as a warning)."""
    if not len(raw.frame) or not hmap:
        return raw
    same = np.ones(len(raw.frame), dtype=bool)
    for h, name in hmap.items():  # an untouched example row is the template's cells exactly
        col = dataset.column(name)
        cells = raw.frame[h].str.strip()
        same &= ((cells == example_value(col, "zh")) | (cells == example_value(col, "en"))).to_numpy(dtype=bool)
        if not same.any():
            return raw
    for row in raw.rows[same]:
        errs.add([int(row)], "", "", "example_row", severity=WARNING)
    if same.all():
        raise FileRejected("only_example")
    return replace(raw, frame=raw.frame[~same].reset_index(drop=True), rows=raw.rows[~same])


def _check_one_of(dataset, raw, by_name, rows, errs) -> None:
    for group in dataset.one_of:
        present = [g for g in group if g in by_name]
        if not present:
            continue
        blank = np.ones(len(raw.frame), dtype=bool)
        for g in present:
            blank &= (clean(raw.frame[by_name[g]]) == "").to_numpy()
        errs.add(
            rows[blank], by_name[present[0]], "", "one_of_missing", {"headers": "、".join(by_name[g] for g in present)}
        )


def _date_str(s: pd.Series) -> np.ndarray:
    return s.astype("str").to_numpy(dtype=object)


def _check_rules(dataset, frame, by_name, rows, errs, project_ids, cell_bad, registry) -> None:
    head = lambda name: by_name.get(name, dataset.column(name).zh)  # noqa: E731
    for rule in dataset.rules:
        if rule.code == "stage_dates_required" and "status" in by_name:
            for status, dates in STATUS_REQUIRED_DATES.items():
                at = (frame["status"] == status).fillna(False).to_numpy(dtype=bool)
                for d in dates:
                    miss = at & frame[d].isna().to_numpy() & ~cell_bad.get(d, np.zeros(len(frame), dtype=bool))
                    names = "、".join(head(x) for x in dates)
                    errs.add(rows[miss], head(d), "", "stage_dates_required", {"status": status, "dates": names})
        elif rule.code == "stage_dates_ordered":
            prev_val = pd.Series([None] * len(frame), dtype=DATE_DTYPE)
            prev_name = np.full(len(frame), "", dtype=object)
            for d in STAGE_DATES:
                cur = frame[d]
                bad = (cur < prev_val).fillna(False).to_numpy(dtype=bool)
                if bad.any():
                    params = {"prev": prev_name[bad], "prev_value": _date_str(prev_val[bad])}
                    errs.add(rows[bad], head(d), _date_str(cur[bad]), "stage_dates_ordered", params)
                take = cur.notna().to_numpy() & ~bad
                prev_val = prev_val.where(~take, cur)
                prev_name = np.where(take, head(d), prev_name)
        elif rule.code in ("not_greater", "not_before"):
            a, b = rule.columns
            cmp = frame[a] > frame[b] if rule.code == "not_greater" else frame[a] < frame[b]
            bad = cmp.fillna(False).to_numpy(dtype=bool)
            if bad.any():
                other = frame[b][bad].astype("str").to_numpy(dtype=object)
                params = {"other": head(b), "rule_zh": rule.zh, "rule_en": rule.en, "other_value": other}
                errs.add(rows[bad], head(a), frame[a][bad].astype("str").to_numpy(dtype=object), rule.code, params)
        elif rule.code == "gender_matches_id" and "gender" in frame and "id_gender" in frame:
            both = (frame["gender"].notna() & frame["id_gender"].notna()).to_numpy()
            bad = both & (frame["gender"] != frame["id_gender"]).fillna(False).to_numpy(dtype=bool)
            params = {"id_gender": frame["id_gender"][bad].to_numpy(dtype=object)}
            errs.add(rows[bad], head("gender"), frame["gender"][bad].to_numpy(dtype=object), rule.code, params)
        elif rule.code == "project_exists" and "project_id" in by_name:
            pid = frame["project_id"]
            bad = (pid.notna() & ~pid.isin(list(project_ids))).to_numpy(dtype=bool)
            errs.add(rows[bad], head("project_id"), pid[bad].to_numpy(dtype=object), rule.code)
        elif rule.code == "lon_lat" and ("lon" in by_name or "lat" in by_name):
            check_lon_lat(frame, by_name, rows, errs)
        elif rule.code == "code_digits" and "code" in by_name:
            check_codes(frame, by_name, rows, errs)
        elif rule.code == "aliases_unique" and "aliases" in by_name:
            check_aliases(frame, by_name, rows, errs, registry)


def _check_scope(dataset, raw, frame, by_name, errs, townships, registry, project_townships) -> None:
    """A township-restricted account: a row whose township (canonical, after aliases) is not one of
    ``townships`` is an error (the cell shown as typed), and so a row naming a known project of another
    township. A name the registry does not hold as a township already has its own error (unknown, or not a
    township) and gets no second."""
    rows = raw.rows
    allowed = "、".join(sorted(townships))
    towns = list(townships)
    col = dataset.township_column
    if col is not None and col in by_name:
        values = frame[col]
        outside = values.notna() & ~values.isin(towns)
        if not registry.empty:
            outside &= values.isin(registry.names(contracts.TOWNSHIP))
        bad = outside.to_numpy(dtype=bool)
        typed = raw.frame[by_name[col]].to_numpy(dtype=object)[bad]
        errs.add(rows[bad], by_name[col], typed, "township_not_allowed", {"allowed": allowed})
    if "project_id" in by_name and project_townships:
        pid = frame["project_id"]
        owner = pid.map(project_townships)
        bad = (owner.notna() & ~owner.isin(towns)).to_numpy(dtype=bool)
        params = {"township": owner[bad].astype("str").to_numpy(dtype=object), "allowed": allowed}
        errs.add(rows[bad], by_name["project_id"], pid[bad].to_numpy(dtype=object), "project_not_allowed", params)


def _pseudonym_prints(arr: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """64 bits of every non-null key when all have a pseudonym's length (25 bytes: ``P`` + 24 hex digits), read
    straight from the Arrow buffers (hex digits 1–16 folded into one integer); None otherwise. Any function of the bytes would do: two
    keys with different prints differ. Sorting 1M such integers takes a tenth of hashing the strings."""
    arr = arr.drop_null()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    if not n or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(arr.buffers()[1], dtype=width)[arr.offset : arr.offset + n + 1]
    if offsets[-1] - offsets[0] != 25 * n or not (np.diff(offsets) == 25).all():
        return None
    raw = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]].reshape(n, 25)
    high = np.ascontiguousarray(raw[:, 1:9]).view(np.uint64).ravel()
    low = np.ascontiguousarray(raw[:, 9:17]).view(np.uint64).ravel()
    return high ^ (low << np.uint64(4))  # a hex digit's low 4 bits from each: about 64 bits of the 96


def _distinct(values: np.ndarray) -> bool:
    s = np.sort(values)
    return not (s[1:] == s[:-1]).any()


def _check_keys(dataset, frame, by_name, rows, errs) -> None:
    keys = list(dataset.key)
    if len(keys) == 1 and frame[keys[0]].dtype == "str":  # cheap test first: usually there is no repeat at all
        arr = pa.array(frame[keys[0]].array)
        prints = _pseudonym_prints(arr)
        if prints is not None and _distinct(prints):
            return  # distinct 64-bit prefixes: distinct keys
        if len(pc.unique(arr)) == len(arr) - arr.null_count + (1 if arr.null_count else 0):
            return
    sub = frame[keys]
    complete = sub.notna().all(axis=1).to_numpy()
    if not complete.any() or not sub[complete].duplicated().any():
        return
    codes = sub[complete].astype("str").groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    _, first_idx = np.unique(codes, return_index=True)
    first_of = first_idx[np.searchsorted(np.unique(codes), codes)]
    pos = np.flatnonzero(complete)
    dup = np.arange(len(codes)) != first_of
    if dup.any():
        first_rows = rows[pos[first_of[dup]]]
        key_names = "、".join(
            by_name.get(k, dataset.column(k).zh if k != "person_key" else "人员编号/身份证号") for k in keys
        )
        hdr = (by_name.get("id_number") or by_name.get("person_key")) if "person_key" in keys else by_name.get(keys[0])
        hdr = hdr or keys[0]
        repeats = sub[complete][dup].astype("str").reset_index(drop=True)
        shown = repeats[keys[0]]
        for k in keys[1:]:  # column-wise: a row-wise join costs a Python call per repeat
            shown = shown + " / " + repeats[k]
        if "person_key" in keys:  # never show a person's key
            shown = pd.Series([""] * len(shown), dtype="str")
        errs.add(
            rows[pos[dup]], hdr, shown.to_numpy(dtype=object), "duplicate_key", {"key": key_names, "first": first_rows}
        )


def _check_totals(raw, dataset, hmap, values, errs) -> None:
    numeric = [
        (h, dataset.column(n)) for h, n in hmap.items() if dataset.column(n).kind in ("money", "usd", "number", "count")
    ]
    if not raw.totals or not numeric:
        return
    start = 0
    for t in raw.totals:
        subtotal = t["label"].startswith("小计")
        upto = int(np.searchsorted(raw.rows, t["row"]))
        lo = start if subtotal else 0
        checked, bad = 0, False
        for h, col in numeric:
            cell = t["values"].get(h, "")
            if not cell.strip():
                continue
            # a total may pass a single row's plausibility bound: only its kind's bound applies
            got = normalise(pd.Series([cell], dtype="str"), replace(col, max_value=None))
            if got.errors.notna().iat[0]:
                errs.add([t["row"]], h, cell, got.errors.iat[0], _col_params(col))
                bad = True
                continue
            total = float(got.values.iat[0])
            detail = float(pd.to_numeric(values[col.name].iloc[lo:upto], errors="coerce").sum())
            decimals = (
                len(cell.split(".")[1]) if "." in cell and cell.replace(".", "").replace(",", "").isdigit() else 0
            )
            if abs(total - detail) > 0.5 * 10.0**-decimals + 1e-9 * abs(detail):
                params = {
                    "label": t["label"],
                    "total": cell,
                    "sum": f"{detail:,.6g}" if detail != int(detail) else f"{int(detail)}",
                }
                errs.add([t["row"]], h, cell, "total_mismatch", params)
                bad = True
            checked += 1
        if checked and not bad:
            errs.add([t["row"]], "", "", "total_ok", {"label": t["label"]}, WARNING)
        if subtotal:
            start = upto
