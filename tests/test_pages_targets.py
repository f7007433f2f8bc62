"""The 目标完成 page through AppTest on the demo county: numbers against own SQL, URL parameters, drill-through,
the industry note; and what its exports carry."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from board import export, fmt, meta, tables
from board.i18n import metric_name, t
from board.metrics import targets
from board.selection import Selection
from board.tables import Col
from etl.metric_catalogue import get
from tests.apptest_pages import cells as shown_cells
from tests.apptest_pages import clean as ok
from tests.apptest_pages import open_page, qp

PAGE = "pages/targets.py"


@pytest.fixture
def page(board_env: Path, tmp_path: Path):
    """A factory: the targets page opened with URL parameters (as a link to /targets?… would open it)."""

    def make(**params: str | list[str]) -> AppTest:
        return open_page(tmp_path, PAGE, deep_link=True, check=ok, **params)

    return make


def _own(db: Path, metric: str, first: int, last: int, unit: str | None = None, year: int = 2026) -> float:
    """The test's own sum over v_metric_facts for months first..last (a unit answers for its facts)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            """SELECT coalesce(sum(value), 0) FROM v_metric_facts WHERE metric = ? AND year = ?
               AND month BETWEEN ? AND ? AND (? IS NULL OR ? IN (township, park, responsible_unit))""",
            [metric, year, first, last, unit, unit],
        ).fetchone()[0]


def units_table(at: AppTest, lang: str = "zh") -> pd.DataFrame:
    """The per-unit table (the first table with a verdict or actual column), indexed by unit."""
    df = next(d.value for d in at.dataframe if t("col.unit_type", lang) in d.value.columns)
    return df.set_index(t("col.unit", lang))


def heat(at: AppTest):
    return next(d for d in at.dataframe if d.key and d.key.startswith("tg_heat"))


def actual_label(metric: str, lang: str = "zh") -> str:
    """The header of the actual column: its words and the metric's unit."""
    kind = get(metric).kind
    return t("targets.with_unit", lang, col=t("col.actual", lang), unit=t(f"unit.{kind}", lang))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_runs_states_its_period_and_shows_no_none(page, lang):
    at = page(lang=lang)
    assert at.title[0].value == t("page.targets", lang)
    head = at.subheader[0].value
    assert head.startswith(metric_name("contract_investment", lang))
    assert t("targets.word.ytd", lang) in head and fmt.period(2026, 11, lang) in head
    assert len(at.dataframe) == 2
    cells = shown_cells(at)
    assert not {"None", "nan", "NaN", "<NA>", "NaT"} & set(cells)
    assert [c.key for c in at.get("plotly_chart")] == ["tg_bullet_0", "tg_map_0"]  # the bullet chart, the map


def test_whole_area_and_township_rows_equal_own_sql(page, board_env):
    at = page()
    df = units_table(at)
    col = actual_label("contract_investment")
    assert df.loc["全县", col] == pytest.approx(round(_own(board_env, "contract_investment", 1, 11), 2))
    assert df.loc["青石镇", col] == pytest.approx(round(_own(board_env, "contract_investment", 1, 11, "青石镇"), 2))
    assert t("verdict.behind_short", "zh") in set(df[t("col.verdict", "zh")])


def test_changing_the_metric_changes_the_numbers_and_the_url(page, board_env):
    at = page()
    assert "metric" not in qp(at)  # the default leaves the URL clean
    before = units_table(at)
    at.selectbox(key="url_metric").set_value("funds_in_place").run()
    ok(at)
    assert qp(at)["metric"] == ["funds_in_place"]
    after = units_table(at)
    col = actual_label("funds_in_place")
    assert after.loc["全县", col] == pytest.approx(round(_own(board_env, "funds_in_place", 1, 11), 2))
    assert after.loc["全县", col] != before.loc["全县", actual_label("contract_investment")]
    assert at.subheader[0].value.startswith(metric_name("funds_in_place", "zh"))
    at.multiselect(key="f_ind").set_value([]).run()  # a filter change keeps the page's own parameters
    assert qp(at)["metric"] == ["funds_in_place"]


