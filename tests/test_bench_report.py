"""BENCH.md assembled from the suites' result files: machine, versions, warehouse, every budget, each section."""

from __future__ import annotations

import json

import duckdb

from bench import harness as h
from bench import report


def write(folder, suite, title, budgets, load=(1.0, 2.0, 3.0)):
    record = {
        "suite": suite,
        "title": title,
        "written": "2026-11-28T13:00:00+00:00",
        "machine": {"load_average": list(load)},
        "versions": {"python": "3.11.7", "duckdb": "2.0.1"},
        "markdown": f"the {suite} section\n",
        "budgets": budgets,
        "data": None,
    }
    (folder / f"{suite}.json").write_text(json.dumps(record))


def test_sections_in_report_order_then_by_name_with_every_budget(tmp_path):
    write(tmp_path, "zeta", "Zeta", [{"what": "z", "figure": "1", "budget": "≤ 2", "verdict": "met"}])
    write(tmp_path, "province-pages", "Pages", [{"what": "p", "figure": "9", "budget": "≤ 5", "verdict": "missed"}])
    write(tmp_path, "alpha", "Alpha", [])
    records = report.results(tmp_path)
    assert [r["suite"] for r in records] == ["province-pages", "alpha", "zeta"]
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE small AS SELECT 1 AS x")
        con.execute("CREATE TABLE big AS SELECT range AS x FROM range(1500)")
    text = report.render(records, db)
    assert "| province-pages | p | 9 | ≤ 5 | missed |" in text and "| zeta | z | 1 | ≤ 2 | met |" in text
    assert text.index("## Pages (`province-pages`") < text.index("## Alpha (`alpha`") < text.index("## Zeta")
    assert "the zeta section" in text and "Versions: python 3.11.7, duckdb 2.0.1." in text
    assert "province-pages 1.0, 2.0, 3.0" in text  # the load average when each suite ran
    assert "| big | 1,500 |\n| small | 1 |" in text  # every table, largest first


def test_a_suite_writes_its_result_file(tmp_path, monkeypatch):
    monkeypatch.setattr(h, "RESULTS_DIR", tmp_path)
    path = h.save_result("demo-suite", "Demo", "body", budgets=[{"what": "w"}], data={"x": 1})
    record = json.loads(path.read_text())
    assert path == tmp_path / "demo-suite.json"
    assert (record["suite"], record["title"], record["markdown"], record["data"]) == (
        "demo-suite",
        "Demo",
        "body",
        {"x": 1},
    )
    assert record["machine"]["cores"] >= 1 and "load_average" in record["machine"]
    assert set(record["versions"]) >= {"python", "duckdb", "pandas", "pyarrow", "streamlit", "plotly"}


def test_spread_is_min_median_max_of_the_runs():
    assert h.spread([3.0, 1.0, 2.0]) == "1 / 2 / 3"
    assert h.spread([1234.5], 1) == "1,234.5"
    assert h.spread([]) == "—"
