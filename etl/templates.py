"""Upload templates generated from the contracts: header row (with notes), one marked example row that the reader
ignores while it is untouched, drop-down lists for enums, and a 说明 sheet."""

from __future__ import annotations

import io

import pandas as pd
import xlsxwriter
import xlsxwriter.utility

from etl.contracts import Column, Dataset

KIND_TEXT: dict[str, tuple[str, str]] = {
    "text": ("文本", "text"),
    "code": ("编号（不含空格）", "identifier (no spaces)"),
    "enum": ("可选值之一", "one of the allowed values"),
    "money": ("金额，万元（可写 3.5亿、3000万元）", "amount in 万元 (3.5亿 or 3000万元 accepted)"),
    "usd": ("外资金额，万美元", "amount in 万美元 (10k USD)"),
    "number": ("数值", "number"),
    "count": ("整数", "whole number"),
    "date": ("日期，如 2012-03-05", "date, e.g. 2012-03-05"),
    "month": ("月份，如 2012-03", "month, e.g. 2012-03"),
    "period": ("月份 2012-03 或全年 2012", "month 2012-03 or year 2012"),
    "year": ("年份，如 2012", "year, e.g. 2012"),
    "bool": ("是/否", "yes/no (是/否)"),
    "id_number": ("18位身份证号（入库前转为假名）", "18-digit ID number (pseudonymised before storage)"),
    "person_key": ("人员编号", "person identifier"),
    "drop": ("个人信息，仅用于核对，不入库", "personal data, checked only, never stored"),
}

# Example cells by column name where a kind-based example would break a rule or read oddly.
_EXAMPLES: dict[str, str] = {
    "lon": "104.0652",
    "lat": "30.5728",
    "project_id": "P2012001",
    "class_id": "C2012001",
    "venture_id": "V2012001",
    "lead_id": "L2012001",
    "status": "开工",
    "signed_date": "2012-03-05",
    "started_date": "2012-04-01",
    "completed_date": "",
    "production_date": "",
    "funds_in_place": "3000",
    "out_of_province": "2000",
    "export_total": "120",
    "export_organized": "80",
    "start_date": "2012-03-05",
    "end_date": "2012-03-20",
    "employed_date": "2012-04-01",
    "return_date": "2012-02-10",
    "status_date": "2012-03-01",
    "id_number": "11010519491231002X",
    "person_key": "",
    "gender": "女",
    "name": "示例名称",
    "phone": "13800000000",
    "township": "城关镇",
    "unit": "城关镇",
    "park": "经济开发区",
    "period": "2012-03",
    "subsidy": "600",
    "code": "510999100000",
    "parent": "全县",
    "aliases": "城关",
    "first_year": "2012",
    "last_year": "",
}
_KIND_EXAMPLES: dict[str, str] = {
    "text": "示例",
    "code": "X001",
    "money": "35000",
    "usd": "500",
    "number": "120",
    "count": "50",
    "date": "2012-03-05",
    "month": "2012-03",
    "period": "2012-03",
    "year": "2012",
    "bool": "是",
    "person_key": "R0001",
    "drop": "示例",
}


def example_value(col: Column, lang: str = "zh") -> str:
    """A cell that validates for ``col`` (the example row of the template)."""
    given = _EXAMPLES.get(col.name)
    if given is not None and (col.kind != "enum" or given in col.choices or given in col.aliases):
        return given
    if col.kind == "enum":
        first = col.choices[0]
        if lang == "zh":
            return next((a for a, c in col.aliases.items() if c == first and not a.isascii()), first)
        return first
    return _KIND_EXAMPLES.get(col.kind, "示例")


