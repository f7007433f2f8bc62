"""Scale profiles of the demo generator: how big a generated world is (one county, or a province of them).

A profile is a small declarative record of sizes, selected by name (``python -m etl init --demo --profile
province``); ``fraction`` scales every dataset down (at least two counties stay, so a test sees the
province's shape in seconds). The generators derive their rates from these sizes; everything else (the
distributions per township: stage dates, Spring-Festival returns, placement, classes of 20–60, labour per
township-month, parks' profiles) is the demo county's, in every county.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

# The demo county at scale 1 makes about this many rows per year-equivalent (etl/demo_county.make_projects,
# etl/demo_people.make_ventures): the project and venture scales of a profile are its sizes over these.
PROJECTS_PER_YEAR = 120
VENTURES_PER_YEAR = 85 + 250 + 200
FUNDING_PER_PROJECT = 9.2  # monthly funding rows per project the demo's stage dates give (measured: 6,547 / 714)
LEADS_PER_PROJECT = 2.7  # routine leads of the staff plus one before each signed project (1,934 / 714)
TRAINING_SHARE = 0.3  # the demo county's make_training default


@dataclass(frozen=True)
class Profile:
    """Sizes of a generated world. Counts are totals over all counties (rows of the upload files); funding,
    leads, labour and targets follow from them (see :meth:`expected`)."""

    name: str
    counties: int
    townships: int  # per county (the demo: 18 with data, plus one new and one merged-away in the registry)
    parks: int  # in all; spread over the counties, ≤ 4 per county (the kinds of etl.demo_county.PARKS)
    projects: int  # over the demo's six project years (the carry-over year, four full years, the current one)
    returnees: int
    training: int
    ventures: int
    fraction: float = 1.0

    def scaled(self, fraction: float) -> Profile:
        """This profile with every count × fraction (0 < fraction ≤ 1); counties ⌈counties × fraction⌉,
        at least two when the profile has two or more."""
        if not 0 < fraction <= 1:
            raise ValueError("fraction must be in (0, 1]")
        if fraction == 1:
            return self
        counties = min(self.counties, max(math.ceil(self.counties * fraction), min(2, self.counties)))
        return replace(
            self,
            counties=counties,
            parks=max(counties, round(self.parks * fraction)),
            projects=max(48 * counties, round(self.projects * fraction)),  # make_projects: ≥ 8 a year
            returnees=max(100 * counties, round(self.returnees * fraction)),
            training=round(self.training * fraction),
            ventures=max(counties, round(self.ventures * fraction)),
            fraction=self.fraction * fraction,
        )

    def parks_of(self, county: int) -> int:
        """How many parks county number ``county`` (0-based) has: spread evenly, 1–4."""
        base, extra = divmod(self.parks, self.counties)
        return max(1, min(4, base + (county < extra)))

    def project_scale(self, years: list[int], as_of: date) -> float:
        """The ``scale`` of make_projects/make_leads that gives each county its share of the projects."""
        return self.projects / self.counties / (PROJECTS_PER_YEAR * _year_equivalents([years[0] - 1, *years], as_of))

    def venture_scale(self, years: list[int], as_of: date) -> float:
        """The ``scale`` of make_ventures that gives each county its share of the ventures."""
        return self.ventures / self.counties / (VENTURES_PER_YEAR * _year_equivalents(years, as_of))

    @property
    def training_share(self) -> float:
        """Training rows per returnee (make_training's ``share``)."""
        return self.training / self.returnees

    def expected(self, months: int) -> dict[str, int]:
        """Rows each upload file should have (about; funding and leads follow the projects' own course),
        for a demo of ``months`` months."""
        towns = self.counties * self.townships
        return {
            "units": towns + self.parks,
            "projects": self.projects,
            "funding": round(self.projects * FUNDING_PER_PROJECT),
            "parks": self.parks * months,
            "returnees": self.returnees,
            "training": self.training,
            "ventures": self.ventures,
            "labor": towns * months,
            "leads": round(self.projects * LEADS_PER_PROJECT),
        }


def _year_equivalents(years: list[int], as_of: date) -> float:
    """Σ over years of the share of the year up to as_of."""
    return sum(min(1.0, max(0, (as_of - date(y, 1, 1)).days + 1) / 365) for y in years)


PROFILES: dict[str, Profile] = {
    # today's county: 18 townships, four parks, ~714 projects, 6,000 returnees (etl.demo.generate, unchanged)
    "demo": Profile("demo", 1, 18, 4, 714, 6_000, 1_700, 2_650),
    # a province: 100 counties × 20 townships, parks in every county, ~100k projects, 10M returnees
    "province": Profile("province", 100, 20, 250, 100_000, 10_000_000, 5_000_000, 1_000_000),
}


def get(name: str, fraction: float = 1.0) -> Profile:
    """The named profile scaled by ``fraction``; KeyError names the profiles there are."""
    if name not in PROFILES:
        raise KeyError(f"unknown profile {name!r}: one of {', '.join(PROFILES)}")
    return PROFILES[name].scaled(fraction)
