"""Templates: header row from the contract, one valid example row, and the 说明 sheet describing every column."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from etl.contracts import DATASETS
from etl.templates import template


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_csv_template_headers_come_from_the_contract(name: str) -> None:
    ds = DATASETS[name]
    zh = pd.read_csv(io.BytesIO(template(ds)), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(zh.columns) == [c.zh for c in ds.columns]
    assert len(zh) == 1
    en = pd.read_csv(io.BytesIO(template(ds, "csv", "en")), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(en.columns) == [c.name for c in ds.columns]


def test_xlsx_template_has_help_sheet_and_text_columns() -> None:
    ds = DATASETS["returnees"]
    wb = openpyxl.load_workbook(io.BytesIO(template(ds, "xlsx")))
    assert wb.sheetnames == ["数据", "说明"]
    data = wb["数据"]
    header = [c.value for c in data[1]]
    assert header == [c.zh for c in ds.columns]
    id_cell = data.cell(row=2, column=header.index("身份证号") + 1)
    assert id_cell.data_type == "s" and id_cell.number_format == "@"  # an ID never becomes an Excel number
    info = list(wb["说明"].iter_rows(values_only=True))
    table = {r[1]: r for r in info[3:] if r and r[1]}
    assert set(table) == {c.name for c in ds.columns}
    assert table["township"][4] == "是 yes"  # required
    assert "待业" in table["status"][5]  # allowed values
    assert "不入库" in table["phone"][6]  # help text
    assert ds.grain_zh in info[0][0]


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError):
        template(DATASETS["projects"], "pdf")


def test_xlsx_header_cells_carry_notes_with_units_and_required() -> None:
    ds = DATASETS["projects"]
    ws = openpyxl.load_workbook(io.BytesIO(template(ds, "xlsx"))).worksheets[0]
    notes = {c.value: (c.comment.text if c.comment else "") for c in ws[1]}
    assert "单位：万元" in notes["总投资(万元)"] and "必填" in notes["总投资(万元)"]
    assert "单位：亩" in notes["用地面积(亩)"] and "必填" not in notes["用地面积(亩)"]
    en = openpyxl.load_workbook(io.BytesIO(template(ds, "xlsx", "en"))).worksheets[0]
    assert "unit: 万美元" in {c.value: c.comment.text for c in en[1]}["foreign_contract"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_xlsx_enum_columns_have_drop_down_lists_of_their_choices(lang: str) -> None:
    ds = DATASETS["targets"]
    wb = openpyxl.load_workbook(io.BytesIO(template(ds, "xlsx", lang)))
    ws, info = wb.worksheets[0], wb["说明"]
    header = [c.value for c in ws[1]]
    (dv,) = ws.data_validations.dataValidation
    column = "ABCDEFGHIJ"[header.index("指标" if lang == "zh" else "metric")]
    assert dv.type == "list" and str(dv.sqref) == f"{column}2:{column}10001"
    sheet, cells = dv.formula1.split("!")
    first, last = cells.replace("$", "").split(":")
    values = [c.value for row in info[first:last] for c in row]
    metric = ds.column("metric")
    assert len(values) == len(metric.choices)
    if lang == "zh":
        assert "合同引资" in values and "到位资金" in values  # the Chinese names of the metric codes
        assert all(metric.aliases.get(v, v) in metric.choices for v in values)
    else:
        assert values == list(metric.choices)


def test_xlsx_example_row_is_marked() -> None:
    ws = openpyxl.load_workbook(io.BytesIO(template(DATASETS["labor"], "xlsx"))).worksheets[0]
    cell = ws.cell(row=2, column=1)
    assert cell.font.i and cell.fill.fgColor.rgb.endswith("FFF2CC")
    assert "示例" in cell.comment.text and "忽略" in cell.comment.text


def test_a_filled_xlsx_template_is_read_without_its_example_row() -> None:
    from etl.check import Context, check

    ds = DATASETS["labor"]
    wb = openpyxl.load_workbook(io.BytesIO(template(ds, "xlsx")))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    filled = {"镇街": "柳河镇", "月份": "2026-10", "县外劳务输出(人)": "30", "其中有组织输出(人)": "20"}
    ws.append([filled.get(h, "") for h in header])
    buf = io.BytesIO()
    wb.save(buf)
    c = check(buf.getvalue(), "labor.xlsx", Context(), key=b"k" * 32)
    assert c.status == "ok" and c.dataset is ds
    frame = c.validated.frame
    assert frame[["township", "export_total", "export_organized"]].values.tolist() == [["柳河镇", 30, 20]]
    assert c.validated.raw.rows.tolist() == [3]  # row 2, the example, is not data
    assert c.warnings["code"].tolist().count("example_row") == 1
