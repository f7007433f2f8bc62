"""Small-cell rules for figures about persons (returnees, trainees, jobs): which rates may be shown, which counts
drawn. The one place these rules live; every page and export about persons uses them.

A count of 1–4 persons is never shown (board.tables kind ``people`` turns it into "<5" in the table frame). A rate
would give such a count away when its denominator is shown beside it, so a rate is shown only when its
denominator is at least 5 and its numerator is 0 or at least 5; otherwise it is NaN ("—" on screen and blank in
exports), and :func:`rate_note` says why (``none``: nobody in the group; ``small``: suppressed). A money figure
per person (subsidy per employed trainee) follows the rule of its denominator. Charts draw a suppressed count as
no bar with the text "<5" (:func:`chart_value`, :func:`count_text`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from board import fmt
from board.tables import SMALL_CELL, SMALL_CELL_TEXT


def is_small(n: object) -> bool:
    """1–4 persons: a count that is never shown."""
    return not fmt.missing(n) and 0 < float(n) < SMALL_CELL


def rate(num: object, den: object) -> float:
    """num ÷ den when it may be shown (den ≥ 5, num 0 or ≥ 5), else NaN."""
    if fmt.missing(den) or float(den) < SMALL_CELL or fmt.missing(num) or is_small(num):
        return float("nan")
    return float(num) / float(den)


def rates(num: pd.Series, den: pd.Series) -> pd.Series:
    """:func:`rate` element-wise (float64, NaN where not shown)."""
    n = pd.to_numeric(num, errors="coerce").astype("float64").to_numpy()
    d = pd.to_numeric(den, errors="coerce").astype("float64").to_numpy()
    ok = (d >= SMALL_CELL) & ~((n > 0) & (n < SMALL_CELL)) & ~np.isnan(n)
    out = np.full(len(n), np.nan)
    np.divide(n, d, out=out, where=ok)
    return pd.Series(out, index=num.index, dtype="float64")


def per_person(amount: object, persons: object) -> float:
    """amount ÷ persons when persons ≥ 5 (a figure per 1–4 persons gives their own amounts away), else NaN."""
    if fmt.missing(persons) or float(persons) < SMALL_CELL or fmt.missing(amount):
        return float("nan")
    return float(amount) / float(persons)


def rate_note(num: object, den: object) -> str | None:
    """Why :func:`rate` gives no rate: 'none' (den 0), 'small' (suppressed), None when it gives one."""
    if fmt.missing(den) or float(den) == 0:
        return "none"
    return "small" if np.isnan(rate(num, den)) else None


def chart_value(n: object) -> float | None:
    """The length of a bar for a count of persons: None (no bar) for 1–4."""
    if fmt.missing(n) or is_small(n):
        return None
    return float(n)


def count_text(n: object) -> str:
    """A count of persons as a chart or card shows it: "<5" for 1–4, else with separators."""
    if fmt.missing(n):
        return fmt.DASH
    return SMALL_CELL_TEXT if is_small(n) else f"{float(n):,.0f}"


def people_text(v: object) -> str:
    """A count of persons as a card or chart shows it with its unit: '1,234 人', "<5" for 1–4, "—" when missing."""
    if fmt.missing(v):
        return fmt.DASH
    return SMALL_CELL_TEXT if is_small(v) else fmt.count(round(float(v)), "people")


def hide_small(df: pd.DataFrame, people: str, ratios: list[str]) -> pd.DataFrame:
    """A copy of ``df`` with the ``ratios`` columns blank (NaN, shown "—") in the rows whose ``people`` count is
    suppressed (1–4): a ratio over a suppressed count would give it back (3 jobs ÷ 1 venture)."""
    x = pd.to_numeric(df[people], errors="coerce")
    small = (x > 0) & (x < SMALL_CELL)
    out = df.copy()
    for col in ratios:
        out[col] = out[col].astype("float64").mask(small)
    return out
