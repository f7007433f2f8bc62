"""Run every benchmark: ``python -m bench [etl] [overview] [projects] [parks]``."""

from __future__ import annotations

import importlib
import sys

SUITES = {
    "etl": "bench.etl_bench",
    "overview": "bench.overview_bench",
    "projects": "bench.projects_bench",
    "parks": "bench.parks_bench",
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
