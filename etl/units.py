"""The unit registry (单位名录) as the checks see it, and the check of every unit name in a file against it.

Once the registry holds rows, a township, park, responsible unit or target unit that is not registered
is an error for its row that suggests the closest registered name; a declared alias is stored under its
canonical name with a warning; a name outside its years is an error for rows of other years. With an
empty registry the same findings are warnings, judged against the names the warehouse's data already
uses (a county may start without a registry).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.contracts import UNIT_TYPES, WHOLE_JURISDICTION, Dataset
from etl.messages import WARNING

ALIAS_SEPARATORS = re.compile(r"[、;；]")
MAX_LISTED = 12  # names listed in one file-level notice


@dataclass(frozen=True)
class Unit:
    """One registered unit; ``first_year``/``last_year`` None = open-ended."""

    name: str
    type: str
    code: str | None = None
    first_year: int | None = None
    last_year: int | None = None

    def valid_in(self, year: int) -> bool:
        return (self.first_year is None or year >= self.first_year) and (
            self.last_year is None or year <= self.last_year
        )


@dataclass(frozen=True)
class Registry:
    """Registered units by canonical name, aliases → canonical name, and the unit names the data already uses."""

    units: Mapping[str, Unit] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    seen: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not self.units

    def names(self, types: tuple[str, ...] = UNIT_TYPES) -> list[str]:
        """Registered names of the given types, in name order."""
        return sorted(n for n, u in self.units.items() if u.type in types)

    def suggest(self, name: str, types: tuple[str, ...]) -> str | None:
        """The registered (or, with an empty registry, already used) name closest to ``name``."""
        if self.empty:
            pool = {n: n for n in self.seen}
        else:
            pool = {n: n for n in self.names(types)}
            pool |= {a: c for a, c in self.aliases.items() if self.units[c].type in types}
        best = difflib.get_close_matches(name, list(pool), n=1, cutoff=0.6)
        return pool[best[0]] if best else None


def split_aliases(text: str | None) -> list[str]:
    """The aliases of one registry cell: separated by 、 or ;, blanks dropped."""
    if not text:
        return []
    return [a.strip() for a in ALIAS_SEPARATORS.split(text) if a.strip()]


def registry_from_frame(units: pd.DataFrame, seen: frozenset[str] = frozenset()) -> Registry:
    """A Registry from rows of v_units (name, type, code, aliases, first_year, last_year)."""
    out: dict[str, Unit] = {}
    aliases: dict[str, str] = {}
    for r in units.itertuples(index=False):
        out[r.name] = Unit(r.name, r.type, _opt(r.code), _opt_int(r.first_year), _opt_int(r.last_year))
        for a in split_aliases(_opt(r.aliases)):
            aliases[a] = r.name
    return Registry(out, aliases, seen)


def _opt(v: object) -> str | None:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else str(v)


def _opt_int(v: object) -> int | None:
    s = _opt(v)
    return None if s is None else int(float(s))


def row_years(dataset: Dataset, frame: pd.DataFrame) -> np.ndarray | None:
    """The year each row belongs to (float, NaN when unknown), from the dataset's year column."""
    if not dataset.year_column or dataset.year_column not in frame:
        return None
    col = frame[dataset.year_column]
    kind = dataset.column(dataset.year_column).kind
    if kind == "year":
        return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    if kind in ("month", "period"):
        return pd.to_numeric(col.astype("str").str[:4], errors="coerce").to_numpy(dtype=float)
    years = pc.year(pa.array(col.array))  # a date column: Arrow date32, no Python objects
    return years.to_numpy(zero_copy_only=False).astype(float)


