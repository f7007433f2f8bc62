"""Messy clerk cells → canonical values or error codes, one row per case (DOMAIN.md §3)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from etl.contracts import (
    DATASETS,
    DATE_MIN,
    FUTURE_YEARS,
    LEADS,
    PARKS,
    PROJECT_STATUS_EN,
    PROJECT_STATUSES,
    PROJECTS,
    TARGETS,
    TRAINING,
    Column,
)
from etl.messages import CATALOGUE
from etl.normalise import normalise
from tests.checking import valid_id

MONEY = Column("total_investment", "总投资(万元)", "money", unit="万元")
USD = Column("foreign_contract", "合同外资(万美元)", "usd", unit="万美元")
COUNT = Column("planned_jobs", "计划用工(人)", "count", unit="人")
MU = Column("land_mu", "用地面积(亩)", "number", unit="亩")
REQ_TEXT = Column("name", "项目名称", "text", True)
TEXT = Column("village", "村(社区)", "text")
CODE = Column("project_id", "项目编号", "code", True)
DATE = Column("signed_date", "签约日期", "date")
MONTH = Column("period", "月份", "month", True)
PERIOD = Column("period", "期间", "period", True)
YEAR = Column("year", "年度", "year", True)
BOOL = Column("key_project", "重点项目", "bool")
STATUS = Column("status", "项目状态", "enum", True, choices=PROJECT_STATUSES, aliases=PROJECT_STATUS_EN)
ID = Column("id_number", "身份证号", "id_number")
# columns as the contracts declare them: their own ceilings, length caps and future dates
JOBS = PROJECTS.column("planned_jobs")  # ≤ 1,000,000 人
LAND = PROJECTS.column("land_mu")  # ≤ 1,000,000 亩
KM2 = PARKS.column("developed_area_km2")  # ≤ 10,000 平方公里
SUBSIDY = TRAINING.column("subsidy")  # ≤ 100,000 元
DESC = LEADS.column("description")  # ≤ 2,000 characters
TARGET_YEAR = TARGETS.column("year")  # plans: up to FUTURE_YEARS ahead
D = dt.date
# the tests' clock (tests/conftest.py): 2026-11-28; Excel serial 46354 is that day

CASES = [
    # money in 万元
    (MONEY, "1234", 1234.0),
    (MONEY, "１２３，４５６", 123456.0),  # full-width digits and comma
    (MONEY, "１２３，４", "money_invalid"),  # not a thousands group: 1234? 123.4? never guessed
    (MONEY, "1,234.5", 1234.5),
    (MONEY, "\u300085\u3000", 85.0),  # ideographic spaces
    (MONEY, "2.5亿", 25000.0),
    (MONEY, "1.23亿", 12300.0),
    (MONEY, "3000万元", 3000.0),
    (MONEY, "3000万", 3000.0),
    (MONEY, "12345元", 1.2345),
    (MONEY, "2.5 亿元", 25000.0),
    (MONEY, "500万美元", "currency_wrong"),
    (MONEY, "85%", "percent"),
    (MONEY, "-5", "negative"),
    (MONEY, "3.5忆", "money_invalid"),
    (MONEY, "暂无", "placeholder"),
    (MONEY, "-", "placeholder"),
    (MONEY, "/", "placeholder"),
    (MONEY, "不详", "placeholder"),
    (MONEY, "", None),
    # usd in 万美元
    (USD, "500万美元", 500.0),
    (USD, "5000000美元", 500.0),
    (USD, "1.5亿美元", 15000.0),
    (USD, "3000万元", "currency_wrong"),
    (USD, "500元", "currency_wrong"),
    # counts and numbers with a unit
    (COUNT, "12", 12),
    (COUNT, "12人", 12),
    (COUNT, "12.5", "fraction"),
    (COUNT, "-3", "negative"),
    (COUNT, "3户", "unit_wrong"),
    (MU, "12.5亩", 12.5),
    (MU, "1,200", 1200.0),
    (MU, "3平方公里", "unit_wrong"),
    # text, code
    (REQ_TEXT, "  新材料\u3000 产业园  ", "新材料 产业园"),
    (REQ_TEXT, "暂无", "placeholder_required"),
    (TEXT, "暂无", "暂无"),  # optional free text is kept as written
    (CODE, " P 2012 001 ", "P2012001"),
    (CODE, "Ｐ００１", "P001"),
    # dates
    (DATE, "2012-03-05", D(2012, 3, 5)),
    (DATE, "2012/3/5", D(2012, 3, 5)),
    (DATE, "2012年3月5日", D(2012, 3, 5)),
    (DATE, "2012.3.5", D(2012, 3, 5)),
    (DATE, "20120305", D(2012, 3, 5)),
    (DATE, "40969", D(2012, 3, 1)),  # Excel serial (1900 leap bug accounted)
    (DATE, "2012-03-05T09:30:00", D(2012, 3, 5)),
    (DATE, "２０１２－０３－０５", D(2012, 3, 5)),
    (DATE, "2012-02-30", "date_impossible"),
    (DATE, "2012-02-29", D(2012, 2, 29)),
    (DATE, "2011-02-29", "date_impossible"),
    (DATE, "2012年3月", "date_month_only"),
    (DATE, "2012.03", "date_month_only"),
    (DATE, "201203", "date_month_only"),
    (DATE, "三月五日", "date_invalid"),
    (DATE, "暂无", "placeholder"),
    (MONTH, "2012-03", "2012-03"),
    (MONTH, "2012/3", "2012-03"),
    (MONTH, "2012.03", "2012-03"),
    (MONTH, "2012.3", "2012-03"),
    (MONTH, "2012年3月", "2012-03"),
    (MONTH, "201203", "2012-03"),
    (MONTH, "2012-03-17", "2012-03"),
    (MONTH, "40969", "2012-03"),
    (MONTH, "2012-13", "month_invalid"),
    (MONTH, "2012", "month_invalid"),
    (PERIOD, "2012", "2012"),
    (PERIOD, "2012年", "2012"),
    (PERIOD, "2012年3月", "2012-03"),
    (PERIOD, "上半年", "period_invalid"),
    (YEAR, "2012", 2012),
    (YEAR, "2012年", 2012),
    (YEAR, "12", "year_invalid"),
    # booleans
    *[(BOOL, c, True) for c in ("是", "Y", "y", "√", "✓", "1", "true", "有")],
    *[(BOOL, c, False) for c in ("否", "N", "n", "×", "✗", "0", "FALSE", "无")],
    (BOOL, "也许", "bool_invalid"),
    # enum with English aliases
    (STATUS, "签约", "签约"),
    (STATUS, "Signed", "签约"),
    (STATUS, "in_production", "投产"),
    (STATUS, "已签", "enum_invalid"),
    # ID numbers: cleaned 18-char string (the validator pseudonymises it)
    (ID, "11010519491231002x", "11010519491231002X"),
    (ID, "１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
    (ID, "110105194912310021", "id_checksum"),
    (ID, "11010519491231002", "id_length"),
    (ID, "11010519491331002X", "id_date"),
    (ID, "1101051949123100AX", "id_chars"),
    (ID, "1.10105E+17", "id_as_number"),  # a CSV saved from Excel with the ID column as a number
    # 8. counts: a ceiling per column, checked before the int64 cast (1e19 was stored as -9223372036854775808)
    (COUNT, "1e19", "too_large_1e7"),
    (COUNT, "9223372036854775808", "too_large_1e7"),
    (COUNT, "10000000", 10_000_000),  # the kind's ceiling itself is allowed
    (COUNT, "10000001", "too_large_1e7"),
    (COUNT, "-1e19", "negative"),
    (JOBS, "1e19", "too_large_1e6"),
    (JOBS, "1000000人", 1_000_000),
    (JOBS, "1000001", "too_large_1e6"),
    # 9. amounts: finite and below the column's ceiling (two rows of 1e308 summed to inf)
    (MONEY, "1e308", "too_large_1e8"),
    (MONEY, "1e309", "too_large_1e8"),  # beyond float: inf
    (MONEY, "1e999999999亿", "too_large_1e8"),  # the unit conversion's Decimal overflow used to crash the check
    (MONEY, "100000000", 100_000_000.0),  # 1万亿元
    (MONEY, "10000亿", 100_000_000.0),
    (MONEY, "10001亿", "too_large_1e8"),
    (MONEY, "100,000,001", "too_large_1e8"),
    (MONEY, "-1e308", "negative"),
    (MONEY, "inf", "money_invalid"),
    (MONEY, "-inf", "money_invalid"),
    (MONEY, "Infinity", "money_invalid"),
    (MONEY, "nan", "money_invalid"),
    (MONEY, "NaN", "money_invalid"),
    (USD, "10000000", 10_000_000.0),
    (USD, "1001亿美元", "too_large_1e7"),
    (USD, "1e300美元", "too_large_1e7"),
    (LAND, "1000000", 1_000_000.0),
    (LAND, "1000001亩", "too_large_1e6"),
    (MU, "1e9", "too_large_1e8"),  # a number column without its own ceiling: the kind's
    (KM2, "10001", "too_large_1e4"),
    (SUBSIDY, "800元", 800.0),
    (SUBSIDY, "100001", "too_large_1e5"),
    # 10. dates: one window (1950-01-01 … today + a day's grace) for typed dates and Excel serials alike
    (DATE, "99999", "date_future"),  # was 2173-10-13
    (DATE, "00001", "date_too_early"),  # Excel: 1900-01-01
    (DATE, "00059", "date_too_early"),  # Excel: 1900-02-28
    (DATE, "00060", "date_impossible"),  # Excel: 1900-02-29, a day that never was
    (DATE, "00000", "date_impossible"),  # Excel: 1900-01-00
    (DATE, "18263", "date_too_early"),  # 1949-12-31
    (DATE, "18264", D(1950, 1, 1)),
    (DATE, "46354", D(2026, 11, 28)),  # today
    (DATE, "46355", D(2026, 11, 29)),  # tomorrow: the clerk's today in another time zone
    (DATE, "46356", "date_future"),
    (DATE, "2026-11-29", D(2026, 11, 29)),
    (DATE, "2026-11-30", "date_future"),
    (DATE, "2173-10-13", "date_future"),
    (DATE, "2030-03-05", "date_future"),  # a stage date is a fact, never a plan
    (DATE, "1950-01-01", D(1950, 1, 1)),
    (DATE, "1949-12-31", "date_too_early"),
    (DATE, "1899-12-31", "date_too_early"),
    (DATE, "0001-01-01", "date_too_early"),
    (DATE, "2030-03-05T25:99", "time_invalid"),
    (DATE, "2012-03-05T24:00", "time_invalid"),
    (DATE, "2012-03-05 12:60", "time_invalid"),
    (DATE, "2012-03-05 23:59:59", D(2012, 3, 5)),
    (DATE, "2012-03-05 9:05", D(2012, 3, 5)),
    (MONTH, "2026-11", "2026-11"),
    (MONTH, "2026-11-30", "2026-11"),  # read as its month, which has begun
    (MONTH, "2026-12", "date_future"),
    (MONTH, "1949-12", "date_too_early"),
    (MONTH, "1950-01", "1950-01"),
    (MONTH, "99999", "date_future"),
    (MONTH, "00060", "date_impossible"),
    (MONTH, "2012-03-05T25:99", "time_invalid"),
    (PERIOD, "2026", "2026"),
    (PERIOD, "2027", "date_future"),
    (PERIOD, "1949", "date_too_early"),
    (PERIOD, "2027-01", "date_future"),
    (YEAR, "1950", 1950),
    (YEAR, "1949", "date_too_early"),
    (YEAR, "2026", 2026),
    (YEAR, "2027", "date_future"),
    (YEAR, "2173", "date_future"),
    (TARGET_YEAR, "2027", 2027),  # targets are plans: up to FUTURE_YEARS ahead
    (TARGET_YEAR, "2036", 2036),
    (TARGET_YEAR, "2037", "date_too_far"),
    (TARGET_YEAR, "1949", "date_too_early"),
    # 13. the birth date inside an ID: a real day from 1900-01-01 to today
    (ID, valid_id("11010520990101001"), "id_date"),
    (ID, valid_id("11010520261129001"), "id_date"),  # born tomorrow
    (ID, valid_id("11010520261128001"), valid_id("11010520261128001")),  # born today
    (ID, valid_id("11010518991231001"), "id_date"),
    (ID, valid_id("11010519000101001"), valid_id("11010519000101001")),
    # 14. text: invisible characters removed, control characters refused, a length cap per column
    (REQ_TEXT, "城关\u200b街道", "城关街道"),  # zero-width space
    (REQ_TEXT, "\ufeff城关街道", "城关街道"),  # BOM
    (REQ_TEXT, "城关\u200c\u200d\u2060街道", "城关街道"),  # zero-width non-joiner, joiner, word joiner
    (REQ_TEXT, "\u202e城关街道\u202c", "城关街道"),  # bidi override … pop
    (REQ_TEXT, "\u2067城关\u2069街道\u200f", "城关街道"),  # bidi isolate, right-to-left mark
    (REQ_TEXT, "城关\u00ad街道", "城关街道"),  # soft hyphen
    (REQ_TEXT, "新材料\t产业园\r\n二期\u2028三期", "新材料 产业园 二期 三期"),  # line breaks are spaces
    (REQ_TEXT, "\u200b\ufeff", None),  # nothing visible: blank
    (REQ_TEXT, "项目\x1b[2J名称", "control_char"),  # a terminal escape sequence (ESC [2J clears the screen)
    (REQ_TEXT, "城关\x00街道", "control_char"),  # NUL
    (REQ_TEXT, "城关\x07街道", "control_char"),  # BEL
    (REQ_TEXT, "城关\x7f街道", "control_char"),  # DEL
    (REQ_TEXT, "城关\x9b2J街道", "control_char"),  # C1 CSI
    (TEXT, "\x1b", "control_char"),
    (REQ_TEXT, "长" * 200, "长" * 200),
    (REQ_TEXT, "长" * 201, "too_long_200"),
    (REQ_TEXT, "长" * 200 + "\u200b\u200b", "长" * 200),  # the cap counts what is stored
    (DESC, "长" * 2000, "长" * 2000),
    (DESC, "长" * 2001, "too_long_2000"),
    (CODE, "P\u200b001", "P001"),
    (CODE, "P\x1b001", "control_char"),
    (CODE, "P" * 50, "P" * 50),
    (CODE, "P" * 51, "too_long_50"),
    (MONEY, "1\u200b234", 1234.0),  # invisible inside a number: its visible digits
    (MONEY, "12\x0034", "control_char"),
    (DATE, "2012-03-05\x1b", "control_char"),
    (BOOL, "是\x00", "control_char"),
    (STATUS, "签约\ufeff", "签约"),
    (ID, "11010519491231002X\x1b", "control_char"),
]


@pytest.mark.parametrize(("column", "cell", "expected"), CASES, ids=[f"{c.name}:{v!r:.40}" for c, v, _ in CASES])
def test_messy_cell(column: Column, cell: str, expected: object) -> None:
    got = normalise(pd.Series([cell], dtype="str"), column)
    value, error = got.values.iat[0], got.errors.iat[0]
    is_code = isinstance(expected, str) and expected in CATALOGUE
    if expected is None:
        assert pd.isna(value) and pd.isna(error)
    elif is_code:
        assert error == expected
        assert error in CATALOGUE, "every error code has a zh/en message"
        assert pd.isna(value), "a cell with an error never yields a value"
    else:
        assert pd.isna(error), error
        assert value == expected
        if isinstance(expected, float):
            assert float(value) == expected  # exact: 1.23亿 is 12300.0, not 12299.999…


def test_dtypes_follow_the_contract() -> None:
    cells = pd.Series(["1", "2"], dtype="str")
    assert normalise(cells, MONEY).values.dtype == "float64"
    assert str(normalise(cells, COUNT).values.dtype) == "Int64"
    assert str(normalise(pd.Series(["2012-03-05"], dtype="str"), DATE).values.dtype).startswith("date32")
    assert str(normalise(pd.Series(["是"], dtype="str"), BOOL).values.dtype) == "boolean"


def test_work_is_per_cell_and_keeps_index() -> None:
    cells = pd.Series(["2.5亿", "x", "2.5亿", ""], index=[10, 11, 12, 13], dtype="str")
    got = normalise(cells, MONEY)
    assert list(got.values.index) == [10, 11, 12, 13]
    assert got.values.tolist()[0] == 25000.0 and got.values.tolist()[2] == 25000.0
    assert got.errors.tolist()[1] == "money_invalid"
    assert pd.isna(got.errors.iat[3]) and pd.isna(got.values.iat[3])


def test_every_bound_of_the_contracts_has_a_message_that_states_it() -> None:
    """Each column's ceiling and length cap is stated by its own message (zh and en); the date messages state
    the contracts' window."""
    for ds in DATASETS.values():
        for col in ds.columns:
            if col.ceiling is not None:
                cell = f"{col.ceiling * 10:.0f}"
                code = normalise(pd.Series([cell], dtype="str"), col).errors.iat[0]
                assert code in CATALOGUE, (ds.name, col.name)
                assert all(f"{col.ceiling:,.0f}" in text for text in CATALOGUE[code])
            if col.length_cap is not None:
                code = normalise(pd.Series(["x" * (col.length_cap + 1)], dtype="str"), col).errors.iat[0]
                assert code in CATALOGUE and all(str(col.length_cap) in text for text in CATALOGUE[code])
    assert all(str(DATE_MIN.year) in text for text in CATALOGUE["date_too_early"])
    assert all(f"{FUTURE_YEARS} " in text for text in CATALOGUE["date_too_far"])


