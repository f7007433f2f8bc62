"""Small-cell rules for figures about persons: which rates, per-person amounts and bars may be shown."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from board.metrics import people


@pytest.mark.parametrize(
    ("num", "den", "shown", "note"),
    [
        (0, 0, None, "none"),  # nobody: no rate, never 0 % or a division error
        (0, 3, None, "small"),  # 0 of 3: the denominator would tell a group of 3
        (3, 4, None, "small"),
        (0, 5, 0.0, None),  # nobody of 5 placed is a figure that gives nobody away
        (5, 5, 1.0, None),
        (4, 20, None, "small"),  # 20 % of 20 tells 4 people
        (1, 100, None, "small"),
        (5, 20, 0.25, None),
        (None, 10, None, "small"),
        (3, None, None, "none"),
    ],
)
def test_a_rate_is_shown_only_over_5_people_with_no_numerator_of_1_to_4(num, den, shown, note):
    got = people.rate(num, den)
    assert math.isnan(got) if shown is None else got == pytest.approx(shown), got
    assert people.rate_note(num, den) == note
    vector = people.rates(pd.Series([num], dtype="float64"), pd.Series([den], dtype="float64")).iloc[0]
    assert math.isnan(vector) if shown is None else vector == pytest.approx(shown), vector


@pytest.mark.parametrize(("amount", "persons", "shown"), [(8000, 5, 1600.0), (8000, 4, None), (0, 0, None)])
def test_an_amount_per_person_needs_5_people(amount, persons, shown):
    got = people.per_person(amount, persons)
    assert math.isnan(got) if shown is None else got == shown


@pytest.mark.parametrize(
    ("n", "bar", "text"), [(0, 0.0, "0"), (1, None, "<5"), (4, None, "<5"), (5, 5.0, "5"), (1234, 1234.0, "1,234")]
)
def test_a_suppressed_count_draws_no_bar_and_says_under_5(n, bar, text):
    assert people.chart_value(n) == bar
    assert people.count_text(n) == text
    assert people.is_small(n) == (bar is None)


def test_a_ratio_over_a_suppressed_count_is_hidden_and_a_count_reads_with_its_unit():
    import pandas as pd

    df = pd.DataFrame({"jobs": [0, 3, 5, None], "per": [0.0, 3.0, 2.5, 1.0]})
    out = people.hide_small(df, "jobs", ["per"])
    assert out["per"].tolist()[0] == 0.0 and pd.isna(out["per"].tolist()[1]) and out["per"].tolist()[2] == 2.5
    assert out["per"].tolist()[3] == 1.0  # a missing count hides nothing
    assert df["per"].tolist()[1] == 3.0  # the caller's frame is untouched
    assert people.people_text(3) == "<5" and people.people_text(None) == "—"
    assert people.people_text(1234) == "1,234 人"
