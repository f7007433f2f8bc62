"""The county's township boundaries: read a boundary file, check it, load it as one batch (README, "Township
boundaries").

A boundary file is GeoJSON (a FeatureCollection, parsed with the standard json module) or a zipped Shapefile
(.shp, .shx, .dbf, optional .prj and .cpg, read with pyshp) as a 自然资源局 hands it over. Checked, with
located messages in Chinese and English (etl.messages, codes ``boundary_*``):

- coordinates are geographic degrees in CGCS2000 (EPSG:4490) or WGS84 (EPSG:4326), within China's range;
  a projected CRS (Gauss-Krüger metres…), another datum (Beijing 1954, Xi'an 1980) or a file that declares
  GCJ-02/BD-09 (offset "Mars" coordinates) is refused, never transformed or mixed in;
- every feature is a valid polygon or multipolygon: closed rings of at least 4 positions, no
  self-intersection (shapely's validity, located);
- every feature names one registered township (镇街) of the unit registry: by a property holding its
  12-digit 行政区划代码 (or the 9-digit township code that is its prefix), failing that by its name or a
  registered alias; features of one township are merged;
- what blocks: any of the above. What is only listed (a warning): a registered township without a shape,
  a code not in the registry where the name matched, overlapping townships, a guessed text encoding.

The file replaces the previous boundaries as one batch in ``batches`` (dataset ``boundaries``): ``bin/etl
batches`` lists it and ``bin/etl rollback`` undoes it (the previous boundaries return). Stored per township:
the checked geometry as given, a simplified copy for drawing (coverage simplification, shared borders stay
shared; tolerance ``SIMPLIFY_FRACTION`` of the county's extent, coordinates rounded to 1e-5°) and a label
point inside the shape.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import math
import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import shapefile
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.ops import polylabel

from etl import clock, contracts, store
from etl.check import read_context
from etl.messages import message, printable
from etl.units import Registry

DATASET = contracts.BOUNDARIES
ZH, EN = contracts.OTHER_BATCHES[DATASET]
MAX_MB_ENV = "DASHBOARD_MAX_BOUNDARY_MB"
MAX_VERTICES = 2_000_000  # positions in the whole file: a county's 1:10,000 township layer has ~200k
SIMPLIFY_FRACTION = 1 / 1500  # drawing tolerance: this share of the county's larger extent (≈ a pixel at 1500 px)
PRECISION = 1e-5  # degrees (≈ 1 m) in the simplified copy
LON_RANGE, LAT_RANGE = (73.0, 136.0), (3.0, 54.0)  # China, generously
GEOGRAPHIC_EPSG = {"4490": "CGCS2000 (EPSG:4490)", "4326": "WGS84 (EPSG:4326)", "CRS84": "WGS84 (OGC CRS84)"}
OTHER_DATUM_EPSG = {"4214": "Beijing 1954 (EPSG:4214)", "4610": "Xian 1980 (EPSG:4610)"}
# A file that says it holds offset coordinates (GCJ-02 "Mars" or Baidu BD-09): in its CRS, its name or a property.
_OFFSET_RE = re.compile(r"gcj[-_ ]?0?2|bd[-_ ]?0?9|火星坐标|国测局|百度坐标|mars coordinates?", re.IGNORECASE)
_EPSG_RE = re.compile(r"EPSG[^0-9]{0,8}(\d{4,6})|(CRS84)", re.IGNORECASE)
_CPG = {"936": "gbk", "65001": "utf-8", "54936": "gb18030", "950": "big5", "ANSI 936": "gbk"}
MAX_LISTED = 20
_VALIDITY_ZH = {
    "Self-intersection": "边界自相交（线段交叉，如“8”字形）",
    "Ring Self-intersection": "环自相交",
    "Hole lies outside shell": "内环（洞）在外环之外",
    "Nested shells": "外环相互嵌套",
    "Interior is disconnected": "面内部被分割",
    "Too few points": "点数太少",
    "Invalid Coordinate": "坐标无效",
    "Nested holes": "内环相互嵌套",
    "Duplicate Rings": "环重复",
}


def max_bytes() -> int:
    return int(float(os.environ.get(MAX_MB_ENV, "50")) * 1024 * 1024)


def read_file(path: Path | str) -> bytes:
    """The bytes of a boundary file, checked before they are read: a regular file (never a directory, a pipe or
    a device), at most the cap plus one byte (so that the check can say it is too large). ``Refused`` otherwise;
    FileNotFoundError and PermissionError pass through."""
    path = Path(path)
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise store.Refused(*message("boundary_not_file", name=str(path)))
    with open(path, "rb") as fh:
        return fh.read(max_bytes() + 1)


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """One located problem: ``feature`` is the feature's number in the file (1-based; None = the file)."""

    code: str
    params: dict = field(default_factory=dict)
    feature: int | None = None
    where: tuple[str, ...] = ()  # the feature's first properties, as a person finds it: ("NAME=青石镇",)

    @property
    def zh(self) -> str:
        text = message(self.code, **self.params)[0]
        props = "（" + "，".join(self.where) + "）" if self.where else ""
        return (f"第{self.feature}个要素{props}：" if self.feature else "") + text

    @property
    def en(self) -> str:
        text = message(self.code, **self.params)[1]
        props = " (" + ", ".join(self.where) + ")" if self.where else ""
        return (f"Feature {self.feature}{props}: " if self.feature else "") + text


