"""The township map (board/map.py, board/metrics/map.py): the figure's colours, labels and click targets, and the
overview with and without boundaries (AppTest)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from board import map as township_map
from board.i18n import metric_name, t
from board.metrics import map as map_data
from etl import warehouse
from tests.apptest_pages import clean as ok
from tests.apptest_pages import open_page, session
from tests.clerk_files import q


def _frame() -> pd.DataFrame:
    square = ((0.0, 1.0, 1.0, 0.0, 0.0), (0.0, 0.0, 1.0, 1.0, 0.0))
    rows = []
    for i, (town, rate) in enumerate((("甲镇", 0.3), ("乙镇", 0.9), ("丙镇", 1.4), ("丁镇", None))):
        x = tuple(104 + v + i for v in square[0])
        rows.append(
            {"township": town, "code": None, "x": x, "y": square[1], "label_lon": 104.5 + i, "label_lat": 0.5,
             "actual": 10.0, "target": None if rate is None else 10 / rate, "note": "no_target" if rate is None else None,
             "rate": rate, "pace": 11 / 12, "ahead": None if rate is None else rate >= 11 / 12,
             "status": "none" if rate is None else "ahead" if rate >= 11 / 12 else "behind"}
        )  # fmt: skip
    return pd.DataFrame(rows).astype({"rate": "float64", "target": "float64"})


def test_colours_split_at_the_pace():
    pace, top = 11 / 12, 2.0
    assert township_map.colour(0.0, pace, top) == township_map.BEHIND[0]  # far behind: the darkest orange
    assert township_map.colour(pace - 1e-9, pace, top) == township_map.BEHIND[1]
    assert township_map.colour(pace, pace, top) == township_map.AHEAD[0]  # at 序时: the lightest green
    assert township_map.colour(5.0, pace, top) == township_map.AHEAD[1]
    assert township_map.colour(None, pace, top) == township_map.colour(float("nan"), pace, top) == township_map.NONE


def test_the_figure_draws_every_township_with_its_name_rate_and_verdict_and_no_geo_layer():
    frame = _frame()
    fig = township_map.figure(frame, "contract_investment", "title", highlight=("乙镇",))
    spec = json.loads(fig.to_json())
    assert "geo" not in spec["layout"] and "mapbox" not in spec["layout"] and "map" not in spec["layout"]
    assert {tr["type"] for tr in spec["data"]} == {"scatter"}
    shapes = [tr for tr in spec["data"] if tr.get("fill") == "toself"]
    assert [s["name"] for s in shapes] == ["甲镇", "丙镇", "丁镇", "乙镇"]  # the selected one last, on top
    fills = {s["name"]: s["fillcolor"] for s in shapes}
    assert fills["甲镇"].startswith("#") and fills["丁镇"] == township_map.NONE
    assert shapes[2]["fillpattern"]["shape"] == "/"  # no target: hatched, not only grey
    assert shapes[3]["line"]["width"] > shapes[0]["line"]["width"]  # the selected township is outlined
    labels = next(tr for tr in spec["data"] if tr.get("customdata"))
    assert labels["customdata"] == ["甲镇", "乙镇", "丙镇", "丁镇"]
    assert labels["text"][0] == "甲镇<br>30.0% ▼" and labels["text"][2] == "丙镇<br>140.0% ▲"
    assert labels["text"][1].startswith("<b>乙镇</b><br>90.0%")
    assert labels["text"][3] == "丁镇<br>" + t("map.no_target_short")
    assert spec["layout"]["yaxis"]["scaleanchor"] == "x"
    bar = next(tr for tr in spec["data"] if tr.get("marker", {}).get("showscale"))
    assert bar["marker"]["colorbar"]["tickvals"][1] == pytest.approx(11 / 12)


def test_a_name_is_escaped():
    frame = _frame()
    frame.loc[0, "township"] = "<i>甲</i>镇"
    spec = json.loads(township_map.figure(frame, "contract_investment", "t").to_json())
    labels = next(tr for tr in spec["data"] if tr.get("customdata"))
    assert labels["text"][0].startswith("&lt;i&gt;甲&lt;/i&gt;镇")
    assert labels["customdata"][0] == "<i>甲</i>镇"  # the click still names the township itself


@pytest.fixture
def no_boundaries(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo warehouse with its boundaries batch rolled back."""
    db = tmp_path / "nb" / "warehouse.duckdb"
    db.parent.mkdir()
    shutil.copyfile(demo_db, db)
    (batch,) = q(db, "SELECT batch_id FROM v_batches WHERE dataset = 'boundaries' AND status = 'loaded'")[0]
    warehouse.rollback(db, batch)
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    monkeypatch.setenv("DASHBOARD_RAISE", "1")
    return db


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def _map(at: AppTest) -> dict | None:
    """The map's figure among the page's charts (the only one with filled shapes), or None."""
    return next((s for s in _charts(at) if any(tr.get("fill") == "toself" for tr in s["data"])), None)


