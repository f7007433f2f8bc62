"""Run every benchmark, or the named suites: ``python -m bench [etl] [load] [hostile] [overview] [province-pages] [browsing] [report] …``."""

from __future__ import annotations

import importlib
import sys

SUITES = {
    "etl": "bench.etl_bench",
    "load": "bench.load_bench",
    "hostile": "bench.hostile_bench",
    "overview": "bench.overview_bench",
    "targets": "bench.targets_bench",
    "projects": "bench.projects_bench",
    "pipeline": "bench.pipeline_bench",
    "parks": "bench.parks_bench",
    "jobs": "bench.jobs_bench",
    "map": "bench.map_bench",
    "upload": "bench.upload_bench",
    "auth": "bench.auth_bench",
    "assessment": "bench.assessment_bench",
    "employment": "bench.employment_bench",
    "province-build": "bench.province_bench",
    "writes": "bench.writes_bench",
    "province-pages": "bench.province_pages_bench",
    "browsing": "bench.browsing_bench",
    "report": "bench.report",  # last: BENCH.md from the result files the suites above wrote
}


def main(argv: list[str]) -> int:
    chosen = argv or list(SUITES)
    for name in chosen:
        module = importlib.import_module(SUITES[name])
        print(f"== {name} ==", flush=True)
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
