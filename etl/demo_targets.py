"""Demo county targets: yearly targets per unit and metric, derived from what the demo actuals come to."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from etl.contracts import TARGET_METRICS

COUNTY = "全县"
TOWN_METRICS: tuple[str, ...] = (
    "contract_investment", "funds_in_place", "out_of_province_funds", "fixed_asset_investment",
    "projects_signed", "projects_signed_100m", "projects_started", "projects_in_production",
    "valuable_leads", "returnee_ventures", "trainees", "new_jobs", "labor_export",
)  # fmt: skip
PARK_METRICS: tuple[str, ...] = (
    "contract_investment", "funds_in_place", "fixed_asset_investment", "park_revenue", "park_output", "park_tax",
)  # fmt: skip
MONEY_METRICS = frozenset(
    ("contract_investment", "funds_in_place", "out_of_province_funds", "foreign_contract", "foreign_actual")
    + ("fixed_asset_investment", "park_revenue", "park_output", "park_tax")
)


def unit_metrics(townships: tuple[str, ...], parks: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Which metrics each unit gets a target for: 全县 all 18, townships 13, parks 6."""
    out = {COUNTY: tuple(TARGET_METRICS)}
    out |= {t: TOWN_METRICS for t in townships}
    out |= {p: PARK_METRICS for p in parks}
    return out


def _year(s: pd.Series) -> pd.Series:
    return s.map(lambda d: d.year if isinstance(d, date) else None)


def actuals(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per year, unit and metric with the demo actual (万元, 万美元, 个, 人) per DOMAIN.md §5."""
    pj = data["projects"].copy()
    pj["contract"] = pj["contract_investment"].fillna(pj["total_investment"])
    pj["y_signed"] = _year(pj["signed_date"])
    pj["y_started"] = _year(pj["started_date"])
    pj["y_prod"] = _year(pj["production_date"].where(pj["production_date"].notna(), pj["completed_date"]))
    parts = []

    def add(df: pd.DataFrame, year: str, value: str | None, metric: str, units: tuple[str, ...]) -> None:
        df = df[df[year].notna()]
        for col in units:
            sub = df[df[col].notna()]
            g = sub.groupby([sub[year].astype(int), col])
            s = g[value].sum() if value else g.size()
            parts.append(pd.DataFrame({"year": s.index.get_level_values(0), "unit": s.index.get_level_values(1),
                                       "metric": metric, "value": s.to_numpy(dtype=float)}))  # fmt: skip

    pj["all"] = COUNTY
    pj["big"] = pj["total_investment"] >= 10_000
    geo = ("township", "park", "all")
    add(pj, "y_signed", "contract", "contract_investment", geo)
    add(pj, "y_signed", "foreign_contract", "foreign_contract", ("all",))
    add(pj, "y_signed", None, "projects_signed", geo)
    add(pj[pj["big"]], "y_signed", None, "projects_signed_100m", geo)
    # 开工项目含上年接转: the same rule as the warehouse view v_metric_facts (etl/schema.py)
    last = int(max(pj["y_started"].dropna().max(), pj["y_signed"].dropna().max()))
    y_done = _year(pj["completed_date"])
    y_end = y_done.where(y_done.notna(), pj["y_started"].where(pj["status"].isin(["停滞", "终止"]), last))
    started = pj[pj["y_started"].notna()].assign(y_end=y_end)
    started["y_uc"] = [
        list(range(int(a), int(b) + 1)) for a, b in zip(started["y_started"], started["y_end"], strict=True)
    ]
    add(started.explode("y_uc"), "y_uc", None, "projects_started", geo)
    add(pj, "y_prod", None, "projects_in_production", geo)
    fu = data["funding"].merge(pj[["project_id", *geo]], on="project_id")
    fu["y"] = fu["period"].str[:4].astype(int)
    add(fu, "y", "funds_in_place", "funds_in_place", geo)
    add(fu, "y", "out_of_province", "out_of_province_funds", ("township", "all"))
    add(fu, "y", "foreign_actual", "foreign_actual", ("all",))
    add(fu, "y", "fixed_asset_investment", "fixed_asset_investment", geo)
    le = data["leads"][data["leads"]["valuable"]].assign(all=COUNTY, y=lambda d: _year(d["reported_date"]))
    add(le, "y", None, "valuable_leads", ("unit", "all"))
    ve = data["ventures"][data["ventures"]["venture_type"] == "返乡创业"]
    add(ve.assign(all=COUNTY, y=_year(ve["start_date"])), "y", None, "returnee_ventures", ("township", "all"))
    tr = data["training"]
    add(tr.assign(all=COUNTY, y=_year(tr["start_date"])), "y", None, "trainees", ("township", "all"))
    la = data["labor"].assign(all=COUNTY, y=data["labor"]["period"].str[:4].astype(int))
    add(la, "y", "new_urban_jobs", "new_jobs", ("township", "all"))
    add(la, "y", "export_total", "labor_export", ("township", "all"))
    pa_ = data["parks"].assign(all=COUNTY, y=data["parks"]["period"].str[:4].astype(int))
    for col, metric in (("revenue", "park_revenue"), ("industrial_output", "park_output"), ("tax", "park_tax")):
        add(pa_, "y", col, metric, ("park", "all"))
    return pd.concat(parts, ignore_index=True)


def make_targets(
    rng: np.random.Generator,
    data: dict[str, pd.DataFrame],
    townships: tuple[str, ...],
    parks: tuple[str, ...],
    years: list[int],
    as_of: date,
    lagging: tuple[str, ...],
) -> pd.DataFrame:
    """One row per year, unit and metric. Target = the year's actual (current year: extrapolated by 序时进度)
    × 0.87–1.11, so units land at ~90–115 %; the ``lagging`` townships get targets they reach only 40–60 %."""
    act = actuals(data).set_index(["year", "unit", "metric"])["value"]
    days = (date(as_of.year, 12, 31) - date(as_of.year, 1, 1)).days + 1
    pace = {y: 1.0 for y in years} | {as_of.year: ((as_of - date(as_of.year, 1, 1)).days + 1) / days}
    rows = []
    for y in years:
        for unit, metrics in unit_metrics(townships, parks).items():
            for m in metrics:
                full = float(act.get((y, unit, m), 0.0)) / pace[y]
                f = rng.uniform(1 / 0.6, 1 / 0.4) if unit in lagging else rng.uniform(0.87, 1.11)
                t = full * f
                if m in MONEY_METRICS:
                    t = max(100.0, float(round(t, -2 if t >= 10_000 else -1 if t >= 1_000 else 0)))
                else:
                    t = float(max(1, round(t)))
                rows.append({"year": y, "unit": unit, "metric": m, "target": t})
    return pd.DataFrame(rows)
