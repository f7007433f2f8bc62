"""Exports: XLSX keeps formula-looking text as text; CSV neutralises it; numbers stay exact."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from board.export import neutralise, to_csv_bytes, to_xlsx_bytes

EVIL = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")', "普通文本", "a=b"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"镇街": EVIL, "到位资金(万元)": [1234.5678] * len(EVIL), "n": list(range(len(EVIL)))})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-x", "'-x"),
        ("@a", "'@a"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        ("城关镇", "城关镇"),
        ("", ""),
    ],
)
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def test_xlsx_keeps_formulas_as_strings_and_numbers_exact(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(to_xlsx_bytes(_frame(), "总览"))
    ws = openpyxl.load_workbook(path).active
    assert ws.title == "总览"
    assert [c.value for c in ws[1]] == ["镇街", "到位资金(万元)", "n"]
    cells = [ws.cell(row=i + 2, column=1) for i in range(len(EVIL))]
    # openpyxl hands back a CR as its XML escape; the cell is still the text written
    assert [c.value.replace("_x000D_", "\r") for c in cells] == EVIL
    assert all(c.data_type == "s" for c in cells)  # text, not a formula ("f")
    assert ws.cell(row=2, column=2).value == 1234.5678


def test_csv_prefixes_formula_cells_and_keeps_numbers():
    data = to_csv_bytes(_frame())
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese correctly
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["镇街", "到位资金(万元)", "n"]
    assert [r[0] for r in rows[1:]] == ["'" + v if v[0] in "=+-@\t\r" else v for v in EVIL]
    assert [float(r[1]) for r in rows[1:]] == [1234.5678] * len(EVIL)
    negative = to_csv_bytes(pd.DataFrame({"x": [-5.0]}))
    assert negative.decode("utf-8-sig").splitlines() == ["x", "-5.0"]  # a number is not text


def test_csv_neutralises_header_cells():
    data = to_csv_bytes(pd.DataFrame({"=cmd": ["a"]}))
    assert data.decode("utf-8-sig").splitlines()[0] == "'=cmd"
