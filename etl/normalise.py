"""Normalise one column of clerk cells into canonical typed values plus a per-cell error code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation, Overflow

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl import clock
from etl.contracts import DATE_MIN, FUTURE_GRACE_DAYS, FUTURE_YEARS, Column
from etl.pseudonym import check_ids

PLACEHOLDERS = frozenset({"暂无", "不详", "无", "-", "--", "—", "——", "/", "\\", "n/a", "na", "null", "none", "未知"})
DATE_DTYPE = pd.ArrowDtype(pa.date32())

# number, optional sign, then an optional unit; thousands separators only in groups of three
_NUMBER = r"^(?P<sign>[-+]?)(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)\s*(?P<unit>[^\d\s,.].*)?$"
# unit word → factor into the column unit
_MONEY_UNITS = {"": 1, "万": 1, "万元": 1, "元": Decimal("0.0001"), "千元": Decimal("0.1"), "亿": 10000, "亿元": 10000}
_USD_UNITS = {"": 1, "万": 1, "万美元": 1, "美元": Decimal("0.0001"), "亿": 10000, "亿美元": 10000}
_UNIT_ALIASES = {"平方公里": ("平方公里", "平方千米", "km2", "km²"), "亩": ("亩",), "元": ("元",)}
_TRUE = frozenset({"是", "y", "yes", "√", "✓", "✔", "1", "true", "t", "有", "对"})
_FALSE = frozenset({"否", "n", "no", "×", "✗", "✘", "0", "false", "f", "无", "不是"})
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
# Invisible characters that clerks' tools insert and that make two names look alike: soft hyphen, Arabic
# letter mark, zero-width space/non-joiner/joiner, LRM/RLM, bidi embeddings and overrides, word joiner and
# invisible operators, bidi isolates, BOM. Removed: the visible text does not change.
_INVISIBLE = r"[\x{00AD}\x{061C}\x{200B}-\x{200F}\x{202A}-\x{202E}\x{2060}-\x{2064}\x{2066}-\x{2069}\x{FEFF}]"
_INVISIBLE_LEADS = (b"\xc2", b"\xd8", b"\xe2", b"\xef")  # the first byte of each one's UTF-8 form
# Control characters that are not whitespace (NUL, ESC, DEL, C1 controls): a cell holding one is refused.
_CONTROL = r"[\x{00}-\x{08}\x{0E}-\x{1F}\x{7F}-\x{84}\x{86}-\x{9F}]"
# A run of whitespace of any kind (tab, line breaks, NEL, Unicode spaces and separators).
_SPACE = r"[\s\x{0B}\x{85}\p{Z}]+"


@dataclass
class Normalised:
    """Per cell of one column: ``values`` canonical (NA where blank or error), ``errors`` error code or NA,
    ``blank`` (numpy bool) the cells that are empty once cleaned (NFKC, invisible characters, spaces)."""

    values: pd.Series
    errors: pd.Series
    blank: np.ndarray | None = None


def arrow(s: pd.Series) -> pa.Array:
    """The Arrow string array behind ``s`` (blank for NA), zero-copy for pandas' ``str`` dtype."""
    return pc.fill_null(pa.array(s.astype("str").array), "")


def series(arr: pa.Array, index: pd.Index | None = None) -> pd.Series:
    return pd.Series(arr, dtype="str", index=index)


def clean(cells: pd.Series) -> pd.Series:
    """NFKC (full-width digits, ideographic space → ASCII), invisible characters removed, stripped; in Arrow."""
    arr = arrow(cells)
    if _all_ascii(arr):
        return series(pc.ascii_trim_whitespace(arr), cells.index)
    arr = pc.utf8_normalize(arr, "NFKC")
    if _may_hold(arr, _INVISIBLE_LEADS):
        arr = pc.replace_substring_regex(arr, _INVISIBLE, "")
    return series(pc.utf8_trim_whitespace(arr), cells.index)


def _all_ascii(arr: pa.Array) -> bool:
    return pc.all(pc.string_is_ascii(arr)).as_py() is not False


def _may_hold(arr: pa.Array | pa.ChunkedArray, leads: tuple[bytes, ...]) -> bool:
    """False when no UTF-8 byte of ``arr`` is one of ``leads`` (a memchr over the data: ~1 ms per 10 MB, where
    a regex over 1M cells takes ~40 ms); True means "maybe", to be settled by the regex."""
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else (arr,):
        data = chunk.buffers()[2]
        data = data.to_pybytes() if data is not None else b""
        if any(b in data for b in leads):
            return True
    return False


