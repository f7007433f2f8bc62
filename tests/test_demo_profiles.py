"""Scale profiles: named records of sizes, scaled by a fraction; the demo profile is today's county."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from etl import demo, demo_profiles
from etl.demo_profiles import PROFILES, Profile

# sha256 of the demo files for seed 2012, as_of 2025-03-09, 300 returnees, scale 0.3, computed with the
# generator as it was before the profiles were added (commit 3f275c3): the demo profile must not change a byte.
GOLDEN = {
    "00_units.csv": "f19f89a9e9faf6394fab0989d71f0c67a297c55fae87f7375cc63c435b9208f6",
    "01_projects.xlsx": "451bd71849ebcb9dcd56d07208f26725abc9bb44f0af41b6dfbe34e93cf60429",
    "02_funding.csv": "a242122249a64dab1578d768bc36323d7b125f76972995ebcd1aaa5b349aff83",
    "03_parks.csv": "540c7a441c0a7164214203d2b4abefe3cdebf614c7c0ec283d23458221c7fd03",
    "04_returnees.csv": "30d44129c750e026a62d57f3613075fc1f7934c12fa3c8f791772bb0db552c75",
    "05_training.csv": "7e86ac8dc4b629c8a421de3c7bc1c9991795b007199548a34b09208388ac833e",
    "06_ventures.xlsx": "9350da5afe94d3789430019f51d7835fd9f81291a846663a6da5460baf4442d4",
    "07_labor.csv": "e016664f2a404488d0e5716e6285de5986b9758ec02df573109d9baecc2ac333",
    "08_leads.csv": "619b73e14d6de72efa7a28d3d3a9f0ca402c246a96a74b0bd9cd16b082bc814e",
    "10_boundaries.geojson": "53ff7dfdeee827553ce9dfc7b94648e0ac950a542e882cdefc9e1913a5504596",
}


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_demo_files_are_byte_identical_to_before_the_profiles(tmp_path):
    paths = demo.generate(tmp_path, as_of=date(2025, 3, 9), returnees=300, scale=0.3)
    paths.append(demo.write_boundaries(tmp_path))
    assert {p.name: _sha(p) for p in paths} == GOLDEN


def test_the_demo_profile_is_todays_county_and_scaling_it_is_the_old_scale():
    d = demo_profiles.get("demo")
    assert (d.counties, d.townships, d.parks, d.returnees, d.fraction) == (1, 18, 4, 6_000, 1.0)
    half = demo_profiles.get("demo", 0.5)
    assert (half.counties, half.returnees, half.fraction) == (1, 3_000, 0.5)  # generate(returnees=3000, scale=0.5)


def test_the_province_profile_declares_the_issue_sizes():
    p = PROFILES["province"]
    assert p.counties * p.townships == 2_000
    assert (p.projects, p.returnees, p.training, p.ventures) == (100_000, 10_000_000, 5_000_000, 1_000_000)
    assert p.training_share == 0.5


@pytest.mark.parametrize(
    ("fraction", "counties", "parks", "projects", "returnees", "training", "ventures"),
    [
        (1.0, 100, 250, 100_000, 10_000_000, 5_000_000, 1_000_000),
        (0.05, 5, 12, 5_000, 500_000, 250_000, 50_000),  # 250 × 0.05 = 12.5 → 12 (round half to even)
        (0.01, 2, 2, 1_000, 100_000, 50_000, 10_000),  # ⌈1⌉ = 1 county, but at least two
        (0.0001, 2, 2, 96, 1_000, 500, 100),  # at least 8 projects a year (six years) and 100 returnees per county
    ],
)
def test_a_fraction_scales_every_count(fraction, counties, parks, projects, returnees, training, ventures):
    p = demo_profiles.get("province", fraction)
    assert (p.counties, p.parks, p.projects, p.returnees, p.training, p.ventures) == (
        counties,
        parks,
        projects,
        returnees,
        training,
        ventures,
    )
    assert p.fraction == fraction and p.townships == 20


def test_parks_are_spread_one_to_four_per_county():
    p = PROFILES["province"]
    per = [p.parks_of(c) for c in range(p.counties)]
    assert sum(per) == 250 and set(per) == {2, 3}  # 250 / 100: half the counties 3, half 2
    tiny = Profile("x", 3, 20, 20, 30, 300, 0, 3)
    assert [tiny.parks_of(c) for c in range(3)] == [4, 4, 4]  # never more than the four kinds


@pytest.mark.parametrize("fraction", [0, -0.5, 1.5])
def test_a_fraction_outside_zero_to_one_is_refused(fraction):
    with pytest.raises(ValueError, match="fraction"):
        demo_profiles.get("province", fraction)


def test_an_unknown_profile_names_the_ones_there_are():
    with pytest.raises(KeyError, match="demo, province"):
        demo_profiles.get("country")


def test_scales_give_each_county_its_share():
    p = demo_profiles.get("province", 0.05)
    years = demo.demo_years(date(2026, 12, 31))  # five full years, the carry-over year too: six
    # 5,000 projects / 5 counties / (120 a year × 6 years); 50,000 ventures / 5 / (535 × 5)
    assert p.project_scale(years, date(2026, 12, 31)) == pytest.approx(1000 / 720)
    assert p.venture_scale(years, date(2026, 12, 31)) == pytest.approx(10_000 / 2675)
