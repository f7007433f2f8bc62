"""The worker process: the same verdict as the in-process check; hostile files refused; a worker that runs out of
memory or time, or dies, is reported, and the calling (server) process carries on."""

from __future__ import annotations

import io
import os
import shutil
import threading
import zipfile
from pathlib import Path

import pytest

from etl import check, sandbox
from etl.preview import Preview
from etl.pseudonym import load_key
from tests.clerk_files import csv, project, q


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    out = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_db, out)
    return out


def big_funding_csv(rows: int) -> bytes:
    head = "项目编号,月份,到位资金(万元)\n"
    return (head + "".join(f"ZS2021001,2022-{i % 12 + 1:02d},{i}\n" for i in range(rows))).encode()


def test_the_worker_gives_the_in_process_verdict(db, tmp_path):
    rows = [project("S1", "100"), project("S2", "abc"), project("S3", "2亿")]
    data = csv(tmp_path / "p.csv", "projects", rows).read_bytes()
    p = sandbox.preview("table", data, "p.csv", db)
    c = check.check(data, "p.csv", check.read_context(db), key=load_key())
    assert (p.status, p.dataset, p.rows_read, p.rows_bad) == (c.status, "projects", 3, 1)
    assert p.errors[["row", "column", "value", "code"]].astype(str).values.tolist() == (
        c.errors[["row", "column", "value", "code"]].astype(str).values.tolist()
    )
    assert p.can_quarantine and not p.can_load
    assert p.rows["project_id"].tolist() == ["S1", "S3"] and p.rows["total_investment"].tolist() == [100.0, 20000.0]
    assert (p.new_keys, p.superseded) == (2, 0)
    assert p.report_xlsx[:2] == b"PK"  # the clerk's error report, as XLSX


def test_the_answer_is_data_not_a_pickle_and_is_checked():
    p = Preview("table", "ok", "a.csv", rows_read=3)
    assert sandbox.decode(sandbox.encode(p)).rows_read == 3
    with pytest.raises(ValueError):
        sandbox.decode(sandbox.encode(p) + b"x")  # a worker cannot smuggle extra bytes


def _bomb() -> bytes:
    """An XLSX of 0.3 MB whose sheet unpacks to 300 MB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "<a>" + "0" * (300 << 20) + "</a>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("bomb.xlsx", _bomb(), "file_too_large"),
        ("program.csv", b"\x7fELF" + b"\0" * 4096, "file_format"),
        ("commas.csv", b"," * 2_000_000, "file_no_header"),
    ],
    ids=["zip-bomb", "binary", "commas"],
)
def test_hostile_files_are_refused_by_the_worker_with_a_reason(db, name, data, code):
    p = sandbox.preview("table", data, name, db)
    assert p.status == "rejected" and not p.can_load and not p.can_quarantine
    assert p.errors["code"].tolist() == [code]
    assert p.errors["reason_en"].iloc[0] and p.errors["reason_zh"].iloc[0]


def test_a_worker_out_of_memory_is_stopped_and_the_server_carries_on(db):
    before = q(db, "SELECT count(*) FROM v_batches")[0][0]
    with pytest.raises(sandbox.WorkerFailed) as err:
        sandbox.preview("table", big_funding_csv(300_000), "big.csv", db, memory_mb=60)
    assert err.value.code == "memory"
    assert "60 MB" in err.value.en and "60 MB" in err.value.zh
    assert q(db, "SELECT count(*) FROM v_batches")[0][0] == before  # this process still reads the warehouse
    assert sandbox.preview("table", big_funding_csv(10), "small.csv", db).rows_read == 10  # and checks again


def test_a_worker_over_its_time_is_killed(db):
    with pytest.raises(sandbox.WorkerFailed) as err:
        sandbox.preview("table", big_funding_csv(300_000), "slow.csv", db, seconds=0.2)
    assert err.value.code == "timeout" and "0.2 s" in err.value.en


def test_a_worker_that_dies_is_reported_not_raised_through(tmp_path):
    not_a_warehouse = tmp_path / "x.duckdb"
    not_a_warehouse.write_bytes(b"garbage" * 100)
    with pytest.raises(sandbox.WorkerFailed) as err:
        sandbox.preview("table", b"a,b\n1,2\n", "x.csv", not_a_warehouse)
    assert err.value.code == "crashed"


def test_progress_is_reported_while_the_worker_runs(db):
    seen: list[str] = []
    sandbox.preview("table", big_funding_csv(100_000), "big.csv", db, on_progress=lambda s, _: seen.append(s))
    assert seen and set(seen) <= {"start", "check", "compare", "report"}


def test_other_readers_keep_reading_while_a_hostile_file_is_checked(db):
    done = threading.Event()

    def hostile():
        with pytest.raises(sandbox.WorkerFailed):
            sandbox.preview("table", big_funding_csv(300_000), "big.csv", db, memory_mb=60)
        done.set()

    th = threading.Thread(target=hostile)
    th.start()
    reads = 0
    while not done.is_set():
        assert q(db, "SELECT count(*) FROM v_projects")[0][0] > 0
        reads += 1
    th.join()
    assert reads > 1
    assert os.getpid()  # still us
