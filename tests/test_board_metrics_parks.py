"""Parks: stocks and flows per period, the annual-row rule, efficiency, the score and grade bands, the grading
settings file; on hand-built clerk files through the real loader, and on the demo county against own SQL."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from board.metrics import parks, progress
from board.selection import Selection
from etl import park_grading, warehouse
from etl.__main__ import main as cli
from tests.clerk_files import csv, q

MEASURES = park_grading.MEASURES


@pytest.fixture(autouse=True)
def grading_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own settings file (absent unless the test writes it): the repository's is never read."""
    path = tmp_path / "park_grading.toml"
    monkeypatch.setenv(park_grading.ENV, str(path))
    return path


def build(tmp_path: Path, rows: list[dict], name: str = "w") -> Path:
    db = warehouse.init(tmp_path / f"{name}.duckdb")
    res = warehouse.load_file(db, csv(tmp_path / f"{name}.csv", "parks", rows))
    assert res.status == "loaded", res.errors.to_dict(orient="records")
    return db


def eff(db: Path, park: str, year: int) -> dict:
    """The park's row of v_park_efficiency, as a dict (NULL → None)."""
    cur = duckdb.connect(str(db), read_only=True)
    try:
        df = cur.execute("SELECT * FROM v_park_efficiency WHERE park = ? AND year = ?", [park, year]).df()
    finally:
        cur.close()
    assert len(df) == 1, df
    return {k: (None if pd.isna(v) else v) for k, v in df.iloc[0].items()}


def month_rows(park: str, year: int, months: range, **cols) -> list[dict]:
    """One row per month; each column's value is a list indexed like ``months`` or one value for every month."""
    out = []
    for i, m in enumerate(months):
        row = {"park": park, "period": f"{year}-{m:02d}"}
        row |= {c: (v[i] if isinstance(v, list) else v) for c, v in cols.items()}
        out.append(row)
    return out


# ---------------------------------------------------------------- stocks and flows


def test_a_years_stocks_are_its_latest_value_and_its_flows_the_sum(tmp_path):
    rows = month_rows(
        "甲园", 2025, range(1, 4), enterprises=[10, 12, 11], jobs=[100, 120, ""], revenue=[100, 200, 300.5],
        tax=[1, 2, 3], land_used_mu=[50, 50, 40], industrial_output=[10, 20, 30], fixed_asset_investment=5,
    )  # fmt: skip
    db = build(tmp_path, rows)
    got = eff(db, "甲园", 2025)
    assert got["enterprises"] == 11  # March's, not the largest (12) nor the sum
    assert got["jobs"] == 120  # March left it blank: the latest value recorded
    assert got["land_used_mu"] == 40
    assert got["revenue"] == pytest.approx(600.5)
    assert got["tax"] == 6 and got["fixed_asset_investment"] == 15
    assert got["tax_per_mu"] == pytest.approx(6 / 40)
    assert got["output_per_mu"] == pytest.approx(60 / 40)
    assert got["investment_intensity"] == pytest.approx(15 / 40)
    assert got["output_per_job"] == pytest.approx(60 / 120)
    assert got["through_month"] == 3


def test_an_annual_row_is_the_years_flow_and_never_adds_to_its_months(tmp_path):
    rows = month_rows("乙园", 2012, range(1, 13), revenue=10, tax=1, enterprises=20, jobs=200, land_used_mu=100)
    rows += [{"park": "乙园", "period": "2012", "revenue": "150", "tax": "13", "enterprises": "21", "jobs": ""}]
    rows += [{"park": "丙园", "period": "2012年", "revenue": "80", "enterprises": "5", "land_used_mu": "10"}]
    db = build(tmp_path, rows)
    got = eff(db, "乙园", 2012)
    assert got["revenue"] == 150  # the annual figure: not 120 (the months), not 270 (both)
    assert got["tax"] == 13
    assert got["enterprises"] == 21  # the annual row counts as December and wins over December's row
    assert got["jobs"] == 200  # the annual row left it blank: December's
    assert got["through_month"] == 12
    only = eff(db, "丙园", 2012)  # a park that reports the year as a whole
    assert (only["revenue"], only["enterprises"], only["land_used_mu"]) == (80, 5, 10)
    # the facts (the cards' park_revenue) follow the same rule
    actual = q(db, "SELECT sum(value) FROM v_metric_facts WHERE metric = 'park_revenue' AND park = '乙园'")[0][0]
    assert actual == 150
    # through June, the months are not the year's flows (the year has an annual row); stocks are June's
    june = q(db, "SELECT revenue, enterprises FROM park_efficiency_months WHERE park = '乙园' AND as_of_month = 6")
    assert june == [(None, 20)]


