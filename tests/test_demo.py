"""Demo county generator: deterministic, clerk-style files that are valid and tell the intended story."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from etl import check, demo, store, warehouse
from etl.contracts import DATASETS, LOAD_ORDER, PROJECT_STATUSES, STAGE_DATES, STATUS_REQUIRED_DATES, TARGET_METRICS
from etl.demo_county import PARKS, TOWNSHIPS
from etl.demo_people import iter_returnees
from etl.pseudonym import check_ids, load_key

AS_OF = date(2026, 11, 27)
YEARS = list(range(2022, 2027))
PACE = ((AS_OF - date(2026, 1, 1)).days + 1) / 365


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, list[Path], list[tuple[str, object, object]]]:
    """The demo county built into a warehouse through the real load path. Before each load, the file is
    checked exactly as ``python -m etl validate`` checks it: (name, check verdict, load result) per file."""
    out = tmp_path_factory.mktemp("demo")
    mp = pytest.MonkeyPatch()
    mp.setenv("DASHBOARD_PSEUDONYM_KEY", str(out / "pseudonym.key"))
    db = out / "warehouse.duckdb"
    verdicts: list[tuple[str, object, object]] = []

    def load(path: Path):
        checked = check.check(path.read_bytes(), path.name, check.read_context(db), key=load_key())
        res = warehouse.load_file(db, path, user="demo")
        verdicts.append((path.stem.split("_", 1)[1], checked, res))
        return res

    try:
        paths = demo.build(db, out / "files", as_of=AS_OF, returnees=800, load=load)
    finally:
        mp.undo()
    return db, paths, verdicts


@pytest.fixture(scope="module")
def files(built) -> dict[str, Path]:
    return {p.stem.split("_", 1)[1]: p for p in built[1]}


def _read(path: Path, name: str) -> pd.DataFrame:
    """The file as text cells (XLSX: native values) with contract column names."""
    zh = {c.zh: c.name for c in DATASETS[name].columns}
    ext, encoding, titled = demo.FORMATS[name]
    if ext == "csv":
        df = pd.read_csv(path, dtype=str, encoding=encoding, keep_default_na=False)
    else:
        rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
        rows = rows[1:] if titled else rows
        df = pd.DataFrame(rows[1:], columns=rows[0], dtype=object)
    return df.rename(columns=zh)


@pytest.fixture(scope="module")
def frames(files) -> dict[str, pd.DataFrame]:
    return {name: _read(p, name) for name, p in files.items()}


def _date(v: object) -> date | None:
    if v is None or v == "":
        return None
    if isinstance(v, datetime):
        return v.date()
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", v) or re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", v)
    assert m, v
    return date(*map(int, m.groups()))


def _amount(v: object) -> float:
    """万元 from a number or a clerk text like 2.5亿 / 3000万元."""
    if isinstance(v, int | float):
        return float(v)
    return float(v[:-1]) * 10_000 if v.endswith("亿") else float(v.removesuffix("万元"))


def _projects(frames) -> pd.DataFrame:
    pj = frames["projects"].copy()
    for c in STAGE_DATES:
        pj[c] = pj[c].map(_date)
    pj["total"] = pj["total_investment"].map(_amount)
    pj["contract"] = [
        _amount(c) if c is not None else t for c, t in zip(pj["contract_investment"], pj["total"], strict=True)
    ]
    return pj


def test_files_come_in_load_order_with_their_formats(files):
    assert list(files) == [n for n in LOAD_ORDER if n != "targets"] + ["targets"]  # targets sized from the rest
    for name, path in files.items():
        ext, encoding, _ = demo.FORMATS[name]
        data = path.read_bytes()
        assert path.suffix == f".{ext}"
        if ext == "xlsx":
            assert data[:2] == b"PK"
            continue
        assert data.startswith(demo.BOM) is (encoding == "utf-8-sig"), name
        data.decode(encoding)  # strict
        if encoding == "gbk":
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")


def test_same_arguments_give_identical_bytes_and_another_seed_differs(tmp_path):
    kw = {"as_of": date(2025, 3, 9), "returnees": 300, "scale": 0.3}
    a = demo.generate(tmp_path / "a", **kw)
    b = demo.generate(tmp_path / "b", **kw)
    c = demo.generate(tmp_path / "c", seed=7, **kw)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert a[1].read_bytes() != c[1].read_bytes()  # the projects (the unit registry is fixed)


@pytest.mark.parametrize("name", LOAD_ORDER)
def test_headers_are_contract_headers_with_required_columns(files, name):
    if demo.FORMATS[name][2]:  # XLSX with a title row above the header
        rows = list(openpyxl.load_workbook(files[name], read_only=True).active.iter_rows(values_only=True))
        assert re.fullmatch(r"\d{4}(—\d{4})?年.+表", rows[0][0]) and not any(rows[0][1:])
    df = _read(files[name], name)
    names = {c.name for c in DATASETS[name].columns}
    assert set(df.columns) <= names
    assert {c.name for c in DATASETS[name].columns if c.required} <= set(df.columns)
    assert len(df) > 0 and not df.isna().all(axis=1).any()


def test_returnee_ids_are_valid_unique_and_join_training_and_ventures(frames):
    ret = frames["returnees"]
    ids = ret["id_number"].map(lambda s: unicodedata.normalize("NFKC", s))
    assert (ids != ret["id_number"]).any()  # a few full-width IDs, as clerks type them
    checked = check_ids(ids)
    assert checked["ok"].all() and ids.is_unique
    assert (checked["gender"] == ret["gender"]).all()
    assert checked["birth_year"].between(1965, 2005).all()
    for name in ("training", "ventures"):
        linked = frames[name]["id_number"].replace("", None).dropna()
        assert len(linked) > 0 and set(linked) <= set(ids), name


def test_returnee_story_spring_festival_spike_and_placement(frames):
    ret = frames["returnees"]
    back = pd.to_datetime(ret["return_date"])
    assert (ret["status_date"] >= ret["return_date"]).all()
    per_year = back.dt.year.value_counts()
    assert per_year.idxmax() == YEARS[2] and per_year.max() > 1.5 * per_year.drop(YEARS[2]).max()
    assert back.dt.month.isin([1, 2]).mean() > 0.4
    placed = ret["status"].isin(["县内就业", "县外就业", "自主创业"]).mean()
    assert 0.6 <= placed <= 0.75


def test_project_stage_dates_are_ordered_and_match_status(frames):
    pj = _projects(frames)
    assert set(pj["status"]) <= set(PROJECT_STATUSES)
    for row in pj.itertuples():
        dates = [getattr(row, c) for c in STAGE_DATES]
        for c in STATUS_REQUIRED_DATES.get(row.status, ()):
            assert getattr(row, c) is not None, (row.project_id, c)
        filled = [d for d in dates if d is not None]
        assert filled == sorted(filled) and all(d <= AS_OF for d in filled), row.project_id
    raw = frames["projects"]
    assert raw["signed_date"].map(lambda v: isinstance(v, str)).any()  # text dates like 2024年3月5日
    assert raw["total_investment"].map(lambda v: isinstance(v, str)).any()  # amounts like 2.5亿


def test_project_magnitudes_follow_the_seeds(frames):
    pj = _projects(frames)
    signed = pj[pj["signed_date"].notna()]
    year = signed["signed_date"].map(lambda d: d.year)
    full_years = signed[year.isin(YEARS[:-1])]
    per_year = full_years.groupby(year)["contract"].sum() / 10_000
    assert per_year.between(60, 100).all(), per_year
    assert (full_years.groupby(year).size().between(100, 140)).all()
    assert (pj["total"] >= 100_000).sum() >= 1 and (pj["total"] >= 10_000).sum() >= 50
    fu = frames["funding"]
    funds = fu.groupby(fu["period"].str[:4])["funds_in_place"].apply(lambda s: s.astype(float).sum() / 10_000)
    assert funds.loc[[str(y) for y in YEARS[:-1]]].between(30, 55).all(), funds


def test_stalled_projects_exist_by_each_rule(frames):
    pj = _projects(frames)
    fu = frames["funding"]
    assert (pj["status"] == "停滞").any()
    never_started = (pj["status"] == "签约") & pj["started_date"].isna()
    assert (never_started & (pj["signed_date"] < AS_OF - timedelta(days=180))).any()
    last_funds = fu.groupby("project_id")["period"].max()
    started = pj[(pj["status"] == "开工")]
    assert (started["project_id"].map(last_funds).fillna("0000-00") < "2026-06").any()
    assert (started["project_id"].map(last_funds) >= "2026-10").any()  # and most are still being funded


def test_funding_rows_are_consistent(frames):
    fu = frames["funding"]
    pj = frames["projects"]
    assert set(fu["project_id"]) <= set(pj["project_id"])
    oop = fu["out_of_province"].replace("", None).dropna()
    assert (oop.astype(float) <= fu.loc[oop.index, "funds_in_place"].astype(float)).all()
    assert not fu.duplicated(["project_id", "period"]).any()
    assert fu["period"].min() >= "2022-01" and fu["period"].max() <= "2026-11"


def test_labor_rows_cover_every_township_month_and_organised_within_total(frames):
    la = frames["labor"]
    assert (la["export_organized"].astype(int) <= la["export_total"].astype(int)).all()
    assert len(la) == 18 * (4 * 12 + 11) and not la.duplicated(["township", "period"]).any()
    assert la["period"].str.fullmatch(r"\d{4}年\d{1,2}月").all()
    assert set(la["township"]) == set(TOWNSHIPS[:18])


def test_targets_exist_for_every_unit_year_and_metric(frames):
    tg = frames["targets"]
    code = {**{zh: en for en, zh in TARGET_METRICS.items()}, **{en: en for en in TARGET_METRICS}}
    tg["metric"] = tg["metric"].map(code)
    have = set(zip(tg["year"].astype(int), tg["unit"], tg["metric"], strict=True))
    assert len(have) == len(tg) and (tg["target"].astype(float) > 0).all()
    for y in YEARS:
        assert {(y, "全县", m) for m in TARGET_METRICS} <= have
        for t in TOWNSHIPS[:18]:
            assert {(y, t, m) for m in ("contract_investment", "projects_signed", "valuable_leads", "new_jobs")} <= have
        for p in PARKS:
            assert {(y, p, m) for m in ("funds_in_place", "park_revenue", "park_output", "park_tax")} <= have


def test_some_townships_are_behind_the_current_year_pace(frames):
    pj = _projects(frames)
    tg = frames["targets"]
    now = pj[pj["signed_date"].map(lambda d: d is not None and d.year == AS_OF.year)]
    actual = now.groupby("township")["contract"].sum()
    target = tg[(tg["year"].astype(int) == AS_OF.year) & (tg["metric"].isin(["合同引资", "contract_investment"]))]
    target = target[target["unit"].isin(TOWNSHIPS)].set_index("unit")["target"].astype(float)
    rate = actual.reindex(target.index, fill_value=0) / target
    assert (rate < PACE).sum() >= 2 and (rate >= PACE).sum() >= 2
    assert (rate < 0.65 * PACE).sum() >= 2  # clearly lagging, not just noise


def test_training_classes_and_subsidy(frames):
    tr = frames["training"]
    sizes = tr.groupby("class_id").size()
    assert sizes.max() <= 60 and (sizes >= 20).mean() > 0.8
    assert tr["class_id"].str.fullmatch(r"PX\d{4}-\d{2}-\d{2}").all()
    ended = tr[tr["end_date"] != ""]
    assert (ended["end_date"] >= ended["start_date"]).all()
    days = (pd.to_datetime(ended["end_date"]) - pd.to_datetime(ended["start_date"])).dt.days + 1
    assert (ended["subsidy"].astype(float) == days * 40 + (ended["certified"] == "是") * 200).all()
    assert 0.6 < (ended["certified"] == "是").mean() < 0.8


def _last_month(period: str) -> str:
    """'YYYY-MM' of the last month a month or a whole year (2023: December) covers."""
    parts = [int(x) for x in re.findall(r"\d+", period)]
    return f"{parts[0]}-{parts[1]:02d}" if len(parts) > 1 else f"{parts[0]}-12"


def test_nothing_is_dated_after_as_of(frames):
    limit_month = f"{AS_OF:%Y-%m}"
    for name, df in frames.items():
        for c in DATASETS[name].columns:
            if c.name not in df or c.kind not in ("date", "month", "period"):
                continue
            values = df[c.name].replace("", None).dropna()
            if c.kind == "date":
                assert values.map(_date).max() <= AS_OF, (name, c.name)
            else:
                months = values.map(_last_month)
                assert months.max() <= limit_month, (name, c.name)


def test_validate_gives_the_load_verdict_on_every_demo_file(built):
    """``validate`` and ``load`` read and check along one path: every demo file is checked clean against
    the warehouse as it stands before its load, and then loads in full."""
    _, _, verdicts = built
    assert [name for name, _, _ in verdicts] == [n for n in LOAD_ORDER if n != "targets"] + ["targets"]
    for name, checked, res in verdicts:
        assert checked.dataset.name == name
        assert (checked.status, len(checked.errors), checked.rows_bad) == ("ok", 0, 0), name
        assert (res.status, res.rows_loaded) == ("loaded", checked.rows_read), name


def test_returnee_ids_stay_unique_across_chunks():
    tables = list(iter_returnees(3_000, 5, YEARS, AS_OF, chunk=1_000))
    ids = pd.concat([t.column("id_number").to_pandas() for t in tables])
    assert len(tables) == 3 and ids.is_unique
    assert check_ids(ids.map(lambda s: unicodedata.normalize("NFKC", s)))["ok"].all()


def test_write_returnees_csv_and_xlsx_for_benchmarks(tmp_path):
    gbk = demo.write_returnees_csv(tmp_path / "r.csv", 500, encoding="gbk", as_of=AS_OF)
    df = pd.read_csv(gbk, dtype=str, encoding="gbk")
    assert len(df) == 500 and list(df.columns)[0] == DATASETS["returnees"].columns[0].zh
    bom = demo.write_returnees_csv(tmp_path / "r8.csv", 500, as_of=AS_OF)
    assert bom.read_bytes().startswith(demo.BOM)
    assert pd.read_csv(bom, dtype=str, encoding="utf-8-sig").equals(df)
    xlsx = demo.write_returnees_xlsx(tmp_path / "r.xlsx", 300, as_of=AS_OF)
    rows = list(openpyxl.load_workbook(xlsx, read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == 301 and all(isinstance(r[0], str) and len(r[0]) == 18 for r in rows[1:])


def test_demo_targets_agree_with_the_warehouse_definition_of_actuals(demo_db):
    """The generator sizes targets from its own tally of actuals; loaded, the warehouse (v_target_progress)
    must put complete years at 40–125 % (lagging townships 40–60 %), so the two tallies cannot drift apart."""

    r = store.Reader(demo_db)
    try:
        rates = (
            r.cursor()
            .execute(
                "SELECT completion_rate FROM v_target_progress WHERE actual > 0 AND year < 2026"
                " AND NOT (target IN (1, 100) AND actual < target)"  # the generator's minimum target (1 / 100万)
            )
            .fetchall()
        )
    finally:
        r.close()
    rates = [x for (x,) in rates]
    assert len(rates) > 500
    assert min(rates) >= 0.35 and max(rates) <= 1.3
    assert sum(0.85 <= x <= 1.2 for x in rates) / len(rates) > 0.75
