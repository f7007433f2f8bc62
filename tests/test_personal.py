"""Personal data recognised by content, whatever the dataset: never stored, kept, reported or printed as given."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from etl import keep, store, warehouse
from etl.reports import error_report
from tests.checking import file_text, valid_id
from tests.clerk_files import q

ROOT = Path(__file__).resolve().parents[1]
ID_1, ID_2, ID_3 = valid_id("11010519800307123"), valid_id("32058219851111001"), valid_id("44030619900101002")
PHONE, NAME = "13812345678", "张小吉"
ENCODINGS = ("utf-8", "gb18030", "utf-16-le", "utf-16-be")


@pytest.fixture()
def db(tmp_path) -> Path:
    return warehouse.init(tmp_path / "wh" / "w.duckdb")


def write(path: Path, header: str, rows: list[str], encoding: str = "utf-8-sig") -> Path:
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


def run(db: Path, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "etl", "--db", str(db), *args], cwd=ROOT, capture_output=True, text=True
    )
    return proc.stdout + proc.stderr


def assert_nowhere(db: Path, needles: list[str], *printed: str | bytes) -> None:
    """Not in any table or view (as text), not in any file beside the warehouse (the database, kept uploads,
    rejected copies), not in what was printed or reported: in UTF-8, GB18030 or UTF-16."""
    reader = store.Reader(db)
    cur = reader.cursor()
    names = [t[0] for t in cur.execute("SELECT table_name FROM information_schema.tables").fetchall()]
    dumps = {name: str(cur.execute('SELECT * FROM "' + name + '"').fetchall()) for name in names}
    reader.close()
    blobs = {str(p): file_text(p) for p in db.parent.rglob("*") if p.is_file()}
    blobs |= {f"printed {i}": p if isinstance(p, bytes) else p.encode() for i, p in enumerate(printed)}
    assert any("uploads" in name for name in blobs), "the files are kept"
    for needle in needles:
        for name, dump in dumps.items():
            assert needle not in dump, (name, needle)
        for name, blob in blobs.items():
            for enc in ENCODINGS:
                assert needle.encode(enc) not in blob, (name, needle, enc)


RETURNEES = "身份证号,姓名,镇街,返乡日期,联系电话"


def test_an_extra_id_column_never_reaches_quarantine_or_the_kept_copy(db, tmp_path):
    rows = [f"{ID_1},{NAME},青石镇,2026-02-01,{PHONE},{ID_2}", f"{ID_3},{NAME},青石镇,2026-13-01,{PHONE},{ID_2}"]
    path = write(tmp_path / "r.csv", RETURNEES + ",家属身份证", rows)
    printed = run(db, "load", str(path), "--skip-invalid")
    assert "已装入批次 1" in printed and "家属身份证" in printed  # loaded; the dropped column named
    assert q(db, 'SELECT "row" FROM v_quarantine') == [(3,)]
    assert_nowhere(db, [ID_1, ID_2, ID_3, NAME, PHONE], printed, run(db, "quarantine", "1"))


def test_the_id_column_twice_keeps_neither_copy_raw(db, tmp_path):
    rows = [f"{ID_1},{NAME},青石镇,2026-02-01,{PHONE},{ID_2}", f"{ID_3},{NAME},青石镇,abc,{PHONE},{ID_1}"]
    path = write(tmp_path / "r.csv", RETURNEES + ",身份证号", rows, "gb18030")
    printed = run(db, "load", str(path), "--skip-invalid")
    assert "身份证号.2" in printed
    assert_nowhere(db, [ID_1, ID_2, ID_3, NAME, PHONE], printed, run(db, "--lang", "en", "quarantine", "1"))


def test_a_returnees_file_sent_as_another_dataset_is_never_kept_raw(db, tmp_path):
    path = write(tmp_path / "r.csv", RETURNEES, [f"{ID_1},{NAME},青石镇,2026-02-01,{PHONE}"])
    printed = run(db, "load", str(path), "--dataset", "labor")
    assert "未装入" in printed
    rejected = list((db.parent / "uploads" / "rejected").iterdir())
    assert len(rejected) == 1 and rejected[0].name.endswith(".pseudonymised.parquet")
    assert_nowhere(db, [ID_1, NAME, PHONE], printed)


def test_personal_columns_in_a_dataset_without_personal_fields_are_dropped_with_a_warning(db, tmp_path):
    header = "编号,报送人,职级,单位,报送日期,有价值,身份证号,联系电话"
    path = write(tmp_path / "leads.csv", header, [f"L1,王强,正科级,招商局,2026-03-01,是,{ID_1},{PHONE}"])
    res = warehouse.load_file(db, path)
    assert res.status == "loaded"
    dropped = res.warnings[res.warnings["code"] == "personal_column_dropped"]
    assert dropped["column"].tolist() == ["身份证号", "联系电话"]
    kept = keep.kept_download(res.kept_path, "csv").decode("utf-8-sig")
    assert "身份证号" not in kept and "王强" in kept  # the staff name is a work record the contract keeps
    assert_nowhere(db, [ID_1, PHONE], error_report(res.errors, res.warnings, "csv"))


def test_an_id_typed_into_a_code_column_is_refused_not_stored(db, tmp_path):
    path = write(tmp_path / "r.csv", "人员编号,镇街,返乡日期", [f"{ID_1},青石镇,2026-02-01", "R2,青石镇,2026-02-01"])
    res = warehouse.load_file(db, path, skip_invalid=True)
    assert res.status == "loaded" and res.rows_loaded == 1
    err = res.errors.iloc[0]
    assert (err["row"], err["code"]) == (2, "personal_in_column") and ID_1 not in err["reason_zh"]
    assert q(db, "SELECT person_key FROM v_returnees") == [("R2",)]
    assert_nowhere(db, [ID_1], error_report(res.errors, res.warnings, "xlsx"), run(db, "quarantine", "1"))


def test_a_mobile_number_in_a_text_column_is_refused(db, tmp_path):
    path = write(
        tmp_path / "l.csv",
        "编号,报送人,职级,单位,报送日期,有价值,信息内容",
        [f"L1,王强,正科级,招商局,2026-03-01,是,{PHONE}"],
    )
    res = warehouse.load_file(db, path)
    assert res.status == "rejected" and res.errors["code"].tolist() == ["personal_in_column"]
    assert_nowhere(db, [PHONE], error_report(res.errors, res.warnings, "csv"))
