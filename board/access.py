"""Who may do what, and the audit trail — placeholders until sign-in exists.

The auth branch (issue 11, item 4: sign-in, roles, accounts, audit log) replaces this module: ``can``
then checks the signed-in account's role, ``user`` returns its name and ``audit`` writes the audit log.
Pages call these three at the top of every data-changing action, so the merge only touches this file.
Actions: "upload", "rollback", "export", "admin".
"""

from __future__ import annotations

import getpass

ACTIONS = ("upload", "rollback", "export", "admin")


def can(action: str) -> bool:
    """Whether the current session may do ``action`` (one of ACTIONS). Local single-user mode: always True."""
    if action not in ACTIONS:
        raise ValueError(action)
    return True


def user() -> str:
    """The name recorded with a batch or a rollback: the OS user running the server, else "local"."""
    try:
        return getpass.getuser() or "local"
    except (KeyError, OSError):
        return "local"


def audit(action: str, detail: str) -> None:
    """Record that the current user did ``action`` (``detail``: batch id, file name…). A no-op for now: the
    auth branch replaces it with the audit log (who, when, what, from where)."""