def test_a_link_with_metric_and_period_opens_them(page, board_env):
    at = page(metric="new_jobs", period="quarter", lang="en")
    assert at.selectbox(key="url_metric").value == "new_jobs"
    assert at.selectbox(key="url_period").value == "quarter"
    head = at.subheader[0].value
    assert t("targets.quarter_span", "en", y=2026, q=4, months="Oct–Nov") in head
    df = units_table(at, "en")
    assert df.loc["全县", actual_label("new_jobs", "en")] == _own(board_env, "new_jobs", 10, 11)
    assert qp(at)["metric"] == ["new_jobs"] and qp(at)["period"] == ["quarter"]


def test_period_month_shows_the_months_actual_against_one_twelfth(page, board_env):
    at = page(period="month")
    head = at.subheader[0].value
    assert t("targets.word.month", "zh") in head and fmt.month(2026, 11, "zh") in head
    df = units_table(at)
    col = actual_label("contract_investment")
    assert df.loc["全县", col] == pytest.approx(round(_own(board_env, "contract_investment", 11, 11), 2))
    assert t("targets.pace_note", "zh", pace=fmt.pct(1 / 12)) in [c.value for c in at.caption]
    rows = targets.unit_progress(Selection(2026, 11), "contract_investment", "month").set_index("unit")
    assert df.loc["全县", t("col.rate", "zh")] == pytest.approx(round(rows.loc["全县", "rate"], 4))


def test_a_bad_period_in_the_link_falls_back_with_a_notice(page):
    at = page(period="week")
    assert at.selectbox(key="url_period").value == "ytd"
    assert any("week" in w.value for w in at.warning)


def test_a_township_row_of_the_heat_table_drills_through(page):
    at = page()
    table = heat(at)
    units = list(table.value.iloc[:, 0])
    at.session_state[table.key] = {"selection": {"rows": [units.index("青石镇")], "columns": [], "cells": []}}
    at.run()
    ok(at)
    assert at.multiselect(key="f_town").value == ["青石镇"]
    assert qp(at)["town"] == ["青石镇"]
    assert list(units_table(at).index) == ["青石镇"]
    assert list(heat(at).value.iloc[1:, 0]) == ["青石镇"]  # under the 序时 row
    assert heat(at).key != table.key  # a fresh table: the used click is gone
    show_all = next(b for b in at.button if b.label == t("targets.show_all", "zh"))
    show_all.click().run()
    ok(at)
    assert at.multiselect(key="f_town").value == [] and "town" not in qp(at)


def test_a_park_bar_drills_through_and_the_whole_area_does_nothing(page):
    at = page()
    key = at.get("plotly_chart")[0].key
    assert key.startswith("tg_bullet")
    at.session_state[key] = {
        "selection": {"points": [{"customdata": "全县"}], "point_indices": [0], "box": [], "lasso": []}
    }
    at.run()
    ok(at)
    assert at.multiselect(key="f_town").value == [] and at.multiselect(key="f_park").value == []
    park = meta.options().parks[0]
    at.session_state[key] = {
        "selection": {"points": [{"customdata": park}], "point_indices": [1], "box": [], "lasso": []}
    }
    at.run()
    ok(at)
    assert at.multiselect(key="f_park").value == [park]
    assert qp(at)["park"] == [park]


