"""Assessment rules: the worked example, tier boundaries, the standard-factory rule, lead quotas, versions, and
invalid rules refused with a located message; on clerk files through the real loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import assessment_rules as ar
from etl import warehouse
from tests.clerk_files import csv, project, q


@pytest.fixture(autouse=True)
def rules_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own rules file (absent unless the test writes it: the defaults); the repository's is never used."""
    path = tmp_path / "assessment_rules.toml"
    monkeypatch.setenv(ar.ENV, str(path))
    return path


def lead(lid: str, person: str, rank: str = "正科级", unit: str = "招商局", day: str = "2026-02-01", valuable="是"):
    return {"lead_id": lid, "person": person, "rank": rank, "unit": unit, "reported_date": day, "valuable": valuable}


def build(tmp_path: Path, projects: list[dict], leads: list[dict]) -> Path:
    db = warehouse.init(tmp_path / "w.duckdb")
    for name, rows in (("projects", projects), ("leads", leads)):
        if rows:
            res = warehouse.load_file(db, csv(tmp_path / f"{name}.csv", name, rows))
            assert res.status == "loaded", res.errors.to_dict(orient="records")
    return db


def points(db: Path, person: str, year: int = 2026, version: int | None = None) -> float:
    version = version or current(db)
    rows = q(db, "SELECT sum(points) FROM v_points WHERE person = ? AND year = ? AND rule_version = ?",
             [person, year, version])  # fmt: skip
    return float(rows[0][0] or 0.0)


def current(db: Path) -> int:
    return int(q(db, "SELECT version FROM v_assessment_rules WHERE current")[0][0])


WORKED = [  # a 正科级 person's signings: 2000万 standard factory, 8000万, 2亿, 4亿, 6亿, 12亿
    project("P1", 2000, standard_factory="是", lead_person="张三", responsible_unit="招商局"),
    project("P2", 8000, lead_person="张三", responsible_unit="招商局"),
    project("P3", 20000, lead_person="张三", responsible_unit="招商局"),
    project("P4", 40000, lead_person="张三", responsible_unit="招商局"),
    project("P5", 60000, lead_person="张三", responsible_unit="招商局"),
    project("P6", 120000, lead_person="张三", responsible_unit="招商局"),
]


def test_the_worked_example_scores_41_5(tmp_path):
    leads = [lead(f"L{i}", "张三", day=f"2026-0{i}-10") for i in range(1, 5)]  # four valuable leads, quota 3
    db = build(tmp_path, WORKED, leads)
    # leads: met +2, exceeded +0.5; projects 2 + 3 + 4 + 5 + 10 + 15
    assert points(db, "张三") == 41.5
    rules = dict(q(db, "SELECT item_id, rule FROM v_point_items WHERE person = '张三'"))
    assert rules == {
        "L1": "leads.counted", "L2": "leads.counted", "L3": "leads.met", "L4": "leads.exceeded",
        "P1": "standard_factory", "P2": "tier.t2", "P3": "tier.t3", "P4": "tier.t4", "P5": "tier.t5", "P6": "tier.t6",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("amount", "factory", "expected"),
    [
        (2999.99, "否", 0.0),  # under 3000万, not a standard-factory lease
        (2999.99, "是", 2.0),  # under 3000万, a standard-factory lease
        (2999.99, "", 0.0),  # blank = not a lease
        (3000, "否", 3.0),  # exactly 3000万: the upper tier
        (3000, "是", 3.0),  # the lease rule is for under 3000万 only
        (9999.99, "否", 3.0),
        (10000, "否", 4.0),  # exactly 1亿
        (30000, "否", 5.0),
        (50000, "否", 10.0),
        (99999.99, "否", 10.0),
        (100000, "否", 15.0),  # exactly 10亿
        (1_000_000, "否", 15.0),  # no cap
    ],
)
def test_tier_boundaries_belong_to_the_upper_tier(tmp_path, amount, factory, expected):
    db = build(tmp_path, [project("P1", amount, standard_factory=factory, lead_person="李四")], [])
    assert points(db, "李四") == expected


def test_quotas_by_rank_and_the_month_a_bonus_is_earned(tmp_path):
    leads = [
        lead("A1", "副科", rank="副科级", day="2026-01-05"),
        lead("A2", "副科", rank="副科级", day="2026-03-05"),  # 2 = quota of 副科级: met in March
        lead("B1", "干部", rank="一般干部", day="2026-02-05", valuable="否"),
        lead("B2", "干部", rank="一般干部", day="2026-04-05"),  # 1 valuable = quota of the others: met
        lead("B3", "干部", rank="一般干部", day="2026-05-05"),  # exceeded
        lead("C1", "专职", rank="专职招商", day="2026-01-05"),
        lead("C2", "专职", rank="专职招商", day="2026-01-06"),  # 2 of 3: not met
        lead("D1", "去年", rank="正科级", day="2025-12-31"),  # another year: its own quota
    ]
    db = build(tmp_path, [], leads)
    assert points(db, "副科") == 2.0
    assert points(db, "干部") == 2.5
    assert points(db, "专职") == 0.0
    assert points(db, "去年", 2025) == 0.0
    months = dict(q(db, "SELECT item_id, month FROM v_point_items WHERE rule = 'leads.met'"))
    assert months == {"A2": 3, "B2": 4}
    # a lead that is not valuable is listed with 0 points
    assert q(db, "SELECT rule, points FROM v_point_items WHERE item_id = 'B1'") == [("leads.not_valuable", 0.0)]


