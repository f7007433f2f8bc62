"""Table downloads: XLSX (formulas-from-strings off) and CSV (formula-looking cells neutralised).

Every table on every page is offered through ``download_buttons``. Values are written as stored
(no rounding); text that a spreadsheet would run as a formula is kept as text.
"""

from __future__ import annotations

import io

import pandas as pd

from board.i18n import t

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would read as a formula (starts with = + - @ tab CR)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _neutral_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(lambda v: neutralise(v) if isinstance(v, str) else v)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV with BOM and CRLF (cells holding CR or LF are quoted); text cells neutralised, numbers exact."""
    return _neutral_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    """XLSX via xlsxwriter with strings_to_formulas/strings_to_urls off: '=1+1' stays a string."""
    buf = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with pd.ExcelWriter(buf, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        df.to_excel(writer, sheet_name=sheet[:31], index=False)
        ws = writer.sheets[sheet[:31]]
        for i, col in enumerate(df.columns):
            width = max([len(str(col))] + [len(str(v)) for v in df[col].head(200)]) + 2
            ws.set_column(i, i, min(width * 1.6, 60))
    return buf.getvalue()


def download_buttons(df: pd.DataFrame, name: str, key: str) -> None:
    """Two buttons (XLSX, CSV) under a table; files are built on click. ``name`` is the file stem, ``key`` unique on the page."""
    import streamlit as st

    frame = df.copy()  # built only when clicked (deferred), from this snapshot
    left, right, _ = st.columns([1, 1, 4])
    with left:
        st.download_button(
            t("export.xlsx"),
            lambda: to_xlsx_bytes(frame),
            file_name=f"{name}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}_xlsx",
            on_click="ignore",
            icon=":material/download:",
        )
    with right:
        st.download_button(
            t("export.csv"),
            lambda: to_csv_bytes(frame),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            on_click="ignore",
            icon=":material/download:",
        )
