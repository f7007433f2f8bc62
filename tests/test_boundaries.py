"""Township boundary files (etl.boundaries): read, checked against the unit registry, loaded as one batch that
replaces the previous boundaries, rolled back exactly; a refused file leaves the warehouse byte-identical."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapefile

from etl import boundaries, demo, warehouse
from etl.demo_county import make_boundaries, make_county, make_units
from etl.messages import CATALOGUE
from tests.clerk_files import q

ROOT = Path(__file__).resolve().parents[1]
YEARS = [2022, 2023, 2024, 2025, 2026]
WGS84_PRJ = (
    'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
)
CGCS2000_GK_PRJ = (
    'PROJCS["CGCS2000_3_Degree_GK_CM_105E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",'
    'DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],'
    'PARAMETER["Central_Meridian",105.0],PARAMETER["Scale_Factor",1.0],UNIT["Meter",1.0]]'
)


@pytest.fixture(scope="module")
def county():
    return make_county(np.random.default_rng(2012))


@pytest.fixture(scope="module")
def demo_geojson(county) -> dict:
    return make_boundaries(county, 2012)


@pytest.fixture()
def db(tmp_path, county) -> Path:
    """A warehouse holding the demo county's unit registry (18 townships + 新区街道 + the merged 红岩乡)."""
    from etl.demo import _write

    path = warehouse.init(tmp_path / "wh" / "w.duckdb")
    units = _write(tmp_path, "units", make_units(county, YEARS), demo.date(2026, 11, 27), YEARS, 2012)
    assert warehouse.load_file(path, units).status == "loaded"
    return path


def write(tmp_path: Path, doc: dict, name: str = "b.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def codes(res) -> list[str]:
    return [f.code for f in res.checked.errors]


def warning_codes(res) -> list[str]:
    return [f.code for f in res.checked.warnings]


def current(db: Path) -> list[tuple]:
    return q(db, "SELECT township, batch_id FROM v_boundaries ORDER BY township")


def test_the_demo_file_loads_and_lists_the_township_without_a_shape(db, tmp_path, demo_geojson):
    res = boundaries.load(db, write(tmp_path, demo_geojson), user="tester")
    assert res.status == "loaded", [f.en for f in res.checked.errors]
    assert warning_codes(res) == ["boundary_missing"]  # 新区街道 is registered for 2026, drawn by nobody
    assert "新区街道" in res.checked.warnings[0].zh and "红岩乡" not in res.checked.warnings[0].zh  # merged in 2020
    rows = q(db, "SELECT township, code, label_lon, label_lat, area_km2, simplified_geojson FROM v_boundaries")
    assert len(rows) == 18
    assert {r[1] for r in rows} == {f"510999{100 + i:03d}000" for i in range(18)}
    import shapely

    for _town, _code, lon, lat, area, simple in rows:
        shape = shapely.from_geojson(simple)
        assert shape.is_valid and shape.contains(shapely.Point(lon, lat))  # the label point lies inside
        assert 20 < area < 1000
    batch = q(
        db,
        "SELECT dataset, rows_read, rows_loaded, user_name, status FROM v_batches WHERE batch_id = ?",
        [res.batch_id],
    )
    assert batch == [("boundaries", 18, 18, "tester", "loaded")]
    assert res.kept_path.read_bytes() == (tmp_path / "b.geojson").read_bytes()


def test_a_self_intersecting_polygon_is_refused_naming_the_feature_and_the_warehouse_is_unchanged(
    db, tmp_path, demo_geojson
):
    doc = copy.deepcopy(demo_geojson)
    bow_tie = [[104.5, 30.0], [104.6, 30.1], [104.6, 30.0], [104.5, 30.1], [104.5, 30.0]]
    doc["features"][2]["geometry"] = {"type": "Polygon", "coordinates": [bow_tie]}
    before = db.read_bytes()
    res = boundaries.load(db, write(tmp_path, doc))
    assert res.status == "rejected" and codes(res) == ["boundary_invalid"]
    zh, en = res.checked.errors[0].zh, res.checked.errors[0].en
    assert zh.startswith("第3个要素（XZQDM=510999102000，XZQMC=青石镇") and "自相交" in zh and "104.55" in zh
    assert en.startswith("Feature 3 (") and "Self-intersection at 104.550000, 30.050000" in en
    assert "Repair Geometry" in en
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    ("ring", "code"),
    [
        ([[104.5, 30.0], [104.6, 30.0], [104.6, 30.1], [104.5, 30.1]], "boundary_ring_open"),
        ([[104.5, 30.0], [104.6, 30.0], [104.5, 30.0]], "boundary_ring_short"),
        ([[104.5, 30.0], ["x", 30.0], [104.6, 30.1], [104.5, 30.0]], "boundary_coordinates"),
    ],
)
def test_unclosed_short_and_garbled_rings_are_located_errors(db, tmp_path, demo_geojson, ring, code):
    doc = copy.deepcopy(demo_geojson)
    doc["features"][0]["geometry"] = {"type": "Polygon", "coordinates": [ring]}
    res = boundaries.load(db, write(tmp_path, doc))
    assert codes(res) == [code]
    assert res.checked.errors[0].feature == 1


