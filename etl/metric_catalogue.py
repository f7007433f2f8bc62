"""The metric catalogue: one record per metric (names, unit, filters, targets, card, facts branch).

Everything that lists metrics is derived from ``METRICS``: the targets dataset's 指标 choices and
the unit its 目标值 is read in (etl.contracts), the facts relation (etl.schema), display names and
kinds, the overview's headline cards, the demo's targets and the README's metric table. Adding a
metric is one record here plus, when its source is new, a source relation in etl.schema.

A record's ``facts`` is the SQL branch of the facts relation: a SELECT over one of the source
relations of etl.schema (``signed``, ``fund``, ``under_construction``, ``park_flows`` or a ``v_*``
view) returning, in this order: year, month, township, park, responsible unit, industry,
project_id, value — one row per contribution of one source row to this metric in one month,
``value`` in the metric's stored unit (KINDS).
"""

from __future__ import annotations

from dataclasses import dataclass

# Display kind → (value kind for reading a target cell, stored unit). Money in 万元, foreign capital
# in 万美元, counts in their unit word.
KINDS: dict[str, tuple[str, str]] = {
    "money": ("money", "万元"),
    "usd": ("usd", "万美元"),
    "projects": ("count", "个"),
    "ventures": ("count", "个"),
    "people": ("count", "人"),
    "items": ("count", "条"),
}
# The filters a metric can answer: a township, park or responsible unit (matched by name against
# the units a fact answers for), and industry.
DIMS: tuple[str, ...] = ("township", "park", "unit", "industry")
PROJECT_DIMS = frozenset(DIMS)
TOWNSHIP_DIMS = frozenset({"township"})


@dataclass(frozen=True)
class Metric:
    """One metric. ``card``: position among the overview's headline cards (None = not a card)."""

    code: str
    zh: str
    en: str
    kind: str
    dims: frozenset[str]
    facts: str
    definition_zh: str
    definition_en: str
    target: bool = True
    card: int | None = None
    monthly: bool = True  # its facts carry their real month (a park's annual row sits in month 12)

    @property
    def unit(self) -> str:
        """The stored unit (万元, 万美元, 个, 人, 条)."""
        return KINDS[self.kind][1]

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


M = Metric
_SIGNED = "year(signed_date), month(signed_date), township, park, responsible_unit, industry, project_id"
_FUND = "year, month, township, park, responsible_unit, industry, project_id"

