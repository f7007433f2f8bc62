"""Error-code catalogue (zh/en) for reading, normalising and validating clerk files."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# code → (zh, en). Placeholders are filled by :func:`message`; each says what is wrong and how to fix it.
CATALOGUE: dict[str, tuple[str, str]] = {
    # whole-file problems (FileRejected)
    "file_empty": (
        "文件为空，请上传含表头和数据的 CSV 或 Excel 文件",
        "The file is empty: upload a CSV or Excel file with a header row and data",
    ),
    "file_format": (
        "不支持的文件类型「{name}」，请另存为 .xlsx 或 .csv 后上传",
        "Unsupported file type '{name}': save it as .xlsx or .csv and upload again",
    ),
    "file_encoding": (
        "文件编码无法识别（第{line}行附近有非法字节），请用 Excel「另存为 CSV UTF-8」或 GBK 保存",
        "Unknown text encoding (invalid bytes near line {line}): save as 'CSV UTF-8' or GBK",
    ),
    "file_corrupt": (
        "Excel 文件已损坏或不是 .xlsx 格式（{detail}），请在 Excel 中打开后重新另存为 .xlsx",
        "The Excel file is damaged or not .xlsx ({detail}): open it in Excel and save it again as .xlsx",
    ),
    "file_too_large": (
        "Excel 文件解压后约 {size} MB，超过上限 {limit} MB，请删除多余的工作表或空白区域，或拆分文件",
        "The Excel file expands to about {size} MB, over the {limit} MB limit: delete extra sheets or empty areas, or split the file",
    ),
    "file_no_header": (
        "在前{n}行中找不到表头（{where}），请使用模板的表头",
        "No header row found in the first {n} rows ({where}): use the template's header row",
    ),
    "file_no_data": ("文件只有表头、没有数据行（{where}）", "The file has a header but no data rows ({where})"),
    "sheet_not_found": (
        "找不到工作表「{sheet}」，文件中的工作表：{sheets}",
        "Sheet '{sheet}' not found; the file has: {sheets}",
    ),
    # reading: hostile and careless files
    "upload_too_large": (
        "文件约 {size} MB，超过上限 {limit} MB，请拆分成几个文件分别上传（上限由 DASHBOARD_MAX_UPLOAD_MB 设置）",
        "The file is about {size} MB, over the {limit} MB limit: split it into several files and upload each "
        "(the limit is set by DASHBOARD_MAX_UPLOAD_MB)",
    ),
    "input_not_file": (
        "「{name}」是{kind_zh}，不是普通文件，请给出 CSV 或 XLSX 文件的路径",
        "'{name}' is {kind_en}, not a regular file: give the path of a CSV or XLSX file",
    ),
    "setting_invalid": (
        "设置 {name} 的值「{value}」无效，应为正数，请改正或删除该设置",
        "The setting {name} = '{value}' is invalid: it must be a positive number; correct or remove it",
    ),
    "sheet_too_large": (
        "工作表「{sheet}」的使用区域 {area} 共 {rows} 行 × {cols} 列 = {cells} 个单元格，超过上限 {limit}："
        "最远的内容在 {far}，请删除数据以外的行、列和单元格（在 Excel 中按 Ctrl+End 可找到）后保存，或拆分文件",
        "Sheet '{sheet}' spans {area}: {rows} rows × {cols} columns = {cells} cells, over the {limit} limit; "
        "the furthest content is at {far}: delete the rows, columns and cells outside your data (Ctrl+End finds "
        "them in Excel) and save, or split the file",
    ),
    "csv_too_large": (
        "文件有 {rows} 行 × {cols} 列 = {cells} 个单元格，超过上限 {limit}，请删除多余的空行或拆分文件",
        "The file has {rows} lines × {cols} columns = {cells} cells, over the {limit} limit: delete the "
        "surplus empty lines or split the file",
    ),
    "sheet_too_wide": (
        "工作表「{sheet}」的使用区域 {area} 有 {cols} 列，超过 {limit} 列的上限：最远的内容在 {far}，请删除数据以外的内容（在 Excel 中按 Ctrl+End 可找到）",
        "Sheet '{sheet}' spans {area}, {cols} columns, over the limit of {limit}: the furthest content is at {far}; delete what is not data (Ctrl+End in Excel finds it)",
    ),
    "csv_too_wide": (
        "第{row}行有 {n} 个字段，超过 {limit} 列的上限，请检查该行是否有多余的分隔符（逗号）",
        "Row {row} has {n} fields, over the limit of {limit} columns: check it for surplus delimiters (commas)",
    ),
    "sheet_hidden_only": (
        "可见的工作表中没有找到表头；隐藏的工作表（{sheets}）只有指定名称时才读取：请在 Excel 中取消隐藏要导入的工作表后保存，"
        "或指定工作表名（命令行 --sheet）",
        "No visible worksheet has a header row; hidden sheets ({sheets}) are read only when named: unhide the "
        "sheet to load in Excel and save, or name it (--sheet on the command line)",
    ),
    "sheet_hidden_skipped": (
        "隐藏的工作表「{sheets}」未读取；如要导入，请取消隐藏后单独上传，或指定工作表名（命令行 --sheet）",
        "Hidden sheet(s) '{sheets}' were not read; to load one, unhide it and upload it alone, or name it "
        "(--sheet on the command line)",
    ),
    "cell_error_unreadable": (
        "工作表「{sheet}」第{row}行的 {cell} 单元格是 Excel 错误值 {value}，含此错误值的工作表无法读取："
        "请在 Excel 中改正该单元格的公式，或改为实际值后保存",
        "Cell {cell} (row {row}) of sheet '{sheet}' holds the Excel error {value}, which makes the sheet "
        "unreadable: fix its formula in Excel, or replace it with the real value, and save",
    ),
    "cell_error": (
        "是 Excel 错误值（公式出错，如除数为 0、引用的单元格已删除、查找不到），请在 Excel 中改正公式或填写实际值",
        "is an Excel error value (a formula failed: a division by zero, a deleted reference, a failed lookup): "
        "fix the formula in Excel or enter the real value",
    ),
    "dataset_unknown": (
        "无法判断文件属于哪类数据（表头：{headers}），请使用模板的表头或选择数据类型",
        "Cannot tell which dataset this file is (headers: {headers}): use a template's headers or choose the dataset",
    ),
    "dataset_ambiguous": (
        "表头同时符合「{a}」和「{b}」，请选择数据类型",
        "The headers fit both '{a}' and '{b}': choose the dataset",
    ),
    # file-level errors and notices inside a validation result
    "wrong_dataset": (
        "所选数据类型为「{chosen}」，但文件表头更像「{other}」，请检查所选类型或文件",
        "You chose '{chosen}' but the headers look like '{other}': check the dataset or the file",
    ),
    "column_missing": (
        "缺少必填列「{header}」（英文 {name}），请按模板补上这一列",
        "Required column '{header}' ({name}) is missing: add it as in the template",
    ),
    "column_duplicate": (
        "列「{header}」与「{other}」指同一字段 {name}，请删除其中一列",
        "Columns '{header}' and '{other}' both mean {name}: delete one of them",
    ),
    "column_unit": (
        "列「{header}」的单位与模板不同（应为 {unit}），请把数值换算为 {unit} 或在单元格中写明单位",
        "Column '{header}' has a different unit (expected {unit}): convert to {unit} or write the unit in each cell",
    ),
    "one_of_columns": ("须有「{headers}」中的至少一列", "At least one of the columns '{headers}' is required"),
    "column_unknown": (
        "列「{header}」不属于「{dataset}」，未导入",
        "Column '{header}' is not part of '{dataset}' and was not loaded",
    ),
    "header_duplicate": (
        "表头「{header}」重复，第二列改名为「{renamed}」",
        "Header '{header}' is repeated; the later one was renamed '{renamed}'",
    ),
    "sheet_chosen": ("读取了工作表「{sheet}」（共有：{sheets}）", "Read sheet '{sheet}' (the file has: {sheets})"),
    "blank_row": ("第{row}行为空行，已跳过", "Row {row} is blank and was skipped"),
    "note_row": ("第{row}行为注释/说明行，已跳过", "Row {row} is a note and was skipped"),
    "total_ok": (
        "第{row}行「{label}」未入库，与明细一致",
        "Row {row} ('{label}') was not loaded; it matches the detail rows",
    ),
    "total_mismatch": (
        "第{row}行「{label}」的「{header}」为 {total}，但明细合计为 {sum}，请核对明细或合计",
        "Row {row} ('{label}'), column '{header}': total {total} but the detail rows sum to {sum}; check the rows or the total",
    ),
    # cell problems (row, header, value are prefixed by cell_message)
    "formula_no_value": (
        "是没有计算结果的公式，请在 Excel 中打开并保存（或粘贴为数值）",
        "is a formula without a saved result: open and save in Excel, or paste as values",
    ),
    "id_as_number": (
        "身份证号等编号被存成了 Excel 数字，后几位可能已丢失，请把该列设为「文本」后重新录入",
        "is an ID number stored as an Excel number, so digits may be lost: format the column as text and re-enter it",
    ),
    "placeholder": (
        "是占位符，不是数据（“暂无”“不详”“-”“/”等不能代替数值）：请填写实际值；确实没有数据时请留空",
        "is a placeholder, not data (暂无, 不详, - or / cannot stand for a value): enter the real value, or leave the cell blank if there is none",
    ),
    "placeholder_required": (
        "是占位符，不是数据（“暂无”“不详”“-”“/”等不能代替数值）：本列为必填项，请填写实际值",
        "is a placeholder, not data (暂无, 不详, - or / cannot stand for a value): this column is required, enter the real value",
    ),
    "required": ("为必填项，不能为空", "is required and cannot be blank"),
    "money_invalid": (
        "无法识别为金额（可写 35000、3.5亿、35000万元、1,234.5）",
        "is not an amount (write 35000, 3.5亿, 35000万元 or 1,234.5)",
    ),
    "usd_invalid": (
        "无法识别为外资金额（单位万美元，可写 500、500万美元、5000000美元）",
        "is not a USD amount (in 万美元; write 500, 500万美元 or 5000000美元)",
    ),
    "number_invalid": (
        "无法识别为数值（单位 {unit}，可写 1234.5 或 1,234.5）",
        "is not a number (unit {unit}; write 1234.5 or 1,234.5)",
    ),
    "count_invalid": ("无法识别为整数（单位 {unit}，可写 12）", "is not a whole number (unit {unit}; write 12)"),
    "currency_wrong": (
        "币种不符：本列单位为 {unit}，请换算后填写",
        "has the wrong currency: this column is in {unit}, convert before entering",
    ),
    "unit_wrong": (
        "的单位无法识别或与本列不符（本列单位 {unit}）",
        "has a unit that is unknown or does not fit this column (unit {unit})",
    ),
    "percent": ("是百分数，本列不接受百分数，请填写{unit}数值", "is a percentage; this column needs a value in {unit}"),
    "negative": ("不能为负数", "cannot be negative"),
    "fraction": ("须为整数（不会自动四舍五入）", "must be a whole number (it is never rounded)"),
    "date_invalid": (
        "无法识别为日期（可写 2012-03-05、2012/3/5、2012年3月5日）",
        "is not a date (write 2012-03-05, 2012/3/5 or 2012年3月5日)",
    ),
    "date_month_only": ("只有年月，缺少日（可写 2012-03-05）", "has no day, only a month (write 2012-03-05)"),
    "date_impossible": ("不是存在的日期，请核对年月日", "is not a real calendar date: check year, month and day"),
    "month_invalid": (
        "无法识别为月份（可写 2012-03、2012年3月、201203）",
        "is not a month (write 2012-03, 2012年3月 or 201203)",
    ),
    "period_invalid": (
        "无法识别为期间（月份写 2012-03，全年写 2012）",
        "is not a period (a month 2012-03 or a year 2012)",
    ),
    "year_invalid": ("无法识别为年份（可写 2012 或 2012年）", "is not a year (write 2012 or 2012年)"),
    "bool_invalid": ("无法识别为是/否（可写 是、否、Y、N、√、×）", "is not yes/no (write 是, 否, Y, N, √ or ×)"),
    "enum_invalid": ("不是可选值，可选：{choices}", "is not an allowed value; allowed: {choices}"),
    "id_length": ("身份证号须为18位", "must be an 18-character ID number"),
    "id_chars": ("身份证号只能含数字，末位可为 X", "may contain only digits (last one may be X)"),
    "id_date": (
        "身份证号中的出生日期无效（须为 1900 年以后、不晚于今天的真实日期），请核对号码",
        "has an invalid birth date inside the ID number (a real date from 1900 up to today): check the number",
    ),
    "id_checksum": ("身份证号校验位不符，请核对号码", "fails the ID check digit: check the number"),
    "one_of_missing": ("「{headers}」至少填写一项", "at least one of '{headers}' must be filled"),
    "duplicate_key": (
        "与第{first}行重复（{key} 须唯一），请删除重复行或修改",
        "repeats row {first} ({key} must be unique): delete or correct the repeat",
    ),
    "stage_dates_required": (
        "项目状态为「{status}」，须填写{dates}",
        "status is '{status}', so {dates} must be filled",
    ),
    "stage_dates_ordered": (
        "早于前一阶段日期「{prev}」（{prev_value}），阶段日期须按 签约≤开工≤竣工≤投产",
        "is before the earlier stage '{prev}' ({prev_value}); signed ≤ started ≤ completed ≤ production",
    ),
    "not_greater": (
        "大于「{other}」（{other_value}），{rule_zh}",
        "is greater than '{other}' ({other_value}): {rule_en}",
    ),
    "not_before": ("早于「{other}」（{other_value}），{rule_zh}", "is before '{other}' ({other_value}): {rule_en}"),
    "gender_matches_id": (
        "与身份证号显示的性别「{id_gender}」不符，请核对",
        "does not match the gender in the ID number ({id_gender}): check it",
    ),
    # values outside the contracts' plausibility bounds (etl.contracts: CEILINGS, LENGTH_CAPS, DATE_MIN)
    **{
        f"too_large_1e{e}": (
            f"超过本列上限 {10**e:,} {{unit}}，请核对数值和单位（是否多写了位数，或填的是另一种单位的数）",
            f"is above this column's maximum of {10**e:,} {{unit}}: check the number and its unit "
            "(extra digits, or a value in another unit such as 元 for 万元?)",
        )
        for e in (4, 5, 6, 7, 8)
    },
    **{
        f"too_long_{n}": (
            f"超过 {n} 个字符（本列最多 {n} 个字符），请精简后重新填写",
            f"is longer than the {n} characters this column allows: shorten it",
        )
        for n in (50, 200, 2000)
    },
    "control_char": (
        "含有控制字符（如 NUL、ESC，显示为 \\x00、\\x1b），不能入库：请删除这些字符后重新录入"
        "（Excel 的 CLEAN 函数可清除）",
        "contains control characters (such as NUL or ESC, shown as \\x00 or \\x1b), which cannot be stored: "
        "delete them and enter the text again (Excel's CLEAN function removes them)",
    ),
    "date_too_early": (
        "早于 1950 年，不可能是本数据的时间：请核对年份（两位年份或 Excel 日期序号常被读成很早的日期）",
        "is before 1950, earlier than any record of this data: check the year "
        "(a two-digit year or an Excel date serial is often read as a very early date)",
    ),
    "date_future": (
        "晚于今天：本列填写已经发生的日期、月份或年份，不能填将来的（计划中的日期请先留空），请核对年份",
        "is after today: this column holds dates, months or years that have already happened, not planned "
        "ones (leave it blank until then); check the year",
    ),
    "date_too_far": (
        "晚于今后 10 年：本列可以填写计划的年份，但不能超过今后 10 年，请核对年份",
        "is more than 10 years ahead: this column takes planned years, but no more than 10 years ahead; check the year",
    ),
    "time_invalid": (
        "日期后的时间不存在（时为 0–23，分、秒为 0–59），请改正时间或只填日期",
        "has a time that does not exist (hours 0–23, minutes and seconds 0–59): correct it or enter the date alone",
    ),
    # personal data where the contract does not put it
    "personal_in_column": (
        "是身份证号或手机号码，不能填在这一列（这里的内容会原样保存）：身份证号请填入「身份证号」列（入库前转为假名），电话不入库",
        "is an ID number or a mobile number, which cannot go in this column (it would be stored as given): put an ID number in the ID column (it becomes a pseudonym), leave phones out",
    ),
    "personal_column_dropped": (
        "列「{header}」含有{what_zh}等个人信息，不属于本数据集：未入库，留存的文件中也已删除",
        "Column '{header}' holds personal data ({what_en}) and is not part of this dataset: it was not loaded and is left out of the kept copy",
    ),
    # unit registry (单位名录)
    "unit_unknown_suggest": (
        "不在单位名录中，是否为「{suggestion}」？请改正名称，或先在单位名录中登记",
        "is not in the unit registry; did you mean '{suggestion}'? Correct the name, or register it first",
    ),
    "unit_unknown": (
        "不在单位名录中（本列应为{types}），请核对名称，或先在单位名录中登记",
        "is not in the unit registry (this column names a {types}): check the name, or register it first",
    ),
    "unit_wrong_type": (
        "在单位名录中登记为{actual}，本列应填{expected}",
        "is registered as a {actual}; this column needs a {expected}",
    ),
    "unit_out_of_years": (
        "在 {year} 年不是有效单位（单位名录中的有效年度 {span}），请核对名称或年度",
        "is not a unit in {year} (registered for {span}): check the name or the year",
    ),
    "unit_alias": (
        "是「{name}」的别名，已按「{name}」入库（本文件共 {n} 行）",
        "is an alias of '{name}' and is stored as '{name}' ({n} rows in this file)",
    ),
    "unit_near_seen": (
        "与已有数据中的「{suggestion}」相近，是否写错？（本文件共 {n} 行；单位名录为空，未作为错误处理）",
        "is close to '{suggestion}' already in the data: a typo? ({n} rows in this file; the unit registry is empty, so this is not an error)",
    ),
    "registry_empty": (
        "单位名录为空，单位名称未经核对；本文件中新出现的 {n} 个名称：{names}。建议先导入单位名录",
        "The unit registry is empty, so unit names were not checked; {n} names are new in this file: {names}. Load the unit registry first",
    ),
    "code_digits": ("行政区划代码须为12位数字", "must be a 12-digit division code"),
    "lon_range": (
        "不在中国范围内（经度 73–136），请填 CGCS2000/WGS84 十进制度，如 104.0652",
        "is outside China (longitude 73–136): give CGCS2000/WGS84 decimal degrees, e.g. 104.0652",
    ),
    "lat_range": (
        "不在中国范围内（纬度 3–54），请填 CGCS2000/WGS84 十进制度，如 30.5728",
        "is outside China (latitude 3–54): give CGCS2000/WGS84 decimal degrees, e.g. 30.5728",
    ),
    "lon_lat_pair": ("经度和纬度须成对填写，缺「{other}」", "longitude and latitude go together: '{other}' is missing"),
    "aliases_unique": (
        "中的别名「{alias}」已是单位「{other}」的名称或别名，同一写法只能指一个单位",
        "holds the alias '{alias}', which already names '{other}': one spelling can name only one unit",
    ),
    "example_row": (
        "第{row}行是模板的示例行，未导入",
        "Row {row} is the template's example row and was not loaded",
    ),
    "only_example": (
        "文件只有模板的示例行，没有数据：请删除示例行并填入本期数据",
        "The file holds only the template's example row: delete it and enter this period's data",
    ),
    "project_exists": (
        "项目编号不存在于项目库，请先导入该项目或核对编号",
        "is not a known project: load the project first or check the id",
    ),
    # a township-restricted account (etl.check: the account's townships travel with every check)
    "township_not_allowed": (
        "不在本账号可导入的镇街内（本账号只能导入：{allowed}）：请删除该行，或请县级管理员导入",
        "is outside this account's townships (it may load only {allowed}): remove the row, or ask the county "
        "office to load it",
    ),
    "project_not_allowed": (
        "该项目属于「{township}」，不在本账号可导入的镇街内（本账号只能导入：{allowed}）：请删除该行，或请县级管理员导入",
        "is a project of {township}, outside this account's townships (it may load only {allowed}): remove the "
        "row, or ask the county office to load it",
    ),
    "record_not_allowed": (
        "的记录（相同的编号）已由「{township}」报送，不在本账号可导入的镇街内（本账号只能导入：{allowed}），"
        "不能替换：请删除该行，或请县级管理员导入",
        "the record (the same key) is already loaded for {township}, outside this account's townships (it may "
        "load only {allowed}): it cannot be replaced from here; remove the row, or ask the county office to load it",
    ),
    "scope_dataset": (
        "本账号只能导入以下镇街的数据：{allowed}。「{dataset}」没有镇街列，由县级管理员导入",
        "This account may load data of {allowed} only. '{dataset}' has no township column: the county office loads it",
    ),
    "scope_boundaries": (
        "本账号只能导入以下镇街的数据：{allowed}。镇街边界文件由县级管理员导入",
        "This account may load data of {allowed} only. Township boundary files are loaded by the county office",
    ),
    # township boundary files (etl.boundaries); a feature's number and properties are prefixed by Finding
    "boundary_empty": ("边界文件为空", "The boundary file is empty"),
    "boundary_not_file": (
        "「{name}」不是普通文件（是目录、管道或设备），请给出 GeoJSON 或 .zip 文件的路径",
        "'{name}' is not a regular file (a directory, a pipe or a device): give the path of a GeoJSON or .zip file",
    ),
    "boundary_format": (
        "不支持的边界文件「{name}」：请提供 GeoJSON（.geojson 或 .json）或打包成 .zip 的 Shapefile（含 .shp、.shx、.dbf、.prj）",
        "Unsupported boundary file '{name}': provide GeoJSON (.geojson or .json) or a Shapefile zipped as .zip "
        "(with its .shp, .shx, .dbf and .prj)",
    ),
    "boundary_too_large": (
        "边界文件约 {size} MB，超过上限 {limit} MB：请在 GIS 软件中只导出本县的镇街面图层，或简化后再导出"
        "（上限由 DASHBOARD_MAX_BOUNDARY_MB 设置）",
        "The boundary file is about {size} MB, over the {limit} MB limit: export only the county's township layer, "
        "or simplify it first (the limit is DASHBOARD_MAX_BOUNDARY_MB)",
    ),
    "boundary_too_many_vertices": (
        "边界文件的坐标点超过 {limit} 个：请在 GIS 软件中简化（容差约 10 米）后再导出",
        "The boundary file has more than {limit} coordinate positions: simplify it in a GIS program "
        "(a tolerance of about 10 m) and export it again",
    ),
    "boundary_json_invalid": (
        "不是有效的 GeoJSON（{detail}）：请用 GIS 软件重新导出为 GeoJSON（UTF-8）",
        "Not valid GeoJSON ({detail}): export it again from the GIS program as GeoJSON (UTF-8)",
    ),
    "boundary_not_features": (
        'GeoJSON 须为要素集合（"type": "FeatureCollection"，每个镇街一个要素）',
        'The GeoJSON must be a FeatureCollection ("type": "FeatureCollection", one feature per township)',
    ),
    "boundary_no_features": ("边界文件中没有要素（镇街面）", "The boundary file holds no features (township polygons)"),
    "boundary_zip_corrupt": (
        "Shapefile 压缩包无法读取（{detail}）：请重新打包 .shp、.shx、.dbf、.prj 四个文件",
        "The zipped Shapefile cannot be read ({detail}): zip its .shp, .shx, .dbf and .prj files again",
    ),
    "boundary_zip_missing": (
        "压缩包中缺少 {missing} 文件（图层 {names}）：Shapefile 须同时打包同名的 .shp、.shx、.dbf（及 .prj）",
        "The zip lacks the {missing} file (layer {names}): a Shapefile needs its .shp, .shx and .dbf (and .prj) "
        "of the same name",
    ),
    "boundary_zip_layers": (
        "压缩包中有多个图层（{names}）：请只打包镇街面这一个图层",
        "The zip holds several layers ({names}): zip the township layer alone",
    ),
    "boundary_encoding": (
        "属性表（.dbf）的文字无法按 {encoding} 编码读取：请在压缩包中附上 .cpg 文件写明编码（如 GBK 或 UTF-8）",
        "The attribute table (.dbf) is not text in {encoding}: add a .cpg file naming its encoding "
        "(such as GBK or UTF-8) to the zip",
    ),
    "boundary_encoding_guessed": (
        "没有 .cpg 文件，属性表按 {encoding} 编码读取：如名称显示为乱码，请附上 .cpg 写明编码",
        "No .cpg file: the attribute table was read as {encoding}; if names look garbled, add a .cpg naming the "
        "encoding",
    ),
    "boundary_no_prj": (
        "没有 .prj 文件：按坐标范围判断为经纬度，视为 CGCS2000/WGS84；请确认数据确实是 CGCS2000 经纬度",
        "No .prj file: the coordinates look like longitude/latitude and are taken as CGCS2000/WGS84; make sure "
        "they really are CGCS2000 degrees",
    ),
    "boundary_crs_projected": (
        "坐标系「{crs}」是投影坐标（单位为米，如高斯-克吕格分带），看板只接受 CGCS2000（EPSG:4490）或 WGS84"
        "（EPSG:4326）经纬度：请在 ArcGIS/QGIS 中把图层导出为 EPSG:4490 后再装入",
        "The coordinate system '{crs}' is projected (metres, such as a Gauss-Krüger zone); the dashboard takes "
        "CGCS2000 (EPSG:4490) or WGS84 (EPSG:4326) longitude/latitude only: export the layer as EPSG:4490 in "
        "ArcGIS/QGIS and load it again",
    ),
    "boundary_crs_datum": (
        "坐标系「{crs}」不是 CGCS2000 或 WGS84（如北京54、西安80）：不同基准之间无法离线精确换算，请向"
        "自然资源局索取 CGCS2000（EPSG:4490）的数据，或在 GIS 软件中按当地转换参数转换后再导出",
        "The coordinate system '{crs}' is neither CGCS2000 nor WGS84 (e.g. Beijing 1954, Xi'an 1980): datums "
        "cannot be converted exactly offline; ask the natural resources bureau for CGCS2000 (EPSG:4490) data, or "
        "convert it with the local parameters in a GIS program",
    ),
    "boundary_crs_unknown": (
        "无法识别 .prj 中的坐标系「{crs}」：请导出为 CGCS2000（EPSG:4490）经纬度后再装入",
        "The coordinate system '{crs}' in the .prj is not recognised: export the layer as CGCS2000 (EPSG:4490) "
        "longitude/latitude and load it again",
    ),
    "boundary_crs_offset": (
        "文件声明为 GCJ-02（火星坐标）或 BD-09（百度）坐标（{crs}）：这类坐标经过非线性加密偏移（数百米），"
        "与 CGCS2000 数据对不上，也无法精确还原，因此不装入。请向自然资源局索取 CGCS2000（EPSG:4490）的原始边界数据",
        "The file declares GCJ-02 ('Mars') or BD-09 (Baidu) coordinates ({crs}): these are shifted by a "
        "non-linear offset of hundreds of metres, do not line up with CGCS2000 data and cannot be restored "
        "exactly, so they are not loaded. Ask the natural resources bureau for the original CGCS2000 "
        "(EPSG:4490) boundaries",
    ),
    "boundary_range": (
        "坐标（{at}）不在中国的经纬度范围内（经度 73–136°，纬度 3–54°）：请确认是 CGCS2000/WGS84 经纬度",
        "has coordinates ({at}) outside China's longitude/latitude range (73–136° E, 3–54° N): make sure they "
        "are CGCS2000/WGS84 degrees",
    ),
    "boundary_range_metres": (
        "坐标（{at}）是以米为单位的投影坐标，不是经纬度（文件未声明坐标系或声明有误）：请在 GIS 软件中导出为"
        "CGCS2000（EPSG:4490）经纬度后再装入",
        "has coordinates ({at}) in projected metres, not longitude/latitude (the file declares no or a wrong "
        "coordinate system): export it as CGCS2000 (EPSG:4490) longitude/latitude and load it again",
    ),
    "boundary_range_swapped": (
        "坐标（{at}）像是纬度在前、经度在后：GeoJSON 须按 经度, 纬度 的顺序，请重新导出",
        "has coordinates ({at}) that look like latitude, longitude: GeoJSON needs longitude, latitude; export it again",
    ),
    "boundary_range_more": (
        "另有 {n} 个要素的坐标也不在范围内（原因同上）",
        "{n} more features have coordinates out of range (the same cause)",
    ),
    "boundary_geometry_missing": (
        "没有几何图形（空要素）：请删除该要素或补上镇街面",
        "has no geometry: delete it or draw the township",
    ),
    "boundary_geometry_type": (
        "的几何类型为 {type}，须为面（Polygon 或 MultiPolygon）：请只导出镇街面图层",
        "is a {type}; township boundaries must be polygons (Polygon or MultiPolygon): export the polygon layer",
    ),
    "boundary_coordinates": (
        "的坐标不是 [经度, 纬度] 数字列表：请在 GIS 软件中重新导出",
        "has coordinates that are not [longitude, latitude] number pairs: export it again",
    ),
    "boundary_ring_open": (
        "第{polygon}个面的第{ring}个环未闭合（首点 {first}，末点 {last}）：首尾须为同一点，请在 GIS 软件中修复后重新导出",
        "polygon {polygon}, ring {ring} is not closed (first {first}, last {last}): a ring must end where it "
        "starts; repair it in a GIS program and export again",
    ),
    "boundary_ring_short": (
        "第{polygon}个面的第{ring}个环只有 {n} 个点：一个面至少需要 4 个点（首尾相同），请删除或修复",
        "polygon {polygon}, ring {ring} has only {n} positions: a polygon needs at least 4 (the last repeating "
        "the first); delete or repair it",
    ),
    "boundary_invalid": (
        "的面不合法：{reason_zh}，位置 {at}：请在 GIS 软件中用「修复几何」（Repair Geometry / Fix geometries）处理后重新导出",
        "is not a valid polygon: {reason_en} at {at}: run Repair Geometry (ArcGIS) or Fix geometries (QGIS) and "
        "export again",
    ),
    "boundary_registry_empty": (
        "单位名录中还没有镇街：边界按镇街的行政区划代码或名称对应，请先装入单位名录（bin/etl load 单位名录.csv）",
        "The unit registry holds no townships yet: boundaries are matched by a township's division code or name; "
        "load the unit registry first (bin/etl load units.csv)",
    ),
    "boundary_unmatched": (
        "对不上单位名录中的任何镇街：须有一个属性为镇街的12位行政区划代码（或其前9位乡级代码），或镇街名称/别名。"
        "请补上代码属性，或先在单位名录中登记该镇街，或删除不属于本县的要素",
        "matches no township of the unit registry: one property must hold the township's 12-digit division code "
        "(or its 9-digit township prefix), or its name or alias. Add the code, register the township first, or "
        "delete a feature that is not part of the county",
    ),
    "boundary_unmatched_code": (
        "的代码 {code} 不在单位名录中，名称也对不上任何镇街：请核对代码（单位名录中镇街的行政区划代码），或先在单位名录中登记该镇街",
        "has the code {code}, which is not in the unit registry, and no name of a township: check the code "
        "against the registry's division codes, or register the township first",
    ),
    "boundary_code_unknown": (
        "的代码 {code} 不在单位名录中，已按名称对应到「{name}」：请核对单位名录或文件中的代码",
        "has the code {code}, which is not in the unit registry; matched to '{name}' by its name: check the code",
    ),
    "boundary_alias": (
        "的名称「{alias}」是「{name}」的别名，已按「{name}」对应",
        "is named '{alias}', an alias of '{name}', and is stored as '{name}'",
    ),
    "boundary_conflict": (
        "的代码 {code} 属于「{by_code}」，名称却是「{by_name}」：请核对是代码还是名称写错",
        "has the code {code} of '{by_code}' but the name '{by_name}': check which one is wrong",
    ),
    "boundary_ambiguous": (
        "的属性同时指向多个镇街（{names}）：每个要素只能是一个镇街",
        "has properties naming several townships ({names}): one feature draws one township",
    ),
    "boundary_merged": (
        "「{township}」有 {n} 个要素（第 {features} 个），已合并为一个（多）面",
        "'{township}' has {n} features ({features}); they were merged into one (multi)polygon",
    ),
    "boundary_missing": (
        "单位名录中有 {n} 个镇街没有边界：{names}。地图上不显示它们；补齐后重新装入完整的边界文件",
        "{n} registered townships have no boundary: {names}. The map leaves them out; add them and load the whole "
        "boundary file again",
    ),
    "boundary_overlap": (
        "「{a}」与「{b}」的边界重叠（占较小者面积的 {share}）：请核对两镇街的界线",
        "The boundaries of '{a}' and '{b}' overlap ({share} of the smaller one): check the border between them",
    ),
}

ERROR = "error"
WARNING = "warning"


@dataclass
class Issue:
    """One located problem found while reading: ``row`` as the clerk sees it (None = whole file)."""

    row: int | None
    column: str
    value: str
    code: str
    params: dict = field(default_factory=dict)
    severity: str = ERROR


# What must not reach a terminal or a page as it is (code point ranges): C0/C1 controls (ESC starts a terminal
# escape sequence, CR and LF forge lines), soft hyphen, Arabic letter mark, zero-width characters and bidi
# marks, line/paragraph separators and bidi embeddings, word joiner and invisible operators, bidi isolates,
# BOM; and lone surrogates. An echoed value shows each as an escape (\x1b, \u200b).
_UNPRINTABLE = (
    (0x00, 0x1F), (0x7F, 0x9F), (0xAD, 0xAD), (0x61C, 0x61C), (0x200B, 0x200F), (0x2028, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x2069), (0xFEFF, 0xFEFF), (0xD800, 0xDFFF),
)  # fmt: skip
_UNPRINTABLE_RE = re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in _UNPRINTABLE) + "]")
_UNPRINTABLE_RE2 = "[" + "".join(f"\\x{{{a:04X}}}-\\x{{{b:04X}}}" for a, b in _UNPRINTABLE[:-1]) + "]"  # Arrow
SHOWN_CHARS = 100  # an echoed value is cut after this many characters


def _escape(ch: re.Match) -> str:
    o = ord(ch.group())
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def printable(value: object, limit: int | None = SHOWN_CHARS) -> str:
    """``value`` as it may be echoed to a terminal, a page or a report: every control or invisible character
    written as an escape (``\\x1b``, ``\\u200b``) and, past ``limit`` characters, cut with "…"."""
    s = "" if value is None else str(value)
    if limit is not None and len(s) > limit:
        s = s[:limit] + "…"
    return _UNPRINTABLE_RE.sub(_escape, s)


def printable_values(values: pd.Series, limit: int | None = SHOWN_CHARS) -> pd.Series:
    """:func:`printable` of every cell of a ``str`` Series (NA → ""); Python runs only on the cells that need it."""
    arr = pc.fill_null(pa.array(values.astype("str").array), "")
    todo = pc.match_substring_regex(arr, _UNPRINTABLE_RE2)
    if limit is not None:
        todo = pc.or_(todo, pc.greater(pc.utf8_length(arr), limit))
    out = pd.Series(arr, index=values.index, dtype="str")
    at = todo.to_numpy(zero_copy_only=False)
    if at.any():
        out = out.where(~at, pd.Series(out[at].map(lambda v: printable(v, limit)), index=out.index[at]))
    return out


def message(code: str, /, **params: object) -> tuple[str, str]:
    """(zh, en) text of ``code`` with its placeholders filled (text parameters made :func:`printable`)."""
    zh, en = CATALOGUE[code]
    params = {k: printable(v, None) if isinstance(v, str) else v for k, v in params.items()}
    return zh.format_map(_Default(params)), en.format_map(_Default(params))


def cell_message(code: str, row: int | None, header: str, value: str, /, **params: object) -> tuple[str, str]:
    """(zh, en) of a located cell problem, e.g. 第12行「总投资(万元)」值“3.5忆”无法识别为金额…

    The header and the value come from the clerk's file: both are made :func:`printable` (the value also cut
    after SHOWN_CHARS characters), so a message never carries a terminal escape sequence.
    """
    zh, en = message(code, **{**params, "row": row})
    header, value = printable(header, None), printable(value)
    where_zh = (f"第{row}行" if row is not None else "") + (f"「{header}」" if header else "")
    where_en = (f"Row {row}" if row is not None else "File") + (f", column '{header}'" if header else "")
    if value:
        return f"{where_zh}值“{value}”{zh}", f"{where_en}: value '{value}' {en}"
    return f"{where_zh}{zh}", f"{where_en}: {en}"


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


# The words for batches and quarantined rows, shared by the CLI and the dashboard: field → (zh, en).
BATCH_FIELDS: dict[str, tuple[str, str]] = {
    "batch_id": ("批次号", "Batch"),
    "dataset": ("数据集", "Dataset"),
    "file_name": ("文件名", "File"),
    "sha256": ("文件哈希", "SHA-256"),
    "rows_read": ("读取行数", "Rows read"),
    "rows_loaded": ("入库行数", "Rows loaded"),
    "rows_rejected": ("隔离行数", "Rows quarantined"),
    "user_name": ("操作人", "User"),
    "loaded_at": ("入库时间", "Loaded at"),
    "status": ("状态", "Status"),
    "rolled_back_at": ("回滚时间", "Rolled back at"),
    "rolled_back_by": ("回滚人", "Rolled back by"),
}
BATCH_STATUS: dict[str, tuple[str, str]] = {"loaded": ("已入库", "loaded"), "rolled_back": ("已回滚", "rolled back")}
QUARANTINE_FIELDS: dict[str, tuple[str, str]] = {
    "row": ("行号", "Row"),
    "reason": ("隔离原因", "Why quarantined"),
    "reason_en": ("隔离原因", "Why quarantined"),
}
