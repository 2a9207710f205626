"""Each fault the sandbox can inject, on the tracker and on Procore: nothing lost, nothing doubled.

Also the answers that wait for a person (409 conflict, 422 invalid), the 401 stop, and
pacing under Procore's rate limit.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from coi_desktop.models import User
from coi_desktop.sync import outbox
from coi_desktop.sync.engine import run_until_settled
from coi_desktop.sync.sandbox import Fault, FaultKind, RateLimits, SandboxServers
from tests.test_sync_helpers import (
    GL_POLICY,
    WC_POLICY,
    assert_no_duplicates,
    decide,
    engine_for,
    item,
)

TRACKER_KINDS = ["500", "502", "503", "429", "delay", "drop_after_apply", "malformed_json"]
PROCORE_KINDS = [*TRACKER_KINDS, "token_expiry"]


def _fault(kind: str, path: str) -> Fault:
    return Fault(FaultKind(kind), path=path, retry_after=1, delay_seconds=1.6)


@pytest.mark.parametrize("kind", TRACKER_KINDS)
def test_tracker_fault_on_the_decision(servers: SandboxServers, coi_home: Path, kind: str) -> None:
    with engine_for(servers, coi_home) as (workspace, engine):
        engine.run_once()
        item_id = decide(workspace, "s-1042", policies=[GL_POLICY])
        servers.tracker_faults.push(_fault(kind, "/decision"))
        report = run_until_settled(engine, max_seconds=20)
        assert report.exit_code == 0, (report.attention, report.errors)
        assert item(workspace, item_id).state == "delivered"
        assert servers.tracker_faults.injected[kind] == 1
        assert servers.tracker.decisions_per_key() == {item_id: 1}
        if kind in ("drop_after_apply", "malformed_json"):
            # Applied once, answered from the stored answer on the retry.
            assert servers.tracker.key_presentations[item_id] >= 2
        assert_no_duplicates(servers)


@pytest.mark.parametrize("kind", PROCORE_KINDS)
def test_procore_fault_on_the_sync(servers: SandboxServers, coi_home: Path, kind: str) -> None:
    with engine_for(servers, coi_home) as (workspace, engine):
        engine.run_once()
        item_id = decide(workspace, "s-1042", policies=[GL_POLICY, WC_POLICY])
        servers.procore_faults.push(_fault(kind, "/insurances/sync"))
        report = run_until_settled(engine, max_seconds=20)
        assert report.exit_code == 0, (report.attention, report.errors, report.stopped)
        assert item(workspace, item_id).state == "delivered"
        assert servers.procore_faults.injected[kind] == 1
        assert len(servers.procore.insurances()) == 2
        assert_no_duplicates(servers)


def test_claim_dropped_after_apply_still_moves_if_match(
    servers: SandboxServers, coi_home: Path
) -> None:
    with engine_for(servers, coi_home) as (workspace, engine):
        engine.run_once()
        item_id = decide(workspace, "s-1042")
        servers.tracker_faults.push(_fault("drop_after_apply", "/claim"))
        report = run_until_settled(engine, max_seconds=20)
        assert report.exit_code == 0, report.attention
        assert item(workspace, item_id).state == "delivered"


def test_conflict_409_is_kept_with_the_reason_and_never_overwritten(
    servers: SandboxServers, coi_home: Path
) -> None:
    with engine_for(servers, coi_home) as (workspace, engine):
        engine.run_once()
        item_id = decide(workspace, "s-1043", with_claim=False)
        # Someone decided it in the tracker meanwhile.
        servers.tracker.modify_submission("s-1043", status="non_compliant")
        report = engine.run_once()
        kept = item(workspace, item_id)
        assert kept.state == "conflict"
        assert kept.last_error == (
            "The tracker refused the decision on s-1043: the submission "
            "was already decided non compliant (409). Reopen it to "
            "decide again."
        )
        assert report.exit_code == 3
        assert servers.tracker.decisions() == []
        # Further passes keep it exactly as it is; retry_now does not resend a conflict.
        assert not outbox.retry_now(workspace.database, item_id)
        engine.run_once()
        assert item(workspace, item_id).state == "conflict"
        assert item(workspace, item_id).last_error == kept.last_error


def test_invalid_422_is_kept_for_correction_and_retry_now_resends(
    servers: SandboxServers, coi_home: Path
) -> None:
    with engine_for(servers, coi_home) as (workspace, engine):
        engine.run_once()
        with workspace.database.session() as session:  # a user the tracker does not know
            session.add(User(id="u-77", name="Temp Reviewer", email=None, role="reviewer"))
        item_id = decide(workspace, "s-1043", user_id="u-77", with_claim=False)
        report = engine.run_once()
        failed = item(workspace, item_id)
        assert failed.state == "failed"
        assert failed.last_error is not None
        # Nothing the reviewer chose is wrong: our bug, logged with what was sent and answered.
        log_file = workspace.locations.log_file
        assert failed.last_error.startswith(
            "COI Desk sent something the tracker could not accept for the decision on s-1043 "
            f"(decided_by unknown user u-77); this is our bug, logged at {log_file}."
        )
        logged = log_file.read_text(encoding="utf-8")
        assert "(422)" in logged and '"decided_by": "u-77"' in logged
        assert "unknown user u-77" in logged
        assert report.exit_code == 3
        assert outbox.retry_now(workspace.database, item_id)
        assert item(workspace, item_id).state == "pending"
        assert engine.run_once().exit_code == 3  # still invalid: back to failed, kept
        assert item(workspace, item_id).attempts == 2


def test_401_stops_the_tracker_and_asks_to_sign_in(servers: SandboxServers, coi_home: Path) -> None:
    with engine_for(servers, coi_home) as (workspace, engine):
        engine.run_once()
        item_id = decide(workspace, "s-1042")
        servers.tracker.revoke_token("sandbox-token-u-1")
        before = sum(servers.tracker.key_presentations.values())
        report = engine.run_once()
        assert report.exit_code == 2
        assert "Sign in again" in report.stopped["tracker"]
        assert report.status.state == "signed_out"
        assert sum(servers.tracker.key_presentations.values()) == before  # no decision sent
        pending = item(workspace, item_id)
        assert pending.state == "pending"  # kept; sent once the user signs in again


def test_procore_pacing_sends_no_429_once_the_headers_are_known(
    servers: SandboxServers, coi_home: Path
) -> None:
    servers.procore.set_rate_limits(RateLimits(spike=2, spike_window=1.0, hourly=10_000))
    with engine_for(servers, coi_home, prepare_limit=0) as (workspace, engine):
        engine.run_once()
        for sub_id in ("s-1042", "s-1043", "s-1045"):
            decide(workspace, sub_id, policies=[GL_POLICY])
        started = time.monotonic()
        report = run_until_settled(engine, max_seconds=30)
        assert report.exit_code == 0, (report.attention, report.errors)
        snapshot = servers.procore.counters_snapshot()
        assert snapshot["rate_limited"] == 0
        # 4 API calls (3 syncs on 3 vendor levels, 1 commitment) at 2 per second must wait.
        assert snapshot["requests_served"] >= 4
        assert time.monotonic() - started >= 0.9


def test_tracker_retry_after_holds_every_call(servers: SandboxServers, coi_home: Path) -> None:
    with engine_for(servers, coi_home) as (workspace, engine):
        engine.run_once()
        decide(workspace, "s-1042")
        decide(workspace, "s-1043")
        servers.tracker_faults.push(Fault(FaultKind.RATE_LIMIT_429, path="/claim", retry_after=1))
        started = time.monotonic()
        report = run_until_settled(engine, max_seconds=20)
        assert report.exit_code == 0
        assert time.monotonic() - started >= 1.0
