"""The Procore stage against the emulator over real HTTP, where real companies differ:
purchase orders, companies without Procore Pay, records people typed, project membership,
notification e-mails and permissions (issue 12)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from coi_desktop.models import OutboxItem
from coi_desktop.sync.engine import SyncEngine
from coi_desktop.sync.procore import ProcoreClient
from coi_desktop.sync.procore_auth import ProcoreAuth
from coi_desktop.sync.sandbox import SANDBOX_CLIENT_ID, Fault, FaultKind, SandboxServers
from coi_desktop.sync.sandbox.procore_state import Scope
from coi_desktop.workspace import Workspace
from tests.sandbox_world import BETA, PDF_A, RIVERSIDE, TinyWorld, _doc, _submission
from tests.test_sync_helpers import (
    GL_POLICY,
    WC_POLICY,
    assert_no_duplicates,
    decide,
    engine_for,
    item,
    store_procore_secret,
)

COMPANY = 4280
GL_ORIGIN = "coidesk:p1201:v5512:general_liability:CGL1234567"


def world(**commitment_kinds: str) -> TinyWorld:
    """TinyWorld plus s-1046: Beta Electric on Riverside Tower under commitment 78."""
    tiny = TinyWorld()
    for commitment in tiny.commitments:
        commitment["kind"] = commitment_kinds.get(commitment["id"], "work_order_contracts")
    tiny.submissions.append(
        _submission(
            "s-1046",
            "2026-11-20T18:00:00Z",
            BETA,
            RIVERSIDE,
            {"id": "c-4", "procore_commitment_id": 78},
            [_doc("d-501", PDF_A)],
        )
    )
    return tiny


@pytest.fixture
def sandbox_world() -> TinyWorld:
    return world()


def settle(engine: SyncEngine, workspace: Workspace, *item_ids: str) -> list[OutboxItem]:
    """Passes until the items stop waiting (backoff in the tests is a few ms)."""
    for _ in range(40):
        engine.run_once()
        found = [item(workspace, i) for i in item_ids]
        if all(f.state != "pending" for f in found):
            return found
        time.sleep(0.05)
    raise AssertionError([(f.state, f.last_error) for f in found])


def records(servers: SandboxServers) -> dict[str, dict[str, Any]]:
    return {r["origin_id"]: r for r in servers.procore.insurances() if r.get("origin_id")}


def test_a_purchase_order_is_flagged_on_its_own_path(coi_home: Path) -> None:
    with (
        SandboxServers(world=world(**{"c-3": "purchase_order_contracts"})) as servers,
        engine_for(servers, coi_home) as (workspace, engine),
    ):
        engine.run_once()
        sent = decide(workspace, "s-1042", "compliant", policies=[GL_POLICY])
        [done] = settle(engine, workspace, sent)
        assert (done.state, done.last_error) == ("delivered", None)
        order = servers.procore.contract("purchase_order_contracts", 77, 1201)
        assert order is not None and order["insurance_status"] == "compliant"
        assert servers.procore.contract("work_order_contracts", 77, 1201) is None


def test_a_company_without_pay_gets_records_but_no_flag_once_told(
    servers: SandboxServers, coi_home: Path
) -> None:
    servers.procore.set_pay_insurance(COMPANY, False)
    with engine_for(servers, coi_home) as (workspace, engine):
        engine.run_once()
        first = decide(workspace, "s-1042", "compliant", policies=[GL_POLICY])
        [told] = settle(engine, workspace, first)
        assert told.state == "delivered"
        assert told.last_error is not None and "Procore Pay" in told.last_error
        assert "Directory" in told.last_error  # what stays the compliance signal
        assert GL_ORIGIN in records(servers)
        refusals = servers.procore.counters_snapshot()["by_status"].get("403")

        second = decide(workspace, "s-1046", "non_compliant", policies=[GL_POLICY])
        [quiet] = settle(engine, workspace, second)
        assert quiet.state == "delivered"
        assert quiet.last_error is not None and "see the first such note" in quiet.last_error
        assert "coidesk:p1201:v5513:general_liability:CGL1234567" in records(servers)
        # Told once: the second decision's flag was never sent, so no second refusal.
        assert servers.procore.counters_snapshot()["by_status"].get("403") == refusals == 1
        contract = servers.procore.contract("work_order_contracts", 78, 1201)
        assert contract is not None and contract["insurance_status"] is None


def test_a_hand_entered_record_is_adopted_not_duplicated(
    servers: SandboxServers, coi_home: Path
) -> None:
    scope = Scope(COMPANY, 5512, 1201)
    # 120 other records first, so the person's copy of our policy is on page 2.
    for n in range(120):
        servers.procore.create_insurance(
            scope, {"insurance_type": "Umbrella", "policy_number": f"UMB-{n}"}
        )
    status, typed = servers.procore.create_insurance(
        scope,
        {
            "insurance_type": "general liability",
            "policy_number": "cgl 123-4567",
            "name": "Hartford",
        },
    )
    assert status == 201
    _, unnumbered = servers.procore.create_insurance(scope, {"insurance_type": "Auto"})
    # The listing fails once; then the adopting sync lands but its answer is lost, so the
    # retry finds the record already ours and must not adopt or create anything twice.
    servers.procore_faults.push(
        Fault(FaultKind.ERROR_500, method="GET", path="/insurances"),
        Fault(FaultKind.DROP_AFTER_APPLY, method="PATCH", path="/insurances/sync"),
    )
    with engine_for(servers, coi_home) as (workspace, engine):
        engine.run_once()
        sent = decide(workspace, "s-1042", "compliant", policies=[GL_POLICY, WC_POLICY])
        [done] = settle(engine, workspace, sent)
        assert (done.state, done.last_error) == ("delivered", None)
    assert servers.procore.counters_snapshot()["by_status"].get("500") == 1
    assert servers.procore_faults.snapshot()["queued"] == []
    ours = records(servers)
    assert ours[GL_ORIGIN]["id"] == typed["id"]  # the person's record, now ours
    assert ours[GL_ORIGIN]["status"] == "compliant"
    assert "coidesk:p1201:v5512:workers_compensation:WC778" in ours
    everything = servers.procore.list_insurances(scope)
    assert len(everything) == 120 + 2 + 1  # the typed GL adopted, WC added, nothing doubled
    assert unnumbered["id"] in {r["id"] for r in everything}  # stays beside ours
    assert_no_duplicates(servers)


def test_a_vendor_not_on_the_project_is_kept_with_its_reason(
    servers: SandboxServers, coi_home: Path
) -> None:
    servers.procore.remove_project_vendor(1201, 5512)
    with engine_for(servers, coi_home) as (workspace, engine):
        engine.run_once()
        sent = decide(workspace, "s-1042", "compliant", policies=[GL_POLICY])
        [kept] = settle(engine, workspace, sent)
        assert kept.state == "failed"
        text = kept.last_error or ""
        assert "Acme Drywall LLC" in text and "Riverside Tower" in text
        assert "Add the vendor" in text and "global" in text
        served = servers.procore.counters_snapshot()["requests_served"]
        engine.run_once()
        assert item(workspace, sent).attempts == kept.attempts  # no retry loop
        assert servers.procore.counters_snapshot()["requests_served"] == served
        assert records(servers) == {}


@pytest.mark.parametrize("emails", [(), (str(COMPANY),)])
def test_expired_insurance_emails_are_sent_as_set(
    servers: SandboxServers, coi_home: Path, emails: tuple[str, ...]
) -> None:
    with engine_for(servers, coi_home, procore_expiry_emails=emails) as (workspace, engine):
        engine.run_once()
        settle(
            engine,
            workspace,
            decide(workspace, "s-1042", "compliant", policies=[GL_POLICY]),
            decide(workspace, "s-1043", "compliant", policies=[WC_POLICY]),
        )
    flags = {r["enable_expired_insurance_notifications"] for r in records(servers).values()}
    assert flags == {bool(emails)}


@pytest.mark.parametrize(
    ("revoke", "scope_words"),
    [
        ("project_directory", "Directory tool"),
        ("company_directory", "Company Directory"),
    ],
)
def test_a_403_names_the_missing_permission_and_the_account(
    servers: SandboxServers, coi_home: Path, revoke: str, scope_words: str
) -> None:
    servers.procore.revoke(revoke)
    with engine_for(servers, coi_home) as (workspace, engine):
        engine.run_once()
        sub = "s-1042" if revoke == "project_directory" else "s-1043"
        sent = decide(workspace, sub, "compliant", policies=[GL_POLICY])
        [refused] = settle(engine, workspace, sent)
    assert refused.state == "failed"
    text = refused.last_error or ""
    assert "403" in text and scope_words in text and "insurance manager" in text
    assert "COI Desk Sync <coi-desk-dmsa@service.procore.example> (service account)" in text
    assert "permission" in text.lower()  # Procore's own {"error": {"message"}} was read


def test_a_project_the_account_cannot_open_is_named(
    servers: SandboxServers, coi_home: Path
) -> None:
    servers.procore.hide_project(1201)
    with engine_for(servers, coi_home) as (workspace, engine):
        engine.run_once()
        sent = decide(workspace, "s-1042", "compliant", policies=[GL_POLICY])
        [refused] = settle(engine, workspace, sent)
    assert refused.state == "failed"
    assert "access to project Riverside Tower (Procore project 1201)" in (refused.last_error or "")


def test_test_connection_says_who_the_app_acts_as(servers: SandboxServers) -> None:
    store_procore_secret(servers)
    auth = ProcoreAuth(servers.procore_login_url, SANDBOX_CLIENT_ID)
    client = ProcoreClient(servers.procore_api_url, auth)
    try:
        assert client.check(None) == (
            "Connected to Procore as COI Desk Sync "
            "<coi-desk-dmsa@service.procore.example> (service "
            "account): the sign-in works."
        )
    finally:
        client.close()
