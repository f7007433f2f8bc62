"""Findings are worded column-wise exactly as the message catalogue says, and made printable."""

from __future__ import annotations

import numpy as np

from etl.findings import Findings
from etl.messages import ERROR, WARNING, cell_message, message


def test_column_wise_wording_equals_the_catalogue_message_for_each_row():
    f = Findings()
    f.add([5, 3], "总投资(万元)", ["3.5忆", ""], "money_invalid")
    f.add([7], "开工日期", "2012-01-01", "stage_dates_ordered", {"prev": ["签约日期"], "prev_value": ["2012-02-01"]})
    f.add([None], "", "", "column_missing", {"header": "项目名称", "name": "name"})
    f.add(np.array([9, 10]), "", "", "blank_row", severity=WARNING)
    errors = f.frame(ERROR)
    assert errors["row"].tolist()[1:] == [3, 5, 7] and errors["row"].isna().tolist()[0]
    expected = [
        message("column_missing", header="项目名称", name="name"),
        cell_message("money_invalid", 3, "总投资(万元)", ""),
        cell_message("money_invalid", 5, "总投资(万元)", "3.5忆"),
        cell_message("stage_dates_ordered", 7, "开工日期", "2012-01-01", prev="签约日期", prev_value="2012-02-01"),
    ]
    assert list(zip(errors["reason_zh"], errors["reason_en"], strict=True)) == expected
    warnings = f.frame(WARNING)
    assert warnings["reason_zh"].tolist() == [message("blank_row", row=9)[0], message("blank_row", row=10)[0]]


def test_a_code_per_row_and_a_parameter_per_row():
    f = Findings()
    f.add([2, 3, 4], "h", ["a", "b", "c"], np.array(["negative", "fraction", "negative"], dtype=object))
    assert f.frame(ERROR)[["row", "code"]].values.tolist() == [[2, "negative"], [3, "fraction"], [4, "negative"]]


def test_control_characters_are_shown_as_escapes_never_sent_as_is():
    f = Findings()
    f.add([2], "镇街\x1b[2J", "城关\u200b街道\x1b]0;pwned\x07", "enum_invalid", {"choices": "甲"})
    row = f.frame(ERROR).iloc[0]
    for text in (row["value"], row["column"], row["reason_zh"], row["reason_en"]):
        assert "\x1b" not in text and "\u200b" not in text and "\x07" not in text
    assert "\\x1b" in row["value"] and "\\u200b" in row["value"]


def test_a_huge_cell_is_cut_in_every_message():
    f = Findings()
    f.add([2, 3], "镇街", "城" * 1_000_000, "enum_invalid", {"choices": "甲"})
    errors = f.frame(ERROR)
    assert errors["value"].str.len().max() < 1_000 and errors["reason_zh"].str.len().max() < 1_200


def test_many_findings_are_one_chunk_of_work():
    f = Findings()
    n = 200_000
    f.add(
        np.arange(2, n + 2),
        "项目编号",
        np.full(n, "P1", dtype=object),
        "duplicate_key",
        {"key": "项目编号", "first": np.ones(n, dtype=int)},
    )
    errors = f.frame(ERROR)
    assert len(errors) == n
    assert (
        errors["reason_zh"].iat[-1]
        == cell_message("duplicate_key", n + 1, "项目编号", "P1", key="项目编号", first=1)[0]
    )