def test_a_park_without_land_shows_no_per_mu_figure_never_inf_or_zero(tmp_path):
    rows = [
        {"park": "无地园", "period": "2025-01", "tax": "5", "industrial_output": "50", "jobs": "10",
         "fixed_asset_investment": "7"},
        {"park": "零地园", "period": "2025-01", "tax": "5", "industrial_output": "50", "jobs": "0", "land_used_mu": "0",
         "fixed_asset_investment": "7"},
        {"park": "有地园", "period": "2025-01", "tax": "5", "industrial_output": "50", "jobs": "10",
         "land_used_mu": "10", "fixed_asset_investment": "7"},
    ]  # fmt: skip
    db = build(tmp_path, rows)
    for park in ("无地园", "零地园"):
        got = eff(db, park, 2025)
        assert got["tax_per_mu"] is None and got["output_per_mu"] is None and got["investment_intensity"] is None
        assert got["grade"] is None and got["score"] is None  # not graded on what is left
    assert eff(db, "无地园", 2025)["output_per_job"] == 5
    assert eff(db, "零地园", 2025)["output_per_job"] is None  # no jobs: no 人均 figure either
    assert eff(db, "有地园", 2025)["grade"] == "A"  # the only park graded


# ---------------------------------------------------------------- grades


def _parks(values: dict[str, tuple[float, float, float, float]]) -> list[dict]:
    """One January row per park giving exactly (tax_per_mu, output_per_mu, investment_intensity, output_per_job)."""
    rows = []
    for park, (tpm, opm, ii, opj) in values.items():
        rows.append(
            {"park": park, "period": "2025-01", "land_used_mu": "100", "tax": f"{tpm * 100:g}",
             "industrial_output": f"{opm * 100:g}", "fixed_asset_investment": f"{ii * 100:g}",
             "jobs": str(round(opm * 100 / opj))}
        )  # fmt: skip
    return rows


def test_grade_bands_put_a_park_exactly_on_a_boundary_in_the_lower_grade(tmp_path):
    # 20 parks, P01 the best on every measure: its rank is 1, P05 has 4/20 = 20 % ahead, P13 60 %, P20 95 %
    values = {f"P{i:02d}": (21 - i,) * 4 for i in range(1, 21)}
    db = build(tmp_path, _parks(values))
    got = dict(q(db, "SELECT park, grade FROM v_park_efficiency"))
    assert [got[f"P{i:02d}"] for i in (4, 5, 12, 13, 19, 20)] == ["A", "B", "B", "C", "C", "D"]
    assert pd.Series(got).value_counts().to_dict() == {"A": 4, "B": 8, "C": 7, "D": 1}
    scores = dict(q(db, "SELECT park, score FROM v_park_efficiency"))
    assert scores["P01"] == 100 and scores["P20"] == 0
    assert scores["P05"] == pytest.approx(100 * 15 / 19)  # every percentile rank 15/19


def test_tied_parks_share_their_grade(tmp_path):
    values = {
        "甲": (3, 3, 3, 3),
        "乙": (2, 2, 2, 2),
        "丙": (2, 2, 2, 2),
        "丁": (1, 1, 1, 1),
        "戊": (0.5, 0.5, 0.5, 0.5),
    }
    db = build(tmp_path, _parks(values))
    got = dict(q(db, "SELECT park, grade FROM v_park_efficiency"))
    assert got == {"甲": "A", "乙": "B", "丙": "B", "丁": "C", "戊": "C"}  # 丁: 3 of 5 = 60 % ahead → C


def _own_grades(df: pd.DataFrame, grading: park_grading.Grading) -> dict[str, str]:
    """The test's own grading of the parks of one period: percentile ranks (pandas), weighted, banded."""
    graded = df.dropna(subset=list(MEASURES))
    n = len(graded)
    total = sum(grading.weight(m) for m in MEASURES)
    score = sum(grading.weight(m) * ((graded[m].rank(method="min") - 1) / (n - 1) if n > 1 else 0.0) for m in MEASURES)
    score = (100 * score / total).round(6)
    ahead = score.rank(method="min", ascending=False) - 1
    out = {}
    for park, a in zip(graded["park"], ahead, strict=True):
        out[park] = next((g for g in park_grading.BANDED if a * 100 < grading.band(g) * n), "D")
    return out


