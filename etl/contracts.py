"""Dataset contracts: the one declaration of every upload dataset (DOMAIN.md §4).

The reader, validator, loader, templates, upload help and the README table are all
generated from these objects. Nothing else in the code base lists a dataset's columns.

Column kinds (``Column.kind``) and what a cell becomes after normalisation:

==============  =====================================================================
kind            canonical value
==============  =====================================================================
text            str (NFKC, stripped)
code            str identifier (NFKC, stripped, inner whitespace removed)
enum            one of ``Column.choices`` (Chinese canonical; English alias accepted)
money           float in 万元 (cells may say 元 / 万 / 万元 / 亿 / 亿元)
usd             float in 万美元 (cells may say 美元 / 万美元 / 亿美元)
number          float (plain, no unit words; ``unit`` names the unit, e.g. 亩, 平方公里)
count           int ≥ 0 (人, 户, 个); a fraction is an error, never rounded
date            datetime.date (full date; a month-only value is an error)
month           str 'YYYY-MM'
period          str 'YYYY-MM' or 'YYYY' (parks: a month or a whole year)
year            int
bool            bool (是/否/Y/N/√/×/1/0/true/false)
id_number       18-digit resident ID → keyed pseudonym ``person_key``; birth_year and
                gender derived; the raw value is never stored
person_key      str identifier used as given (already not personal)
drop            personal data read for validation only and never stored (name, phone)
==============  =====================================================================

Plausibility bounds, checked per cell (a value outside them is a located error, never clipped):

- numbers (money, usd, number, count) are finite and at most ``Column.ceiling`` in the column's unit:
  ``max_value`` or the kind's default (:data:`MAX_VALUE_BY_KIND`), always a power of ten from
  :data:`CEILINGS` (each has its own message, ``too_large_1eN``, that states it);
- dates, months and years lie between :data:`DATE_MIN` and today (etl.clock, plus
  :data:`FUTURE_GRACE_DAYS` for clocks in another time zone); a column with ``future=True`` (plans,
  the unit registry) may reach :data:`FUTURE_YEARS` years further;
- text, code and person_key cells hold at most ``Column.length_cap`` characters (``max_length`` or the
  kind's default, one of :data:`LENGTH_CAPS`), and no control characters (etl.normalise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from etl import metric_catalogue

WHOLE_JURISDICTION: tuple[str, ...] = ("全县", "全区", "全市")

PROJECT_STATUSES: tuple[str, ...] = ("在谈", "签约", "开工", "竣工", "投产", "停滞", "终止")
PROJECT_STATUS_EN: dict[str, str] = {
    "negotiating": "在谈",
    "signed": "签约",
    "started": "开工",
    "completed": "竣工",
    "in_production": "投产",
    "stalled": "停滞",
    "terminated": "终止",
}
# Status → the stage-date columns that must be filled once the status has reached it.
STAGE_DATES: tuple[str, ...] = ("signed_date", "started_date", "completed_date", "production_date")
STATUS_REQUIRED_DATES: dict[str, tuple[str, ...]] = {
    "签约": STAGE_DATES[:1],
    "开工": STAGE_DATES[:2],
    "竣工": STAGE_DATES[:3],
    "投产": STAGE_DATES[:4],
}

# Project size tiers by total investment in 万元, the lower bound belongs to the tier (DOMAIN §5: "以上"
# includes the boundary): (code, lower bound, zh, en). Points per signed project follow these tiers too.
SIZE_TIERS: tuple[tuple[str, float, str, str], ...] = (
    ("t1", 0, "3000万元以下", "under CNY 30 m"),
    ("t2", 3_000, "3000万–1亿元", "CNY 30–100 m"),
    ("t3", 10_000, "1–3亿元", "CNY 100–300 m"),
    ("t4", 30_000, "3–5亿元", "CNY 300–500 m"),
    ("t5", 50_000, "5–10亿元", "CNY 0.5–1 bn"),
    ("t6", 100_000, "10亿元以上", "CNY 1 bn and over"),
)

METHODS: tuple[str, ...] = (
    "驻点招商", "产业链招商", "以商招商", "委托招商", "亲情招商",
    "网络招商", "会议招商", "节庆招商", "叩门招商",
)  # fmt: skip

# Target metrics (code → Chinese name) and the unit each target value is read in come from the metric
# catalogue: a 合同引资 target may be written 70亿. Column.kind_by → {value of that column → (kind, unit)}.
TARGET_METRICS: dict[str, str] = {code: metric_catalogue.get(code).zh for code in metric_catalogue.TARGET_METRICS}
KIND_BY: dict[str, dict[str, tuple[str, str]]] = {
    "metric": {code: metric_catalogue.target_value_kind(code) for code in TARGET_METRICS}
}

LEAD_RANKS: tuple[str, ...] = ("正科级", "副科级", "专职招商", "一般干部")
RETURNEE_INTENTS: tuple[str, ...] = ("就业", "创业", "培训", "务农", "待定")
RETURNEE_STATUSES: tuple[str, ...] = ("待业", "县内就业", "县外就业", "自主创业", "务农", "参加培训")
RETURNEE_PLACED: tuple[str, ...] = ("县内就业", "县外就业", "自主创业")  # employed or self-employed (DOMAIN.md §5)
COURSE_TYPES: tuple[str, ...] = ("技能培训", "创业培训", "引导性培训")
VENTURE_TYPES: tuple[str, ...] = ("能人创办企业", "家庭创业", "返乡创业", "其他")
GENDERS: tuple[str, ...] = ("男", "女")
# The unit registry's types: township/subdistrict, park, department.
UNIT_TYPES: tuple[str, ...] = ("镇街", "园区", "部门")
UNIT_TYPE_EN: dict[str, str] = {"township": "镇街", "park": "园区", "department": "部门", "镇": "镇街", "街道": "镇街"}
TOWNSHIP, PARK = ("镇街",), ("园区",)
ANY_UNIT = UNIT_TYPES

# Plausibility bounds (see the module docstring). Ceilings are sanity bounds, not business rules: an order
# of magnitude above the largest real value, so that a slipped unit or exponent (1e308, 1e19) is refused.
CEILINGS: tuple[float, ...] = (1e4, 1e5, 1e6, 1e7, 1e8)
MAX_VALUE_BY_KIND: dict[str, float] = {
    "money": 1e8,  # 万元 = 1万亿元: the largest single projects (refinery complexes) are ~2,000亿元
    "usd": 1e7,  # 万美元 = 1,000亿美元, the same order as the money ceiling
    "number": 1e8,
    "count": 1e7,  # 人/户/个/条: more than the population of any county; far inside int64 and exact in float64
}
LENGTH_CAPS: tuple[int, ...] = (50, 200, 2000)
MAX_LENGTH_BY_KIND: dict[str, int] = {"text": 200, "code": 50, "person_key": 50}
DATE_MIN = date(1950, 1, 1)  # no record of this product can be older; Excel serials 1–18263 fall before it
FUTURE_YEARS = 10  # how far ahead a future=True column may reach (two five-year plans)
FUTURE_GRACE_DAYS = 1  # "today" of a clerk in UTC+8 may be tomorrow for a server clock in UTC


@dataclass(frozen=True)
class Column:
    """One column of an upload file and of its loaded table."""

    name: str  # canonical English name (the loaded column and the English header)
    zh: str  # Chinese header as in the template, unit in brackets
    kind: str
    required: bool = False
    unit: str = ""  # 万元, 万美元, 亩, 平方公里, 人, 户, 个, 元
    choices: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)  # other spellings → canonical choice
    help_zh: str = ""
    help_en: str = ""
    zh_aliases: tuple[str, ...] = ()  # other Chinese headers seen in the field
    kind_by: str = ""  # another column whose value sets this cell's kind and unit (see KIND_BY)
    unit_types: tuple[str, ...] = ()  # names a unit of these registry types (UNIT_TYPES); checked against it
    max_value: float | None = None  # numeric kinds: the largest plausible value in ``unit`` (one of CEILINGS)
    max_length: int | None = None  # text, code, person_key: the most characters a cell may hold (LENGTH_CAPS)
    future: bool = False  # dates, months, years: may lie up to FUTURE_YEARS ahead (else not after today)

    def __post_init__(self) -> None:
        if self.max_value is not None and self.max_value not in CEILINGS:
            raise ValueError(f"{self.name}: max_value {self.max_value} is not one of {CEILINGS}")
        if self.max_length is not None and self.max_length not in LENGTH_CAPS:
            raise ValueError(f"{self.name}: max_length {self.max_length} is not one of {LENGTH_CAPS}")

    @property
    def ceiling(self) -> float | None:
        """The largest value a numeric cell may hold, in ``unit`` (None for other kinds)."""
        return self.max_value if self.max_value is not None else MAX_VALUE_BY_KIND.get(self.kind)

    @property
    def length_cap(self) -> int | None:
        """The most characters a stored text cell may hold (None for kinds that are not free text)."""
        return self.max_length if self.max_length is not None else MAX_LENGTH_BY_KIND.get(self.kind)

    @property
    def personal(self) -> bool:
        return self.kind in ("id_number", "drop")

    def headers(self) -> tuple[str, ...]:
        """Every header text that names this column (compared after NFKC, case-folded)."""
        bare = self.zh.split("(")[0]
        return (self.zh, bare, self.name, *self.zh_aliases)


@dataclass(frozen=True)
class Rule:
    """A cross-field rule, checked per row after cells are normalised."""

    code: str  # stable identifier, used by the validator to pick the check
    columns: tuple[str, ...]
    zh: str
    en: str


@dataclass(frozen=True)
class Dataset:
    name: str
    zh: str
    en: str
    grain_zh: str
    grain_en: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # canonical (stored) column names
    rules: tuple[Rule, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()  # at least one column of each group must be filled
    year_column: str = ""  # the date, month or year a row belongs to (a registered unit's years are checked)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def has_personal_data(self) -> bool:
        return any(c.personal for c in self.columns)

    @property
    def township_column(self) -> str | None:
        """The column that names the township a row belongs to (a column of registry type 镇街 only), or None."""
        return next((c.name for c in self.columns if c.unit_types == TOWNSHIP), None)

    def stored_columns(self) -> list[tuple[str, str]]:
        """(name, DuckDB type) of the loaded table's data columns, in order."""
        out: list[tuple[str, str]] = []
        for col in self.columns:
            if col.kind == "drop":
                continue
            if col.kind == "id_number":
                for extra in (("person_key", "VARCHAR"), ("birth_year", "INTEGER"), ("id_gender", "VARCHAR")):
                    if extra[0] not in [n for n, _ in out]:
                        out.append(extra)
                continue
            if col.kind == "person_key":
                if "person_key" not in [n for n, _ in out]:
                    out.append(("person_key", "VARCHAR"))
                continue
            out.append((col.name, SQL_TYPES[col.kind]))
        return out


