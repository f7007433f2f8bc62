"""Helpers for tests: clerk-style CSV files written from the contracts, and warehouse queries."""

from __future__ import annotations

from pathlib import Path

from etl import store
from etl.contracts import DATASETS


def csv(path: Path, dataset: str, rows: list[dict], encoding: str = "utf-8-sig") -> Path:
    """Write a clerk-style CSV with the contract's Chinese headers for the given columns."""
    ds = DATASETS[dataset]
    cols = list(dict.fromkeys(k for r in rows for k in r))  # union of columns, first-seen order
    header = ",".join(ds.column(c).zh for c in cols)
    body = "\n".join(",".join(str(r.get(c, "")) for c in cols) for r in rows)
    path.write_bytes((header + "\n" + body + "\n").encode(encoding))
    return path


def loaded(tmp_path: Path, files: list[tuple[str, list[dict]]]) -> Path:
    """A new warehouse ``tmp_path``/w.duckdb with the clerk files (dataset, rows) loaded in order; each must load."""
    from etl import warehouse

    db = warehouse.init(tmp_path / "w.duckdb")
    for name, rows in files:
        res = warehouse.load_file(db, csv(tmp_path / f"{name}.csv", name, rows))
        assert res.status == "loaded", res.errors.to_dict(orient="records")
    return db


def q(db: Path, sql: str, params=()):
    r = store.Reader(db)
    try:
        return r.cursor().execute(sql, list(params)).fetchall()
    finally:
        r.close()


def project(pid: str, total, township="青石镇", status="签约", signed="2026-03-05", **kw) -> dict:
    row = {
        "project_id": pid,
        "name": "项目" + pid,
        "township": township,
        "industry": "新材料",
        "total_investment": total,
        "status": status,
        "signed_date": signed,
    }
    row.update(kw)
    return row
