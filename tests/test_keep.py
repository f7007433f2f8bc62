"""What is kept of an upload: the pseudonymised copy and the quarantined rows hold no personal data."""

from __future__ import annotations

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
