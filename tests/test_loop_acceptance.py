"""Acceptance: the reviewer's loop closes, headless, over real HTTP (issue #11 points 1–3, #14.11).

A small generated world (real ACORD 25 PDFs, compliant and deficient) is served by the
project's own sandbox tracker and Procore emulator on loopback; COI Desk pulls it, extracts
and pre-checks it through the real pipeline, and the CLI decides as a reviewer would. The
tracker and Procore are then asked, over HTTP, what they hold.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from coi_desktop.cli import main
from coi_desktop.models import OutboxItem, utcnow
from coi_desktop.review.decisions import reassign
from coi_desktop.samples.world import World, build_world
from coi_desktop.sync.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxServers
from coi_desktop.workspace import open_workspace
from tests.test_sync_helpers import back_on_the_same_ports, sign_in, sync_once

# Seed 9's ten submissions have no scanned certificate (no OCR: the test stays quick) and hold
# every case needed: compliant and deficient ones unassigned or the reviewer's own, one held
# by another reviewer.
SEED = 9
REVIEWER = "u-1"
LEAD = "u-7"


@pytest.fixture
def world(blank_form: Path) -> World:
    return build_world(
        SEED, datetime.now(UTC).replace(microsecond=0), n_submissions=10, blank_form=blank_form
    )


@pytest.fixture
def sandbox_world(world: World) -> World:
    return world


@pytest.fixture
def servers(servers: SandboxServers, monkeypatch: pytest.MonkeyPatch) -> SandboxServers:
    """The sandbox with the app signed in as the reviewer, Procore included."""
    sign_in(monkeypatch, servers, REVIEWER, procore=True)
    return servers


def _sign_in(monkeypatch: pytest.MonkeyPatch, servers: SandboxServers, user_id: str) -> None:
    sign_in(monkeypatch, servers, user_id)


def _pull_without_precheck(home: Path) -> None:
    """What the demo's first pass does: submissions and documents in, nothing pre-checked."""
    workspace = open_workspace(home)
    try:
        assert sync_once(workspace).exit_code == 0
    finally:
        workspace.close()


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _queue(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    code, out, _ = _cli(capsys, "queue", "--json")
    assert code == 0
    data = json.loads(out)
    items = data["items"] if isinstance(data, dict) else data
    return {x["id"]: x for x in items}


def _on_tracker(servers: SandboxServers, sub_id: str) -> dict[str, Any]:
    """The submission as the tracker serves it (over HTTP, as the lead sees it)."""
    reply = requests.get(
        f"{servers.tracker_url}/submissions/{sub_id}",
        timeout=5,
        headers={"Authorization": f"Bearer {servers.tokens[LEAD]}"},
    )
    assert reply.status_code == 200
    body: dict[str, Any] = reply.json()
    return body


def _procore_records(servers: SandboxServers, sub: dict[str, Any]) -> list[dict[str, Any]]:
    """Insurance records Procore holds for the submission's vendor, at its level."""
    token = requests.post(
        f"{servers.procore_login_url}/oauth/token",
        timeout=5,
        data={
            "grant_type": "client_credentials",
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_CLIENT_SECRET,
        },
    ).json()["access_token"]
    company = sub["procore_company_id"]
    vendor = sub["vendor"]["procore_vendor_id"]
    level = (
        f"projects/{sub['project']['procore_project_id']}"
        if sub["scope"] == "project"
        else f"companies/{company}"
    )
    reply = requests.get(
        f"{servers.procore_api_url}/rest/v1.0/{level}/vendors/{vendor}/insurances",
        timeout=5,
        headers={"Authorization": f"Bearer {token}", "Procore-Company-Id": str(company)},
    )
    assert reply.status_code == 200
    records: list[dict[str, Any]] = reply.json()
    return records


def _open(
    world: World, *, holders: tuple[str | None, ...] = (None, REVIEWER), deficient: bool
) -> list[dict[str, Any]]:
    """Open certificates (not endorsement-only) held by nobody or by the given users."""
    return [
        s
        for s in world.submissions
        if s["kind"] == "coi"
        and s["status"] in ("new", "in_review")
        and s["assigned_to"] in holders
        and bool(world.defects[s["id"]]) == deficient
    ]


def _linked(sub: dict[str, Any]) -> bool:
    project_ok = sub["scope"] != "project" or (sub["project"] or {}).get("procore_project_id")
    return bool(sub["vendor"]["procore_vendor_id"] and project_ok)


def _undelay(home: Path) -> None:
    """Skip the back-off wait a failed attempt set (the test does not sleep through it)."""
    workspace = open_workspace(home)
    try:
        with workspace.database.session() as session:
            session.query(OutboxItem).update({"next_attempt_at": utcnow()})
    finally:
        workspace.close()


def test_cli_decisions_of_each_outcome_are_delivered_and_accepted(
    world: World, servers: SandboxServers, coi_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _pull_without_precheck(coi_home)
    assert all(x["precheck"] is None for x in _queue(capsys).values())
    compliant = _open(world, deficient=False)[:2]
    deficient = _open(world, deficient=True)[:2]
    assert len(compliant) == 2 and len(deficient) == 2
    plan: list[tuple[str, str, list[str]]] = [(s["id"], "compliant", []) for s in compliant]
    plan.append(
        (
            deficient[0]["id"],
            "non_compliant",
            ["--deficiency", "Send the CG 20 10 endorsement itself, not a summary"],
        )
    )
    plan.append((deficient[1]["id"], "rejected", ["--note", "not a certificate for this job"]))

    for sub_id, outcome, extra in plan:
        code, out, err = _cli(capsys, "decide", sub_id, "--outcome", outcome, *extra)
        assert (code, err) == (0, ""), err
        assert f"{sub_id}: {outcome.replace('_', '-')} recorded" in out
    queue = _queue(capsys)
    for sub_id, _, _ in plan:  # decide pre-checked each one first, through the real pipeline
        assert queue[sub_id]["precheck"] is not None
    non_compliant = deficient[0]["id"]
    assert queue[non_compliant]["precheck"]["fail"] >= 1

    code, _, err = _cli(capsys, "sync", "--once")
    assert code == 0, err
    queue = _queue(capsys)
    assert all(x["precheck"] is not None for x in queue.values())  # the rest, in one pass
    for sub_id, outcome, _ in plan:
        assert (queue[sub_id]["delivery"], queue[sub_id]["status"]) == ("delivered", outcome)
        assert _on_tracker(servers, sub_id)["status"] == outcome
    stored = {d["submission_id"]: d for d in servers.tracker.decisions()}
    sent = stored[non_compliant]
    # Failed lines read from the PDF first, then the reviewer's own deficiency.
    assert len(sent["deficiencies"]) >= 2
    assert sent["deficiencies"][-1] == "Send the CG 20 10 endorsement itself, not a summary"
    assert sent["checklist"] and sent["policies"]  # the pre-check went with it
    for sub in compliant:
        assert stored[sub["id"]]["policies"]
        if _linked(sub):
            records = _procore_records(servers, sub)
            assert records, f"no Procore insurance records for {sub['id']}"


def test_offline_then_online_every_decision_lands_once(
    world: World, servers: SandboxServers, coi_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(capsys, "sync", "--once")[0] == 0
    [sub] = _open(world, deficient=False)[:1]
    ports = (servers._threads[0].port, servers._threads[1].port)
    servers.stop()  # the tracker and Procore are away
    code, _, _ = _cli(capsys, "decide", sub["id"], "--outcome", "compliant")
    assert code == 0
    code, _, err = _cli(capsys, "sync", "--once")
    assert code == 1, err  # retryable: waits, nothing lost
    assert _queue(capsys)[sub["id"]]["delivery"] == "pending"

    back = back_on_the_same_ports(servers, ports)
    try:
        _undelay(coi_home)
        code, _, err = _cli(capsys, "sync", "--once")
        assert code == 0, err
        assert _queue(capsys)[sub["id"]]["delivery"] == "delivered"
        assert _on_tracker(back, sub["id"])["status"] == "compliant"
        assert [d["submission_id"] for d in back.tracker.decisions()] == [sub["id"]]
    finally:
        back.stop()


def test_decisions_follow_assignment_and_a_leads_reassign_lands(
    world: World,
    servers: SandboxServers,
    coi_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    others = [u["id"] for u in world.users if u["role"] == "reviewer" and u["id"] != REVIEWER]
    held = _open(world, holders=tuple(others), deficient=False)
    assert held, "the world should hold a certificate another reviewer holds"
    sub_id, holder = held[0]["id"], held[0]["assigned_to"]
    # The tracker tells COI Desk only who is signed in: another holder is shown by id.
    holder_name = f"another reviewer ({holder})"
    assert _cli(capsys, "sync", "--once")[0] == 0

    # A reviewer deciding what another holds: refused here, with how to claim.
    code, _, err = _cli(capsys, "decide", sub_id, "--outcome", "compliant")
    assert code == 1
    assert f"held by {holder_name}; claim it before deciding" in err and "--claim" in err
    assert "Traceback" not in err

    # The lead gives it to the reviewer; the tracker shows the new holder.
    _sign_in(monkeypatch, servers, LEAD)
    assert _cli(capsys, "sync", "--once")[0] == 0
    workspace = open_workspace(coi_home)
    try:
        lead = workspace.current_user()
        assert lead is not None and lead.role == "lead"
        with workspace.database.session() as session:
            reassign(session, [sub_id], REVIEWER, lead)
    finally:
        workspace.close()
    code, _, err = _cli(capsys, "sync", "--once")
    assert code == 0, err
    assert _on_tracker(servers, sub_id)["assigned_to"] == REVIEWER

    # Now it is the reviewer's: decided and accepted.
    _sign_in(monkeypatch, servers, REVIEWER)
    assert _cli(capsys, "sync", "--once")[0] == 0
    assert _cli(capsys, "decide", sub_id, "--outcome", "compliant")[0] == 0
    assert _cli(capsys, "sync", "--once")[0] == 0
    assert _on_tracker(servers, sub_id)["status"] == "compliant"
    assert _queue(capsys)[sub_id]["delivery"] == "delivered"


def test_a_claim_the_tracker_refuses_is_shown_and_the_work_stays_with_its_holder(
    world: World,
    servers: SandboxServers,
    coi_home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    others = [u["id"] for u in world.users if u["role"] == "reviewer" and u["id"] != REVIEWER]
    sub = next(
        s
        for s in world.submissions
        if s["assigned_to"] in others and s["status"] in ("new", "in_review")
    )
    holder_name = f"another reviewer ({sub['assigned_to']})"
    assert _cli(capsys, "sync", "--once")[0] == 0
    # Asked to claim, COI Desk tries; the tracker, which knows the holder, refuses both the
    # claim and the decision, and the reviewer is told who holds it.
    code, _, err = _cli(
        capsys,
        "decide",
        sub["id"],
        "--outcome",
        "rejected",
        "--claim",
        "--note",
        "duplicate of an earlier certificate",
    )
    assert code == 0, err
    code, _, err = _cli(capsys, "sync", "--once")
    assert code == 3  # waits for a person, nothing to retry
    assert f"{holder_name} holds it (409)" in err
    assert _queue(capsys)[sub["id"]]["delivery"] == "conflict"
    on_tracker = _on_tracker(servers, sub["id"])
    assert (on_tracker["assigned_to"], on_tracker["status"]) == (sub["assigned_to"], sub["status"])
    assert servers.tracker.decisions() == []


def test_a_decision_refused_for_its_body_is_delivered_by_retry_now_once_fixed(
    world: World,
    servers: SandboxServers,
    coi_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue #11's 15 refused decisions: the body is built when sent, so Retry now sends a
    decision an older COI Desk got refused in today's, accepted, shape."""
    from coi_desktop.review.decisions import decision_body as fixed
    from coi_desktop.sync import outbox

    assert _cli(capsys, "sync", "--once")[0] == 0
    [sub] = _open(world, deficient=False)[:1]
    assert _cli(capsys, "decide", sub["id"], "--outcome", "compliant")[0] == 0

    def as_before_the_fix(decision: Any) -> dict[str, Any]:
        return {
            **fixed(decision),
            "policies": [{"coverage": "workers_compensation", "limits": {"statutory": True}}],
        }

    monkeypatch.setattr("coi_desktop.sync.tracker_stage.decision_body", as_before_the_fix)
    code, _, err = _cli(capsys, "sync", "--once")
    assert code == 3 and "this is our bug, logged at" in err
    monkeypatch.setattr("coi_desktop.sync.tracker_stage.decision_body", fixed)  # updated COI Desk

    workspace = open_workspace(coi_home)
    try:
        with workspace.database.session() as session:
            [item_id] = session.query(OutboxItem.id).filter(OutboxItem.state == "failed").one()
        assert outbox.retry_now(workspace.database, item_id)
    finally:
        workspace.close()
    code, _, err = _cli(capsys, "sync", "--once")
    assert code == 0, err
    assert _queue(capsys)[sub["id"]]["delivery"] == "delivered"
    assert _on_tracker(servers, sub["id"])["status"] == "compliant"
