"""Inbound and outbound sync over real HTTP against the sandbox: the happy path."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from coi_desktop.commands.queue import print_queue
from coi_desktop.models import Document, OutboxItem, Submission
from coi_desktop.sync.sandbox import SandboxServers
from tests.sandbox_world import PDF_A
from tests.test_sync_helpers import (
    GL_POLICY,
    WC_POLICY,
    assert_no_duplicates,
    decide,
    engine_for,
    item,
)


def test_pull_fills_the_queue_and_stores_documents_for_offline_review(
    servers: SandboxServers, coi_home: Path
) -> None:
    with engine_for(servers, coi_home) as (workspace, engine):
        report = engine.run_once()
        assert report.exit_code == 0, report
        assert report.inbound.pulled == 4
        assert report.inbound.documents_stored == 2
        assert workspace.current_user() is not None
        assert workspace.current_user().id == "u-1"  # type: ignore[union-attr]
        with workspace.database.session() as session:
            docs = session.query(Document).all()
            assert all(d.stored for d in docs)
            by_id = {d.id: d for d in docs}
            assert workspace.documents.read(by_id["d-501"].sha256) == PDF_A
            assert session.get(Submission, "s-1042") is not None
        # A second pass asks only for what changed: nothing.
        again = engine.run_once()
        assert again.inbound.pulled == 0 and again.inbound.documents_stored == 0
        out = StringIO()
        print_queue(workspace, True, "all", out)
        assert {row["id"] for row in json.loads(out.getvalue())} == {
            "s-1042",
            "s-1043",
            "s-1044",
            "s-1045",
        }


def test_a_damaged_document_is_refused_and_fetched_again(
    servers: SandboxServers, coi_home: Path
) -> None:
    servers.tracker.corrupt_document("d-501")
    with engine_for(servers, coi_home) as (workspace, engine):
        report = engine.run_once()
        assert report.inbound.documents_failed == 1
        assert any("damaged" in e.message for e in report.events)
        with workspace.database.session() as session:
            assert not session.get(Document, "d-501").stored  # type: ignore[union-attr]
        servers.tracker.put_document("d-501", PDF_A)  # the proxy is fixed
        engine.run_once()
        with workspace.database.session() as session:
            assert session.get(Document, "d-501").stored  # type: ignore[union-attr]


def test_decisions_reach_the_tracker_once_and_procore_per_policy(
    servers: SandboxServers, coi_home: Path
) -> None:
    with engine_for(servers, coi_home) as (workspace, engine):
        engine.run_once()
        project_item = decide(workspace, "s-1042", "compliant", policies=[GL_POLICY, WC_POLICY])
        global_item = decide(workspace, "s-1043", "non_compliant", policies=[GL_POLICY])
        unlinked_item = decide(workspace, "s-1044", "rejected", policies=[GL_POLICY])
        report = engine.run_once()
        assert report.exit_code == 0, (report.attention, report.errors, report.stopped)

        decisions = {d["submission_id"]: d for d in servers.tracker.decisions()}
        assert set(decisions) == {"s-1042", "s-1043", "s-1044"}
        assert decisions["s-1042"]["idempotency_key"] == project_item
        # Our own claim moved s-1042 from v1 to v2; the decision said If-Match 2 and landed.
        assert servers.tracker.submission("s-1042")["status"] == "compliant"  # type: ignore[index]

        records = {r["origin_id"]: r for r in servers.procore.insurances()}
        assert set(records) == {
            "coidesk:p1201:v5512:general_liability:CGL1234567",
            "coidesk:p1201:v5512:workers_compensation:WC778",
            "coidesk:c:v5513:general_liability:CGL1234567",
        }
        gl = records["coidesk:p1201:v5512:general_liability:CGL1234567"]
        assert gl["project_id"] == 1201 and gl["status"] == "compliant"
        assert gl["limit"] == "1000000.00"
        assert gl["insurance_provider"] == "Hartford Fire Insurance Co"
        company = records["coidesk:c:v5513:general_liability:CGL1234567"]
        assert company["project_id"] is None and company["status"] == "non_compliant"
        contract = servers.procore.contract("work_order_contracts", 77, 1201)
        assert contract is not None and contract["insurance_status"] == "compliant"

        for item_id in (project_item, global_item):
            done = item(workspace, item_id)
            assert (done.state, done.stage, done.last_error) == ("delivered", "done", None)
        skipped = item(workspace, unlinked_item)
        assert skipped.state == "delivered"
        assert skipped.last_error is not None and "vendor not linked to Procore" in (
            skipped.last_error
        )

        # The tracker's copies come back through the pull: decided, versions moved on.
        with workspace.database.session() as session:
            assert session.get(Submission, "s-1042").status == "compliant"  # type: ignore[union-attr]
        out = StringIO()
        print_queue(workspace, True, "all", out)
        rows = {row["id"]: row for row in json.loads(out.getvalue())}
        assert rows["s-1042"]["delivery"] == "delivered"
        assert rows["s-1044"]["delivery_error"].startswith("Not sent to Procore")

        # Sending again changes nothing anywhere.
        assert engine.run_once().exit_code == 0
        assert_no_duplicates(servers)
        assert len(servers.tracker.decisions()) == 3


def test_withdrawn_submission_warns_the_reviewer_and_the_decision_is_kept_as_conflict(
    servers: SandboxServers, coi_home: Path
) -> None:
    with engine_for(servers, coi_home) as (workspace, engine):
        engine.run_once()
        item_id = decide(workspace, "s-1045", "compliant", with_claim=False)
        servers.tracker.archive_submission("s-1045")
        # The pull runs after sending, so the conflict shows first; the event names it.
        report = engine.run_once()
        kept = item(workspace, item_id)
        assert kept.state == "conflict"
        assert kept.last_error is not None
        assert "withdrawn (archived)" in kept.last_error and "(409)" in kept.last_error
        assert report.exit_code == 3
        assert any(line.startswith("s-1045 decision conflict") for line in report.attention)


def test_reassignment_by_someone_else_is_an_event(servers: SandboxServers, coi_home: Path) -> None:
    with engine_for(servers, coi_home) as (workspace, engine):
        engine.run_once()
        decide(workspace, "s-1043", "compliant")  # claims it, then decides
        with workspace.database.session() as session:
            # undo the decision so only the claim is left to deliver
            session.query(OutboxItem).filter(OutboxItem.kind == "decision").update(
                {"state": "cancelled"}
            )
        engine.run_once()
        servers.tracker.assign("s-1043", "u-2")
        report = engine.run_once()
        assert [e.kind for e in report.events] == ["reassigned"]
        # The tracker has no user directory: a colleague we never met is named by id.
        assert "reassigned to u-2" in report.events[0].message