def test_a_line_or_a_feature_without_geometry_is_refused(db, tmp_path, demo_geojson):
    doc = copy.deepcopy(demo_geojson)
    doc["features"][0]["geometry"] = {"type": "LineString", "coordinates": [[104.5, 30.0], [104.6, 30.1]]}
    doc["features"][1]["geometry"] = None
    res = boundaries.load(db, write(tmp_path, doc))
    assert codes(res) == ["boundary_geometry_type", "boundary_geometry_missing"]


def test_a_wrong_code_falls_back_to_the_name_and_a_missing_code_too(db, tmp_path, demo_geojson):
    doc = copy.deepcopy(demo_geojson)
    doc["features"][0]["properties"]["XZQDM"] = "510999999000"  # not registered: matched by its name, said so
    del doc["features"][1]["properties"]["XZQDM"]  # no code: the name (an alias here) is enough
    doc["features"][1]["properties"]["XZQMC"] = "东城办事处"
    doc["features"][2]["properties"]["XZQDM"] = "510999102"  # the 9-digit township code
    res = boundaries.load(db, write(tmp_path, doc))
    assert res.status == "loaded"
    assert warning_codes(res) == ["boundary_code_unknown", "boundary_alias", "boundary_missing"]
    assert "510999999000" in res.checked.warnings[0].zh and "城关街道" in res.checked.warnings[0].zh
    assert len(current(db)) == 18


def test_an_unknown_township_and_a_code_name_conflict_are_errors(db, tmp_path, demo_geojson):
    doc = copy.deepcopy(demo_geojson)
    doc["features"][0]["properties"] = {"XZQDM": "510999999000", "XZQMC": "外县镇"}
    doc["features"][1]["properties"] = {"NAME": "云雾镇"}
    doc["features"][2]["properties"]["XZQMC"] = "柳河镇"  # the code says 青石镇
    before = db.read_bytes()
    res = boundaries.load(db, write(tmp_path, doc))
    assert codes(res) == ["boundary_unmatched_code", "boundary_unmatched", "boundary_conflict"]
    assert "云雾镇" in res.checked.errors[1].zh and "单位名录" in res.checked.errors[1].zh
    assert "青石镇" in res.checked.errors[2].en and "柳河镇" in res.checked.errors[2].en
    assert db.read_bytes() == before


def test_features_of_one_township_are_merged(db, tmp_path, demo_geojson):
    import shapely

    doc = copy.deepcopy(demo_geojson)
    whole = shapely.geometry.shape(doc["features"][5]["geometry"])
    x0, y0, x1, y1 = whole.bounds
    west = whole.intersection(shapely.box(x0, y0, (x0 + x1) / 2, y1))
    east = whole.intersection(shapely.box((x0 + x1) / 2, y0, x1, y1))
    doc["features"][5]["geometry"] = shapely.geometry.mapping(west)
    doc["features"].append({**doc["features"][5], "geometry": shapely.geometry.mapping(east)})
    res = boundaries.load(db, write(tmp_path, doc))
    assert res.status == "loaded" and "boundary_merged" in warning_codes(res)
    assert q(db, "SELECT features FROM v_boundaries WHERE township = '桃园镇'") == [("6,19",)]


def _shapefile_zip(doc: dict, prj: str | None, encoding: str = "gbk", cpg: str | None = None) -> bytes:
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    w = shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON, encoding=encoding)
    w.field("XZQDM", "C", 12)
    w.field("XZQMC", "C", 50)
    for f in doc["features"]:
        ring = [list(p) for p in f["geometry"]["coordinates"][0]]
        w.poly([ring if boundaries._signed_area(ring) < 0 else ring[::-1]])  # a Shapefile's outer ring runs clockwise
        w.record(f["properties"]["XZQDM"], f["properties"]["XZQMC"])
    w.close()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("乡镇界/XZQ.shp", shp.getvalue())
        zf.writestr("乡镇界/XZQ.shx", shx.getvalue())
        zf.writestr("乡镇界/XZQ.dbf", dbf.getvalue())
        if prj is not None:
            zf.writestr("乡镇界/XZQ.prj", prj)
        if cpg is not None:
            zf.writestr("乡镇界/XZQ.cpg", cpg)
    return buf.getvalue()


