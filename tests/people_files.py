"""Test helper: a small hand-built county of returnees and trainees (clerk CSVs through the real loader) whose
every figure is counted by hand in the tests of board.metrics.returnees and board.metrics.training.

Returnees (status; return date), township 甲镇 with ID numbers (birth year, gender from the ID), the others with a
person key:
  甲镇 A1 县内就业 2026-01-15 (born 2002, m) · A2 县内就业 2026-02-03 (2001, m) · A3 县外就业 2026-02-10 (1992, m)
       A4 自主创业 2026-02-20 (1991, f) · A5 自主创业 2026-03-01 (1972, f) · A6 待业 2026-06-30 (1971, f)
       A7 县内就业 2026-07-05 (key; returned after June) · A8 待业 2025-02-10 (key; returned the year before)
  乙镇 B1 县内就业 · B2 待业 · B3 务农, all 2026-02-01
  丙镇 C1 县内就业 · C2 县外就业 · C3 待业 · C4 务农 · C5 参加培训, all 2026-01-05
  丁镇 D1 待业 · D2 待业 · D3 务农 · D4 务农 · D5 (blank status, gender 女), all 2026-04-01
Training (classes; trainees):
  K1 电焊工 技能培训 机构甲 甲镇, 2026-03-01 → 2026-03-20: A1–A6 (IDs) and C1; certified all but A6; employed after:
     A1–A5 on 2026-04-10, C1 on 2026-07-15; A6 not; subsidy 1000 元 each
  K2 家政服务 创业培训 机构乙 乙镇, 2026-06-10 → 2026-07-05: B1, B2, B3; certified B1, employed B1 on 2026-07-20;
     subsidy 800 元 each
  K3 电工 技能培训 机构甲 丙镇, 2025-11-01 → 2025-11-20: C2; certified, employed 2025-12-01; subsidy 900 元
  K4 电焊工 (no type, no provider) 甲镇, 2026-05-01 → 2026-05-10: D1, D2; certified both, employed neither;
     subsidy 500 元 each
"""

from __future__ import annotations

from pathlib import Path

from etl import warehouse
from tests.clerk_files import csv

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_id(birth: str, seq: int, region: str = "610328") -> str:
    """A GB 11643 ID number (check digit computed) born ``birth`` (YYYYMMDD); odd ``seq`` = male."""
    body = f"{region}{birth}{seq:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


IDS = {
    "A1": valid_id("20020310", 11), "A2": valid_id("20011201", 13), "A3": valid_id("19920101", 15),
    "A4": valid_id("19910705", 22), "A5": valid_id("19720101", 24), "A6": valid_id("19711231", 26),
}  # fmt: skip
NAMES = {"A1": "欧阳一", "A2": "欧阳二", "A3": "欧阳三", "A4": "欧阳四", "A5": "欧阳五", "A6": "欧阳六"}
PHONES = {"A1": "13912345671", "A2": "13912345672", "A3": "13912345673"}


def _r(who: str, town: str, status: str, returned: str, skill: str = "", intent: str = "", gender: str = "") -> dict:
    row = {"township": town, "status": status, "return_date": returned, "skill": skill, "intent": intent}
    if who in IDS:
        row |= {"id_number": IDS[who], "name": NAMES[who], "phone": PHONES.get(who, ""), "person_key": ""}
    else:
        row |= {"id_number": "", "name": "", "phone": "", "person_key": "K-" + who}
    return row | {"gender": gender}


RETURNEES = [
    _r("A1", "甲镇", "县内就业", "2026-01-15", "电焊", "就业"),
    _r("A2", "甲镇", "县内就业", "2026-02-03", "厨师", "就业"),
    _r("A3", "甲镇", "县外就业", "2026-02-10", "驾驶", "就业"),
    _r("A4", "甲镇", "自主创业", "2026-02-20", "", "创业"),
    _r("A5", "甲镇", "自主创业", "2026-03-01", "缝纫", "创业"),
    _r("A6", "甲镇", "待业", "2026-06-30", "电焊", "就业"),
    _r("A7", "甲镇", "县内就业", "2026-07-05", "电工", "就业", "男"),
    _r("A8", "甲镇", "待业", "2025-02-10", "电工", "就业", "男"),
    _r("B1", "乙镇", "县内就业", "2026-02-01", "厨师", "就业", "女"),
    _r("B2", "乙镇", "待业", "2026-02-01", "", "培训", "女"),
    _r("B3", "乙镇", "务农", "2026-02-01", "", "务农", "男"),
    _r("C1", "丙镇", "县内就业", "2026-01-05", "电焊", "就业", "男"),
    _r("C2", "丙镇", "县外就业", "2026-01-05", "电工", "就业", "男"),
    _r("C3", "丙镇", "待业", "2026-01-05", "电焊", "培训", "女"),
    _r("C4", "丙镇", "务农", "2026-01-05", "", "务农", "女"),
    _r("C5", "丙镇", "参加培训", "2026-01-05", "", "培训", "男"),
    _r("D1", "丁镇", "待业", "2026-04-01", "厨师", "就业", "男"),
    _r("D2", "丁镇", "待业", "2026-04-01", "厨师", "就业", "女"),
    _r("D3", "丁镇", "务农", "2026-04-01", "", "务农", "男"),
    _r("D4", "丁镇", "务农", "2026-04-01", "", "", "男"),
    _r("D5", "丁镇", "", "2026-04-01", "", "", "女"),
]


def _t(cls: tuple, who: str, cert: str, job: str, job_date: str, subsidy: str) -> dict:
    class_id, course, ctype, provider, town, start, end = cls
    row = {"class_id": class_id, "course": course, "course_type": ctype, "provider": provider, "township": town,
           "start_date": start, "end_date": end}  # fmt: skip
    row |= {"id_number": IDS.get(who, ""), "person_key": "" if who in IDS else "K-" + who}
    return row | {"certified": cert, "employed_after": job, "employed_date": job_date, "subsidy": subsidy}


K1 = ("K1", "电焊工", "技能培训", "机构甲", "甲镇", "2026-03-01", "2026-03-20")
K2 = ("K2", "家政服务", "创业培训", "机构乙", "乙镇", "2026-06-10", "2026-07-05")
K3 = ("K3", "电工", "技能培训", "机构甲", "丙镇", "2025-11-01", "2025-11-20")
K4 = ("K4", "电焊工", "", "", "甲镇", "2026-05-01", "2026-05-10")
TRAINING = [
    *[_t(K1, w, "是", "是", "2026-04-10", "1000") for w in ("A1", "A2", "A3", "A4", "A5")],
    _t(K1, "A6", "否", "否", "", "1000"),
    _t(K1, "C1", "是", "是", "2026-07-15", "1000"),
    _t(K2, "B1", "是", "是", "2026-07-20", "800"),
    _t(K2, "B2", "否", "否", "", "800"),
    _t(K2, "B3", "否", "否", "", "800"),
    _t(K3, "C2", "是", "是", "2025-12-01", "900"),
    _t(K4, "D1", "是", "否", "", "500"),
    _t(K4, "D2", "是", "否", "", "500"),
]


def build(tmp_path: Path) -> Path:
    """The warehouse with both files loaded (errors fail the test)."""
    db = warehouse.init(tmp_path / "people.duckdb")
    for name, rows in (("returnees", RETURNEES), ("training", TRAINING)):
        res = warehouse.load_file(db, csv(tmp_path / f"{name}.csv", name, rows))
        assert res.status == "loaded", res.errors.to_dict(orient="records")
    return db
