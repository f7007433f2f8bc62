"""Filter options and freshness from the demo warehouse: the unit registry lists the townships."""

from __future__ import annotations

import duckdb

from board import meta


def test_townships_come_from_the_registry_in_code_order_with_and_without_data(board_env):
    options = meta.options()
    with duckdb.connect(str(board_env), read_only=True) as con:
        registered = con.execute(
            "SELECT name FROM v_units WHERE type = '镇街' AND (last_year IS NULL OR last_year >= 2022) ORDER BY code"
        ).fetchall()
        with_data = {r[0] for r in con.execute("SELECT DISTINCT township FROM v_labor").fetchall()}
    assert list(options.townships) == [r[0] for r in registered]
    assert "新区街道" in options.townships and "新区街道" not in with_data  # registered, no data yet: listed
    assert "红岩乡" not in options.townships  # merged away before the first year of data
    assert set(options.parks) == {"高新技术产业园", "食品工业园", "新材料产业园", "物流园"}


def test_months_run_to_the_latest_data_and_closed_years_offer_twelve(board_env):
    options = meta.options()
    assert options.data_through() == (2026, 11)
    assert options.months(2026) == tuple(range(1, 12))
    assert {options.last_month(y) for y in (2022, 2023, 2024, 2025)} == {12}
