"""Deterministic demo county: writes clerk-style upload files for every dataset (and big returnee files).

Same arguments → byte-identical files. The story (numbers in DOMAIN.md §6 magnitudes): ~120 projects a
year with 70–90亿 contracted, ~40亿 funds in place, a few ≥ 10亿 projects and stalled ones by each rule;
four parks; returnees with a Spring-Festival spike each year and a bigger one in the third year; training
classes, ventures, monthly labour per township, leads; targets per unit with 2–3 townships lagging.
"""

from __future__ import annotations

import csv
import json
import math
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import xlsxwriter

from etl import clock, store
from etl.contracts import DATASETS, LOAD_ORDER, TARGET_METRICS, Dataset
from etl.demo_county import make_boundaries, make_county, make_leads, make_parks, make_projects, make_units
from etl.demo_people import iter_returnees, make_labor, make_training, make_ventures
from etl.demo_profiles import Profile
from etl.demo_targets import ACTUALS_SQL, make_targets

BOM = b"\xef\xbb\xbf"
_FIXED_TIME = datetime(2012, 1, 1)  # workbook metadata, so files are byte-identical
# dataset → (file extension, CSV encoding or None for XLSX, title row or None)
FORMATS: dict[str, tuple[str, str | None, bool]] = {
    "units": ("csv", "utf-8-sig", False),
    "projects": ("xlsx", None, True),
    "funding": ("csv", "utf-8-sig", False),
    "targets": ("xlsx", None, True),
    "parks": ("csv", "gbk", False),
    "returnees": ("csv", "utf-8-sig", False),
    "training": ("csv", "gbk", False),
    "ventures": ("xlsx", None, False),
    "labor": ("csv", "utf-8", False),
    "leads": ("csv", "utf-8-sig", False),
}
LEADING = frozenset({"城关街道", "东城街道", "青石镇", "柳河镇"})  # the park hosts are never the lagging ones
TITLES = {"projects": "{y}年招商项目统计表", "targets": "{y0}—{y}年目标任务分解表"}


def demo_years(as_of: date) -> list[int]:
    """The five calendar years of the demo, the last one (as_of's) partial."""
    return list(range(as_of.year - 4, as_of.year + 1))


def generate(
    out_dir: Path, *, seed: int = 2012, as_of: date | None = None, returnees: int = 6000, scale: float = 1.0
) -> list[Path]:
    """Write the demo county's upload files except the targets into out_dir; return their paths in LOAD_ORDER.

    Data runs from January of as_of's year − 4 to as_of (default today); nothing is dated after as_of.
    ``returnees`` is the number of returnee rows; ``scale`` multiplies projects, ventures and leads. The
    targets are sized from what the warehouse makes of these files: see :func:`write_targets`.
    """
    if returnees < 1:
        raise ValueError("returnees must be ≥ 1")
    as_of = as_of or clock.today()
    years = demo_years(as_of)
    first = date(years[0], 1, 1)
    rng = np.random.default_rng(seed)
    county = make_county(rng)
    data: dict[str, pd.DataFrame] = {"units": make_units(county, years, seed)}
    data["projects"], data["funding"] = make_projects(rng, county, years, as_of, scale)
    data["parks"] = make_parks(rng, first, as_of)
    data["leads"] = make_leads(rng, county, data["projects"], years, as_of, scale)
    table = pa.concat_tables(iter_returnees(returnees, seed, years, as_of, county.townships))
    people = table.select(["id_number", "township", "return_date", "status", "status_date"]).to_pandas()
    people["id_ascii"] = [unicodedata.normalize("NFKC", v) for v in people["id_number"]]
    data["training"] = make_training(rng, people, years, as_of)
    data["ventures"] = make_ventures(rng, people, county.townships, years, as_of, scale)
    data["labor"] = make_labor(rng, county.townships, first, as_of)

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in LOAD_ORDER:
        if name == "targets":
            continue
        if name == "returnees":
            path = _path(out_dir, name)
            _write_arrow_csv(path, [table], FORMATS[name][1] or "utf-8")
        else:
            path = _write(out_dir, name, data[name], as_of, years, seed)
        paths.append(path)
    return paths


