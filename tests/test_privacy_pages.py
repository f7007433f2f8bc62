"""No page shows a person: the rendered output (every element's text, table cells, chart data) and every export
(XLSX and CSV bytes of every table) of every registered page (nav.existing(), so pages added later are covered)
hold no pseudonym key of the warehouse and no personal value of the source files (ID numbers, names, phones)."""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from pathlib import Path

import duckdb
import pytest
from google.protobuf import json_format
from streamlit.testing.v1 import AppTest

from board import export, nav
from board.i18n import catalog
from board.tables import Table
from etl import readers
from etl.contracts import DATASETS
from tests.apptest_pages import session, switch

# Personal columns of the source files, by dataset (contract column names).
PERSONAL = {"returnees": ("id_number", "name", "phone"), "training": ("id_number",), "ventures": ("id_number",)}
# Shapes of personal values whatever the file: an ID number, a mobile number, a pseudonym ('P' + 24 hex); not
# inside a longer run of hex digits (a batch's file hash is shown on the batches page) nor a decimal number.
SHAPES = (
    re.compile(r"(?<![0-9A-Fa-f.])\d{17}[\dXx](?![0-9A-Fa-f.])"),
    re.compile(r"(?<![0-9A-Fa-f.])1[3-9]\d{9}(?![0-9A-Fa-f.])"),
    re.compile(r"(?<![0-9A-Za-z])P[0-9a-f]{24}(?![0-9a-f])"),
)


def _source_values(files: Path) -> dict[str, set[str]]:
    """Every personal value of the demo's upload files: {'id_number': …, 'name': …, 'phone': …}."""
    out: dict[str, set[str]] = {"id_number": set(), "name": set(), "phone": set()}
    for name, columns in PERSONAL.items():
        path = next(files.glob(f"*_{name}.*"))
        ds = DATASETS[name]
        raw = readers.read_file(path.read_bytes(), path.name, known_headers=[c.zh for c in ds.columns])
        for col in columns:
            header = ds.column(col).zh
            if header in raw.frame.columns:
                values = {unicodedata.normalize("NFKC", v).strip() for v in raw.frame[header] if v and v.strip()}
                out[col] |= values | set(raw.frame[header]) - {""}
    return out


def _allowed_text(db: Path) -> str:
    """Text a page may show that is no person's: every catalog message and every text value the warehouse keeps
    outside the personal columns (a returnee's name can also be a village's, a brand's or a staff member's)."""
    parts = [*catalog("zh").values(), *catalog("en").values()]
    with duckdb.connect(str(db), read_only=True) as con:
        views = con.execute("SELECT view_name FROM duckdb_views() WHERE starts_with(view_name, 'v_')").fetchall()
        for (view,) in views:
            cols = con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND data_type = 'VARCHAR'", [view]
            ).fetchall()
            for (col,) in cols:
                if col == "person_key":
                    continue
                sql = f'SELECT DISTINCT "{col}" FROM {view} WHERE "{col}" IS NOT NULL'  # noqa: S608 -- catalog names
                parts += [str(v) for (v,) in con.execute(sql).fetchall()]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def forbidden(demo_db: Path) -> dict[str, set[str]]:
    """What must never appear: the warehouse's pseudonym keys and the source files' IDs, names and phones (names
    that are also part of some allowed text, such as a village or a staff member's name, are left to the exact
    checks of the other kinds)."""
    values = _source_values(demo_db.parent / "files")
    with duckdb.connect(str(demo_db), read_only=True) as con:
        keys = {
            k
            for (k,) in con.execute(
                "SELECT person_key FROM v_returnees UNION SELECT person_key FROM v_training "
                "UNION SELECT person_key FROM v_ventures"
            ).fetchall()
            if k
        }
    allowed = _allowed_text(demo_db)
    names = {n for n in values["name"] if n not in allowed}
    assert len(keys) >= 500 and len(values["id_number"]) >= 500 and len(values["phone"]) >= 500
    assert len(names) >= 100, "most returnees' names are in no other text"
    return {"person_key": keys, "id_number": values["id_number"], "name": names, "phone": values["phone"]}


