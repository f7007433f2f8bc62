"""Assessment points (考核加分) and rankings: the breakdown, the people's leaderboard with quota compliance, the units'
ranking that combines target completion and points; read from v_point_items (etl.assessment_rules, the one SQL
definition of the points) for one rule version.

Scope: a year, points through the as-of month (an item counts in the month of its lead or signing; a quota bonus
in the month of the lead that reached the quota), optionally townships: an item counts under a township when its
unit is that township or, for a project, the project is in it. The industry and park filters do not apply to
points. The unit ranking reuses the 目标完成 page's per-unit completion (board.metrics.targets.unit_progress) and
the stalled lists (board.metrics.projects.stalled_projects); it recomputes neither.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from board import db, meta
from board.metrics import projects, targets
from board.selection import Selection
from etl import assessment_rules
from etl.assessment_rules import Rules

QUOTA_STATES: tuple[str, ...] = ("exceeded", "met", "not_met", "no_leads")

_VERSIONS_SQL = """SELECT version, sha256, created_at, created_by, coalesce(current, false) AS current, rules_toml
FROM v_assessment_rules ORDER BY version DESC"""

# Grain: one row per item credited in the year through the as-of month under one rule version (v_point_items),
# with the project's name or the lead's description.
_ITEMS_SQL = """
WITH p AS (SELECT ?::INTEGER AS yr, ?::INTEGER AS mo, ?::INTEGER AS ver, ?::VARCHAR[] AS towns)
SELECT i.person, i.unit, i.kind, i.item_id, coalesce(pr.name, l.description) AS name, i.day, i.month, i.rank,
       i.quota, i.lead_no, i.rule, i.amount, i.points
FROM v_point_items i CROSS JOIN p
LEFT JOIN v_projects pr ON i.kind = 'project' AND pr.project_id = i.item_id
LEFT JOIN v_leads l ON i.kind = 'lead' AND l.lead_id = i.item_id
WHERE i.year = p.yr AND i.month <= p.mo AND i.rule_version = p.ver
  AND (len(p.towns) = 0 OR list_contains(p.towns, i.unit) OR list_contains(p.towns, i.township))
