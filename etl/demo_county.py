"""Demo county: fictional units and staff, plus projects, funding, parks and leads (see etl/demo.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from etl.contracts import LEAD_RANKS, METHODS

TOWNSHIPS: tuple[str, ...] = (
    "城关街道", "东城街道", "青石镇", "柳河镇", "白水镇", "桃园镇", "石门镇", "龙泉镇", "杨柳镇",
    "双庙镇", "清溪镇", "马坊镇", "新集镇", "黄土镇", "南沟镇", "凤凰镇", "金川镇", "高桥镇",
    "红岩镇", "三合镇", "古渡镇", "长乐镇", "平安镇", "西营镇", "安乐镇",
)  # fmt: skip
# Park → (host township, industries it attracts, size factor against the tech park).
PARKS: dict[str, tuple[str, tuple[str, ...], float]] = {
    "高新技术产业园": ("城关街道", ("电子信息", "装备制造", "生物医药", "钛及钛合金"), 1.0),
    "食品工业园": ("柳河镇", ("食品加工", "现代农业"), 0.6),
    "新材料产业园": ("青石镇", ("新材料", "新型建材", "节能环保", "钛及钛合金"), 0.7),
    "物流园": ("东城街道", ("现代物流", "商贸服务"), 0.35),
}
INDUSTRIES: tuple[str, ...] = (
    "装备制造", "食品加工", "新材料", "生物医药", "电子信息", "新型建材",
    "现代物流", "文化旅游", "现代农业", "商贸服务", "钛及钛合金", "节能环保",
)  # fmt: skip
PRODUCTS: dict[str, tuple[str, ...]] = {
    "装备制造": ("智能装备", "数控机床", "汽车零部件"),
    "食品加工": ("果蔬深加工", "肉制品加工", "饮品生产"),
    "新材料": ("高性能复合材料", "新型涂料", "碳纤维制品"),
    "生物医药": ("中药饮片", "医疗器械", "生物制剂"),
    "电子信息": ("电子元器件", "智能终端", "数据中心"),
    "新型建材": ("装配式建材", "新型墙材", "保温材料"),
    "现代物流": ("冷链物流", "仓储配送中心", "物流园区"),
    "文化旅游": ("康养小镇", "乡村旅游", "文化产业园"),
    "现代农业": ("设施农业", "现代果业", "种养循环"),
    "商贸服务": ("商业综合体", "农贸市场", "电商产业园"),
    "钛及钛合金": ("钛材深加工", "钛合金锻件", "钛制品"),
    "节能环保": ("光伏发电", "固废综合利用", "污水处理"),
}
ORIGINS: dict[str, tuple[float, tuple[str, ...]]] = {
    "长三角": (0.25, ("上海", "苏州", "杭州", "宁波", "南京")),
    "珠三角": (0.18, ("深圳", "广州", "东莞", "佛山")),
    "环渤海": (0.10, ("天津", "青岛", "大连")),
    "京津冀": (0.10, ("北京", "石家庄")),
    "省内": (0.30, ("省城", "北市", "东市")),
    "境外": (0.07, ("香港", "新加坡")),
}
DEPARTMENTS: tuple[str, ...] = ("招商局", "工信局", "商务局", "发改局", "农业农村局", "文旅局")
SURNAMES: tuple[str, ...] = tuple("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕")
GIVEN: tuple[str, ...] = tuple("伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国文斌志红云飞鹏辉玲海燕宁")
BRANDS: tuple[str, ...] = (
    "华晟",
    "恒信",
    "鼎盛",
    "瑞丰",
    "中科",
    "天润",
    "金泰",
    "宏达",
    "新源",
    "博远",
    "嘉禾",
    "联创",
)
USD_RATE = 7.0  # 万元 per 万美元, demo only


COUNTY_CODE = "510999"  # a fictional county's 6-digit division code
CENTRE = (104.62, 30.12)  # the made-up county seat (lon, lat); the county is about 60 × 55 km


@dataclass(frozen=True)
class County:
    """The fictional county: townships, parks and the investment-attraction staff (one row per person).

    The demo county keeps the defaults; a province (etl/demo_province.py) makes many, each with its own
    division code, name (the townships' parent), id tag (inside project, lead, class and venture ids), the
    kind of each park (a key of PARKS, which says its host by position in TOWNSHIPS) and its seat."""

    townships: tuple[str, ...]
    parks: tuple[str, ...]
    staff: pd.DataFrame  # person, rank, unit
    code: str = COUNTY_CODE
    name: str = "全县"
    tag: str = ""
    kinds: tuple[str, ...] = ()  # each park's kind (a key of PARKS); () = the parks are PARKS themselves
    centre: tuple[float, float] = CENTRE

    def kind(self, park: str) -> str:
        """The key of PARKS that describes this park."""
        return self.kinds[self.parks.index(park)] if self.kinds else park

    def host(self, park: str) -> str:
        """The township a park lies in: the one at its kind's host position."""
        return self.townships[TOWNSHIPS.index(PARKS[self.kind(park)][0])]


def months(first: date, last: date) -> list[date]:
    """First days of every month from first's month to last's month, inclusive."""
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """n fake Chinese names (surname + one or two given characters)."""
    s = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)]
    g1 = np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]
    g2 = np.where(rng.random(n) < 0.6, np.array(GIVEN)[rng.integers(0, len(GIVEN), n)], "")
    return np.char.add(np.char.add(s, g1), g2)


