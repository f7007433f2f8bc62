"""Exports of labelled tables: context lines, numbers at display precision, percent cells, formulas as text."""

from __future__ import annotations

import csv
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from board.export import neutralise, to_csv_bytes, to_xlsx_bytes
from board.selection import Options, Selection
from board.tables import Col, Table, display_frame, metric_col, table

EVIL = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")', "普通文本", "a=b"]
SEL = Selection(2026, 11, townships=("青石镇",))
OPTIONS = Options(years=(2026,), latest_month={2026: 11})


def _table():
    df = pd.DataFrame(
        {
            "town": EVIL,
            "funds": [136461.27000000002] * len(EVIL),
            "n": [3.0] * (len(EVIL) - 1) + [np.nan],
            "rate": [0.85321] * len(EVIL),
        }
    )
    cols = [Col("town", "col.township"), Col("funds", "col.actual", "money"), Col("n", "col.target", "count")]
    return table(df, [*cols, Col("rate", "col.rate", "rate")], "测试表", SEL, OPTIONS)


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


def test_xlsx_keeps_formulas_as_text_numbers_rounded_rates_as_percent_and_says_its_context(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(to_xlsx_bytes(_table()))
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "测试表"
    context = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(2, 6)}
    assert context == {
        "统计期": "2026年1–11月",
        "筛选": "青石镇",
        "数据截至": "2026年11月",
        "导出时间": "2026年11月28日 09:30",
    }
    header = 7
    assert [c.value for c in ws[header]] == ["镇街", "实际完成", "目标", "完成率"]
    cells = [ws.cell(row=header + 1 + i, column=1) for i in range(len(EVIL))]
    # openpyxl hands back a CR as its XML escape; the cell is still the text written
    assert [c.value.replace("_x000D_", "\r") for c in cells] == EVIL
    assert all(c.data_type == "s" for c in cells)  # text, not a formula ("f")
    money = ws.cell(row=header + 1, column=2)
    assert (money.value, money.number_format) == (136461.27, "#,##0.00")
    rate = ws.cell(row=header + 1, column=4)
    assert (rate.value, rate.number_format) == (0.8532, "0.0%")
    assert ws.cell(row=header + len(EVIL), column=3).value is None  # missing is blank, not nan


def test_csv_says_its_context_neutralises_formulas_and_writes_rates_as_percent():
    data = to_csv_bytes(_table())
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese correctly
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["测试表"] and rows[1][0] == "统计期" and rows[3] == ["数据截至", "2026年11月"]
    start = rows.index(["镇街", "实际完成", "目标", "完成率"]) + 1
    body = rows[start:]
    assert [r[0] for r in body] == ["'" + v if v[0] in "=+-@\t\r" else v for v in EVIL]
    assert {r[1] for r in body} == {"136461.27"}
    assert [r[2] for r in body] == ["3"] * (len(EVIL) - 1) + [""]
    assert {r[3] for r in body} == {"85.3%"}
    assert "nan" not in data.decode("utf-8-sig").lower() and "None" not in data.decode("utf-8-sig")


def test_file_name_carries_the_scope_and_period():
    assert _table().stem == "测试表_青石镇_2026年1–11月"


def test_a_metric_table_rounds_each_row_to_its_metrics_precision():
    df = pd.DataFrame({"metric": ["funds_in_place", "projects_signed"], "actual": [136461.27000000002, 88.0]})
    tab = table(df, [metric_col(), Col("actual", "col.actual", "value")], "t", SEL, OPTIONS)
    assert tab.frame["实际完成"].tolist() == [136461.27, 88.0]
    assert tab.row_kinds["实际完成"] == ["money", "count"]
    assert tab.frame["指标"].tolist() == ["到位资金", "签约项目"]


def _people_table():
    df = pd.DataFrame({"town": ["甲镇", "乙镇", "丙镇", "丁镇", "戊镇"], "n": [0.0, 1.0, 4.0, 5.0, np.nan]})
    return table(df, [Col("town", "col.township"), Col("n", "col.target", "people")], "人数", SEL, OPTIONS)


def test_counts_of_one_to_four_people_are_suppressed_on_screen_in_the_frame_and_in_both_exports(tmp_path):
    tab = _people_table()
    # the frame itself (what st.dataframe sends to the browser) no longer holds 1 or 4
    assert list(tab.frame["目标"])[:4] == [0.0, "<5", "<5", 5.0]
    shown = display_frame(tab).data["目标"].tolist()
    assert shown == ["0", "<5", "<5", "5", "—"]
    rows = list(csv.reader(io.StringIO(to_csv_bytes(tab).decode("utf-8-sig"), newline="")))
    start = rows.index(["镇街", "目标"]) + 1
    assert [r[1] for r in rows[start:]] == ["0", "<5", "<5", "5", ""]
    path = tmp_path / "p.xlsx"
    path.write_bytes(to_xlsx_bytes(tab))
    ws = openpyxl.load_workbook(path).active
    header = next(r for r in range(1, 12) if ws.cell(row=r, column=1).value == "镇街")
    values = [ws.cell(row=header + 1 + i, column=2).value for i in range(5)]
    assert values == [0, "<5", "<5", 5, None]


@pytest.mark.parametrize(
    ("title", "sheet"),
    [("Training: Course", "Training  Course"), ("a/b\\c[d]*?", "a b c d"), ("", "data"), ("x" * 40, "x" * 31)],
)
def test_a_title_excel_refuses_as_a_sheet_name_still_exports(title, sheet):
    from board.export import sheet_name

    assert sheet_name(title) == sheet
    tab = Table(pd.DataFrame({"a": ["1"]}), {"a": "text"}, title)
    assert to_xlsx_bytes(tab)[:2] == b"PK"


def _long_table_app():
    import pandas as pd

    from board import export
    from board.tables import Table

    n = 1234
    frame = pd.DataFrame({"项目": [f"P{i:04d}" for i in range(n)], "金额": [float(i) for i in range(n)]})
    tab = Table(frame, {"项目": "text", "金额": "money"}, "长表", stem="long")
    picked = export.show(tab, "long", selectable=True)
    import streamlit as st

    st.text(f"picked={picked}")


def test_a_long_table_is_shown_a_page_at_a_time_and_says_which_rows():
    from streamlit.testing.v1 import AppTest

    from board import export

    at = AppTest.from_function(_long_table_app).run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert len(shown) == export.SHOWN_ROWS and shown.iloc[0, 0] == "P0000"
    assert "1–500" in at.caption[0].value and "1,234" in at.caption[0].value
    at.number_input(key="long_page").set_value(3).run()
    shown = at.dataframe[0].value
    assert len(shown) == 1234 - 2 * export.SHOWN_ROWS and shown.iloc[0, 0] == "P1000"
    assert "1,001–1,234" in at.caption[0].value


def test_a_short_table_has_no_pager():
    from streamlit.testing.v1 import AppTest

    def app():
        import pandas as pd

        from board import export
        from board.tables import Table

        export.show(Table(pd.DataFrame({"x": ["a", "b"]}), {"x": "text"}, "t"), "short")

    at = AppTest.from_function(app).run()
    assert not at.exception and len(at.dataframe[0].value) == 2
    assert not at.number_input and not at.caption