def write_targets(
    out_dir: Path, db_path: Path, *, seed: int = 2012, as_of: date | None = None, lagging: int = 3
) -> Path:
    """Write the targets file, sized from the facts of the warehouse at ``db_path`` (the other demo files
    loaded): each unit lands at ~90–115 % of its targets, ``lagging`` townships at 40–60 %."""
    as_of = as_of or clock.today()
    years = demo_years(as_of)
    reader = store.Reader(db_path)
    actuals = reader.query(ACTUALS_SQL)
    units = reader.query("SELECT name, type FROM v_units")
    unit_types = dict(zip(units["name"], units["type"], strict=True))
    rng = np.random.default_rng([seed, 7])
    candidates = [u for u, t in sorted(unit_types.items()) if t == "镇街" and u not in LEADING]
    with_facts = set(actuals["unit"])
    candidates = [u for u in candidates if u in with_facts]
    behind = tuple(sorted(rng.choice(candidates, min(lagging, len(candidates)), replace=False).tolist()))
    targets = make_targets(rng, actuals, unit_types, years, as_of, behind)
    targets["metric"] = [TARGET_METRICS[m] if rng.random() < 0.9 else m for m in targets["metric"]]
    return _write(out_dir, "targets", targets, as_of, years, seed)


def build(
    db_path: Path,
    out_dir: Path,
    *,
    seed: int = 2012,
    as_of: date | None = None,
    returnees: int = 6000,
    load: Callable[[Path], object] | None = None,
    profile: Profile | None = None,
) -> list[Path]:
    """Generate the demo county into out_dir and load it into the warehouse at ``db_path`` (created if
    needed) through the real load path, targets last; return the files in the order loaded.

    ``profile`` (etl.demo_profiles): another size of world. The ``demo`` profile is the county with its
    returnees and scale × its fraction; ``province`` many counties (etl.demo_province), three lagging
    townships per county, and no boundaries (the synthetic shapes are the demo county's only).

    ``load`` loads one file and returns its result (default: etl.warehouse.load_file); a result whose
    ``status`` is not ``loaded`` stops the build. The synthetic township boundaries (BOUNDARIES_FILE) are
    loaded last, through etl.boundaries; they are not among the files returned."""
    from etl import warehouse

    load = load or (lambda path: warehouse.load_file(db_path, path, user="demo"))
    warehouse.init(db_path)
    county = profile is None or profile.counties == 1
    if profile is None:
        paths = generate(out_dir, seed=seed, as_of=as_of, returnees=returnees)
    elif county:
        paths = generate(out_dir, seed=seed, as_of=as_of, returnees=profile.returnees, scale=profile.fraction)
    else:
        from etl import demo_province

        as_of = as_of or clock.today()
        paths = demo_province.generate(out_dir, profile, seed=seed, as_of=as_of, years=demo_years(as_of))
    for path in paths:
        if getattr(load(path), "status", "loaded") != "loaded":
            return paths[: paths.index(path) + 1]
    path = write_targets(out_dir, db_path, seed=seed, as_of=as_of, lagging=3 * (profile.counties if profile else 1))
    load(path)
    if county:
        load_boundaries(db_path, write_boundaries(out_dir, seed=seed))
    return [*paths, path]


BOUNDARIES_FILE = "10_boundaries.geojson"


def write_boundaries(out_dir: Path, *, seed: int = 2012) -> Path:
    """The demo county's synthetic township boundaries (etl.demo_county.make_boundaries) as GeoJSON, the way a
    自然资源局 would hand a county its township layer (XZQDM/XZQMC properties, EPSG:4490). Byte-identical for a
    seed."""
    county = make_county(np.random.default_rng(seed))
    path = out_dir / BOUNDARIES_FILE
    out_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(make_boundaries(county, seed), ensure_ascii=False, separators=(",", ":")) + "\n")
    return path


def load_boundaries(db_path: Path, path: Path) -> None:
    """Load the boundary file through the real check (etl.boundaries); a refusal is a bug of the generator."""
    from etl import boundaries

    res = boundaries.load(db_path, path, user="demo")
    if res.status not in ("loaded", "noop"):
        raise RuntimeError("; ".join(boundaries.lines(res.checked.errors, "en")))


# The order the demo is built in: the targets last, sized from the facts of everything else.
BUILD_ORDER: tuple[str, ...] = (*(n for n in LOAD_ORDER if n != "targets"), "targets")


