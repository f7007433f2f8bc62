"""The command line fed hostile and careless inputs: one line in the chosen language, the right exit code, no
traceback, and the warehouse byte for byte as it was whenever a load is refused."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl import warehouse
from tests.clerk_files import csv, project, q

ROOT = Path(__file__).resolve().parents[1]
HEADER = "项目编号,项目名称,所属镇街,产业类别,总投资(万元),项目状态,签约日期"


@pytest.fixture()
def db(tmp_path) -> Path:
    return warehouse.init(tmp_path / "wh" / "w.duckdb")


def etl(db: Path, *args: str, lang: str = "zh", env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "etl", "--db", str(db), "--lang", lang, *args]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc


def refused_load(db: Path, path: Path | str, *args: str, lang: str = "zh", env: dict | None = None):
    """Load ``path``; assert the warehouse file is unchanged byte for byte; return the process."""
    before = db.read_bytes()
    proc = etl(db, "load", str(path), *args, lang=lang, env=env)
    assert db.read_bytes() == before
    return proc


def xlsx_rows(
    rows: list[list], *, far: tuple[int, int] | None = None, error_at: tuple[int, int] | None = None
) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("项目")
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    if far is not None:
        ws.write(*far, 1)
    if error_at is not None:
        ws.write_formula(*error_at, "=#REF!+1", None, "#REF!")
    wb.close()
    return buf.getvalue()


GOOD = [HEADER.split(","), ["P1", "项目P1", "青石镇", "新材料", 100, "签约", "2026-03-05"]]


@pytest.mark.parametrize(("far", "area"), [((1048575, 16383), "A1:XFD1048576"), ((199999, 25), "A1:Z200000")])
def test_a_stray_far_cell_is_refused_in_a_located_message_not_by_the_kernel(db, tmp_path, far, area):
    path = tmp_path / "far.xlsx"
    path.write_bytes(xlsx_rows(GOOD, far=far))
    proc = refused_load(db, path)
    assert proc.returncode == 1 and area in proc.stdout and "Ctrl+End" in proc.stdout
    en = etl(db, "validate", str(path), lang="en")
    assert en.returncode == 1 and f"spans {area}" in en.stdout


@pytest.mark.parametrize("kind", ["device", "fifo", "directory"])
def test_a_path_that_is_not_a_regular_file_is_refused_before_reading(db, tmp_path, kind):
    path = {"device": Path("/dev/zero"), "fifo": tmp_path / "pipe.csv", "directory": tmp_path}[kind]
    if kind == "fifo":
        os.mkfifo(path)  # never opened: a read would wait for a writer forever
    for command in ("load", "validate"):
        proc = refused_load(db, path) if command == "load" else etl(db, "validate", str(path))
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr.count("\n") == 1 and "不是普通文件" in proc.stderr
    en = etl(db, "validate", str(path), lang="en")
    assert en.returncode == 2 and "not a regular file" in en.stderr


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(db, tmp_path):
    path = csv(tmp_path / "p.csv", "projects", [project(f"P{i}", "100") for i in range(100)])
    env = {"DASHBOARD_MAX_UPLOAD_MB": "0.001"}
    proc = refused_load(db, path, env=env)
    assert proc.returncode == 1 and "DASHBOARD_MAX_UPLOAD_MB" in proc.stderr and "超过上限" in proc.stderr
    assert etl(db, "load", str(path)).returncode == 0  # under the default cap it loads


def test_binary_content_is_refused_whatever_the_name(db, tmp_path):
    path = tmp_path / "zeros.csv"
    path.write_bytes(b"\0" * (1 << 20))
    proc = refused_load(db, path, lang="en")
    assert proc.returncode == 1 and "Unsupported file type" in proc.stderr


@pytest.mark.parametrize("content", ["not a database at all", "", "duckdb-without-warehouse", "directory"])
def test_a_db_path_that_is_not_a_warehouse_says_so(tmp_path, content):
    target = tmp_path / "other.duckdb"
    if content == "directory":
        target.mkdir()
    elif content == "duckdb-without-warehouse":
        import duckdb

        con = duckdb.connect(str(target))
        con.execute("CREATE TABLE sales (x INTEGER)")
        con.close()
    else:
        target.write_text(content)
    before = None if content == "directory" else target.read_bytes()
    good = csv(tmp_path / "p.csv", "projects", [project("P1", "100")])
    for args in (["batches"], ["load", str(good)], ["validate", str(good)], ["rollback", "1"], ["init"]):
        proc = etl(target, *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "不是" in proc.stderr and ("DASHBOARD_DB" in proc.stderr) and proc.stderr.count("\n") == 1
        assert before is None or target.read_bytes() == before
    assert "not" in etl(target, "batches", lang="en").stderr


def test_template_into_a_directory_and_bad_numbers_are_usage_errors(db, tmp_path):
    proc = etl(db, "template", "projects", "-o", str(tmp_path))
    assert proc.returncode == 2 and "是目录" in proc.stderr and str(tmp_path / "projects.csv") in proc.stderr
    assert not list(tmp_path.glob("*.csv"))
    for args in (["init", "--demo", "--returnees", "-5"], ["quarantine", "99999999999999999999999"], ["rollback", "0"]):
        proc = etl(db, *args)
        assert proc.returncode == 2 and "error: argument" in proc.stderr


def test_paths_that_cannot_be_used_are_one_line_not_a_traceback(db, tmp_path):
    (tmp_path / "afile").write_text("x")
    for command in (["init"], ["batches"]):  # the warehouse path under a regular file
        proc = etl(tmp_path / "afile" / "w.duckdb", *command)
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "afile" in proc.stderr
    good = csv(tmp_path / "p.csv", "projects", [project("P1", "暂无")])
    proc = etl(db, "validate", str(good), "--report", str(tmp_path))  # a directory as the report: said, no traceback
    assert proc.returncode == 1 and "错误报告未能写入" in proc.stdout


def test_a_cr_only_csv_loads_with_the_rows_the_clerk_sees(db, tmp_path):
    path = tmp_path / "wps.csv"
    rows = ["P1,项目P1,青石镇,新材料,100,签约,2026-03-05", "", "P2,项目P2,青石镇,新材料,-5,签约,2026-03-05"]
    path.write_bytes((HEADER + "\r" + "\r".join(rows) + "\r").encode("gbk"))
    proc = refused_load(db, path)
    assert proc.returncode == 1 and "行 4 | 总投资(万元) | -5" in proc.stdout  # the clerk's row 4
    assert etl(db, "load", str(path), "--skip-invalid").returncode == 0
    assert q(db, "SELECT project_id FROM v_projects") == [("P1",)]


def test_a_gbk_cell_over_131072_characters_is_no_traceback(db, tmp_path):
    path = tmp_path / "long.csv"
    path.write_bytes((HEADER + "\nP1," + "长" * 140_000 + ",青石镇,新材料,100,签约,2026-03-05\n").encode("gbk"))
    proc = etl(db, "validate", str(path))
    assert proc.returncode in (0, 1) and proc.stderr == ""


def test_an_excel_error_in_a_required_cell_is_its_own_error_not_a_blank(db, tmp_path):
    rows = [*GOOD, ["P2", "项目P2", "青石镇", "新材料", None, "签约", "2026-03-05"]]
    path = tmp_path / "err.xlsx"
    path.write_bytes(xlsx_rows(rows, error_at=(2, 4)))
    proc = refused_load(db, path)
    assert proc.returncode == 1
    line = next(x for x in proc.stdout.splitlines() if "行 3" in x)
    assert "#REF!" in line and "Excel 错误值" in line and "必填" not in line


def test_an_ods_renamed_xlsx_is_refused_as_unsupported(db, tmp_path):
    import zipfile

    path = tmp_path / "calc.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    proc = refused_load(db, path)
    assert proc.returncode == 1 and "不支持的文件类型" in proc.stdout


def test_the_visible_sheet_is_loaded_not_the_hidden_one(db, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    old = wb.active
    old.title = "旧"
    for r in [GOOD[0], ["P9", "项目P9", "青石镇", "新材料", 1, "签约", "2026-03-05"]]:
        old.append(r)
    old.sheet_state = "hidden"
    new = wb.create_sheet("本期")
    for r in GOOD:
        new.append(r)
    wb.active = 1
    path = tmp_path / "two.xlsx"
    wb.save(path)
    proc = etl(db, "load", str(path))
    assert proc.returncode == 0 and "隐藏的工作表「旧」未读取" in proc.stdout
    assert q(db, "SELECT project_id FROM v_projects") == [("P1",)]
    other = warehouse.init(tmp_path / "other" / "w.duckdb")
    assert etl(other, "load", str(path), "--sheet", "旧").returncode == 0  # named: read although hidden
    assert q(other, "SELECT project_id FROM v_projects") == [("P9",)]
