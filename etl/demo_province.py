"""A demo province: many demo counties written county by county into one set of upload files (streaming).

Each county is made by the demo county's own generators (etl/demo_county.py, etl/demo_people.py) with its
own random stream (seed, county), its own 6-digit division code (53CCNN: townships' 12-digit codes under it,
the local returnees' ID region), its own township and park names and an id tag (its number) inside project,
lead, class and venture ids, so the whole province's keys are distinct. Files are written as each county is
made (etl.demo.ArrowCsv, FrameCsv, FrameXlsx with constant_memory): memory holds one county at a time, a
10M-returnee province never holds more than its largest county's returnees.
"""

from __future__ import annotations

import unicodedata
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from etl.contracts import DATASETS, LOAD_ORDER
from etl.demo_county import DEPARTMENTS, PARKS, County, make_county, make_leads, make_parks, make_projects, make_units
from etl.demo_people import make_labor, make_training, make_ventures, returnee_chunk
from etl.demo_profiles import Profile

# Two-character stems of the made-up names: counties from one set, townships from another; every stem is
# used once in the province, so names (and their stems, which the registry's alias matching sees) are unique.
COUNTY_CHARS = "安宝昌川大德丰福富广贵海和华怀惠吉嘉江金靖康乐临隆宁平普庆仁瑞盛顺泰通桐万文武祥兴永玉元正"
TOWN_CHARS = "白柏碧苍岑茶辰澄崇春翠丹道定洞峨凤阜甘岗高鹤衡红洪湖虎黄汇佳涧蛟金锦井九莒兰朗梨莲良林柳龙芦鹿罗麻梅"
CITY_CODE = "53"  # the made-up province's code (OTHER_REGIONS of etl.demo_people are outside it)


def _stems(chars: str, n: int, salt: int) -> list[str]:
    """n distinct two-character stems from chars (no doubled character), in a fixed shuffled order."""
    pairs = [a + b for a in chars for b in chars if a != b]
    if n > len(pairs):
        raise ValueError(f"only {len(pairs)} names")
    order = np.random.default_rng([2012, salt]).permutation(len(pairs))[:n]
    return [pairs[i] for i in order]


def county_names(n: int) -> list[str]:
    """The province's county names (…县), fixed for n."""
    return [s + "县" for s in _stems(COUNTY_CHARS, n, 1)]


def township_names(counties: int, per_county: int) -> list[tuple[str, ...]]:
    """Each county's township names: the first two 街道 (the county seat, like 城关街道 and 东城街道 of the
    demo), then 镇 and about one in five 乡."""
    stems = _stems(TOWN_CHARS, counties * per_county, 2)
    out = []
    for c in range(counties):
        mine = stems[c * per_county : (c + 1) * per_county]
        out.append(tuple(s + ("街道" if i < 2 else "乡" if i % 5 == 4 else "镇") for i, s in enumerate(mine)))
    return out


def county_code(c: int) -> str:
    """6-digit division code of county number c (0-based): 53, a city 01–, a county 21–30."""
    return f"{CITY_CODE}{c // 10 + 1:02d}{c % 10 + 21:02d}"


def make_province_county(rng: np.random.Generator, profile: Profile, c: int, towns: tuple[str, ...]) -> County:
    """County number c: its townships, its parks (the first kinds of PARKS, named after the county), staff,
    code, tag and seat (on a 10-wide grid of about 70 × 65 km cells)."""
    name = county_names(profile.counties)[c]
    kinds = tuple(PARKS)[: profile.parks_of(c)]
    return make_county(
        rng,
        townships=towns,
        parks=tuple(name[:2] + k for k in kinds),
        kinds=kinds,
        code=county_code(c),
        name=name,
        tag=f"{c + 1:03d}",
        centre=(100.0 + 0.75 * (c % 10), 24.0 + 0.6 * (c // 10)),
    )


def generate(out_dir: Path, profile: Profile, *, seed: int, as_of: date, years: list[int]) -> list[Path]:
    """Write the province's upload files except the targets into out_dir, county by county; return their
    paths in LOAD_ORDER (the names and formats of etl.demo.FORMATS)."""
    from etl import demo

    first = date(years[0], 1, 1)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = [n for n in LOAD_ORDER if n != "targets"]
    paths = {n: demo._path(out_dir, n) for n in names}
    towns = township_names(profile.counties, profile.townships)
    pscale, vscale = profile.project_scale(years, as_of), profile.venture_scale(years, as_of)
    per_county = np.diff(np.linspace(0, profile.returnees, profile.counties + 1).round().astype(np.int64))
    with ExitStack() as stack:
        out = {n: stack.enter_context(_writer(paths[n], n, as_of, years, seed)) for n in names}
        others = 0  # returnees with an ID from outside the province so far: their IDs continue the count
        for c in range(profile.counties):
            rng = np.random.default_rng([seed, c])
            county = make_province_county(rng, profile, c, towns[c])
            out["units"].write(make_units(county, years, seed))
            projects, funding = make_projects(rng, county, years, as_of, pscale)
            out["projects"].write(projects)
            out["funding"].write(funding)
            out["parks"].write(make_parks(rng, first, as_of, county))
            out["leads"].write(make_leads(rng, county, projects, years, as_of, pscale))
            n = int(per_county[c])
            spike = min(2, len(years) - 1)
            table, n_local = returnee_chunk(
                rng, n, years, as_of, county.townships, spike, (0, others), seed, county.code
            )
            others += n - n_local
            out["returnees"].write(table)
            people = table.select(["id_number", "township", "return_date", "status", "status_date"]).to_pandas()
            del table
            people["id_ascii"] = [unicodedata.normalize("NFKC", v) for v in people["id_number"]]
            out["training"].write(make_training(rng, people, years, as_of, profile.training_share, county.tag))
            out["ventures"].write(make_ventures(rng, people, county.townships, years, as_of, vscale, county.tag))
            out["labor"].write(make_labor(rng, county.townships, first, as_of))
        out["units"].write(_departments())
    return [paths[n] for n in names]


def _departments() -> pd.DataFrame:
    """The departments, registered once for the province (every county's staff work for them)."""
    cols = ["name", "type", "code", "parent", "aliases", "first_year", "last_year", "lon", "lat"]
    rows = [(d, "部门", None, "全县", None, None, None, None, None) for d in DEPARTMENTS]
    return pd.DataFrame(rows, columns=cols).astype({"first_year": "Int64", "last_year": "Int64"})


def _writer(path: Path, name: str, as_of: date, years: list[int], seed: int):
    """The streaming writer of one file, in the format etl.demo.FORMATS gives the dataset."""
    from etl import demo

    ext, encoding, titled = demo.FORMATS[name]
    if name == "returnees":
        return demo.ArrowCsv(path, encoding or "utf-8")
    if ext == "csv":
        return demo.FrameCsv(path, DATASETS[name], encoding or "utf-8")
    title = demo.TITLES[name].format(y=as_of.year, y0=years[0]) if titled else None
    fancy = np.random.default_rng([seed, LOAD_ORDER.index(name)]) if name == "projects" else None
    return demo.FrameXlsx(path, DATASETS[name], title, fancy, constant_memory=True)
