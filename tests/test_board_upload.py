"""board.upload and board.access: which files are boundaries, the column help from the contract, the kept file
read only from the uploads folder, a commit that cannot get the writer lock, the access placeholder."""

from __future__ import annotations

import csv as csv_module
import io
import shutil

import pytest

from board import access, upload
from board.i18n import t
from etl import accounts, warehouse
from etl.contracts import DATASETS
from tests.clerk_files import csv, project, q


@pytest.mark.parametrize(
    ("name", "dataset", "kind"),
    [
        ("a.csv", None, "table"),
        ("a.xlsx", "projects", "table"),
        ("镇街.geojson", None, "boundaries"),
        ("shapes.ZIP", None, "boundaries"),
        ("b.json", "projects", "table"),  # a chosen dataset wins over the name
        ("b.csv", "boundaries", "boundaries"),
    ],
)
def test_kind_of(name, dataset, kind):
    assert upload.kind_of(name, dataset) == kind


def test_column_help_is_the_contract():
    ds = DATASETS["projects"]
    zh = upload.columns_help("projects", "zh")
    assert zh["header"].tolist() == [f"{c.zh} ({c.name})" for c in ds.columns]
    row = zh.set_index("header").loc["项目状态 (status)"]
    assert row["required"] == "是" and row["allowed"] == "、".join(ds.column("status").choices)
    assert zh.set_index("header").loc["总投资(万元) (total_investment)"]["unit"] == "万元"
    en = upload.columns_help("returnees", "en")
    assert en.set_index("header").loc["id_number (身份证号)"]["required"] == "one of two"


def test_the_kept_file_is_read_only_from_the_uploads_folder(tmp_path, monkeypatch):
    db = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    inside = tmp_path / "uploads" / "1-abc-p.csv"
    inside.parent.mkdir()
    inside.write_text("x")
    outside = tmp_path / "secret.txt"
    outside.write_text("no")
    assert upload.kept_file(str(inside)) == inside.resolve()
    assert upload.kept_file(str(outside)) is None
    assert upload.kept_file(str(inside.parent / ".." / "secret.txt")) is None
    assert upload.kept_file(None) is None and upload.kept_file(str(inside.parent / "gone.csv")) is None


def test_a_commit_that_cannot_get_the_lock_writes_nothing_and_says_busy(demo_db, tmp_path, monkeypatch):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_db, db)
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    monkeypatch.setenv("DASHBOARD_LOCK_TIMEOUT", "1.2")
    data = csv(tmp_path / "p.csv", "projects", [project("L1", "10")]).read_bytes()
    waits: list[float] = []
    with warehouse.writer_lock(db):
        out = upload.commit(data, "p.csv", None, quarantine=False, on_wait=waits.append)
    assert out.status == "busy" and out.batch_id is None
    assert len(waits) >= 2 and waits == sorted(waits) and 1.0 <= out.waited <= 1.2  # told about twice a second
    assert q(db, "SELECT count(*) FROM v_projects WHERE project_id = 'L1'")[0][0] == 0
    done = upload.commit(data, "p.csv", None, quarantine=False)
    assert done.status == "loaded" and done.waited == 0.0
    assert q(db, "SELECT user_name FROM v_batches WHERE batch_id = ?", [done.batch_id])[0][0] == access.user_name()


def test_a_refused_rollback_carries_the_reason_in_both_languages(demo_db, tmp_path, monkeypatch):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_db, db)
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    out = upload.rollback(999)
    assert out.status == "refused" and "999" in out.zh and "does not exist" in out.en


def test_a_township_clerk_rolls_back_only_their_own_batches_and_loads_no_boundaries(demo_db, tmp_path, monkeypatch):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_db, db)
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    clerk = accounts.Account("clerk_up", "uploader", ("青石镇",))
    monkeypatch.setattr(access, "user", lambda: clerk)
    theirs = warehouse.load_file(db, csv(tmp_path / "a.csv", "projects", [project("S1", "10")]), user="county_up")
    out = upload.rollback(theirs.batch_id)
    assert (out.status, out.zh, out.en) == ("refused", t("batches.not_yours", "zh"), t("batches.not_yours", "en"))
    assert q(db, "SELECT status FROM v_batches WHERE batch_id = ?", [theirs.batch_id]) == [("loaded",)]
    data = csv(tmp_path / "b.csv", "projects", [project("S2", "10")]).read_bytes()
    mine = upload.commit(data, "b.csv", None, quarantine=False)
    assert (mine.status, q(db, "SELECT user_name FROM v_batches WHERE batch_id = ?", [mine.batch_id])) == (
        "loaded",
        [("clerk_up",)],
    )
    assert upload.rollback(mine.batch_id).status == "rolled_back"
    refused = upload.commit(b'{"type": "FeatureCollection", "features": []}', "b.geojson", None, quarantine=False)
    assert refused.status == "refused" and "county office" in refused.en


def test_a_kept_parquet_copy_is_offered_as_csv_and_xlsx_an_old_kept_csv_as_it_is(tmp_path, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from etl import keep

    old = tmp_path / "1-abc-r.pseudonymised.csv"
    old.write_bytes(b"\xef\xbb\xbfa\r\n1\r\n")
    assert upload.kept_downloads(old) == [("file", old.name)]
    assert upload.kept_bytes(old, "file") == old.read_bytes()
    new = tmp_path / "2-abc-r.pseudonymised.parquet"
    pq.write_table(pa.table({"人员编号": ["P1", "P2"], "镇街": ["青石镇", "=1+1"]}), new, compression="zstd")
    assert upload.kept_downloads(new) == [("csv", "2-abc-r.pseudonymised.csv"), ("xlsx", "2-abc-r.pseudonymised.xlsx")]
    text = upload.kept_bytes(new, "csv").decode("utf-8-sig")
    assert list(csv_module.reader(io.StringIO(text))) == [["人员编号", "镇街"], ["P1", "青石镇"], ["P2", "'=1+1"]]
    assert upload.kept_bytes(new, "xlsx").startswith(b"PK")
    monkeypatch.setattr(keep, "XLSX_MAX_ROWS", 1)  # more rows than a sheet holds: CSV only
    assert upload.kept_downloads(new) == [("csv", "2-abc-r.pseudonymised.csv")]