class _Stop(Exception):
    """A whole-file problem: nothing more can be checked."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.finding = Finding(code, params)


@dataclass
class Shape:
    """One township's boundary as stored: the merged checked geometry, its simplified copy, a label point."""

    township: str
    code: str | None
    features: tuple[int, ...]
    geometry: Polygon | MultiPolygon
    simplified: Polygon | MultiPolygon | None = None
    label: tuple[float, float] = (math.nan, math.nan)
    area_km2: float = math.nan


@dataclass
class Checked:
    """The verdict on one boundary file. ``status``: ok (loadable), noop (these bytes are the current
    boundaries) or rejected."""

    name: str
    sha256: str
    file_format: str = ""
    encoding: str | None = None
    crs: str = ""
    features_read: int = 0
    shapes: list[Shape] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    tolerance: float = 0.0
    duplicate_of: int | None = None

    @property
    def status(self) -> str:
        if self.duplicate_of is not None:
            return "noop"
        return "ok" if not self.errors and self.shapes else "rejected"


# --------------------------------------------------------------------------- reading


@dataclass
class _Feature:
    number: int  # 1-based, in file order
    properties: dict
    geometry: dict | None  # GeoJSON-like {"type", "coordinates"}

    @property
    def where(self) -> tuple[str, ...]:
        shown = [(k, v) for k, v in self.properties.items() if v not in (None, "")][:3]
        return tuple(f"{printable(k, 20)}={printable(v, 30)}" for k, v in shown)


