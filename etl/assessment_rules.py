"""Assessment rules (招商人员奖励办法): read, validated, versioned in the warehouse; the points' one SQL definition.

The rules are data: ``data/assessment_rules.toml`` (or the file ``$DASHBOARD_ASSESSMENT_RULES`` names), every key
optional over the defaults of DOMAIN.md §5. A rule set is stored once per distinct content (a hash of its
values, not of its comments) in ``assessment_rule_sets`` (version, hash, the TOML text, when, by whom) with its
numbers in ``assessment_rule_values``; ``meta`` key ``assessment_rules.current`` says which version is in force.
``bin/etl init`` checks the file and registers it; the 考核排名 page saves an edited text the same way (the
warehouse first, then the file). An invalid text is refused with a message naming the line and the key.

Points are computed in SQL on the read side (``POINTS_VIEWS``), for every stored version at once: a rule change
makes a new version with its own points, and the rows of earlier versions stay what they were.

- Each valuable lead is an item of its reporter; the person's yearly quota comes from the rank of their latest
  lead of the year; the lead that reaches the quota earns ``leads.met``, the next one ``leads.exceeded`` (once),
  the others 0. A lead that is not valuable is listed with 0 points.
- Each project with a signing date credits its lead person and its unit (the responsible unit, else the
  township) with the points of its size tier (etl.contracts.SIZE_TIERS, the tiers of ``v_projects.size_tier``);
  a standard-factory lease under 3000万 (tier t1 with ``standard_factory``) earns ``projects.standard_factory``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from etl import clock, metric_catalogue, store
from etl.contracts import LEAD_RANKS, SIZE_TIERS

ROOT = Path(__file__).resolve().parents[1]
ENV = "DASHBOARD_ASSESSMENT_RULES"
DEFAULT_PATH = ROOT / "data" / "assessment_rules.toml"
META_CURRENT = "assessment_rules.current"
TIERS: tuple[str, ...] = tuple(code for code, _, _, _ in SIZE_TIERS)
DEFAULT_TIER_POINTS: dict[str, float] = {"t1": 0.0, "t2": 3.0, "t3": 4.0, "t4": 5.0, "t5": 10.0, "t6": 15.0}
assert tuple(DEFAULT_TIER_POINTS) == TIERS, "one default per size tier of etl.contracts.SIZE_TIERS"
DEFAULT_QUOTAS: dict[str, int] = {"正科级": 3, "副科级": 2, "专职招商": 3}  # in the order of LEAD_RANKS
DEFAULT_UNIT_WEIGHTS: dict[str, float] = {"contract_investment": 40.0, "funds_in_place": 40.0, "projects_signed": 20.0}
NO_CAP = ("none", "不封顶")
# The rule names an item of the breakdown carries (catalog keys assessment.rule.<name>).
RULES: tuple[str, ...] = ("leads.met", "leads.exceeded", "leads.counted", "leads.not_valuable", "standard_factory")
RULES += tuple("tier." + t for t in TIERS)


class Invalid(store.Refused):
    """The rules text cannot be used (the message says where and why, in both languages)."""


@dataclass(frozen=True)
class Rules:
    """One rule set. Points are numbers ≥ 0; quotas whole numbers ≥ 1; caps None for "no cap"."""

    met: float = 2.0
    exceeded: float = 0.5
    default_quota: int = 1
    quotas: tuple[tuple[str, int], ...] = tuple(DEFAULT_QUOTAS.items())
    standard_factory: float = 2.0
    tiers: tuple[tuple[str, float], ...] = tuple(DEFAULT_TIER_POINTS.items())
    stalled_deduction: float = 1.0
    rate_cap: float | None = None
    points_cap: float | None = None
    unit_weights: tuple[tuple[str, float], ...] = tuple(DEFAULT_UNIT_WEIGHTS.items())

    def quota(self, rank: str) -> int:
        return dict(self.quotas).get(rank, self.default_quota)

    def tier_points(self, tier: str) -> float:
        return dict(self.tiers)[tier]

    def values(self) -> dict[str, float]:
        """The numbers the points SQL reads (assessment_rule_values): key → value."""
        out = {"leads.met": self.met, "leads.exceeded": self.exceeded, "leads.default_quota": float(self.default_quota)}
        out |= {f"quota.{r}": float(q) for r, q in self.quotas}
        out |= {"standard_factory": self.standard_factory} | {f"tier.{t}": p for t, p in self.tiers}
        return out

    def digest(self) -> str:
        """SHA-256 of the rule set's content (every value, not the comments or the layout of the text)."""
        content = {k: v for k, v in self.__dict__.items()}
        return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


DEFAULT = Rules()


