"""The command line as a clerk meets it: messages that say what to do, in the chosen language."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from etl import warehouse
from tests.clerk_files import csv, project

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def db(tmp_path) -> Path:
    return warehouse.init(tmp_path / "wh" / "w.duckdb")


def etl(db: Path, *args: str, lang: str = "zh") -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "etl", "--db", str(db), "--lang", lang, *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)


def test_a_refused_load_says_how_to_go_on_and_where_the_file_was_kept(db, tmp_path):
    path = csv(tmp_path / "p.csv", "projects", [project("P1", "100"), project("P2", "暂无")])
    for lang, words in (
        ("zh", "加 --skip-invalid 装入其余 1 行"),
        ("en", "add --skip-invalid to load the other 1 rows"),
    ):
        proc = etl(db, "load", str(path), lang=lang)
        assert proc.returncode == 1
        assert words in proc.stdout
        kept = Path(re.search(r"(/\S+p\.csv)", proc.stdout).group(1))
        assert kept.is_file() and kept.parent.name == "rejected"


def test_batches_follow_the_language_and_show_the_hash(db, tmp_path):
    path = csv(tmp_path / "p.csv", "projects", [project("P1", "100")])
    assert etl(db, "load", str(path)).returncode == 0
    sha = __import__("hashlib").sha256(path.read_bytes()).hexdigest()[:12]
    en = etl(db, "batches", lang="en").stdout
    assert "Rows quarantined" in en and "loaded" in en and sha in en and "projects" in en
    assert not re.search(r"[\u4e00-\u9fff]", en.replace("p.csv", ""))
    zh = etl(db, "batches").stdout
    assert "隔离行数" in zh and "已入库" in zh and "招商项目" in zh and sha in zh


def test_quarantine_lists_each_row_with_its_reason_in_both_languages(db, tmp_path):
    rows = [project("P1", "100"), project("P2", "-5"), project("P3", "200")]
    proc = etl(db, "load", str(csv(tmp_path / "p.csv", "projects", rows)), "--skip-invalid")
    assert "python -m etl quarantine 1" in proc.stdout  # the hint names the command as the user runs it
    zh = etl(db, "quarantine", "1").stdout
    assert "行号 3" in zh and "不能为负数" in zh and "总投资(万元)=-5" in zh
    en = etl(db, "quarantine", "1", lang="en").stdout
    assert "Row 3" in en and "cannot be negative" in en
    assert etl(db, "quarantine", "7").returncode == 1  # no such batch


def test_a_refused_rollback_names_the_batch_that_depends_on_it(db, tmp_path):
    assert etl(db, "load", str(csv(tmp_path / "p.csv", "projects", [project("P1", "100")]))).returncode == 0
    funding = [{"project_id": "P1", "period": "2026-04", "funds_in_place": "10"}]
    assert etl(db, "load", str(csv(tmp_path / "f.csv", "funding", funding))).returncode == 0
    zh = etl(db, "rollback", "1")
    assert zh.returncode == 1 and "资金到位批次 2" in zh.stderr and "请先回滚批次 2" in zh.stderr
    en = etl(db, "rollback", "1", lang="en")
    assert "funding rows of batch(es) 2" in en.stderr and "roll back batch(es) 2 first" in en.stderr


@pytest.mark.parametrize(
    ("column", "cell", "says", "never"),
    [
        ("total_investment", "暂无", "本列为必填项，请填写实际值", "留空"),  # required
        ("land_mu", "暂无", "确实没有数据时请留空", "必填"),  # optional
    ],
)
def test_the_placeholder_message_reads_right_for_required_and_optional_columns(db, tmp_path, column, cell, says, never):
    row = project("P1", "100") | {column: cell}
    out = etl(db, "validate", str(csv(tmp_path / "p.csv", "projects", [row]))).stdout
    line = next(x for x in out.splitlines() if "占位符" in x)
    assert says in line and never not in line
    assert "“暂无”“不详”“-”“/”" in line


def test_a_report_that_cannot_be_written_does_not_hide_a_committed_load(db, tmp_path):
    path = csv(tmp_path / "p.csv", "projects", [project("P1", "100")])
    proc = etl(db, "load", str(path), "--report", str(tmp_path / "no" / "such" / "dir" / "r.xlsx"))
    assert proc.returncode == 0
    lines = proc.stdout.strip().splitlines()
    assert "错误报告未能写入" in proc.stdout
    assert lines[-1].startswith("已装入批次 1")  # the last line says what happened to the warehouse
