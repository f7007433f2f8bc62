"""The monthly bulletin (月度通报): a formatted workbook and a PDF of the dashboard's own numbers for a year and month.

Every number comes from the read side the pages call (board.metrics: progress, targets.unit_progress,
assessment, projects.stalled_projects), so the bulletin and the dashboard cannot disagree. It runs inside the
dashboard (download buttons of the 考核排名 page) and from the command line (``python -m etl bulletin``), where
board.db's bare mode serves the same functions without a Streamlit runtime.

The workbook: a cover, then one sheet per section (headline, target completion by unit with the 序时 verdict,
unit ranking, people ranking, stalled projects, employment); numbers are numbers with a display format, text is
neutralised as in board.export, no cell is a formula. The PDF: the same tables and three charts (matplotlib PNG
images), with a CJK font embedded (fpdf2; Noto Sans CJK from fonts-noto-cjk, or $DASHBOARD_CJK_FONT).
"""

from __future__ import annotations

import io
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from board import fmt, meta
from board.export import neutralise
from board.i18n import metric_name, status_name, t
from board.metrics import assessment, progress, projects, targets
from board.selection import Selection
from etl import clock, metric_catalogue, store

# The target metrics of the by-unit section (those with no unit target in the year are left out).
UNIT_METRICS: tuple[str, ...] = (
    "contract_investment", "funds_in_place", "out_of_province_funds", "projects_signed", "projects_signed_100m",
    "projects_in_production",
)  # fmt: skip
EMPLOYMENT_METRICS: tuple[str, ...] = ("returnee_ventures", "trainees", "new_jobs", "labor_export")
FONT_ENV = "DASHBOARD_CJK_FONT"
FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)
_NUMBER_FORMATS = {"money": "#,##0.00", "count": "#,##0", "rate": "0.0%", "points": "#,##0.0#"}


@dataclass(frozen=True)
class Section:
    """One table of the bulletin: a sheet name, a title, labelled columns with their kinds, the rows."""

    key: str
    title: str
    frame: pd.DataFrame  # headers in the bulletin's language; numbers as float (NaN = missing), text as str
    kinds: dict[str, str]  # header → text | money | count | rate | points | value (money or count by row)
    row_kinds: tuple[str, ...] = ()  # for value columns: money or count, per row (by the row's metric)

    def kind(self, label: str, row: int) -> str:
        kind = self.kinds[label]
        return self.row_kinds[row] if kind == "value" else kind


def _value_kinds(metrics) -> tuple[str, ...]:
    """Per row, how its metric's amounts are written: money (万元, 万美元) or count."""
    return tuple("money" if metric_catalogue.get(m).kind in ("money", "usd") else "count" for m in metrics)


def title(year: int, month: int, lang: str) -> str:
    return t("bulletin.title", lang, period=fmt.month(year, month, lang))


