"""Reading clerk files: encodings, title/total/note rows, blank rows, XLSX traps, whole-file rejections."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from etl.readers import FileRejected, read_file
from etl.validate import known_headers

KNOWN = known_headers()
PROJECT_HEADER = "项目编号,项目名称,所属镇街,产业类别,总投资(万元),项目状态"


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx written by openpyxl (its formulas have no cached value, like a file never opened in Excel)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_gbk_csv_is_read() -> None:
    data = (PROJECT_HEADER + "\nP1,新材料产业园,城关镇,新材料,35000,签约\n").encode("gbk")
    raw = read_file(data, "a.csv", known_headers=KNOWN)
    assert raw.encoding == "gb18030"
    assert raw.frame["项目名称"].tolist() == ["新材料产业园"]
    assert raw.rows.tolist() == [2]


def test_gb18030_rare_character_round_trips() -> None:
    data = "身份证号,姓名,镇街,返乡日期\n11010519491231002X,𠮷野,城关镇,2012-03-05\n".encode("gb18030")
    raw = read_file(data, "r.csv", known_headers=KNOWN)
    assert raw.frame["姓名"].iat[0] == "𠮷野"


def test_utf8_bom_csv() -> None:
    data = ("\ufeff" + PROJECT_HEADER + "\r\nP1,甲,城关镇,新材料,1,签约\r\n").encode("utf-8")
    raw = read_file(data, "a.csv", known_headers=KNOWN)
    assert raw.encoding == "utf-8-sig"
    assert raw.headers[0] == "项目编号"  # no BOM glued to the first header


def test_invalid_bytes_are_rejected_not_replaced() -> None:
    data = PROJECT_HEADER.encode() + b"\nP1,\xff\xfe\xfd,x,y,1,z\n"
    with pytest.raises(FileRejected) as exc:
        read_file(data, "a.csv", known_headers=KNOWN)
    assert exc.value.code == "file_encoding"
    assert "第2行" in exc.value.zh and "line 2" in exc.value.en


def test_csv_title_row_blank_lines_totals_and_notes() -> None:
    text = (
        "2012年招商项目统计表,,,,,\n"
        + PROJECT_HEADER
        + "\nP1,甲,城关镇,新材料,100,签约\n"
        + "\n"  # truly empty line in the middle
        + "P2,乙,城关镇,新材料,200,签约\n"
        + "合 计,,,,300,\n"
        + "注：金额单位万元,,,,,\n"
        + ",,,,,\n,,,,,\n"
    )
    raw = read_file(text.encode("utf-8"), "a.csv", known_headers=KNOWN)
    assert raw.header_row == 2
    assert raw.rows.tolist() == [3, 5]  # the clerk's line numbers survive the empty line
    assert raw.frame["项目编号"].tolist() == ["P1", "P2"]
    assert [(t["row"], t["values"]["总投资(万元)"]) for t in raw.totals] == [(6, "300")]
    assert raw.skipped == [(4, "blank_row"), (7, "note_row"), (8, "blank_row"), (9, "blank_row")]


def test_trailing_comma_rows_are_blank_rows() -> None:
    text = PROJECT_HEADER + "\nP1,甲,城关镇,新材料,100,签约\n,,,,,\n,,,,,\n"
    raw = read_file(text.encode(), "a.csv", known_headers=KNOWN)
    assert len(raw.frame) == 1
    assert raw.skipped == [(3, "blank_row"), (4, "blank_row")]


def test_repeated_headers_are_renamed_and_reported() -> None:
    raw = read_file(("项目编号,项目名称,项目名称\nP1,a,b\n").encode(), "a.csv", known_headers=KNOWN)
    assert raw.headers == ["项目编号", "项目名称", "项目名称.2"]
    assert [i.code for i in raw.issues] == ["header_duplicate"]


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "a.csv", "file_empty"),
        (b"\xef\xbb\xbf\r\n", "a.csv", "file_empty"),
        ((PROJECT_HEADER + "\n").encode(), "a.csv", "file_no_data"),
        ((PROJECT_HEADER + "\n,,,,,\n").encode(), "a.csv", "file_no_data"),
        ("甲,乙,丙\n1,2,3\n".encode(), "a.csv", "file_no_header"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "old.xls", "file_format"),
        (b"PK\x03\x04 not really a zip", "a.xlsx", "file_corrupt"),
    ],
)
def test_whole_file_rejections(data: bytes, name: str, code: str) -> None:
    with pytest.raises(FileRejected) as exc:
        read_file(data, name, known_headers=KNOWN)
    assert exc.value.code == code
    assert exc.value.zh and exc.value.en


def test_xlsx_title_total_and_formula_without_cached_value() -> None:
    data = xlsx(
        {
            "项目": [
                ["2012年招商项目统计表"],
                ["项目编号", "项目名称", "所属镇街", "产业类别", "总投资（万元）", "项目状态", "签约日期", "重点项目"],
                ["P1", "甲", "城关镇", "新材料", 100, "签约", dt.datetime(2012, 3, 5), True],
                ["P2", "乙", "城关镇", "新材料", 200.5, "签约", dt.datetime(2012, 3, 5, 14, 30), False],
                ["P3", "丙", "城关镇", "新材料", "=E3*2", "签约", None, None],
                ["合计", None, None, None, "=SUM(E3:E5)", None, None, None],
            ]
        }
    )
    raw = read_file(data, "a.xlsx", known_headers=KNOWN)
    assert raw.file_format == "xlsx" and raw.sheet == "项目" and raw.header_row == 2
    assert raw.rows.tolist() == [3, 4, 5]
    assert raw.frame["总投资（万元）"].tolist() == ["100", "200.5", ""]
    assert raw.frame["签约日期"].tolist() == ["2012-03-05", "2012-03-05T14:30:00", ""]
    assert raw.frame["重点项目"].tolist() == ["是", "否", ""]
    assert [t["row"] for t in raw.totals] == [6]
    formula = sorted((i.row, i.column) for i in raw.issues if i.code == "formula_no_value")
    assert formula == [(5, "总投资（万元）"), (6, "总投资（万元）")]


def test_xlsx_picks_first_sheet_with_a_header_and_says_so() -> None:
    data = xlsx(
        {
            "封面": [["填报单位：城关镇"]],
            "数据": [PROJECT_HEADER.split(","), ["P1", "甲", "城关镇", "新材料", 1, "签约"]],
        }
    )
    raw = read_file(data, "a.xlsx", known_headers=KNOWN)
    assert raw.sheet == "数据" and raw.sheets == ["封面", "数据"]
    chosen = [i for i in raw.issues if i.code == "sheet_chosen"]
    assert chosen and chosen[0].params["sheet"] == "数据"


def test_xlsx_named_sheet_and_missing_sheet() -> None:
    rows = [PROJECT_HEADER.split(","), ["P1", "甲", "城关镇", "新材料", 1, "签约"]]
    data = xlsx({"一月": rows, "二月": [*rows, ["P2", "乙", "城关镇", "新材料", 2, "签约"]]})
    assert len(read_file(data, "a.xlsx", sheet="二月", known_headers=KNOWN).frame) == 2
    with pytest.raises(FileRejected) as exc:
        read_file(data, "a.xlsx", sheet="三月", known_headers=KNOWN)
    assert exc.value.code == "sheet_not_found" and "一月" in exc.value.zh


def test_xlsx_uncompressed_size_cap_is_checked_before_parsing() -> None:
    data = xlsx({"s": [PROJECT_HEADER.split(","), ["P1", "甲", "城关镇", "新材料", 1, "签约"]]})
    total = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    with pytest.raises(FileRejected) as exc:
        read_file(data, "a.xlsx", known_headers=KNOWN, max_uncompressed=total - 1)
    assert exc.value.code == "file_too_large"
    assert read_file(data, "a.xlsx", known_headers=KNOWN, max_uncompressed=total).frame.shape[0] == 1


def test_corrupt_xlsx_is_rejected() -> None:
    data = xlsx({"s": [PROJECT_HEADER.split(",")]})
    with pytest.raises(FileRejected) as exc:
        read_file(data[: len(data) // 2], "a.xlsx", known_headers=KNOWN)
    assert exc.value.code == "file_corrupt"


def test_id_typed_as_excel_number_is_flagged() -> None:
    data = xlsx({"s": [["身份证号", "镇街", "返乡日期"], [110105194912310000, "城关镇", "2012-03-05"]]})
    raw = read_file(data, "r.xlsx", known_headers=KNOWN)
    issues = [(i.row, i.column, i.code) for i in raw.issues]
    assert (2, "身份证号", "id_as_number") in issues


def test_header_only_xlsx_is_rejected() -> None:
    with pytest.raises(FileRejected) as exc:
        read_file(xlsx({"s": [PROJECT_HEADER.split(",")]}), "a.xlsx", known_headers=KNOWN)
    assert exc.value.code == "file_no_data"


def test_tab_separated_export_is_read() -> None:
    data = "项目编号\t项目名称\t总投资(万元)\nP1\t甲,乙合作\t1,234.5\n".encode("gbk")
    raw = read_file(data, "export.txt", known_headers=KNOWN)
    assert raw.frame.values.tolist() == [["P1", "甲,乙合作", "1,234.5"]]


def test_html_saved_as_xls_is_refused_with_advice() -> None:
    with pytest.raises(FileRejected) as exc:
        read_file(b"<html><table><tr><td>1</td></tr></table></html>", "report.xls", known_headers=KNOWN)
    assert exc.value.code == "file_format" and ".xlsx" in exc.value.zh


# ---------------------------------------------------------------- hostile and careless files


def handmade_xlsx(sheets: dict[str, str], *, hidden: tuple[str, ...] = (), dimension: str | None = None) -> bytes:
    """A minimal .xlsx zipped by hand: ``sheets`` maps a sheet name to the XML inside its <sheetData>."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        listed = "".join(
            f'<sheet name="{n}" sheetId="{i}"{" state=" + chr(34) + "hidden" + chr(34) if n in hidden else ""} r:id="rId{i}"/>'
            for i, n in enumerate(sheets, 1)
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>{listed}</sheets></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>',
        )
        dim = f'<dimension ref="{dimension}"/>' if dimension else ""
        for i, body in enumerate(sheets.values(), 1):
            z.writestr(
                f"xl/worksheets/sheet{i}.xml",
                f'<?xml version="1.0"?><worksheet xmlns="{ns}">{dim}<sheetData>{body}</sheetData></worksheet>',
            )
    return buf.getvalue()


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def project_rows(first_row: int = 1, first_col: str = "A") -> str:
    """The project header and one data row as sheet XML, from ``first_col``/``first_row`` on."""
    cols = [chr(ord(first_col) + i) for i in range(6)]
    header = "".join(text_cell(f"{c}{first_row}", h) for c, h in zip(cols, PROJECT_HEADER.split(","), strict=True))
    data = "".join(
        text_cell(f"{c}{first_row + 1}", v)
        for c, v in zip(cols, ["P1", "甲", "城关镇", "新材料", "1", "签约"], strict=True)
    )
    return f'<row r="{first_row}">{header}</row><row r="{first_row + 1}">{data}</row>'


