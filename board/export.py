"""Table downloads (XLSX and CSV) of a labelled table (board.tables.Table), built when clicked.

Both carry the table's title and context lines (period, filters, data through, made at) above the
header. Numbers are written as numbers at their display precision: XLSX cells carry a number format
(two decimals for money, whole numbers for counts, ``0.0%`` for rates, ``+0.0`` for percentage points);
CSV rates are written as ``85.3%``, which Excel reads as a percentage, points as ``-12.5``. Missing
values are blank. Text a spreadsheet would run as a formula is kept as text.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re

from board.i18n import t
from board.tables import NUMERIC_KINDS, Table

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_XLSX_FORMATS = {
    "money": "#,##0.00",
    "usd": "#,##0.00",
    "count": "#,##0",
    "people": "#,##0",
    "ratio": "#,##0.00",
    "rate": "0.0%",
    "points": "+0.0;-0.0;0.0",
}


def neutralise(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would read as a formula (starts with = + - @ tab CR)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _kinds(tab: Table, label: str) -> list[str]:
    return tab.row_kinds.get(label) or [tab.kinds[label]] * len(tab.frame)


def to_csv_bytes(tab: Table) -> bytes:
    """UTF-8 CSV with BOM and CRLF: title and context lines, a blank line, then the table."""
    lines: list[list[str]] = [[neutralise(tab.title)]]
    lines += [[neutralise(k), neutralise(v)] for k, v in tab.context]
    lines.append([])
    lines.append([neutralise(str(c)) for c in tab.frame.columns])
    cols = []
    for label in tab.frame.columns:
        values = tab.frame[label]
        kind = tab.kinds[label]
        if kind in NUMERIC_KINDS:
            cols.append([_csv_number(v, k) for v, k in zip(values, _kinds(tab, label), strict=True)])
        else:
            cols.append([neutralise(str(v)) for v in values])
    lines += [list(row) for row in zip(*cols, strict=True)] if cols else []
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(lines)
    return buf.getvalue().encode("utf-8-sig")


def _csv_number(v: object, kind: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, str):  # a suppressed small count ("<5")
        return v
    if kind == "rate":
        return f"{float(v) * 100:.1f}%"
    if kind == "points":  # percentage points, signed: +3.2 / -12.5
        return f"{float(v):+.1f}"
    if kind in ("count", "people"):
        return str(int(round(float(v))))
    return f"{float(v):.2f}"


def sheet_name(title: str) -> str:
    """A worksheet name Excel accepts: the title without []:*?/\\ and leading/trailing apostrophes, ≤ 31 chars."""
    name = re.sub(r"[\[\]:*?/\\]", " ", title or "").strip(" '")[:31].strip(" '")
    return name or "data"


def to_xlsx_bytes(tab: Table) -> bytes:
    """XLSX via xlsxwriter (strings never become formulas or links): title, context, header, rows."""
    import xlsxwriter

    buf = io.BytesIO()
    opts = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(buf, opts) as wb:
        ws = wb.add_worksheet(sheet_name(tab.title))
        bold = wb.add_format({"bold": True, "font_size": 13})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        number = {k: wb.add_format({"num_format": f}) for k, f in _XLSX_FORMATS.items()}
        ws.write_string(0, 0, tab.title, bold)
        for i, (k, v) in enumerate(tab.context, start=1):
            ws.write_string(i, 0, k)
            ws.write_string(i, 1, v)
        top = len(tab.context) + 2
        for j, label in enumerate(tab.frame.columns):
            ws.write_string(top, j, str(label), head)
            kinds = _kinds(tab, label)
            numeric = tab.kinds[label] in NUMERIC_KINDS
            for i, v in enumerate(tab.frame[label], start=top + 1):
                if numeric and isinstance(v, str):  # a suppressed small count ("<5")
                    ws.write_string(i, j, v)
                elif numeric:
                    if v is not None and not (isinstance(v, float) and math.isnan(v)):
                        ws.write_number(i, j, float(v), number[kinds[i - top - 1]])
                elif v != "":
                    ws.write_string(i, j, str(v))
            width = max([len(str(label))] + [len(str(v)) for v in tab.frame[label].head(200)]) + 2
            ws.set_column(j, j, min(max(width * 1.6, 10), 60))
        ws.freeze_panes(top + 1, 0)
    return buf.getvalue()


def download_buttons(tab: Table, key: str) -> None:
    """Two buttons (XLSX, CSV) under a table; the files are built when clicked. ``key`` unique on the page.
    Only for accounts allowed to export (analyst and up, board.access): for others nothing is drawn."""
    import streamlit as st

    from board import access

    if not access.can("export"):
        return

    with st.container(horizontal=True, gap="small"):
        st.download_button(
            t("export.xlsx"),
            lambda: to_xlsx_bytes(tab),
            file_name=f"{tab.stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}_xlsx",
            on_click="ignore",
            icon=":material/download:",
            width="content",
        )
        st.download_button(
            t("export.csv"),
            lambda: to_csv_bytes(tab),
            file_name=f"{tab.stem}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            on_click="ignore",
            icon=":material/download:",
            width="content",
        )


SHOWN_ROWS = 500  # rows sent to the browser at once; a longer table is shown a page at a time (the export has all)


def page(tab: Table, key: str) -> tuple[Table, int]:
    """The part of ``tab`` the browser gets and the position of its first row: the whole table up to SHOWN_ROWS
    rows, else one page of SHOWN_ROWS chosen by a page number under the table, with a caption saying which rows
    these are (st.dataframe of 100k rows sends ~5 MB and takes ~100 ms; the Styler formats every row it gets)."""
    import dataclasses

    import streamlit as st

    n = len(tab.frame)
    if n <= SHOWN_ROWS:
        return tab, 0
    pages = -(-n // SHOWN_ROWS)
    page = st.number_input(t("table.page", pages=pages), 1, pages, 1, key=f"{key}_page", width=160)
    first = (int(page) - 1) * SHOWN_ROWS
    last = min(first + SHOWN_ROWS, n)
    st.caption(t("table.rows_shown", first=f"{first + 1:,}", last=f"{last:,}", rows=f"{n:,}"))
    part = dataclasses.replace(
        tab,
        frame=tab.frame.iloc[first:last].reset_index(drop=True),
        row_kinds={k: v[first:last] for k, v in tab.row_kinds.items()},
    )
    return part, first


def show(tab: Table, key: str, selectable: bool = False) -> int | None:
    """The table as the page shows it (board.tables.display_frame; a long one a page of SHOWN_ROWS at a time), with
    its download buttons (always the whole table). With ``selectable`` a click on a row selects it: the row's
    position in the whole table is returned (None when none is)."""
    import streamlit as st

    from board.tables import display_frame

    shown, first = page(tab, key)
    if not selectable:
        st.dataframe(display_frame(shown), hide_index=True)
        download_buttons(tab, key)
        return None
    # The widget key follows the rows: a selection made in another view never points at this one's rows.
    rows_id = (
        hashlib.sha1("\x1f".join(map(str, shown.frame.iloc[:, 0])).encode()).hexdigest()[:12]
        if len(shown.frame.columns)
        else ""
    )
    event = st.dataframe(
        display_frame(shown), hide_index=True, on_select="rerun", selection_mode="single-row", key=f"{key}_{rows_id}"
    )
    download_buttons(tab, key)
    rows = event.selection.rows if event is not None else []
    return first + rows[0] if rows else None
