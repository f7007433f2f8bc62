"""Dashboard accounts: a local TOML file of names, roles, township restrictions and bcrypt hashes (never passwords).

The file is ``data/users.toml`` of the repository, or the one ``$DASHBOARD_USERS`` names. It is written by
``python -m etl users`` only (atomically, mode 0600, under a file lock) and read by the dashboard on every run
(a few hundred bytes; re-read when its mtime changes). No file, or a file without accounts, means no accounts:
the dashboard then runs in local single-user mode on localhost only (board.access).

Roles, each with the rights of the ones before it: ``viewer`` (dashboards), ``analyst`` (+ exports),
``uploader`` (+ upload and rollback), ``admin`` (+ accounts and the audit log).
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import tomllib
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import bcrypt

from etl import clock

ROOT = Path(__file__).resolve().parents[1]
USERS_ENV = "DASHBOARD_USERS"
DEFAULT_PATH = ROOT / "data" / "users.toml"
ROUNDS_ENV = "DASHBOARD_BCRYPT_ROUNDS"  # bcrypt cost (default 12, about 0.2 s here); tests lower it
DEFAULT_ROUNDS = 12
ROLES: tuple[str, ...] = ("viewer", "analyst", "uploader", "admin")
# The least role each action needs.
ACTIONS: dict[str, str] = {
    "view": "viewer",
    "export": "analyst",
    "upload": "uploader",
    "rollback": "uploader",
    "admin": "admin",
}
MIN_PASSWORD = 8
MAX_PASSWORD = 72  # bcrypt uses the first 72 bytes only: longer passwords are refused, never silently cut
MAX_NAME = 64
# A fixed hash checked against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = b"$2b$12$V.gLdjsGWw6/qoZ/YEm9FOXjX6HD8O8CI0S3uASY0opSO/SvAIJ7m"


class AccountError(ValueError):
    """A refused account operation, with its message in Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class Account:
    """One account: ``townships`` empty = every township (the county office)."""

    name: str
    role: str
    townships: tuple[str, ...] = ()
    created: str = ""

    def can(self, action: str) -> bool:
        return role_allows(self.role, action)


def role_allows(role: str, action: str) -> bool:
    """Whether ``role`` has the right to ``action`` (a key of ACTIONS; unknown actions are refused)."""
    need = ACTIONS.get(action)
    return need is not None and role in ROLES and ROLES.index(role) >= ROLES.index(need)


def path() -> Path:
    """The accounts file: $DASHBOARD_USERS, else data/users.toml of the repository."""
    return Path(os.environ.get(USERS_ENV) or DEFAULT_PATH)


def _rounds() -> int:
    try:
        return min(max(int(os.environ.get(ROUNDS_ENV, DEFAULT_ROUNDS)), 4), 16)
    except ValueError:
        return DEFAULT_ROUNDS


def check_name(name: str) -> str:
    """The account name NFKC-normalised and stripped; refused when empty, too long or holding control characters."""
    clean = unicodedata.normalize("NFKC", name).strip()
    if not clean or len(clean) > MAX_NAME or any(unicodedata.category(c).startswith("C") for c in clean):
        raise AccountError(
            f"账号名须为 1–{MAX_NAME} 个可见字符：{clean!r}",
            f"an account name is 1–{MAX_NAME} visible characters: {clean!r}",
        )
    return clean


def check_password(password: str) -> bytes:
    """The password as bytes; refused when shorter than MIN_PASSWORD characters or longer than 72 bytes."""
    raw = password.encode("utf-8")
    if len(password) < MIN_PASSWORD or len(raw) > MAX_PASSWORD:
        raise AccountError(
            f"密码须至少 {MIN_PASSWORD} 个字符、至多 {MAX_PASSWORD} 字节",
            f"a password has at least {MIN_PASSWORD} characters and at most {MAX_PASSWORD} bytes",
        )
    return raw


def _read(file: Path) -> dict[str, dict]:
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AccountError(
            f"账号文件「{file}」无法读取：{exc}", f"the accounts file '{file}' cannot be read: {exc}"
        ) from exc
    users = data.get("users", {})
    return {str(k): dict(v) for k, v in users.items() if isinstance(v, dict)}


_PARSED: dict[str, tuple[tuple[int, int, int], dict[str, dict]]] = {}  # path → (file version, records)