def test_the_date_window_follows_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    dates, periods = pd.Series(["2027-06-01", "46354"], dtype="str"), pd.Series(["2027-06", "2027"], dtype="str")
    monkeypatch.setenv("DASHBOARD_NOW", "2027-06-01T00:00:00")
    assert normalise(dates, DATE).errors.isna().all()
    assert normalise(periods, PERIOD).values.tolist() == ["2027-06", "2027"]
    monkeypatch.setenv("DASHBOARD_NOW", "2027-05-30T23:59:00")  # tomorrow is the 31st
    assert normalise(dates, DATE).errors.fillna("").tolist() == ["date_future", ""]
    assert normalise(periods, PERIOD).errors.fillna("").tolist() == ["date_future", ""]


def test_invisible_characters_make_no_second_name() -> None:
    """城关\u200b街道 and 城关街道 look the same, so they are the same township."""
    cells = pd.Series(["城关\u200b街道", "城关街道", "\ufeff城关街道", "城关\u202e街道"], dtype="str")
    assert set(normalise(cells, REQ_TEXT).values) == {"城关街道"}


@pytest.mark.parametrize(
    ("column", "cells", "values", "blank"),
    [
        # every distinct value as typed: the cells themselves come back, blanks and errors as NA
        (TEXT, ["城关村", "", "城关村", "下营村"], ["城关村", None, "城关村", "下营村"], [False, True, False, False]),
        (STATUS, ["签约", "开工", "签约", "乱写"], ["签约", "开工", "签约", None], [False] * 4),
        (REQ_TEXT, ["甲", "\u3000", "乙", "甲"], ["甲", None, "乙", "甲"], [False, True, False, False]),
        # one value changes (spaces, an alias): every cell is rebuilt from its distinct value
        (TEXT, [" 城关村 ", "城关村", ""], ["城关村", "城关村", None], [False, False, True]),
        (STATUS, ["signed", "签约"], ["签约", "签约"], [False, False]),
        (CODE, ["P 1", "P1", "P2"], ["P1", "P1", "P2"], [False, False, False]),
    ],
)
def test_text_values_come_back_the_same_whether_or_not_they_change(column, cells, values, blank):
    got = normalise(pd.Series(cells, dtype="str"), column)
    assert [None if pd.isna(v) else v for v in got.values] == values
    assert got.values.dtype == "str" and got.blank.tolist() == blank
    assert got.errors.notna().tolist() == [v is None and not b for v, b in zip(values, blank, strict=True)]


def test_an_id_cell_in_error_is_told_apart_from_a_number_excel_made_and_a_placeholder():
    good = valid_id("11010519800307123")
    cells = pd.Series([good, "1.10105E+17", "暂无", good[:-1] + "0", ""], dtype="str")
    assert normalise(cells, ID).errors.fillna("").tolist() == ["", "id_as_number", "id_length", "id_checksum", ""]
    got = normalise(cells, Column("id_number", "身份证号", "id_number", True))
    assert got.errors.fillna("").tolist() == ["", "id_as_number", "placeholder_required", "id_checksum", ""]
    assert got.blank.tolist() == [False, False, False, False, True]
    assert got.values.iat[0] == good and got.values.iloc[1:].isna().all()
