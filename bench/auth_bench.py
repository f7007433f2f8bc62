"""What sign-in costs per rerun (AppTest): the overview rerun after a township change, signed in with 200 accounts
in the file, against the same page in local single-user mode (no accounts: the cost of the checks is the
difference), and against a naive gate that verifies the bcrypt password again on every rerun (what a
password kept in the session and re-checked would cost). All three on the demo county, in the same process.
Also the access check alone (board.access.can over a parsed accounts file) per call.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from streamlit import config

from bench import harness as h
from bench.harness import ROOT
from bench.overview_bench import town_change

RERUNS = int(os.environ.get("BENCH_AUTH_RERUNS", 20))
ACCOUNTS = 200
PASSWORD = "bench-password-1"
AS_OF = date(2026, 11, 27)

NAIVE_GATE = """
import runpy

import bcrypt
import streamlit as st

HASH = {hash!r}
if "pw" not in st.session_state:
    st.session_state["pw"] = {password!r}
assert bcrypt.checkpw(st.session_state["pw"].encode(), HASH.encode())  # re-checked on every rerun
runpy.run_path({entry!r}, run_name="__main__")
"""


def _measure(entry: Path, towns: list[str], sign_in: bool) -> list[float]:
    at = h.open_page(entry)
    if sign_in:
        at.text_input(key="auth_name").input("user0")
        at.text_input(key="auth_password").input(PASSWORD)
        at.button[0].click().run()
    assert not at.exception and at.metric, [e.value for e in at.exception]
    return h.time_reruns(at, town_change(towns), RERUNS, warm=len(towns))


def main() -> None:
    from etl import accounts

    config.set_option("server.address", "localhost")
    with h.demo_warehouse(as_of=AS_OF, audit_log=True) as (root, _):
        users = root / "users.toml"
        os.environ["DASHBOARD_USERS"] = str(users)
        cmd = [sys.executable, "-m", "etl", "users", "add", "user0", "--role", "analyst"]
        subprocess.run(cmd, input=PASSWORD, text=True, check=True, capture_output=True, cwd=ROOT)
        os.environ["DASHBOARD_BCRYPT_ROUNDS"] = "4"  # the other 199 accounts quickly (their cost is not measured)
        for i in range(1, ACCOUNTS):
            accounts.add(f"user{i}", "viewer", PASSWORD, ("青石镇",) if i % 2 else (), users)
        os.environ.pop("DASHBOARD_BCRYPT_ROUNDS")
        entry = h.entry(root)
        towns = ["城关街道", "青石镇"]
        signed = _measure(entry, towns, sign_in=True)
        os.environ["DASHBOARD_USERS"] = str(root / "none.toml")
        local = _measure(entry, towns, sign_in=False)
        naive = root / "naive.py"
        digest = accounts.load(users)["user0"]["hash"]  # cost 12, as bin/etl users add makes it
        naive.write_text(NAIVE_GATE.format(hash=digest, password=PASSWORD, entry=str(entry)))
        naive_times = _measure(naive, towns, sign_in=False)
        os.environ["DASHBOARD_USERS"] = str(users)
        from board import access

        n = 2000
        t = time.perf_counter()
        for _ in range(n):
            access.can("export")
        per_call = (time.perf_counter() - t) / n * 1e6
    (s50, s95), (l50, l95), (n50, n95) = (h.p50_high(times, 95) for times in (signed, local, naive_times))
    print(f"overview rerun after a township change, {RERUNS} reruns (AppTest wall time):")
    print(f"  ours, signed in ({ACCOUNTS} accounts): p50 {s50:7.1f} ms  p95 {s95:7.1f} ms")
    print(f"  local single-user mode (no checks)  : p50 {l50:7.1f} ms  p95 {l95:7.1f} ms  (sign-in costs {s50 - l50:+.1f} ms)")  # fmt: skip
    print(f"  naive: bcrypt re-checked every rerun: p50 {n50:7.1f} ms  p95 {n95:7.1f} ms")
    print(f"  ratio naive/ours at p50: {n50 / s50:.1f}x")
    print(f"  access.can('export') outside a session, {ACCOUNTS} accounts in the file: {per_call:.1f} µs per call")


if __name__ == "__main__":
    main()
