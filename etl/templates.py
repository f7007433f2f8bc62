"""Upload templates generated from the contracts: header row, one valid example row, and a 说明 sheet."""

from __future__ import annotations

import io

import pandas as pd
import xlsxwriter

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
        ws = wb.add_worksheet("数据" if lang == "zh" else "data")
        ws.set_column(0, len(headers) - 1, 16, text)  # text format: IDs and codes are never turned into numbers
        ws.write_row(0, 0, headers, bold)
        ws.write_row(1, 0, example, text)
        ws.freeze_panes(1, 0)
        info = wb.add_worksheet("说明")
        info.write(0, 0, f"{dataset.zh}（{dataset.en}）：{dataset.grain_zh} / {dataset.grain_en}")
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
    return buf.getvalue()
