"""Accounts (etl.accounts) through `python -m etl users`: add/list/remove, stdin passwords, bcrypt hashes only,
the audit lines account changes write (etl.audit)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import bcrypt
import pytest

from etl import accounts, audit, warehouse

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "青石-2026-secret"


def users(*args: str, stdin: str = "", lang: str = "zh", db: Path | None = None) -> subprocess.CompletedProcess:
    """`python -m etl users …` with the password on standard input (not a terminal), as a script would run it."""
    cmd = [sys.executable, "-m", "etl", "--lang", lang, *(["--db", str(db)] if db else []), "users", *args]
    return subprocess.run(cmd, cwd=ROOT, input=stdin, capture_output=True, text=True, env=os.environ.copy())


def test_add_stores_a_bcrypt_hash_never_the_password(no_accounts):
    proc = users("add", "张三", "--role", "viewer", "--townships", "青石镇", stdin=PASSWORD + "\n")
    assert proc.returncode == 0, proc.stderr
    assert "已创建账号「张三」：viewer，青石镇" in proc.stdout
    file = accounts.path()
    text = file.read_text(encoding="utf-8")
    assert PASSWORD not in text
    rec = tomllib.loads(text)["users"]["张三"]
    assert rec["role"] == "viewer" and rec["townships"] == ["青石镇"]
    assert rec["hash"].startswith("$2b$") and bcrypt.checkpw(PASSWORD.encode(), rec["hash"].encode())
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert accounts.verify("张三", PASSWORD) == accounts.Account("张三", "viewer", ("青石镇",), rec["created"])
    assert accounts.verify("张三", PASSWORD + "x") is None
    assert accounts.verify("nobody", PASSWORD) is None


def test_list_and_remove_in_both_languages(no_accounts):
    assert "没有账号" in users("list").stdout
    assert users("add", "admin", "--role", "admin", stdin=PASSWORD).returncode == 0
    assert users("add", "clerk", "--role", "uploader", "--townships", "青石镇，柳河镇", stdin=PASSWORD).returncode == 0
    listed = users("list", lang="en").stdout.splitlines()
    assert listed[0].split("\t") == ["name", "role", "townships", "created"]
    assert [line.split("\t")[:3] for line in listed[1:]] == [
        ["admin", "admin", "all"],
        ["clerk", "uploader", "青石镇、柳河镇"],
    ]
    assert "$2b$" not in "\n".join(listed)
    proc = users("remove", "clerk", lang="en")
    assert proc.returncode == 0 and "Removed account 'clerk'." in proc.stdout
    assert [a.name for a in accounts.accounts()] == ["admin"]
    proc = users("remove", "clerk")
    assert proc.returncode == 1 and "没有账号「clerk」" in proc.stderr


def test_adding_again_resets_role_and_password_but_keeps_the_creation_time(no_accounts):
    users("add", "王五", "--role", "viewer", stdin=PASSWORD)
    created = accounts.get("王五").created
    proc = users("add", "王五", "--role", "analyst", stdin="another-password-9", lang="en")
    assert proc.returncode == 0 and "Updated account '王五': analyst, every township." in proc.stdout
    assert accounts.get("王五") == accounts.Account("王五", "analyst", (), created)
    assert accounts.verify("王五", PASSWORD) is None and accounts.verify("王五", "another-password-9") is not None


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        (("add", "x", "--role", "viewer"), "short", "密码须至少 8 个字符"),
        (("add", "x", "--role", "viewer"), "", "密码须至少 8 个字符"),
        (("add", "x", "--role", "viewer"), "é" * 40, "至多 72 字节"),
        (("add", "a\x1bb", "--role", "viewer"), PASSWORD, "账号名须为"),
    ],
)
def test_refusals_change_nothing(no_accounts, args, stdin, words):
    proc = users(*args, stdin=stdin)
    assert proc.returncode == 1 and words in proc.stderr
    assert not accounts.path().exists()


def test_an_unknown_role_is_a_usage_error(no_accounts):
    proc = users("add", "x", "--role", "superuser", stdin=PASSWORD)
    assert proc.returncode == 2 and "viewer" in proc.stderr


def test_townships_are_checked_against_the_unit_registry(no_accounts, demo_db):
    proc = users("add", "x", "--role", "viewer", "--townships", "青石乡", stdin=PASSWORD, db=demo_db)
    assert proc.returncode == 1 and "单位名录中没有这些镇街：青石乡" in proc.stderr
    assert not accounts.path().exists()
    assert users("add", "x", "--role", "viewer", "--townships", "青石镇", stdin=PASSWORD, db=demo_db).returncode == 0


def test_account_changes_are_audited(no_accounts):
    users("add", "张三", "--role", "viewer", "--townships", "青石镇", stdin=PASSWORD)
    users("remove", "张三")
    lines = [json.loads(x) for x in audit.path().read_text(encoding="utf-8").splitlines()]
    assert [(e["action"], e["detail"], e["ip"]) for e in lines] == [
        ("user_added", "张三 role=viewer townships=青石镇", "cli"),
        ("user_removed", "张三", "cli"),
    ]
    assert all(e["user"].endswith("(cli)") and e["ts"] == "2026-11-28T09:30:00" for e in lines)
    assert PASSWORD not in audit.path().read_text(encoding="utf-8")


def test_the_audit_log_is_appended_and_read_newest_first(no_accounts):
    for i in range(3):
        audit.write(f"u{i}", "sign_in", "", "10.0.0.1", "ua")
    df = audit.read()
    assert list(df["user"]) == ["u2", "u1", "u0"]
    with open(audit.path(), "a", encoding="utf-8") as fh:
        fh.write("not json\n")
    assert len(audit.read()) == 3


def test_roles_nest():
    grid = {r: [a for a in accounts.ACTIONS if accounts.role_allows(r, a)] for r in accounts.ROLES}
    assert grid == {
        "viewer": ["view"],
        "analyst": ["view", "export"],
        "uploader": ["view", "export", "upload", "rollback"],
        "admin": ["view", "export", "upload", "rollback", "admin"],
    }
    assert not accounts.role_allows("admin", "format_disk")


def test_the_accounts_file_is_git_ignored():
    ignored = subprocess.run(["git", "check-ignore", "-q", "data/users.toml"], cwd=ROOT).returncode
    assert ignored == 0


def test_loads_and_rollbacks_from_the_command_line_are_audited(no_accounts, tmp_path):
    from tests.clerk_files import csv, project

    db = warehouse.init(tmp_path / "wh" / "w.duckdb")
    path = csv(tmp_path / "p.csv", "projects", [project("P1", "100")])
    run = [sys.executable, "-m", "etl", "--db", str(db)]
    assert subprocess.run([*run, "load", str(path), "--user", "李四"], cwd=ROOT, capture_output=True).returncode == 0
    assert subprocess.run([*run, "rollback", "1"], cwd=ROOT, capture_output=True).returncode == 0
    lines = [json.loads(x) for x in audit.path().read_text(encoding="utf-8").splitlines()]
    assert [(e["action"], e["detail"]) for e in lines] == [
        ("upload", "batch 1 projects p.csv rows=1 user=李四"),
        ("rollback", "batch 1 projects user=cli"),
    ]
