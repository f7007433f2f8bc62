"""The demo province: the province profile at a small fraction has the declared shape and loads clean."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from etl import check, demo, demo_profiles, demo_province, warehouse
from etl.contracts import DATASETS, LOAD_ORDER
from etl.demo_people import iter_returnees
from etl.pseudonym import load_key

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 27)
MONTHS = 4 * 12 + 11  # January 2022 to November 2026
FRACTION = 0.0005  # 2 counties × 20 townships, 96 projects (8 a year at least), 5,000 returnees, 2,500 training rows, 500 ventures


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The province at FRACTION built through the real load path; each file checked first exactly as
    ``python -m etl validate`` checks it: (dataset, check verdict, load result) per file."""
    out = tmp_path_factory.mktemp("province")
    mp = pytest.MonkeyPatch()
    mp.setenv("DASHBOARD_PSEUDONYM_KEY", str(out / "pseudonym.key"))
    db = out / "warehouse.duckdb"
    verdicts = []

    def load(path: Path):
        checked = check.check(path.read_bytes(), path.name, check.read_context(db), key=load_key())
        res = warehouse.load_file(db, path, user="demo")
        verdicts.append((path.stem.split("_", 1)[1], checked, res))
        return res

    try:
        profile = demo_profiles.get("province", FRACTION)
        paths = demo.build(db, out / "files", as_of=AS_OF, load=load, profile=profile)
    finally:
        mp.undo()
    return db, paths, verdicts, profile


def _query(db: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).df()


def test_every_file_is_checked_clean_and_loads_in_full(built):
    _, paths, verdicts, _ = built
    assert [name for name, _, _ in verdicts] == [n for n in LOAD_ORDER if n != "targets"] + ["targets"]
    for name, checked, res in verdicts:
        assert checked.dataset.name == name
        assert (checked.status, len(checked.errors), checked.rows_bad) == ("ok", 0, 0), name
        assert (res.status, res.rows_loaded) == ("loaded", checked.rows_read), name
    assert not (paths[0].parent / demo.BOUNDARIES_FILE).exists()  # the shapes are the demo county's only


def test_the_counts_have_the_declared_shape(built):
    _, _, verdicts, profile = built
    rows = {name: res.rows_loaded for name, _, res in verdicts}
    expected = profile.expected(MONTHS)
    assert (profile.counties, profile.townships) == (2, 20)
    assert rows["returnees"] == expected["returnees"] == 5_000  # exact: split over the counties
    assert rows["labor"] == expected["labor"] == 40 * MONTHS  # one row per township-month
    assert rows["units"] == 40 + profile.parks + 6  # townships, parks, the six departments once
    for name in ("projects", "funding", "training", "ventures", "leads"):
        assert 0.75 * expected[name] <= rows[name] <= 1.25 * expected[name], (name, rows[name], expected[name])
    assert rows["parks"] >= profile.parks * MONTHS  # months, plus each food park's audited year


def test_townships_and_codes_are_unique_and_nested_in_their_county(built):
    db = built[0]
    units = _query(db, "SELECT name, type, code, parent FROM v_units")
    towns = units[units["type"] == "镇街"]
    assert len(towns) == 40 and towns["name"].is_unique and towns["code"].is_unique
    assert towns["code"].str.fullmatch(r"53\d{10}").all()
    counties = {demo_province.county_code(c): name for c, name in enumerate(demo_province.county_names(2))}
    assert set(towns["code"].str[:6]) == set(counties)
    assert (towns["parent"] == towns["code"].str[:6].map(counties)).all()
    parks = units[units["type"] == "园区"]
    assert len(parks) == 2 and set(parks["parent"]) <= set(towns["name"])


