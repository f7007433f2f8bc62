"""The README's dataset reference is the one generated from the contracts (declare once)."""

from __future__ import annotations

import re
from pathlib import Path

from etl import docs
from etl.contracts import DATASETS
from etl.metric_catalogue import METRICS

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_dataset_table_matches_the_contracts():
    text = README.read_text(encoding="utf-8")
    assert docs.dataset_table() in text, "run: python -m etl.docs"


def test_every_dataset_and_column_is_documented():
    table = docs.dataset_table()
    for ds in DATASETS.values():
        assert f"`{ds.name}`" in table
        for col in ds.columns:
            assert f"| {col.zh} | `{col.name}` |" in table


def test_readme_names_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text


def test_readme_metric_table_matches_the_catalogue():
    text = README.read_text(encoding="utf-8")
    assert docs.metric_table() in text, "run: python -m etl.docs"
    for m in METRICS:
        assert f"| `{m.code}` | {m.zh} |" in docs.metric_table()


def test_readme_stands_alone():
    """A user of the repository has no shared/ folder: the README points to nothing outside it."""
    text = README.read_text(encoding="utf-8")
    assert "DOMAIN.md" not in text and "FINDINGS.md" not in text and "../" not in text
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        if not target.startswith(("http://", "https://")):
            assert (README.parent / target).exists(), target
