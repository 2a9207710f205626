"""`coi-desktop sync --once` exit codes, and the `sandbox` subcommand's wiring."""

from __future__ import annotations

from pathlib import Path

import pytest

from coi_desktop.cli import build_parser, main
from coi_desktop.models import User
from coi_desktop.sync.sandbox import Fault, FaultKind, SandboxServers
from coi_desktop.workspace import open_workspace
from tests.sandbox_world import TinyWorld
from tests.test_sync_helpers import decide, expect_the_demo_to_connect, sign_in


@pytest.fixture
def servers(servers: SandboxServers, monkeypatch: pytest.MonkeyPatch) -> SandboxServers:
    """The sandbox with the app signed in as Riley, Procore included."""
    sign_in(monkeypatch, servers, "u-1", procore=True)
    return servers


def test_not_configured_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", "--once"]) == 2
    assert "The tracker is not set up" in capsys.readouterr().err


def test_exit_codes_0_1_3_and_2(
    servers: SandboxServers, coi_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sync", "--once"]) == 0  # pulled, nothing to send

    workspace = open_workspace(coi_home)
    try:
        decide(workspace, "s-1042")
        with workspace.database.session() as session:
            session.add(User(id="u-77", name="Temp Reviewer", email=None, role="reviewer"))
        decide(workspace, "s-1043", user_id="u-77", with_claim=False)  # the tracker says 422
    finally:
        workspace.close()
    # Offline-ish: the tracker fails every call for a while → retryable items remain.
    servers.tracker_faults.push(Fault(FaultKind.UNAVAILABLE_503, count=50, retry_after=30))
    assert main(["sync", "--once"]) == 1
    servers.tracker_faults.clear()
    capsys.readouterr()

    code = 1
    for _ in range(20):  # the 503 asked for 30 s; here each pass is a fresh process-like run
        workspace = open_workspace(coi_home)
        try:
            from coi_desktop.models import OutboxItem, utcnow

            with workspace.database.session() as session:  # skip the wait the 503 asked for
                session.query(OutboxItem).update({"next_attempt_at": utcnow()})
        finally:
            workspace.close()
        code = main(["sync", "--once"])
        if code != 1:
            break
    assert code == 3
    err = capsys.readouterr().err
    [line] = [x for x in err.splitlines() if x.startswith("s-1043")]
    assert "this is our bug, logged at" in line  # a wrong user id is not the reviewer's to fix

    servers.tracker.revoke_token("sandbox-token-u-1")
    assert main(["sync", "--once"]) == 2
    assert "Sign in again" in capsys.readouterr().err


def test_an_unreadable_answer_reads_as_a_sentence(
    servers: SandboxServers, capsys: pytest.CaptureFixture[str]
) -> None:
    servers.tracker_faults.push(Fault(FaultKind.MALFORMED_JSON, method="GET", path="/me"))
    assert main(["sync", "--once"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "Reading the signed-in user from the tracker: the answer was not readable JSON; "
        "receiving will be retried."
    ]


def test_sandbox_subcommand_is_registered() -> None:
    args = build_parser().parse_args(["sandbox", "--tracker-port", "0", "--procore-port", "0"])
    assert args.command == "sandbox" and args.tracker_port == 0


def test_demo_loop_serves_a_world_and_the_first_pull_fills_the_home(
    coi_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from coi_desktop.sync.demo_loop import demo_world_facts, start_demo_sandbox

    expect_the_demo_to_connect(monkeypatch)
    servers = start_demo_sandbox(coi_home, world=TinyWorld())
    try:
        import os

        assert os.environ["COI_DESKTOP_TRACKER_URL"] == servers.tracker_url
        assert main(["queue", "--json"]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert {row["id"] for row in rows} == {"s-1042", "s-1043", "s-1044", "s-1045"}
        assert main(["sync", "--once"]) == 0
    finally:
        servers.stop()
    workspace = open_workspace(coi_home)
    try:
        first = demo_world_facts(workspace)
        assert demo_world_facts(workspace) == first  # a resumed demo rebuilds the same world
    finally:
        workspace.close()