def file_stem(year: int, month: int, lang: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", t("bulletin.file", lang, y=year, m=f"{month:02d}"))


def _labelled(df: pd.DataFrame, cols: list[tuple[str, str, str]], lang: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """(frame with headers in ``lang``, kinds): ``cols`` = (source, catalog key, kind); text "" when missing."""
    out, kinds = {}, {}
    for source, key, kind in cols:
        label = t(key, lang)
        values = df[source].reset_index(drop=True) if len(df) else pd.Series([], dtype="object")
        if kind == "text":
            out[label] = pd.Series(["" if fmt.missing(v) else str(v) for v in values], dtype="object")
        else:
            out[label] = pd.to_numeric(values, errors="coerce").astype("float64") if len(values) else values
        kinds[label] = kind
    return pd.DataFrame(out), kinds


def _verdict(ahead: object, lang: str) -> str:
    if ahead is None or (isinstance(ahead, float) and math.isnan(ahead)):
        return t("bulletin.no_rate", lang)
    return t("verdict.ahead_short" if bool(ahead) else "verdict.behind_short", lang)


def sections(year: int, month: int, lang: str = "zh", version: int | None = None) -> list[Section]:
    """Every table of the bulletin for data through ``month`` of ``year`` (rule ``version``: the one in force)."""
    sel = Selection(year=year, month=month)
    version = version or assessment.current_version()
    out: list[Section] = []

    head = progress.progress(sel, metric_catalogue.CARD_METRICS).copy()
    head["name"] = [metric_name(m, lang) for m in head["metric"]]
    head["unit_word"] = [t(f"unit.{metric_catalogue.get(m).kind}", lang) for m in head["metric"]]
    head["verdict"] = [_verdict(a, lang) for a in head["ahead"]]
    cols = [("name", "col.metric", "text"), ("unit_word", "col.measure", "text"), ("actual", "col.actual", "value")]
    cols += [("target", "col.target", "value"), ("rate", "col.rate", "rate"), ("pace", "col.pace", "rate")]
    cols += [("verdict", "col.verdict", "text")]
    headline = Section(
        "headline", t("bulletin.headline", lang), *_labelled(head, cols, lang), _value_kinds(head["metric"])
    )
    out.append(headline)

    frames = []
    for metric in UNIT_METRICS:
        df = targets.unit_progress(sel, metric, "ytd")
        frames.append(df[df["rate"].notna()])
    units = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    units["name"] = [metric_name(m, lang) for m in units["metric"]]
    units["type_word"] = [t(f"targets.type.{ty}", lang) for ty in units["type"]]
    units["unit_word"] = [t(f"unit.{metric_catalogue.get(m).kind}", lang) for m in units["metric"]]
    units["verdict"] = [_verdict(a, lang) for a in units["ahead"]]
    cols = [("name", "col.metric", "text"), ("unit", "col.unit", "text"), ("type_word", "col.unit_type", "text")]
    cols += [("unit_word", "col.measure", "text")]
    cols += [("target", "col.target", "value"), ("actual", "col.actual", "value"), ("rate", "col.rate", "rate")]
    cols += [("pace", "col.pace", "rate"), ("verdict", "col.verdict", "text"), ("rank_all", "col.rank_all", "count")]
    out.append(
        Section("targets", t("bulletin.targets", lang), *_labelled(units, cols, lang), _value_kinds(units["metric"]))
    )

    if version is not None:
        ranking = assessment.units(year, month, version)
        cols = [("position", "col.position", "count"), ("unit", "col.unit", "text")]
        cols += [("completion", "col.completion_score", "points"), ("points", "col.points", "points")]
        cols += [("stalled", "col.stalled_projects", "count"), ("deduction", "col.deduction", "points")]
        cols += [("score", "col.unit_score", "points")]
        out.append(Section("units", t("bulletin.units", lang), *_labelled(ranking, cols, lang)))
        people = assessment.people(year, month, version).copy()
        people["state"] = [t(f"assessment.quota.{s}", lang) for s in people["quota_state"]]
        cols = [("position", "col.position", "count"), ("person", "col.person", "text")]
        cols += [("units", "col.unit", "text"), ("rank", "col.staff_rank", "text"), ("quota", "col.quota", "count")]
        cols += [("valuable", "col.valuable_leads", "count"), ("state", "col.quota_state", "text")]
        cols += [("projects", "col.projects_signed", "count"), ("points", "col.points", "points")]
        out.append(Section("people", t("bulletin.people", lang), *_labelled(people, cols, lang)))

    settings = meta.settings()
    stalled = projects.stalled_projects(
        sel, settings["settings.stalled_signed_days"], settings["settings.stalled_no_funds_months"]
    ).copy()
    stalled["why"] = [t(f"stalled.{r}", lang) for r in stalled["reason"]]
    stalled["status_word"] = [status_name(str(s), lang) for s in stalled["status"]]
    cols = [("project_id", "col.project_id", "text"), ("name", "col.project", "text"), ("why", "col.reason", "text")]
    cols += [("days_stuck", "col.days_stuck", "count"), ("township", "col.township", "text")]
    cols += [("responsible_unit", "col.responsible_unit", "text"), ("status_word", "col.status", "text")]
    cols += [("total_investment", "col.total_investment", "money")]
    out.append(Section("stalled", t("bulletin.stalled", lang), *_labelled(stalled, cols, lang)))

    jobs = progress.progress(sel, EMPLOYMENT_METRICS).copy()
    jobs["name"] = [metric_name(m, lang) for m in jobs["metric"]]
    jobs["unit_word"] = [t(f"unit.{metric_catalogue.get(m).kind}", lang) for m in jobs["metric"]]
    jobs["verdict"] = [_verdict(a, lang) for a in jobs["ahead"]]
    cols = [("name", "col.metric", "text"), ("unit_word", "col.measure", "text"), ("actual", "col.actual", "count")]
    cols += [("prior", "col.prior", "count"), ("target", "col.target", "count"), ("rate", "col.rate", "rate")]
    cols += [("verdict", "col.verdict", "text")]
    out.append(Section("employment", t("bulletin.employment", lang), *_labelled(jobs, cols, lang)))
    return out


def last_month(year: int) -> int:
    """The last month of ``year`` a bulletin may be made for (the filters' rule: the latest month with data; 12 for
    a year before the latest; a year without data at all: 12)."""
    return meta.options().last_month(year)


def cover(year: int, month: int, lang: str, version: int | None) -> list[tuple[str, str]]:
    """The cover's lines (label, value)."""
    through = meta.options().data_through()
    return [
        (t("export.period", lang), fmt.period(year, month, lang)),
        (t("col.pace", lang), fmt.pct(progress.pace(month))),
        (t("export.data_through", lang), fmt.month(*through, lang) if through else fmt.DASH),
        (t("assessment.rule_version", lang), "—" if version is None else str(version)),
        (t("export.made_at", lang), fmt.timestamp(clock.now(), lang)),
    ]


# --------------------------------------------------------------------------- the workbook


def xlsx_bytes(year: int, month: int, lang: str = "zh", version: int | None = None) -> bytes:
    """The bulletin as an XLSX workbook (xlsxwriter; text never becomes a formula or a link)."""
    import xlsxwriter

    version = version or assessment.current_version()
    parts = sections(year, month, lang, version)
    buf = io.BytesIO()
    opts = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(buf, opts) as wb:
        big = wb.add_format({"bold": True, "font_size": 18})
        bold = wb.add_format({"bold": True, "font_size": 13})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        numbers = {k: wb.add_format({"num_format": f}) for k, f in _NUMBER_FORMATS.items()}
        ws = wb.add_worksheet(t("bulletin.sheet.cover", lang))
        ws.write_string(0, 0, neutralise(title(year, month, lang)), big)
        for i, (k, v) in enumerate(cover(year, month, lang, version), start=2):
            ws.write_string(i, 0, neutralise(k))
            ws.write_string(i, 1, neutralise(v))
        row = 9
        ws.write_string(row, 0, t("bulletin.contents", lang), bold)
        for i, part in enumerate(parts, start=row + 1):
            ws.write_string(i, 0, neutralise(part.title))
        ws.set_column(0, 0, 28)
        ws.set_column(1, 1, 36)
        for part in parts:
            ws = wb.add_worksheet(t(f"bulletin.sheet.{part.key}", lang)[:31])
            ws.write_string(0, 0, neutralise(part.title), bold)
            ws.write_string(1, 0, neutralise(fmt.period(year, month, lang)))
            top = 3
            for j, label in enumerate(part.frame.columns):
                ws.write_string(top, j, neutralise(str(label)), head)
                for i, v in enumerate(part.frame[label], start=top + 1):
                    kind = part.kind(label, i - top - 1)
                    if kind == "text":
                        if v != "":
                            ws.write_string(i, j, neutralise(str(v)))
                    elif not (v is None or (isinstance(v, float) and math.isnan(v))):
                        ws.write_number(i, j, float(v), numbers[kind])
                width = max([len(str(label))] + [len(str(v)) for v in part.frame[label].head(200)]) + 2
                ws.set_column(j, j, min(max(width * 1.6, 10), 50))
            ws.freeze_panes(top + 1, 0)
    return buf.getvalue()


# --------------------------------------------------------------------------- the PDF


def font_path() -> Path:
    """A CJK font file to embed: $DASHBOARD_CJK_FONT, else Noto Sans CJK of fonts-noto-cjk; Refused when none."""
    for candidate in [os.environ.get(FONT_ENV), *FONT_CANDIDATES]:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise store.Refused(
        "未找到中文字体，无法生成 PDF：请安装 fonts-noto-cjk（make browser），或用 DASHBOARD_CJK_FONT 指定字体文件",
        "no CJK font to embed in the PDF: install fonts-noto-cjk (make browser) or name a font file in "
        "DASHBOARD_CJK_FONT",
    )


def _collection_index(path: Path) -> int:
    """The index of the Simplified Chinese face in a font collection (.ttc); 0 for a single font."""
    if path.suffix.lower() != ".ttc":
        return 0
    from fontTools.ttLib import TTCollection

    names = [f["name"].getDebugName(4) or "" for f in TTCollection(str(path), lazy=True).fonts]
    for i, name in enumerate(names):
        if name.endswith(" SC") and "Mono" not in name:
            return i
    return 0


def _chart(kind: str, labels: list[str], values: list[float], title_text: str, pace: float | None = None) -> bytes:
    """A horizontal bar chart as PNG bytes (matplotlib, the CJK font registered)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    path = font_path()
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    with plt.rc_context({"font.family": [family, "sans-serif"], "axes.unicode_minus": False}):
        fig, ax = plt.subplots(figsize=(7.5, 0.32 * max(len(labels), 3) + 1.0), dpi=130)
        ax.barh(labels[::-1], values[::-1], color="#1f4e9c")
        for y, v in enumerate(values[::-1]):
            ax.text(v, y, " " + (fmt.pct(v / 100) if kind == "rate" else fmt.number(round(v, 1))), va="center")
        if pace is not None:
            ax.axvline(pace * 100, color="#333", linestyle="--", linewidth=1)
        ax.set_title(title_text)
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.18)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    return buf.getvalue()


def _pdf_cell(v: object, kind: str) -> str:
    if kind == "text":
        return str(v)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return fmt.DASH
    if kind == "rate":
        return fmt.pct(float(v))
    if kind == "count":
        return fmt.number(round(float(v)))
    return f"{float(v):,.2f}" if kind == "money" else fmt.number(round(float(v), 2))


def pdf_bytes(year: int, month: int, lang: str = "zh", version: int | None = None, rows: int = 40) -> bytes:
    """The bulletin as a PDF: the cover lines, the charts and every section's table (the first ``rows`` rows of a
    long one; the workbook has them all)."""
    from fpdf import FPDF

    version = version or assessment.current_version()
    parts = {p.key: p for p in sections(year, month, lang, version)}
    path = font_path()
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font("cjk", "", str(path), collection_font_number=_collection_index(path))
    pdf.set_font("cjk", size=10)
    pdf.add_page()
    pdf.set_font_size(20)
    pdf.cell(0, 14, title(year, month, lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(11)
    for k, v in cover(year, month, lang, version):
        pdf.cell(0, 7, f"{k}：{v}" if lang == "zh" else f"{k}: {v}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _pdf_table(pdf, parts["headline"], rows, lang)

    pdf.add_page()
    sel_pace = progress.pace(month)
    unit_rows = targets.unit_progress(Selection(year=year, month=month), "contract_investment", "ytd")
    unit_rows = unit_rows[unit_rows["rate"].notna() & (unit_rows["type"] != "area")].sort_values(
        "rate", ascending=False
    )
    images = []
    if len(unit_rows):
        chart_title = t("bulletin.chart.completion", lang, metric=metric_name("contract_investment", lang))
        rates = [float(r) * 100 for r in unit_rows["rate"]]
        images.append(_chart("rate", list(unit_rows["unit"]), rates, chart_title, sel_pace))
    if version is not None:
        ranking = assessment.units(year, month, version).head(15)
        if len(ranking):
            scores = [float(s) for s in ranking["score"]]
            images.append(_chart("points", list(ranking["unit"]), scores, t("assessment.units_chart", lang)))
        people = assessment.people(year, month, version).head(10)
        if len(people):
            points = [float(p) for p in people["points"]]
            images.append(_chart("points", list(people["person"]), points, t("assessment.people_chart", lang)))
    for png in images:
        if pdf.get_y() > 120:
            pdf.add_page()
        pdf.image(io.BytesIO(png), w=170)
        pdf.ln(2)
    for key in ("targets", "units", "people", "stalled", "employment"):
        if key in parts:
            pdf.add_page()
            _pdf_table(pdf, parts[key], rows, lang)
    return bytes(pdf.output())


def _pdf_table(pdf, part: Section, rows: int, lang: str) -> None:
    pdf.set_font_size(13)
    pdf.cell(0, 9, part.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(8.5)
    frame = part.frame.head(rows)
    if frame.empty:
        pdf.cell(0, 7, t("bulletin.empty", lang), new_x="LMARGIN", new_y="NEXT")
        return
    aligns = ["LEFT" if part.kinds[c] == "text" else "RIGHT" for c in frame.columns]
    from fpdf.fonts import FontFace

    heading = FontFace(emphasis="", fill_color=(221, 235, 247))  # the embedded CJK face has no bold variant
    with pdf.table(
        text_align=tuple(aligns), line_height=5.5, first_row_as_headings=True, headings_style=heading
    ) as table:
        table.row([str(c) for c in frame.columns])
        for i, rec in enumerate(frame.itertuples(index=False)):
            table.row([_pdf_cell(v, part.kind(c, i)) for v, c in zip(rec, frame.columns, strict=True)])
    if len(part.frame) > rows:
        pdf.set_font_size(8)
        pdf.cell(0, 6, t("bulletin.more_rows", lang, n=len(part.frame) - rows), new_x="LMARGIN", new_y="NEXT")
