"""Shared fixtures: every test gets its own pseudonym key outside the repository."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def pseudonym_key(tmp_path_factory, monkeypatch):
    """A per-test key file (created on first use, mode 0600), never ~/.config of the developer."""
    path = tmp_path_factory.mktemp("key") / "pseudonym.key"
    monkeypatch.setenv("DASHBOARD_PSEUDONYM_KEY", str(path))
    return path
