"""Soak at CI scale: many decisions under 20 % random faults, and kill -9 of a real sync process.

Whatever happens, every decision reaches the tracker exactly once and every policy is one
Procore record.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from coi_desktop.sync.engine import run_until_settled
from coi_desktop.sync.loadworld import build_load_world, decide_all, store_extractions
from coi_desktop.sync.sandbox import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    FaultKind,
    FaultPlan,
    SandboxServers,
)
from tests.test_sync_helpers import assert_no_duplicates, engine_for

pytestmark = pytest.mark.slow  # minutes on a loaded 2-core machine; CI runs it

REPO = Path(__file__).resolve().parent.parent
ALL_KINDS = tuple(
    map(FaultKind, ("500", "502", "503", "429", "delay", "drop_after_apply", "malformed_json"))
)


def _prepared(servers: SandboxServers, home: Path, n: int) -> None:
    with engine_for(servers, home) as (workspace, engine):
        report = engine.run_once()
        assert report.inbound.pulled == n
        store_extractions(workspace.database)
        assert decide_all(workspace.database, "u-1") == n


def _delivered(home: Path) -> dict[str, int]:
    db = sqlite3.connect(home / "data" / "coi-desktop.sqlite3")
    try:
        return dict(
            db.execute("select state, count(*) from outbox_items group by state").fetchall()
        )
    finally:
        db.close()


def test_soak_500_decisions_with_20_percent_faults(coi_home: Path) -> None:
    n = 500
    with SandboxServers(world=build_load_world(n, n_vendors=25)) as servers:
        _prepared(servers, coi_home, n)
        common = FaultPlan(rate=0.2, retry_after=0, delay_seconds=0.8)
        servers.tracker_faults.set_plan(replace(common, kinds=ALL_KINDS, seed=1))
        servers.procore_faults.set_plan(
            replace(common, kinds=(*ALL_KINDS, FaultKind("token_expiry")), seed=2)
        )
        started = time.monotonic()
        with engine_for(servers, coi_home, timeout=(0.5, 0.5)) as (_, engine):
            report = run_until_settled(engine, max_seconds=60)
        print(f"soak drain {time.monotonic() - started:.1f} s")
        servers.tracker_faults.clear()
        servers.procore_faults.clear()
        assert report.exit_code == 0, (report.pending, report.attention[:3], report.errors[:3])
        assert sum(servers.tracker_faults.injected.values()) > 50
        assert sum(servers.procore_faults.injected.values()) > 10
        assert _delivered(coi_home) == {"delivered": 2 * n}
        assert len(servers.tracker.decisions_per_key()) == n  # 0 lost
        assert_no_duplicates(servers)  # 0 duplicated


def test_kill_9_mid_sync_then_restart_loses_and_doubles_nothing(coi_home: Path) -> None:
    n = 200
    with SandboxServers(world=build_load_world(n, n_vendors=30)) as servers:
        _prepared(servers, coi_home, n)
        # Some drops and garbage too, so kills also land between "applied" and "answered".
        servers.tracker_faults.set_plan(
            FaultPlan(
                rate=0.1,
                kinds=tuple(map(FaultKind, ("drop_after_apply", "malformed_json", "500"))),
                seed=4,
            )
        )
        env = {
            **os.environ,
            "COI_DESKTOP_HOME": str(coi_home),
            "COI_DESKTOP_TRACKER_URL": servers.tracker_url,
            "COI_DESKTOP_TRACKER_TOKEN": "sandbox-token-u-1",
            "COI_DESKTOP_PROCORE_API_URL": servers.procore_api_url,
            "COI_DESKTOP_PROCORE_LOGIN_URL": servers.procore_login_url,
            "COI_DESKTOP_PROCORE_CLIENT_ID": SANDBOX_CLIENT_ID,
            "COI_DESKTOP_PROCORE_CLIENT_SECRET": SANDBOX_CLIENT_SECRET,
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
        command = [
            sys.executable,
            "-m",
            "coi_desktop.sync.drive",
            "--outbound-only",
            "--timeout",
            "1.0",
        ]
        rng = random.Random(9)
        kills = 0
        for _ in range(3):
            before = _delivered(coi_home).get("delivered", 0)
            process = subprocess.Popen(command, env=env, cwd=REPO, stderr=subprocess.DEVNULL)
            # Kill once it is visibly mid-drain: a random few dozen items after it started.
            target = before + rng.randint(20, 60)
            deadline = time.monotonic() + 20
            while (
                process.poll() is None
                and time.monotonic() < deadline
                and _delivered(coi_home).get("delivered", 0) < target
            ):
                time.sleep(0.02)
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                kills += 1
            process.wait()
        assert kills >= 2
        assert _delivered(coi_home).get("pending", 0) > 0  # it really was cut off mid-way
        servers.tracker_faults.clear()
        done = subprocess.run(
            [*command, "--max-seconds", "30"],
            env=env,
            cwd=REPO,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert _delivered(coi_home) == {"delivered": 2 * n}
        assert len(servers.tracker.decisions_per_key()) == n
        assert_no_duplicates(servers)