def _read_geojson(data: bytes, checked: Checked) -> list[_Feature]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise _Stop("boundary_json_invalid", detail=f"UTF-8 byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise _Stop("boundary_json_invalid", detail=f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc], "crs": doc.get("crs")}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise _Stop("boundary_not_features")
    crs = doc.get("crs")
    crs_text = json.dumps(crs, ensure_ascii=False) if crs else ""
    declared = " ".join(str(doc.get(k, "")) for k in ("name", "crs_name", "coordinate_system", "coordSys"))
    if _OFFSET_RE.search(crs_text + " " + declared):
        raise _Stop("boundary_crs_offset", crs=printable(crs_text or declared, 80))
    checked.crs = _geojson_crs(crs_text)
    features = []
    for i, f in enumerate(doc["features"], start=1):
        if not isinstance(f, dict):
            features.append(_Feature(i, {}, None))
            continue
        props = f.get("properties") if isinstance(f.get("properties"), dict) else {}
        geom = f.get("geometry") if isinstance(f.get("geometry"), dict) else None
        features.append(_Feature(i, props, geom))
    return features


def _geojson_crs(crs_text: str) -> str:
    """The CRS a GeoJSON declares; none = RFC 7946's WGS84 (the coordinates' range is checked as well)."""
    if not crs_text:
        return GEOGRAPHIC_EPSG["CRS84"] + "（未声明 / not declared）"
    m = _EPSG_RE.search(crs_text)
    code = (m.group(1) or m.group(2).upper()) if m else None
    if code in GEOGRAPHIC_EPSG:
        return GEOGRAPHIC_EPSG[code]
    if code in OTHER_DATUM_EPSG:
        raise _Stop("boundary_crs_datum", crs=OTHER_DATUM_EPSG[code])
    raise _Stop("boundary_crs_projected", crs=printable(crs_text, 80))


def _read_zip(data: bytes, checked: Checked) -> list[_Feature]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in zf.infolist() if not i.is_dir() and "__MACOSX" not in i.filename]
    except zipfile.BadZipFile as exc:
        raise _Stop("boundary_zip_corrupt", detail=str(exc)) from None
    if sum(i.file_size for i in infos) > max_bytes():
        raise _Stop("boundary_too_large", size=round(sum(i.file_size for i in infos) / 2**20), limit=max_bytes() >> 20)
    shps = [i for i in infos if i.filename.lower().endswith(".shp")]
    if len(shps) != 1:
        names = "、".join(Path(i.filename).name for i in shps) or "—"
        raise _Stop("boundary_zip_layers" if shps else "boundary_zip_missing", names=names, missing=".shp")
    stem = shps[0].filename[:-4].lower()
    parts = {i.filename[len(stem) :].lower(): i for i in infos if i.filename.lower().startswith(stem)}
    missing = [ext for ext in (".shx", ".dbf") if ext not in parts]
    if missing:
        raise _Stop("boundary_zip_missing", missing=" ".join(missing), names=Path(shps[0].filename).name)
    try:
        blobs = {ext: zf.read(info) for ext, info in parts.items() if ext in (".shp", ".shx", ".dbf", ".prj", ".cpg")}
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise _Stop("boundary_zip_corrupt", detail=str(exc)) from None
    prj = _decode_text(blobs.get(".prj", b""))
    checked.crs = _prj_crs(prj, checked)
    encoding = _cpg_encoding(_decode_text(blobs.get(".cpg", b"")))
    tried = [encoding] if encoding else ["utf-8", "gb18030"]
    for enc in tried:
        try:
            features = _read_shp(blobs, enc)
        except UnicodeDecodeError:
            continue
        checked.encoding = enc
        if not encoding and enc != "utf-8":
            checked.warnings.append(Finding("boundary_encoding_guessed", {"encoding": enc.upper()}))
        return features
    raise _Stop("boundary_encoding", encoding=" / ".join(t.upper() for t in tried))


def _decode_text(b: bytes) -> str:
    return b.decode("utf-8", errors="replace").strip().lstrip("\ufeff")


def _cpg_encoding(text: str) -> str | None:
    if not text:
        return None
    enc = _CPG.get(text.strip().upper(), text.strip())
    try:
        return codecs.lookup(enc).name
    except LookupError:
        return None


def _prj_crs(prj: str, checked: Checked) -> str:
    """The CRS a .prj (WKT) declares: geographic CGCS2000/WGS84 accepted, anything else refused."""
    if not prj:
        checked.warnings.append(Finding("boundary_no_prj"))
        return "CGCS2000/WGS84（无 .prj，按坐标范围判断 / no .prj: judged by the coordinates' range）"
    if _OFFSET_RE.search(prj):
        raise _Stop("boundary_crs_offset", crs=printable(prj, 80))
    head = prj.lstrip().upper()
    name = re.search(r'"([^"]*)"', prj)
    shown = printable(name.group(1) if name else prj, 80)
    if head.startswith(("PROJCS", "PROJCRS", "PROJECTEDCRS")):
        raise _Stop("boundary_crs_projected", crs=shown)
    if not head.startswith(("GEOGCS", "GEOGCRS", "GEODCRS", "GEOGRAPHICCRS")):
        raise _Stop("boundary_crs_unknown", crs=shown)
    flat = re.sub(r"[\s_]", "", prj.upper())
    if "CHINA2000" in flat or "CGCS2000" in flat:
        return "CGCS2000 (.prj: " + shown + ")"
    if "WGS1984" in flat or "WGS84" in flat:
        return "WGS84 (.prj: " + shown + ")"
    raise _Stop("boundary_crs_datum", crs=shown)