def make_county(rng: np.random.Generator, n_townships: int = 18, **kw) -> County:
    """Units and ~2 staff per township plus department staff with their ranks. ``kw``: County's own fields
    (``townships`` replaces TOWNSHIPS[:n_townships]; ``parks`` with ``kinds``; code, name, tag, centre)."""
    towns = tuple(kw.pop("townships", TOWNSHIPS[:n_townships]))
    rows = []
    for t in towns:
        rows += [("正科级", t), ("一般干部", t)] + ([("副科级", t)] if rng.random() < 0.5 else [])
    for d in DEPARTMENTS:
        rows += [("正科级", d), ("副科级", d), ("专职招商", d), ("专职招商", d), ("一般干部", d)]
    names = person_names(rng, 3 * len(rows))
    names = list(dict.fromkeys(names))[: len(rows)]  # unique names
    staff = pd.DataFrame({"person": names, "rank": [r for r, _ in rows], "unit": [u for _, u in rows]})
    assert set(staff["rank"]) <= set(LEAD_RANKS)
    return County(towns, tuple(kw.pop("parks", PARKS)), staff, **kw)


NEW_TOWNSHIP = "新区街道"  # registered in the demo's last year, no data yet: still listed in the filters
OLD_TOWNSHIP = "红岩乡"  # merged away before the demo's first year
ALIASES = {"城关街道": "城关镇", "东城街道": "东城办事处"}


def park_points(county: County, seed: int = 2012) -> dict[str, tuple[float, float]]:
    """Each park's (lon, lat): a point well inside its host township's shape in the demo boundaries
    (:func:`make_boundaries` with the same seed) and away from the township's label in its middle: the pole of
    inaccessibility of the shape with a disc around the label cut out."""
    from shapely.geometry import shape
    from shapely.ops import polylabel

    shapes = {
        f["properties"]["XZQMC"]: shape(f["geometry"])
        for f in make_boundaries(county, seed, check=not county.tag)["features"]
    }
    points = {}
    for park in county.parks:
        poly = shapes[county.host(park)]
        poly = max(getattr(poly, "geoms", [poly]), key=lambda g: g.area)
        label = polylabel(poly, tolerance=1e-4)
        x0, y0, x1, y1 = poly.bounds
        rest = poly.difference(label.buffer(0.3 * min(x1 - x0, y1 - y0)))
        rest = max(getattr(rest, "geoms", [rest]), key=lambda g: g.area)
        p = polylabel(rest, tolerance=1e-4)
        points[park] = (round(p.x, 4), round(p.y, 4))
    return points