def test_the_overview_draws_the_map_with_the_demo_boundaries(board_env: Path, tmp_path: Path):
    at = session(tmp_path)
    ok(at)
    spec = _map(at)
    assert spec is not None
    drawn = [tr["name"] for tr in spec["data"] if tr.get("fill") == "toself"]
    assert len(drawn) == 18 and "青石镇" in drawn
    assert any("新区街道" in c.value for c in at.caption)  # registered, without a boundary: listed
    assert not any("bin/etl boundaries" in c.value for c in at.code)
    at.selectbox(key="url_rank").set_value("funds_in_place").run()  # the map follows the ranking's metric
    ok(at)
    assert metric_name("funds_in_place", "zh") in _map(at)["layout"]["title"]["text"]


def test_the_overview_without_boundaries_says_how_to_add_them(no_boundaries: Path, tmp_path: Path):
    at = session(tmp_path)
    ok(at)
    assert _map(at) is None
    assert any(t("map.none", "zh") == i.value for i in at.info)
    assert any("bin/etl boundaries" in c.value for c in at.code)
    assert len(at.get("plotly_chart")) == 4  # the pace charts and the ranking are still there


def test_the_read_side_lists_townships_without_a_boundary(board_env: Path):
    from board.selection import Selection

    frame, missing = map_data.township_map(Selection(2026, 11), "contract_investment", ("青石镇", "新区街道"))
    assert len(frame) == 18 and missing == ["新区街道"]
    assert set(frame["status"]) <= {"ahead", "behind", "none"}
    row = frame.set_index("township").loc["青石镇"]
    assert row["x"][0] == row["x"][-1 if None not in row["x"] else row["x"].index(None) - 1]  # closed rings


def test_parks_with_a_location_are_named_diamonds_that_carry_the_park_for_a_click():
    parks = pd.DataFrame(
        {"park": ["甲园", "<b>乙园</b>"], "township": ["甲镇", "乙镇"], "lon": [104.2, 105.3], "lat": [0.4, 0.6]}
    )
    spec = json.loads(township_map.figure(_frame(), "contract_investment", "t", ("甲园",), parks).to_json())
    (points,) = [tr for tr in spec["data"] if tr.get("marker", {}).get("symbol") == "diamond"]
    assert points["customdata"] == ["甲园", "<b>乙园</b>"]  # a click names the park itself
    assert points["text"] == ["<b>甲园</b>", "&lt;b&gt;乙园&lt;/b&gt;"]  # the chosen park in bold; names escaped
    assert points["x"] == [104.2, 105.3] and points["y"] == [0.4, 0.6]
    assert points["name"] == t("map.legend_park") and points["showlegend"]


def test_the_demo_parks_are_drawn_inside_their_host_townships(board_env: Path, tmp_path: Path):
    from shapely.geometry import Point, Polygon

    at = session(tmp_path)
    ok(at)
    spec = _map(at)
    (points,) = [tr for tr in spec["data"] if tr.get("marker", {}).get("symbol") == "diamond"]
    assert sorted(points["customdata"]) == sorted(["高新技术产业园", "食品工业园", "新材料产业园", "物流园"])
    hosts = dict(q(board_env, "SELECT name, parent FROM v_units WHERE type = '园区'"))
    shapes = {tr["name"]: tr for tr in spec["data"] if tr.get("fill") == "toself"}
    for park, x, y in zip(points["customdata"], points["x"], points["y"], strict=True):
        ring = shapes[hosts[park]]
        xs, ys = ring["x"], ring["y"]
        end = xs.index(None) if None in xs else len(xs)  # the outer ring of the first polygon
        assert Polygon(list(zip(xs[:end], ys[:end], strict=True))).contains(Point(x, y)), park


def test_the_targets_page_draws_the_map_for_the_year_to_date_and_says_so_otherwise(board_env: Path, tmp_path: Path):
    def targets_page(**params: str) -> AppTest:
        return open_page(tmp_path, "pages/targets.py", deep_link=True, check=ok, **params)

    at = targets_page(metric="new_jobs")
    spec = _map(at)
    assert spec is not None and metric_name("new_jobs", "zh") in spec["layout"]["title"]["text"]
    at = targets_page(period="month")
    assert _map(at) is None
    ytd = t("targets.period.ytd", "zh")
    assert t("targets.map_ytd_only", "zh", period=ytd) in [c.value for c in at.caption]


def test_a_scope_draws_its_townships_only(board_env: Path):
    from board.selection import Selection

    everyone, _ = map_data.township_map(Selection(2026, 11), "funds_in_place", ())
    town = everyone["township"].iloc[2]
    frame, missing = map_data.township_map(Selection(2026, 11, scope=(town,)), "funds_in_place", (town, "别的镇"))
    assert list(frame["township"]) == [town] and missing == []
    mine = everyone[everyone["township"] == town].iloc[0]
    assert frame["actual"].iloc[0] == mine["actual"] and frame["rate"].iloc[0] == mine["rate"]
