"""The contracts are consistent, and every dataset's template validates with zero errors (round trip)."""

from __future__ import annotations

import pytest

from etl.contracts import DATASETS, Dataset
from etl.messages import CATALOGUE
from etl.readers import header_key
from etl.templates import template
from tests.checking import checked, validated

ALL = sorted(DATASETS)


@pytest.mark.parametrize("name", ALL)
def test_key_columns_are_stored(name: str) -> None:
    ds = DATASETS[name]
    stored = {n for n, _ in ds.stored_columns()}
    assert ds.key and set(ds.key) <= stored


@pytest.mark.parametrize("name", ALL)
def test_enums_have_choices_and_aliases_point_at_them(name: str) -> None:
    for col in DATASETS[name].columns:
        if col.kind == "enum":
            assert col.choices, col.name
            assert set(col.aliases.values()) <= set(col.choices), col.name


@pytest.mark.parametrize("name", ALL)
def test_headers_are_unique_within_a_dataset(name: str) -> None:
    owner: dict[str, str] = {}
    for col in DATASETS[name].columns:
        for h in col.headers():
            assert owner.setdefault(header_key(h), col.name) == col.name, f"{h!r} names two columns"


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize(("fmt", "lang"), [("csv", "zh"), ("csv", "en"), ("xlsx", "zh"), ("xlsx", "en")])
def test_a_template_is_recognised_and_its_example_row_is_never_loaded(name: str, fmt: str, lang: str) -> None:
    ds: Dataset = DATASETS[name]
    c = checked(template(ds, fmt, lang), f"{name}.{fmt}", project_ids={"P2012001"})
    assert c.status == "rejected" and not c.loadable(skip_invalid=True)
    assert c.errors["code"].tolist() == ["only_example"]


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_template_filled_in_validates_cleanly(name: str, lang: str) -> None:
    ds: Dataset = DATASETS[name]
    example = template(ds, "csv", lang).decode("utf-8-sig")
    filled = example + example.splitlines()[1].replace("2012", "2013") + "\n"  # the clerk's own row below it
    v = validated(filled.encode("utf-8"), f"{name}.csv", project_ids={"P2013001"})
    assert v.dataset is ds  # detected from the template's own headers
    assert v.errors.empty, v.errors["reason_en"].tolist()
    assert v.valid.tolist() == [True]
    assert v.warnings["code"].tolist().count("example_row") == 1
    assert set(v.header_map.values()) == {c.name for c in ds.columns}


def test_catalogue_is_bilingual() -> None:
    for code, (zh, en) in CATALOGUE.items():
        assert zh.strip() and en.strip(), code
        assert zh != en, code