def test_a_zipped_shapefile_with_gbk_names_loads(db, tmp_path, demo_geojson):
    path = tmp_path / "乡镇界.zip"
    path.write_bytes(_shapefile_zip(demo_geojson, WGS84_PRJ))  # no .cpg: UTF-8 fails, GB18030 reads it
    res = boundaries.load(db, path)
    assert res.status == "loaded", [f.en for f in res.checked.errors]
    assert res.checked.file_format == "shapefile" and res.checked.crs.startswith("WGS84")
    assert warning_codes(res) == ["boundary_encoding_guessed", "boundary_missing"]
    assert len(current(db)) == 18
    path.write_bytes(_shapefile_zip(demo_geojson, None, "utf-8", cpg="UTF-8"))
    res = boundaries.load(db, path)
    assert res.status == "loaded" and warning_codes(res) == ["boundary_no_prj", "boundary_missing"]


def test_a_projected_crs_is_refused_with_what_to_do(db, tmp_path, demo_geojson):
    before = db.read_bytes()
    path = tmp_path / "gk.zip"
    path.write_bytes(_shapefile_zip(demo_geojson, CGCS2000_GK_PRJ))
    res = boundaries.load(db, path)
    assert codes(res) == ["boundary_crs_projected"]
    assert "CGCS2000_3_Degree_GK_CM_105E" in res.checked.errors[0].zh and "EPSG:4490" in res.checked.errors[0].zh
    doc = copy.deepcopy(demo_geojson)
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4545"}}
    assert codes(boundaries.load(db, write(tmp_path, doc))) == ["boundary_crs_projected"]
    del doc["crs"]  # undeclared, but in metres: the range says so
    for f in doc["features"]:
        f["geometry"]["coordinates"] = [[[x * 1e5, y * 1e5] for x, y in r] for r in f["geometry"]["coordinates"]]
    res = boundaries.load(db, write(tmp_path, doc))
    assert codes(res) == ["boundary_range_metres"] * 3 + ["boundary_range_more"]
    assert db.read_bytes() == before


def test_gcj02_is_refused_wherever_it_is_declared(db, tmp_path, demo_geojson):
    before = db.read_bytes()
    doc = copy.deepcopy(demo_geojson)
    doc["crs"] = {"type": "name", "properties": {"name": "GCJ-02"}}
    res = boundaries.load(db, write(tmp_path, doc))
    assert codes(res) == ["boundary_crs_offset"]
    assert "火星坐标" in res.checked.errors[0].zh and "CGCS2000" in res.checked.errors[0].zh
    doc = copy.deepcopy(demo_geojson)
    doc["features"][4]["properties"]["坐标系"] = "GCJ02"
    assert codes(boundaries.load(db, write(tmp_path, doc))) == ["boundary_crs_offset"]
    path = tmp_path / "bd.zip"
    path.write_bytes(_shapefile_zip(demo_geojson, WGS84_PRJ.replace("GCS_WGS_1984", "GCS_GCJ02")))
    assert codes(boundaries.load(db, path)) == ["boundary_crs_offset"]
    assert db.read_bytes() == before


def test_another_datum_is_refused(db, tmp_path, demo_geojson):
    path = tmp_path / "xian80.zip"
    path.write_bytes(_shapefile_zip(demo_geojson, WGS84_PRJ.replace("WGS_1984", "Xian_1980")))
    assert codes(boundaries.load(db, path)) == ["boundary_crs_datum"]


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "b.geojson", "boundary_empty"),
        (b"{not json", "b.geojson", "boundary_json_invalid"),
        (b'{"type": "Topology"}', "b.json", "boundary_not_features"),
        (b'{"type": "FeatureCollection", "features": []}', "b.geojson", "boundary_no_features"),
        (b"PK\x03\x04broken", "b.zip", "boundary_zip_corrupt"),
        (b"a,b\n1,2\n", "b.csv", "boundary_format"),
    ],
)
def test_whole_file_problems(db, data, name, code):
    checked = boundaries.check(data, name, boundaries.read_context(db).registry)
    assert [f.code for f in checked.errors] == [code]


def test_a_zip_without_its_dbf_is_refused(db, tmp_path, demo_geojson):
    data = _shapefile_zip(demo_geojson, WGS84_PRJ)
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            if not info.filename.endswith(".dbf"):
                dst.writestr(info, src.read(info))
    path = tmp_path / "nodbf.zip"
    path.write_bytes(buf.getvalue())
    res = boundaries.load(db, path)
    assert codes(res) == ["boundary_zip_missing"] and ".dbf" in res.checked.errors[0].en


def test_the_size_cap(db, tmp_path, demo_geojson, monkeypatch):
    monkeypatch.setenv(boundaries.MAX_MB_ENV, "0.01")
    res = boundaries.load(db, write(tmp_path, demo_geojson))
    assert codes(res) == ["boundary_too_large"]