SQL_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "enum": "VARCHAR",
    "money": "DOUBLE",
    "usd": "DOUBLE",
    "number": "DOUBLE",
    "count": "BIGINT",
    "date": "DATE",
    "month": "VARCHAR",
    "period": "VARCHAR",
    "year": "INTEGER",
    "bool": "BOOLEAN",
    "person_key": "VARCHAR",
}

C = Column

PROJECTS = Dataset(
    name="projects",
    zh="招商项目",
    en="Investment projects",
    grain_zh="每行一个项目",
    grain_en="one row per project",
    year_column="signed_date",
    key=("project_id",),
    columns=(
        C("project_id", "项目编号", "code", True),
        C("name", "项目名称", "text", True),
        C("investor", "投资方", "text"),
        C("investor_origin", "客商来源地", "text", help_zh="长三角、珠三角、环渤海、省内、境外…"),
        C("township", "所属镇街", "text", True, unit_types=TOWNSHIP),
        C("park", "所属园区", "text", unit_types=PARK),
        C("industry", "产业类别", "text", True),
        C("method", "招商方式", "enum", choices=METHODS),
        C("responsible_unit", "责任单位", "text", unit_types=ANY_UNIT),
        C("lead_person", "招商责任人", "text"),
        C("total_investment", "总投资(万元)", "money", True, unit="万元"),
        C(
            "contract_investment",
            "合同引资额(万元)",
            "money",
            unit="万元",
            help_zh="空白时取总投资",
            help_en="blank = total investment",
        ),
        C("foreign_contract", "合同外资(万美元)", "usd", unit="万美元"),
        C("status", "项目状态", "enum", True, choices=PROJECT_STATUSES, aliases=PROJECT_STATUS_EN),
        C("signed_date", "签约日期", "date"),
        C("started_date", "开工日期", "date"),
        C("completed_date", "竣工日期", "date"),
        C("production_date", "投产日期", "date"),
        C("land_mu", "用地面积(亩)", "number", unit="亩", max_value=1e6),  # 100万亩 ≈ 667 km²
        C("standard_factory", "入驻标准厂房", "bool"),
        C("planned_jobs", "计划用工(人)", "count", unit="人", max_value=1e6),  # the largest plants employ ~300,000
        C("key_project", "重点项目", "bool"),
    ),
    rules=(
        Rule(
            "stage_dates_required",
            STAGE_DATES,
            "项目状态已到该阶段，须填写该阶段日期",
            "the status has reached this stage, so its date is required",
        ),
        Rule(
            "stage_dates_ordered",
            STAGE_DATES,
            "阶段日期须按 签约≤开工≤竣工≤投产 的顺序",
            "stage dates must be in order: signed ≤ started ≤ completed ≤ production",
        ),
    ),
)