def path() -> Path:
    """The rules file: $DASHBOARD_ASSESSMENT_RULES, else data/assessment_rules.toml of the repository."""
    return Path(os.environ.get(ENV) or DEFAULT_PATH)


# --------------------------------------------------------------------------- validation


class _Doc:
    """The text being checked: finds the line of a key for the messages."""

    def __init__(self, text: str, file: str):
        self.lines = text.splitlines()
        self.file = file

    def line(self, table: str, key: str | None = None) -> int | None:
        """The line (1-based) of ``[table]`` or of ``key`` inside it; None when not written."""
        current = ""
        for i, raw in enumerate(self.lines, start=1):
            s = raw.split("#", 1)[0].strip()
            head = re.fullmatch(r"\[\s*([^\]]+?)\s*\]", s)
            if head:
                current = head.group(1).replace('"', "").replace(" ", "")
                if key is None and current == table:
                    return i
                continue
            if key is not None and "=" in s:
                name = s.split("=", 1)[0].strip().strip('"').strip("'")
                if current == table and name == key:
                    return i
                if current == "" and name == f"{table}.{key}":
                    return i
        return None

    def fail(self, table: str, key: str | None, zh: str, en: str) -> Invalid:
        where = f"{table}.{key}" if key else f"[{table}]"
        n = self.line(table, key) or (self.line(table) if key else None)
        at_zh = f"第 {n} 行 " if n else ""
        at_en = f"line {n}, " if n else ""
        return Invalid(
            f"考核规则 {self.file}：{at_zh}{where}：{zh}", f"assessment rules {self.file}: {at_en}{where}: {en}"
        )