CROSSED = {  # the higher the tax per mu, the lower everything else
    "甲": (5, 1, 1, 1),
    "乙": (4, 2, 2, 2),
    "丙": (3, 3, 3, 3),
    "丁": (2, 4, 4, 4),
    "戊": (1, 5, 5, 5),
}


def test_the_weights_of_the_settings_file_decide_the_grade(tmp_path, grading_file, monkeypatch):
    db = build(tmp_path, _parks(CROSSED))
    default = dict(q(db, "SELECT park, grade FROM v_park_efficiency"))
    assert default["甲"] == "C" and default["戊"] == "A"  # 40 % on tax per mu is outweighed by the other 60 %
    grading_file.write_text(
        "[weights]\ntax_per_mu = 1\noutput_per_mu = 0\ninvestment_intensity = 0\noutput_per_job = 0\n"
    )
    warehouse.init(db)  # bin/etl init: the file's settings go into the meta table the view reads
    by_tax = dict(q(db, "SELECT park, grade FROM v_park_efficiency"))
    assert by_tax["甲"] == "A" and by_tax["戊"] == "C"
    assert dict(q(db, "SELECT key, value FROM meta WHERE key = 'park_grading.weight.tax_per_mu'")) == {
        "park_grading.weight.tax_per_mu": "1.0"
    }
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    applied = parks.grading_applied()
    assert applied == park_grading.load() and applied.share("tax_per_mu") == 1.0
    df = parks.efficiency(2025, 12)
    assert dict(zip(df["park"], df["grade"], strict=True)) == by_tax == _own_grades(df, applied)


def test_changed_bands_regrade_and_a_partial_file_keeps_the_other_defaults(tmp_path, grading_file):
    grading_file.write_text("[bands]\nA = 40\n")
    db = build(tmp_path, _parks(CROSSED))
    got = dict(q(db, "SELECT park, grade FROM v_park_efficiency ORDER BY score DESC"))
    assert list(got.values()) == ["A", "A", "B", "C", "C"]  # ahead 0 and 1 of 5 (20 %) are now under 40 %
    assert park_grading.load() == park_grading.Grading(
        tuple(park_grading.DEFAULT_WEIGHTS.items()), (("A", 40.0), ("B", 60.0), ("C", 95.0))
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[weights\ntax_per_mu = 1", "TOML"),
        ("[weights]\ntax_per_mu = '40'\n", "weights.tax_per_mu"),
        ("[weights]\ntax_per_mu = true\n", "weights.tax_per_mu"),
        ("[weights]\ntax_per_mu = nan\n", "weights.tax_per_mu"),
        ("[weights]\nland = 3\n", "land"),
        ("[grades]\nA = 3\n", "grades"),
        ("weights = 3\n", "[weights]"),
        ("[weights]\noutput_per_job = -1\n", "weights.output_per_job"),
        (
            "[weights]\ntax_per_mu = 0\noutput_per_mu = 0\ninvestment_intensity = 0\noutput_per_job = 0\n",
            "0",
        ),
        ("[bands]\nA = 70\n", "A=70"),
        ("[bands]\nC = 101\n", "C=101"),
        ("[bands]\nA = 0\n", "A=0"),
    ],
)
def test_an_invalid_settings_file_is_refused_with_a_message_naming_the_value(grading_file, text, says):
    grading_file.write_text(text)
    with pytest.raises(park_grading.Invalid) as err:
        park_grading.load()
    assert says in err.value.en and says in err.value.zh
    assert str(grading_file) in err.value.en


def test_init_with_an_invalid_file_changes_nothing_and_the_cli_says_why(tmp_path, grading_file, capsys):
    grading_file.write_text(
        "[weights]\ntax_per_mu = 1\noutput_per_mu = 0\ninvestment_intensity = 0\noutput_per_job = 0\n"
    )
    db = build(tmp_path, _parks(CROSSED))
    before = q(db, "SELECT key, value FROM meta ORDER BY key")
    grading_file.write_text("[bands]\nA = 70\nB = 60\n")
    with pytest.raises(park_grading.Invalid):
        warehouse.init(db)
    assert q(db, "SELECT key, value FROM meta ORDER BY key") == before
    assert cli(["--lang", "en", "--db", str(db), "init"]) != 0
    out = capsys.readouterr()
    assert "0 < A < B < C ≤ 100" in out.out + out.err and "A=70" in out.out + out.err