FUNDING = Dataset(
    name="funding",
    zh="资金到位",
    en="Funds in place",
    grain_zh="每个项目每月一行",
    grain_en="one row per project per month",
    key=("project_id", "period"),
    columns=(
        C("project_id", "项目编号", "code", True, help_zh="须已存在于项目库或同一批次", help_en="must exist"),
        C("period", "月份", "month", True),
        C("funds_in_place", "到位资金(万元)", "money", True, unit="万元"),
        C("out_of_province", "其中省外资金(万元)", "money", unit="万元"),
        C("foreign_actual", "实际利用外资(万美元)", "usd", unit="万美元"),
        C("fixed_asset_investment", "完成固定资产投资(万元)", "money", unit="万元"),
    ),
    rules=(
        Rule(
            "not_greater",
            ("out_of_province", "funds_in_place"),
            "其中省外资金不能大于到位资金",
            "out-of-province funds cannot exceed funds in place",
        ),
        Rule(
            "project_exists",
            ("project_id",),
            "项目编号在项目库和本批次中都不存在",
            "project_id exists neither in the warehouse nor in this batch",
        ),
    ),
)

TARGETS = Dataset(
    name="targets",
    zh="目标任务",
    en="Targets",
    grain_zh="每年每单位每指标一行",
    grain_en="one row per year, unit and metric",
    year_column="year",
    key=("year", "unit", "metric"),
    columns=(
        C("year", "年度", "year", True, future=True),  # targets are set for coming years
        C("unit", "责任单位", "text", True, help_zh="镇街、部门或园区；全县/全区 表示全辖区", unit_types=ANY_UNIT),
        C(
            "metric",
            "指标",
            "enum",
            True,
            choices=tuple(TARGET_METRICS),
            aliases={zh: en for en, zh in TARGET_METRICS.items()},
        ),
        C(
            "target",
            "目标值",
            "number",
            True,
            kind_by="metric",
            help_zh="按指标的单位：金额万元（可写 70亿）、外资万美元、项目个数、人数",
            help_en="in the metric's unit: money 万元 (70亿 accepted), foreign 万美元, counts, people",
        ),
    ),
)