def _number(doc: _Doc, table: str, key: str, value: object, low: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise doc.fail(table, key, f"须为数字，而不是 {value!r}", f"must be a number, not {value!r}")
    if value < low:
        raise doc.fail(table, key, f"不能小于 {low:g}（现为 {value:g}）", f"cannot be less than {low:g} ({value:g})")
    return float(value)


def _whole(doc: _Doc, table: str, key: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise doc.fail(
            table, key, f"须为不小于 1 的整数，而不是 {value!r}", f"must be a whole number ≥ 1, not {value!r}"
        )
    return int(value)


def _cap(doc: _Doc, table: str, key: str, value: object) -> float | None:
    if isinstance(value, str) and value.strip().lower() in NO_CAP:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise doc.fail(
            table, key, f'须为大于 0 的数字或 "none"（不封顶），而不是 {value!r}',
            f'must be a number > 0 or "none" (no cap), not {value!r}',
        )  # fmt: skip
    return float(value)


_KNOWN: dict[str, tuple[str, ...]] = {
    "leads": ("met", "exceeded", "default_quota", "quota"),
    "projects": ("standard_factory", *TIERS),
    "units": ("stalled_deduction", "rate_cap", "points_cap", "weights"),
}


def _table(doc: _Doc, parent: dict, name: str, where: str) -> dict:
    value = parent.get(name, {})
    if not isinstance(value, dict):
        raise doc.fail(where, None, f"须为一个表（[{where}]）", f"must be a table ([{where}])")
    return value


def parse(text: str, file: str = "assessment_rules.toml") -> Rules:
    """The rules in TOML ``text`` over the defaults; Invalid (with the line and key) when the text is not TOML,
    names an unknown table, key, rank or metric, or holds a value of the wrong kind or out of range."""
    doc = _Doc(text, file)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Invalid(
            f"考核规则 {file} 不是有效的 TOML：{exc}", f"assessment rules {file} is not valid TOML: {exc}"
        ) from exc
    for name in raw:
        if name not in _KNOWN:
            raise doc.fail(
                name, None, "未知的设置，可用的表为 [leads]、[projects]、[units]",
                "unknown setting; the tables are [leads], [projects] and [units]",
            )  # fmt: skip
    parts = {name: _table(doc, raw, name, name) for name in _KNOWN}
    for name, part in parts.items():
        for key in part:
            if key not in _KNOWN[name]:
                allowed = "、".join(_KNOWN[name])
                raise doc.fail(
                    name, key, f"未知的键，可用：{allowed}", f"unknown key; allowed: {', '.join(_KNOWN[name])}"
                )
    leads, projects, units = parts["leads"], parts["projects"], parts["units"]
    quotas = dict(DEFAULT_QUOTAS)
    for rank, q in _table(doc, leads, "quota", "leads.quota").items():
        if rank not in LEAD_RANKS:
            raise doc.fail(
                "leads.quota", rank, f"未知的职级，可用：{'、'.join(LEAD_RANKS)}",
                f"unknown rank; the ranks are {', '.join(LEAD_RANKS)}",
            )  # fmt: skip
        quotas[rank] = _whole(doc, "leads.quota", rank, q)
    weights_raw = _table(doc, units, "weights", "units.weights")
    for metric in weights_raw:
        if metric not in metric_catalogue.TARGET_METRICS:
            raise doc.fail(
                "units.weights", metric, "不是可设目标的指标代码（见 README 的指标表）",
                "is not a target metric code (see the metrics table of the README)",
            )  # fmt: skip
    weights = (
        {m: _number(doc, "units.weights", m, w) for m, w in weights_raw.items()}
        if weights_raw
        else dict(DEFAULT_UNIT_WEIGHTS)
    )
    if sum(weights.values()) <= 0:
        raise doc.fail("units.weights", None, "权重之和须大于 0", "the weights must sum to more than 0")

    def num(part: dict, table: str, key: str, default: float) -> float:
        return _number(doc, table, key, part[key]) if key in part else default

    return Rules(
        met=num(leads, "leads", "met", DEFAULT.met),
        exceeded=num(leads, "leads", "exceeded", DEFAULT.exceeded),
        default_quota=_whole(doc, "leads", "default_quota", leads["default_quota"])
        if "default_quota" in leads
        else DEFAULT.default_quota,
        quotas=tuple(sorted(quotas.items(), key=lambda kv: LEAD_RANKS.index(kv[0]))),
        standard_factory=num(projects, "projects", "standard_factory", DEFAULT.standard_factory),
        tiers=tuple((t, num(projects, "projects", t, DEFAULT_TIER_POINTS[t])) for t in TIERS),
        stalled_deduction=num(units, "units", "stalled_deduction", DEFAULT.stalled_deduction),
        rate_cap=_cap(doc, "units", "rate_cap", units["rate_cap"]) if "rate_cap" in units else None,
        points_cap=_cap(doc, "units", "points_cap", units["points_cap"]) if "points_cap" in units else None,
        unit_weights=tuple(weights.items()),
    )


def read_text(file: Path | None = None) -> str:
    """The text of the rules file ("" when there is none: the defaults); Invalid when it cannot be read."""
    file = file or path()
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise Invalid(f"无法读取考核规则 {file}：{exc}", f"cannot read the assessment rules {file}: {exc}") from exc


def load(file: Path | None = None) -> tuple[Rules, str]:
    """(rules, text) of ``file`` (default: :func:`path`); Invalid when it cannot be used. Without the file: the
    defaults, with the repository's file (the defaults written out) as their text, so an editor shows them."""
    file = file or path()
    text = read_text(file)
    if not text.strip() and file != DEFAULT_PATH:
        default_text = read_text(DEFAULT_PATH)
        if parse(default_text, str(DEFAULT_PATH)) == DEFAULT:
            return DEFAULT, default_text
    return parse(text, str(file)), text


# --------------------------------------------------------------------------- the warehouse's versions

DDL: list[str] = [
    """CREATE TABLE IF NOT EXISTS assessment_rule_sets (
    version INTEGER PRIMARY KEY,
    sha256 VARCHAR NOT NULL UNIQUE,
    rules_toml VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS assessment_rule_values (
    version INTEGER NOT NULL,
    key VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    PRIMARY KEY (version, key)
)""",
]


def register(con, rules: Rules, text: str, user: str) -> tuple[int, bool]:
    """Make ``rules`` the version in force inside the writer's transaction ``con``: the stored version with the
    same content, else a new one. Returns (version, whether it is new). Earlier versions are never changed."""
    sha = rules.digest()
    row = con.execute("SELECT version FROM assessment_rule_sets WHERE sha256 = ?", [sha]).fetchone()
    created = row is None
    if created:
        version = int(con.execute("SELECT coalesce(max(version), 0) + 1 FROM assessment_rule_sets").fetchone()[0])
        con.execute("INSERT INTO assessment_rule_sets VALUES (?, ?, ?, ?, ?)", [version, sha, text, clock.now(), user])
        con.executemany(
            "INSERT INTO assessment_rule_values VALUES (?, ?, ?)", [[version, k, v] for k, v in rules.values().items()]
        )
    else:
        version = int(row[0])
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [META_CURRENT, str(version)])
    return version, created


def save(db_path: Path, text: str, user: str, file: Path | None = None) -> tuple[int, bool]:
    """Check ``text``, make it the rules in force in the warehouse (one batch of the single writer), then write it
    to the rules file (atomically). Invalid: nothing is changed. Returns (version, whether it is new)."""
    from etl import warehouse

    file = file or path()
    rules = parse(text, str(file))
    db_path = store.require(Path(db_path))
    with warehouse.writer_lock(db_path), warehouse.build_and_swap(db_path) as con:
        result = register(con, rules, text, user)
    tmp = file.with_name(file.name + ".saving")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, file)
    return result