def make_units(county: County, years: list[int], seed: int = 2012) -> pd.DataFrame:
    """The unit registry: townships (12-digit codes), parks (under their host township, with a location) and
    departments."""
    rows = []
    towns = [*county.townships, *(() if county.tag else (NEW_TOWNSHIP, OLD_TOWNSHIP))]
    for i, t in enumerate(towns):
        first = years[-1] if t == NEW_TOWNSHIP else None
        last = years[0] - 2 if t == OLD_TOWNSHIP else None
        code = f"{county.code}{100 + i:03d}000"
        rows.append((t, "镇街", code, county.name, ALIASES.get(t), first, last))
    rows = [(*r, None, None) for r in rows]
    points = park_points(county, seed)
    rows += [(p, "园区", None, county.host(p), None, None, None, *points[p]) for p in county.parks]
    if not county.tag:  # a province's departments are the county's: listed once (etl/demo_province.py)
        rows += [(d, "部门", None, "全县", None, None, None, None, None) for d in DEPARTMENTS]
    cols = ["name", "type", "code", "parent", "aliases", "first_year", "last_year", "lon", "lat"]
    df = pd.DataFrame(rows, columns=cols)
    return df.astype({"first_year": "Int64", "last_year": "Int64"})


def _stage_dates(rng: np.random.Generator, signed: date) -> list[date]:
    started = signed + timedelta(days=int(rng.integers(20, 150)))
    completed = started + timedelta(days=int(rng.integers(150, 600)))
    return [signed, started, completed, completed + timedelta(days=int(rng.integers(0, 90)))]