def far_cell_xlsx(row: int, col: int, *, with_header: bool) -> bytes:
    """One numeric cell at (row, col), 0-based, written by xlsxwriter; optionally after a header and a data row."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("S")
    if with_header:
        for c, h in enumerate(PROJECT_HEADER.split(",")):
            ws.write(0, c, h)
        for c, v in enumerate(["P1", "甲", "城关镇", "新材料", 1, "签约"]):
            ws.write(1, c, v)
    ws.write(row, col, 1)
    wb.close()
    return buf.getvalue()


@pytest.mark.parametrize(("row", "col", "area"), [(1048575, 16383, "A1:XFD1048576"), (199999, 25, "A1:Z200000")])
def test_a_far_stray_cell_is_refused_before_the_sheet_is_built(row, col, area) -> None:
    # calamine builds the whole rectangle of the cells present: A1 + XFD1048576 asked for 512 GiB and aborted
    data = far_cell_xlsx(row, col, with_header=True)
    with pytest.raises(FileRejected) as exc:
        read_file(data, "a.xlsx", known_headers=KNOWN)
    assert exc.value.code == "sheet_too_large"
    assert area in exc.value.zh and area.split(":")[1] in exc.value.en and "Ctrl+End" in exc.value.en
    assert "5,000,000" in exc.value.zh  # the default cap


@pytest.mark.parametrize(("row", "col"), [(1048575, 16383), (199999, 25)])
def test_a_lone_far_cell_is_read_as_what_it_is_not_as_a_grid_from_a1(row, col) -> None:
    with pytest.raises(FileRejected) as exc:  # one cell, no header: said at once
        read_file(far_cell_xlsx(row, col, with_header=False), "a.xlsx", known_headers=KNOWN)
    assert exc.value.code == "file_no_header"


def test_the_real_extent_is_read_wherever_it_lies_and_rows_keep_their_numbers() -> None:
    # the declared dimension says the whole sheet; the cells present are 2 rows × 6 columns far from A1
    data = handmade_xlsx({"S": project_rows(199998, "T")}, dimension="A1:XFD1048576")
    raw = read_file(data, "a.xlsx", known_headers=KNOWN)
    assert raw.header_row == 199998 and raw.rows.tolist() == [199999]
    assert raw.frame["项目编号"].tolist() == ["P1"] and raw.headers == PROJECT_HEADER.split(",")


def test_the_cell_cap_is_configurable_and_counts_rows_times_columns(monkeypatch) -> None:
    data = handmade_xlsx({"S": project_rows() + f'<row r="40">{text_cell("F40", "x")}</row>'})  # A1:F40 = 240
    assert read_file(data, "a.xlsx", known_headers=KNOWN, max_cells=240).rows.tolist() == [2, 40]
    monkeypatch.setenv("DASHBOARD_MAX_XLSX_CELLS", "239")
    with pytest.raises(FileRejected) as exc:
        read_file(data, "a.xlsx", known_headers=KNOWN)
    assert exc.value.code == "sheet_too_large" and "A1:F40" in exc.value.zh and "40 行 × 6 列 = 240" in exc.value.zh


@pytest.mark.parametrize(
    "far",
    [
        '<row r="1048576"><c t="inlineStr"><is><t>x</t></is></c></row>',  # no r: placed by its row
        '<row r="3"><c s="0" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',  # r after another attribute
        f'<row r="3">{text_cell("xfd1048576", "x")}</row>',  # a lowercase reference, which calamine accepts
        f'<row r="1">{text_cell("Z999999", "x")}</row>',  # a cell whose r disagrees with its row
    ],
)
def test_unusual_cell_tags_are_placed_as_calamine_places_them(far) -> None:
    with pytest.raises(FileRejected) as exc:
        read_file(handmade_xlsx({"S": project_rows() + far}), "a.xlsx", known_headers=KNOWN)
    assert exc.value.code == "sheet_too_large"


def test_a_reference_beyond_excel_limits_is_a_damaged_file() -> None:
    data = handmade_xlsx({"S": project_rows() + f'<row r="3">{text_cell("A9999999", "x")}</row>'})
    with pytest.raises(FileRejected) as exc:
        read_file(data, "a.xlsx", known_headers=KNOWN)
    assert exc.value.code == "file_corrupt"


def test_cr_only_line_endings_are_read_with_the_rows_the_clerk_sees() -> None:
    text = PROJECT_HEADER + "\rP1,甲,城关镇,新材料,1,签约\r\rP2,乙,城关镇,新材料,2,签约\r"
    for encoding in ("gbk", "utf-8"):
        raw = read_file(text.encode(encoding), "old-mac.csv", known_headers=KNOWN)
        assert raw.frame["项目编号"].tolist() == ["P1", "P2"]
        assert raw.rows.tolist() == [2, 4] and raw.skipped == [(3, "blank_row")]


def test_an_encoding_error_in_a_cr_only_file_names_its_line() -> None:
    data = (PROJECT_HEADER + "\rP1,甲,城关镇,新材料,1,签约\r").encode("gbk") + b"P2,\xff\xfe,x,y,1,z\r"
    with pytest.raises(FileRejected) as exc:
        read_file(data, "a.csv", known_headers=KNOWN)
    assert exc.value.code == "file_encoding" and "第3行" in exc.value.zh


@pytest.mark.parametrize("at_row", [1, 20_000])
def test_a_cell_over_131072_characters_is_read_not_a_traceback(at_row) -> None:
    long_name = "长" * 140_000
    rows = ["P0,甲,城关镇,新材料,1,签约"] * (at_row - 1) + [f"P1,{long_name},城关镇,新材料,1,签约"]
    raw = read_file((PROJECT_HEADER + "\n" + "\n".join(rows) + "\n").encode("gbk"), "a.csv", known_headers=KNOWN)
    assert raw.frame["项目名称"].iat[at_row - 1] == long_name and raw.rows[-1] == at_row + 1


def test_a_flood_of_lines_is_refused_before_parsing() -> None:
    data = (PROJECT_HEADER + "\n" + "\n" * 1000).encode()
    with pytest.raises(FileRejected) as exc:
        read_file(data, "a.csv", known_headers=KNOWN, max_cells=6000)
    assert exc.value.code == "csv_too_large" and "1,001" in exc.value.en


def test_a_row_wider_than_excel_is_refused_and_located() -> None:
    data = (PROJECT_HEADER + "\nP1,甲,城关镇,新材料,1,签约\n" + "," * 20_000 + "\n").encode()
    with pytest.raises(FileRejected) as exc:
        read_file(data, "a.csv", known_headers=KNOWN)
    assert exc.value.code == "csv_too_wide" and "第3行" in exc.value.zh and "20001" in exc.value.zh


def test_excel_error_cells_are_located_errors_not_blanks() -> None:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("项目")
    for c, h in enumerate(PROJECT_HEADER.split(",") + ["用地面积(亩)"]):
        ws.write(0, c, h)
    ws.write_row(1, 0, ["P1", "甲", "城关镇", "新材料", 100, "签约"])
    ws.write_formula(1, 6, "=1/0", None, "#DIV/0!")  # optional column: was loaded as NULL
    ws.write_row(2, 0, ["P2", "乙", "城关镇", "新材料"])
    ws.write_formula(2, 4, "=#REF!*2", None, "#REF!")  # required column: was reported as "必填"
    ws.write(2, 5, "签约")
    wb.close()
    raw = read_file(buf.getvalue(), "a.xlsx", known_headers=KNOWN)
    assert raw.frame["用地面积(亩)"].tolist() == ["#DIV/0!", ""]
    errors = sorted((i.row, i.column, i.value) for i in raw.issues if i.code == "cell_error")
    assert errors == [(2, "用地面积(亩)", "#DIV/0!"), (3, "总投资(万元)", "#REF!")]


def test_excel_error_cells_reach_the_clerk_as_their_own_error() -> None:
    from tests.checking import checked

    body = "".join(
        f'<row r="{r}">' + "".join(text_cell(f"{chr(65 + i)}{r}", v) for i, v in enumerate(vals)) + extra + "</row>"
        for r, vals, extra in [
            (1, PROJECT_HEADER.split(","), ""),
            (
                2,
                ["P1", "甲", "城关镇", "新材料"],
                '<c r="E2" t="e"><f>1/0</f><v>#DIV/0!</v></c>' + text_cell("F2", "签约"),
            ),
        ]
    )
    errors = checked(handmade_xlsx({"S": body}), "a.xlsx", "projects").errors
    mine = errors[errors["column"] == "总投资(万元)"]
    assert mine["code"].tolist() == ["cell_error"] and mine["row"].tolist() == [2]
    assert "Excel 错误值" in mine["reason_zh"].iat[0] and "#DIV/0!" in mine["reason_en"].iat[0]
    assert "required" not in errors["code"].tolist()  # the required cell is not reported as blank


def test_excel_error_text_in_a_csv_export_is_an_error_too() -> None:
    data = (PROJECT_HEADER + "\nP1,#N/A,城关镇,新材料,#VALUE!,签约\n").encode("gbk")
    raw = read_file(data, "a.csv", known_headers=KNOWN)
    assert sorted((i.column, i.value) for i in raw.issues if i.code == "cell_error") == [
        ("总投资(万元)", "#VALUE!"),
        ("项目名称", "#N/A"),
    ]


def test_a_newer_error_value_that_makes_the_sheet_unreadable_is_located() -> None:
    body = project_rows() + '<row r="3"><c r="D3" t="e"><f>SORT(A1:A2)</f><v>#SPILL!</v></c></row>'
    with pytest.raises(FileRejected) as exc:
        read_file(handmade_xlsx({"S": body}), "a.xlsx", known_headers=KNOWN)
    assert exc.value.code == "cell_error_unreadable" and "D3" in exc.value.zh and "#SPILL!" in exc.value.en


def zipped(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, body in parts.items():
            z.writestr(name, body)
    return buf.getvalue()


ODS = zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<office:document/>"})


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (ODS, "a.ods"),
        (ODS, "renamed.xlsx"),  # decided by content, not by name
        (zipped({"word/document.xml": b"<w:document/>"}), "a.xlsx"),
        (zipped({"xl/workbook.bin": b"\0", "xl/workbook.xml": b"<workbook/>"}), "a.xlsb"),
        (zipped({"Index/Document.iwa": b"\0"}), "a.numbers"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "a.et"),
        (b"%PDF-1.7\n" + b"x" * 100, "scan.csv"),
        (b"\0" * 70_000, "zeros.csv"),
    ],
)
def test_only_xlsx_and_text_are_read_whatever_the_name(data, name) -> None:
    with pytest.raises(FileRejected) as exc:
        read_file(data, name, known_headers=KNOWN)
    assert exc.value.code == "file_format" and name in exc.value.zh


def test_a_nul_in_one_cell_of_a_text_file_is_read_not_taken_for_binary() -> None:
    raw = read_file(
        (PROJECT_HEADER + "\nP1,某某\x00公司,城关镇,新材料,1,签约\n").encode("gbk"), "a.csv", known_headers=KNOWN
    )
    assert raw.frame["项目名称"].tolist() == ["某某\x00公司"]  # the validator refuses the control character


def test_an_xlsx_or_a_text_file_under_another_name_is_read_by_content() -> None:
    assert read_file(handmade_xlsx({"S": project_rows()}), "export.xls", known_headers=KNOWN).file_format == "xlsx"
    text = (PROJECT_HEADER + "\nP1,甲,城关镇,新材料,1,签约\n").encode("gbk")
    assert read_file(text, "system-export.xls", known_headers=KNOWN).file_format == "csv"


def test_utf16_text_is_refused_with_the_encoding_advice() -> None:
    with pytest.raises(FileRejected) as exc:
        read_file("\ufeff项目编号\t项目名称\n".encode("utf-16-le"), "unicode.txt", known_headers=KNOWN)
    assert exc.value.code == "file_encoding"


def test_the_visible_sheet_is_read_not_a_hidden_one() -> None:
    other = project_rows().replace("P1", "H1")
    data = handmade_xlsx({"旧数据": other, "本期": project_rows()}, hidden=("旧数据",))
    raw = read_file(data, "a.xlsx", known_headers=KNOWN)
    assert raw.sheet == "本期" and raw.frame["项目编号"].tolist() == ["P1"]
    skipped = [i for i in raw.issues if i.code == "sheet_hidden_skipped"]
    assert skipped and skipped[0].params["sheets"] == "旧数据"
    named = read_file(data, "a.xlsx", sheet="旧数据", known_headers=KNOWN)  # named: read although hidden
    assert named.sheet == "旧数据" and named.frame["项目编号"].tolist() == ["H1"]


def test_data_only_on_hidden_sheets_is_refused_with_how_to_read_it() -> None:
    data = handmade_xlsx({"封面": text_cell("A1", "填报单位"), "隐藏": project_rows()}, hidden=("隐藏",))
    with pytest.raises(FileRejected) as exc:
        read_file(data, "a.xlsx", known_headers=KNOWN)
    assert exc.value.code == "sheet_hidden_only" and "隐藏" in exc.value.zh
    data = handmade_xlsx({"隐藏1": project_rows(), "隐藏2": project_rows()}, hidden=("隐藏1", "隐藏2"))
    with pytest.raises(FileRejected) as exc:
        read_file(data, "a.xlsx", known_headers=KNOWN)
    assert exc.value.code == "sheet_hidden_only" and "隐藏1" in exc.value.zh and "--sheet" in exc.value.en
    only = handmade_xlsx({"唯一": project_rows()}, hidden=("唯一",))  # the only sheet is read, hidden or not
    assert read_file(only, "a.xlsx", known_headers=KNOWN).sheet == "唯一"


def test_a_file_over_the_size_cap_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("DASHBOARD_MAX_UPLOAD_MB", "0.001")  # 1,048 bytes
    data = (PROJECT_HEADER + "\n" + "P1,甲,城关镇,新材料,1,签约\n" * 50).encode()
    with pytest.raises(FileRejected) as exc:
        read_file(data, "a.csv", known_headers=KNOWN)
    assert exc.value.code == "upload_too_large" and "DASHBOARD_MAX_UPLOAD_MB" in exc.value.en


def test_an_invalid_setting_is_refused_not_guessed(monkeypatch) -> None:
    monkeypatch.setenv("DASHBOARD_MAX_UPLOAD_MB", "lots")
    with pytest.raises(FileRejected) as exc:
        read_file(b"a,b\n1,2\n", "a.csv", known_headers=KNOWN)
    assert exc.value.code == "setting_invalid" and "lots" in exc.value.zh


def test_read_path_reads_regular_files_only_and_checks_the_size_first(tmp_path, monkeypatch) -> None:
    import os

    from etl.readers import read_path

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "FIFO"), (tmp_path, "directory"), ("/dev/zero", "device")):
        with pytest.raises(FileRejected) as exc:  # a FIFO is never opened, so this never waits for a writer
            read_path(path)
        assert exc.value.code == "input_not_file" and kind in exc.value.en
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:
        fh.truncate(300 * 2**20)  # sparse: 300 MB that are never read
    with pytest.raises(FileRejected) as exc:
        read_path(big)
    assert exc.value.code == "upload_too_large" and "300" in exc.value.zh
    ok = tmp_path / "ok.csv"
    ok.write_bytes(b"a,b\n1,2\n")
    assert read_path(ok) == b"a,b\n1,2\n"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_wider_than_a_clerks_table_is_refused_before_parsing(tmp_path, fmt):
    headers = ["项目编号", "项目名称"] + [f"x{i}" for i in range(1_200)]
    if fmt == "csv":
        data = (",".join(headers) + "\nP1,甲" + "," * 1_200 + "\n").encode()
    else:
        import xlsxwriter

        path = tmp_path / "wide.xlsx"
        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet()
        ws.write_row(0, 0, headers)
        ws.write_row(1, 0, ["P1", "甲"])
        wb.close()
        data = path.read_bytes()
    with pytest.raises(FileRejected) as exc:
        read_file(data, f"wide.{fmt}")
    assert exc.value.code == {"csv": "csv_too_wide", "xlsx": "sheet_too_wide"}[fmt]
    assert "1202" in exc.value.zh.replace(",", "") and "1000 列" in exc.value.zh.replace(",", "")


@pytest.mark.parametrize("title", ["", "2026年招商项目统计表\n"])
@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_a_quoted_line_break_in_a_data_cell_below_a_quoted_header_stays_in_its_cell(title, eol) -> None:
    header = ",".join(f'"{h}"' for h in PROJECT_HEADER.split(","))
    body = eol.join(
        [header, 'P1,"新材料' + eol + '产业园",城关镇,新材料,35000,签约', "P2,园区二,城关镇,新材料,1,签约", ""]
    )
    raw = read_file((title.replace("\n", eol) + body).encode("utf-8"), "a.csv", known_headers=KNOWN)
    assert raw.frame["项目名称"].tolist() == ["新材料" + eol + "产业园", "园区二"]
    first = 3 if title else 2
    assert raw.rows.tolist() == [first, first + 1]  # rows are numbered by record, as before


def test_a_quoted_header_above_unquoted_rows_is_read() -> None:
    header = ",".join(f'"{h}"' for h in PROJECT_HEADER.split(","))
    raw = read_file((header + "\nP1,园区一,城关镇,新材料,35000,签约\n").encode("utf-8"), "a.csv", known_headers=KNOWN)
    assert raw.frame["项目编号"].tolist() == ["P1"] and raw.rows.tolist() == [2]


def _text_workbooks() -> dict[str, bytes]:
    """Workbooks whose every cell is text (shared or inline strings): read by fastexcel straight into Arrow."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "constant_memory": False})
    ws = wb.add_worksheet("项目")
    ws.write_row(2, 1, ["2026年招商项目统计表"])
    ws.write_row(3, 1, PROJECT_HEADER.split(","))
    ws.write_row(4, 1, ["P1", " 甲 ", "城关镇", "新材料", "1,000", "签约"])
    ws.write_row(5, 1, ["", "", "", "", "", ""])
    ws.write_row(6, 1, ["P2", "乙\n二", "城关镇", "", "２００", "开工"])
    ws.write_row(7, 1, ["合计", "", "", "", "1200", ""])
    ws.write_row(8, 1, ["注：单位万元"])
    wb.close()
    return {
        "title, blank, total and note rows, away from A1": buf.getvalue(),
        "openpyxl shared strings, two sheets": xlsx(
            {"说明": [["填表说明"]], "项目": [PROJECT_HEADER.split(","), ["P1", "甲", "城关镇", "新材料", "5", "签约"]]}
        ),  # fmt: skip
        "inline strings far from A1": handmade_xlsx({"S": project_rows(199998, "T")}, dimension="A1:XFD1048576"),
    }