def _read_shp(blobs: dict[str, bytes], encoding: str) -> list[_Feature]:
    try:
        reader = shapefile.Reader(
            shp=io.BytesIO(blobs[".shp"]), shx=io.BytesIO(blobs[".shx"]), dbf=io.BytesIO(blobs[".dbf"]),
            encoding=encoding, encodingErrors="strict",
        )  # fmt: skip
        features = []
        for i, sr in enumerate(reader.iterShapeRecords(), start=1):
            props = {k: (v.strip() if isinstance(v, str) else v) for k, v in sr.record.as_dict().items()}
            features.append(_Feature(i, props, _shp_geometry(sr.shape)))
        return features
    except UnicodeDecodeError:
        raise
    except Exception as exc:  # pyshp raises its own and struct errors on damaged files
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, UnicodeDecodeError) or "decode" in str(exc).lower():  # text in another encoding
            raise UnicodeDecodeError(encoding, b"", 0, 1, str(exc)) from exc
        raise _Stop("boundary_zip_corrupt", detail=f"{type(exc).__name__}: {exc}") from None


def _shp_geometry(shape) -> dict | None:
    """A Shapefile record's geometry as GeoJSON-like rings, grouped into polygons by ring orientation (outer
    rings clockwise, holes counter-clockwise, as the format says); an unclosed ring stays unclosed."""
    if shape.shapeType in (shapefile.NULL,):
        return None
    if shape.shapeType not in (shapefile.POLYGON, shapefile.POLYGONZ, shapefile.POLYGONM):
        return {"type": shapefile.SHAPETYPE_LOOKUP.get(shape.shapeType, str(shape.shapeType)), "coordinates": []}
    bounds = [*shape.parts, len(shape.points)]
    rings = [[list(p[:2]) for p in shape.points[a:b]] for a, b in zip(bounds, bounds[1:], strict=False)]
    polygons: list[list] = []
    for ring in rings:
        if len(ring) >= 3 and _signed_area(ring) > 0 and polygons:  # counter-clockwise: a hole of the last shell
            polygons[-1].append(ring)
        else:
            polygons.append([ring])
    return {"type": "MultiPolygon", "coordinates": polygons}


def _signed_area(ring: list) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


# --------------------------------------------------------------------------- geometry


def _geometry(f: _Feature, findings: list[Finding]) -> Polygon | MultiPolygon | None:
    """The feature's checked geometry, or None with its findings added."""

    def bad(code: str, **params: object) -> None:
        findings.append(Finding(code, params, f.number, f.where))

    g = f.geometry
    if not g or not g.get("type"):
        bad("boundary_geometry_missing")
        return None
    kind, coords = g.get("type"), g.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon"):
        bad("boundary_geometry_type", type=printable(kind, 30))
        return None
    polys = [coords] if kind == "Polygon" else coords
    if not isinstance(polys, list) or not polys:
        bad("boundary_coordinates")
        return None
    out = []
    for p_i, rings in enumerate(polys, start=1):
        if not isinstance(rings, list) or not rings:
            bad("boundary_coordinates")
            return None
        clean = []
        for r_i, ring in enumerate(rings, start=1):
            pts = _positions(ring)
            if pts is None:
                bad("boundary_coordinates")
                return None
            where = {"ring": r_i, "polygon": p_i}
            if len(pts) >= 2 and pts[0] != pts[-1]:
                bad("boundary_ring_open", **where, first=_pt(pts[0]), last=_pt(pts[-1]))
                return None
            if len(pts) < 4:
                bad("boundary_ring_short", **where, n=len(pts))
                return None
            clean.append(pts)
        out.append(Polygon(clean[0], clean[1:]))
    geom = out[0] if len(out) == 1 else MultiPolygon(out)
    reason = shapely.is_valid_reason(geom)
    if reason != "Valid Geometry":
        m = re.match(r"([^\[]+)(?:\[([-\d.e]+) ([-\d.e]+)\])?", reason)
        what = m.group(1).strip() if m else reason
        at = f"{float(m.group(2)):.6f}, {float(m.group(3)):.6f}" if m and m.group(2) else "—"
        bad("boundary_invalid", reason_zh=_VALIDITY_ZH.get(what, what), reason_en=what, at=at)
        return None
    return geom