def make_projects(
    rng: np.random.Generator, county: County, years: list[int], as_of: date, scale: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Projects (one row per project, amounts in 万元/万美元) and funding (one row per project per month).

    Fates: about 5 % 停滞, 4 % signed > 180 days ago and never started, 4 % started but without funds
    for 6+ months, 3 % 终止, recent ones partly 在谈; the rest follow their stage dates up to as_of.
    """
    origin_names = list(ORIGINS)
    origin_p = np.array([w for w, _ in ORIGINS.values()])
    staff = county.staff
    projects, funding = [], []
    for y in [years[0] - 1, *years]:  # the year before: carry-over projects (上年接转), funds only from years[0]
        y_end = min(date(y, 12, 31), as_of)
        span = (y_end - date(y, 1, 1)).days + 1
        n = max(8, round(rng.normal(120, 6) * scale * span / 365))
        signed = sorted(date(y, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, span, n))
        total = np.exp(rng.normal(np.log(2400), 1.4, n))
        big = rng.random() < 0.6  # a few ≥ 10亿 flagship projects
        if big:
            total[rng.integers(0, n)] = rng.uniform(100_000, 160_000)
        contract = np.where(rng.random(n) < 0.6, total, total * rng.uniform(0.6, 1.0, n))
        free = total < 100_000
        goal = rng.uniform(700_000, 900_000) * span / 365
        f = max(0.2, (goal - contract[~free].sum()) / max(contract[free].sum(), 1.0))
        total = np.where(free, total * f, total)
        contract = np.where(free, contract * f, contract)
        for k in range(n):
            projects.append(_one_project(rng, county, staff, y, k, signed[k], total[k], contract[k], as_of))
    origins = np.array(origin_names)[rng.choice(len(origin_names), len(projects), p=origin_p)]
    for p, o in zip(projects, origins, strict=True):
        p["investor_origin"] = o
        city = ORIGINS[o][1][rng.integers(0, len(ORIGINS[o][1]))]
        p["investor"] = f"{city}{BRANDS[rng.integers(0, len(BRANDS))]}{p['_suffix']}"
        if o == "境外":
            p["foreign_contract"] = round(
                (p["contract_investment"] or p["total_investment"]) * rng.uniform(0.3, 1.0) / USD_RATE, 2
            )
        funding += _funding(rng, p, date(years[0], 1, 1), as_of)
    df = pd.DataFrame(projects)
    fund = pd.DataFrame(funding, columns=["project_id", "period", *FUND_AMOUNTS])
    return df, fund


FUND_AMOUNTS = ("funds_in_place", "out_of_province", "foreign_actual", "fixed_asset_investment")


def _one_project(rng, county, staff, y, k, signed, total, contract, as_of) -> dict:
    industry = INDUSTRIES[rng.integers(0, len(INDUSTRIES))]
    lead = staff.iloc[rng.integers(0, len(staff))]
    park = None
    for name in county.parks:
        if industry in PARKS[county.kind(name)][1] and rng.random() < 0.6:
            park = name
            break
    if park:
        town = county.host(park)
    elif lead["unit"] in county.townships:
        town = lead["unit"]
    else:
        town = county.townships[rng.integers(0, len(county.townships))]
    if lead["unit"] in county.townships and lead["unit"] != town:
        # a township answers for the projects located in it (v_target_progress matches township, park or
        # responsible unit): the lead comes from the project's own township or from a department
        own = staff[(staff["unit"] == town) | ~staff["unit"].isin(county.townships)]
        lead = own.iloc[rng.integers(0, len(own))]
    total, contract = round(float(total), 2), round(float(contract), 2)
    if rng.random() < 0.1:  # written as text amounts like 2.5亿 / 3000万元: keep them round
        total = contract = float(max(100, round(total, -2)))
    stages = _stage_dates(rng, signed)
    planned_end = stages[2]
    fate = rng.random()
    age = (as_of - signed).days
    stop = None  # last month with funds
    if fate < 0.05 and age > 240:
        stages, status = [stages[0], stages[1] if stages[1] < as_of - timedelta(days=220) else None, None, None], "停滞"
        stop = stages[1] and min(stages[1] + timedelta(days=int(rng.integers(30, 120))), as_of - timedelta(days=215))
    elif 0.05 <= fate < 0.09 and age > 200:
        stages, status = [stages[0], None, None, None], "签约"
    elif 0.09 <= fate < 0.13 and (as_of - stages[1]).days > 240:
        stages, status = stages[:2] + [None, None], "开工"
        stop = min(stages[1] + timedelta(days=int(rng.integers(30, 90))), as_of - timedelta(days=215))
    elif 0.13 <= fate < 0.16:
        stages, status = [stages[0], None, None, None], "终止"
    elif 0.16 <= fate < 0.45 and age < 120:
        stages, status = [None] * 4, "在谈"
    else:
        stages = [d if d <= as_of else None for d in stages]
        status = ("签约", "开工", "竣工", "投产")[sum(d is not None for d in stages) - 1]
    small = total < 3000
    land = None if (small and park and rng.random() < 0.5) else round(total / rng.uniform(150, 400), 1)
    product = PRODUCTS[industry][rng.integers(0, 3)]
    return {
        "project_id": f"ZS{county.tag}{y}{k + 1:03d}",
        "name": f"{product}项目" if rng.random() < 0.5 else f"年产{int(rng.integers(1, 20))}万件{product}项目",
        "township": town,
        "park": park,
        "industry": industry,
        "method": METHODS[rng.integers(0, len(METHODS))],
        "responsible_unit": lead["unit"],
        "lead_person": lead["person"],
        "total_investment": total,
        "contract_investment": None if contract == total and rng.random() < 0.5 else contract,
        "foreign_contract": None,
        "status": status,
        "signed_date": stages[0],
        "started_date": stages[1],
        "completed_date": stages[2],
        "production_date": stages[3],
        "land_mu": land,
        "standard_factory": land is None,
        "planned_jobs": max(5, int(total / 10_000 * rng.uniform(40, 150))),
        "key_project": bool(total >= 10_000 or rng.random() < 0.1),
        "_suffix": "有限公司" if rng.random() < 0.7 else "集团",
        "_stop": stop,
        "_planned_end": planned_end,
    }


def _funding(rng: np.random.Generator, p: dict, first: date, as_of: date) -> list[tuple]:
    """Monthly funding rows of one project from its start month to completion, stop month or as_of."""
    start = p["started_date"]
    if start is None or p["status"] == "终止":
        return []
    end = p["_stop"] or p["completed_date"] or as_of
    ms = [m for m in months(start, min(end, as_of)) if m >= first]
    contract = p["contract_investment"] or p["total_investment"]
    per = contract * rng.uniform(0.45, 0.8) / len(months(start, p["_planned_end"]))
    out_share = 0.0 if p["investor_origin"] == "省内" else rng.uniform(0.7, 1.0)
    rows = []
    for m in ms:
        funds = round(per * rng.uniform(0.5, 1.5), 2)
        oop = min(funds, round(funds * out_share, 2)) if out_share else None
        fa = round(funds * rng.uniform(0.5, 1.0) / USD_RATE, 2) if p["investor_origin"] == "境外" else None
        fai = round(funds * rng.uniform(0.8, 1.2), 2) if rng.random() < 0.9 else None
        rows.append((p["project_id"], f"{m:%Y-%m}", funds, oop, fa, fai))
    return rows


# Park → what sets it apart from the size-scaled base, as factors on (land, jobs, output, tax, fixed-asset
# investment): the tech park earns much tax on little land with few people; the food park employs many; the
# new-materials park invests heavily; the logistics park spreads over land with little output.
PARK_PROFILES: dict[str, tuple[float, float, float, float, float]] = {
    "高新技术产业园": (0.85, 0.8, 1.15, 1.35, 1.0),
    "食品工业园": (1.0, 1.45, 0.95, 0.8, 0.85),
    "新材料产业园": (1.05, 1.0, 1.05, 1.0, 1.4),
    "物流园": (1.7, 0.9, 0.55, 0.6, 0.75),
}
ANNUAL_PARK_YEAR = ("食品工业园", 1)  # this park's audited annual row for the demo's 2nd year (besides its months)
ANNUAL_REVISION = 1.03  # the audited year runs 3 % above the sum of the months the park reported
NO_LAND_PARK_YEAR = ("物流园", 0)  # this park recorded no supplied land (已供地) in the demo's first year


def make_parks(rng: np.random.Generator, first: date, as_of: date, county: County | None = None) -> pd.DataFrame:
    """One row per park per month, plus one audited annual row. Flows in 万元 per month; stocks (area 平方公里,
    land 亩, enterprises 户, jobs 人) grow slowly. The tech park is sized like DOMAIN.md §6 (revenue ~11.6亿 a
    year); PARK_PROFILES sets the parks' efficiency apart. The annual row (ANNUAL_PARK_YEAR, period ``2023``) is
    the year's figure for the flows: not the months' sum plus it. NO_LAND_PARK_YEAR leaves 已供地 blank for a year (no 亩均 figure,
    no grade). ``county``: whose parks (default: the demo county's, PARKS)."""
    ms = months(first, as_of)
    rows = []
    parks = county.parks if county else tuple(PARKS)
    kind = county.kind if county else str
    for park in parks:
        size = PARKS[kind(park)][2]
        land_f, jobs_f, output_f, tax_f, fai_f = PARK_PROFILES[kind(park)]
        g = rng.uniform(0.05, 0.12)  # yearly growth
        for i, m in enumerate(ms):
            grow = (1 + g) ** (i / 12)
            season = 1 + 0.15 * np.sin((m.month - 3) / 12 * 2 * np.pi)

            k = size * grow * season / 12  # a month's share of the yearly base, grown

            def flow(base: float, k: float = k) -> float:
                return round(base * k * rng.uniform(0.85, 1.15), 2)

            no_land = (kind(park), m.year - first.year) == NO_LAND_PARK_YEAR
            rows.append(
                {
                    "park": park,
                    "period": f"{m:%Y-%m}",
                    "developed_area_km2": round(2.0 * size * grow * land_f, 2),
                    "land_used_mu": None if no_land else round(2600 * size * grow * land_f, 1),
                    "infrastructure_investment": flow(27_000),
                    "enterprises": int(59 * size * grow),
                    "revenue": flow(116_000),
                    "industrial_output": flow(103_000 * output_f),
                    "tax": flow(4_623 * tax_f),
                    "jobs": int(3100 * size * grow * jobs_f),
                    "fixed_asset_investment": flow(45_000 * fai_f),
                }
            )
    kind_of_annual, offset = ANNUAL_PARK_YEAR
    year = first.year + offset
    for park in (p for p in parks if kind(p) == kind_of_annual):
        _annual_row(rows, park, year)
    return pd.DataFrame(rows)


def _annual_row(rows: list[dict], park: str, year: int) -> None:
    """Append the park's audited annual row for ``year`` when all its months are there."""
    months_of = [r for r in rows if r["park"] == park and r["period"].startswith(f"{year}-")]
    if len(months_of) == 12:
        annual = {**months_of[-1], "period": str(year)}  # stocks: the year-end values
        for col in ("infrastructure_investment", "revenue", "industrial_output", "tax", "fixed_asset_investment"):
            annual[col] = round(sum(r[col] for r in months_of) * ANNUAL_REVISION, 2)
        annual["enterprises"] += 1  # one more found by the audit
        rows.append(annual)


def make_leads(
    rng: np.random.Generator, county: County, projects: pd.DataFrame, years: list[int], as_of: date, scale: float
) -> pd.DataFrame:
    """One row per reported lead: routine leads (Poisson by rank, ~45 % valuable) plus one valuable lead
    before every signed project, reported by its lead person and linked by project_id."""
    rate = {"正科级": 4.0, "专职招商": 5.0, "副科级": 3.0, "一般干部": 2.0}
    first = date(years[0], 1, 1)
    rows = []
    for y in years:
        y_end = min(date(y, 12, 31), as_of)
        span = (y_end - date(y, 1, 1)).days + 1
        for s in county.staff.itertuples():
            for _ in range(rng.poisson(rate[s.rank] * scale * span / 365)):
                d = date(y, 1, 1) + timedelta(days=int(rng.integers(0, span)))
                rows.append((s.person, s.rank, s.unit, d, rng.random() < 0.45, None))
    rank_of = dict(zip(county.staff["person"], county.staff["rank"], strict=True))
    unit_of = dict(zip(county.staff["person"], county.staff["unit"], strict=True))
    for p in projects.itertuples():
        if p.signed_date is None or pd.isna(p.signed_date) or p.signed_date < first:
            continue
        d = p.signed_date - timedelta(days=int(rng.integers(30, 240)))
        if d < first:
            d = first + timedelta(days=int(rng.integers(0, (p.signed_date - first).days + 1)))
        rows.append((p.lead_person, rank_of[p.lead_person], unit_of[p.lead_person], d, True, p.project_id))
    rows.sort(key=lambda r: (r[3], r[0]))
    counter: dict[int, int] = {}
    out = []
    for person, rank, unit, d, valuable, pid in rows:
        counter[d.year] = counter.get(d.year, 0) + 1
        industry = INDUSTRIES[rng.integers(0, len(INDUSTRIES))]
        city = ORIGINS["长三角"][1][rng.integers(0, 5)] if rng.random() < 0.5 else "深圳"
        out.append(
            {
                "lead_id": f"XX{county.tag}{d.year}{counter[d.year]:04d}",
                "person": person,
                "rank": rank,
                "unit": unit,
                "reported_date": d,
                "description": f"{city}某企业拟投资{industry}项目",
                "valuable": bool(valuable),
                "project_id": pid,
            }
        )
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- synthetic township boundaries

SYNTHETIC_NOTE = (
    "合成数据：演示县的虚构镇街边界，不是真实行政界线 / synthetic: made-up boundaries of the demo county, not real ones"
)


def make_boundaries(county: County, seed: int = 2012, detail: float = 0.008, check: bool = True) -> dict:
    """The demo county's township boundaries as a GeoJSON FeatureCollection (CGCS2000 degrees, EPSG:4490).

    Synthetic and said so in every feature: a wavy county outline around CENTRE is cut into one Voronoi cell
    per township (seed points spread by a few Lloyd steps, 城关街道 at the centre, 东城街道 east of it), then
    every vertex is moved by one smooth noise field, so shared borders wiggle like real ones yet stay shared:
    the shapes are contiguous and do not overlap. Deterministic for a seed. ``detail``: the longest segment
    in degrees; below 0.002 a finer wiggle is added too, like a surveyed border (the benchmark's big file).
    ``check``: assert the shapes form a valid coverage (holds for the demo county's seat; at other seats the
    6-decimal rounding can leave slivers, so a province's counties use the shapes only to place their parks).
    """
    import shapely
    from shapely.geometry import Point, Polygon, mapping

    rng = np.random.default_rng([seed, 99])
    cx, cy = county.centre
    k = np.cos(np.radians(cy))  # degrees of longitude per degree of latitude on the ground
    phase = rng.uniform(0, 2 * np.pi, 3)
    theta = np.linspace(0, 2 * np.pi, 97)[:-1]
    r = 0.25 * (1 + 0.16 * np.sin(3 * theta + phase[0]) + 0.07 * np.sin(5 * theta + phase[1]))
    outline = Polygon(np.c_[cx + r * np.cos(theta) / k, cy + 0.92 * r * np.sin(theta)])
    n = len(county.townships)
    x0, y0, x1, y1 = outline.bounds
    pts = [(cx, cy), (cx + 0.07 / k, cy + 0.01)]
    while len(pts) < n:
        p = (rng.uniform(x0, x1), rng.uniform(y0, y1))
        if outline.contains(Point(p)) and min(np.hypot((p[0] - q[0]) * k, p[1] - q[1]) for q in pts) > 0.06:
            pts.append(p)
    for _ in range(3):  # Lloyd steps, the two city subdistricts pinned
        cells = _cells(pts, outline)
        pts = pts[:2] + [(c.centroid.x, c.centroid.y) for c in cells[2:]]
    cells = _cells(pts, outline)
    amp, waves = 0.006, rng.uniform(0, 2 * np.pi, 4)

    def wiggle(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0], xy[:, 1]
        dx = amp * (np.sin(x * 61 + waves[0]) + 0.5 * np.sin(y * 137 + waves[1]))
        dy = amp * (np.sin(y * 67 + waves[2]) + 0.5 * np.sin(x * 149 + waves[3]))
        if detail < 0.002:  # rivers and ridges: a few hundred metres of wavelength
            dx, dy = dx + 0.0004 * np.sin(y * 800 + x * 500), dy + 0.0004 * np.sin(x * 700 - y * 600)
        return np.round(np.c_[x + dx, y + dy], 6)

    features = []
    for i, (town, cell) in enumerate(zip(county.townships, cells, strict=True)):
        shape = shapely.transform(shapely.segmentize(cell, detail), wiggle)
        props = {"XZQDM": f"{county.code}{100 + i:03d}000", "XZQMC": town, "note": SYNTHETIC_NOTE}
        features.append({"type": "Feature", "properties": props, "geometry": mapping(shape)})
    assert not check or shapely.coverage_is_valid([shapely.geometry.shape(f["geometry"]) for f in features])
    return {
        "type": "FeatureCollection",
        "name": "演示县镇街边界（合成数据）demo county township boundaries (synthetic)",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}},
        "description": SYNTHETIC_NOTE,
        "features": features,
    }


def _cells(pts: list[tuple[float, float]], outline) -> list:
    """The Voronoi cell of each point (in the points' order), clipped to the outline."""
    import shapely
    from shapely.geometry import MultiPoint, Point

    cells = shapely.voronoi_polygons(MultiPoint(pts), extend_to=outline.buffer(0.2)).geoms
    by_point = []
    for p in pts:
        cell = next(c for c in cells if c.covers(Point(p)))
        by_point.append(shapely.set_precision(cell.intersection(outline), 1e-6))
    return by_point