def test_a_project_credits_its_lead_person_and_unit_else_the_township(tmp_path):
    rows = [
        project("P1", 8000, lead_person="王五", responsible_unit="招商局"),
        project("P2", 20000, lead_person="王五", township="白马镇"),
        project("P3", 20000, township="白马镇"),  # no lead person: the unit only
        project("P4", 20000, lead_person="王五", status="在谈", signed=""),  # not signed: nothing
    ]
    db = build(tmp_path, rows, [])
    got = set(q(db, "SELECT person, unit, points FROM v_points"))
    assert got == {("王五", "招商局", 3.0), ("王五", "白马镇", 4.0), (None, "白马镇", 4.0)}


def test_a_rule_change_is_a_new_version_and_leaves_the_earlier_results(tmp_path, rules_file):
    db = build(tmp_path, WORKED, [lead(f"L{i}", "张三", day=f"2026-0{i}-10") for i in range(1, 5)])
    v1 = current(db)
    before = q(db, "SELECT * FROM v_points WHERE rule_version = ? ORDER BY ALL", [v1])
    text = ar.read_text(ar.DEFAULT_PATH).replace("t6 = 15", "t6 = 20")
    v2, created = ar.save(db, text, "admin")
    assert created and v2 == v1 + 1 and current(db) == v2
    assert points(db, "张三", version=v2) == 46.5
    assert q(db, "SELECT * FROM v_points WHERE rule_version = ? ORDER BY ALL", [v1]) == before
    assert rules_file.read_text(encoding="utf-8") == text
    # the same content again (only a comment changed) is the same version; going back re-activates version 1
    assert ar.save(db, text + "\n# 注释\n", "admin") == (v2, False)
    assert ar.save(db, ar.read_text(ar.DEFAULT_PATH), "admin") == (v1, False)
    assert current(db) == v1
    assert q(db, "SELECT count(*) FROM v_assessment_rules")[0][0] == 2
    # init registers the file in force, without a new version
    warehouse.init(db)
    assert current(db) == v1 and q(db, "SELECT count(*) FROM v_assessment_rules")[0][0] == 2


def test_the_repository_file_is_the_defaults():
    rules, _ = ar.load(ar.DEFAULT_PATH)
    assert rules == ar.DEFAULT


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ('[leads]\nmet = "两分"\n', "第 2 行 leads.met：须为数字", "line 2, leads.met: must be a number"),
        ("[leads]\nmet = -1\n", "第 2 行 leads.met：不能小于 0", "line 2, leads.met: cannot be less than 0"),
        (
            '[leads.quota]\n"处级" = 3\n',
            "第 2 行 leads.quota.处级：未知的职级",
            "line 2, leads.quota.处级: unknown rank",
        ),
        ('[leads.quota]\n"副科级" = 1.5\n', "leads.quota.副科级：须为不小于 1 的整数", "must be a whole number"),
        ("[projects]\nt7 = 20\n", "第 2 行 projects.t7：未知的键", "line 2, projects.t7: unknown key"),
        ("\n[projects]\nt3 = true\n", "第 3 行 projects.t3", "line 3, projects.t3: must be a number"),
        ("[units]\nrate_cap = 0\n", "units.rate_cap", 'must be a number > 0 or "none"'),
        ("[units.weights]\nfoo = 1\n", "units.weights.foo：不是可设目标的指标代码", "not a target metric code"),
        ("[units.weights]\nnew_jobs = 0\n", "权重之和须大于 0", "must sum to more than 0"),
        ("[bonus]\nx = 1\n", "第 1 行 [bonus]：未知的设置", "unknown setting"),
        ("[leads\nmet = 2\n", "不是有效的 TOML", "is not valid TOML"),
    ],
)
def test_invalid_rules_are_refused_with_a_located_message(text, zh, en):
    with pytest.raises(ar.Invalid) as exc:
        ar.parse(text, "rules.toml")
    assert zh in exc.value.zh and en in exc.value.en


def test_an_invalid_text_changes_nothing(tmp_path, rules_file):
    db = build(tmp_path, WORKED, [])
    v1 = current(db)
    with pytest.raises(ar.Invalid):
        ar.save(db, "[projects]\nt2 = -3\n", "admin")
    assert current(db) == v1 and not rules_file.exists()
    rules_file.write_text('[projects]\nt2 = "x"\n', encoding="utf-8")
    with pytest.raises(ar.Invalid):
        warehouse.init(db)
    assert current(db) == v1
