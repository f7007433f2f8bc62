"""Park grading settings (园区评价): the weights of the four efficiency measures and the grade bands.

The grade has ONE definition, the SQL of ``v_park_efficiency`` (etl.schema), and ONE set of settings, the
warehouse's ``meta`` table (keys ``park_grading.*``), which the view reads. The operator writes them in an
optional TOML file (``data/park_grading.toml``, or the file ``$DASHBOARD_PARK_GRADING`` names); a missing file
or key means the default below. ``bin/etl init`` (which ``make run`` and ``make warehouse`` run) validates the
file and writes the settings into ``meta``; an invalid file stops ``init`` with a message that says which
value is wrong and why, and the warehouse keeps the settings it had. The parks page reads the same file to
say when it is invalid or not applied yet.

The score and the grade (computed in SQL, etl.schema ``PARK_EFFICIENCY``):

- each measure's percentile rank among the graded parks of the year, ``percent_rank()`` = (parks with a
  lower value) ÷ (graded parks − 1): 0 for the lowest, 1 for the highest, tied parks share the lower rank; a
  park is graded when all four measures exist (land and jobs recorded);
- score = Σ weight × rank ÷ Σ weight, shown 0–100;
- grade by the share of graded parks with a strictly higher score ("ahead"): A when ahead < A %, B when
  ahead < B %, C when ahead < C %, else D. A park exactly on a boundary takes the lower grade: with 20
  parks, the 5th has 4/20 = 20 % ahead of it and is B; tied scores share a grade.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from etl import store

ROOT = Path(__file__).resolve().parents[1]
ENV = "DASHBOARD_PARK_GRADING"
DEFAULT_PATH = ROOT / "data" / "park_grading.toml"
# The four efficiency measures, in display order, and the grades.
MEASURES: tuple[str, ...] = ("tax_per_mu", "output_per_mu", "investment_intensity", "output_per_job")
GRADES: tuple[str, ...] = ("A", "B", "C", "D")
BANDED: tuple[str, ...] = GRADES[:-1]  # D is what is left below C
DEFAULT_WEIGHTS: dict[str, float] = {
    "tax_per_mu": 40.0,
    "output_per_mu": 30.0,
    "investment_intensity": 15.0,
    "output_per_job": 15.0,
}
DEFAULT_BANDS: dict[str, float] = {"A": 20.0, "B": 60.0, "C": 95.0}  # % of graded parks ahead, exclusive
META_PREFIX = "park_grading."


class Invalid(store.Refused):
    """The grading settings file cannot be used (the message says which value and why, in both languages)."""


@dataclass(frozen=True)
class Grading:
    """Weights per measure (relative: the score divides by their sum) and band limits in % (A < B < C)."""

    weights: tuple[tuple[str, float], ...]
    bands: tuple[tuple[str, float], ...]

    def weight(self, measure: str) -> float:
        return dict(self.weights)[measure]

    def share(self, measure: str) -> float:
        """The measure's weight as a share of all weights (0–1)."""
        return self.weight(measure) / sum(w for _, w in self.weights)

    def band(self, grade: str) -> float:
        return dict(self.bands)[grade]

    def meta_rows(self) -> dict[str, str]:
        """The settings as the meta table holds them: key → number as text."""
        rows = {f"{META_PREFIX}weight.{m}": repr(float(w)) for m, w in self.weights}
        rows |= {f"{META_PREFIX}band.{g}": repr(float(b)) for g, b in self.bands}
        return rows


DEFAULT = Grading(tuple(DEFAULT_WEIGHTS.items()), tuple(DEFAULT_BANDS.items()))


def path() -> Path:
    """The settings file: $DASHBOARD_PARK_GRADING, else data/park_grading.toml of the repository."""
    return Path(os.environ.get(ENV) or DEFAULT_PATH)