def _positions(ring: object) -> list[tuple[float, float]] | None:
    if not isinstance(ring, list):
        return None
    out = []
    for p in ring:
        if not isinstance(p, list | tuple) or len(p) < 2:
            return None
        x, y = p[0], p[1]
        if (
            isinstance(x, bool)
            or isinstance(y, bool)
            or not isinstance(x, int | float)
            or not isinstance(y, int | float)
        ):
            return None
        if not (math.isfinite(x) and math.isfinite(y)):
            return None
        out.append((float(x), float(y)))
    return out


def _pt(p: tuple[float, float]) -> str:
    return f"{p[0]:.6f}, {p[1]:.6f}"


def _range_finding(f: _Feature, geom) -> Finding | None:
    """Coordinates outside China's longitude/latitude range, with a hint at what they are instead."""
    x0, y0, x1, y1 = geom.bounds
    if LON_RANGE[0] <= x0 and x1 <= LON_RANGE[1] and LAT_RANGE[0] <= y0 and y1 <= LAT_RANGE[1]:
        return None
    if max(abs(x0), abs(x1), abs(y0), abs(y1)) > 360:
        code = "boundary_range_metres"
    elif LAT_RANGE[0] <= x0 and x1 <= LAT_RANGE[1] and LON_RANGE[0] <= y0 and y1 <= LON_RANGE[1]:
        code = "boundary_range_swapped"
    else:
        code = "boundary_range"
    return Finding(code, {"at": _pt((x0, y0))}, f.number, f.where)


# --------------------------------------------------------------------------- matching the registry


def _text(v: object) -> str | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if math.isfinite(v) and v.is_integer() else None
    if isinstance(v, str):
        return unicodedata.normalize("NFKC", v).strip()
    return None


@dataclass
class _Towns:
    """The registry's townships as the matcher sees them."""

    by_code: dict[str, str]  # 12-digit code → name
    by_code9: dict[str, str]  # the 9-digit township code (a 12-digit code ending in 000) → name
    by_name: dict[str, str]  # name or alias → name
    expected: list[str]  # townships valid this year, in code order

    @classmethod
    def of(cls, registry: Registry, year: int) -> _Towns:
        towns = {n: u for n, u in registry.units.items() if u.type == "镇街"}
        by_code = {u.code: n for n, u in towns.items() if u.code}
        by_code9 = {c[:9]: n for c, n in by_code.items() if c.endswith("000")}
        by_name = {n: n for n in towns} | {a: c for a, c in registry.aliases.items() if c in towns}
        expected = sorted((n for n, u in towns.items() if u.valid_in(year)), key=lambda n: (towns[n].code or "~", n))
        return cls(by_code, by_code9, by_name, expected)


