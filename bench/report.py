"""``python -m bench report``: BENCH.md at the repository root, assembled from the suites' result files.

Each suite that measures something for BENCH.md writes data/bench/results/<suite>.json through
``bench.harness.save_result`` (its title, a markdown section, its budget rows and raw data, the machine at the time);
this writes the machine, the versions, the province warehouse (size, row counts), a summary of every budget with
its verdict, then each suite's section (the suites of ``ORDER`` first, then any other, by name). A suite that has
not been run is listed as missing; nothing is measured here.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from bench import harness as h
from bench import province

OUT = h.ROOT / "BENCH.md"
# the order of the sections (load throughput first, the pages, then loads under browsing); others follow by name
ORDER = ("province-build", "province-pages")


def contributors() -> list[str]:
    """The registered suites (bench/__main__.py) whose file writes a result (calls save_result)."""
    import importlib.util

    from bench.__main__ import SUITES

    out = []
    for name, module in SUITES.items():
        spec = importlib.util.find_spec(module)
        if name != "report" and spec and spec.origin and "save_result(" in Path(spec.origin).read_text():
            out.append(name)
    return out


def results(folder: Path = h.RESULTS_DIR) -> list[dict]:
    """The suites' result files, in report order."""
    found = {}
    for path in sorted(folder.glob("*.json")) if folder.exists() else ():
        record = json.loads(path.read_text())
        found[record.get("suite", path.stem)] = record
    ordered = [found.pop(name) for name in ORDER if name in found]
    return ordered + [found[name] for name in sorted(found)]


def warehouse_facts(db: Path) -> list[str]:
    """Markdown lines on the warehouse file: its size and the rows of every table, largest first."""
    import duckdb

    if not db.exists():
        return [f"The warehouse `{db.name}` does not exist here."]
    lines = [f"`{db.name}`: {db.stat().st_size / 2**30:,.2f} GiB."]
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
            count = 'SELECT count(*) FROM "{}"'  # names from the catalogue, quoted
            counts = [(name, con.execute(count.format(name.replace('"', '""'))).fetchone()[0]) for name in names]
            counts.sort(key=lambda x: -x[1])
    except duckdb.Error as exc:
        return [*lines, f"(row counts unavailable: {exc})"]
    lines += ["", "| table | rows |", "|---|---|"] + [f"| {name} | {n:,} |" for name, n in counts]
    return lines


def render(records: list[dict], db: Path) -> str:
    now = h.machine()
    versions = records[0]["versions"] if records else h.versions()
    lines = [
        "# Benchmarks",
        "",
        f"Written {datetime.now(UTC).isoformat(timespec='minutes')} by `python -m bench report` from "
        "data/bench/results/*.json (each suite writes its own file; see README, *Tests and benchmarks*). "
        "Figures of several runs are min / median / max.",
        "",
        "## Machine",
        "",
        f"{now['cores']} cores ({now['cpu']}), {now['ram_gib']} GiB RAM, kernel {now['kernel']}. Load average when "
        "each suite ran (1, 5, 15 min): "
        + ("; ".join(f"{r['suite']} {', '.join(str(x) for x in r['machine']['load_average'])}" for r in records) or "—")
        + ". The machine is shared with other jobs: read figures as ratios against the baseline of the same run.",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        "",
        "## Warehouse",
        "",
        *warehouse_facts(db),
        "",
        "## Budgets (issue 13)",
        "",
        "| suite | what | figure | budget | verdict |",
        "|---|---|---|---|---|",
    ]
    for r in records:
        for b in r.get("budgets", []):
            lines.append(f"| {r['suite']} | {b['what']} | {b['figure']} | {b['budget']} | {b['verdict']} |")
    missing = [name for name in contributors() if name not in {r["suite"] for r in records}]
    if missing:
        lines += ["", "Not run yet: " + ", ".join(f"`{m}`" for m in missing) + "."]
    for r in records:
        lines += ["", f"## {r['title']} (`{r['suite']}`, {r['written']})", "", r["markdown"].rstrip()]
    return "\n".join(lines) + "\n"


def main() -> None:
    fraction = float(os.environ.get("BENCH_PROVINCE_FRACTION", "0.05"))
    records = results()
    db = province.path_for(province.SEED, fraction)
    for r in records:  # the warehouse the suites measured, when they say
        named = (r.get("data") or {}).get("warehouse") if isinstance(r.get("data"), dict) else None
        if named:
            db = Path(named)
            break
    OUT.write_text(render(records, db))
    print(f"  written {OUT} ({len(records)} suite(s))")


if __name__ == "__main__":
    main()
