"""Validation: located bilingual errors, file-level problems, cross-field rules, reports and pseudonymised copies."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from etl.contracts import DATASETS
from etl.readers import FileRejected
from etl.validate import detect_dataset
from tests.checking import KEY, valid_id, validated

ID_A = "11010519491231002X"  # the GB 11643 example number: valid checksum, born 1949, 女
ID_B = "110105194912310010"  # same person block, 男 (check digit recomputed below if needed)
PROJECTS = "项目编号,项目名称,所属镇街,产业类别,总投资（万元）,项目状态,签约日期,开工日期,竣工日期,投产日期"


ID_M = valid_id("32010219800101001")  # 男 (17th digit odd)
ID_F = valid_id("32010219850202002")  # 女


def run(text: str, dataset: str | None = None, name: str = "f.csv", **kw) -> object:
    return validated(text, name, dataset, **kw)


def codes(v) -> list[tuple]:
    return [(None if pd.isna(r) else int(r), c) for r, c in zip(v.errors["row"], v.errors["code"], strict=True)]


def test_errors_are_located_as_the_clerk_sees_them() -> None:
    v = run(
        "2012年招商项目统计表,,,,,,,,,\n"
        + PROJECTS
        + "\nP1,甲,城关镇,新材料,35000,签约,2012-03-05,,,\nP2,乙,城关镇,新材料,3.5忆,在谈,,,,\n"
    )
    assert v.dataset.name == "projects"
    err = v.errors.iloc[0]
    assert (err["row"], err["column"], err["value"], err["code"]) == (4, "总投资（万元）", "3.5忆", "money_invalid")
    assert err["reason_zh"] == "第4行「总投资（万元）」值“3.5忆”无法识别为金额（可写 35000、3.5亿、35000万元、1,234.5）"
    assert err["reason_en"].startswith("Row 4, column '总投资（万元）'")
    assert v.valid.tolist() == [True, False]
    assert v.frame["_row"].tolist() == [3, 4]
    assert v.frame["total_investment"].iloc[0] == 35000.0
    assert list(v.frame.columns) == [n for n, _ in v.dataset.stored_columns()] + ["_row"]


def test_unreadable_amount_message_says_how_to_fix() -> None:
    v = run(PROJECTS + "\nP1,甲,城关镇,新材料,三万五,在谈,,,,\n")
    assert "可写 35000、3.5亿、35000万元" in v.errors["reason_zh"].iat[0]


def test_missing_required_column_makes_every_row_invalid() -> None:
    v = run("项目编号,项目名称,所属镇街,总投资(万元),项目状态\nP1,甲,城关镇,100,在谈\n", dataset="projects")
    file_level = v.errors[v.errors["row"].isna()]
    assert file_level["code"].tolist() == ["column_missing"]
    assert "产业类别" in file_level["reason_zh"].iat[0]
    assert not v.valid.any()


def test_extra_column_is_a_warning_not_dropped_silently() -> None:
    v = run(PROJECTS + ",备注栏\nP1,甲,城关镇,新材料,100,在谈,,,,,无\n")
    assert v.valid.all()
    assert ("column_unknown", "备注栏") in list(zip(v.warnings["code"], v.warnings["column"], strict=True))


def test_header_with_another_unit_is_refused() -> None:
    v = run(
        "项目编号,项目名称,所属镇街,产业类别,总投资(亿元),项目状态\nP1,甲,城关镇,新材料,3.5,在谈\n", dataset="projects"
    )
    assert "column_unit" in v.errors["code"].tolist() and not v.valid.any()


def test_duplicate_keys_name_the_first_row() -> None:
    v = run(
        PROJECTS + "\nP1,甲,城关镇,新材料,1,在谈,,,,\nP2,乙,城关镇,新材料,1,在谈,,,,\nP1,丙,城关镇,新材料,1,在谈,,,,\n"
    )
    dup = v.errors[v.errors["code"] == "duplicate_key"]
    assert dup["row"].tolist() == [4]
    assert "与第2行重复" in dup["reason_zh"].iat[0]
    assert v.valid.tolist() == [True, True, False]


def test_wrong_dataset_is_a_clear_file_level_error() -> None:
    v = run(PROJECTS + "\nP1,甲,城关镇,新材料,1,在谈,,,,\n", dataset="funding")
    assert "wrong_dataset" in v.errors["code"].tolist()
    assert "招商项目" in v.errors.loc[v.errors["code"] == "wrong_dataset", "reason_zh"].iat[0]
    assert not v.valid.any()


def test_detect_dataset_refuses_unknown_headers() -> None:
    assert detect_dataset(["项目编号", "月份", "到位资金(万元)"]).name == "funding"
    with pytest.raises(FileRejected) as exc:
        detect_dataset(["甲", "乙"])
    assert exc.value.code == "dataset_unknown"
    assert detect_dataset(["镇街", "月份", "县外劳务输出（人）"]).name == "labor"


def test_detected_file_missing_a_required_column_gets_the_precise_error() -> None:
    v = run("项目编号,项目名称,所属镇街,总投资(万元),项目状态\nP1,甲,城关镇,100,在谈\n")
    assert v.dataset.name == "projects" and codes(v) == [(None, "column_missing")]


def test_stage_dates_required_and_ordered() -> None:
    v = run(
        PROJECTS
        + "\nP1,甲,城关镇,新材料,1,开工,2012-03-05,,,\n"  # started but no start date
        + "P2,乙,城关镇,新材料,1,投产,2012-05-01,2012-04-01,2012-06-01,2012-07-01\n"  # started before signed
        + "P3,丙,城关镇,新材料,1,投产,2012-01-01,2012-02-01,2012-03-01,2012-04-01\n"
    )
    got = codes(v)
    assert (2, "stage_dates_required") in got
    assert (3, "stage_dates_ordered") in got
    assert v.valid.tolist() == [False, False, True]
    assert v.errors.loc[v.errors["row"] == 2, "column"].iat[0] == "开工日期"


def test_funding_not_greater_and_project_exists() -> None:
    text = (
        "项目编号,月份,到位资金(万元),其中省外资金(万元)\nP1,2012-03,100,150\nP9,2012年3月,100,50\nP1,201204,100,100\n"
    )
    v = run(text, project_ids={"P1"})
    assert codes(v) == [(2, "not_greater"), (3, "project_exists")]
    assert v.frame["period"].tolist() == ["2012-03", "2012-03", "2012-04"]


def test_totals_mismatch_is_an_error_match_is_a_note() -> None:
    base = PROJECTS + "\nP1,甲,城关镇,新材料,100,在谈,,,,\nP2,乙,城关镇,新材料,200.5,在谈,,,,\n"
    ok = run(base + "合计,,,,300.5,,,,,\n")
    assert ok.errors.empty and "total_ok" in ok.warnings["code"].tolist()
    bad = run(base + "合计,,,,310,,,,,\n")
    assert codes(bad) == [(4, "total_mismatch")]
    assert bad.valid.all()  # the detail rows themselves are fine; the clerk must fix the total or a row


def test_reader_issue_becomes_a_located_error() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(PROJECTS.split(","))
    ws.append(["P1", "甲", "城关镇", "新材料", "=1+2", "在谈"])
    buf = io.BytesIO()
    wb.save(buf)
    v = validated(buf.getvalue(), "p.xlsx")
    assert codes(v) == [(2, "formula_no_value")]  # not also reported as "required"


RETURNEES = "身份证号,姓名,性别,镇街,返乡日期,联系电话\n"


def test_same_id_same_person_key_across_files() -> None:
    r = run(RETURNEES + f"{ID_F},王五,女,城关镇,2012-03-05,\n")
    t = run(
        "班次编号,培训工种,镇街,开班日期,身份证号\n"
        + f"C1,电焊工,城关镇,2012-03-05,{ID_F.lower()}\n"
        + f"C1,电焊工,城关镇,2012-03-05,{ID_F}\n"
    )
    assert t.dataset.name == "training"
    assert r.frame["person_key"].iat[0] == t.frame["person_key"].iat[0]
    assert codes(t) == [(3, "duplicate_key")]  # the same person twice in one class


def test_gender_must_match_id_and_one_of_id_or_person_key() -> None:
    v = run(
        "身份证号,人员编号,性别,镇街,返乡日期\n"
        + f"{ID_M},,女,城关镇,2012-03-05\n,,男,城关镇,2012-03-05\n,R7,男,城关镇,2012-03-05\n"
    )
    assert codes(v) == [(2, "gender_matches_id"), (3, "one_of_missing")]
    assert v.frame["person_key"].iat[2] == "R7"


def test_contract_investment_blank_stays_na() -> None:
    v = run(
        "项目编号,项目名称,所属镇街,产业类别,总投资(万元),合同引资额(万元),项目状态\nP1,甲,城关镇,新材料,100,,在谈\n"
    )
    assert v.valid.all() and pd.isna(v.frame["contract_investment"].iat[0])


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_empty_frame_columns_are_typed(name: str) -> None:
    from etl.templates import template

    data = template(DATASETS[name]).decode("utf-8-sig").replace("2012", "2013")  # no longer the example row
    v = validated(data, "t.csv", name, project_ids={"P2013001"})
    assert v.errors.empty, v.errors["reason_en"].tolist()
    assert list(v.frame.columns) == [n for n, _ in DATASETS[name].stored_columns()] + ["_row"]


def test_a_bad_stage_date_is_reported_once() -> None:
    v = run(PROJECTS + "\nP1,甲,城关镇,新材料,1,签约,2012-02-30,,,\n")
    assert codes(v) == [(2, "date_impossible")]  # not also "signed date required"


def test_same_person_twice_in_returnees_is_a_duplicate() -> None:
    v = run(
        RETURNEES + f"{ID_M},甲,男,城关镇,2012-03-05,\n,乙,男,城关镇,2012-03-05,\n{ID_M},丙,男,城关镇,2012-04-05,\n"
    )
    assert codes(v) == [(3, "one_of_missing"), (4, "duplicate_key")]
    dup = v.errors[v.errors["code"] == "duplicate_key"]
    assert dup["column"].iat[0] == "身份证号" and ID_M not in dup["reason_zh"].iat[0]


@pytest.mark.parametrize(
    ("metric", "cell", "expected"),
    [
        ("合同引资", "70亿", 700000.0),
        ("到位资金", '"38,000"', 38000.0),
        ("合同利用外资", "500万美元", 500.0),
        ("签约项目", "6", 6.0),
        ("技能培训", "457人", 457.0),
        ("签约项目", "6.5", "fraction"),
        ("新增就业", "1.5亿", "unit_wrong"),
        ("合同利用外资", "3000万元", "currency_wrong"),
    ],
)
def test_target_value_is_read_in_its_metrics_unit(metric, cell, expected, tmp_path):
    v = validated(f"年度,责任单位,指标,目标值\n2026,全县,{metric},{cell}\n", "t.csv", "targets")
    codes_found = v.errors["code"].tolist()
    values = v.frame["target"].dropna().tolist()
    assert (values, codes_found) == (([expected], []) if isinstance(expected, float) else ([], [expected]))
    assert v.errors["row"].tolist() == ([] if isinstance(expected, float) else [2])


def test_a_total_row_may_pass_a_single_rows_bound():
    """合计 of two ventures at 60万 each is 120万: above one venture's 100万 bound, still a correct total."""
    head = "编号,创业类型,镇街,创办日期,投资额(万元)\n"
    v = run(head + "V1,家庭创业,城关镇,2026-03-05,600000\nV2,家庭创业,城关镇,2026-03-05,600000\n合计,,,,1200000\n")
    assert v.errors.empty and "total_ok" in v.warnings["code"].tolist()


