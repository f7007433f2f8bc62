"""The clerk's error report: bilingual headers, every finding, formulas kept as text in XLSX and CSV."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl

from etl.reports import error_report
from tests.checking import validated

PROJECTS = "项目编号,项目名称,所属镇街,产业类别,总投资（万元）,项目状态,签约日期,开工日期,竣工日期,投产日期"


def test_error_report_csv_and_xlsx_keep_formulas_as_text(tmp_path) -> None:
    v = validated(PROJECTS + "\nP1,甲,城关镇,新材料,=1+1,在谈,,,,\n")
    report = error_report(v.errors, v.warnings, "xlsx")
    path = tmp_path / "r.xlsx"
    path.write_bytes(report)
    ws = openpyxl.load_workbook(path).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "=1+1" in values and "行号 row" in values
    assert b"<f>" not in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    csv_text = error_report(v.errors, v.warnings, "csv").decode("utf-8-sig")
    assert "'=1+1" in csv_text and "原因" in csv_text and "reason" in csv_text


def test_errors_come_before_warnings_with_their_level() -> None:
    v = validated(PROJECTS + ",备注\nP1,甲,城关镇,新材料,x,在谈,,,,,n\n")
    assert len(v.errors) and len(v.warnings)  # a bad amount; an unknown column
    lines = list(csv.reader(io.StringIO(error_report(v.errors, v.warnings, "csv").decode("utf-8-sig"))))
    levels = [line[0] for line in lines[1:]]
    assert levels == ["错误 error"] * len(v.errors) + ["提示 warning"] * len(v.warnings)