def _path(out_dir: Path, name: str) -> Path:
    return out_dir / f"{BUILD_ORDER.index(name):02d}_{name}.{FORMATS[name][0]}"


def _write(out_dir: Path, name: str, df: pd.DataFrame, as_of: date, years: list[int], seed: int) -> Path:
    """One demo file in its clerk-style format (FORMATS)."""
    ext, encoding, titled = FORMATS[name]
    path = _path(out_dir, name)
    ds = DATASETS[name]
    if ext == "csv":
        _write_csv(path, ds, df, encoding or "utf-8")
    else:
        title = TITLES[name].format(y=as_of.year, y0=years[0]) if titled else None
        fancy = np.random.default_rng([seed, LOAD_ORDER.index(name)]) if name == "projects" else None
        _write_xlsx(path, ds, df, title, fancy)
    return path


def _columns(ds: Dataset, df: pd.DataFrame) -> list:
    """The contract columns present in df, in contract order."""
    return [c for c in ds.columns if c.name in df.columns]


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT


def _text(v: object) -> str:
    """Clerk-style text of one cell: dates ISO, booleans 是/否, numbers without trailing zeros."""
    if _blank(v):
        return ""
    if isinstance(v, bool | np.bool_):
        return "是" if v else "否"
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float | np.floating):
        return str(int(v)) if float(v).is_integer() else f"{float(v):.2f}".rstrip("0").rstrip(".")
    return str(v)


def _write_csv(path: Path, ds: Dataset, df: pd.DataFrame, encoding: str) -> None:
    """Small CSV (one row per frame row) with the contract's Chinese headers; strict encoding."""
    with FrameCsv(path, ds, encoding) as out:
        out.write(df)


class FrameCsv:
    """A clerk-style CSV written frame by frame (headers from the first frame's contract columns, each frame
    with the same columns); strict encoding. A context manager."""

    def __init__(self, path: Path, ds: Dataset, encoding: str) -> None:
        self.ds, self.cols, self.rows = ds, None, 0
        self._fh = open(path, "w", encoding=encoding, errors="strict", newline="")  # noqa: SIM115
        self._w = csv.writer(self._fh, lineterminator="\r\n")

    def write(self, df: pd.DataFrame) -> None:
        if self.cols is None:
            self.cols = _columns(self.ds, df)
            self._w.writerow([c.zh for c in self.cols])
        for row in df[[c.name for c in self.cols]].itertuples(index=False):
            self._w.writerow([_text(v) for v in row])
        self.rows += len(df)

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> FrameCsv:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _amount_text(v: float) -> str:
    return f"{v / 10_000:g}亿" if v >= 10_000 else f"{v:g}万元"


def _write_xlsx(path: Path, ds: Dataset, df: pd.DataFrame, title: str | None, fancy) -> None:
    """XLSX with an optional title row. ``fancy`` (a generator) makes ~30 % of dates text like 2024年3月5日
    and writes round amounts as text like 2.5亿 / 3000万元."""
    with FrameXlsx(path, ds, title, fancy) as out:
        out.write(df)


