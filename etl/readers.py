"""Read a clerk's CSV/XLSX bytes into a table of strings with the row numbers the clerk sees."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import html
import io
import math
import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import python_calamine

from etl.messages import WARNING, Issue, message

HEADER_SCAN_ROWS = 15
TOTAL_LABEL_COLUMNS = 4  # 合计/小计 labels are looked for in the first columns (序号, 编号, 名称…)
TOTAL_RE = r"^(?:合计|小计|总计|共计)(?:$|[:：(（\-—\s])"
NOTE_RE = re.compile(r"^(?:注|说明|备注|填表说明|填报说明)(?:$|[:：\d、.\s（(])")
# Excel's error values: a cell holding one is a located error of its own (cell_error), never a blank
EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!")
# newer Excel versions add these; python-calamine cannot read a sheet that holds one (see _read_xlsx)
EXCEL_NEW_ERRORS = ("#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#GETTING_DATA", "#PYTHON!")  # fmt: skip
MAX_COLUMNS = 16_384  # Excel's last column, XFD: no sheet and no CSV row may be wider
MAX_ROWS = 1_048_576  # Excel's last row
# A clerk's file has tens of columns; a file this wide is a mistake (a pasted block, a runaway row), and
# 10,000 columns of one row cost seconds to read: refused before parsing.
MAX_FILE_COLUMNS_ENV = "DASHBOARD_MAX_COLUMNS"


def max_file_columns() -> int:
    """How many columns a data file may have ($DASHBOARD_MAX_COLUMNS, default 1,000)."""
    return int(os.environ.get(MAX_FILE_COLUMNS_ENV) or 1000)


# Python's csv module refuses a field over 131,072 characters with a bare exception; a field can be no
# longer than the file, whose size is capped (DASHBOARD_MAX_UPLOAD_MB), and its length is validated later.
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))


class FileRejected(Exception):
    """A whole-file problem: nothing of the file can be loaded. ``code``, ``zh`` and ``en`` say why."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.zh, self.en = message(code, **params)
        super().__init__(f"{self.zh} / {self.en}")


@dataclass
class RawTable:
    """One row per data row of the file; every cell a str ("" = blank); ``rows`` = row numbers as shown to the clerk."""

    frame: pd.DataFrame
    rows: np.ndarray
    headers: list[str]
    file_format: str
    encoding: str | None
    sheet: str | None
    sheets: list[str]
    header_row: int
    totals: list[dict] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def header_key(text: str) -> str:
    """Comparison form of a header: NFKC, case-folded, without whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).casefold()


def _bare(key: str) -> str:
    return key.split("(")[0]


# ---------------------------------------------------------------- limits (environment)

MAX_UPLOAD_ENV = "DASHBOARD_MAX_UPLOAD_MB"
MAX_XLSX_ENV = "DASHBOARD_MAX_XLSX_MB"
MAX_XLSX_CELLS_ENV = "DASHBOARD_MAX_XLSX_CELLS"
MAX_CSV_CELLS_ENV = "DASHBOARD_MAX_CSV_CELLS"


def _setting(env: str, default: float) -> float:
    """A positive number from the environment, ``default`` when unset; an invalid value is refused, not guessed."""
    raw = os.environ.get(env, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise FileRejected("setting_invalid", name=env, value=raw)
    return value


def max_upload_bytes() -> int:
    """The cap on a file's size, checked before it is read: $DASHBOARD_MAX_UPLOAD_MB (default 200)."""
    return int(_setting(MAX_UPLOAD_ENV, 200) * 2**20)


def max_xlsx_bytes() -> int:
    """The cap on a workbook's uncompressed size, checked before parsing: $DASHBOARD_MAX_XLSX_MB (default 200)."""
    return int(_setting(MAX_XLSX_ENV, 200) * 2**20)


def max_xlsx_cells() -> int:
    """The cap on a sheet's used area (rows × columns of the cells present): $DASHBOARD_MAX_XLSX_CELLS (5,000,000)."""
    return int(_setting(MAX_XLSX_CELLS_ENV, 5_000_000))


def max_csv_cells() -> int:
    """The cap on a CSV's lines × columns, checked before parsing: $DASHBOARD_MAX_CSV_CELLS (30,000,000)."""
    return int(_setting(MAX_CSV_CELLS_ENV, 30_000_000))


def _mb(n: int) -> str:
    return f"{n / 2**20:.3g}"


# ---------------------------------------------------------------- input: a regular file within the size cap

_NOT_FILE = {  # stat.S_IS* test → (zh, en) of what the path is instead
    stat.S_ISDIR: ("目录", "a directory"),
    stat.S_ISFIFO: ("管道（FIFO）", "a pipe (FIFO)"),
    stat.S_ISCHR: ("字符设备", "a character device"),
    stat.S_ISBLK: ("块设备", "a block device"),
    stat.S_ISSOCK: ("套接字", "a socket"),
}


def _require_regular(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    zh, en = next((v for test, v in _NOT_FILE.items() if test(mode)), ("特殊文件", "a special file"))
    raise FileRejected("input_not_file", name=str(path), kind_zh=zh, kind_en=en)


def read_path(path: Path | str, *, max_bytes: int | None = None) -> bytes:
    """The bytes of the file at ``path``, checked BEFORE they are read: a regular file (never a directory, a
    pipe or a device such as /dev/zero), within the size cap, and not of a format we refuse by its first bytes.

    ``FileNotFoundError`` and ``PermissionError`` pass through; everything else is a :class:`FileRejected`.
    """
    path = Path(path)
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    _require_regular(path, os.stat(path).st_mode)  # stat does not open: a FIFO is never opened, so never waited on
    # O_NONBLOCK: if the path was swapped for a FIFO since the stat, opening it does not block either
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)  # the file opened is the file checked
        _require_regular(path, st.st_mode)
        if st.st_size > limit:
            raise FileRejected("upload_too_large", size=_mb(st.st_size), limit=_mb(limit))
        head = os.pread(fd, SNIFF_BYTES, 0)
        _sniff(head, path.name)
        data = _read_counting_lines(fh, limit, text=not head.startswith(b"PK"))
    if len(data) > limit:
        raise FileRejected("upload_too_large", size=f"> {_mb(limit)}", limit=_mb(limit))
    return data


READ_CHUNK = 8 << 20


