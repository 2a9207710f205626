"""Offline: the servers go away, work waits; they come back on the same port, it resumes."""

from __future__ import annotations

from pathlib import Path

from coi_desktop.sync.engine import run_until_settled
from coi_desktop.sync.sandbox import SandboxServers
from tests.sandbox_world import TinyWorld
from tests.test_sync_helpers import (
    GL_POLICY,
    assert_no_duplicates,
    back_on_the_same_ports,
    decide,
    engine_for,
    item,
)


def test_offline_then_online_resumes_by_itself(coi_home: Path) -> None:
    first = SandboxServers(world=TinyWorld()).start()
    ports = (first._threads[0].port, first._threads[1].port)
    try:
        with engine_for(first, coi_home) as (workspace, engine):
            assert engine.run_once().exit_code == 0
            first.stop()  # the train enters the tunnel
            item_id = decide(workspace, "s-1042", policies=[GL_POLICY])
            report = engine.run_once()
            assert report.exit_code == 1
            assert report.status.state == "offline"
            assert report.status.waiting == 2  # the claim and the decision
            waiting = item(workspace, item_id)
            assert waiting.state == "pending" and waiting.next_attempt_at is not None

            # Out of the tunnel: the same servers' data, on the same ports.
            second = back_on_the_same_ports(first, ports)
            try:
                report = run_until_settled(engine, max_seconds=15)
                assert report.exit_code == 0, (report.errors, report.attention)
                assert report.status.state == "online"
                assert report.status.last_success is not None
                assert item(workspace, item_id).state == "delivered"
                assert_no_duplicates(second)
            finally:
                second.stop()
    finally:
        first.stop()