def _match(f: _Feature, towns: _Towns, findings: list[Finding], warnings: list[Finding]) -> str | None:
    """The registered township a feature draws: by code, failing that by name (aliases resolve)."""
    by_code: dict[str, str] = {}
    unknown_codes: list[str] = []
    by_name: dict[str, str] = {}
    for key, value in f.properties.items():
        s = _text(value)
        if not s:
            continue
        if s.isdigit() and len(s) in (9, 12):
            hit = towns.by_code.get(s) if len(s) == 12 else towns.by_code9.get(s)
            if hit:
                by_code[hit] = s
            elif re.search(r"code|dm|代码|编码", str(key), re.IGNORECASE):
                unknown_codes.append(s)
        elif s in towns.by_name:
            by_name[towns.by_name[s]] = s
    where = {"feature": f.number, "where": f.where}
    if len(by_code) > 1 or (not by_code and len(by_name) > 1):
        found = by_code or by_name
        findings.append(Finding("boundary_ambiguous", {"names": "、".join(found)}, **where))
        return None
    if by_code:
        town = next(iter(by_code))
        others = [n for n in by_name if n != town]
        if others:
            params = {"code": by_code[town], "by_code": town, "by_name": others[0]}
            findings.append(Finding("boundary_conflict", params, **where))
            return None
        return town
    if by_name:
        town, written = next(iter(by_name.items()))
        if unknown_codes:
            warnings.append(Finding("boundary_code_unknown", {"code": unknown_codes[0], "name": town}, **where))
        if written != town:
            warnings.append(Finding("boundary_alias", {"alias": written, "name": town}, **where))
        return town
    code = unknown_codes[0] if unknown_codes else ""
    findings.append(Finding("boundary_unmatched_code" if code else "boundary_unmatched", {"code": code}, **where))
    return None


# --------------------------------------------------------------------------- the check


def check(data: bytes, name: str, registry: Registry, *, year: int | None = None) -> Checked:
    """Read and check one boundary file against the unit registry; nothing is written."""
    checked = Checked(name, hashlib.sha256(data).hexdigest())
    try:
        _check(data, name, registry, year or clock.today().year, checked)
    except _Stop as stop:
        checked.errors.append(stop.finding)
        checked.shapes = []
    return checked


def _check(data: bytes, name: str, registry: Registry, year: int, checked: Checked) -> None:
    if not data:
        raise _Stop("boundary_empty")
    if len(data) > max_bytes():
        raise _Stop("boundary_too_large", size=round(len(data) / 2**20), limit=max_bytes() >> 20)
    suffix = Path(name).suffix.lower()
    if suffix == ".zip" or data[:4] == b"PK\x03\x04":
        checked.file_format = "shapefile"
        features = _read_zip(data, checked)
    elif suffix in (".geojson", ".json") or data.lstrip()[:1] == b"{":
        checked.file_format = "geojson"
        features = _read_geojson(data, checked)
    else:
        raise _Stop("boundary_format", name=name)
    checked.features_read = len(features)
    if not features:
        raise _Stop("boundary_no_features")
    if registry.empty or not any(u.type == "镇街" for u in registry.units.values()):
        raise _Stop("boundary_registry_empty")
    for f in features:  # a property that says the coordinates are offset
        for k, v in f.properties.items():
            if _OFFSET_RE.search(f"{k} {v if isinstance(v, str) else ''}"):
                raise _Stop("boundary_crs_offset", crs=printable(f"{k}={v}", 80))
    n_vertices = 0
    towns = _Towns.of(registry, year)
    errors, warnings = checked.errors, checked.warnings
    merged: dict[str, list[tuple[_Feature, Polygon | MultiPolygon]]] = {}
    range_errors = 0
    for f in features:
        geom = _geometry(f, errors)
        town = _match(f, towns, errors, warnings)
        if geom is None:
            continue
        n_vertices += shapely.get_num_coordinates(geom)
        if n_vertices > MAX_VERTICES:
            raise _Stop("boundary_too_many_vertices", limit=f"{MAX_VERTICES:,}")
        out_of_range = _range_finding(f, geom)
        if out_of_range is not None:
            range_errors += 1
            if range_errors <= 3:  # the same cause everywhere: three say it
                errors.append(out_of_range)
            continue
        if town is not None:
            merged.setdefault(town, []).append((f, geom))
    if range_errors > 3:
        errors.append(Finding("boundary_range_more", {"n": range_errors - 3}))
    shapes = []
    for town, parts in merged.items():
        numbers = tuple(f.number for f, _ in parts)
        geom = parts[0][1] if len(parts) == 1 else shapely.union_all([g for _, g in parts])
        if len(parts) > 1:
            listed = "、".join(str(n) for n in numbers)
            warnings.append(Finding("boundary_merged", {"township": town, "n": len(parts), "features": listed}))
        code = next((c for c, n in towns.by_code.items() if n == town), None)
        shapes.append(Shape(town, code, numbers, geom))
    missing = [t for t in towns.expected if t not in merged]
    if missing:
        listed = "、".join(missing[:MAX_LISTED]) + ("…" if len(missing) > MAX_LISTED else "")
        warnings.append(Finding("boundary_missing", {"n": len(missing), "names": listed}))
    if errors:
        return
    _overlaps(shapes, warnings)
    order = {t: i for i, t in enumerate(towns.expected)}
    checked.shapes = sorted(shapes, key=lambda s: (order.get(s.township, len(order)), s.township))
    checked.tolerance = _simplify(checked.shapes)


