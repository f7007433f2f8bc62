"""One read-and-check path: `validate` gives exactly the verdict and the findings `load` gives, file for file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from etl import check, warehouse
from etl.pseudonym import load_key
from tests.clerk_files import csv, project

ROOT = Path(__file__).resolve().parents[1]
UNITS = [{"name": n, "type": "镇街"} for n in ("青石镇", "柳河镇", "城关街道")]

# name → (dataset, rows): files a clerk might send, against a warehouse holding the registry and project P1
FIXTURES: dict[str, tuple[str, list[dict]]] = {
    "good projects": ("projects", [project("P2", "100"), project("P3", "2.5亿")]),
    "one bad amount": ("projects", [project("P2", "100"), project("P3", "暂无")]),
    "township typo": ("projects", [project("P2", "100", township="青石乡")]),
    "all rows bad": ("projects", [project("P2", "x"), project("P3", "y")]),
    "duplicate key": ("projects", [project("P2", "100"), project("P2", "200")]),
    "funding of a known project": ("funding", [{"project_id": "P1", "period": "2026-04", "funds_in_place": "10"}]),
    "funding of an unknown project": ("funding", [{"project_id": "P9", "period": "2026-04", "funds_in_place": "10"}]),
    "missing column": ("labor", [{"period": "2026-04", "new_urban_jobs": "3"}]),
    "already loaded": ("projects", [project("P1", "100")]),
}


@pytest.fixture()
def db(tmp_path) -> Path:
    db = warehouse.init(tmp_path / "wh" / "w.duckdb")
    assert warehouse.load_file(db, csv(tmp_path / "u.csv", "units", UNITS)).status == "loaded"
    assert warehouse.load_file(db, csv(tmp_path / "p1.csv", "projects", [project("P1", "100")])).status == "loaded"
    return db


def _findings(frame) -> list[tuple]:
    return [tuple(r) for r in frame[["row", "column", "code", "reason_zh"]].astype(str).to_numpy()]


@pytest.mark.parametrize("skip_invalid", [False, True])
@pytest.mark.parametrize("name", list(FIXTURES))
def test_validate_and_load_agree(db, tmp_path, name, skip_invalid):
    dataset, rows = FIXTURES[name]
    path = tmp_path / "p1.csv" if name == "already loaded" else csv(tmp_path / "f.csv", dataset, rows)
    checked = check.check(path.read_bytes(), path.name, check.read_context(db), key=load_key())
    res = warehouse.load_file(db, path, skip_invalid=skip_invalid)
    expected = {"noop": "noop"}.get(checked.status, "loaded" if checked.loadable(skip_invalid) else "rejected")
    assert res.status == expected
    assert _findings(res.errors) == _findings(checked.errors)
    assert _findings(res.warnings) == _findings(checked.warnings)


@pytest.mark.parametrize("name", list(FIXTURES))
def test_the_cli_validate_exit_code_is_the_load_exit_code(db, tmp_path, name):
    dataset, rows = FIXTURES[name]
    path = tmp_path / "p1.csv" if name == "already loaded" else csv(tmp_path / "f.csv", dataset, rows)
    cli = [sys.executable, "-m", "etl", "--db", str(db)]
    validate = subprocess.run([*cli, "validate", str(path)], cwd=ROOT, capture_output=True, text=True)
    load = subprocess.run([*cli, "load", str(path)], cwd=ROOT, capture_output=True, text=True)
    assert validate.returncode == load.returncode, (validate.stdout, load.stdout)


def test_a_valid_file_reports_new_and_updated_keys(db, tmp_path):
    path = csv(tmp_path / "f.csv", "projects", [project("P1", "150"), project("P2", "100"), project("P3", "1")])
    proc = subprocess.run(
        [sys.executable, "-m", "etl", "--db", str(db), "validate", str(path)], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0
    assert "可装入 3 行（新增 2 条，替换已有的 1 条）" in proc.stdout


def test_validate_without_a_warehouse_checks_against_an_empty_one(tmp_path):
    path = csv(tmp_path / "f.csv", "funding", [{"project_id": "P1", "period": "2026-04", "funds_in_place": "10"}])
    proc = subprocess.run(
        [sys.executable, "-m", "etl", "--db", str(tmp_path / "none.duckdb"), "--lang", "en", "validate", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "no warehouse" in proc.stdout and "is not a known project" in proc.stdout


def test_an_old_warehouse_is_refused_with_the_upgrade_command(db, tmp_path):
    import duckdb

    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    path = csv(tmp_path / "f.csv", "projects", [project("P2", "100")])
    proc = subprocess.run(
        [sys.executable, "-m", "etl", "--db", str(db), "load", str(path)], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 1 and "init" in proc.stderr and "旧版本" in proc.stderr
    warehouse.init(db)  # the upgrade
    assert warehouse.load_file(db, path).status == "loaded"


def test_the_context_carries_the_file_version_it_was_read_from(db):
    from etl import store

    assert check.read_context(db).version == store.version(db)


def test_a_load_checks_the_file_once_when_no_batch_committed_meanwhile(db, tmp_path, monkeypatch):
    calls = []
    real = warehouse.check

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(warehouse, "check", counting)
    path = csv(tmp_path / "f.csv", "projects", [project("P2", "100")])
    assert warehouse.load_file(db, path).status == "loaded"
    assert len(calls) == 1


def test_a_load_checks_the_file_again_when_a_batch_committed_meanwhile(db, tmp_path, monkeypatch):
    calls = []
    real = warehouse.check
    other = csv(tmp_path / "other.csv", "projects", [project("P2", "100")])

    def racing(*args, **kwargs):  # another batch commits between the first check and the writer lock
        calls.append(1)
        out = real(*args, **kwargs)
        if len(calls) == 1:
            monkeypatch.setattr(warehouse, "check", real)
            assert warehouse.load_file(db, other).status == "loaded"
            monkeypatch.setattr(warehouse, "check", racing)
        return out

    monkeypatch.setattr(warehouse, "check", racing)
    # P2 is now in the warehouse with 100; this file's P2 says 200: checked against the new state, still loads
    res = warehouse.load_file(db, csv(tmp_path / "f.csv", "projects", [project("P2", "200")]))
    assert res.status == "loaded" and len(calls) == 2


def test_a_personal_file_checked_again_is_read_again_from_disk(db, tmp_path, monkeypatch):
    from tests.checking import valid_id

    calls = []
    real = warehouse.check
    other = csv(tmp_path / "other.csv", "projects", [project("P2", "100")])

    def racing(data, *args, **kwargs):
        calls.append(data)
        out = real(data, *args, **kwargs)
        if len(calls) == 1:
            monkeypatch.setattr(warehouse, "check", real)
            assert warehouse.load_file(db, other).status == "loaded"
            monkeypatch.setattr(warehouse, "check", racing)
        return out

    monkeypatch.setattr(warehouse, "check", racing)
    path = tmp_path / "r.csv"
    path.write_text(f"身份证号,姓名,镇街,返乡日期\n{valid_id('11010519800307123')},张小吉,青石镇,2026-02-01\n")
    res = warehouse.load_file(db, path)
    assert res.status == "loaded" and res.rows_loaded == 1 and len(calls) == 2
    assert calls[0] == calls[1] == path.read_bytes() and res.kept_path.name.endswith(".parquet")
