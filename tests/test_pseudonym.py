"""GB 11643 checks, keyed pseudonyms, key file handling and masking."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from etl import pseudonym
from tests.checking import hmac_reference, valid_id

VALID = "11010519491231002X"  # the standard's own example


@pytest.mark.parametrize(
    "value, reason",
    [
        (VALID, None),
        ("110105194912310021", "id_checksum"),
        ("11010519491231002", "id_length"),
        ("1101051949123100A2", "id_chars"),
        ("110105194913310026", "id_date"),
        ("", "id_length"),
        (valid_id("11010520990101001"), "id_date"),  # born in 2099: after today (2026-11-28, tests/conftest.py)
        (valid_id("11010520261129001"), "id_date"),  # born tomorrow
        (valid_id("11010520261128001"), None),  # born today
        (valid_id("11010518991231001"), "id_date"),  # before 1900: implausibly old
        (valid_id("11010519000101001"), None),
    ],
)
def test_check_ids_reasons(value, reason):
    out = pseudonym.check_ids(pd.Series([value], dtype="str"))
    assert out["reason"].iloc[0] == reason or (reason is None and pd.isna(out["reason"].iloc[0]))
    assert bool(out["ok"].iloc[0]) is (reason is None)


def test_birth_year_and_gender_derived():
    out = pseudonym.check_ids(pd.Series([VALID, "110105199003071234"], dtype="str"))
    assert out["birth_year"].iloc[0] == 1949
    assert out["gender"].iloc[0] == "女"  # 17th digit 2 is even


def test_same_id_same_key_and_matches_hmac(tmp_path):
    key = pseudonym.load_key(tmp_path / "k")
    a = pseudonym.pseudonymise(pd.Series([VALID, "x", VALID], dtype="str"), key)
    assert a.iloc[0] == a.iloc[2] != a.iloc[1]
    assert a.iloc[0] == hmac_reference(VALID, key)
    assert VALID not in "".join(a.tolist())


def test_other_key_other_pseudonym(tmp_path):
    k1 = pseudonym.load_key(tmp_path / "a")
    k2 = pseudonym.load_key(tmp_path / "b")
    s = pd.Series([VALID], dtype="str")
    assert pseudonym.pseudonymise(s, k1).iloc[0] != pseudonym.pseudonymise(s, k2).iloc[0]


def test_key_file_is_owner_only_and_stable(tmp_path):
    path = tmp_path / "deep" / "pseudonym.key"
    k1 = pseudonym.load_key(path)
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode == 0o600
    assert pseudonym.load_key(path) == k1


def test_key_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(pseudonym.KEY_ENV, str(tmp_path / "env.key"))
    pseudonym.load_key()
    assert (tmp_path / "env.key").exists()


def test_masking_shows_no_middle_digits():
    assert pseudonym.mask_id(VALID) == "110105********002X"
    assert pseudonym.mask_text("张三") == "**"


def test_the_birth_date_bound_follows_the_clock(monkeypatch):
    """ "After today" is etl.clock's today, so a fixed DASHBOARD_NOW moves it."""
    born_2099 = pd.Series([valid_id("11010520990101001")], dtype="str")
    assert pseudonym.check_ids(born_2099)["reason"].iloc[0] == "id_date"
    monkeypatch.setenv("DASHBOARD_NOW", "2099-01-01T08:00:00")
    out = pseudonym.check_ids(born_2099)
    assert bool(out["ok"].iloc[0]) and out["birth_year"].iloc[0] == 2099