def _overlaps(shapes: list[Shape], warnings: list[Finding]) -> None:
    """Two townships that share more than 1 % of the smaller one's area (slivers along a border are normal)."""
    geoms = [s.geometry for s in shapes]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for a, b in zip(left, right, strict=True):
        if a >= b:
            continue
        shared = shapely.area(shapely.intersection(geoms[a], geoms[b]))
        if shared > 0.01 * min(geoms[a].area, geoms[b].area):
            share = shared / min(geoms[a].area, geoms[b].area)
            params = {"a": shapes[a].township, "b": shapes[b].township, "share": f"{share:.0%}"}
            warnings.append(Finding("boundary_overlap", params))


def _simplify(shapes: list[Shape]) -> float:
    """Fill each shape's simplified copy, label point and area; return the tolerance used (degrees)."""
    x0, y0, x1, y1 = shapely.total_bounds([s.geometry for s in shapes])
    tol = max(x1 - x0, y1 - y0) * SIMPLIFY_FRACTION
    geoms = [s.geometry for s in shapes]
    try:  # a coverage (no overlaps): shared borders are simplified once, so neighbours stay flush
        simple = list(shapely.coverage_simplify(geoms, tol)) if shapely.coverage_is_valid(geoms) else None
    except shapely.errors.GEOSException:
        simple = None
    if simple is None:
        simple = [shapely.simplify(g, tol, preserve_topology=True) for g in geoms]
    lat0 = (y0 + y1) / 2
    km2 = 111.32**2 * math.cos(math.radians(lat0))
    for s, g in zip(shapes, simple, strict=True):
        g = shapely.set_precision(g, PRECISION)
        if g.is_empty:  # smaller than the precision: keep the shape as given
            g = s.geometry
        s.simplified = g
        largest = max(getattr(g, "geoms", [g]), key=lambda p: p.area)
        point = polylabel(largest, tolerance=tol) if largest.area > 0 else largest.representative_point()
        s.label = (round(point.x, 6), round(point.y, 6))
        s.area_km2 = round(s.geometry.area * km2, 3)
    return tol


def geojson_text(geom) -> str:
    """A geometry as compact GeoJSON text (coordinates as stored)."""
    return json.dumps(mapping(geom), separators=(",", ":"))


# --------------------------------------------------------------------------- loading


@dataclass
class LoadResult:
    status: str  # loaded | noop | rejected
    checked: Checked
    batch_id: int | None = None
    kept_path: Path | None = None


_CURRENT_SQL = (
    "SELECT batch_id, sha256 FROM batches WHERE dataset = 'boundaries' AND status = 'loaded' "
    "ORDER BY batch_id DESC LIMIT 1"
)


def _current(db_path: Path) -> tuple[int, str] | None:
    reader = store.Reader(db_path)
    try:
        row = reader.cursor().execute(_CURRENT_SQL).fetchone()
    finally:
        reader.close()
    return None if row is None else (int(row[0]), str(row[1]))