PARKS = Dataset(
    name="parks",
    zh="园区运行",
    en="Park operations",
    grain_zh="每个园区每期一行（月份如 2012-03，或年份 2012）",
    grain_en="one row per park per period (a month 2012-03 or a year 2012)",
    year_column="period",
    key=("park", "period"),
    columns=(
        C("park", "园区", "text", True, unit_types=PARK),
        C("period", "期间", "period", True),
        C("developed_area_km2", "建成面积(平方公里)", "number", unit="平方公里", max_value=1e4),  # > any county
        C("land_used_mu", "已供地(亩)", "number", unit="亩", max_value=1e7),  # 1,000万亩 ≈ 6,667 km²
        C("infrastructure_investment", "基础设施投入(万元)", "money", unit="万元"),
        C("enterprises", "入园企业(户)", "count", unit="户", max_value=1e6),
        C("revenue", "经营收入(万元)", "money", unit="万元"),
        C("industrial_output", "工业产值(万元)", "money", unit="万元"),
        C("tax", "财税收入(万元)", "money", unit="万元"),
        C("jobs", "从业人员(人)", "count", unit="人"),
        C("fixed_asset_investment", "固定资产投资(万元)", "money", unit="万元"),
    ),
)

RETURNEES = Dataset(
    name="returnees",
    zh="返乡人员",
    en="Returning migrant workers",
    grain_zh="每人一行",
    grain_en="one row per person",
    year_column="return_date",
    key=("person_key",),
    one_of=(("id_number", "person_key"),),
    columns=(
        C("id_number", "身份证号", "id_number", help_zh="18位，入库前转为假名", help_en="18 digits"),
        C("person_key", "人员编号", "person_key"),
        C("name", "姓名", "drop", help_zh="不入库", help_en="never stored"),
        C("gender", "性别", "enum", choices=GENDERS, aliases={"M": "男", "F": "女", "male": "男", "female": "女"}),
        C("township", "镇街", "text", True, unit_types=TOWNSHIP),
        C("village", "村(社区)", "text"),
        C("return_date", "返乡日期", "date", True),
        C("prior_region", "原务工地", "text"),
        C("prior_industry", "原从事行业", "text"),
        C("education", "文化程度", "text"),
        C("skill", "技能", "text"),
        C("intent", "意向", "enum", choices=RETURNEE_INTENTS),
        C("status", "当前状态", "enum", choices=RETURNEE_STATUSES),
        C("status_date", "状态日期", "date"),
        C("phone", "联系电话", "drop", help_zh="不入库", help_en="never stored"),
    ),
    rules=(
        Rule("gender_matches_id", ("gender", "id_number"), "性别与身份证号不符", "gender does not match the ID number"),
    ),
)

