"""The upload page through AppTest: real files checked in the worker, located errors, preview, commit, busy writer."""

from __future__ import annotations

import io
import shutil
import threading
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from board.i18n import t
from etl import warehouse
from etl.contracts import DATASETS
from etl.templates import template
from tests.clerk_files import csv, project, q
from tests.test_pages import _entry, ok

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages/upload.py")


@pytest.fixture
def own_db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo warehouse the page may write to."""
    db = tmp_path / "wh" / "warehouse.duckdb"
    db.parent.mkdir()
    shutil.copy(demo_db, db)
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    monkeypatch.setenv("DASHBOARD_RAISE", "1")
    return db


def page(tmp_path: Path, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(str(_entry(tmp_path)), default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    return at.switch_page(PAGE).run()


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.get("file_uploader")[0].upload(name, data).run()
    ok(at)
    return at


def table(at: AppTest, column: str):
    """The first table on the page that has ``column``."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def texts(at: AppTest) -> str:
    parts = [*at.success, *at.error, *at.warning, *at.info, *at.caption, *at.markdown]
    return "\n".join(str(x.value) for x in parts)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def n_projects(db: Path) -> int:
    return q(db, "SELECT count(*) FROM v_projects")[0][0]


def test_a_valid_file_is_previewed_then_loaded_on_confirmation(own_db, tmp_path):
    before = n_projects(own_db)
    rows = [project("UP1", "1200"), project("UP2", "3.5亿", township="柳河镇")]
    at = upload(page(tmp_path), "p.csv", csv(tmp_path / "p.csv", "projects", rows).read_bytes())
    m = metrics(at)
    assert (m[t("upload.m_rows", "zh")], m[t("upload.m_bad", "zh")], m[t("upload.m_new", "zh")]) == ("2", "0", "2")
    assert t("upload.ok", "zh") in texts(at)
    preview = table(at, "总投资(万元)")
    assert preview["项目编号"].tolist() == ["UP1", "UP2"]
    assert preview["总投资(万元)"].tolist() == [1200.0, 35000.0]  # 3.5亿 = 35000 万元
    assert n_projects(own_db) == before  # nothing written before the confirmation
    at.button(key="up_commit").click().run()
    ok(at)
    assert n_projects(own_db) == before + 2
    batch, user = q(own_db, "SELECT batch_id, user_name FROM v_batches ORDER BY batch_id DESC LIMIT 1")[0]
    assert t("upload.loaded", "zh", batch=batch, rows=2, bad=0) in texts(at)
    assert user  # the OS user (or "local") until sign-in exists
    assert not at.get("file_uploader")[0].value  # a fresh uploader after the commit


def test_an_invalid_file_shows_located_errors_and_writes_nothing(own_db, tmp_path):
    before = q(own_db, "SELECT count(*) FROM v_batches")[0][0]
    rows = [project("UP1", "1200"), project("UP2", "abc"), project("UP3", "100", township="青石乡")]
    at = upload(page(tmp_path, "en"), "bad.csv", csv(tmp_path / "bad.csv", "projects", rows).read_bytes())
    errors = table(at, "Reason")
    assert [int(r) for r in errors["Row"]] == [3, 4]  # as in Excel: the header is row 1
    assert errors["Column"].tolist() == ["总投资(万元)", "所属镇街"]  # as headed in the file
    assert errors["Value"].tolist() == ["abc", "青石乡"]
    assert "青石镇" in errors["Reason"].iloc[1]  # the suggestion, in the UI language
    assert t("upload.some_bad", "en", bad=2, good=1) in texts(at)
    report = at.get("download_button")
    assert any(b.proto.label == t("upload.report", "en") for b in report)
    commit = at.button(key="up_commit")
    assert commit.disabled  # all-or-nothing is not possible: only with the rows in error quarantined
    at.checkbox(key="up_quarantine").check().run()
    at.button(key="up_commit").click().run()
    ok(at)
    assert q(own_db, "SELECT count(*) FROM v_batches")[0][0] == before + 1
    assert q(own_db, "SELECT rows_loaded, rows_rejected FROM v_batches ORDER BY batch_id DESC LIMIT 1")[0] == (1, 2)


def test_a_gbk_csv_is_read(own_db, tmp_path):
    rows = [project("GBK1", "800", name="鑫源新材料项目")]
    at = upload(page(tmp_path), "gbk.csv", csv(tmp_path / "g.csv", "projects", rows, encoding="gbk").read_bytes())
    assert t("upload.ok", "zh") in texts(at)
    assert table(at, "项目名称")["项目名称"].tolist() == ["鑫源新材料项目"]
    assert "gb18030" in texts(at).lower() or "gbk" in texts(at).lower()


