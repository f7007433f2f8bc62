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
