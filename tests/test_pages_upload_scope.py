"""A township clerk on the upload and batches pages, with real accounts made by `python -m etl users` in
tmp_path: their file's rows of another township are located errors and never loaded, a dataset without a
township column is refused, and the batches page shows only their own batches and townships."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from board import access
from board.i18n import t
from etl import warehouse
from tests import servers
from tests.checking import valid_id
from tests.clerk_files import csv, q
from tests.test_board_access import PASSWORD, open_page, sign_in
from tests.test_pages import _entry, ok

OWN, OTHER = "青石镇", "柳河镇"
IDS = [valid_id(f"3205821988010100{i}") for i in range(6)]


def returnee(idn: str, township: str, date: str = "2026-02-01") -> dict:
    return {"id_number": idn, "township": township, "return_date": date, "status": "县内就业"}


@pytest.fixture(scope="module")
def users_file(tmp_path_factory) -> Path:
    """A 青石镇 uploader and a county uploader (no townships)."""
    return servers.accounts_file(
        tmp_path_factory, [("clerk_up", "uploader", OWN), ("county_up", "uploader", "")], PASSWORD
    )


@pytest.fixture
def own_db(demo_db: Path, tmp_path: Path, users_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "wh" / "warehouse.duckdb"
    db.parent.mkdir()
    shutil.copy(demo_db, db)
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    monkeypatch.setenv("DASHBOARD_RAISE", "1")
    monkeypatch.setenv("DASHBOARD_USERS", str(users_file))
    access.throttle.clear()
    return db


def signed_page(tmp_path: Path, name: str, page: str, lang: str = "zh", **params: str) -> AppTest:
    at = AppTest.from_file(str(_entry(tmp_path)), default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    sign_in(at, name)
    for k, v in params.items():
        at.query_params[k] = v
    return open_page(at, page)


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.get("file_uploader")[0].upload(name, data).run()
    ok(at)
    return at


def texts(at: AppTest) -> str:
    return "\n".join(str(x.value) for x in [*at.success, *at.error, *at.warning, *at.info, *at.caption])


def errors_table(at: AppTest):
    return next(df.value for df in at.dataframe if "原因" in df.value.columns)


def test_a_clerks_row_of_another_township_is_a_located_error_and_only_their_rows_load(own_db, tmp_path):
    rows = [returnee(IDS[0], OWN), returnee(IDS[1], OTHER), returnee(IDS[2], OWN)]
    data = csv(tmp_path / "r.csv", "returnees", rows).read_bytes()
    at = signed_page(tmp_path, "clerk_up", "pages/upload.py")
    assert t("upload.scope_caption", "zh", towns=OWN) in texts(at)
    upload(at, "r.csv", data)
    errors = errors_table(at)
    assert [int(r) for r in errors["行号"]] == [3]
    assert errors[["列", "值"]].values.tolist() == [["镇街", OTHER]]
    assert OWN in errors["原因"].iat[0]
    assert t("upload.some_bad", "zh", bad=1, good=2) in texts(at)
    assert at.button(key="up_commit").disabled  # not all-or-nothing: only with the row quarantined
    before = q(own_db, "SELECT count(*) FROM v_returnees")[0][0]
    at.checkbox(key="up_quarantine").check().run()
    at.button(key="up_commit").click().run()
    ok(at)
    batch, user, loaded, rejected = q(
        own_db, "SELECT batch_id, user_name, rows_loaded, rows_rejected FROM v_batches ORDER BY batch_id DESC LIMIT 1"
    )[0]
    assert (user, loaded, rejected) == ("clerk_up", 2, 1)
    assert q(own_db, "SELECT township, count(*) FROM v_returnees WHERE batch_id = ? GROUP BY 1", [batch]) == [(OWN, 2)]
    assert q(own_db, "SELECT count(*) FROM v_returnees")[0][0] == before + 2
    assert q(own_db, 'SELECT "row" FROM v_quarantine WHERE batch_id = ?', [batch]) == [(3,)]


def test_a_units_file_is_refused_for_the_clerk_and_loaded_whole_by_the_county(own_db, tmp_path):
    data = csv(tmp_path / "u.csv", "units", [{"name": "新建镇", "type": "镇街"}]).read_bytes()
    at = upload(signed_page(tmp_path, "clerk_up", "pages/upload.py"), "u.csv", data)
    assert t("upload.refused_file", "zh") in texts(at)
    assert "县级管理员" in errors_table(at)["原因"].iat[0]
    assert not [b for b in at.button if b.key == "up_commit"]  # nothing to commit
    at = upload(signed_page(tmp_path, "county_up", "pages/upload.py"), "u.csv", data)
    assert t("upload.ok", "zh") in texts(at)
    at.button(key="up_commit").click().run()
    ok(at)
    assert q(own_db, "SELECT count(*) FROM v_units WHERE name = '新建镇'") == [(1,)]


def test_the_county_loads_a_mixed_townships_file_whole(own_db, tmp_path):
    rows = [returnee(IDS[0], OWN), returnee(IDS[1], OTHER)]
    at = upload(signed_page(tmp_path, "county_up", "pages/upload.py"), "r.csv", csv(tmp_path / "r.csv", "returnees", rows).read_bytes())  # fmt: skip
    assert t("upload.ok", "zh") in texts(at)
    at.button(key="up_commit").click().run()
    ok(at)
    batch = q(own_db, "SELECT max(batch_id) FROM v_batches WHERE user_name = 'county_up'")[0][0]
    assert q(own_db, "SELECT township FROM v_returnees WHERE batch_id = ? ORDER BY 1", [batch]) == [(OTHER,), (OWN,)]


def test_the_clerks_batches_page_shows_only_their_batches_and_townships(own_db, tmp_path):
    county_rows = [returnee(IDS[3], OWN), returnee(IDS[4], OTHER, "不详")]
    county = warehouse.load_file(own_db, csv(tmp_path / "c.csv", "returnees", county_rows), skip_invalid=True, user="county_up")  # fmt: skip
    clerk_rows = [returnee(IDS[0], OWN), returnee(IDS[1], OTHER), returnee(IDS[2], OWN, "不详")]
    clerk = warehouse.load_file(
        own_db, csv(tmp_path / "k.csv", "returnees", clerk_rows), skip_invalid=True, user="clerk_up", townships=(OWN,)
    )
    assert (county.rows_rejected, clerk.rows_loaded, clerk.rows_rejected) == (1, 1, 2)
    at = signed_page(tmp_path, "clerk_up", "pages/batches.py", batch=str(county.batch_id))
    assert at.title[0].value == t("page.batches", "zh")
    assert t("batches.scope_caption", "zh", towns=OWN) in texts(at)
    history = at.dataframe[0].value
    assert history["批次号"].tolist() == [str(clerk.batch_id)]  # not the county's, not the demo's
    assert at.multiselect(key="bt_user").options == ["clerk_up"]
    picker = at.selectbox(key="url_batch")
    assert len(picker.options) == 1 and picker.value == str(clerk.batch_id)  # the link to the county's is not followed
    quarantine = next(df.value for df in at.dataframe if "隔离原因" in df.value.columns)
    assert quarantine["行号"].tolist() == ["4"]  # its own township's bad date; the 柳河镇 row (3) is not shown
    assert OTHER not in " ".join(quarantine.astype(str).to_numpy().ravel())
    assert t("batches.quarantine_hidden", "zh", n=1) in texts(at)
    assert at.button(key="bt_rollback")  # their own batch
    at.button(key="bt_rollback").click().run()
    at.button(key="bt_rollback_yes").click().run()
    ok(at)
    assert q(own_db, "SELECT status FROM v_batches WHERE batch_id = ?", [clerk.batch_id]) == [("rolled_back",)]
    assert q(own_db, "SELECT status FROM v_batches WHERE batch_id = ?", [county.batch_id]) == [("loaded",)]


def test_the_county_uploader_sees_every_batch(own_db, tmp_path):
    clerk = warehouse.load_file(
        own_db, csv(tmp_path / "k.csv", "returnees", [returnee(IDS[0], OWN)]), user="clerk_up", townships=(OWN,)
    )
    at = signed_page(tmp_path, "county_up", "pages/batches.py", batch=str(clerk.batch_id))
    assert len(at.dataframe[0].value) == q(own_db, "SELECT count(*) FROM v_batches")[0][0]
    assert at.selectbox(key="url_batch").value == str(clerk.batch_id)
    assert at.button(key="bt_rollback")