def load(file: Path | None = None) -> dict[str, dict]:
    """Every account record by name (role, townships, hash, created), as stored; {} without a file. Parsed again
    only when the file changed (inode, mtime, size: the dashboard asks on every run, several times)."""
    target = file or path()
    try:
        st = target.stat()
    except FileNotFoundError:
        return {}
    token = (st.st_ino, st.st_mtime_ns, st.st_size)
    hit = _PARSED.get(str(target))
    if hit is None or hit[0] != token:
        hit = (token, _read(target))
        _PARSED[str(target)] = hit
    return dict(hit[1])  # the records themselves are shared: read them, never change them


def accounts(file: Path | None = None) -> list[Account]:
    """Every account (no hashes), by name."""
    out = []
    for name, rec in sorted(load(file).items()):
        if rec.get("role") in ROLES:
            out.append(Account(name, rec["role"], tuple(rec.get("townships", ())), str(rec.get("created", ""))))
    return out


def get(name: str, file: Path | None = None) -> Account | None:
    rec = load(file).get(name)
    if rec is None or rec.get("role") not in ROLES:
        return None
    return Account(name, rec["role"], tuple(rec.get("townships", ())), str(rec.get("created", "")))


def any_accounts(file: Path | None = None) -> bool:
    """Whether at least one account is configured (else the dashboard runs in local single-user mode)."""
    return any(rec.get("role") in ROLES for rec in load(file).values())


def verify(name: str, password: str, file: Path | None = None) -> Account | None:
    """The account when ``password`` is its password, else None. Always runs one bcrypt check (a wrong name
    costs as long as a wrong password)."""
    rec = load(file).get(name)
    stored = str(rec.get("hash", "")).encode() if rec else b""
    raw = password.encode("utf-8")[:MAX_PASSWORD]
    try:
        ok = bcrypt.checkpw(raw, stored) if stored.startswith(b"$2") else False
    except ValueError:  # a damaged hash in the file
        ok = False
    if not rec or not stored.startswith(b"$2"):
        bcrypt.checkpw(raw, _DUMMY_HASH)
        return None
    return get(name, file) if ok else None


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _dump(users: dict[str, dict]) -> str:
    lines = ["# 看板账号：由 `bin/etl users` 管理（只存 bcrypt 散列，不存密码）", "# Dashboard accounts, managed by", "# `bin/etl users` (bcrypt hashes only, never passwords).", ""]  # fmt: skip
    for name in sorted(users):
        rec = users[name]
        lines.append(f"[users.{_toml_string(name)}]")
        lines.append(f"role = {_toml_string(rec['role'])}")
        lines.append("townships = [" + ", ".join(_toml_string(t) for t in rec.get("townships", ())) + "]")
        lines.append(f"hash = {_toml_string(rec['hash'])}")
        lines.append(f"created = {_toml_string(str(rec.get('created', '')))}")
        lines.append("")
    return "\n".join(lines)


@contextmanager
def _locked(file: Path) -> Iterator[dict[str, dict]]:
    """Read-modify-write under an exclusive lock; the new content replaces the file atomically (mode 0600)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    with open(file.with_name(file.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        users = _read(file)
        yield users
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=file.name + ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(_dump(users))
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def add(name: str, role: str, password: str, townships: Sequence[str] = (), file: Path | None = None) -> Account:
    """Create an account, or replace an existing one's role, townships and password (the creation time stays)."""
    name = check_name(name)
    if role not in ROLES:
        raise AccountError(
            f"未知角色「{role}」，可选：{'、'.join(ROLES)}", f"unknown role '{role}'; one of {', '.join(ROLES)}"
        )
    raw = check_password(password)
    towns = tuple(dict.fromkeys(unicodedata.normalize("NFKC", t).strip() for t in townships if t.strip()))
    digest = bcrypt.hashpw(raw, bcrypt.gensalt(_rounds())).decode()
    with _locked(file or path()) as users:
        created = users.get(name, {}).get("created") or clock.now().isoformat(timespec="seconds")
        users[name] = {"role": role, "townships": list(towns), "hash": digest, "created": created}
    return Account(name, role, towns, created)


def remove(name: str, file: Path | None = None) -> bool:
    """Remove an account; False when there is none of that name."""
    name = check_name(name)
    with _locked(file or path()) as users:
        return users.pop(name, None) is not None