def _number(value: object, where: str, file: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid(
            f"园区评价设置 {file}：{where} 须为数字，而不是 {value!r}",
            f"park grading settings {file}: {where} must be a number, not {value!r}",
        )
    return float(value)


def parse(text: str, file: str = "park_grading.toml") -> Grading:
    """The settings in TOML ``text`` over the defaults; Invalid when the text is not TOML, names an unknown table
    or key, or holds a value that is not a number, a negative weight, weights that sum to 0, or bands that are
    not 0 < A < B < C ≤ 100."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Invalid(
            f"园区评价设置 {file} 不是有效的 TOML：{exc}", f"park grading settings {file} is not valid TOML: {exc}"
        ) from exc
    known = {"weights": MEASURES, "bands": BANDED}
    for table in known:
        if table in doc and not isinstance(doc[table], dict):
            raise Invalid(
                f"园区评价设置 {file}：{table} 须为一个表（[{table}]）",
                f"park grading settings {file}: {table} must be a table ([{table}])",
            )
    for table in doc:
        if table not in known:
            raise Invalid(
                f"园区评价设置 {file}：未知的设置「{table}」，可用的表为 [weights] 和 [bands]",
                f"park grading settings {file}: unknown setting '{table}'; the tables are [weights] and [bands]",
            )
        for key in doc[table]:
            if key not in known[table]:
                allowed = ", ".join(known[table])
                raise Invalid(
                    f"园区评价设置 {file}：[{table}] 中未知的键「{key}」，可用：{allowed}",
                    f"park grading settings {file}: unknown key '{key}' in [{table}]; allowed: {allowed}",
                )
    given_w = doc.get("weights", {})
    weights = {m: _number(given_w[m], f"weights.{m}", file) if m in given_w else DEFAULT_WEIGHTS[m] for m in MEASURES}
    for m, w in weights.items():
        if w < 0:
            raise Invalid(
                f"园区评价设置 {file}：权重 weights.{m} 不能为负数（{w:g}）",
                f"park grading settings {file}: weight weights.{m} cannot be negative ({w:g})",
            )
    if sum(weights.values()) <= 0:
        raise Invalid(
            f"园区评价设置 {file}：四项权重之和须大于 0",
            f"park grading settings {file}: the four weights must sum to more than 0",
        )
    given_b = doc.get("bands", {})
    bands = {g: _number(given_b[g], f"bands.{g}", file) if g in given_b else DEFAULT_BANDS[g] for g in BANDED}
    a, b, c = (bands[g] for g in BANDED)
    if not 0 < a < b < c <= 100:
        raise Invalid(
            f"园区评价设置 {file}：等级界限须满足 0 < A < B < C ≤ 100（百分比），现为 A={a:g}、B={b:g}、C={c:g}",
            f"park grading settings {file}: the grade bands must satisfy 0 < A < B < C ≤ 100 (percent); "
            f"they are A={a:g}, B={b:g}, C={c:g}",
        )
    return Grading(tuple(weights.items()), tuple(bands.items()))


def load(file: Path | None = None) -> Grading:
    """The settings of ``file`` (default: :func:`path`); the defaults when it does not exist; Invalid otherwise."""
    file = file or path()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return DEFAULT
    except (OSError, UnicodeDecodeError) as exc:
        raise Invalid(
            f"无法读取园区评价设置 {file}：{exc}", f"cannot read the park grading settings {file}: {exc}"
        ) from exc
    return parse(text, str(file))


def from_meta(rows: dict[str, str]) -> Grading:
    """The settings a warehouse holds (meta key → value); a missing key is its default (as in the view)."""
    weights = {m: float(rows.get(f"{META_PREFIX}weight.{m}", DEFAULT_WEIGHTS[m])) for m in MEASURES}
    bands = {g: float(rows.get(f"{META_PREFIX}band.{g}", DEFAULT_BANDS[g])) for g in BANDED}
    return Grading(tuple(weights.items()), tuple(bands.items()))
