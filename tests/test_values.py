"""Values are never guessed: clerk files with out-of-range numbers, implausible dates, IDs born in the future
and hostile text go through the real loader, are refused with a located zh/en error, and leave the
warehouse as it was (issue "hostile and careless files", items 8, 9, 10, 13, 14). The clock is
2026-11-28 (tests/conftest.py)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from etl import warehouse
from etl.messages import cell_message, printable, printable_values
from etl.pseudonym import mask_id
from tests.checking import valid_id
from tests.clerk_files import csv, project, q

ROOT = Path(__file__).resolve().parents[1]
VALIDATOR_ECHOES_RAW_CELLS = (
    "etl/validate.py builds the value column and the messages' located prefix from the raw cells: "
    "_Errors._chunk_frame needs values = messages.printable_values(values) (owner: validate.py)"
)


@pytest.fixture()
def db(tmp_path) -> Path:
    return warehouse.init(tmp_path / "wh" / "w.duckdb")


def refused(db: Path, path: Path) -> pd.DataFrame:
    """Load ``path``; assert that nothing was loaded and the warehouse file did not change; the errors."""
    before = db.read_bytes()
    res = warehouse.load_file(db, path)
    assert (res.status, res.rows_loaded) == ("rejected", 0)
    assert db.read_bytes() == before
    return res.errors


def located(errors: pd.DataFrame) -> dict[int, str]:
    """Row → error code."""
    return dict(zip(errors["row"].astype(int), errors["code"], strict=True))


# ---------------------------------------------------------------- 8. counts


def test_8_a_count_beyond_int64_is_refused_with_the_columns_maximum(db, tmp_path):
    rows = [project("P1", "100", planned_jobs="120"), project("P2", "200", planned_jobs="1e19")]
    [err] = refused(db, csv(tmp_path / "p.csv", "projects", rows)).to_dict("records")
    assert (err["row"], err["column"], err["value"], err["code"]) == (3, "计划用工(人)", "1e19", "too_large_1e6")
    assert err["reason_zh"].startswith("第3行「计划用工(人)」值“1e19”超过本列上限 1,000,000 人")
    assert "above this column's maximum of 1,000,000 人" in err["reason_en"]
    assert q(db, "SELECT count(*) FROM v_projects") == [(0,)]


def test_8_people_counts_have_the_kinds_ceiling_and_the_good_rows_load(db, tmp_path):
    rows = [
        {"township": "青石镇", "period": "2026-10", "local_transfer": "1200"},
        {"township": "金川镇", "period": "2026-10", "local_transfer": "9223372036854775808"},
    ]
    path = csv(tmp_path / "l.csv", "labor", rows)
    assert located(refused(db, path)) == {3: "too_large_1e7"}
    res = warehouse.load_file(db, path, skip_invalid=True)
    assert (res.status, res.rows_loaded, res.rows_rejected) == ("loaded", 1, 1)
    assert q(db, "SELECT township, local_transfer FROM v_labor") == [("青石镇", 1200)]


# ---------------------------------------------------------------- 9. amounts


def test_9_amounts_of_1e308_are_refused_and_no_inf_reaches_the_facts(db, tmp_path):
    rows = [project("P1", "1e308"), project("P2", "1e308"), project("P3", "2.5亿"), project("P4", "1e999999999亿")]
    path = csv(tmp_path / "p.csv", "projects", rows)
    errors = refused(db, path)
    assert located(errors) == {2: "too_large_1e8", 3: "too_large_1e8", 5: "too_large_1e8"}
    assert "超过本列上限 100,000,000 万元" in errors["reason_zh"].iat[0]
    assert "maximum of 100,000,000 万元" in errors["reason_en"].iat[0]
    res = warehouse.load_file(db, path, skip_invalid=True)
    assert (res.rows_loaded, res.rows_rejected) == (1, 3)
    assert q(db, "SELECT project_id, total_investment FROM v_projects") == [("P3", 25000.0)]
    assert q(db, "SELECT count(*) FROM v_unit_facts WHERE NOT isfinite(value)") == [(0,)]
    assert q(db, "SELECT sum(value) FROM v_metric_facts WHERE metric = 'contract_investment'") == [(25000.0,)]


def test_9_non_finite_text_is_not_an_amount(db, tmp_path):
    rows = [project(f"P{i}", cell) for i, cell in enumerate(("inf", "-inf", "Infinity", "nan", "NaN"))]
    errors = refused(db, csv(tmp_path / "p.csv", "projects", rows))
    assert set(errors["code"]) == {"money_invalid"} and len(errors) == 5


def test_9_a_target_is_bounded_by_its_metrics_kind(db, tmp_path):
    rows = [
        {"year": "2026", "unit": "全县", "metric": "合同引资", "target": "70亿"},
        {"year": "2026", "unit": "全县", "metric": "合同利用外资", "target": "1e308"},
        {"year": "2026", "unit": "全县", "metric": "签约项目", "target": "1e19"},
        {"year": "2026", "unit": "青石镇", "metric": "合同引资", "target": "1e308"},
    ]
    errors = refused(db, csv(tmp_path / "t.csv", "targets", rows))
    assert located(errors) == {3: "too_large_1e7", 4: "too_large_1e7", 5: "too_large_1e8"}
    reasons = errors.set_index(errors["row"].astype(int))["reason_zh"]
    assert "10,000,000 万美元" in reasons[3] and "10,000,000 个" in reasons[4] and "100,000,000 万元" in reasons[5]


# ---------------------------------------------------------------- 10. dates


def test_10_implausible_dates_are_refused_and_the_default_year_stays(db, tmp_path):
    rows = [
        project("P1", "100", signed="99999"),  # was 2173-10-13, and 2173 became the dashboard's default year
        project("P2", "100", signed="00001"),  # was 1899-12-31
        project("P3", "100", signed="00060"),  # Excel's 1900-02-29
        project("P4", "100", signed="2030-03-05T25:99"),
        project("P5", "100", signed="2026-12-01"),  # a signing date is a fact, not a plan
        project("P6", "100", signed="46354"),  # today as an Excel serial
    ]
    path = csv(tmp_path / "p.csv", "projects", rows)
    errors = refused(db, path)
    assert located(errors) == {
        2: "date_future",
        3: "date_too_early",
        4: "date_impossible",
        5: "time_invalid",
        6: "date_future",
    }
    assert "晚于今天" in errors["reason_zh"].iat[0] and "is after today" in errors["reason_en"].iat[0]
    assert "早于 1950 年" in errors["reason_zh"].iat[1]
    res = warehouse.load_file(db, path, skip_invalid=True)
    assert (res.rows_loaded, res.rows_rejected) == (1, 5)
    assert q(db, "SELECT project_id, signed_date FROM v_projects") == [("P6", date(2026, 11, 28))]
    assert q(db, "SELECT max(year) FROM v_unit_facts") == [(2026,)]


def test_10_plans_may_lie_ahead_and_months_may_not(db, tmp_path):
    targets = [
        {"year": "2030", "unit": "全县", "metric": "合同引资", "target": "70亿"},  # a five-year plan's target
        {"year": "2037", "unit": "全县", "metric": "合同引资", "target": "70亿"},  # more than 10 years ahead
        {"year": "1949", "unit": "全县", "metric": "合同引资", "target": "70亿"},
    ]
    errors = refused(db, csv(tmp_path / "t.csv", "targets", targets))
    assert located(errors) == {3: "date_too_far", 4: "date_too_early"}
    assert "今后 10 年" in errors["reason_zh"].iat[0]
    labor = [
        {"township": "青石镇", "period": "2026-11", "local_transfer": "10"},
        {"township": "青石镇", "period": "2026-12", "local_transfer": "10"},
        {"township": "青石镇", "period": "99999", "local_transfer": "10"},
    ]
    assert located(refused(db, csv(tmp_path / "l.csv", "labor", labor))) == {3: "date_future", 4: "date_future"}


# ---------------------------------------------------------------- 13. ID numbers


def test_13_an_id_born_in_the_future_is_refused_and_stays_masked(db, tmp_path):
    born_2099 = valid_id("11010520990101001")
    rows = [
        {"id_number": valid_id("11010519900307123"), "name": "张三", "township": "青石镇", "return_date": "2026-03-01"},
        {"id_number": born_2099, "name": "李四", "township": "青石镇", "return_date": "2026-03-01"},
    ]
    [err] = refused(db, csv(tmp_path / "r.csv", "returnees", rows)).to_dict("records")
    assert (err["row"], err["code"], err["value"]) == (3, "id_date", mask_id(born_2099))
    assert "不晚于今天" in err["reason_zh"] and "up to today" in err["reason_en"]
    assert born_2099 not in "".join(map(str, err.values()))
    assert q(db, "SELECT count(*) FROM v_returnees") == [(0,)]


# ---------------------------------------------------------------- 14. text


def test_14_invisible_characters_make_no_second_township(db, tmp_path):
    rows = [
        project("P1", "100", township="城关\u200b街道"),
        project("P2", "100", township="城关街道"),
        project("P3", "100", township="\ufeff城关街道\u202c", name="\u202e项目三\u2066"),
    ]
    res = warehouse.load_file(db, csv(tmp_path / "p.csv", "projects", rows))
    assert (res.status, res.rows_loaded) == ("loaded", 3)
    assert q(db, "SELECT DISTINCT township FROM v_projects") == [("城关街道",)]
    assert q(db, "SELECT name FROM v_projects WHERE project_id = 'P3'") == [("项目三",)]


def test_14_control_characters_are_refused_not_stored(db, tmp_path):
    rows = [
        project("P1", "100", name="项目\x1b]0;owned\x07\x1b[2J"),  # sets the terminal's title, clears its screen
        project("P2", "100", investor="某某\x00公司"),
        project("P3", "100"),
    ]
    errors = refused(db, csv(tmp_path / "p.csv", "projects", rows))
    assert located(errors) == {2: "control_char", 3: "control_char"}
    assert "控制字符" in errors["reason_zh"].iat[0] and "control characters" in errors["reason_en"].iat[0]


def test_14_a_megabyte_township_name_is_refused(db, tmp_path):
    rows = [project("P1", "100", township="城" * 1_000_000), project("P2", "100", name="长" * 201)]
    errors = refused(db, csv(tmp_path / "p.csv", "projects", rows))
    assert located(errors) == {2: "too_long_200", 3: "too_long_200"}
    assert "最多 200 个字符" in errors["reason_zh"].iat[0] and "200 characters" in errors["reason_en"].iat[0]


def test_14_the_errors_echo_cells_printable_and_cut(db, tmp_path):
    rows = [project("P1", "100", name="项目\x1b[2J"), project("P2", "100", township="城" * 1_000_000)]
    errors = refused(db, csv(tmp_path / "p.csv", "projects", rows))
    shown = "".join(errors[["value", "reason_zh", "reason_en"]].to_numpy().ravel())
    assert "\x1b" not in shown and "项目\\x1b[2J" in shown
    assert len(shown) < 10_000  # not the megabyte, six times over


def test_14_the_command_line_prints_no_escape_sequence(db, tmp_path):
    path = csv(tmp_path / "p.csv", "projects", [project("P1", "100", name="项目\x1b]0;owned\x07\x1b[2J")])
    cmd = [sys.executable, "-m", "etl", "--db", str(db), "validate", str(path)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 1 and "控制字符" in proc.stdout
    assert "\x1b" not in proc.stdout + proc.stderr and "\x07" not in proc.stdout + proc.stderr


def test_14_messages_show_cells_printable():
    zh, en = cell_message("control_char", 5, "项目\u202e名称", "a\x1b[2J\x00\u200bb" + "长" * 300)
    for text in (zh, en):
        assert "\x1b" not in text and "\x00" not in text and "\u200b" not in text and "\u202e" not in text
        assert "a\\x1b[2J\\x00\\u200bb" in text and "项目\\u202e名称" in text and "长" * 301 not in text
    assert printable("城关\u200b街道\r\n") == "城关\\u200b街道\\x0d\\x0a"
    assert printable("长" * 101) == "长" * 100 + "…"
    cells = pd.Series(["正常", "a\x9bb", None, "长" * 101], dtype="str", index=[7, 8, 9, 10])
    assert printable_values(cells).tolist() == ["正常", "a\\x9bb", "", "长" * 100 + "…"]
    assert printable_values(cells).index.tolist() == [7, 8, 9, 10]