def test_pseudonym_prints_are_read_from_keys_of_a_pseudonyms_length():
    import pyarrow as pa

    from etl.validate import _pseudonym_prints

    keys = pa.array(["P" + "0123456789abcdef" + "0" * 8, None, "P" + "0123456789abcdee" + "0" * 8], pa.large_string())
    prints = _pseudonym_prints(keys)
    assert len(prints) == 2 and prints[0] != prints[1]  # the null left out; keys that differ, prints that differ
    assert _pseudonym_prints(pa.array(["R1", "P" + "0" * 24])) is None  # not all of a pseudonym's length


def test_two_rows_of_one_person_are_a_duplicate_whether_by_id_or_by_kept_pseudonym():
    from tests.checking import hmac_reference

    one = valid_id("11010519800307123")
    v = validated(f"身份证号,镇街,返乡日期\n{one},青石镇,2026-02-01\n{one},青石镇,2026-03-01\n", dataset="returnees")
    assert v.errors["code"].tolist() == ["duplicate_key"] and v.errors["row"].tolist() == [3]
    pk = hmac_reference(one, KEY)  # the kept copy's pseudonym in 人员编号 beside the same person's ID
    v = validated(
        f"身份证号,人员编号,镇街,返乡日期\n{one},,青石镇,2026-02-01\n,{pk},青石镇,2026-03-01\n", dataset="returnees"
    )
    assert v.errors["code"].tolist() == ["duplicate_key"] and v.errors["row"].tolist() == [3]