def test_no_settings_file_means_the_defaults(grading_file):
    assert not grading_file.exists()
    assert park_grading.load() == park_grading.DEFAULT
    assert park_grading.DEFAULT.share("tax_per_mu") == pytest.approx(0.4)


# ---------------------------------------------------------------- the demo county, against own SQL


@pytest.fixture
def con(board_env: Path):
    c = duckdb.connect(str(board_env), read_only=True)
    yield c
    c.close()


def _own_period(con, year: int, month: int) -> pd.DataFrame:
    """The test's own stocks and flows per park from v_parks (pandas): stocks the latest dated value (an annual
    row = December, after a December row), flows the annual row when the year has one, else the months' sum."""
    every = con.execute("SELECT * FROM v_parks WHERE year = ?", [year]).df()
    every["at"] = every["month"].fillna(12).astype(int) * 2 + every["month"].isna().astype(int)
    out = []
    for park, year_rows in every.groupby("park"):
        g = year_rows[year_rows["at"] <= month * 2 + 1]
        # a year with an annual row is reported as a whole: its flows are that row's (in December), not the months'
        flows = g[g["month"].isna()] if year_rows["month"].isna().any() else g
        rec = {"park": park}
        for c in parks.STOCKS:
            known = g.dropna(subset=[c]).sort_values("at")
            rec[c] = float(known[c].iloc[-1]) if len(known) else math.nan
        for c in parks.FLOWS:
            rec[c] = float(flows[c].sum(min_count=1)) if len(flows) else math.nan
        out.append(rec)
    return pd.DataFrame(out).set_index("park")


@pytest.mark.parametrize(("year", "month"), [(2026, 11), (2026, 4), (2025, 12), (2023, 12), (2022, 12)])
def test_efficiency_equals_own_stocks_flows_ratios_and_grades(con, year, month):
    got = parks.efficiency(year, month).set_index("park")
    own = _own_period(con, year, month)
    assert set(got.index) == set(own.index) and len(got) == 4
    for park in own.index:
        for c in [*parks.STOCKS, *parks.FLOWS]:
            a, b = got.loc[park, c], own.loc[park, c]
            assert (pd.isna(a) and math.isnan(b)) or a == pytest.approx(b), (park, c)
        land, jobs = own.loc[park, "land_used_mu"], own.loc[park, "jobs"]
        expected = {
            "tax_per_mu": own.loc[park, "tax"] / land,
            "output_per_mu": own.loc[park, "industrial_output"] / land,
            "investment_intensity": own.loc[park, "fixed_asset_investment"] / land,
            "output_per_job": own.loc[park, "industrial_output"] / jobs,
        }
        for m, v in expected.items():
            assert (pd.isna(got.loc[park, m]) and math.isnan(v)) or got.loc[park, m] == pytest.approx(v), (park, m)
    grades = _own_grades(got.reset_index(), parks.grading_applied())
    assert {p: g for p, g in got["grade"].items() if not pd.isna(g)} == grades


def test_the_view_is_the_pages_december_and_agrees_with_the_facts(con):
    view = con.execute("SELECT * FROM v_park_efficiency ORDER BY year, park").df()
    assert list(view.columns[:14]) == [
        "park", "year", "land_used_mu", "revenue", "industrial_output", "tax", "jobs", "enterprises",
        "fixed_asset_investment", "tax_per_mu", "output_per_mu", "investment_intensity", "output_per_job", "grade",
    ]  # fmt: skip
    assert len(view) == 4 * 5 and not view.duplicated(["park", "year"]).any()
    for year in range(2022, 2027):
        page = parks.efficiency(year, 12).sort_values("park").reset_index(drop=True)
        mine = view[view["year"] == year].reset_index(drop=True)
        pd.testing.assert_series_equal(page["grade"], mine["grade"], check_names=False)
        pd.testing.assert_series_equal(page["score"], mine["score"], check_names=False)
    facts = con.execute(
        "SELECT unit AS park, year, metric, sum(value) AS v FROM v_unit_facts WHERE list_contains(?::VARCHAR[], metric) "
        "AND unit <> '*' GROUP BY ALL",
        [["park_revenue", "park_output", "park_tax"]],
    ).df()
    column = {"park_revenue": "revenue", "park_output": "industrial_output", "park_tax": "tax"}
    merged = facts.merge(view, on=["park", "year"])
    assert len(merged) == 3 * 20
    for row in merged.itertuples():
        assert row.v == pytest.approx(getattr(row, column[row.metric])), (row.park, row.year, row.metric)