def template(dataset: Dataset, fmt: str = "csv", lang: str = "zh") -> bytes:
    """Header row (zh headers by default) and one example row; xlsx adds a 说明 sheet describing each column."""
    headers = [c.zh if lang == "zh" else c.name for c in dataset.columns]
    example = [example_value(c, lang) for c in dataset.columns]
    if fmt == "csv":
        return b"\xef\xbb\xbf" + pd.DataFrame([example], columns=headers).to_csv(index=False).encode("utf-8")
    if fmt != "xlsx":
        raise ValueError(fmt)
    buf = io.BytesIO()
    with xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}) as wb:
        text = wb.add_format({"num_format": "@"})
        bold = wb.add_format({"bold": True, "num_format": "@", "bg_color": "#DDEBF7"})
        marked = wb.add_format({"num_format": "@", "italic": True, "font_color": "#7F7F7F", "bg_color": "#FFF2CC"})
        ws = wb.add_worksheet("数据" if lang == "zh" else "data")
        ws.set_column(0, len(headers) - 1, 16, text)  # text format: IDs and codes are never turned into numbers
        ws.write_row(0, 0, headers, bold)
        ws.write_row(1, 0, example, marked)
        ws.write_comment(1, 0, EXAMPLE_NOTE[lang == "en"], {"x_scale": 2, "y_scale": 1.2})
        for j, c in enumerate(dataset.columns):
            ws.write_comment(0, j, header_note(c, lang), {"x_scale": 2, "y_scale": 1.5})
        ws.freeze_panes(1, 0)
        info = wb.add_worksheet("说明")
        info.write(0, 0, f"{dataset.zh}（{dataset.en}）：{dataset.grain_zh} / {dataset.grain_en}")
        info.write(1, 0, EXAMPLE_NOTE[0] + " / " + EXAMPLE_NOTE[1])
        cols = [
            "表头 header",
            "英文名 English name",
            "类型 type",
            "单位 unit",
            "必填 required",
            "可选值 allowed values",
            "说明 help",
        ]
        info.write_row(2, 0, cols, bold)
        for i, c in enumerate(dataset.columns, start=3):
            kind_zh, kind_en = KIND_TEXT[c.kind]
            allowed = "、".join(dict.fromkeys([*c.choices, *c.aliases]))
            help_text = " / ".join(x for x in (c.help_zh, c.help_en) if x)
            req = "是 yes" if c.required else ("" if not any(c.name in g for g in dataset.one_of) else "二选一 one of")
            info.write_row(i, 0, [c.zh, c.name, f"{kind_zh} / {kind_en}", c.unit, req, allowed, help_text])
        info.set_column(0, 6, 22)
        _drop_downs(ws, info, dataset, lang, bold)
    return buf.getvalue()


EXAMPLE_NOTE = (
    "第2行是示例行：整行不改动时上传会自动忽略，可以删除，也可以保留；从第3行起填写数据。",
    "Row 2 is an example: left as it is, it is ignored on upload (delete it or keep it); enter data from row 3.",
)
LIST_COLUMN = 8  # the 说明 sheet's column I onwards holds the drop-down lists, one column per enum
LIST_ROWS = 10_000  # data rows that get the drop-down


def header_note(c: Column, lang: str = "zh") -> str:
    """The comment on a header cell: what a cell holds, its unit, whether it is required, the column's help."""
    i = 0 if lang == "zh" else 1
    kind = KIND_TEXT[c.kind][i]
    parts = [f"{c.zh} / {c.name}", kind]
    if c.unit:
        parts.append(("单位：" if i == 0 else "unit: ") + c.unit)
    if c.required:
        parts.append("必填" if i == 0 else "required")
    helptext = (c.help_zh, c.help_en)[i]
    if helptext:
        parts.append(helptext)
    return "\n".join(parts)


def list_values(c: Column, lang: str = "zh") -> list[str]:
    """The drop-down values of an enum column: its canonical choices, shown by their Chinese name in a Chinese
    template when the canonical value is an English code (target metrics)."""
    if lang != "zh":
        return list(c.choices)
    return [next((a for a, v in c.aliases.items() if v == ch and not a.isascii()), ch) for ch in c.choices]


def _drop_downs(ws, info, dataset: Dataset, lang: str, bold) -> None:
    """A drop-down list on every enum column (values on the 说明 sheet, a warning, not a stop, for another value:
    the reader accepts other spellings too)."""
    enums = [(j, c) for j, c in enumerate(dataset.columns) if c.kind == "enum" and c.choices]
    for k, (j, c) in enumerate(enums):
        col = LIST_COLUMN + k
        values = list_values(c, lang)
        info.write(2, col, f"{c.zh} 可选值", bold)
        info.write_column(3, col, values)
        letter = xlsxwriter.utility.xl_col_to_name(col)
        ws.data_validation(
            1,  # from the example row down: a clerk who deletes it types into row 2
            j,
            LIST_ROWS,
            j,
            {
                "validate": "list",
                "source": f"='说明'!${letter}$4:${letter}${3 + len(values)}",
                "error_type": "warning",
                "error_title": "不在可选值中 / not an allowed value",
                "error_message": "、".join(values)[:250],
            },
        )