METRICS: tuple[Metric, ...] = (
    M("contract_investment", "合同引资", "Contracted investment", "money", PROJECT_DIMS,
      "SELECT " + _SIGNED + ", contract_investment FROM signed",
      "签约日期在当年的项目的合同引资额之和（空白取总投资）",
      "contract investment of projects signed in the year (blank = total investment)", card=1),
    M("funds_in_place", "到位资金", "Funds in place", "money", PROJECT_DIMS,
      "SELECT " + _FUND + ", funds_in_place FROM fund",
      "当年各月资金到位之和", "funds in place of the year's months", card=2),
    M("out_of_province_funds", "省外到位资金", "Out-of-province funds", "money", PROJECT_DIMS,
      "SELECT " + _FUND + ", out_of_province FROM fund WHERE out_of_province IS NOT NULL",
      "当年各月到位资金中的省外资金之和", "out-of-province part of the year's funds in place", card=3),
    M("foreign_contract", "合同利用外资", "Contracted foreign capital", "usd", PROJECT_DIMS,
      "SELECT " + _SIGNED + ", foreign_contract FROM signed WHERE foreign_contract IS NOT NULL",
      "签约日期在当年的项目的合同外资之和", "contracted foreign capital of projects signed in the year"),
    M("foreign_actual", "实际利用外资", "Foreign capital used", "usd", PROJECT_DIMS,
      "SELECT " + _FUND + ", foreign_actual FROM fund WHERE foreign_actual IS NOT NULL",
      "当年各月实际利用外资之和", "foreign capital actually used in the year's months", card=4),
    M("fixed_asset_investment", "固定资产投资", "Fixed-asset investment", "money", PROJECT_DIMS,
      "SELECT " + _FUND + ", fixed_asset_investment FROM fund WHERE fixed_asset_investment IS NOT NULL",
      "当年各月项目完成固定资产投资之和", "fixed-asset investment of projects in the year's months"),
    M("projects_signed", "签约项目", "Projects signed", "projects", PROJECT_DIMS,
      "SELECT " + _SIGNED + ", 1 FROM signed",
      "签约日期在当年的项目个数", "projects with a signing date in the year", card=5),
    M("projects_signed_100m", "亿元以上签约项目", "Signed ≥ CNY 100 m", "projects", PROJECT_DIMS,
      "SELECT " + _SIGNED + ", 1 FROM signed WHERE total_investment >= 10000",
      "当年签约且总投资 ≥ 1亿元的项目个数", "projects signed in the year with total investment ≥ 1亿", card=6),
    M("projects_started", "开工项目", "Projects under construction", "projects", PROJECT_DIMS,
      "SELECT year, CASE WHEN year = year(started_date) THEN month(started_date) ELSE 1 END, township, park, "
      "responsible_unit, industry, project_id, 1 FROM under_construction",
      "当年在建项目个数（含上年接转：当年底前开工、当年初前未竣工；停滞或终止的只计开工当年）",
      "projects under construction in the year, carry-over included (started by its end, not completed "
      "before it began; a stalled or terminated one only in its start year)"),
    M("projects_started_new", "新开工项目", "Projects newly started", "projects", PROJECT_DIMS,
      "SELECT year(started_date), month(started_date), township, park, responsible_unit, industry, project_id, 1 "
      "FROM v_projects WHERE started_date IS NOT NULL",
      "开工日期在当年的项目个数（不含上年接转）", "projects whose construction started in the year (no carry-over)",
      target=False),
    M("projects_in_production", "竣工投产项目", "Projects in production", "projects", PROJECT_DIMS,
      "SELECT year(coalesce(production_date, completed_date)), month(coalesce(production_date, completed_date)), "
      "township, park, responsible_unit, industry, project_id, 1 FROM v_projects "
      "WHERE coalesce(production_date, completed_date) IS NOT NULL",
      "投产日期（空白取竣工日期）在当年的项目个数", "projects with a production (else completion) date in the year",
      card=7),
    M("valuable_leads", "有价值招商信息", "Valuable leads", "items", frozenset({"township", "park", "unit"}),
      "SELECT year(reported_date), month(reported_date), NULL, NULL, unit, NULL, project_id, 1 FROM v_leads "
      "WHERE valuable",
      "当年报送的有价值招商信息条数，计入报送单位", "valuable leads reported in the year, under the reporting unit"),
    M("park_revenue", "园区经营收入", "Park revenue", "money", frozenset({"park"}),
      "SELECT year, month, NULL, park, NULL, NULL, NULL, revenue FROM park_flows WHERE revenue IS NOT NULL",
      "园区当年经营收入（有全年数据取全年，否则各月之和）",
      "park revenue of the year (the annual row when present, else the months summed)", monthly=False),
    M("park_output", "工业产值", "Industrial output", "money", frozenset({"park"}),
      "SELECT year, month, NULL, park, NULL, NULL, NULL, industrial_output FROM park_flows "
      "WHERE industrial_output IS NOT NULL",
      "园区当年工业产值（流量）", "park industrial output of the year (a flow)", monthly=False),
    M("park_tax", "园区财税收入", "Park tax revenue", "money", frozenset({"park"}),
      "SELECT year, month, NULL, park, NULL, NULL, NULL, tax FROM park_flows WHERE tax IS NOT NULL",
      "园区当年财税收入（流量）", "park tax revenue of the year (a flow)", monthly=False),
    M("returnee_ventures", "返乡创业", "Returnee ventures", "ventures", frozenset({"township", "industry"}),
      "SELECT year(start_date), month(start_date), township, NULL, NULL, industry, NULL, 1 FROM v_ventures "
      "WHERE venture_type = '返乡创业'",
      "创办日期在当年、类型为返乡创业的创业实体个数", "ventures of type 返乡创业 started in the year", card=9),
    M("trainees", "技能培训", "Trainees", "people", TOWNSHIP_DIMS,
      "SELECT year(start_date), month(start_date), township, NULL, NULL, NULL, NULL, 1 FROM v_training",
      "开班日期在当年的培训人次（每人每班一次）", "trainee-class rows of classes started in the year", card=10),
    M("new_jobs", "新增就业", "New urban jobs", "people", TOWNSHIP_DIMS,
      "SELECT year, month, township, NULL, NULL, NULL, NULL, new_urban_jobs FROM v_labor "
      "WHERE new_urban_jobs IS NOT NULL",
      "当年各月城镇新增就业之和", "new urban jobs of the year's months", card=8),
    M("labor_export", "劳务输出", "Labour export", "people", TOWNSHIP_DIMS,
      "SELECT year, month, township, NULL, NULL, NULL, NULL, export_total FROM v_labor "
      "WHERE export_total IS NOT NULL",
      "当年各月县外劳务输出之和", "labour export of the year's months"),
)  # fmt: skip

BY_CODE: dict[str, Metric] = {m.code: m for m in METRICS}
# The overview's headline cards in display order.
CARD_METRICS: tuple[str, ...] = tuple(m.code for m in sorted((m for m in METRICS if m.card), key=lambda m: m.card))
TARGET_METRICS: tuple[str, ...] = tuple(m.code for m in METRICS if m.target)


def get(code: str) -> Metric:
    """The record of metric ``code``; KeyError when there is none."""
    return BY_CODE[code]


def target_value_kind(code: str) -> tuple[str, str]:
    """(value kind, unit) in which a target of ``code`` is read: a 合同引资 target may be written 70亿."""
    return KINDS[BY_CODE[code].kind]