def leaks(text: str, forbidden: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(kind, value) of every forbidden value or personal shape found in ``text``."""
    found = [(kind, v) for kind, values in forbidden.items() for v in values if v in text]
    found += [("shape", m.group(0)) for shape in SHAPES for m in shape.finditer(text)]
    return found


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def rendered_text(at: AppTest) -> str:
    """Everything the page sent: each element's message as JSON (labels, values, captions, help, options…), the
    cells and headers of each table, the data of each chart (decoded, so no text hides behind \\u escapes)."""
    parts = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        parts.append(json_format.MessageToJson(proto, ensure_ascii=False))
        spec = getattr(proto, "spec", "")
        if spec:
            parts.append(json.dumps(json.loads(spec), ensure_ascii=False))
    for df in at.dataframe:
        parts.append(df.value.to_csv(index=False))
    return "\n".join(parts)


def export_text(tab: Table) -> str:
    """Both downloads of a table as text: the CSV, and every XML part of the XLSX (strings and numbers)."""
    parts = [export.to_csv_bytes(tab).decode("utf-8-sig")]
    with zipfile.ZipFile(io.BytesIO(export.to_xlsx_bytes(tab))) as z:
        parts += [z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")]
    return "\n".join(parts)


def _page_params(db: Path, page: str) -> dict[str, str]:
    """What a page needs in its URL to show its content (the project detail: a project that has funds)."""
    if page != nav.PROJECT_PAGE:
        return {}
    with duckdb.connect(str(db), read_only=True) as con:
        return {"id": con.execute("SELECT min(project_id) FROM v_funding").fetchone()[0]}


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[Table]:
    """Every table a page offers for download, as built for its buttons."""
    tabs: list[Table] = []
    real = export.download_buttons

    def record(tab: Table, key: str) -> None:
        tabs.append(tab)
        real(tab, key)

    monkeypatch.setattr(export, "download_buttons", record)
    return tabs


VIEWS = [{}, {"lang": "en"}, {"town": "青石镇", "year": "2025"}]


@pytest.mark.parametrize("page", [p.path for p in nav.existing()])
@pytest.mark.parametrize("view", VIEWS, ids=["zh", "en", "town-2025"])
def test_no_page_or_export_shows_a_person(board_env, tmp_path, forbidden, recorded, page, view):
    at = switch(session(tmp_path, **view), page, **_page_params(board_env, page))
    assert not at.exception, [e.value for e in at.exception]
    shown = rendered_text(at)
    assert len(shown) > 1000
    for df in at.dataframe[:1]:  # the walk reached the tables' cells
        assert df.value.to_csv(index=False) in shown
    assert leaks(shown, forbidden) == [], page
    for tab in recorded:
        assert leaks(export_text(tab), forbidden) == [], (page, tab.title)


def test_the_check_finds_a_person_on_screen_and_in_an_export(forbidden):
    import pandas as pd

    from board.selection import Options

    key, name, phone = (sorted(forbidden[k])[0] for k in ("person_key", "name", "phone"))
    ident = sorted(forbidden["id_number"])[0]
    assert {k for k, _ in leaks(f"x {key} y", forbidden)} == {"person_key", "shape"}
    assert ("name", name) in leaks(f"名单：{name}", forbidden)
    from board.tables import Col, table

    tab = table(pd.DataFrame({"who": [ident], "tel": [phone]}), [Col("who", "col.unit"), Col("tel", "col.township")],
                "t", None, Options())  # fmt: skip
    found = {k for k, _ in leaks(export_text(tab), forbidden)}
    assert {"id_number", "phone"} <= found
    hashed = "ab" + "13912345678" * 3 + "cd"  # digits inside a file hash are no phone
    assert leaks(hashed, {}) == []
