"""board.metrics.batches on a small warehouse built by hand: history filters, one batch, superseded values."""

from __future__ import annotations

import datetime as dt

import pytest

from board.metrics import batches
from etl import warehouse
from tests.checking import valid_id
from tests.clerk_files import csv, project


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "warehouse.duckdb"
    warehouse.init(path)
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    a = warehouse.load_file(path, csv(tmp_path / "a.csv", "projects", [project("P1", "100"), project("P2", "200")]), user="amy")  # fmt: skip
    b = warehouse.load_file(path, csv(tmp_path / "b.csv", "projects", [project("P1", "150", status="在谈", signed="")]), user="bob")  # fmt: skip
    assert (a.batch_id, b.batch_id) == (1, 2)
    return path


def test_history_filters(db):
    assert batches.history()["batch_id"].tolist() == [2, 1]
    assert batches.history(users=("amy",))["batch_id"].tolist() == [1]
    assert batches.history(datasets=("funding",)).empty
    today = dt.date(2026, 11, 28)  # the tests' clock
    assert batches.history(since=today, until=today)["batch_id"].tolist() == [2, 1]
    assert batches.history(until=today - dt.timedelta(days=1)).empty
    assert batches.uploaders() == ("amy", "bob")


def test_one_batch(db):
    b = batches.batch(2)
    assert (b["user_name"], b["rows_read"], b["status"], b["dataset"]) == ("bob", 1, "loaded", "projects")
    assert b["kept_path"].endswith("b.csv")
    assert batches.batch(7) is None


def test_superseded_values_are_the_cells_that_changed(db):
    changed = batches.superseded(2, "projects")
    got = {(r.column, r.old, r.new) for r in changed.itertuples()}
    assert got == {("total_investment", "100", "150"), ("status", "签约", "在谈"), ("signed_date", "2026-03-05", "")}
    assert set(changed["key"]) == {"P1"} and set(changed["prev_batch"]) == {1} and set(changed["row"]) == {2}
    assert batches.superseded(1, "projects").empty  # batch 1 replaced nothing
    assert batches.superseded(1, "boundaries").empty


def test_a_restricted_scope_sees_its_own_batches_only(db):
    amy = batches.Scope("amy", ("青石镇",))
    assert batches.history(scope=amy)["batch_id"].tolist() == [1]
    assert batches.all_batches(amy)["batch_id"].tolist() == [1]
    assert batches.uploaders(amy) == ("amy",)
    assert batches.batch(1, amy)["user_name"] == "amy" and batches.batch(2, amy) is None
    assert batches.superseded(2, "projects", amy).empty and not batches.superseded(2, "projects").empty
    assert batches.history(scope=batches.EVERYTHING)["batch_id"].tolist() == [2, 1]  # the county office


def test_a_restricted_scope_sees_only_its_townships_quarantined_rows(db, tmp_path):
    units = [{"name": "青石镇", "type": "镇街", "aliases": "青石"}, {"name": "柳河镇", "type": "镇街"}]
    assert warehouse.load_file(db, csv(tmp_path / "u.csv", "units", units)).status == "loaded"
    assert warehouse.load_file(db, csv(tmp_path / "p.csv", "projects", [project("P9", "5", township="柳河镇")])).status == "loaded"  # fmt: skip
    towns = ("青石镇",)
    rows = [
        {"project_id": "P1", "period": "2026-04", "funds_in_place": "x"},  # P1 is 青石镇's: its own bad row
        {"project_id": "P9", "period": "2026-04", "funds_in_place": "3"},  # P9 is 柳河镇's
        {"project_id": "P2", "period": "2026-04", "funds_in_place": "4"},
    ]
    f = warehouse.load_file(
        db, csv(tmp_path / "f.csv", "funding", rows), skip_invalid=True, user="amy", townships=towns
    )
    assert (f.rows_loaded, f.rows_rejected) == (1, 2)
    amy = batches.Scope("amy", towns)
    shown, hidden = batches.quarantined(f.batch_id, amy)
    assert (shown["row"].tolist(), hidden) == ([2], 1)
    assert len(batches.quarantined(f.batch_id, batches.EVERYTHING)[0]) == 2
    people = [
        {"id_number": valid_id(f"3205821988010100{i}"), "township": town, "return_date": date}
        for i, (town, date) in enumerate([("青石", "不详"), ("柳河镇", "2026-02-01"), ("青石镇", "2026-02-01")])
    ]
    r = warehouse.load_file(db, csv(tmp_path / "r.csv", "returnees", people), skip_invalid=True, user="amy", townships=towns)  # fmt: skip
    shown, hidden = batches.quarantined(r.batch_id, amy)
    assert (shown["row"].tolist(), hidden) == ([2], 1)  # 青石 is 青石镇's alias: its row is theirs
    assert batches.quarantined(r.batch_id, batches.Scope("bob", towns))[0].empty  # not bob's batch