def _read_counting_lines(fh, limit: int, *, text: bool) -> bytes:
    """At most ``limit`` + 1 bytes of ``fh``. For a text file the lines are counted as it is read: more lines
    than the CSV cell cap (each line is at least one cell) is refused before the rest is read, so a file of
    empty lines never sits in memory whole."""
    parts: list[bytes] = []
    size = lines = 0
    cap = max_csv_cells()
    while size <= limit:
        chunk = fh.read(min(READ_CHUNK, limit + 1 - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
        if text:
            lines += max(chunk.count(b"\n"), chunk.count(b"\r"))
            if lines > cap:
                raise FileRejected("csv_too_large", rows=f"> {cap:,}", cols="≥ 1", cells=f"> {cap:,}", limit=f"{cap:,}")
    return b"".join(parts)


# ---------------------------------------------------------------- format, decided by content

SNIFF_BYTES = 1 << 16
_BINARY_MAGIC = (
    b"\xd0\xcf\x11\xe0",  # OLE2: .xls, .et, .doc, an encrypted .xlsx
    b"%PDF",
    b"\x1f\x8b",  # gzip
    b"BZh",
    b"7z\xbc\xaf",
    b"Rar!",
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"{\\rtf",
)


def _sniff(head: bytes, file_name: str) -> str:
    """``"zip"`` or ``"text"`` from a file's first bytes; FileRejected for anything we cannot read, whatever its
    name says (.xls, .et, .ods, .numbers, a PDF or an HTML page saved as .xls, binary data)."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"  # XLSX or not is decided by what the zip holds (_read_xlsx)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 (Excel's "Unicode text")
        raise FileRejected("file_encoding", line=1)
    # binary data, not a NUL in one cell of a text file (that is the cell's error, found by the validator)
    if head.startswith(_BINARY_MAGIC) or head[:1] == b"\x00" or head.count(b"\x00") > max(8, len(head) // 100):
        raise FileRejected("file_format", name=file_name)
    if head.lstrip(b" \t\r\n\xef\xbb\xbf")[:1] == b"<":  # an HTML or XML page (often saved as .xls)
        raise FileRejected("file_format", name=file_name)
    return "text"


def read_file(
    data: bytes,
    file_name: str,
    *,
    sheet: str | None = None,
    known_headers: Collection[str] = (),
    max_uncompressed: int | None = None,
    max_cells: int | None = None,
) -> RawTable:
    """Parse ``data`` into a :class:`RawTable`; raise :class:`FileRejected` for whole-file problems.

    The format is decided by the content, never by the name: a zip holding ``xl/workbook.xml`` is read as
    XLSX, text as CSV; anything else (.xls, .et, .ods, .numbers, …) is refused."""
    if not data or (len(data) < 1 << 16 and not data.strip(b" \t\r\n\x00\xef\xbb\xbf")):
        raise FileRejected("file_empty")
    limit = max_upload_bytes()
    if len(data) > limit:
        raise FileRejected("upload_too_large", size=_mb(len(data)), limit=_mb(limit))
    known = {header_key(h) for h in known_headers}
    if _sniff(data[:SNIFF_BYTES], file_name) == "zip":
        return _read_xlsx(
            data, file_name, sheet, known, max_uncompressed or max_xlsx_bytes(), max_cells or max_xlsx_cells()
        )
    return _read_csv(data, known, max_cells or max_csv_cells())


# ---------------------------------------------------------------- CSV


def _line_of(data: bytes) -> int:
    """The line number at the end of ``data``, counting CRLF, LF and a lone CR (old Mac/WPS) as one break."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n") + 1


def _decode(data: bytes) -> tuple[str, str]:
    try:
        text = data.decode("utf-8-sig")
        return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError as exc:
        utf8_at = exc.start
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        at = max(utf8_at, exc.start)  # the encoding that got further is the one the file was meant to be in
        raise FileRejected("file_encoding", line=_line_of(data[:at])) from None


def _records(text: str, delimiter: str):
    """CSV records of ``text``; newline="" lets a lone CR end a line, as Excel and Arrow read it."""
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _read_csv(data: bytes, known: set[str], max_cells: int) -> RawTable:
    """Fast path: Arrow parses UTF-8 bytes directly (and checks they are valid UTF-8); GB18030 is transcoded first."""
    body, text = data, None  # Arrow skips a UTF-8 BOM itself
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        head_text = codecs.getincrementaldecoder("utf-8-sig")().decode(body[: 1 << 18], final=False)
    except UnicodeDecodeError:
        text, encoding = _decode(data)
        body, head_text = text.encode("utf-8"), text[: 1 << 18]
    head: list[tuple[int, list[str]]] = []
    sample = head_text[:8192]
    delimiter = max(",\t;", key=sample.count) if any(d in sample for d in ",\t;") else ","
    # rows are numbered by CSV record (an empty line is a record), which is the row number Excel shows
    for number, rec in enumerate(_records(head_text, delimiter), start=1):
        if rec:
            head.append((number, rec))
        if len(head) > HEADER_SCAN_ROWS:
            break
    h = _find_header([r for _, r in head], known, "CSV")
    header_line, headers = head[h]
    ncols = len(headers)
    if ncols > max_file_columns():
        raise FileRejected("csv_too_wide", row=header_line, n=ncols, limit=max_file_columns())
    # lines × columns bounds what Arrow (or the csv module) would build: a flood of empty lines or of
    # delimiters is refused here, before parsing, not by the kernel later
    lines = body.count(b"\n") + (body.count(b"\r") if b"\r" in body else 0)
    if lines * ncols > max_cells:
        lines -= body.count(b"\r\n")
        if lines * ncols > max_cells:
            raise FileRejected("csv_too_large", rows=f"{lines:,}", cols=ncols, cells=f"{lines * ncols:,}", limit=f"{max_cells:,}")  # fmt: skip
    frame = rows = None
    if header_line == h + 1:  # empty lines keep their row (of blanks), so row numbers stay the clerk's
        try:
            table = pacsv.read_csv(
                io.BytesIO(body),
                read_options=pacsv.ReadOptions(skip_rows=h + 1, autogenerate_column_names=True, block_size=1 << 24),
                parse_options=pacsv.ParseOptions(
                    # a newline can only sit inside a quoted value; without quotes below the header (which is
                    # often quoted whole) Arrow parses blocks in parallel, about 4x faster
                    delimiter=delimiter,
                    newlines_in_values=body.find(b'"', _data_start(body, header_line)) >= 0,
                    ignore_empty_lines=False,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={f"f{i}": pa.large_string() for i in range(ncols)},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            if table.num_columns == ncols:
                frame = pd.DataFrame(
                    {i: pd.Series(pc.fill_null(table.column(i), ""), dtype="str") for i in range(ncols)}
                )
                rows = np.arange(header_line + 1, header_line + 1 + len(frame), dtype=np.int64)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            frame = None
    if frame is None:
        if text is None:
            text, encoding = _decode(data)
        fields = body.count(delimiter.encode()) + lines + 1  # at most this many cells, whatever the quoting
        if fields > max_cells:
            raise FileRejected("csv_too_large", rows=f"{lines:,}", cols=ncols, cells=f"> {max_cells:,}", limit=f"{max_cells:,}")  # fmt: skip
        frame, rows = _csv_python(text, header_line, ncols, delimiter, max_cells)
    return _finish(frame, rows, headers, "csv", encoding, None, [], header_line, maybe_errors=b"#" in body)


_LINE_END = re.compile(rb"\r\n|\r|\n")


def _data_start(body: bytes, header_line: int) -> int:
    """The byte offset just past line ``header_line`` (1-based) of ``body``, or 0 when it is not within the first
    MiB. Lines, not records: a quoted line break in the header makes the offset earlier, never later."""
    for n, m in enumerate(_LINE_END.finditer(body, 0, 1 << 20), start=1):
        if n == header_line:
            return m.end()
    return 0


def _csv_python(
    text: str, header_line: int, ncols: int, delimiter: str, max_cells: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Slow path for ragged rows and text that is not UTF-8 throughout: the csv module, rows numbered by record."""
    out: list[list[str]] = []
    rows: list[int] = []
    width, widest = ncols, header_line
    for number, rec in enumerate(_records(text, delimiter), start=1):
        if number <= header_line:
            continue
        out.append(rec)
        rows.append(number)
        if len(rec) > width:
            width, widest = len(rec), number
    if width > max_file_columns() or len(out) * width > max_cells:  # one overlong row would widen every row
        limit = min(max_file_columns(), max_cells // max(len(out), 1))
        raise FileRejected("csv_too_wide", row=widest, n=width, limit=limit)
    padded = [r + [""] * (width - len(r)) for r in out]
    frame = pd.DataFrame(padded, columns=range(width), dtype="str") if padded else pd.DataFrame(columns=range(width))
    return frame.astype("str"), np.array(rows, dtype=np.int64)


# ---------------------------------------------------------------- header, totals, notes


def _find_header(head: list[list[str]], known: set[str], where: str) -> int:
    best, best_score = -1, 0
    for i, rec in enumerate(head[:HEADER_SCAN_ROWS]):
        keys = [header_key(c) for c in rec if str(c).strip()]
        if not keys:
            continue
        if not known:
            return i
        score = sum(1 for k in keys if k in known or _bare(k) in known)
        if score > best_score:
            best, best_score = i, score
    if best < 0 or best_score < min(2, len(known)):
        raise FileRejected("file_no_header", n=HEADER_SCAN_ROWS, where=where)
    return best


def _finish(
    frame: pd.DataFrame,
    rows: np.ndarray,
    header_cells: list,
    file_format: str,
    encoding: str | None,
    sheet: str | None,
    sheets: list[str],
    header_row: int,
    issues: list[Issue] | None = None,
    *,
    maybe_errors: bool = True,
) -> RawTable:
    issues = list(issues or [])
    where = f"sheet {sheet}" if sheet else file_format.upper()
    if any(str(t) != "str" or frame[c].hasnans for c, t in frame.dtypes.items()):
        frame = frame.fillna("").astype("str")
    width = len(frame.columns)
    cells = [str(c).strip() for c in header_cells] + [""] * max(0, width - len(header_cells))
    keep = [i for i in range(width) if cells[i] or _filled(pa.array(frame[frame.columns[i]].array)).any()]
    headers: list[str] = []
    seen: dict[str, int] = {}
    for i in keep:
        base = cells[i] or f"(第{i + 1}列)"
        n = seen.get(base, 0) + 1
        seen[base] = n
        name = base if n == 1 else f"{base}.{n}"
        if n > 1:
            issues.append(Issue(None, base, "", "header_duplicate", {"header": base, "renamed": name}, WARNING))
        headers.append(name)
    frame = frame[[frame.columns[i] for i in keep]]
    frame.columns = headers
    frame = frame.reset_index(drop=True)
    for issue in issues:
        if isinstance(issue.column, int):
            issue.column = headers[keep.index(issue.column)] if issue.column in keep else ""
    if maybe_errors:
        issues += _error_values(frame, headers, rows)
    nonblank = np.zeros(len(frame), dtype=np.int64)
    maybe_total = np.zeros(len(frame), dtype=bool)
    for i, h in enumerate(headers):
        arr = pa.array(frame[h].array)
        nonblank += _filled(arr)
        if i < TOTAL_LABEL_COLUMNS:
            maybe_total |= _maybe_total(arr)
    blank = nonblank == 0
    note = np.zeros(len(frame), dtype=bool)
    for i in np.flatnonzero(nonblank == 1):  # only rows with a single filled cell can be notes
        first = next(frame[h].iat[i].strip() for h in headers if frame[h].iat[i].strip())
        note[i] = bool(NOTE_RE.match(first))
    total = np.zeros(len(frame), dtype=bool)
    label = {}
    for i in np.flatnonzero(maybe_total):
        for h in headers[:TOTAL_LABEL_COLUMNS]:
            compact = re.sub(r"\s+", "", frame[h].iat[i])
            if re.match(TOTAL_RE, compact):
                total[i], label[i] = True, compact
                break
    skipped = [(int(r), "blank_row") for r in rows[blank]] + [(int(r), "note_row") for r in rows[note & ~blank]]
    totals = [
        {"row": int(rows[i]), "label": label[i], "values": {h: frame[h].iat[i] for h in headers}}
        for i in np.flatnonzero(total)
    ]
    data_mask = ~(blank | note | total)
    if not data_mask.any():
        raise FileRejected("file_no_data", where=where)
    if not data_mask.all():
        frame = frame[data_mask].reset_index(drop=True)
        rows = rows[data_mask]
    return RawTable(
        frame=frame,
        rows=np.asarray(rows, dtype=np.int64),
        headers=headers,
        file_format=file_format,
        encoding=encoding,
        sheet=sheet,
        sheets=sheets,
        header_row=header_row,
        totals=totals,
        skipped=sorted(skipped),
        issues=issues,
    )


_ERROR_VALUES = pa.array(EXCEL_ERRORS + EXCEL_NEW_ERRORS)


def _error_values(frame: pd.DataFrame, headers: list[str], rows: np.ndarray) -> list[Issue]:
    """A located ``cell_error`` for every cell that holds an Excel error value (#DIV/0!, #REF!, #N/A…), in any
    column: an error cell of an XLSX (put back by _sheet_grid), or the text a CSV export writes for one."""
    out = []
    for h in headers:
        arr = pa.array(frame[h].array)
        hit = pc.fill_null(pc.match_substring(arr, "#"), False)
        if not pc.any(hit).as_py():
            continue
        idx = np.flatnonzero(hit.to_numpy(zero_copy_only=False))
        values = pc.utf8_trim_whitespace(pc.take(arr, pa.array(idx)))
        err = pc.is_in(values, value_set=_ERROR_VALUES).to_numpy(zero_copy_only=False)
        for i, v in zip(idx[err], values.filter(pa.array(err)).to_pylist(), strict=True):
            out.append(Issue(int(rows[i]), h, v, "cell_error"))
    return out


def _spans(arr: pa.Array | pa.ChunkedArray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None:
    """Per chunk: (start, length) of every cell in bytes and the data buffer, straight from the Arrow buffers;
    None when there are nulls or the type is not a string (the callers then take the compute-kernel path)."""
    out = []
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        if chunk.null_count or not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return None
        _, offsets_buf, data_buf = chunk.buffers()
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(offsets_buf, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
        data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None and data_buf.size else _NUL
        out.append((offsets[:-1], np.diff(offsets), data))
    return out


def _byte(spans_part: tuple[np.ndarray, np.ndarray, np.ndarray], i: int, idx: np.ndarray | None = None) -> np.ndarray:
    """Byte ``i`` of every cell (or of the cells ``idx``), 0 past a cell's end."""
    start, length, data = spans_part
    if idx is not None:
        start, length = start[idx], length[idx]
    byte = data[np.minimum(start + i, len(data) - 1)]
    return np.where(length > i, byte, 0)


def _utf8_head(ch: str) -> int:
    b = ch.encode("utf-8")
    return b[0] << 16 | b[1] << 8 | b[2] if len(b) >= 3 else b[0] << 16


_NUL = np.zeros(1, dtype=np.uint8)
_TOTAL_HEADS = np.array([_utf8_head(c) for c in "合小总共 \u3000"], dtype=np.int64)
_TOTAL_LEADS = np.zeros(256, dtype=bool)
_TOTAL_LEADS[[h >> 16 for h in _TOTAL_HEADS]] = True
# lead bytes of every whitespace character: ASCII \t\n\v\f\r, FS GS RS US and space, U+0085 and U+00A0
# (C2), U+1680 (E1), U+2000–U+205F (E2), U+3000 (E3)
_SPACE_LEADS = np.zeros(256, dtype=bool)
_SPACE_LEADS[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 0xC2, 0xE1, 0xE2, 0xE3]] = True


def _maybe_total(arr: pa.Array) -> np.ndarray:
    """Cells that may start with 合计/小计/总计/共计: cheap prefix test, then a regex on the few candidates."""
    spans = _spans(arr)
    if spans is None:
        cand = np.zeros(len(arr), dtype=bool)
        for prefix in ("合", "小", "总", "共", " ", "\u3000"):
            cand |= pc.fill_null(pc.starts_with(arr, prefix), False).to_numpy(zero_copy_only=False)
    else:
        parts = []
        for part in spans:
            lead = _byte(part, 0)
            cand = _TOTAL_LEADS[lead] & (part[1] > 0)
            idx = np.flatnonzero(cand)
            head = lead[idx].astype(np.int64) << 16 | _byte(part, 1, idx).astype(np.int64) << 8 | _byte(part, 2, idx)
            cand[idx] = (lead[idx] == 32) | np.isin(head, _TOTAL_HEADS)
            parts.append(cand)
        cand = np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
    idx = np.flatnonzero(cand)
    if len(idx):
        hit = pc.match_substring_regex(pc.take(arr, pa.array(idx)), r"^\s*[合小总共]\s*计").to_numpy(
            zero_copy_only=False
        )
        cand[idx[~hit]] = False
    return cand


def _filled(arr: pa.Array) -> np.ndarray:
    """Per cell: not empty and not only whitespace."""
    spans = _spans(arr)
    if spans is None:
        filled = pc.fill_null(pc.greater(pc.binary_length(arr), 0), False).to_numpy(zero_copy_only=False)
        if filled.any():
            filled &= ~pc.fill_null(pc.utf8_is_space(arr), False).to_numpy(zero_copy_only=False)
        return filled
    filled = np.concatenate([part[1] > 0 for part in spans]) if spans else np.zeros(0, dtype=bool)
    maybe_space = np.concatenate([_SPACE_LEADS[_byte(part, 0)] for part in spans]) if spans else filled
    idx = np.flatnonzero(filled & maybe_space)  # only these can be all whitespace
    if len(idx):
        filled[idx] = ~pc.fill_null(pc.utf8_is_space(pc.take(arr, pa.array(idx))), False).to_numpy(zero_copy_only=False)  # fmt: skip
    return filled


# ---------------------------------------------------------------- XLSX


def _read_xlsx(
    data: bytes, file_name: str, sheet: str | None, known: set[str], max_uncompressed: int, max_cells: int
) -> RawTable:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise FileRejected("file_corrupt", detail=type(exc).__name__) from None
    entries = {i.filename.lower(): i.filename for i in infos}
    if "xl/workbook.xml" not in entries or "xl/workbook.bin" in entries or "content.xml" in entries:
        raise FileRejected("file_format", name=file_name)  # ODS, XLSB, Numbers, a Word file…: only XLSX is read
    if len(entries) != len(infos):  # two parts of one name: we would check one and calamine might read the other
        raise FileRejected("file_corrupt", detail="duplicate parts")
    total = sum(i.file_size for i in infos)
    if total > max_uncompressed:
        raise FileRejected("file_too_large", size=_mb(total), limit=_mb(max_uncompressed))
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metas = [m for m in wb.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
    except Exception as exc:  # calamine raises several unrelated types for damaged files
        raise FileRejected("file_corrupt", detail=type(exc).__name__) from None
    names = [m.name for m in metas]
    hidden = [m.name for m in metas if m.visible != python_calamine.SheetVisibleEnum.Visible]
    if sheet is not None:
        if sheet not in names:
            raise FileRejected("sheet_not_found", sheet=sheet, sheets="、".join(names))
        candidates = [sheet]  # named: read even when hidden
    else:
        # the visible sheets (or the only one): a hidden sheet is read only when named
        candidates = [n for n in names if n not in hidden] or (names if len(names) == 1 else [])
    parts = _sheet_parts(zf, entries)
    last: FileRejected | None = None
    for name in candidates:
        grid, start, formulas = _sheet_grid(zf, wb, name, parts.get(name), max_cells, data)
        if isinstance(grid, pa.RecordBatch):
            head = grid.slice(0, HEADER_SCAN_ROWS + 1).to_pylist()
            head_rows = [["" if v is None else v for v in r.values()] for r in head]
        else:
            head_rows = grid[: HEADER_SCAN_ROWS + 1]
        if not len(head_rows):
            last = FileRejected("file_no_header", n=HEADER_SCAN_ROWS, where=f"sheet {name}")
            continue
        r0, c0 = start
        try:
            h = _find_header([[_cell_str(c) for c in r] for r in head_rows[:HEADER_SCAN_ROWS]], known, f"sheet {name}")
        except FileRejected as exc:
            last = exc
            continue
        issues: list[Issue] = []
        if len(names) > 1:
            issues.append(Issue(None, "", "", "sheet_chosen", {"sheet": name, "sheets": "、".join(names)}, WARNING))
        not_read = [n for n in hidden if n != name]
        if sheet is None and not_read:
            issues.append(Issue(None, "", "", "sheet_hidden_skipped", {"sheets": "、".join(not_read)}, WARNING))
        header_row = r0 + h + 1  # as Excel numbers it
        if isinstance(grid, pa.RecordBatch):
            body = grid.slice(h + 1)
            frame = pd.DataFrame({c: _text_column(body.column(c)) for c in range(body.num_columns)})
            typed_issues = []
        else:
            frame, typed_issues = _typed_to_str(grid[h + 1 :], header_row + 1)
        issues += typed_issues
        issues += [Issue(r + 1, c - c0, "", "formula_no_value") for r, c in formulas if r + 1 > header_row]  # type: ignore[arg-type]
        rows = np.arange(header_row + 1, header_row + 1 + len(frame), dtype=np.int64)
        if not len(frame):
            raise FileRejected("file_no_data", where=f"sheet {name}")
        header = [_cell_str(c) for c in head_rows[h]]
        return _finish(frame, rows, header, "xlsx", None, name, names, header_row, issues, maybe_errors=True)
    unread = [n for n in hidden if n not in candidates]
    if sheet is None and unread and (last is None or last.code == "file_no_header"):
        raise FileRejected("sheet_hidden_only", sheets="、".join(unread))  # the data may be on a hidden sheet
    raise last or FileRejected("file_empty")


def _text_sheet(data: bytes, name: str, scan: _Scan) -> pa.RecordBatch | None:
    """A sheet whose every cell is text (the XML scan says so), read by fastexcel straight into Arrow strings:
    the same calamine reader underneath, without a Python object per cell. None (read it the usual way) when
    fastexcel fails or its rectangle is not the scanned one, so no cell can land in another row or column."""
    try:
        batch = fastexcel.read_excel(data).load_sheet(name, header_row=None, dtypes="string", eager=True)
    except Exception:  # noqa: BLE001 - the usual path decides what a damaged sheet is
        return None
    if batch.num_rows != scan.rows or batch.num_columns != scan.cols:
        return None
    if not all(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t) for t in batch.schema.types):
        return None
    return batch


def _text_column(arr: pa.Array) -> pd.Series:
    """One column of a text sheet as cells: blank for an empty cell."""
    if pa.types.is_null(arr.type):
        arr = arr.cast(pa.large_string())
    return pd.Series(pc.fill_null(arr, ""), dtype="str")


def _sheet_grid(
    zf: zipfile.ZipFile, wb, name: str, part: str | None, max_cells: int, data: bytes | None = None
) -> tuple[list[list] | pa.RecordBatch, tuple[int, int], list[tuple[int, int]]]:
    """The cells of sheet ``name`` from calamine (the area of the cells present, never a dense grid from A1), its
    top-left position (0-based), and where its formulas without a cached value are.

    The sheet XML is scanned first: calamine allocates the whole rectangle of the cells present before any of
    our code runs again (one cell at A1 and one at XFD1048576 ask for 512 GiB and abort the process), so a
    rectangle over ``max_cells`` is refused here. Excel error cells, which calamine reads as blanks, are put
    back as their error text so that the check of every cell finds them. A sheet of text cells only (the scan
    says so) comes back as an Arrow record batch read by fastexcel (``data``: the workbook's bytes)."""
    if part is None:
        raise FileRejected("file_corrupt", detail=f"sheet {name} has no part")
    try:
        xml = zf.read(part)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, KeyError) as exc:
        raise FileRejected("file_corrupt", detail=type(exc).__name__) from None
    scan = _scan_sheet(xml)
    if scan.cells and (scan.r1 >= MAX_ROWS or scan.c1 >= MAX_COLUMNS):
        raise FileRejected("file_corrupt", detail="a cell beyond XFD1048576")
    if scan.area > max_cells:
        raise FileRejected(
            "sheet_too_large",
            sheet=name,
            area=f"{_ref(scan.r0, scan.c0)}:{_ref(scan.r1, scan.c1)}",
            rows=f"{scan.rows:,}",
            cols=f"{scan.cols:,}",
            cells=f"{scan.area:,}",
            limit=f"{max_cells:,}",
            far=_ref(scan.far[0], scan.far[1]),
        )
    if scan.cols > max_file_columns():
        area = f"{_ref(scan.r0, scan.c0)}:{_ref(scan.r1, scan.c1)}"
        raise FileRejected(
            "sheet_too_wide", sheet=name, area=area, cols=f"{scan.cols:,}", limit=f"{max_file_columns():,}",
            far=_ref(scan.far[0], scan.far[1]),
        )  # fmt: skip
    formulas = _formula_cells(xml, scan) if scan.formulas else []
    errors = _error_cells(xml, scan, name) if scan.hashes else {}
    del xml
    if scan.all_text and not errors and data is not None:
        batch = _text_sheet(data, name, scan)
        if batch is not None:
            return batch, (scan.r0, scan.c0), formulas
    try:
        ws = wb.get_sheet_by_name(name)
        start = ws.start
        grid = ws.to_python(skip_empty_area=True) if start is not None else []
        del ws
    except Exception as exc:  # noqa: BLE001 - a damaged sheet is a damaged file
        raise FileRejected("file_corrupt", detail=type(exc).__name__) from None
    if not grid:
        return [], (0, 0), formulas
    r0, c0 = start
    for (r, c), value in errors.items():
        row = grid[r - r0] if 0 <= r - r0 < len(grid) else None
        if row is not None and 0 <= c - c0 < len(row):
            row[c - c0] = value
    return grid, (r0, c0), formulas


def _sheet_parts(zf: zipfile.ZipFile, entries: dict[str, str]) -> dict[str, str]:
    """Sheet name → the zip entry of its XML, resolved as calamine resolves it (so we scan what it will read)."""
    try:
        book = zf.read(entries["xl/workbook.xml"])
        rels = zf.read(entries["xl/_rels/workbook.xml.rels"])
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return {}
    targets: dict[bytes, bytes] = {}
    for m in re.finditer(rb"<(?:[\w.-]+:)?Relationship\b([^>]*)>", rels):
        attrs = dict(_attr_list(m.group(1)))
        if b"Id" in attrs:
            targets[attrs[b"Id"]] = attrs.get(b"Target", b"")  # a later one of the same id wins, as in calamine
    parts: dict[str, str] = {}
    for m in re.finditer(rb"<(?:[\w.-]+:)?sheet\b([^>]*)>", book):
        name = path = None
        for key, value in _attr_list(m.group(1)):
            if key == b"name":
                name = html.unescape(value.decode("utf-8", "replace"))
            elif key in (b"r:id", b"relationships:id") and value in targets:
                t = targets[value].decode("utf-8", "replace")
                path = t[1:] if t.startswith("/xl/") else t if t.startswith("xl/") else "xl/" + t
        if name is not None and path is not None and path.lower() in entries:
            parts.setdefault(name, entries[path.lower()])  # the first sheet of a name, as calamine finds it
    return parts


def _attr_list(attrs: bytes) -> list[tuple[bytes, bytes]]:
    return [(k, a if a is not None else b) for k, a, b in re.findall(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""", attrs)]  # fmt: skip


def _col_name(col: int) -> str:
    """0-based column index → Excel letters (0 → A, 16383 → XFD)."""
    out = ""
    col += 1
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _ref(row: int, col: int) -> str:
    return f"{_col_name(col)}{row + 1}"


def _col_index(letters: bytes) -> int:
    """Excel letters (either case, as calamine reads them) → 0-based column index."""
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return col - 1


# ---------------------------------------------------------------- the sheet XML, scanned before calamine


@dataclass
class _Scan:
    """The rectangle of the cells present in a sheet's XML (0-based, inclusive), whether it may hold formulas
    and error values, and the XML namespace prefix its tags use."""

    lo: int = 0
    hi: int = 0
    prefix: bytes = b""
    cells: int = 0
    r0: int = MAX_ROWS
    c0: int = MAX_COLUMNS
    r1: int = -1
    c1: int = -1
    far: tuple[int, int] = (0, 0)  # the cell furthest down (then right), for the message
    formulas: bool = False
    hashes: bool = False
    errors_at: list[tuple[int, int, int]] | None = None  # (row, col, end of tag) of t="e" cells, slow path only
    all_text: bool = False  # every cell tag is <c r="…" t="s|str|inlineStr": a text cell (fast path only)

    @property
    def rows(self) -> int:
        return self.r1 - self.r0 + 1 if self.cells else 0

    @property
    def cols(self) -> int:
        return self.c1 - self.c0 + 1 if self.cells else 0

    @property
    def area(self) -> int:
        return self.rows * self.cols

    def add(self, r0: int, c0: int, r1: int, c1: int, far: tuple[int, int], n: int) -> None:
        self.r0, self.c0, self.c1 = min(self.r0, r0), min(self.c0, c0), max(self.c1, c1)
        if r1 > self.r1 or (r1 == self.r1 and far[1] > self.far[1]):
            self.r1, self.far = r1, far
        self.cells += n


_CHUNK = 1 << 23
_WIN = 11  # a cell reference: up to 3 letters, 7 digits and the closing quote
_J = np.arange(_WIN)
_DELIM = np.zeros(256, dtype=bool)
_DELIM[[9, 10, 13, 32, ord("/"), ord(">")]] = True
_UPPER = np.zeros(256, dtype=bool)
_UPPER[ord("A") : ord("Z") + 1] = True
_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[ord("0") : ord("9") + 1] = True


def _scan_sheet(xml: bytes) -> _Scan:
    """Where the cells of a sheet are, from its XML, exactly as calamine positions them (a cell's ``r``
    attribute, else the next column of the current row), before calamine reads it.

    The usual file (every ``<c`` tag starts ``<c r="A1"``) is scanned vectorised, 8 MiB at a time; anything
    else (cells without ``r``, attributes in another order, mixed namespace prefixes, lowercase references)
    is walked tag by tag. Cells without a value count too: the rectangle can only be larger than calamine's."""
    scan = _Scan()
    lo = xml.find(b"sheetData")
    if lo < 0:
        return scan
    hi = xml.rfind(b"sheetData")
    scan.lo, scan.hi = lo, (hi if hi > lo else len(xml))
    opener = xml.rfind(b"<", 0, lo)
    prefix = xml[opener + 1 : lo] if opener >= 0 else b"?"
    scan.prefix = prefix if re.fullmatch(rb"(?:[A-Za-z_][\w.-]*:)?", prefix) else b""
    scan.hashes = xml.find(b"#", scan.lo, scan.hi) >= 0
    if scan.prefix != prefix or not _scan_fast(xml, scan):
        scan = _Scan(scan.lo, scan.hi, scan.prefix, hashes=scan.hashes)
        _scan_slow(xml, scan)
    return scan


def _scan_fast(xml: bytes, scan: _Scan) -> bool:
    """The vectorised scan; False (scan incomplete) as soon as a tag is not in the usual form."""
    n, prefix = len(xml), scan.prefix
    if scan.hi - scan.lo < 64 or n < 64:
        return False
    scan.all_text = True
    a = np.frombuffer(xml, dtype=np.uint8)
    windows = np.ndarray(buffer=xml, dtype=f"V{_WIN}", shape=(n - _WIN + 1,), strides=(1,))
    own = (b"<" + prefix)[-1]  # the byte before the tag name: '<', or the ':' of the prefix
    other = ord(":") if not prefix else ord("<")  # a c tag with another prefix, or with none
    keys = [own | ord("c") << 8, own | ord("f") << 8, other | ord("c") << 8]
    for s in range(scan.lo, scan.hi, _CHUNK):
        e = min(s + _CHUNK, scan.hi)
        hits = []
        for start in (s, s + 1):  # byte pairs at even and odd offsets, read as 16-bit words
            u = np.frombuffer(xml, dtype=np.uint16, count=min((e - start + 1) // 2, (n - start) // 2), offset=start)
            hits.append(np.flatnonzero((u == keys[0]) | (u == keys[1]) | (u == keys[2])) * 2 + start)
        q = np.concatenate(hits)
        if len(q) and q.max() + 2 + 6 + _WIN > n:
            return False  # a tag cut off by the end of the file
        q = q[_DELIM[a[q + 2]]]  # the name ends right after the c or f: <c …>, <c/>, <f>
        first, name = a[q], a[q + 1]
        if ((first == own) & (name == ord("f"))).any():
            scan.formulas = True
        if ((first == other) & (name == ord("c"))).any():
            return False  # cells in another namespace prefix (or in none, when the sheet uses one)
        p = q[(first == own) & (name == ord("c"))]
        if prefix:  # ':c' must be the end of "<x:c" (or of a closing "</x:c")
            k = len(prefix)
            opening = np.ones(len(p), dtype=bool)
            closing = a[p - k] == ord("/")
            for i, ch in enumerate(b"<" + prefix[:-1]):
                opening &= a[p - k + i] == ch
                closing &= a[p - k - 1 + i] == ch
            if not (opening | closing).all():
                return False
            p = p[opening]
        if not len(p):
            continue
        canonical = (a[p + 2] == 32) & (a[p + 3] == ord("r")) & (a[p + 4] == ord("=")) & (a[p + 5] == ord('"'))
        if not canonical.all():
            return False
        w = windows[p + 6].view(np.uint8).reshape(-1, _WIN)
        letters = _UPPER[w].argmin(axis=1)  # the letters end at the first non-letter
        quote = (w == ord('"')).argmax(axis=1)
        digits = quote - letters
        ok = (letters >= 1) & (letters <= 3) & (digits >= 1) & (digits <= 7) & (w[np.arange(len(w)), quote] == ord('"'))  # fmt: skip
        ok &= (_DIGIT[w] & (_J < quote[:, None])).sum(axis=1) == digits
        if not ok.all():
            return False
        rows_max, far = _extreme_rows(w, letters, digits, max)
        rows_min, _ = _extreme_rows(w, letters, digits, min)
        cols = _extreme_cols(w, letters)
        scan.add(rows_min, cols[0], rows_max, cols[1], far, len(p))
        scan.all_text = scan.all_text and bool(_text_cells(a, p + 6 + quote, n).all())
    return True


def _is_at(a: np.ndarray, at: np.ndarray, text: bytes) -> np.ndarray:
    out = np.ones(len(at), dtype=bool)
    for i, ch in enumerate(text):
        out &= a[at + i] == ch
    return out


def _text_cells(a: np.ndarray, quote: np.ndarray, n: int) -> np.ndarray:
    """Per cell tag (``quote``: where its r attribute's closing quote is): the next attribute is t="s", t="str"
    or t="inlineStr", so the cell holds text (a shared, formula or inline string). A ``<`` cannot sit inside an
    attribute or a text node, so a cell's own text cannot pass for this."""
    out = np.zeros(len(quote), dtype=bool)
    fits = quote + 17 < n
    q = quote[fits]
    typed = _is_at(a, q + 1, b' t="')
    kind = (
        _is_at(a, q + 5, b's"')
        | _is_at(a, q + 5, b'str"')
        | _is_at(a, q + 5, b'inlineStr"')
    )  # fmt: skip
    out[fits] = typed & kind
    return out


def _extreme_rows(w: np.ndarray, letters: np.ndarray, digits: np.ndarray, pick) -> tuple[int, tuple[int, int]]:
    """The smallest or largest row (0-based) among the references in ``w``, computed only for the references
    with the fewest or most digits; with the column of the cell that has it."""
    idx = np.flatnonzero(digits == pick(digits.min(), digits.max()))
    value = np.zeros(len(idx), dtype=np.int64)
    for i in range(int(digits[idx[0]])):
        value = value * 10 + (w[idx, letters[idx] + i].astype(np.int64) - 48)
    at = int(np.argmax(value) if pick is max else np.argmin(value))
    col = 0
    for i in range(int(letters[idx[at]])):
        col = col * 26 + int(w[idx[at], i]) - 64
    return int(value[at]) - 1, (int(value[at]) - 1, col - 1)


def _extreme_cols(w: np.ndarray, letters: np.ndarray) -> tuple[int, int]:
    out = []
    for pick in (min, max):
        idx = np.flatnonzero(letters == pick(letters.min(), letters.max()))
        value = np.zeros(len(idx), dtype=np.int64)
        for i in range(int(letters[idx[0]])):
            value = value * 26 + (w[idx, i].astype(np.int64) - 64)
        out.append(int(pick(value.min(), value.max())) - 1)
    return out[0], out[1]


_TAG = re.compile(rb"""<(/?)(?:[A-Za-z_][\w.-]*:)?(c|row)(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ATTR_R = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ATTR_T_E = re.compile(rb"""(?:^|\s)t\s*=\s*(?:"e"|'e')""")
_REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")


def _scan_slow(xml: bytes, scan: _Scan) -> None:
    """Tag by tag, as calamine's cell reader walks the sheet: ``<row r>`` sets the row, ``</row>`` moves to the
    next one, a cell's ``r`` sets its place, and a cell without one takes the next column."""
    row_at = col_at = 0
    errors_at: list[tuple[int, int, int]] = []
    top = left = MAX_COLUMNS * MAX_ROWS
    bottom = right = -1
    far = (0, 0)
    for m in _TAG.finditer(xml, scan.lo, scan.hi):
        closing, tag, attrs = m.groups()
        empty = attrs.endswith(b"/")
        if tag == b"row":
            if not closing:
                r = _ATTR_R.search(attrs)
                if r:
                    value = r.group(1) if r.group(1) is not None else r.group(2)
                    if not value.isdigit() or int(value) < 1:
                        raise FileRejected("file_corrupt", detail="row number")
                    row_at = int(value) - 1
            if closing or empty:
                row_at, col_at = row_at + 1, 0
            continue
        if closing:
            continue
        r = _ATTR_R.search(attrs)
        if r:
            ref = _REF.fullmatch(r.group(1) if r.group(1) is not None else r.group(2))
            if ref is None or int(ref.group(2)) < 1:
                raise FileRejected("file_corrupt", detail="cell reference")
            row, col = int(ref.group(2)) - 1, _col_index(ref.group(1))
            col_at = col
        else:
            row, col = row_at, col_at
        col_at += 1
        top, left, right = min(top, row), min(left, col), max(right, col)
        if row > bottom or (row == bottom and col > far[1]):
            bottom, far = row, (row, col)
        scan.cells += 1
        if not empty and _ATTR_T_E.search(attrs):
            errors_at.append((row, col, m.end()))
    if scan.cells:
        scan.r0, scan.c0, scan.r1, scan.c1, scan.far = top, left, bottom, right, far
    scan.errors_at = errors_at
    scan.formulas = True  # the formula pattern below looks for itself


_V = re.compile(rb"<(?:[\w.-]+:)?v(?:\s[^>]*)?>([^<]*)<")
_T_E = re.compile(rb"""\st\s*=\s*(?:"e"|'e')""")


def _error_cells(xml: bytes, scan: _Scan, sheet: str) -> dict[tuple[int, int], str]:
    """(row, col) → error text of every Excel error cell (``t="e"`` with a cached value). calamine reads these as
    blanks, and cannot read a sheet at all that holds one of the newer error values: refused here, located."""
    found = scan.errors_at
    if found is None:  # fast path: every cell tag is <c r="A1" …>
        found = []
        for m in _T_E.finditer(xml, scan.lo, scan.hi):
            at = m.start()
            start, end = xml.rfind(b"<", scan.lo, at), xml.find(b">", at)
            tag = xml[start + 1 : end]
            if tag.split(None, 1)[0].rsplit(b":", 1)[-1] != b"c" or tag.endswith(b"/"):
                continue
            ref = _REF.match(xml, start + len(scan.prefix) + 6)
            if ref is None:  # never silently blank: a cell we cannot place is a damaged sheet
                raise FileRejected("file_corrupt", detail="error cell reference")
            found.append((int(ref.group(2)) - 1, _col_index(ref.group(1)), end + 1))
    out: dict[tuple[int, int], str] = {}
    for row, col, at in found:
        close = xml.find(b"c>", at)  # the end of the cell: </c> or </x:c>
        v = _V.search(xml, at, close if close > 0 else scan.hi)
        if v is None:
            continue  # no cached value: a formula without a result, reported as such
        value = v.group(1).decode("utf-8", "replace")
        if value not in EXCEL_ERRORS:
            raise FileRejected("cell_error_unreadable", sheet=sheet, cell=_ref(row, col), row=row + 1, value=value)
        out[(row, col)] = value
    return out


_FORMULA_RE: dict[bytes, re.Pattern] = {}


def _formula_cells(xml: bytes, scan: _Scan) -> list[tuple[int, int]]:
    """(row, col), 0-based, of the formula cells with no (or an empty) cached value: calamine reads them as blank."""
    p = re.escape(scan.prefix)
    pattern = _FORMULA_RE.get(scan.prefix)
    if pattern is None:
        pattern = _FORMULA_RE[scan.prefix] = re.compile(
            rb"<" + p + rb'c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*>\s*(?:<' + p + rb"f\b[^>]*/>|<" + p + rb"f\b[^>]*>[^<]*</"
            + p + rb"f>)\s*(?:<" + p + rb"v\s*/>|<" + p + rb"v>\s*</" + p + rb"v>)?\s*</" + p + rb"c>"
        )  # fmt: skip
    return [(int(m.group(2)) - 1, _col_index(m.group(1))) for m in pattern.finditer(xml, scan.lo, scan.hi)]


# ---------------------------------------------------------------- typed cells → text


def _cell_str(v: object) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v))
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return "" if v is None else str(v)


def _typed_to_str(grid: list[list], first_row: int) -> tuple[pd.DataFrame, list[Issue]]:
    """Typed calamine cells → strings: an all-text sheet in one Arrow conversion, otherwise all-text columns
    straight to Arrow and the others per unique value."""
    if not grid:
        return pd.DataFrame(), []
    n, width = len(grid), max(len(r) for r in grid)
    if any(len(r) != width for r in grid):
        grid = [list(r) + [""] * (width - len(r)) for r in grid]
    try:  # every cell text (the usual clerk file, and every blank): one list array, one take per column
        flat = pa.array(grid, type=pa.list_(pa.string())).flatten()
        at = np.arange(0, n * width, width)
        return pd.DataFrame({c: pd.Series(flat.take(at + c), dtype="str") for c in range(width)}), []
    except pa.ArrowException:
        pass
    cells2d = np.empty((n, width), dtype=object)
    cells2d[:] = grid
    out: dict[int, pd.Series] = {}
    issues: list[Issue] = []
    for c in range(width):
        cells = cells2d[:, c]
        try:
            out[c] = pd.Series(pa.array(cells, type=pa.string()), dtype="str")
            continue
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            pass
        codes, uniques = pd.factorize(pd.Series(cells, dtype=object), use_na_sentinel=True)
        conv = [_cell_str(u) for u in uniques]
        mapped = np.array(conv + [""], dtype=object)[codes]
        out[c] = pd.Series(mapped, dtype="str")
        for i, u in enumerate(uniques):
            if isinstance(u, float | int) and not isinstance(u, bool) and abs(u) >= 1e15:
                for r in np.flatnonzero(codes == i):
                    issues.append(Issue(first_row + int(r), c, "", "id_as_number"))  # type: ignore[arg-type]
    return pd.DataFrame(out), issues
