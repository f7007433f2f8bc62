"""The monthly bulletin: the workbook's numbers are the read side's, no cell is a formula (hostile text included),
the PDF's text holds the Chinese title and the unit names, and ``python -m etl bulletin`` writes both."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from board import bulletin
from board.i18n import t
from board.metrics import assessment, progress, targets
from board.selection import Selection
from etl import assessment_rules
from etl.__main__ import main as cli
from tests.test_board_metrics_assessment import db  # noqa: F401  (the hand-built warehouse with a hostile name)

YEAR, MONTH = 2026, 10


@pytest.fixture(autouse=True)
def rules_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "assessment_rules.toml"
    monkeypatch.setenv(assessment_rules.ENV, str(path))
    return path


def sheet(wb, key: str, lang: str = "zh") -> list[dict]:
    """The rows of one section's sheet as dicts (header on the fourth row)."""
    ws = wb[t(f"bulletin.sheet.{key}", lang)]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_the_workbooks_numbers_are_the_read_sides(board_env):
    v = assessment.current_version()
    wb = openpyxl.load_workbook(io.BytesIO(bulletin.xlsx_bytes(YEAR, MONTH, "zh")))
    assert wb.sheetnames[0] == t("bulletin.sheet.cover", "zh")
    assert wb.worksheets[0]["A1"].value == "2026年10月招商引资月度通报"
    sel = Selection(YEAR, MONTH)
    head = progress.progress(sel)
    rows = sheet(wb, "headline")
    assert [r[t("col.actual", "zh")] for r in rows] == pytest.approx(list(head["actual"]))
    units = assessment.units(YEAR, MONTH, v)
    rows = sheet(wb, "units")
    assert [r[t("col.unit", "zh")] for r in rows] == list(units["unit"])
    assert [r[t("col.unit_score", "zh")] for r in rows] == pytest.approx(list(units["score"]))
    contract = targets.unit_progress(sel, "contract_investment", "ytd").dropna(subset=["rate"])
    rows = [r for r in sheet(wb, "targets") if r[t("col.metric", "zh")] == "合同引资"]
    assert {r[t("col.unit", "zh")]: r[t("col.rate", "zh")] for r in rows} == pytest.approx(
        dict(zip(contract["unit"], contract["rate"], strict=True))
    )
    verdicts = {r[t("col.unit", "zh")]: r[t("col.verdict", "zh")] for r in rows}
    pace = progress.pace(MONTH)
    for unit, rate in zip(contract["unit"], contract["rate"], strict=True):
        assert verdicts[unit] == t("verdict.ahead_short" if rate >= pace else "verdict.behind_short", "zh")
    people = assessment.people(YEAR, MONTH, v)
    assert [r[t("col.points", "zh")] for r in sheet(wb, "people")] == pytest.approx(list(people["points"]))


def test_no_cell_is_a_formula_and_hostile_text_stays_text(db):  # noqa: F811
    wb = openpyxl.load_workbook(io.BytesIO(bulletin.xlsx_bytes(2026, 4, "en")))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
    names = [r[t("col.project", "en")] for r in sheet(wb, "stalled", "en")]
    assert names == ["'=1+2"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils, make browser) is missing")
def test_the_pdf_holds_the_chinese_title_and_the_unit_names(board_env, tmp_path):
    out = tmp_path / "b.pdf"
    out.write_bytes(bulletin.pdf_bytes(YEAR, MONTH, "zh"))
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "2026年10月招商引资月度通报" in text
    units = assessment.units(YEAR, MONTH, assessment.current_version())
    for unit in units["unit"].head(10):
        assert unit in text
    assert t("bulletin.stalled", "zh") in text and t("bulletin.employment", "zh") in text


def test_the_cli_writes_the_bulletin_and_refuses_what_it_cannot_do(board_env, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DASHBOARD_DB", str(board_env))  # restored after the test (the command points it at --db)
    base = ["--db", str(board_env), "bulletin", "--year", str(YEAR), "--month", str(MONTH)]
    assert cli([*base, "--out", str(tmp_path / "b.xlsx")]) == 0
    assert openpyxl.load_workbook(tmp_path / "b.xlsx").sheetnames[0] == "封面"
    assert cli([*base, "--out", str(tmp_path / "b.pdf")]) == 0
    assert (tmp_path / "b.pdf").read_bytes()[:5] == b"%PDF-"
    assert cli([*base, "--out", str(tmp_path / "b.docx")]) == 2
    assert cli([*base, "--out", str(tmp_path / "c.xlsx"), "--rules", "99"]) == 1
    assert cli(["--db", str(board_env), "bulletin", "--year", "2026", "--month", "12", "--out", str(tmp_path / "d.xlsx")]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert ".xlsx 或 .pdf" in err and "考核规则版本 99 不存在" in err and "2026年的数据只到 11 月" in err
    assert not (tmp_path / "c.xlsx").exists() and not (tmp_path / "d.xlsx").exists()
