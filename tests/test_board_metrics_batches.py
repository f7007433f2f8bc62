"""board.metrics.batches on a small warehouse built by hand: history filters, one batch, superseded values."""

from __future__ import annotations

import datetime as dt

import pytest

from board.metrics import batches
from etl import warehouse
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
