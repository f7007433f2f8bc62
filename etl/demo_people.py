"""Demo county people: returnees (vectorised, any size), training classes, ventures and monthly labour."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.contracts import COURSE_TYPES, RETURNEE_INTENTS, RETURNEE_STATUSES
from etl.demo_county import BRANDS, GIVEN, INDUSTRIES, SURNAMES, TOWNSHIPS, months

# Chinese New Year (Spring Festival) dates: returnees come home just before it.
_CNY = {
    2015: (2, 19), 2016: (2, 8), 2017: (1, 28), 2018: (2, 16), 2019: (2, 5), 2020: (1, 25), 2021: (2, 12),
    2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26),
    2029: (2, 13), 2030: (2, 3), 2031: (1, 23), 2032: (2, 11), 2033: (1, 31), 2034: (2, 19), 2035: (2, 8),
}  # fmt: skip
_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
COUNTY_REGION = "610328"
OTHER_REGIONS = ("610321", "610322", "610302", "620521", "411381", "510722")
PRIOR_REGIONS = ("长三角", "珠三角", "京津冀", "环渤海", "省内其他市", "西部其他省")
PRIOR_INDUSTRIES = ("建筑业", "制造业", "餐饮服务", "物流运输", "家政服务", "批发零售", "电子装配")
EDUCATION = ("小学", "初中", "高中", "中专", "大专及以上")
SKILLS = ("电焊", "木工", "瓦工", "驾驶", "厨师", "电工", "缝纫", "无")
VILLAGE_WORDS = tuple("东坡 王庄 李家湾 石桥 柳树沟 杨家坪 枣园 河湾 新庄 前进 红星 高家堡 马家河 白杨 上坝 "
                      "下营 中心 花园 双塔 南街 北关 西岭 水磨 槐树".split())  # fmt: skip
COURSES = ("电焊工", "钢筋工", "家政服务", "电脑操作", "特色小吃", "电工", "缝纫")
PROVIDERS = ("县职业技术学校", "县就业培训中心", "阳光培训学校", "巾帼家政培训中心")
STATUS_P = (0.15, 0.36, 0.17, 0.12, 0.12, 0.08)  # placement (县内/县外就业, 自主创业) ≈ 65 %
CHUNK = 1_000_000


def cny(year: int) -> date:
    """Spring Festival date of a year (1 February outside the table)."""
    return date(year, *_CNY.get(year, (2, 1)))


def villages(townships: tuple[str, ...]) -> np.ndarray:
    """Eight village names per township, shape (len(townships), 8)."""
    out = [
        [VILLAGE_WORDS[(t * 5 + k) % len(VILLAGE_WORDS)] + ("社区" if "街道" in name else "村") for k in range(8)]
        for t, name in enumerate(townships)
    ]
    return np.array(out)


def _fixed(mat: np.ndarray) -> pa.Array:
    """A string array from an (n, width) uint8 matrix of ASCII codes, one row per string."""
    n, w = mat.shape
    offsets = np.arange(n + 1, dtype=np.int32) * w
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(mat.tobytes())])


def _fullwidth(raw: np.ndarray, mask: np.ndarray) -> pa.Array:
    """Full-width form (NFKC folds it back) of the masked rows of an ASCII matrix; other rows empty."""
    sub = raw[mask]
    m, w = sub.shape
    wide = np.empty((m, w, 3), dtype=np.uint8)
    wide[:, :, 0], wide[:, :, 1] = 0xEF, 0xBC
    wide[:, :, 2] = np.where(sub == ord("X"), 0xB8, sub - 48 + 0x90)
    lengths = np.where(mask, 3 * w, 0).astype(np.int32)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    return pa.Array.from_buffers(pa.string(), len(mask), [None, pa.py_buffer(offsets), pa.py_buffer(wide.tobytes())])


def _affine(k: np.ndarray, m: int, salt: int) -> np.ndarray:
    """A permutation of 0..m-1 applied to k (k < m): distinct k give distinct results."""
    a = 2_654_435_761  # prime > m, so coprime to m
    return (a * k + (salt * 7_919) % m) % m


def id_digits(
    rng: np.random.Generator, n: int, start: tuple[int, int], seed: int, region: str = COUNTY_REGION
) -> tuple[np.ndarray, int]:
    """(n, 18) uint8 ASCII matrix of distinct valid GB 11643 IDs born 1965–2005, and how many are local.

    ~80 % carry the county's region code (``region``; OTHER_REGIONS must not contain it). Uniqueness: the k-th local (other) person of the whole file gets
    combination number perm(k) of (birth day, sequence) [× other region]; ``start`` counts earlier chunks.
    """
    lo = np.datetime64("1965-01-01")
    n_days = int((np.datetime64("2005-12-31") - lo).astype(int)) + 1
    local = rng.random(n) < 0.8
    k = np.empty(n, np.int64)
    k[local] = start[0] + np.arange(local.sum())
    k[~local] = start[1] + np.arange((~local).sum())
    others = len(OTHER_REGIONS)
    v = np.where(local, _affine(k, n_days * 1000, seed), _affine(k, n_days * 1000 * others, seed))
    region_i = np.where(local, 0, 1 + v // (n_days * 1000))
    v = v % (n_days * 1000)
    born, seq = lo + v // 1000, v % 1000
    regions = np.array([[int(c) for c in r] for r in (region, *OTHER_REGIONS)], dtype=np.uint8)
    y = born.astype("datetime64[Y]").astype(np.int64) + 1970
    month_start = born.astype("datetime64[M]")
    mo = month_start.astype(np.int64) % 12 + 1
    dd = (born - month_start).astype(np.int64) + 1
    out = np.empty((n, 18), dtype=np.uint8)
    out[:, :6] = regions[region_i]
    for j, col in enumerate((y // 1000, y // 100 % 10, y // 10 % 10, y % 10, mo // 10, mo % 10, dd // 10, dd % 10)):
        out[:, 6 + j] = col
    out[:, 14], out[:, 15], out[:, 16] = seq // 100, seq // 10 % 10, seq % 10
    total = np.zeros(n, np.int64)
    for j in range(17):
        total += out[:, j] * _WEIGHTS[j]
    out[:, 17] = _CHECK[total % 11]
    out[:, :17] += 48
    return out, int(local.sum())


def _take(values, idx: np.ndarray) -> pa.Array:
    """values[idx] as an Arrow string array (no per-row Python objects)."""
    return pa.array(list(values), pa.string()).take(pa.array(idx))


def _choice(rng: np.random.Generator, values: tuple[str, ...], n: int, p=None) -> pa.Array:
    return _take(values, rng.choice(len(values), n, p=p))


def returnee_chunk(
    rng: np.random.Generator,
    n: int,
    years: list[int],
    as_of: date,
    townships: tuple[str, ...],
    spike: int,
    start: tuple[int, int] = (0, 0),
    seed: int = 0,
    region: str = COUNTY_REGION,
) -> tuple[pa.Table, int]:
    """n returnees (one row per person, contract column names), fully vectorised; local IDs carry ``region``.

    return_date: a yearly spike in the weeks before the Spring Festival, and year ``spike`` (an index into
    years) has about twice as many returnees; status_date ≥ return_date; nothing after as_of.
    """
    spans = np.array([(min(date(y, 12, 31), as_of) - date(y, 1, 1)).days + 1 for y in years])
    w = spans / 365.0
    w[spike] *= 2.2
    yi = rng.choice(len(years), n, p=w / w.sum())
    jan1 = np.array([np.datetime64(date(y, 1, 1)) for y in years])[yi]
    cny_doy = np.array([(cny(y) - date(y, 1, 1)).days for y in years])[yi]
    off = np.where(rng.random(n) < 0.6, cny_doy + np.rint(rng.normal(-8, 12, n)).astype(np.int64), -1)
    bad = (off < 0) | (off >= spans[yi])
    off = np.where(bad, (rng.random(n) * spans[yi]).astype(np.int64), off)
    ret = jan1 + off
    last = np.datetime64(as_of)
    sdate = ret + np.minimum(rng.exponential(75, n).astype(np.int64), (last - ret).astype(np.int64))
    raw, n_local = id_digits(rng, n, start, seed, region)
    male = raw[:, 16] % 2 == 1
    wide = rng.random(n) < 0.003
    ids = pc.if_else(pa.array(wide), _fullwidth(raw, wide), _fixed(raw))
    ti = rng.choice(len(townships), n, p=_town_weights(len(townships)))
    vil = _take(villages(townships).ravel(), ti * 8 + rng.integers(0, 8, n))
    status_i = rng.choice(len(RETURNEE_STATUSES), n, p=STATUS_P)
    intent_i = rng.choice(len(RETURNEE_INTENTS), n, p=(0.45, 0.15, 0.15, 0.1, 0.15))
    intent_i = np.where((status_i == RETURNEE_STATUSES.index("自主创业")) & (rng.random(n) < 0.7), 1, intent_i)
    phone = np.concatenate(
        [
            np.full((n, 1), ord("1"), np.uint8),
            np.frombuffer(b"35789", np.uint8)[rng.integers(0, 5, n)][:, None],
            rng.integers(48, 58, (n, 9), dtype=np.uint8),
        ],
        axis=1,
    )
    given2 = _take(GIVEN + ("",), np.minimum(rng.integers(0, len(GIVEN) + 25, n), len(GIVEN)))
    name = pc.binary_join_element_wise(_choice(rng, SURNAMES, n), _choice(rng, GIVEN, n), given2, "")
    table = pa.table(
        {
            "id_number": ids,
            "name": name,
            "gender": _take(("女", "男"), male.astype(np.int64)),
            "township": _take(townships, ti),
            "village": vil,
            "return_date": pa.array(ret.astype("datetime64[D]")),
            "prior_region": _choice(rng, PRIOR_REGIONS, n, (0.3, 0.3, 0.12, 0.08, 0.15, 0.05)),
            "prior_industry": _choice(rng, PRIOR_INDUSTRIES, n),
            "education": _choice(rng, EDUCATION, n, (0.12, 0.45, 0.2, 0.13, 0.1)),
            "skill": _choice(rng, SKILLS, n),
            "intent": _take(RETURNEE_INTENTS, intent_i),
            "status": _take(RETURNEE_STATUSES, status_i),
            "status_date": pa.array(sdate.astype("datetime64[D]")),
            "phone": _fixed(phone),
        }
    )
    return table, n_local


def _town_weights(n: int) -> np.ndarray:
    w = 1.0 + 0.6 * np.cos(np.arange(n) * 1.7)  # fixed, uneven
    return w / w.sum()


def iter_returnees(
    n: int,
    seed: int,
    years: list[int],
    as_of: date,
    townships: tuple[str, ...] = TOWNSHIPS[:18],
    chunk: int = CHUNK,
) -> Iterator[pa.Table]:
    """Yield returnee tables of at most ``chunk`` rows; chunk i uses its own generator (seed, i); IDs are
    distinct across the whole file."""
    counts = (0, 0)
    for i, begin in enumerate(range(0, n, chunk)):
        rng = np.random.default_rng([seed, i])
        size = min(chunk, n - begin)
        table, n_local = returnee_chunk(rng, size, years, as_of, townships, min(2, len(years) - 1), counts, seed)
        counts = (counts[0] + n_local, counts[1] + size - n_local)
        yield table


def make_training(
    rng: np.random.Generator, people: pd.DataFrame, years: list[int], as_of: date, share: float = 0.3, tag: str = ""
) -> pd.DataFrame:
    """One row per trainee per class: classes of 20–60 returnees who were back before the class began; about
    ``share`` × returnees rows; ``tag`` goes into the class ids (a province's county).

    Subsidy in 元: 5元 × 8 课时 per day, +200元 when certified. Classes still running on as_of have no
    end date, certificate, job or subsidy yet.
    """
    per_year = max(2, round(len(people) * share / len(years) / 40))
    ret = people["return_date"].to_numpy()
    rows = []
    for y in years:
        span = (min(date(y, 12, 31), as_of) - date(y, 1, 1)).days + 1
        starts = sorted(date(y, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, span, per_year))
        seq: dict[int, int] = {}
        for start in starts:
            eligible = np.flatnonzero(ret <= np.datetime64(start))
            if len(eligible) < 5:
                continue
            seq[start.month] = seq.get(start.month, 0) + 1
            ctype = COURSE_TYPES[rng.choice(3, p=(0.7, 0.2, 0.1))]
            days = {"技能培训": int(rng.integers(15, 31)), "创业培训": 10, "引导性培训": 3}[ctype]
            end = start + timedelta(days=days - 1)
            end = end if end <= as_of else None
            size = min(int(rng.integers(20, 61)), len(eligible))
            course, provider = COURSES[rng.integers(0, len(COURSES))], PROVIDERS[rng.integers(0, len(PROVIDERS))]
            for i in rng.choice(eligible, size, replace=False):
                cert = bool(rng.random() < 0.7) if end else None
                job = bool(rng.random() < 0.6) if end else None
                jd = min(end + timedelta(days=int(rng.integers(5, 90))), as_of) if job else None
                rows.append(
                    {
                        "class_id": f"PX{tag}{y}-{start.month:02d}-{seq[start.month]:02d}",
                        "course": course,
                        "course_type": ctype,
                        "provider": provider,
                        "township": people["township"].iat[i],
                        "start_date": start,
                        "end_date": end,
                        "id_number": people["id_ascii"].iat[i],
                        "certified": cert,
                        "employed_after": job,
                        "employed_date": jd,
                        "subsidy": float(days * 5 * 8 + (200 if cert else 0)) if end else None,
                    }
                )
    return pd.DataFrame(rows)


def make_ventures(
    rng: np.random.Generator,
    people: pd.DataFrame,
    townships: tuple[str, ...],
    years: list[int],
    as_of: date,
    scale: float,
    tag: str = "",
) -> pd.DataFrame:
    """One row per venture (money in 万元): 能人创办企业 ~85/yr, 家庭创业 ~250/yr, 返乡创业 ~200/yr (× scale);
    most 返乡创业 are linked to a self-employed returnee by ID number and start on their status date."""
    kinds = {"能人创办企业": (85, 300.0, 8, 60), "家庭创业": (250, 8.0, 2, 5), "返乡创业": (200, 30.0, 2, 8)}
    self_emp = people[people["status"] == "自主创业"]
    used: set[int] = set()
    rows = []
    for y in years:
        span = (min(date(y, 12, 31), as_of) - date(y, 1, 1)).days + 1
        pool = [i for i, d in zip(self_emp.index, self_emp["status_date"], strict=True) if d.year == y]
        for kind, (per_year, median, jmin, jmax) in kinds.items():
            for _ in range(max(1, round(rng.normal(per_year, per_year * 0.05) * scale * span / 365))):
                pid, town = None, townships[rng.integers(0, len(townships))]
                start = date(y, 1, 1) + timedelta(days=int(rng.integers(0, span)))
                if kind == "返乡创业" and pool and rng.random() < 0.7:
                    i = pool.pop()
                    used.add(i)
                    pid, town, start = people.at[i, "id_ascii"], people.at[i, "township"], people.at[i, "status_date"]
                loan = float(rng.choice((5, 10, 20, 30, 50))) if kind != "能人创办企业" and rng.random() < 0.3 else None
                industry = INDUSTRIES[rng.integers(0, len(INDUSTRIES))]
                suffix = {"能人创办企业": "有限公司", "家庭创业": "农家乐", "返乡创业": "专业合作社"}[kind]
                rows.append(
                    {
                        "venture_type": kind,
                        "name": f"{town[:2]}{BRANDS[rng.integers(0, len(BRANDS))]}{suffix}",
                        "id_number": pid,
                        "township": town,
                        "industry": industry,
                        "start_date": start,
                        "investment": round(float(np.exp(rng.normal(np.log(median), 0.7))), 2),
                        "jobs": int(rng.integers(jmin, jmax + 1)),
                        "loan": loan,
                        "loan_subsidy": round(loan * rng.uniform(0.04, 0.1), 2) if loan else None,
                        "tax_relief": round(float(rng.uniform(0.2, 5)), 2) if rng.random() < 0.4 else None,
                    }
                )
    df = pd.DataFrame(rows).sort_values(["start_date", "venture_type"], kind="stable", ignore_index=True)
    year = df["start_date"].map(lambda d: d.year)
    df.insert(
        0, "venture_id", [f"CY{tag}{y}-{k + 1:04d}" for y, k in zip(year, df.groupby(year).cumcount(), strict=True)]
    )
    return df


def make_labor(rng: np.random.Generator, townships: tuple[str, ...], first: date, as_of: date) -> pd.DataFrame:
    """One row per township per month (人/个): county ~60,000 labour exports a year with a spike after the
    Spring Festival (55–75 % organised), ~7,000 local transfers, ~1,000 new urban jobs, ~5,000 positions."""
    n = len(townships)
    w = _town_weights(n) * n
    urban = np.array([4.0 if "街道" in t else 0.7 for t in townships])
    org_share = rng.uniform(0.55, 0.75, n)
    rows = []
    for m in months(first, as_of):
        season = {2: 3.0, 3: 2.0}.get(m.month, 0.7)
        for t in range(n):
            export = int(rng.poisson(60_000 / 12 / 18 * w[t] * season))
            rows.append(
                {
                    "township": townships[t],
                    "period": f"{m.year}年{m.month}月",
                    "local_transfer": int(rng.poisson(7_000 / 12 / 18 * w[t])),
                    "export_total": export,
                    "export_organized": int(rng.binomial(export, org_share[t])),
                    "new_urban_jobs": int(rng.poisson(1_000 / 12 / 18 * w[t] * urban[t])),
                    "new_positions": int(rng.poisson(5_000 / 12 / 18 * w[t])),
                }
            )
    return pd.DataFrame(rows)