class FrameXlsx:
    """A clerk-style XLSX (optional title row; see _write_xlsx) written frame by frame. ``constant_memory``
    flushes each row as it is written (inline strings: other bytes than the default's shared strings), for
    files of a million rows. A context manager."""

    def __init__(self, path: Path, ds: Dataset, title: str | None, fancy, constant_memory: bool = False) -> None:
        opts = {"strings_to_numbers": False, "strings_to_formulas": False, "constant_memory": constant_memory}
        self.ds, self.title, self.fancy, self.cols, self.r = ds, title, fancy, None, -1
        self.wb = xlsxwriter.Workbook(path, opts)
        self.wb.set_properties({"created": _FIXED_TIME})
        self.ws = self.wb.add_worksheet(ds.zh)
        self.datefmt = self.wb.add_format({"num_format": "yyyy-mm-dd"})

    def write(self, df: pd.DataFrame) -> None:
        ws, fancy, datefmt = self.ws, self.fancy, self.datefmt
        if self.cols is None:
            self.cols = _columns(self.ds, df)
            if self.title:
                ws.write_string(0, 0, self.title)
            self.r = 1 if self.title else 0
            for j, c in enumerate(self.cols):
                ws.write_string(self.r, j, c.zh)
        cols, r = self.cols, self.r
        for row in df[[c.name for c in cols]].itertuples(index=False):
            r += 1
            text_dates = fancy is not None and fancy.random() < 0.3
            for j, (c, v) in enumerate(zip(cols, row, strict=True)):
                if _blank(v):
                    continue
                if isinstance(v, date):
                    if text_dates:
                        ws.write_string(r, j, f"{v.year}年{v.month}月{v.day}日")
                    else:
                        ws.write_datetime(r, j, datetime(v.year, v.month, v.day), datefmt)
                elif isinstance(v, bool | np.bool_):
                    ws.write_string(r, j, "是" if v else "否")
                elif isinstance(v, int | float | np.integer | np.floating):
                    if fancy is not None and c.kind == "money" and v >= 100 and v % 100 == 0 and fancy.random() < 0.5:
                        ws.write_string(r, j, _amount_text(float(v)))
                    else:
                        ws.write_number(r, j, float(v))
                else:
                    ws.write_string(r, j, str(v))
        self.r = r

    @property
    def rows(self) -> int:
        """Data rows written."""
        return max(0, self.r - (1 if self.title else 0))

    def close(self) -> None:
        self.wb.close()

    def __enter__(self) -> FrameXlsx:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _returnee_headers(table: pa.Table) -> list[str]:
    zh = {c.name: c.zh for c in DATASETS["returnees"].columns}
    return [zh[n] for n in table.column_names]


class ArrowCsv:
    """One returnees CSV written table by table (Chinese headers once, at the top): what a generator yields is
    written and dropped, so a 10M-row file never needs its rows in memory at once. UTF-8 (optionally with BOM)
    is written directly; other encodings are transcoded table by table, strictly. A context manager."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.encoding = encoding
        self.direct = encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")
        self.rows = 0
        self._fh = open(path, "wb")  # noqa: SIM115 (closed by close/__exit__)
        if encoding.lower().replace("_", "-") == "utf-8-sig":
            self._fh.write(BOM)

    def write(self, t: pa.Table) -> None:
        t = t.rename_columns(_returnee_headers(t))
        opts = pacsv.WriteOptions(include_header=self.rows == 0, quoting_style="none")  # values never need quotes
        if self.direct:
            pacsv.write_csv(t, self._fh, opts)
        else:
            sink = pa.BufferOutputStream()
            pacsv.write_csv(t, sink, opts)
            self._fh.write(sink.getvalue().to_pybytes().decode("utf-8").encode(self.encoding))
        self.rows += max(t.num_rows, 1)  # a header was written even for an empty first table

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> ArrowCsv:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _write_arrow_csv(path: Path, tables, encoding: str) -> None:
    """Stream Arrow tables (any iterable, e.g. a generator) to one CSV with Chinese headers (ArrowCsv)."""
    with ArrowCsv(path, encoding) as out:
        for t in tables:
            out.write(t)


def write_returnees_csv(
    path: Path, n: int, *, seed: int = 1, encoding: str = "utf-8-sig", as_of: date | None = None
) -> Path:
    """Benchmark file: n returnees (one row per person) as CSV, generated and written in 1M-row chunks."""
    as_of = as_of or clock.today()
    _write_arrow_csv(path, iter_returnees(n, seed, demo_years(as_of), as_of), encoding)
    return path


def write_returnees_xlsx(path: Path, n: int, *, seed: int = 1, as_of: date | None = None) -> Path:
    """Benchmark file: n returnees as XLSX (xlsxwriter constant_memory; dates as ISO text, IDs as text)."""
    as_of = as_of or clock.today()
    wb = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    wb.set_properties({"created": _FIXED_TIME})
    ws = wb.add_worksheet(DATASETS["returnees"].zh)
    r = 0
    for i, t in enumerate(iter_returnees(n, seed, demo_years(as_of), as_of)):
        if i == 0:
            ws.write_row(0, 0, _returnee_headers(t))
        cols = [t.column(k).cast(pa.string()).to_pylist() for k in range(t.num_columns)]
        for row in zip(*cols, strict=True):
            r += 1
            ws.write_row(r, 0, row)
    wb.close()
    return path
