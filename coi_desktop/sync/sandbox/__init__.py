"""Sandbox tracker and Procore emulator: real HTTP servers on 127.0.0.1 for tests and the demo.

Qt-free. Start both with :class:`SandboxServers`; seed them from a sample world with
:func:`seed_tracker` / :func:`seed_procore`; break them on purpose with :mod:`.faults`.
"""

from __future__ import annotations

from coi_desktop.sync.sandbox.faults import Fault, FaultInjector, FaultKind, FaultPlan
from coi_desktop.sync.sandbox.procore import ProcoreApp
from coi_desktop.sync.sandbox.procore_state import ProcoreState
from coi_desktop.sync.sandbox.ratelimit import RateLimits
from coi_desktop.sync.sandbox.seed import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_COMPANY_ID,
    seed_procore,
    seed_tracker,
    tracker_token_for,
)
from coi_desktop.sync.sandbox.server import SandboxServers, run_sandbox
from coi_desktop.sync.sandbox.tracker import TrackerApp
from coi_desktop.sync.sandbox.tracker_state import TrackerState

__all__ = [
    "SANDBOX_CLIENT_ID",
    "SANDBOX_CLIENT_SECRET",
    "SANDBOX_COMPANY_ID",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "FaultPlan",
    "ProcoreApp",
    "ProcoreState",
    "RateLimits",
    "SandboxServers",
    "TrackerApp",
    "TrackerState",
    "run_sandbox",
    "seed_procore",
    "seed_tracker",
    "tracker_token_for",
]