def test_the_demo_shows_an_annual_row_and_a_year_without_land(con):
    park = "食品工业园"
    annual = con.execute(
        "SELECT revenue FROM v_parks WHERE park = ? AND year = 2023 AND month IS NULL", [park]
    ).fetchone()
    months = con.execute(
        "SELECT sum(revenue) FROM v_parks WHERE park = ? AND year = 2023 AND month IS NOT NULL", [park]
    )
    months = months.fetchone()[0]
    assert annual is not None and annual[0] == pytest.approx(months * 1.03, rel=1e-6)
    row = con.execute("SELECT revenue FROM v_park_efficiency WHERE park = ? AND year = 2023", [park]).fetchone()
    assert row[0] == pytest.approx(annual[0])  # not months + annual
    no_land = con.execute(
        "SELECT land_used_mu, tax_per_mu, grade FROM v_park_efficiency WHERE park = '物流园' AND year = 2022"
    )
    assert no_land.fetchone() == (None, None, None)


def test_cards_are_progress_and_the_latest_stocks(con):
    park = "高新技术产业园"
    found = {c.key: c for c in parks.cards(2026, 11, park)}
    assert list(found) == [*parks.CARD_METRICS, *parks.CARD_STOCKS]
    card = progress.progress(Selection(2026, 11, parks=(park,)), parks.CARD_METRICS).set_index("metric")
    for m in parks.CARD_METRICS:
        assert found[m].value == card.loc[m, "actual"] and found[m].target == card.loc[m, "target"]
    jobs = con.execute("SELECT jobs FROM v_parks WHERE park = ? AND period = '2026-11'", [park]).fetchone()[0]
    before = con.execute("SELECT jobs FROM v_parks WHERE park = ? AND period = '2025-11'", [park]).fetchone()[0]
    assert found["jobs"].value == jobs and found["jobs"].prior == before and found["jobs"].through == 11
    assert found["jobs"].yoy == pytest.approx(jobs / before - 1) and found["jobs"].target is None


def test_trends_by_month_and_by_year(con):
    park = "食品工业园"
    months = parks.monthly_trend(park, 2026, 8, "tax")
    own = con.execute("SELECT month, tax FROM v_parks WHERE park = ? AND year = 2026 ORDER BY month", [park]).df()
    assert list(months["value"].iloc[:8]) == pytest.approx(list(own["tax"].iloc[:8]))
    assert months["value"].iloc[8:].isna().all() and months["prior"].notna().all()
    last = ((2021, 12), (2022, 12), (2023, 12), (2024, 12), (2025, 12), (2026, 11))
    years = parks.yearly_trend(park, "revenue", last)
    assert list(years["year"]) == [2022, 2023, 2024, 2025, 2026]  # 2021: no rows of the park
    view = con.execute("SELECT year, revenue FROM v_park_efficiency WHERE park = ? ORDER BY year", [park]).df()
    assert list(years["value"]) == pytest.approx(list(view["revenue"]))
    assert list(years["through"]) == [12, 12, 12, 12, 11]
    contract = parks.yearly_trend(park, parks.CONTRACT, last)
    own = con.execute(
        "SELECT year, sum(value) FROM v_metric_facts WHERE metric = 'contract_investment' AND park = ? "
        "AND (year < 2026 OR month <= 11) GROUP BY year",
        [park],
    ).fetchall()
    assert dict(zip(contract["year"], contract["value"], strict=True)) == pytest.approx(dict(own))
    assert parks.has_annual_row(park, 2023) and not parks.has_annual_row(park, 2024)


def test_the_parks_projects_follow_the_industry_filter(con):
    park = "新材料产业园"
    every = parks.projects(park)
    assert set(every["project_id"]) == {
        r[0] for r in con.execute("SELECT project_id FROM v_projects WHERE park = ?", [park]).fetchall()
    }
    one = every["industry"].iloc[0]
    assert set(parks.projects(park, (one,))["industry"]) == {one}


def test_the_readmes_example_settings_are_the_defaults():
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(\[weights\].*?)```", readme, re.S)  # the park grading block
    assert block is not None
    assert park_grading.parse(block.group(1)) == park_grading.DEFAULT
