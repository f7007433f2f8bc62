"""What is kept of an upload: the pseudonymised copy and the quarantined rows hold no personal data."""

from __future__ import annotations

import io

from etl import keep
from etl.reports import error_report
from tests.checking import KEY, hmac_reference, valid_id, validated

RETURNEES = "身份证号,姓名,性别,镇街,返乡日期,联系电话\n"


ID_M = valid_id("32010219800101001")  # 男 (17th digit odd)
ID_F = valid_id("32010219850202002")  # 女


def test_the_safe_copy_holds_no_personal_data() -> None:
    text = (
        RETURNEES
        + f"{ID_M},张三,男,城关镇,2012-03-05,13812345678\n{ID_F[:-1]}0,李四,女,城关镇,2012-03-05,13900000000\n"
    )
    v = validated(text)
    copy = keep.safe_copy(v).decode("utf-8-sig")
    for secret in (ID_M, ID_F[:-1] + "0", "张三", "李四", "13812345678", "姓名", "联系电话"):
        assert secret not in copy
    assert hmac_reference(ID_M, KEY) in copy
    again = validated(keep.safe_copy(v), "kept.csv", "returnees")
    assert again.frame["person_key"].iat[0] == v.frame["person_key"].iat[0]  # the kept copy reloads to the same key
    assert again.valid.tolist() == v.valid.tolist()
    assert v.frame["person_key"].iat[0] == hmac_reference(ID_M, KEY)
    assert (v.frame["birth_year"].iat[0], v.frame["id_gender"].iat[0]) == (1980, "男")
    report = error_report(v.errors, v.warnings, "csv").decode("utf-8-sig")
    assert ID_F[:-1] + "0" not in report and "李四" not in report
    bad = keep.bad_rows(v)
    assert bad["_row"].tolist() == [3] and "身份证号" in bad.columns
    assert bad["reason"].iat[0].startswith("第3行") and bad["reason_en"].iat[0].startswith("Row 3")
    assert ID_F[:-1] not in "".join(bad.astype(str).to_numpy().ravel())


def _loaded_returnees(tmp_path, rows: list[str]):
    from etl import warehouse

    db = warehouse.init(tmp_path / "wh" / "w.duckdb")
    path = tmp_path / "r.csv"
    path.write_bytes((RETURNEES + "\n".join(rows) + "\n").encode("gb18030"))
    return db, warehouse.load_file(db, path, skip_invalid=True)


def test_the_kept_copy_is_zstd_parquet_without_personal_data_and_downloads_as_csv_and_xlsx(tmp_path) -> None:
    import openpyxl
    import pyarrow.parquet as pq

    from etl.pseudonym import load_key
    from tests.checking import file_text

    bad_id = ID_F[:-1] + "0"
    rows = [f"{ID_M},张三,男,青石镇,2012-03-05,13812345678", f"{bad_id},李四,女,青石镇,2012-03-05,13900000000"]
    _, res = _loaded_returnees(tmp_path, rows)
    assert res.status == "loaded" and res.rows_loaded == 1
    kept = res.kept_path
    assert kept.name.endswith(".pseudonymised.parquet") and keep.is_table(kept) and keep.kept_rows(kept) == 2
    meta = pq.ParquetFile(kept).metadata
    assert {meta.row_group(0).column(i).compression for i in range(meta.num_columns)} == {"ZSTD"}
    text = file_text(kept).decode("utf-8", "replace")
    for secret in (ID_M, bad_id, "张三", "李四", "13812345678", "13900000000", "姓名", "联系电话"):
        assert secret not in text
    pk = hmac_reference(ID_M, load_key())
    assert pq.read_table(kept).to_pydict() == {
        "身份证号": ["", bad_id[:6] + "********" + bad_id[-4:]],
        "人员编号": [pk, ""],
        "性别": ["男", "女"],
        "镇街": ["青石镇", "青石镇"],
        "返乡日期": ["2012-03-05", "2012-03-05"],
    }
    as_csv = keep.kept_download(kept, "csv")
    assert as_csv.startswith(b"\xef\xbb\xbf")
    again = validated(as_csv, "kept.csv", "returnees", key=load_key())
    assert again.frame["person_key"].iat[0] == pk  # the download reloads to the same person
    wb = openpyxl.load_workbook(io.BytesIO(keep.kept_download(kept, "xlsx")))
    cells = [[c if c is not None else "" for c in r] for r in wb.active.iter_rows(values_only=True)]
    assert cells[0] == ["身份证号", "人员编号", "性别", "镇街", "返乡日期"]
    assert cells[1:] == [list(r) for r in zip(*pq.read_table(kept).to_pydict().values(), strict=True)]


def test_the_kept_copy_downloads_with_formulas_as_text(tmp_path) -> None:
    import openpyxl

    _, res = _loaded_returnees(tmp_path, [f"{ID_M},张三,男,=HYPERLINK(1),2012-03-05,13812345678"])
    assert res.status == "loaded"  # a warehouse without a unit registry takes any township name
    kept = res.kept_path
    assert keep.is_table(kept)
    assert "'=HYPERLINK(1)" in keep.kept_download(kept, "csv").decode("utf-8-sig")
    ws = openpyxl.load_workbook(io.BytesIO(keep.kept_download(kept, "xlsx"))).active
    cell = ws.cell(2, 4)
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")  # a string, never a formula


def test_an_old_batchs_kept_csv_downloads_as_it_is(tmp_path) -> None:
    old = tmp_path / "3-abcdef012345-r.pseudonymised.csv"
    old.write_bytes("\ufeff人员编号,镇街\nP1,青石镇\n".encode())
    assert not keep.is_table(old)
    assert keep.kept_download(old, "csv") == old.read_bytes()


def test_file_text_finds_a_value_inside_a_compressed_parquet(tmp_path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tests.checking import file_text

    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"a": ["13812345678" * 50]}), path, compression="zstd")
    assert b"13812345678" in file_text(path)


def test_the_quarantine_masks_only_the_rows_in_error() -> None:
    text = RETURNEES + f"{ID_M},张三,男,城关镇,2012-03-05,13812345678\n{ID_F},李四,女,城关镇,2012-13-05,13900000000\n"
    bad = keep.bad_rows(validated(text))
    assert bad["_row"].tolist() == [3]
    assert bad[["身份证号", "姓名", "联系电话"]].to_numpy().tolist() == [
        [ID_F[:6] + "********" + ID_F[-4:], "**", "*" * 11]
    ]