def test_an_xlsx_with_a_title_row_is_read(own_db, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2026年招商项目统计表"])
    ds = DATASETS["projects"]
    cols = ["project_id", "name", "township", "industry", "total_investment", "status", "signed_date"]
    ws.append([ds.column(c).zh for c in cols])
    ws.append(["X1", "标题行项目", "青石镇", "新材料", 2000, "签约", "2026-03-05"])
    buf = io.BytesIO()
    wb.save(buf)
    at = upload(page(tmp_path), "title.xlsx", buf.getvalue())
    assert t("upload.ok", "zh") in texts(at)
    assert table(at, "项目编号")["项目编号"].tolist() == ["X1"]


def test_superseded_records_show_old_and_new_values(own_db, tmp_path):
    sql = """SELECT project_id, total_investment, name, township, industry, signed_date FROM v_projects
             WHERE status = '签约' ORDER BY project_id LIMIT 1"""
    pid, total, name, town, industry, signed = q(own_db, sql)[0]
    row = project(pid, "77777", township=town, signed=str(signed), name=name, industry=industry)
    at = upload(page(tmp_path), "fix.csv", csv(tmp_path / "fix.csv", "projects", [row]).read_bytes())
    m = metrics(at)
    assert (m[t("upload.m_new", "zh")], m[t("upload.m_superseded", "zh")]) == ("0", "1")
    changes = table(at, "旧值")
    total_row = changes[changes["字段"] == "总投资(万元)"]
    old = f"{total:g}" if float(total) != int(total) else str(int(total))
    assert total_row[["记录", "旧值", "新值"]].values.tolist() == [[pid, old, "77777"]]


def test_a_personal_file_preview_shows_no_raw_ids_names_or_phones(own_db, tmp_path):
    rid, name, phone = "11010519491231002X", "张三丰", "13912345678"
    rows = [{"id_number": rid, "name": name, "phone": phone, "township": "青石镇", "return_date": "2026-02-10"}]
    at = upload(page(tmp_path), "r.csv", csv(tmp_path / "r.csv", "returnees", rows).read_bytes())
    ok(at)
    shown = " ".join(str(v) for df in at.dataframe for v in df.value.to_numpy().ravel())
    assert rid not in shown and name not in shown and phone not in shown
    assert t("upload.ok", "zh") in texts(at)


def test_an_upload_waits_for_another_writer_and_says_so(own_db, tmp_path):
    at = upload(page(tmp_path), "p.csv", csv(tmp_path / "p.csv", "projects", [project("W1", "10")]).read_bytes())
    release = threading.Event()
    held = threading.Event()

    def other_writer():
        with warehouse.writer_lock(own_db):
            held.set()
            release.wait(10)

    th = threading.Thread(target=other_writer)
    th.start()
    held.wait(5)
    threading.Timer(1.5, release.set).start()  # the other load finishes after 1.5 s
    at.button(key="up_commit").click().run()
    th.join()
    ok(at)
    assert q(own_db, "SELECT count(*) FROM v_projects WHERE project_id = 'W1'")[0][0] == 1
    assert any(c.value.startswith(t("upload.waited", "zh", seconds="")[:6]) for c in at.caption)


def test_an_upload_that_cannot_get_the_lock_gives_up_cleanly(own_db, tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_LOCK_TIMEOUT", "1")
    before = q(own_db, "SELECT count(*) FROM v_batches")[0][0]
    at = upload(page(tmp_path), "p.csv", csv(tmp_path / "p.csv", "projects", [project("W2", "10")]).read_bytes())
    with warehouse.writer_lock(own_db):
        at.button(key="up_commit").click().run()
    ok(at)
    assert not at.exception
    assert any(w.value.startswith(t("upload.busy_gave_up", "zh", seconds="")[:10]) for w in at.warning)
    assert q(own_db, "SELECT count(*) FROM v_batches")[0][0] == before  # no half batch, no batch at all


def test_a_template_filled_in_validates_and_its_example_row_is_ignored(own_db, tmp_path):
    wb = openpyxl.load_workbook(io.BytesIO(template(DATASETS["labor"], "xlsx")))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    row = {"镇街": "柳河镇", "月份": "2026-10", "县内转移就业(人)": "12", "县外劳务输出(人)": "30"}
    ws.append([row.get(h, "") for h in header])
    buf = io.BytesIO()
    wb.save(buf)
    at = upload(page(tmp_path), "labor.xlsx", buf.getvalue())
    assert t("upload.ok", "zh") in texts(at)
    assert metrics(at)[t("upload.m_rows", "zh")] == "1"  # the example row is not data
    assert "示例" in " ".join(table(at, "原因")["原因"])  # …and the page says it was skipped


def test_a_file_that_exhausts_the_worker_is_refused_with_a_message(own_db, tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_WORKER_MB", "60")
    body = "项目编号,月份,到位资金(万元)\n" + "".join(f"ZS2021001,2022-01,{i}\n" for i in range(300_000))
    at = upload(page(tmp_path, "en"), "huge.csv", body.encode())
    assert any("60 MB" in e.value for e in at.error)
    assert not at.button  # nothing to commit
    other = AppTest.from_file(str(_entry(tmp_path)), default_timeout=60).run()  # another session browses on
    ok(other)
    assert other.metric


def test_after_a_commit_another_session_sees_the_new_data(own_db, tmp_path):
    from board import fmt
    from board.i18n import metric_name
    from etl.metric_catalogue import get
    from tests.test_pages import _own_actuals, cards

    viewer = AppTest.from_file(str(_entry(tmp_path)), default_timeout=60).run()  # session B, caches filled
    ok(viewer)
    label = metric_name("contract_investment", "zh")
    before = _own_actuals(own_db, None)["contract_investment"]
    assert cards(viewer)[label] == fmt.value(before, get("contract_investment").kind, "zh", compact=True)
    rows = [project("NEW1", "50000", signed="2026-06-01")]  # 5亿 signed in 2026
    at = upload(page(tmp_path), "new.csv", csv(tmp_path / "new.csv", "projects", rows).read_bytes())
    at.button(key="up_commit").click().run()
    ok(at)
    viewer.run()  # session B's next rerun
    ok(viewer)
    after = cards(viewer)[label]
    assert after == fmt.value(before + 50000, get("contract_investment").kind, "zh", compact=True)
    assert after != fmt.value(before, get("contract_investment").kind, "zh", compact=True)


def test_the_current_boundary_file_is_recognised_as_already_loaded(own_db, demo_db, tmp_path):
    data = (demo_db.parent / "files" / "10_boundaries.geojson").read_bytes()
    at = upload(page(tmp_path, "en"), "b.geojson", data)
    assert any("already loaded" in i.value for i in at.info)
