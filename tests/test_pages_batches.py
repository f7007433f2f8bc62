"""The batches page through AppTest: filters, a batch's detail (rejects, kept file, superseded values), rollback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from board.i18n import t
from etl import warehouse
from tests.clerk_files import csv, project, q
from tests.test_pages import _entry, ok

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages/batches.py")


@pytest.fixture
def own_db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo warehouse with two more project batches: amy's (one row quarantined) and
    bob's, which changes amy's first project."""
    db = tmp_path / "wh" / "warehouse.duckdb"
    db.parent.mkdir()
    shutil.copy(demo_db, db)
    amy = [project("B1", "1000"), project("B2", "2000"), project("B3", "abc")]
    res = warehouse.load_file(db, csv(tmp_path / "amy.csv", "projects", amy), skip_invalid=True, user="amy")
    assert (res.status, res.rows_loaded, res.rows_rejected) == ("loaded", 2, 1)
    res = warehouse.load_file(db, csv(tmp_path / "bob.csv", "projects", [project("B1", "1500")]), user="bob")
    assert res.status == "loaded"
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    monkeypatch.setenv("DASHBOARD_RAISE", "1")
    return db


def ids(db: Path, user: str) -> int:
    return q(db, "SELECT max(batch_id) FROM v_batches WHERE user_name = ?", [user])[0][0]


def page(tmp_path: Path, lang: str = "zh", **params: str) -> AppTest:
    at = AppTest.from_file(str(_entry(tmp_path)), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(PAGE).run()
    ok(at)
    return at


def frames(at: AppTest) -> list:
    return [df.value for df in at.dataframe]


def test_history_filters_by_uploader_and_dataset(own_db, tmp_path):
    at = page(tmp_path, "en")
    assert len(frames(at)[0]) == q(own_db, "SELECT count(*) FROM v_batches")[0][0]
    at.multiselect(key="bt_user").set_value(["amy"]).run()
    ok(at)
    assert frames(at)[0]["Batch"].tolist() == [str(ids(own_db, "amy"))]
    at.multiselect(key="bt_user").set_value([]).run()
    at.multiselect(key="bt_ds").set_value(["projects"]).run()
    ok(at)
    shown = frames(at)[0]
    assert set(shown["Dataset"]) == {"Investment projects"} or len(set(shown["Dataset"])) == 1
    n = q(own_db, "SELECT count(*) FROM v_batches WHERE dataset = 'projects'")[0][0]
    assert len(shown) == n


def test_a_batch_detail_shows_rejects_kept_file_and_nothing_superseded_for_new_keys(own_db, tmp_path):
    amy = ids(own_db, "amy")
    at = page(tmp_path, "en", batch=str(amy))
    assert at.selectbox(key="url_batch").value == str(amy)
    m = {x.label: x.value for x in at.metric}
    assert (m["Rows read"], m["Rows loaded"], m["Rows quarantined"]) == ("3", "2", "1")
    assert any("amy" in c.value for c in at.caption)
    quarantine = next(df for df in frames(at) if "Why quarantined" in df.columns)
    assert quarantine["Row"].tolist() == ["4"]
    kept = [b for b in at.get("download_button") if b.proto.label == t("batches.kept_download", "en")]
    assert kept


def test_a_batch_detail_shows_the_values_it_superseded(own_db, tmp_path):
    bob, amy = ids(own_db, "bob"), ids(own_db, "amy")
    at = page(tmp_path, "en", batch=str(bob))
    changed = next(df for df in frames(at) if "Old value" in df.columns)
    row = changed[changed["Field"] == "total_investment"]
    assert row[["Record", "Old value", "New value", "Replaced batch"]].values.tolist() == [
        ["B1", "1000", "1500", str(amy)]
    ]


def test_rollback_asks_for_confirmation_then_restores_the_earlier_values(own_db, tmp_path):
    bob = ids(own_db, "bob")
    at = page(tmp_path, "zh", batch=str(bob))
    at.button(key="bt_rollback").click().run()
    ok(at)
    assert q(own_db, "SELECT total_investment FROM v_projects WHERE project_id = 'B1'")[0][0] == 1500  # not yet
    assert any(str(bob) in w.value for w in at.warning)  # the confirmation step
    at.button(key="bt_rollback_yes").click().run()
    ok(at)
    assert q(own_db, "SELECT total_investment FROM v_projects WHERE project_id = 'B1'")[0][0] == 1000
    assert q(own_db, "SELECT status FROM v_batches WHERE batch_id = ?", [bob])[0][0] == "rolled_back"
    assert t("batches.rolled_back", "zh", batch=bob) in [s.value for s in at.success]


def test_rollback_under_the_cli_rules_is_refused_when_a_later_batch_changed_the_same_records(own_db, tmp_path):
    amy, bob = ids(own_db, "amy"), ids(own_db, "bob")
    at = page(tmp_path, "en", batch=str(amy))
    at.button(key="bt_rollback").click().run()
    at.button(key="bt_rollback_yes").click().run()
    ok(at)
    assert q(own_db, "SELECT status FROM v_batches WHERE batch_id = ?", [amy])[0][0] == "loaded"
    errors = [e.value for e in at.error]
    assert any(f"later batch(es) {bob}" in e for e in errors), errors


def test_cancel_leaves_the_batch_alone(own_db, tmp_path):
    bob = ids(own_db, "bob")
    at = page(tmp_path, "en", batch=str(bob))
    at.button(key="bt_rollback").click().run()
    at.button(key="bt_cancel").click().run()
    ok(at)
    assert q(own_db, "SELECT status FROM v_batches WHERE batch_id = ?", [bob])[0][0] == "loaded"
    assert at.button(key="bt_rollback")  # back to the first step


def test_a_personal_batch_offers_its_pseudonymised_copy_as_csv_and_xlsx(own_db, tmp_path):
    from tests.checking import valid_id

    path = tmp_path / "r.csv"
    path.write_text(f"身份证号,姓名,镇街,返乡日期\n{valid_id('11010519800307123')},张小吉,青石镇,2026-02-01\n")
    res = warehouse.load_file(own_db, path, user="amy")
    assert res.status == "loaded" and res.kept_path.name.endswith(".pseudonymised.parquet")
    rid = res.batch_id
    at = page(tmp_path, "en", batch=str(rid))
    labels = [b.proto.label for b in at.get("download_button")]
    assert t("batches.kept_download_csv", "en") in labels and t("batches.kept_download_xlsx", "en") in labels
    assert t("batches.kept_download", "en") not in labels
