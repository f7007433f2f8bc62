"""Labelled tables: the one helper that turns a read-side frame into what a page shows and what it exports.

A page declares its columns (source column, catalog key of the header, kind); this module labels them
in the display language, rounds numbers to their display precision (money and foreign capital to two
decimals, counts to whole numbers, rates shown as percentages), shows missing values as "—" (never
None or nan), and attaches the context every export carries: the period, the filters, how far the data
runs and when the file was made. The file name carries the scope.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from board import fmt
from board.i18n import current_lang, metric_name, t
from board.selection import Options, Selection
from etl import clock, metric_catalogue

# Column kinds: text, date, money (万元), usd (万美元), count, rate (a ratio, shown as a percentage), points
# (a difference of two rates in percentage points, signed, one decimal: rate − 序时), value: a number in
# the unit of the row's metric (``metric`` column), precision by that unit, and people: a count of persons,
# where 1–4 is suppressed to SMALL_CELL_TEXT in the frame itself (so neither the screen, the data sent to the
# browser nor an export holds it); ratio: a quotient of two quantities (人/个, 人/亿元…), two decimals.
NUMERIC_KINDS = frozenset({"money", "usd", "count", "rate", "points", "value", "people", "ratio"})
DECIMALS = {"money": 2, "usd": 2, "count": 0, "rate": 4, "points": 1, "people": 0, "ratio": 2}
_OWN_FORMATS = {"points": "{:+.1f}", "people": "{:,.0f}", "ratio": "{:,.2f}"}  # kinds board.fmt does not format
SMALL_CELL = 5  # a count of fewer people than this (and more than none) is never shown
SMALL_CELL_TEXT = "<5"


def suppressed(values: pd.Series) -> pd.Series:
    """Counts of persons with 1–4 replaced by SMALL_CELL_TEXT (object dtype: numbers stay floats, missing NaN)."""
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    out = np.round(x).astype(object)  # one array operation: this runs for every people column of every rerun
    out[(x > 0) & (x < SMALL_CELL)] = SMALL_CELL_TEXT
    return pd.Series(out, index=values.index, dtype=object, name=values.name)


@dataclass(frozen=True)
class Col:
    """One column of a labelled table: ``source`` column of the frame, header ``label`` (catalog key),
    ``kind`` (see above) and, for text, an optional ``show`` mapping of each value (e.g. a status name)."""

    source: str
    label: str | tuple[str, str]  # a catalog key, or a (zh, en) pair shared with the CLI (etl.messages)
    kind: str = "text"
    show: Callable[[object], str] | None = None


@dataclass(frozen=True)
class Table:
    """A labelled table: ``frame`` (headers in the display language, numbers rounded, text blanks as "")
    with the ``kinds`` of its columns, a ``title``, the ``context`` lines of its exports and the file ``stem``."""

    frame: pd.DataFrame
    kinds: dict[str, str]
    title: str
    context: tuple[tuple[str, str], ...] = ()
    stem: str = "table"
    row_kinds: dict[str, list[str]] = field(default_factory=dict)  # value columns: the kind of each row


def _row_kinds(df: pd.DataFrame) -> list[str]:
    """Per row, the number kind of its metric: money, usd or count."""
    out = []
    for code in df["metric"]:
        kind = metric_catalogue.get(code).kind
        out.append(kind if kind in ("money", "usd") else "count")
    return out


def _rounded(values: pd.Series, kinds: Sequence[str]) -> pd.Series:
    """Each value rounded to the precision of its kind; missing stays missing (float)."""
    x = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    places = np.array([DECIMALS[k] for k in kinds])
    out = np.array([np.nan if np.isnan(v) else round(float(v), int(p)) for v, p in zip(x, places, strict=True)])
    return pd.Series(out, index=values.index, dtype="float64")


def _texts(values: pd.Series, show: Callable[[object], str] | None) -> list[str]:
    """Each value as the text a page shows ("" when missing); ``show`` is called once per distinct value (a
    province's progress table repeats each metric's name on 2,000 rows: 52,000 calls took 0.6 s)."""
    done: dict[object, str] = {}
    out = []
    for v in values:
        if fmt.missing(v):
            out.append("")
            continue
        try:
            text = done[v]
        except KeyError:
            text = done[v] = show(v) if show else str(v)
        except TypeError:  # an unhashable value: shown as it is
            text = show(v) if show else str(v)
        out.append(text)
    return out


def scope_text(sel: Selection) -> str:
    """The filters in words: 'A, B · 食品加工' or 全域 / whole area."""
    parts = [", ".join(v) for v in (sel.townships, sel.industries, sel.parks) if v]
    return " · ".join(parts) if parts else t("scope.all")


def context(sel: Selection | None, options: Options, period: str | None = None) -> tuple[tuple[str, str], ...]:
    """The lines every export carries: period and filters (of a view), data through, made at. ``period``: the
    words of a period other than January through the as-of month (a page's 当月/本季), else that one."""
    through = options.data_through()
    view = (
        ()
        if sel is None
        else (
            (t("export.period"), period or fmt.period(sel.year, sel.month)),
            (t("export.filters"), scope_text(sel)),
        )
    )
    return (
        *view,
        (t("export.data_through"), fmt.month(*through) if through else fmt.DASH),
        (t("export.made_at"), fmt.timestamp(clock.now())),
    )


def file_stem(title: str, sel: Selection | None, period: str | None = None) -> str:
    """'标题_范围_2026年1–11月' (a view; ``period`` as in ``context``) or '标题_20261128-0930' with characters a
    file name cannot hold replaced; at most 120 characters."""
    parts = (
        (title, clock.now().strftime("%Y%m%d-%H%M"))
        if sel is None
        else (title, scope_text(sel), period or fmt.period(sel.year, sel.month))
    )
    return re.sub(r"[\\/:*?\"<>|\s,·]+", "_", "_".join(parts)).strip("_")[:120]


def table(
    df: pd.DataFrame,
    cols: Sequence[Col],
    title: str,
    sel: Selection | None,
    options: Options,
    period: str | None = None,
) -> Table:
    """Label ``df`` by ``cols`` for display and export (see the module docstring); ``sel`` None for a
    table that is not a view of the data (batches); ``period``: the words of the table's period when it is
    not January through the as-of month (they go into the export's context and file name)."""
    out: dict[str, pd.Series] = {}
    kinds: dict[str, str] = {}
    row_kinds: dict[str, list[str]] = {}
    per_row = _row_kinds(df) if "metric" in df.columns else []
    for col in cols:
        label = t(col.label) if isinstance(col.label, str) else col.label[0 if current_lang() == "zh" else 1]
        values = df[col.source].reset_index(drop=True)
        if col.kind == "value":
            out[label] = _rounded(values, per_row)
            row_kinds[label] = per_row
        elif col.kind == "people":
            out[label] = suppressed(values)
        elif col.kind in NUMERIC_KINDS:
            out[label] = _rounded(values, [col.kind] * len(values))
        elif col.kind == "date":
            out[label] = pd.Series([fmt.iso_date(v) for v in values], dtype="str")
        else:
            out[label] = pd.Series(_texts(values, col.show), dtype="str")
        kinds[label] = col.kind
    frame = pd.DataFrame(out)
    return Table(frame, kinds, title, context(sel, options, period), file_stem(title, sel, period), row_kinds)


def metric_col(source: str = "metric") -> Col:
    """The metric's name in the display language."""
    return Col(source, "col.metric", show=lambda code: metric_name(str(code)))


def measure_col(source: str = "metric") -> Col:
    """The unit word of the metric's values (万元, 万美元, 个, 人…)."""
    return Col(source, "col.measure", show=lambda code: t(f"unit.{metric_catalogue.get(str(code)).kind}"))


def display_frame(tab: Table):
    """What st.dataframe shows: a pandas Styler with every number formatted to its precision (by row for
    value columns) and rates as percentages. A numeric column with missing cells becomes text with "—"
    (Streamlit shows a missing number as None whatever the Styler says)."""
    frame = tab.frame.copy()
    numeric: list[tuple[str, list[str]]] = []
    for label, kind in tab.kinds.items():
        kinds = tab.row_kinds.get(label) or [kind] * len(frame)
        if kind not in NUMERIC_KINDS:
            frame[label] = frame[label].where(frame[label] != "", fmt.DASH)
        elif kind == "people" or frame[label].isna().any():
            texts = [
                v if isinstance(v, str) else fmt.DASH if fmt.missing(v) else _cell_format(k).format(float(v))
                for v, k in zip(frame[label], kinds, strict=True)
            ]
            frame[label] = pd.Series(texts, dtype="str", index=frame.index)
        else:
            numeric.append((label, kinds))
    styler = frame.style
    for label, kinds in numeric:
        for kind in dict.fromkeys(kinds):
            rows = [i for i, k in enumerate(kinds) if k == kind]
            styler = styler.format(_cell_format(kind), subset=pd.IndexSlice[frame.index[rows], [label]])
    return styler


def _cell_format(kind: str) -> str:
    """The display format of a numeric cell of ``kind`` (board.fmt's, plus the kinds it does not know)."""
    return _OWN_FORMATS.get(kind) or fmt.cell_format(kind)


# The labelled columns of a board.metrics.progress frame (one metric against its target and 序时): the
# overview's card table, its ranking and the park cards' table.
PROGRESS_COLS = [
    metric_col(),
    Col("actual", "col.actual", "value"),
    Col("target", "col.target", "value"),
    measure_col(),
    Col("rate", "col.rate", "rate"),
    Col("pace", "col.pace", "rate"),
    Col("prior", "col.prior", "value"),
    Col("yoy", "col.yoy", "rate"),
]