def check_units(dataset: Dataset, frame: pd.DataFrame, by_name: dict, rows: np.ndarray, errs, registry: Registry):
    """Check every unit-name column of ``frame`` against ``registry``; aliases are replaced in ``frame``
    by their canonical name. Findings go to ``errs`` (etl.validate._Errors)."""
    years: np.ndarray | None = None  # the rows' years, computed when a unit with years is met
    new_names: dict[str, int] = {}
    for col in dataset.columns:
        if not col.unit_types or col.name not in by_name:
            continue
        header = by_name[col.name]
        values = frame[col.name]
        codes, uniques = pd.factorize(values)
        for i, name in enumerate(uniques):
            at = codes == i
            if dataset.name == "targets" and name in WHOLE_JURISDICTION:
                continue
            if registry.empty:
                if name not in registry.seen:
                    _unregistered_warning(errs, rows[at], header, name, col.unit_types, registry)
                    new_names.setdefault(name, int(rows[at][0]))
                continue
            canonical = registry.aliases.get(name, name) if name not in registry.units else name
            unit = registry.units.get(canonical)
            if unit is None:
                hint = registry.suggest(name, col.unit_types)
                code = "unit_unknown_suggest" if hint else "unit_unknown"
                errs.add(rows[at], header, name, code, {"suggestion": hint or "", "types": "、".join(col.unit_types)})
                continue
            if canonical != name:
                first = int(rows[at][0])
                params = {"first": first, "n": int(at.sum()), "header": header, "alias": name, "name": canonical}
                errs.add([first], header, name, "unit_alias", params, WARNING)
                frame.loc[at, col.name] = canonical
            if unit.type not in col.unit_types:
                params = {"actual": unit.type, "expected": "、".join(col.unit_types)}
                errs.add(rows[at], header, name, "unit_wrong_type", params)
                continue
            if (unit.first_year is not None or unit.last_year is not None) and dataset.year_column:
                years = row_years(dataset, frame) if years is None else years
                y = years[at]
                out = ~np.isnan(y) & (
                    (y < (unit.first_year or -np.inf)) | (y > (unit.last_year if unit.last_year else np.inf))
                )
                if out.any():
                    span = f"{unit.first_year or '…'}–{unit.last_year or '…'}"
                    params = {"span": span, "year": y[out].astype(int)}
                    errs.add(rows[at][out], header, name, "unit_out_of_years", params)
    if registry.empty and new_names:
        listed = "、".join(list(new_names)[:MAX_LISTED]) + ("…" if len(new_names) > MAX_LISTED else "")
        errs.add([None], "", "", "registry_empty", {"names": listed, "n": len(new_names)}, WARNING)


def _unregistered_warning(errs, rows: np.ndarray, header: str, name: str, types, registry: Registry) -> None:
    """Empty registry: a new name close to one the data already uses is flagged (a typo, most likely)."""
    hint = registry.suggest(name, types)
    if hint:
        params = {"first": int(rows[0]), "n": len(rows), "header": header, "value": name, "suggestion": hint}
        errs.add([int(rows[0])], header, name, "unit_near_seen", params, WARNING)


def check_codes(frame: pd.DataFrame, by_name: dict, rows: np.ndarray, errs) -> None:
    """A units file: a division code is 12 digits."""
    code = frame["code"].astype("str")
    bad = (frame["code"].notna() & ~code.str.fullmatch(r"\d{12}").fillna(False)).to_numpy(dtype=bool)
    errs.add(rows[bad], by_name["code"], code[bad].to_numpy(dtype=object), "code_digits")


# China's extent in decimal degrees: a point outside it is a typo, swapped columns or projected metres.
LON_RANGE, LAT_RANGE = (73.0, 136.0), (3.0, 54.0)


def check_lon_lat(frame: pd.DataFrame, by_name: dict, rows: np.ndarray, errs) -> None:
    """A units file: a longitude and a latitude come together, each within China (decimal degrees)."""
    lon = frame["lon"] if "lon" in frame else pd.Series(np.nan, index=frame.index)
    lat = frame["lat"] if "lat" in frame else pd.Series(np.nan, index=frame.index)
    words = {"lon": by_name.get("lon", "经度"), "lat": by_name.get("lat", "纬度")}

    def shown(x: pd.Series) -> np.ndarray:  # as typed: 11650000, not 11650000.0
        return np.array([str(int(v)) if float(v).is_integer() else str(v) for v in x], dtype=object)

    for name, values, (low, high), other in (("lon", lon, LON_RANGE, lat), ("lat", lat, LAT_RANGE, lon)):
        x = pd.to_numeric(values, errors="coerce").astype("float64")
        out = (x.notna() & ((x < low) | (x > high))).to_numpy(dtype=bool)
        errs.add(rows[out], words[name], shown(x[out]), f"{name}_range")
        alone = (x.notna() & pd.to_numeric(other, errors="coerce").isna()).to_numpy(dtype=bool)
        other_name = words["lat" if name == "lon" else "lon"]
        errs.add(
            rows[alone],
            words[name],
            shown(x[alone]),
            "lon_lat_pair",
            {"other": other_name},
        )


def check_aliases(frame: pd.DataFrame, by_name: dict, rows: np.ndarray, errs, registry: Registry) -> None:
    """A units file: one spelling names one unit (an alias is no other unit's name or alias)."""
    names = frame["name"].astype("str")
    owner: dict[str, str] = {n: n for n in registry.units} | dict(registry.aliases)
    file_names = set(names.dropna())
    for i, (name, text) in enumerate(zip(names, frame["aliases"], strict=True)):
        for alias in split_aliases(_opt(text)):
            taken = alias in file_names and alias != name
            other = owner.get(alias)
            if taken or (other is not None and other != name):
                params = {"alias": alias, "other": alias if taken else other}
                errs.add([rows[i]], by_name["aliases"], text, "aliases_unique", params)
            else:
                owner[alias] = name