def test_ids_of_every_county_are_distinct_and_local_ids_carry_the_county_code(built):
    _, paths, _, _ = built
    files = {p.stem.split("_", 1)[1]: p for p in paths}
    ret = pd.read_csv(files["returnees"], dtype=str, encoding="utf-8-sig")
    zh = {c.name: c.zh for c in DATASETS["returnees"].columns}
    ids = ret[zh["id_number"]].str.normalize("NFKC")
    assert ids.is_unique
    for c in range(2):
        code = demo_province.county_code(c)
        mine = ret[zh["township"]].isin(demo_province.township_names(2, 20)[c])
        assert 0.7 < ids[mine].str.startswith(code).mean() < 0.9  # ~80 % local, as in the demo county
    funding = pd.read_csv(files["funding"], dtype=str, encoding="utf-8-sig")
    assert set(funding.iloc[:, 0].str[2:5]) == {"001", "002"}  # ZS<county tag><year><n>


def test_names_of_a_full_province_are_unique():
    towns = [t for county in demo_province.township_names(100, 20) for t in county]
    assert len(towns) == len(set(towns)) == 2_000 and len({t[:2] for t in towns}) == 2_000
    codes = [demo_province.county_code(c) for c in range(100)]
    assert len(set(codes)) == 100 and all(re.fullmatch(r"53\d{4}", c) for c in codes)
    assert len(set(demo_province.county_names(100))) == 100


def test_the_returnee_writer_fed_by_a_generator_writes_the_bytes_of_one_shot(tmp_path):
    """The province streams: the CSV writer takes a generator of tables, each written and dropped."""
    years = demo.demo_years(AS_OF)
    seen: list[int] = []

    def chunks():
        for t in iter_returnees(2_500, 5, years, AS_OF, chunk=1_000):
            seen.append(t.num_rows)
            yield t

    demo._write_arrow_csv(tmp_path / "streamed.csv", chunks(), "utf-8-sig")
    whole = pa.concat_tables(iter_returnees(2_500, 5, years, AS_OF, chunk=1_000))
    demo._write_arrow_csv(tmp_path / "whole.csv", [whole], "utf-8-sig")
    assert seen == [1_000, 1_000, 500]
    assert (tmp_path / "streamed.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    demo._write_arrow_csv(tmp_path / "streamed.gbk.csv", iter_returnees(2_500, 5, years, AS_OF, chunk=1_000), "gbk")
    demo._write_arrow_csv(tmp_path / "whole.gbk.csv", [whole], "gbk")
    assert (tmp_path / "streamed.gbk.csv").read_bytes() == (tmp_path / "whole.gbk.csv").read_bytes()


def test_frame_writers_in_pieces_write_the_bytes_of_one_frame(tmp_path):
    df = pd.DataFrame(
        {"township": ["甲镇", "乙镇", "丙镇"], "period": ["2024年1月"] * 3, "local_transfer": [1, 2, 3]}
        | {c: [4, 5, 6] for c in ("export_total", "export_organized", "new_urban_jobs", "new_positions")}
    )
    demo._write_csv(tmp_path / "one.csv", DATASETS["labor"], df, "gbk")
    with demo.FrameCsv(tmp_path / "two.csv", DATASETS["labor"], "gbk") as out:
        out.write(df.iloc[:1])
        out.write(df.iloc[1:])
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    assert out.rows == 3


def test_the_cli_builds_the_province_profile_and_refuses_a_bad_fraction(tmp_path):
    db = tmp_path / "w.duckdb"
    cmd = [sys.executable, "-m", "etl", "--db", str(db), "--lang", "en", "init", "--demo", "--as-of", "2026-11-27"]
    proc = subprocess.run(
        [*cmd, "--profile", "province", "--fraction", "0.0002"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    towns = _query(db, "SELECT count(*) AS n FROM v_units WHERE type = '镇街'")["n"].iat[0]
    assert towns == 40
    for bad in ("0", "2", "x"):
        proc = subprocess.run([*cmd, "--fraction", bad], cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 2 and "--fraction" in proc.stderr
    proc = subprocess.run([*cmd, "--profile", "country"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and "province" in proc.stderr