def check_file(db_path: Path, data: bytes, name: str) -> tuple[Checked, tuple]:
    """Check ``data`` against the warehouse's registry; (checked, the version it was read from)."""
    ctx = read_context(db_path)
    checked = check(data, name, ctx.registry)
    current = _current(db_path) if ctx.exists else None
    if checked.status == "ok" and current is not None and current[1] == checked.sha256:
        checked.duplicate_of = current[0]
    return checked, ctx.version


def load(
    db_path: Path | None, file_path: Path | str, *, data: bytes | None = None, user: str = "cli", on_wait=None
) -> LoadResult:
    """Check one boundary file and load it as one batch that replaces the current boundaries (one transaction,
    build-then-swap under the writer lock). A refused file changes nothing. ``on_wait``: as for
    ``etl.warehouse.writer_lock``."""
    from etl import warehouse

    db_path = store.require(Path(db_path or store.default_db_path()))
    file_path = Path(file_path)
    data = read_file(file_path) if data is None else data
    checked, version = check_file(db_path, data, file_path.name)
    if checked.status != "ok":
        return LoadResult(checked.status, checked)
    with warehouse.writer_lock(db_path, on_wait=on_wait):
        if store.version(db_path) != version:  # a batch committed since the check (a new registry?)
            checked, version = check_file(db_path, data, file_path.name)
            if checked.status != "ok":
                return LoadResult(checked.status, checked)
        kept = None
        try:
            with warehouse.build_and_swap(db_path) as con:
                batch_id = int(con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM batches").fetchone()[0])
                kept = _keep(db_path, batch_id, checked, data)
                _insert(con, batch_id, checked, user, kept)
        except BaseException:
            if kept is not None:
                kept.unlink(missing_ok=True)  # cleaning up must not hide why the load failed
            raise
    return LoadResult("loaded", checked, batch_id, kept)


def _keep(db_path: Path, batch_id: int, checked: Checked, data: bytes) -> Path:
    """The file as given, beside the other kept uploads (boundaries hold no personal data)."""
    safe = re.sub(r"[^\w.\-]+", "_", Path(checked.name).name)[-80:] or "boundaries"
    path = store.uploads_dir(db_path) / "boundaries" / f"{batch_id:06d}_{checked.sha256[:12]}_{safe}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _insert(con, batch_id: int, checked: Checked, user: str, kept: Path) -> None:
    rows = [
        (
            batch_id, s.township, s.code, ",".join(str(n) for n in s.features), geojson_text(s.geometry),
            geojson_text(s.simplified), s.label[0], s.label[1], s.area_km2, checked.crs, checked.tolerance,
        )
        for s in checked.shapes
    ]  # fmt: skip
    con.executemany("INSERT INTO boundaries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    warnings = [{"row": w.feature, "column": "", "code": w.code, "reason_zh": w.zh} for w in checked.warnings]
    con.execute(
        "INSERT INTO batches (batch_id, dataset, file_name, sha256, file_format, encoding, sheet, rows_read, "
        "rows_loaded, rows_rejected, user_name, loaded_at, kept_path, warnings) "
        "VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, 0, ?, ?, ?, ?)",
        [
            batch_id, DATASET, checked.name, checked.sha256, checked.file_format, checked.encoding,
            checked.features_read, checked.features_read, user, clock.now(), str(kept),
            json.dumps(warnings, ensure_ascii=False),
        ],
    )  # fmt: skip


def later_batches(con, batch_id: int) -> list[int]:
    """Loaded boundary batches after ``batch_id`` (each replaced it whole: roll those back first)."""
    sql = "SELECT batch_id FROM batches WHERE dataset = 'boundaries' AND status = 'loaded' AND batch_id > ? ORDER BY 1"
    return [r[0] for r in con.execute(sql, [batch_id]).fetchall()]


def lines(findings: Iterable[Finding], lang: str) -> list[str]:
    return [f.zh if lang == "zh" else f.en for f in findings]
