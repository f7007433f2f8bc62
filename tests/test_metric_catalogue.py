"""The metric catalogue is the one list of metrics: facts, targets, cards and names all follow from it."""

from __future__ import annotations

import re

import duckdb

from etl import contracts, metric_catalogue
from etl.metric_catalogue import DIMS, KINDS, METRICS

CJK = re.compile(r"[\u3400-\u9fff]")


def test_every_metric_in_the_facts_has_a_record_and_every_record_has_facts(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        in_facts = {r[0] for r in con.execute("SELECT DISTINCT metric FROM v_unit_facts").fetchall()}
    assert in_facts == {m.code for m in METRICS}


def test_records_are_complete_and_consistent():
    codes = [m.code for m in METRICS]
    assert len(codes) == len(set(codes))
    for m in METRICS:
        assert m.kind in KINDS and m.dims and m.dims <= set(DIMS), m.code
        assert m.zh and m.en and not CJK.search(m.en) and CJK.search(m.zh), m.code
        assert m.definition_zh and m.definition_en, m.code
    cards = sorted(m.card for m in METRICS if m.card)
    assert cards == list(range(1, len(cards) + 1))  # positions 1…n, each once


def test_the_targets_dataset_takes_exactly_the_target_metrics_in_their_units():
    col = contracts.TARGETS.column("metric")
    assert set(col.choices) == set(metric_catalogue.TARGET_METRICS)
    assert {col.aliases[m.zh] for m in METRICS if m.target} == set(col.choices)  # Chinese names accepted
    assert contracts.KIND_BY["metric"] == {m.code: KINDS[m.kind] for m in METRICS if m.target}