ORDER BY i.person NULLS LAST, i.day, i.kind, i.item_id"""


@db.cached
def versions() -> pd.DataFrame:
    """Grain: one row per stored rule version, newest first: version, sha256, created_at, created_by, current
    (the version in force), rules_toml (the text as saved)."""
    return db.query(_VERSIONS_SQL)


def current_version() -> int | None:
    """The rule version in force (None in a warehouse without one)."""
    df = versions()
    cur = df.loc[df["current"], "version"]
    return int(cur.iloc[0]) if len(cur) else (int(df["version"].max()) if len(df) else None)


def rules(version: int) -> Rules:
    """The rule set of ``version`` (its stored text, checked again)."""
    df = versions()
    return assessment_rules.parse(str(df.loc[df["version"] == version, "rules_toml"].iloc[0]), f"v{version}")


@db.cached
def breakdown(year: int, month: int, version: int, townships: tuple[str, ...] = ()) -> pd.DataFrame:
    """Which lead or project earned what, under which rule.

    Grain: one row per item (a reported lead, a signed project) of the year through ``month`` under rule
    ``version``. Columns: person (None: a project without a lead person), unit, kind (lead | project), item_id,
    name (project name or lead text), day, month, rank and quota (leads: the reporter's rank of the year and its
    quota), lead_no (the n-th valuable lead of the year), rule (etl.assessment_rules.RULES), amount (projects'
    total investment, 万元), points.
    """
    return db.query(_ITEMS_SQL, [year, month, version, list(townships)])


def _quota_state(valuable: float, quota: float) -> str:
    if np.isnan(quota):
        return "no_leads"
    return "exceeded" if valuable > quota else "met" if valuable == quota else "not_met"


@db.cached
def people(year: int, month: int, version: int, townships: tuple[str, ...] = ()) -> pd.DataFrame:
    """The leaderboard and quota compliance of the people credited.

    Grain: one row per person (items without a person are left out), best first. Columns: position (1 = most
    points; ties share it), person, units (their units, "、"-joined), rank (职级 of their latest lead; None without
    leads), quota (valuable leads a year), valuable (valuable leads through the month), quota_state (QUOTA_STATES),
    lead_points, projects (signed), project_points, points.
    """
    items = breakdown(year, month, version, townships)
    items = items[items["person"].notna()]
    cols = ["position", "person", "units", "rank", "quota", "valuable", "quota_state"]
    cols += ["lead_points", "projects", "project_points", "points"]
    if items.empty:
        return pd.DataFrame(columns=cols)
    leads = items[items["kind"] == "lead"]
    projs = items[items["kind"] == "project"]
    g = items.groupby("person", sort=False)
    out = pd.DataFrame({"units": g["unit"].agg(lambda u: "、".join(dict.fromkeys(u.dropna())))})
    lg = leads.groupby("person")
    out["rank"] = lg["rank"].last()
    out["quota"] = lg["quota"].max().astype("float64")
    out["valuable"] = lg["lead_no"].count().astype("float64")
    out["lead_points"] = lg["points"].sum()
    out["projects"] = projs.groupby("person")["item_id"].count().astype("float64")
    out["project_points"] = projs.groupby("person")["points"].sum()
    out = out.fillna({"valuable": 0.0, "lead_points": 0.0, "projects": 0.0, "project_points": 0.0})
    out["points"] = out["lead_points"] + out["project_points"]
    out["quota_state"] = [_quota_state(v, q) for v, q in zip(out["valuable"], out["quota"], strict=True)]
    out = out.reset_index().sort_values(["points", "person"], ascending=[False, True])
    out["position"] = out["points"].rank(method="min", ascending=False).astype("int64")
    return out[cols].reset_index(drop=True)


def _unit_of_project(df: pd.DataFrame) -> pd.Series:
    """The assessment unit a project is credited to (and counted against): its responsible unit, else township."""
    return df["responsible_unit"].where(df["responsible_unit"].notna(), df["township"])


@db.cached
def units(year: int, month: int, version: int, townships: tuple[str, ...] = ()) -> pd.DataFrame:
    """The unit ranking: target completion and points combined by the rule version's unit scoring.

    Grain: one row per unit (units with a target of a weighted metric, or with points; under a township filter
    the selected townships only), best first. Columns: position, unit, one ``rate_<metric>`` per weighted metric
    (completion through the month, from board.metrics.targets.unit_progress; NaN without a target), completion
    (Σ weight × rate, each rate capped at the rules' rate_cap, ÷ Σ weight of the metrics with a rate, × 100; NaN
    without any), points (of its people's items, capped at points_cap), people, projects, stalled (its stalled
    projects at the end of the month, board.metrics.projects), deduction (stalled × stalled_deduction), score
    (completion, 0 when NaN, + points − deduction).
    """
    r = rules(version)
    weights = dict(r.unit_weights)
    sel = Selection(year=year, month=month)
    rates = {}
    for metric in weights:
        prog = targets.unit_progress(sel, metric, "ytd")
        prog = prog[prog["type"] != "area"]
        rates[metric] = dict(zip(prog["unit"], prog["rate"], strict=True))
    items = breakdown(year, month, version, ())
    settings = meta.settings()
    stalled = projects.stalled_projects(
        sel, settings["settings.stalled_signed_days"], settings["settings.stalled_no_funds_months"]
    )
    stalled_by_unit = _unit_of_project(stalled).value_counts() if len(stalled) else pd.Series(dtype="int64")
    names = list(dict.fromkeys([u for m in rates for u in rates[m]] + list(items["unit"].dropna())))
    if townships:
        names = [u for u in names if u in townships]
    rows = []
    for unit in names:
        mine = items[items["unit"] == unit]
        row: dict = {"unit": unit}
        got = {}
        for metric, w in weights.items():
            rate = rates[metric].get(unit, np.nan)
            row[f"rate_{metric}"] = rate
            if not pd.isna(rate):
                got[metric] = (w, min(rate, r.rate_cap) if r.rate_cap is not None else rate)
        wsum = sum(w for w, _ in got.values())
        row["completion"] = sum(w * x for w, x in got.values()) / wsum * 100 if wsum > 0 else np.nan
        pts = float(mine["points"].sum())
        row["points"] = min(pts, r.points_cap) if r.points_cap is not None else pts
        row["people"] = float(mine["person"].dropna().nunique())
        row["projects"] = float((mine["kind"] == "project").sum())
        row["stalled"] = float(stalled_by_unit.get(unit, 0))
        row["deduction"] = row["stalled"] * r.stalled_deduction
        row["score"] = (0.0 if np.isnan(row["completion"]) else row["completion"]) + row["points"] - row["deduction"]
        rows.append(row)
    cols = ["position", "unit", *(f"rate_{m}" for m in weights), "completion", "points", "people", "projects"]
    cols += ["stalled", "deduction", "score"]
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame(rows).sort_values(["score", "unit"], ascending=[False, True])
    out["position"] = out["score"].rank(method="min", ascending=False).astype("int64")
    return out[cols].reset_index(drop=True)