def test_the_pace_row_and_the_whole_area_row_of_the_heat_table_do_nothing(page):
    at = page()
    table = heat(at)
    for row in (0, 1):  # the 序时 row, the whole area
        at.session_state[table.key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
        at.run()
        ok(at)
        assert at.multiselect(key="f_town").value == [] and "town" not in qp(at)


def test_the_industry_filter_says_targets_do_not_apply_and_shows_no_rates(page):
    at = page(ind="食品加工")
    assert t("targets.industry_banner", "zh") in [i.value for i in at.info]
    assert t("targets.heat_industry", "zh") in [i.value for i in at.info]
    assert len(at.dataframe) == 1 and not at.get("plotly_chart")
    df = units_table(at)
    assert t("col.rate", "zh") not in df.columns and t("col.rank_all", "zh") not in df.columns
    assert not [m for m in at.metric if m.label == t("targets.area_rate", "zh", unit="全县")]


def test_a_past_year_closes_at_full_year_rates(page, board_env):
    at = page(year="2025")
    df = units_table(at)
    with duckdb.connect(str(board_env), read_only=True) as con:
        rate = con.execute(
            "SELECT completion_rate FROM v_target_progress WHERE year = 2025 AND unit = '全县' "
            "AND metric = 'contract_investment'"
        ).fetchone()[0]
    assert df.loc["全县", t("col.rate", "zh")] == pytest.approx(round(rate, 4))


# --- exports -----------------------------------------------------------------------------------------------


def test_the_heat_export_carries_the_period_words_and_percent_cells(board_env):
    sel = Selection(2026, 11)
    frame = targets.monthly_completion(sel, "contract_investment")
    words = t("targets.period_text", "zh", word=t("targets.word.ytd", "zh"), span=fmt.period(2026, 11, "zh"))
    cols = [Col("unit", "col.unit")] + [Col(m, f"month.short.{m}", "rate") for m in range(1, 12)]
    tab = tables.table(frame, cols, "逐月", sel, meta.options(), period=words)
    assert dict(tab.context)[t("export.period", "zh")] == words
    assert "累计" in tab.stem and "2026年1–11月" in tab.stem
    lines = list(csv.reader(io.StringIO(export.to_csv_bytes(tab).decode("utf-8-sig"))))
    assert lines[1] == [t("export.period", "zh"), words]
    row = next(r for r in lines if r and r[0] == "全县")
    assert all(c.endswith("%") for c in row[1:])
    assert row[-1] == f"{frame.set_index('unit').loc['全县', 11] * 100:.1f}%"


def test_points_and_rates_in_exports(tmp_path):
    df = pd.DataFrame({"unit": ["A", "B"], "gap": [3.26, float("nan")], "rate": [0.5, 0.25]})
    cols = [Col("unit", "col.unit"), Col("gap", "col.gap", "points"), Col("rate", "col.rate", "rate")]
    sel = Selection(2026, 11)
    words = "当月 · 2026年11月"
    tab = tables.table(df, cols, "测试", sel, meta.Options(years=(2026,), latest_month={2026: 11}), period=words)
    assert "当月" in tab.stem
    lines = list(csv.reader(io.StringIO(export.to_csv_bytes(tab).decode("utf-8-sig"))))
    assert lines[-2:] == [["A", "+3.3", "50.0%"], ["B", "", "25.0%"]]
    path = tmp_path / "t.xlsx"
    path.write_bytes(export.to_xlsx_bytes(tab))
    ws = openpyxl.load_workbook(path).active
    assert ws["B2"].value == words
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, float)}
    assert cells[3.3].number_format == "+0.0;-0.0;0.0" and cells[0.5].number_format == "0.0%"
    shown = tables.display_frame(tab).data  # display: "+3.2" and "—" for the missing one
    assert list(shown[t("col.gap", "zh")]) == ["+3.3", fmt.DASH]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_period_unit_type_and_note_has_its_words(lang):
    for period in targets.PERIODS:
        assert t(f"targets.period.{period}", lang) and t(f"targets.word.{period}", lang)
    for unit_type in targets.UNIT_TYPES:
        assert t(f"targets.type.{unit_type}", lang)
    notes = {"target_zero": "targets.note_target_zero", "filter_na_unit": "targets.note_filter_na_unit"}
    for note in ("target_zero", "filter_na_unit", "filter_na_township", "filter_na_park", "filter_na_industry"):
        assert t(notes.get(note, f"note.{note}"), lang)
    assert t("note.target_na_industry", lang)