# --------------------------------------------------------------------------- the points (read side, SQL)

# The SQL is constant text: the tier under 3000万 (where a standard-factory lease earns its own points) is 't1' and
# the version in force is meta's 'assessment_rules.current'.
assert TIERS[0] == "t1" and META_CURRENT == "assessment_rules.current"
# Grain: one row per rule version and item credited: a reported lead (of its reporter and unit) or a project with a
# signing date (of its lead person and unit: responsible unit, else township). ``rule`` names what the item earned
# (RULES); ``points`` what it earned under that version; month/day date it (a quota bonus is earned on the day of the
# lead that reached it), so "points through month m" is the sum of the items of months 1..m.
POINT_ITEMS_SQL = """
CREATE OR REPLACE VIEW v_point_items AS
WITH versions AS (SELECT version FROM assessment_rule_sets),
lead_rows AS (
  SELECT l.lead_id, l.person, l.unit, l.reported_date, year(l.reported_date) AS year,
         coalesce(l.valuable, false) AS valuable,
         last_value(l.rank) OVER (PARTITION BY year(l.reported_date), l.person ORDER BY l.reported_date, l.lead_id
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS year_rank,
         sum(CAST(coalesce(l.valuable, false) AS INTEGER)) OVER (PARTITION BY year(l.reported_date), l.person
                                  ORDER BY l.reported_date, l.lead_id ROWS UNBOUNDED PRECEDING) AS n
  FROM v_leads l WHERE l.reported_date IS NOT NULL AND l.person IS NOT NULL),
lead_items AS (
  SELECT r.year, month(r.reported_date) AS month, r.reported_date AS day, r.person, r.unit, NULL::VARCHAR AS township,
         v.version AS rule_version, 'lead' AS kind, r.lead_id AS item_id, r.year_rank AS rank,
         CAST(coalesce(qr.value, qd.value) AS INTEGER) AS quota, CASE WHEN r.valuable THEN r.n END AS lead_no,
         CASE WHEN NOT r.valuable THEN 'leads.not_valuable'
              WHEN r.n = coalesce(qr.value, qd.value) THEN 'leads.met'
              WHEN r.n = coalesce(qr.value, qd.value) + 1 THEN 'leads.exceeded'
              ELSE 'leads.counted' END AS rule,
         NULL::DOUBLE AS amount
  FROM lead_rows r CROSS JOIN versions v
  JOIN assessment_rule_values qd ON qd.version = v.version AND qd.key = 'leads.default_quota'
  LEFT JOIN assessment_rule_values qr ON qr.version = v.version AND qr.key = 'quota.' || r.year_rank),
project_items AS (
  SELECT year(p.signed_date) AS year, month(p.signed_date) AS month, p.signed_date AS day, p.lead_person AS person,
         coalesce(p.responsible_unit, p.township) AS unit, p.township, v.version AS rule_version, 'project' AS kind,
         p.project_id AS item_id, NULL::VARCHAR AS rank, NULL::INTEGER AS quota, NULL::BIGINT AS lead_no,
         CASE WHEN p.size_tier = 't1' AND coalesce(p.standard_factory, false) THEN 'standard_factory'
              ELSE 'tier.' || p.size_tier END AS rule,
         p.total_investment AS amount
  FROM v_projects p CROSS JOIN versions v WHERE p.signed_date IS NOT NULL),
items AS (SELECT * FROM lead_items UNION ALL BY NAME SELECT * FROM project_items)
SELECT i.year, i.month, i.day, i.person, i.unit, i.township, i.rule_version, i.kind, i.item_id, i.rank, i.quota,
       i.lead_no, i.rule, i.amount, coalesce(pv.value, 0.0) AS points
FROM items i LEFT JOIN assessment_rule_values pv ON pv.version = i.rule_version AND pv.key = i.rule"""

POINTS_VIEWS: list[str] = [
    POINT_ITEMS_SQL,
    # Grain: one row per year, person, unit and rule version (person NULL: projects without a lead person).
    "CREATE OR REPLACE VIEW v_points AS SELECT year, person, unit, rule_version, sum(points) AS points "
    "FROM v_point_items GROUP BY year, person, unit, rule_version",
    # Grain: one row per stored rule version.
    "CREATE OR REPLACE VIEW v_assessment_rules AS SELECT s.version, s.sha256, s.created_at, s.created_by, "
    "s.version = (SELECT TRY_CAST(value AS INTEGER) FROM meta WHERE key = 'assessment_rules.current') AS current, "
    "s.rules_toml "
    "FROM assessment_rule_sets s",
]