def test_without_a_registry_boundaries_cannot_be_matched(tmp_path, demo_geojson):
    db = warehouse.init(tmp_path / "empty.duckdb")
    assert codes(boundaries.load(db, write(tmp_path, demo_geojson))) == ["boundary_registry_empty"]


def test_a_new_file_replaces_the_boundaries_whole_and_rollback_brings_the_old_ones_back(db, tmp_path, demo_geojson):
    first = boundaries.load(db, write(tmp_path, demo_geojson, "first.geojson"))
    doc = copy.deepcopy(demo_geojson)
    doc["features"] = doc["features"][:10]  # a partial file: the other 8 (and 新区街道) are listed
    second = boundaries.load(db, write(tmp_path, doc, "second.geojson"))
    assert second.status == "loaded" and "9 个镇街没有边界" in second.checked.warnings[-1].zh
    assert {b for _, b in current(db)} == {second.batch_id} and len(current(db)) == 10
    with pytest.raises(warehouse.Refused):  # a later boundaries batch replaced it: roll that back first
        warehouse.rollback(db, first.batch_id)
    warehouse.rollback(db, second.batch_id)
    assert {b for _, b in current(db)} == {first.batch_id} and len(current(db)) == 18
    assert boundaries.load(db, write(tmp_path, demo_geojson, "again.geojson")).status == "noop"


def test_a_failed_write_leaves_the_warehouse_and_no_kept_file(db, tmp_path, demo_geojson, monkeypatch):
    before = db.read_bytes()

    def broken(con, *args):
        con.execute("INSERT INTO boundaries (batch_id, township) VALUES (1, NULL)")  # violates NOT NULL

    monkeypatch.setattr(boundaries, "_insert", broken)
    with pytest.raises(Exception, match="NOT NULL"):
        boundaries.load(db, write(tmp_path, demo_geojson))
    assert db.read_bytes() == before
    assert not list((db.parent / "uploads" / "boundaries").glob("*"))


def test_every_boundary_code_has_both_languages():
    found = [c for c in CATALOGUE if c.startswith("boundary_")]
    assert len(found) >= 30
    for code in found:
        zh, en = CATALOGUE[code]
        assert zh and en and zh != en


def _etl(db: Path, *args: str, lang: str = "zh") -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "etl", "--db", str(db), "--lang", lang, *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)


def test_the_command_line(db, tmp_path, demo_geojson):
    path = write(tmp_path, demo_geojson)
    out = _etl(db, "boundaries", str(path), "--check")
    assert out.returncode == 0 and "校验通过：18 个要素，18 个镇街" in out.stdout, out.stderr
    assert not current(db)
    out = _etl(db, "boundaries", str(path), lang="en")
    assert out.returncode == 0 and "Loaded batch 2 (Township boundaries): 18 features, 18 townships" in out.stdout
    assert "新区街道" in out.stdout  # the township without a shape is listed
    out = _etl(db, "batches")
    assert out.returncode == 0 and "镇街边界" in out.stdout
    doc = copy.deepcopy(demo_geojson)
    doc["crs"] = {"type": "name", "properties": {"name": "EPSG:3857"}}
    out = _etl(db, "boundaries", str(write(tmp_path, doc, "bad.geojson")))
    assert out.returncode == 1 and "投影坐标" in out.stdout and "数据仓库未改动" in out.stdout
    out = _etl(db, "rollback", "2", lang="en")
    assert out.returncode == 0 and "Rolled back batch 2 (Township boundaries)" in out.stdout
    assert not current(db)


def test_a_directory_or_a_device_is_not_read(db, tmp_path):
    assert _etl(db, "boundaries", str(tmp_path)).returncode == 1
    out = _etl(db, "boundaries", "/dev/zero", lang="en")
    assert out.returncode == 1 and "not a regular file" in out.stderr


def test_overlapping_townships_are_listed_and_still_drawn(db, tmp_path, demo_geojson):
    import shapely

    doc = copy.deepcopy(demo_geojson)
    a, b = (shapely.geometry.shape(doc["features"][i]["geometry"]) for i in (0, 1))
    doc["features"][1]["geometry"] = shapely.geometry.mapping(a.union(b))  # 东城街道 swallows 城关街道
    res = boundaries.load(db, write(tmp_path, doc))
    assert res.status == "loaded" and "boundary_overlap" in warning_codes(res)
    overlap = next(w for w in res.checked.warnings if w.code == "boundary_overlap")
    assert "城关街道" in overlap.zh and "东城街道" in overlap.zh and "100%" in overlap.en
    assert len(current(db)) == 18  # simplified one by one (not a coverage), each still valid
