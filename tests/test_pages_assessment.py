"""The 考核排名 page through AppTest: every view in both languages, the numbers are the read side's, the breakdown of
one person, the rules editor refuses an invalid text with its line and saves a valid one as a new version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from board.i18n import t
from board.metrics import assessment
from etl import assessment_rules
from tests.apptest_pages import BAD_CELLS, cells, page_fixture

PAGE = "pages/assessment.py"


@pytest.fixture(autouse=True)
def rules_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A saved rules text goes to the test's own file, never to the repository's."""
    path = tmp_path / "assessment_rules.toml"
    monkeypatch.setenv(assessment_rules.ENV, str(path))
    return path


page = page_fixture(PAGE)


@pytest.mark.parametrize("view", ["people", "units", "items", "rules"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_view_runs_in_both_languages_without_none(page, view, lang):
    at = page(view=view, lang=lang)
    assert at.title[0].value == t("page.assessment", lang)
    assert at.dataframe, "a table is shown"
    assert not BAD_CELLS & set(cells(at))
    assert [b.label for b in at.get("download_button") if b.key.startswith("as_bulletin")] == [
        t("assessment.bulletin_xlsx", lang), t("assessment.bulletin_pdf", lang),
    ]  # fmt: skip


def test_the_leaderboard_shows_the_read_sides_points(page, board_env):
    at = page(year="2026", month="10")
    version = assessment.current_version()
    expected = assessment.people(2026, 10, version)
    shown = at.dataframe[0].value
    assert list(shown[t("col.person", "zh")]) == list(expected["person"])
    assert [float(x) for x in shown[t("col.points", "zh")]] == [round(p, 2) for p in expected["points"]]


def test_the_breakdown_of_one_person_sums_to_their_points(page):
    version = assessment.current_version()
    top = assessment.people(2026, 11, version).iloc[0]
    at = page(view="items", person=str(top["person"]), lang="en")
    shown = at.dataframe[0].value
    assert set(shown[t("col.person", "en")]) == {top["person"]}
    assert sum(float(x) for x in shown[t("col.points", "en")]) == pytest.approx(top["points"])


@pytest.fixture
def own_db(board_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo warehouse this test may change."""
    db = tmp_path / "own.duckdb"
    shutil.copyfile(board_env, db)
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    return db


def test_the_editor_refuses_an_invalid_text_with_its_line_and_saves_a_valid_one(page, own_db, rules_file):
    at = page(view="rules")
    before = len(assessment.versions())
    at.text_area(key="as_rules_text").set_value("[projects]\nt2 = -3\n")
    form_button = next(b for b in at.get("button") if b.proto.label == t("assessment.save", "zh"))
    form_button.click().run()
    errors = [e.value for e in at.error]
    assert any("第 2 行 projects.t2" in e for e in errors), errors
    assert len(assessment.versions()) == before and not rules_file.exists()
    text = assessment_rules.read_text(assessment_rules.DEFAULT_PATH).replace("t5 = 10", "t5 = 12")
    at.text_area(key="as_rules_text").set_value(text)
    form_button = next(b for b in at.get("button") if b.proto.label == t("assessment.save", "zh"))
    form_button.click().run()
    assert not at.exception
    new = before + 1
    assert [s.value for s in at.success] == [t("assessment.saved_new", "zh", v=new)]
    assert rules_file.read_text(encoding="utf-8") == text
