"""The township map: figure size and overview server time per rerun with the map, ours vs a naive map.

On the demo county (etl.demo, 6,000 returnees) loaded through the real load path, twice: with the demo's
boundary file (18 townships, ~1k positions) and with a detailed one (the same townships with surveyed-like
borders, ~26k positions, as a 自然资源局 layer would be). Ours draws the simplified copy the loader stored
(board/map.py); the naive baseline draws the geometry as given (a copy of the warehouse whose simplified
copy is the original). Reported: bytes of ``fig.to_json()`` (what each rerun sends to the browser; budget
300 KB) and the p50/p90 wall time of ``AppTest.run()`` for the overview after a township change, alternating
two townships after a warm-up (as bench.overview_bench); the same page without boundaries (the map's place
shows how to load them) gives the map's own share.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from pathlib import Path

import duckdb
import numpy as np

from bench import harness as h
from bench.overview_bench import AS_OF, RERUNS, _measure, demo_warehouse

BUDGET_KB = 300


def _figure_bytes(db: Path) -> int:
    """Bytes of the overview's map figure (contract investment, 2026-11, all townships) as sent to the browser."""
    for name in list(logging.root.manager.loggerDict):  # outside a Streamlit run every cache call warns
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)
    os.environ["DASHBOARD_DB"] = str(db)
    from board import map as township_map
    from board import meta
    from board.metrics import map as map_data
    from board.selection import Selection

    frame, _ = map_data.township_map(
        Selection(AS_OF.year, AS_OF.month), "contract_investment", meta.options().townships
    )
    return len(township_map.figure(frame, "contract_investment", "map").to_json().encode())


def _naive_copy(db: Path, out: Path) -> Path:
    """A copy of the warehouse whose drawing copy is the geometry as given (no simplification)."""
    shutil.copyfile(db, out)
    with duckdb.connect(str(out)) as con:
        con.execute("UPDATE boundaries SET simplified_geojson = geometry_geojson")
    return out


def _without_boundaries(db: Path, out: Path) -> Path:
    """A copy of the warehouse with its boundaries batch rolled back: the overview without the map."""
    from etl import warehouse

    shutil.copyfile(db, out)
    with duckdb.connect(str(out), read_only=True) as con:
        (batch,) = con.execute("SELECT max(batch_id) FROM batches WHERE dataset = 'boundaries'").fetchone()
    warehouse.rollback(out, batch, user="bench")
    return out


def _detailed(db: Path, root: Path) -> Path:
    """The demo warehouse with the detailed boundary file loaded (through etl.boundaries)."""
    from etl import boundaries
    from etl.demo_county import make_boundaries, make_county

    out = root / "detailed.duckdb"
    shutil.copyfile(db, out)
    doc = make_boundaries(make_county(np.random.default_rng(2012)), 2012, detail=0.0003)
    path = root / "detailed.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False))
    t = time.perf_counter()
    res = boundaries.load(out, path, user="bench")
    assert res.status == "loaded", [f.en for f in res.checked.errors]
    n = sum(len(ring) for f in doc["features"] for ring in f["geometry"]["coordinates"])
    print(f"detailed boundary file: {path.stat().st_size / 1e3:.0f} kB, {n:,} positions, checked and loaded in "
          f"{time.perf_counter() - t:.2f} s (simplification tolerance {res.checked.tolerance:.5f}°)", flush=True)  # fmt: skip
    return out


def _rerun_p50(entry: Path, db: Path, towns: list[str]) -> tuple[float, float]:
    os.environ["DASHBOARD_DB"] = str(db)
    return h.p50_high(_measure(entry, towns[:2]), 90)


def main() -> None:
    with demo_warehouse() as (root, demo):
        detailed = _detailed(demo, root)
        cases = {
            "demo file, ours (simplified)": demo,
            "demo file, naive (as given)": _naive_copy(demo, root / "demo_naive.duckdb"),
            "detailed file, ours (simplified)": detailed,
            "detailed file, naive (as given)": _naive_copy(detailed, root / "detailed_naive.duckdb"),
        }
        sizes = {name: _figure_bytes(db) for name, db in cases.items()}
        cases["no boundaries (no map, help text)"] = _without_boundaries(demo, root / "no_map.duckdb")
        sizes["no boundaries (no map, help text)"] = 0
        entry = h.entry(root)
        towns = h.townships(demo)
        times = {name: _rerun_p50(entry, db, towns) for name, db in cases.items()}
    print(f"township map, 18 townships: figure JSON per rerun and overview rerun after a township change "
          f"(AppTest, {RERUNS} reruns):")  # fmt: skip
    for name in cases:
        kb = sizes[name] / 1024
        verdict = "within" if kb <= BUDGET_KB else "OVER"
        p50, p90 = times[name]
        size = f"figure {kb:7.1f} KB ({verdict} {BUDGET_KB} KB)" if kb else "no figure"
        print(f"  {name:34s}: {size:31s}  rerun p50 {p50:6.1f} ms  p90 {p90:6.1f} ms")
    for kind in ("demo file", "detailed file"):
        ours, naive = f"{kind}, ours (simplified)", f"{kind}, naive (as given)"
        print(f"  {kind}: naive/ours figure size {sizes[naive] / sizes[ours]:.1f}x, rerun p50 "
              f"{times[naive][0] / times[ours][0]:.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()
