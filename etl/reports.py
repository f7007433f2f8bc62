"""Tables written for people: the clerk's error report (CSV or XLSX) and the writer both kinds share.

Text that a spreadsheet would run as a formula stays text: XLSX is written with formulas-from-strings
off, CSV cells starting with = + - @ tab or CR get a leading apostrophe in the report.
"""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

REPORT_HEADERS = ["级别 level", "行号 row", "列 column", "值 value", "代码 code", "原因", "reason"]
_REPORT_COLUMNS = ["row", "column", "value", "code", "reason_zh", "reason_en"]


def error_report(errors: pd.DataFrame, warnings: pd.DataFrame, fmt: str = "csv") -> bytes:
    """Errors then warnings of one check, bilingual headers; csv (UTF-8 with BOM) or xlsx."""
    report = pd.concat([errors.assign(level="错误 error"), warnings.assign(level="提示 warning")], ignore_index=True)
    report = report[["level", *_REPORT_COLUMNS]]
    report.columns = REPORT_HEADERS
    report["行号 row"] = report["行号 row"].astype("string").fillna("")
    if fmt == "csv":  # a spreadsheet must not run a clerk's "=…" cell as a formula
        for c in ("列 column", "值 value"):
            report[c] = report[c].where(~report[c].str.match(r"^[=+\-@\t\r]"), "'" + report[c])
    return write_table(report, fmt, sheet="错误清单")


def write_table(df: pd.DataFrame, fmt: str, sheet: str = "data") -> bytes:
    """Every cell as text: CSV (UTF-8 with BOM, quoted where needed) or XLSX (one sheet, header frozen)."""
    df = df.astype("str").fillna("") if len(df.columns) else df
    if fmt == "xlsx":
        import xlsxwriter

        buf = io.BytesIO()
        opts = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        with xlsxwriter.Workbook(buf, opts) as wb:
            ws = wb.add_worksheet(sheet)
            ws.write_row(0, 0, list(df.columns))
            for i, rec in enumerate(df.itertuples(index=False), start=1):
                ws.write_row(i, 0, rec)
            ws.freeze_panes(1, 0)
        return buf.getvalue()
    if fmt != "csv":
        raise ValueError(fmt)
    table = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
    sink = io.BytesIO()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(quoting_style="needed"))
    return b"\xef\xbb\xbf" + sink.getvalue()