TRAINING = Dataset(
    name="training",
    zh="技能培训",
    en="Training",
    grain_zh="每个学员每个班次一行",
    grain_en="one row per trainee per class",
    year_column="start_date",
    key=("class_id", "person_key"),
    one_of=(("id_number", "person_key"),),
    columns=(
        C("class_id", "班次编号", "code", True),
        C("course", "培训工种", "text", True, help_zh="电焊工、钢筋工、家政服务、电脑操作、特色小吃、电工、缝纫…"),
        C("course_type", "培训类别", "enum", choices=COURSE_TYPES),
        C("provider", "培训机构", "text"),
        C("township", "镇街", "text", True, unit_types=TOWNSHIP),
        C("start_date", "开班日期", "date", True),
        C("end_date", "结业日期", "date"),
        C("id_number", "身份证号", "id_number"),
        C("person_key", "人员编号", "person_key"),
        C("certified", "取得证书", "bool"),
        C("employed_after", "培训后就业", "bool"),
        C("employed_date", "就业日期", "date"),
        C("subsidy", "补贴金额(元)", "number", unit="元", max_value=1e5),  # per trainee: typically a few thousand 元
    ),
    rules=(
        Rule("not_before", ("end_date", "start_date"), "结业日期早于开班日期", "end date is before the start date"),
    ),
)

VENTURES = Dataset(
    name="ventures",
    zh="创业实体",
    en="Ventures",
    grain_zh="每个创业实体一行",
    grain_en="one row per venture",
    year_column="start_date",
    key=("venture_id",),
    columns=(
        C("venture_id", "编号", "code", True),
        C("name", "名称", "text"),
        C("venture_type", "创业类型", "enum", True, choices=VENTURE_TYPES),
        C("id_number", "创业者身份证号", "id_number"),
        C("person_key", "人员编号", "person_key"),
        C("township", "镇街", "text", True, unit_types=TOWNSHIP),
        C("industry", "行业", "text"),
        C("start_date", "创办日期", "date", True),
        C("investment", "投资额(万元)", "money", unit="万元", max_value=1e6),
        C("jobs", "带动就业(人)", "count", unit="人", max_value=1e6),
        C("loan", "创业担保贷款(万元)", "money", unit="万元", max_value=1e5),  # guaranteed loans are ≤ 300万元
        C("loan_subsidy", "贴息(万元)", "money", unit="万元", max_value=1e5),
        C("tax_relief", "减免税费(万元)", "money", unit="万元", max_value=1e5),
    ),
)

LABOR = Dataset(
    name="labor",
    zh="劳务就业",
    en="Labour and jobs",
    grain_zh="每个镇街每月一行",
    grain_en="one row per township per month",
    year_column="period",
    key=("township", "period"),
    columns=(
        C("township", "镇街", "text", True, unit_types=TOWNSHIP),
        C("period", "月份", "month", True),
        C("local_transfer", "县内转移就业(人)", "count", unit="人"),
        C("export_total", "县外劳务输出(人)", "count", unit="人"),
        C("export_organized", "其中有组织输出(人)", "count", unit="人"),
        C("new_urban_jobs", "城镇新增就业(人)", "count", unit="人"),
        C("new_positions", "新增就业岗位(个)", "count", unit="个"),
    ),
    rules=(
        Rule(
            "not_greater",
            ("export_organized", "export_total"),
            "其中有组织输出不能大于县外劳务输出",
            "organised export cannot exceed the labour export total",
        ),
    ),
)

