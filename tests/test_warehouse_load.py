"""Loading batches: all-or-nothing, idempotent reload, supersede, exact rollback, quarantine, personal data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from etl import store, warehouse
from etl.reports import error_report
from tests.checking import file_text, valid_id
from tests.clerk_files import csv, project, q

ROOT = Path(__file__).resolve().parents[1]
ID_A = "11010519491231002X"
NAME_A, PHONE_A = "张小吉", "13812345678"


ID_B = valid_id("11010519900307123")
ID_C = valid_id("32058219851111001")


@pytest.fixture()
def db(tmp_path) -> Path:
    return warehouse.init(tmp_path / "wh" / "w.duckdb")


def test_valid_file_loads_and_reload_is_a_noop(db, tmp_path):
    f = csv(tmp_path / "p.csv", "projects", [project("P1", "2.5亿"), project("P2", "3000万元")])
    res = warehouse.load_file(db, f)
    assert (res.status, res.rows_read, res.rows_loaded) == ("loaded", 2, 2)
    assert q(db, "SELECT project_id, total_investment FROM v_projects ORDER BY 1") == [("P1", 25000.0), ("P2", 3000.0)]
    again = warehouse.load_file(db, f)
    assert (again.status, again.duplicate_of) == ("noop", res.batch_id)
    assert q(db, "SELECT count(*) FROM batches") == [(1,)]


def test_file_with_one_bad_row_loads_nothing(db, tmp_path):
    before = db.read_bytes()
    f = csv(tmp_path / "p.csv", "projects", [project("P1", "100"), project("P2", "暂无")])
    res = warehouse.load_file(db, f)
    assert res.status == "rejected"
    assert res.errors["row"].tolist() == [3]
    assert db.read_bytes() == before


def test_skip_invalid_quarantines_and_accounts_for_every_row(db, tmp_path):
    rows = [project("P1", "100"), project("P2", "-5"), project("P3", "200"), project("P4", "abc")]
    res = warehouse.load_file(db, csv(tmp_path / "p.csv", "projects", rows), skip_invalid=True)
    assert res.status == "loaded"
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (4, 2, 2)
    assert res.rows_read == res.rows_loaded + res.rows_rejected
    assert q(db, "SELECT project_id FROM v_projects ORDER BY 1") == [("P1",), ("P3",)]
    quarantined = q(db, 'SELECT "row", reason FROM v_quarantine ORDER BY 1')
    assert [r[0] for r in quarantined] == [3, 5]
    assert all(r[1] for r in quarantined)
    assert q(db, "SELECT rows_read, rows_loaded, rows_rejected FROM v_batches") == [(4, 2, 2)]


def test_later_batch_supersedes_and_rollback_restores_exactly(db, tmp_path):
    b1 = warehouse.load_file(db, csv(tmp_path / "a.csv", "projects", [project("P1", "100"), project("P2", "200")]))
    snapshot = q(db, "SELECT * EXCLUDE (batch_id) FROM v_projects ORDER BY project_id")
    b2 = warehouse.load_file(db, csv(tmp_path / "b.csv", "projects", [project("P2", "999"), project("P3", "50")]))
    assert q(db, "SELECT project_id, total_investment FROM v_projects ORDER BY 1") == [
        ("P1", 100.0),
        ("P2", 999.0),
        ("P3", 50.0),
    ]
    warehouse.rollback(db, b2.batch_id)
    assert q(db, "SELECT * EXCLUDE (batch_id) FROM v_projects ORDER BY project_id") == snapshot
    # nothing physically destroyed: the rolled-back rows are still stored and the batch still listed
    assert q(db, "SELECT count(*) FROM ds_projects") == [(4,)]
    assert q(db, "SELECT status FROM v_batches ORDER BY batch_id") == [("loaded",), ("rolled_back",)]
    assert b1.batch_id < b2.batch_id


def test_rollback_refused_when_a_later_batch_touched_the_same_keys(db, tmp_path):
    b1 = warehouse.load_file(db, csv(tmp_path / "a.csv", "projects", [project("P1", "100")]))
    b2 = warehouse.load_file(db, csv(tmp_path / "b.csv", "projects", [project("P1", "150")]))
    before = db.read_bytes()
    with pytest.raises(store.Refused) as exc:
        warehouse.rollback(db, b1.batch_id)
    assert str(b2.batch_id) in exc.value.zh and str(b2.batch_id) in exc.value.en
    assert db.read_bytes() == before


def test_rollback_of_projects_refused_while_funding_depends_on_them(db, tmp_path):
    b1 = warehouse.load_file(db, csv(tmp_path / "a.csv", "projects", [project("P1", "100")]))
    funding = [{"project_id": "P1", "period": "2026-04", "funds_in_place": "10"}]
    b2 = warehouse.load_file(db, csv(tmp_path / "f.csv", "funding", funding))
    assert b2.status == "loaded"
    with pytest.raises(store.Refused):
        warehouse.rollback(db, b1.batch_id)
    warehouse.rollback(db, b2.batch_id)
    warehouse.rollback(db, b1.batch_id)
    assert q(db, "SELECT count(*) FROM v_projects") == [(0,)]


def test_funding_for_unknown_project_is_rejected(db, tmp_path):
    funding = [{"project_id": "NOPE", "period": "2026-04", "funds_in_place": "10"}]
    res = warehouse.load_file(db, csv(tmp_path / "f.csv", "funding", funding))
    assert res.status == "rejected"
    assert "NOPE" in res.errors["value"].tolist()


def _returnee(idn: str, **kw) -> dict:
    row = {
        "id_number": idn,
        "name": NAME_A,
        "township": "青石镇",
        "return_date": "2026年2月1日",
        "status": "县内就业",
        "phone": PHONE_A,
    }
    row.update(kw)
    return row


def test_raw_personal_data_reaches_no_table_view_file_report(db, tmp_path):
    f = csv(tmp_path / "r.csv", "returnees", [_returnee(ID_A), _returnee(ID_B), _returnee(ID_C)])
    res = warehouse.load_file(db, f, skip_invalid=True)
    assert res.status == "loaded" and res.rows_loaded == 3
    bad = csv(tmp_path / "bad.csv", "returnees", [_returnee(ID_A[:-1] + "1")])  # checksum wrong
    rejected = warehouse.load_file(db, bad)
    assert rejected.status == "rejected"
    report = error_report(rejected.errors, rejected.warnings, "csv") + error_report(
        rejected.errors, rejected.warnings, "xlsx"
    )
    needles = [ID_A, ID_B, ID_C, ID_A[:-1] + "1", NAME_A, PHONE_A]
    for needle in needles:
        assert needle.encode() not in report
    # every table and view, as text
    r = store.Reader(db)
    cur = r.cursor()
    names = [t[0] for t in cur.execute("SELECT table_name FROM information_schema.tables").fetchall()]
    for name in names:
        dump = str(cur.execute('SELECT * FROM "' + name + '"').fetchall())
        for needle in needles:
            assert needle not in dump, (name, needle)
    r.close()
    # every file the warehouse left on disk: the database itself, kept uploads, rejected copies
    files = [p for p in db.parent.rglob("*") if p.is_file()]
    assert any("uploads" in str(p) for p in files)
    for path in files:
        blob = file_text(path)
        for needle in needles:
            for enc in ("utf-8", "gb18030", "utf-16-le"):
                assert needle.encode(enc) not in blob, (path, needle)


def test_same_id_same_person_key_across_files(db, tmp_path):
    warehouse.load_file(db, csv(tmp_path / "r.csv", "returnees", [_returnee(ID_A)]))
    training = [
        {
            "class_id": "PX1",
            "course": "电焊工",
            "township": "青石镇",
            "start_date": "2026-03-01",
            "id_number": ID_A.lower(),
        }
    ]
    warehouse.load_file(db, csv(tmp_path / "t.csv", "training", training, encoding="gb18030"))
    joined = q(db, "SELECT count(*) FROM v_training t JOIN v_returnees r USING (person_key)")
    assert joined == [(1,)]
    assert q(db, "SELECT birth_year, id_gender FROM v_returnees") == [(1949, "女")]


def test_crash_during_load_leaves_the_warehouse_as_it_was(db, tmp_path):
    from etl import demo

    big = demo.write_returnees_csv(tmp_path / "big.csv", 150_000, seed=3)
    before = db.read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-m", "etl", "--db", str(db), "load", str(big)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    building = Path(str(db) + ".building")
    while proc.poll() is None and not building.exists():
        pass
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert db.read_bytes() == before
    res = warehouse.load_file(db, csv(tmp_path / "p.csv", "projects", [project("P1", "1")]))
    assert res.status == "loaded"  # the next writer cleans up and works
    assert not building.exists()


@pytest.mark.parametrize(
    "args, code",
    [
        (["load", "{good}"], 0),
        (["load", "{bad}"], 1),
        (["load", "{bad}", "--skip-invalid"], 0),
        (["load", "{missing}"], 2),
        (["frobnicate"], 2),
        (["rollback", "999"], 1),
        (["validate", "{bad}"], 1),
        (["validate", "{good}"], 0),
    ],
)
def test_cli_exit_codes(db, tmp_path, args, code):
    good = csv(tmp_path / "good.csv", "projects", [project("P1", "100")])
    bad = csv(tmp_path / "bad.csv", "projects", [project("P1", "x"), project("P9", "5")])
    subst = {"{good}": str(good), "{bad}": str(bad), "{missing}": str(tmp_path / "none.csv")}
    argv = [subst.get(a, a) for a in args]
    proc = subprocess.run(
        [sys.executable, "-m", "etl", "--db", str(db), *argv], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == code, proc.stdout + proc.stderr
    if code == 1 and args[0] in ("load", "validate"):
        assert "行 2" in proc.stdout  # the located error is printed (header is row 1)


def test_cli_reload_is_a_noop_that_says_so(db, tmp_path):
    good = csv(tmp_path / "good.csv", "projects", [project("P1", "100")])
    cmd = [sys.executable, "-m", "etl", "--db", str(db), "load", str(good)]
    first = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert (first.returncode, second.returncode) == (0, 0)
    assert "已装入过" in second.stdout
    assert q(db, "SELECT count(*) FROM batches") == [(1,)]


def test_workbook_over_the_configured_cap_is_refused_before_parsing(db, tmp_path):
    import io

    import openpyxl

    from etl.contracts import DATASETS
    from etl.templates import template

    wb = openpyxl.load_workbook(io.BytesIO(template(DATASETS["projects"], "xlsx")))
    wb.active["A2"] = "P2013001"  # the clerk's own row, no longer the template's example
    book = tmp_path / "t.xlsx"
    wb.save(book)
    before = db.read_bytes()
    env = {**os.environ, "DASHBOARD_MAX_XLSX_MB": "0.001"}
    proc = subprocess.run(
        [sys.executable, "-m", "etl", "--db", str(db), "load", str(book)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 1
    assert "MB" in proc.stdout
    assert db.read_bytes() == before
    assert warehouse.load_file(db, book).status == "loaded"  # under the default cap it loads


def test_cli_output_never_shows_raw_personal_data(db, tmp_path):
    bad_id = ID_A[:-1] + "1"  # checksum wrong: reported, but masked
    f = csv(tmp_path / "r.csv", "returnees", [_returnee(ID_B), _returnee(bad_id), _returnee("12345")])
    outputs = []
    for args in (["validate", str(f)], ["load", str(f)], ["load", str(f), "--skip-invalid"], ["quarantine", "1"]):
        proc = subprocess.run(
            [sys.executable, "-m", "etl", "--db", str(db), *args], cwd=ROOT, capture_output=True, text=True
        )
        outputs.append(proc.stdout + proc.stderr)
        for needle in (ID_B, bad_id, NAME_A, PHONE_A):
            assert needle not in outputs[-1]
    validate, load, skip, quarantine = outputs
    assert "110105********0021" in validate and "110105********0021" in load  # located, masked
    assert "行 3" in validate and "--skip-invalid" in load
    assert "已装入批次 1" in skip and "隔离 2 行" in skip
    assert "行号 3" in quarantine and "110105********0021" in quarantine


def test_a_refused_file_never_waits_for_the_writer_lock(db, tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_LOCK_TIMEOUT", "0.2")
    bad = csv(tmp_path / "bad.csv", "projects", [project("P1", "x")])
    good = csv(tmp_path / "good.csv", "projects", [project("P1", "100")])
    with warehouse.writer_lock(db):  # another load is writing
        assert warehouse.load_file(db, bad).status == "rejected"  # checked and refused without the lock
        with pytest.raises(warehouse.WarehouseBusy):
            warehouse.load_file(db, good)
    assert warehouse.load_file(db, good).status == "loaded"


def test_a_very_long_file_name_is_kept_under_a_name_the_disk_accepts(db, tmp_path):
    name = "城关街道" * 19 + "返乡人员.csv"  # 80 CJK characters, 244 bytes: a kept name cut by characters was too long
    path = csv(tmp_path / "r.csv", "returnees", [_returnee(ID_B)]).rename(tmp_path / name)
    res = warehouse.load_file(db, path)
    assert res.status == "loaded"
    assert res.kept_path.is_file() and len(res.kept_path.name.encode()) <= 255


def test_a_skip_invalid_file_with_no_good_row_loads_nothing_and_can_be_sent_again(db, tmp_path):
    path = csv(tmp_path / "p.csv", "projects", [project("P1", "x"), project("P2", "y")])
    res = warehouse.load_file(db, path, skip_invalid=True)
    assert res.status == "rejected" and q(db, "SELECT count(*) FROM batches") == [(0,)]
    again = warehouse.load_file(db, path, skip_invalid=True)
    assert again.status == "rejected"  # judged again, not a no-op


def test_a_file_is_checked_once_when_no_batch_committed_meanwhile(db, tmp_path, monkeypatch):
    """The context records the file's version, so the writer does not check the file again under its lock."""
    from etl import check

    calls = []
    real = check.check
    monkeypatch.setattr(warehouse, "check", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    res = warehouse.load_file(db, csv(tmp_path / "p.csv", "projects", [project("P1", "100")]))
    assert res.status == "loaded"
    assert len(calls) == 1