def _controls(u: pd.Series) -> np.ndarray | None:
    """Per cleaned value: holds a control character (None when no value does: the usual, cheap answer)."""
    arr = arrow(u)
    if pc.all(pc.ascii_is_printable(arr)).as_py() is not False:  # ASCII without any control (tab, line breaks…)
        return None
    found = pc.match_substring_regex(arr, _CONTROL)
    return found.to_numpy(zero_copy_only=False) if pc.any(found).as_py() else None


def _sub(u: pd.Series, pattern: str, repl: str) -> pd.Series:
    return series(pc.replace_substring_regex(arrow(u), pattern, repl), u.index)


def _lower(u: pd.Series) -> pd.Series:
    return series(pc.utf8_lower(arrow(u)), u.index)


def _extract_re(u: pd.Series, pattern: str) -> pd.DataFrame:
    """Named groups of ``pattern`` (RE2) per value; all NA where it does not match."""
    got = pc.extract_regex(arrow(u), pattern)
    ok = got.is_valid().to_numpy(zero_copy_only=False)
    return pd.DataFrame(
        {f.name: series(got.field(i), u.index).where(ok) for i, f in enumerate(got.type)}, index=u.index
    )


def _factorize(cells: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """(per cell the index of its distinct value, the distinct values) in one Arrow dictionary encoding; a
    missing cell counts as blank."""
    arr = arrow(cells)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    enc = pc.dictionary_encode(arr)
    return enc.indices.to_numpy(zero_copy_only=False), enc.dictionary


def normalise(cells: pd.Series, column: Column) -> Normalised:
    """Canonical values of one column (dtype per ``column.kind``, see etl.contracts); work is per unique cell.

    ID numbers are nearly all distinct, so that column is processed cell by cell (still vectorised in Arrow).
    A text column whose distinct values all come out as they were typed is not rebuilt: its values are the
    cells themselves (the errors and blanks set to NA), without a copy back to one value per cell.
    """
    if column.kind == "id_number":
        codes, u = None, clean(cells.reset_index(drop=True))
        uniques = None
    else:
        codes, uniques = _factorize(cells)
        u = clean(pd.Series(uniques, dtype="str"))
    values, errors = _HANDLERS[column.kind](u, column)
    blank = (u == "").to_numpy()
    errors = errors.where(~blank, None)
    if (column.required or column.kind in _NUMERIC or column.kind in _DATES) and column.kind != "bool":
        ph = _placeholders(u, errors if column.kind == "id_number" else None)
        errors = errors.where(~ph, "placeholder_required" if column.required else "placeholder")
    cap = column.length_cap
    if cap is not None:
        long = pc.greater(pc.utf8_length(arrow(values)), cap).to_numpy(zero_copy_only=False)
        errors = errors.where(~long, f"too_long_{cap}")
    ctrl = _controls(u)
    if ctrl is not None:
        errors = errors.where(~ctrl, "control_char")
    bad = blank | errors.notna().to_numpy()
    values = values.where(~bad) if not isinstance(values.dtype, pd.ArrowDtype) else _mask_arrow(values, bad)
    if bad.any():
        errors = _take(pd.Series(errors.to_numpy(dtype=object), dtype="str"), codes, cells.index)
    else:
        errors = pd.Series(pa.nulls(len(cells), pa.large_string()), dtype="str", index=cells.index)
    cell_blank = blank[codes] if codes is not None else blank
    as_typed = _as_typed(cells, values, uniques, codes, bad)
    if as_typed is not None:
        return Normalised(values=as_typed, errors=errors, blank=cell_blank)
    return Normalised(values=_take(values, codes, cells.index), errors=errors, blank=cell_blank)


def _placeholders(u: pd.Series, errors: pd.Series | None) -> np.ndarray:
    """Per value: a placeholder (暂无, 不详, -…). ``errors`` given: only the values already in error can be one
    (a valid ID number is no placeholder), so only those are looked at."""
    if errors is None:
        return _lower(u).isin(PLACEHOLDERS).to_numpy()
    out = np.zeros(len(u), dtype=bool)
    at = np.flatnonzero(errors.notna().to_numpy())
    if len(at):
        out[at] = _lower(u.iloc[at]).isin(PLACEHOLDERS).to_numpy()
    return out


def _as_typed(
    cells: pd.Series, values: pd.Series, uniques: pa.Array | None, codes: np.ndarray | None, bad: np.ndarray
) -> pd.Series | None:
    """The column's values as the cells themselves, when every distinct text value came out exactly as typed
    (the usual clean file): the cells' own Arrow data with the bad ones made null. None otherwise."""
    if codes is None or uniques is None or values.dtype != "str" or len(uniques) != len(values):
        return None
    same = pc.fill_null(pc.equal(pa.array(values.array), uniques), False).to_numpy(zero_copy_only=False)
    if not (same | bad).all():
        return None
    arr = pa.array(cells.array)
    if not pa.types.is_large_string(arr.type) and not pa.types.is_string(arr.type):
        return None
    keep = ~bad[codes]
    if arr.null_count:
        keep &= ~pc.is_null(arr).to_numpy(zero_copy_only=False)
    if keep.all():
        return pd.Series(arr, dtype="str", index=cells.index)
    return pd.Series(pc.if_else(pa.array(keep), arr, pa.nulls(len(arr), arr.type)), dtype="str", index=cells.index)


def _take(s: pd.Series, codes: np.ndarray | None, index: pd.Index) -> pd.Series:
    out = s.take(codes) if codes is not None else s.copy()
    out.index = index
    return out


def _mask_arrow(values: pd.Series, bad: np.ndarray) -> pd.Series:
    arr = pa.array(values.array)
    return pd.Series(pc.if_else(pa.array(bad), pa.nulls(len(arr), arr.type), arr), dtype=values.dtype)


# ---------------------------------------------------------------- text-like


def _text(u: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    return _sub(u, _SPACE, " "), _no_errors(u)


def _code(u: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    return _sub(u, _SPACE, ""), _no_errors(u)


def _drop(u: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    return pd.Series(pd.NA, index=u.index, dtype="str"), _no_errors(u)


def _no_errors(u: pd.Series) -> pd.Series:
    return pd.Series(None, index=u.index, dtype=object)


def _enum(u: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    lookup = {c.casefold(): c for c in column.choices}
    lookup |= {k.casefold(): v for k, v in column.aliases.items()}
    values = _lower(u).map(lookup)
    errors = pd.Series(np.where(values.isna(), "enum_invalid", None), index=u.index, dtype=object)
    return values.astype("str"), errors


def _bool(u: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    f = _lower(u)
    t, n = f.isin(_TRUE).to_numpy(), f.isin(_FALSE).to_numpy()
    values = pd.array(np.where(t, True, False), dtype="boolean")
    values[~(t | n)] = pd.NA
    errors = pd.Series(np.where(t | n, None, "bool_invalid"), index=u.index, dtype=object)
    return pd.Series(values, index=u.index), errors


def _id_number(u: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    arr = arrow(u)
    if pc.any(pc.match_substring_regex(arr, r"[\s']")).as_py():  # spaces inside, or Excel's text apostrophe
        arr = pc.utf8_ltrim(pc.replace_substring_regex(arr, r"\s+", ""), "'")
    if pc.any(pc.match_substring(arr, "x")).as_py():
        arr = pc.utf8_upper(arr)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()  # check_ids reads the Arrow buffers of one contiguous array
    ids = series(arr, u.index)
    checked = check_ids(ids)
    ok = checked["ok"].to_numpy()
    errors = checked["reason"].astype(object).where(checked["reason"].notna(), None)
    wrong = np.flatnonzero(~ok)  # only an ID in error can be one Excel turned into a number (1.10105E+17)
    if len(wrong):
        sci = pc.match_substring_regex(arr.take(pa.array(wrong)), r"^\d(?:\.\d+)?[eE]\+?\d+$")
        errors.iloc[wrong[sci.to_numpy(zero_copy_only=False)]] = "id_as_number"
    return ids.where(ok), errors


# ---------------------------------------------------------------- numbers

_NUMERIC = ("money", "usd", "number", "count")


def _numeric(u: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    kind = column.kind
    parts = _extract_re(u, _NUMBER)
    num = parts["num"].str.replace(",", "", regex=False)
    unit = _sub(parts["unit"].fillna(""), r"\s+", "")
    sign = parts["sign"].fillna("")
    matched = num.notna().to_numpy()
    if kind == "money":
        units = _MONEY_UNITS
    elif kind == "usd":
        units = _USD_UNITS
    else:
        units = {"": 1} | {a: 1 for a in _UNIT_ALIASES.get(column.unit, (column.unit,)) if a}
    factor = unit.map(units)
    known_unit = factor.notna().to_numpy()
    invalid_code = f"{kind}_invalid"
    errors = np.full(len(u), None, dtype=object)
    errors[~matched] = invalid_code
    pct = unit.str.contains("%", regex=False).to_numpy()
    errors[matched & ~known_unit] = invalid_code if kind in ("money", "usd") else "unit_wrong"
    if kind == "money":
        errors[matched & ~known_unit & unit.str.contains("美元", regex=False).to_numpy()] = "currency_wrong"
    if kind == "usd":
        errors[matched & ~known_unit & unit.str.contains("元", regex=False).to_numpy()] = "currency_wrong"
    errors[matched & pct] = "percent"
    ok = matched & known_unit & ~pct
    plain = ok & (factor.to_numpy(dtype=object) == 1)
    values = np.full(len(u), np.nan)
    values[plain] = pd.to_numeric(num[plain], errors="coerce").to_numpy(dtype=float)
    for i in np.flatnonzero(ok & ~plain):  # unit conversions: exact decimal arithmetic, one per unique value
        try:
            values[i] = float(Decimal(num.iat[i]) * Decimal(str(factor.iat[i])))
        except Overflow:  # 1e999999999亿: beyond any float, refused below as too large
            values[i] = np.inf
        except InvalidOperation:
            errors[i] = invalid_code
    errors[ok & np.isnan(values)] = invalid_code
    errors[ok & (values > column.ceiling)] = _too_large(column.ceiling)  # 1e19, 1e308, 1e400 (= inf)
    neg = ok & (sign.to_numpy(dtype=object) == "-") & (values != 0)
    errors[neg] = "negative"
    values = np.where((sign.to_numpy(dtype=object) == "-") & (values != 0), -values, values)
    if kind == "count":
        frac = ok & np.isfinite(values) & (np.floor(values) != values)
        errors[frac & (errors == None)] = "fraction"  # noqa: E711 - elementwise
        good = np.isfinite(values) & (errors == None)  # noqa: E711
        out = pd.array(np.where(good, values, 0).astype(np.int64), dtype="Int64")
        out[~good] = pd.NA
        return pd.Series(out, index=u.index), pd.Series(errors, index=u.index)
    return pd.Series(values, index=u.index, dtype="float64"), pd.Series(errors, index=u.index)


def _too_large(ceiling: float) -> str:
    """The error code that states ``ceiling`` (a power of ten, etl.contracts.CEILINGS)."""
    exponent = round(np.log10(ceiling))
    assert 10.0**exponent == ceiling, ceiling
    return f"too_large_1e{exponent}"


# ---------------------------------------------------------------- dates

_DATES = ("date", "month", "period", "year")
# a time after a date: hours 0–23, minutes and seconds 0–59 (2030-03-05T25:99 is no time)
_TIME = r"(?:[T ](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?)?"
_FULL = [
    r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME + "$",
    r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?$",
    r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$",
]
_ANY_TIME = r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[T ]\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?$"  # a date, then digits:digits
_MONTH = [r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})$", r"^(?P<y>\d{4})年(?P<m>\d{1,2})月?$", r"^(?P<y>\d{4})(?P<m>\d{2})$"]
_YEAR = r"^(?P<y>\d{4})年?(?:\.0+)?$"
_SERIAL = r"^(?P<n>\d{5})(?:\.0+)?$"


def _extract(u: pd.Series, patterns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame({"y": np.nan, "m": np.nan, "d": np.nan}, index=u.index)
    for p in patterns:
        got = _extract_re(u, p).astype(float)
        todo = out["y"].isna() & got["y"].notna()
        for c in got.columns:
            out.loc[todo, c] = got.loc[todo, c]
    return out


def _calendar(y: pd.Series, m: pd.Series, d: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(days since epoch or NaT, is_real_date) for float y/m/d columns (the plausible window is checked apart)."""
    has = (y.notna() & m.notna() & d.notna()).to_numpy()
    yy = y.fillna(2000).astype(int).to_numpy()
    mm = m.fillna(1).astype(int).to_numpy()
    dd = d.fillna(1).astype(int).to_numpy()
    month_ok = (mm >= 1) & (mm <= 12)
    start = (yy - 1970) * 12 + np.clip(mm, 1, 12) - 1
    first = start.astype("datetime64[M]").astype("datetime64[D]")
    length = ((start + 1).astype("datetime64[M]").astype("datetime64[D]") - first).astype(int)
    real = has & month_ok & (dd >= 1) & (dd <= length)
    return first + (dd - 1), real


def _excel_serial(u: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(is a five-digit serial, its day, is a real day) in Excel's 1900 date system: serial 1 is 1900-01-01
    and 60 is 1900-02-29, a day that never was (Lotus 1-2-3's leap-year bug, which Excel keeps); from 61 on,
    serial n is 1899-12-30 + n."""
    n = _extract_re(u, _SERIAL)["n"].astype(float).to_numpy()
    is_serial = ~np.isnan(n)
    k = np.nan_to_num(n, nan=0).astype(np.int64)
    return is_serial, _EXCEL_EPOCH + k + (k < 60), is_serial & (k >= 1) & (k != 60)


def last_day(column: Column) -> np.datetime64:
    """The latest day a date, month or year of ``column`` may name: today (etl.clock) plus a day's grace for
    time zones, or FUTURE_YEARS later for a column of plans (``future``)."""
    last = clock.today() + timedelta(days=FUTURE_GRACE_DAYS)
    if column.future:
        year = last.year + FUTURE_YEARS
        last = last.replace(year=year, day=28) if (last.month, last.day) == (2, 29) else last.replace(year=year)
    return np.datetime64(last, "D")


def _in_window(ok: np.ndarray, early: np.ndarray, late: np.ndarray, errors: np.ndarray, column: Column) -> np.ndarray:
    """``ok`` without the values outside the plausible window, whose error codes are set in ``errors``."""
    errors[ok & early] = "date_too_early"
    errors[ok & late] = "date_too_far" if column.future else "date_future"
    return ok & ~early & ~late


def _dates(u: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    kind = column.kind
    first, last = np.datetime64(DATE_MIN, "D"), last_day(column)
    full = _extract(u, _FULL)
    has_full = full["y"].notna().to_numpy()
    days, real = _calendar(full["y"], full["m"], full["d"])
    is_serial, serial_days, serial_real = _excel_serial(u)
    is_serial &= ~has_full
    days = np.where(is_serial, serial_days, days)
    real = np.where(is_serial, serial_real, real)
    impossible = (has_full | is_serial) & ~real
    bad_time = pc.match_substring_regex(arrow(u), _ANY_TIME).to_numpy(zero_copy_only=False) & ~has_full
    errors = np.full(len(u), None, dtype=object)
    if kind == "date":
        month = _extract(u, _MONTH)["y"].notna().to_numpy() & ~has_full & ~is_serial
        errors[:] = "date_invalid"
        errors[impossible] = "date_impossible"
        errors[month] = "date_month_only"
        errors[bad_time] = "time_invalid"
        errors[real] = None
        ok = _in_window(real, days < first, days > last, errors, column)
        arr = pa.array(days.astype("datetime64[D]"), type=pa.date32(), mask=~ok)
        return pd.Series(arr, index=u.index, dtype=DATE_DTYPE), pd.Series(errors, index=u.index)
    first_year, last_year = DATE_MIN.year, last.astype(object).year
    if kind == "year":
        y = _extract_re(u, _YEAR)["y"].astype(float).to_numpy()
        ok = ~np.isnan(y)
        errors[~ok] = "year_invalid"
        ok = _in_window(ok, y < first_year, y > last_year, errors, column)
        out = pd.array(np.where(ok, np.nan_to_num(y), 0).astype(np.int64), dtype="Int64")
        out[~ok] = pd.NA
        return pd.Series(out, index=u.index), pd.Series(errors, index=u.index)
    month = _extract(u, _MONTH)
    mdays, mreal = _calendar(month["y"], month["m"], pd.Series(1.0, index=u.index))
    use_month = mreal & ~has_full
    days = np.where(use_month, mdays, days)
    ok = real | use_month
    months = days.astype("datetime64[M]")
    text = pd.Series(np.datetime_as_string(months), index=u.index, dtype="str")
    errors[~ok] = f"{kind}_invalid"
    errors[impossible] = "date_impossible"
    errors[bad_time] = "time_invalid"
    ok = _in_window(ok, months < first.astype("datetime64[M]"), months > last.astype("datetime64[M]"), errors, column)
    if kind == "period":
        y = _extract_re(u, _YEAR)["y"].astype(float).to_numpy()
        yok = ~np.isnan(y) & ~(real | use_month)
        text = text.where(~yok, pd.Series(np.nan_to_num(y).astype(int), index=u.index).astype("str"))
        errors[yok] = None
        ok = ok | _in_window(yok, y < first_year, y > last_year, errors, column)
    return text.where(ok), pd.Series(errors, index=u.index)


_HANDLERS = {
    "text": _text,
    "code": _code,
    "person_key": _code,
    "drop": _drop,
    "enum": _enum,
    "bool": _bool,
    "id_number": _id_number,
    "money": _numeric,
    "usd": _numeric,
    "number": _numeric,
    "count": _numeric,
    "date": _dates,
    "month": _dates,
    "period": _dates,
    "year": _dates,
}