LEADS = Dataset(
    name="leads",
    zh="招商信息",
    en="Investment leads",
    grain_zh="每条报送的信息一行",
    grain_en="one row per reported lead",
    year_column="reported_date",
    key=("lead_id",),
    columns=(
        C("lead_id", "编号", "code", True),
        C("person", "报送人", "text", True, help_zh="招商工作人员（工作记录，非个人隐私字段）"),
        C("rank", "职级", "enum", True, choices=LEAD_RANKS),
        C("unit", "单位", "text", True, unit_types=ANY_UNIT),
        C("reported_date", "报送日期", "date", True),
        C("description", "信息内容", "text", max_length=2000),
        C("valuable", "有价值", "bool", True),
        C("project_id", "关联项目", "code"),
    ),
)

UNITS = Dataset(
    name="units",
    zh="单位名录",
    en="Unit registry",
    grain_zh="每个单位一行",
    grain_en="one row per unit",
    key=("name",),
    columns=(
        C("name", "单位名称", "text", True, help_zh="镇街、园区或部门的规范名称", help_en="the unit's official name"),
        C("type", "类型", "enum", True, choices=UNIT_TYPES, aliases=UNIT_TYPE_EN),
        C(
            "code",
            "行政区划代码",
            "code",
            help_zh="12位数字，镇街填写（边界地图按此代码对应）",
            help_en="12 digits, for townships (the key a boundary map joins on)",
        ),
        C("parent", "上级", "text"),
        C(
            "aliases",
            "别名",
            "text",
            help_zh="其他写法，多个用 、 或 ; 分隔",
            help_en="other spellings, separated by 、 or ;",
            max_length=2000,
        ),
        C("first_year", "起始年度", "year", help_zh="空白表示一直有效", help_en="blank = always", future=True),
        C(
            "last_year",
            "终止年度",
            "year",
            help_zh="撤并、更名后填写",
            help_en="after a merger or renaming",
            future=True,
        ),
        C(
            "lon",
            "经度",
            "number",
            help_zh="园区所在位置（地图上画点），CGCS2000/WGS84 十进制度，如 104.0652；不要用高德、腾讯地图的坐标",
            help_en="a park's location (a point on the map), CGCS2000/WGS84 decimal degrees, e.g. 104.0652",
        ),
        C("lat", "纬度", "number", help_zh="与经度成对填写，如 30.5728", help_en="with the longitude, e.g. 30.5728"),
    ),
    rules=(
        Rule(
            "lon_lat",
            ("lon", "lat"),
            "经度、纬度须成对填写，且在中国范围内（经度 73–136，纬度 3–54）",
            "longitude and latitude go together and lie within China (longitude 73–136, latitude 3–54)",
        ),
        Rule("code_digits", ("code",), "行政区划代码须为12位数字", "the division code must be 12 digits"),
        Rule("not_before", ("last_year", "first_year"), "终止年度早于起始年度", "last year is before the first year"),
        Rule(
            "aliases_unique",
            ("aliases",),
            "别名不能与其他单位的名称或别名相同",
            "an alias cannot be another unit's name or alias",
        ),
    ),
)

DATASETS: dict[str, Dataset] = {
    d.name: d for d in (UNITS, PROJECTS, FUNDING, TARGETS, PARKS, RETURNEES, TRAINING, VENTURES, LABOR, LEADS)
}

# Load order for a set of files: the unit registry first (other files are checked against it), projects
# before funding (funding must name known projects).
LOAD_ORDER: tuple[str, ...] = tuple(DATASETS)


# Batches that are not upload datasets: the county's township boundaries (etl.boundaries).
BOUNDARIES = "boundaries"
OTHER_BATCHES: dict[str, tuple[str, str]] = {BOUNDARIES: ("镇街边界", "Township boundaries")}


def dataset_words(name: str) -> tuple[str, str]:
    """(zh, en) name of what a batch loaded: an upload dataset, or the township boundaries."""
    if name in DATASETS:
        return DATASETS[name].zh, DATASETS[name].en
    return OTHER_BATCHES.get(name, (name, name))


def get(name: str) -> Dataset:
    """The contract of dataset ``name`` (English name or Chinese title)."""
    if name in DATASETS:
        return DATASETS[name]
    for d in DATASETS.values():
        if d.zh == name:
            return d
    raise KeyError(name)