@pytest.mark.parametrize("name", list(_text_workbooks()))
def test_a_text_sheet_read_into_arrow_is_read_exactly_as_the_cell_by_cell_path(name, monkeypatch) -> None:
    from etl import readers

    data = _text_workbooks()[name]
    calls = []
    real = readers._text_sheet
    monkeypatch.setattr(readers, "_text_sheet", lambda *a: calls.append(real(*a)) or calls[-1])
    fast = read_file(data, "a.xlsx", known_headers=KNOWN)
    assert calls and calls[-1] is not None, "a sheet of text cells is read by fastexcel"
    monkeypatch.setattr(readers, "_text_sheet", lambda *a: None)
    slow = read_file(data, "a.xlsx", known_headers=KNOWN)
    assert fast.frame.to_dict("list") == slow.frame.to_dict("list")
    assert (fast.rows.tolist(), fast.headers, fast.header_row, fast.sheet) == (
        slow.rows.tolist(),
        slow.headers,
        slow.header_row,
        slow.sheet,
    )
    assert (fast.totals, fast.skipped) == (slow.totals, slow.skipped)
    assert [(i.row, i.column, i.code) for i in fast.issues] == [(i.row, i.column, i.code) for i in slow.issues]


def test_a_sheet_with_a_number_date_bool_or_error_cell_is_read_cell_by_cell(monkeypatch) -> None:
    from etl import readers

    seen = []
    monkeypatch.setattr(readers.fastexcel, "read_excel", lambda *a, **k: seen.append(1) / 0)
    for cell in (5, dt.datetime(2012, 3, 5), True):
        raw = read_file(xlsx({"项目": [PROJECT_HEADER.split(","), ["P1", "甲", "城关镇", "新材料", cell, "签约"]]}), "a.xlsx", known_headers=KNOWN)  # fmt: skip
        assert raw.frame["项目编号"].tolist() == ["P1"]
    assert not seen


def test_a_text_sheet_fastexcel_cannot_read_is_read_the_usual_way(monkeypatch) -> None:
    from etl import readers

    def broken(*a, **k):
        raise RuntimeError("no")

    monkeypatch.setattr(readers.fastexcel, "read_excel", broken)
    raw = read_file(_text_workbooks()["openpyxl shared strings, two sheets"], "a.xlsx", known_headers=KNOWN)
    assert raw.frame["总投资(万元)"].tolist() == ["5"]
