"""Decisions: written with their outbox item in one transaction; undo; claims; roles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from coi_desktop.database import Database
from coi_desktop.ingest import upsert_submission, upsert_user
from coi_desktop.models import AuditEvent, Decision, OutboxItem, Submission, User
from coi_desktop.review import decisions
from coi_desktop.review.checklist import ChecklistLine
from coi_desktop.review.decisions import DecisionError
from tests import factories


def _line(requirement: str, result: str, message: str) -> ChecklistLine:
    return ChecklistLine(
        requirement=requirement,
        coverage="general_liability",
        label=requirement,
        result=result,  # type: ignore[arg-type]
        required=1_000_000,
        found=500_000,
        message=message,
        evidence_key=None,
        evidence=None,
    )


@pytest.fixture
def db(db: Database) -> Database:
    """Four users, one of each role, and s-1 with a checklist of three lines."""
    with db.session() as session:
        upsert_user(session, {"id": "u-1", "name": "Riley", "role": "reviewer"})
        upsert_user(session, {"id": "u-2", "name": "Sam", "role": "reviewer"})
        upsert_user(session, {"id": "u-9", "name": "Dana", "role": "lead"})
        upsert_user(session, {"id": "u-0", "name": "Reed", "role": "read_only"})
        upsert_submission(session, factories.submission("s-1", version=5))
        sub = session.get(Submission, "s-1")
        assert sub is not None
        decisions.replace_checklist(
            session,
            sub,
            [
                _line("general_liability.present", "pass", "GL policy found"),
                _line(
                    "general_liability.each_occurrence",
                    "fail",
                    "GL each occurrence $500,000 is below the required $1,000,000",
                ),
                _line("certificate_holder", "needs_review", "Holder name differs slightly"),
            ],
        )
    return db


def _user(db: Database, user_id: str) -> User:
    with db.session() as session:
        user = session.get(User, user_id)
        assert user is not None
        session.expunge(user)
        return user


def test_pre_check_counts_are_kept_on_the_submission(db: Database) -> None:
    with db.session() as session:
        sub = session.get(Submission, "s-1")
        assert sub is not None
        assert (sub.precheck_pass, sub.precheck_fail, sub.precheck_needs_review) == (1, 1, 1)


def test_decision_and_outbox_item_are_written_together(db: Database) -> None:
    with db.session() as session:
        decision = decisions.record_decision(session, "s-1", "non_compliant", _user(db, "u-1"))
    with db.session() as session:
        stored = session.get(Decision, decision.id)
        assert stored is not None
        assert stored.deficiencies == [
            "GL each occurrence $500,000 is below the required $1,000,000"
        ]
        assert [c["result"] for c in stored.checklist] == ["pass", "fail", "needs_review"]
        assert stored.version_seen == 5
        item = session.scalars(
            select(OutboxItem).where(OutboxItem.decision_id == decision.id)
        ).one()
        assert (item.kind, item.state, item.stage, item.payload) == (
            "decision",
            "pending",
            "tracker",
            {"if_match": 5},
        )
        assert len(item.id) == 36  # a UUID, the idempotency key
        assert decisions.decision_body(stored)["outcome"] == "non_compliant"


def test_a_failure_inside_the_transaction_leaves_neither(db: Database) -> None:
    with pytest.raises(RuntimeError), db.session() as session:
        decisions.record_decision(session, "s-1", "compliant", _user(db, "u-1"))
        raise RuntimeError("disk full")
    with db.session() as session:
        assert session.scalar(select(func.count(Decision.id))) == 0
        assert session.scalar(select(func.count(OutboxItem.seq))) == 0


def test_undo_only_before_any_delivery_attempt(db: Database) -> None:
    reviewer = _user(db, "u-1")
    with db.session() as session:
        decisions.record_decision(session, "s-1", "compliant", reviewer)
    with db.session() as session:
        assert decisions.current_decision(session, "s-1").undoable
        decisions.undo_decision(session, "s-1", reviewer)
    with db.session() as session:
        assert decisions.current_decision(session, "s-1").decision is None
        assert session.scalars(select(OutboxItem)).one().state == "cancelled"
        decisions.record_decision(session, "s-1", "rejected", reviewer, note="Not a COI")
    with db.session() as session:
        item = decisions.current_decision(session, "s-1").item
        assert item is not None
        item.attempts = 1  # the worker has tried to send it
    with pytest.raises(DecisionError, match="already been sent"), db.session() as session:
        decisions.undo_decision(session, "s-1", reviewer)


def test_second_decision_needs_undo_unless_the_first_is_stuck(db: Database) -> None:
    reviewer = _user(db, "u-1")
    with db.session() as session:
        decisions.record_decision(session, "s-1", "compliant", reviewer)
    with pytest.raises(DecisionError, match="already decided"), db.session() as session:
        decisions.record_decision(session, "s-1", "rejected", reviewer, note="x")
    with db.session() as session:
        item = decisions.current_decision(session, "s-1").item
        assert item is not None
        item.state, item.last_error = "conflict", "archived by the vendor"
    with db.session() as session:
        decisions.record_decision(session, "s-1", "rejected", reviewer, note="Wrong insured")
    with db.session() as session:
        states = sorted(session.scalars(select(OutboxItem.state)))
        assert states == ["pending", "superseded"]


def test_rules_for_outcomes(db: Database) -> None:
    reviewer = _user(db, "u-1")
    with pytest.raises(DecisionError, match="needs a note"), db.session() as session:
        decisions.record_decision(session, "s-1", "rejected", reviewer)
    with pytest.raises(DecisionError, match="Unknown outcome"), db.session() as session:
        decisions.record_decision(session, "s-1", "maybe", reviewer)
    with pytest.raises(DecisionError, match="at least one deficiency"), db.session() as session:
        decisions.record_decision(session, "s-1", "non_compliant", reviewer, deficiencies=[])


def test_read_only_users_cannot_decide_override_or_claim(db: Database) -> None:
    viewer = _user(db, "u-0")
    with pytest.raises(DecisionError, match="read-only"), db.session() as session:
        decisions.record_decision(session, "s-1", "compliant", viewer)
    with pytest.raises(DecisionError, match="read-only"), db.session() as session:
        decisions.override_line(session, "s-1", 1, "pass", "endorsement attached", viewer)
    with db.session() as session:
        assert decisions.claim(session, "s-1", viewer) is None
        assert session.scalar(select(func.count(OutboxItem.seq))) == 0


def test_override_needs_a_note_and_updates_counts(db: Database) -> None:
    reviewer = _user(db, "u-1")
    with pytest.raises(DecisionError, match="needs a note"), db.session() as session:
        decisions.override_line(session, "s-1", 2, "pass", "  ", reviewer)
    with db.session() as session:
        line = decisions.override_line(
            session, "s-1", 2, "pass", "Holder matches the contract", reviewer
        )
        assert line.overridden and line.note == "Holder matches the contract"
    with db.session() as session:
        sub = session.get(Submission, "s-1")
        assert sub is not None and sub.precheck_needs_review == 0 and sub.precheck_pass == 2
        assert (
            session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "override"))
            == 1
        )


def test_claim_once_and_never_from_someone_else(db: Database) -> None:
    with db.session() as session:
        item = decisions.claim(session, "s-1", _user(db, "u-1"))
        assert item is not None and item.kind == "claim"
        assert decisions.claim(session, "s-1", _user(db, "u-1")) is None
        assert decisions.claim(session, "s-1", _user(db, "u-2")) is None
        sub = session.get(Submission, "s-1")
        assert sub is not None and (sub.assigned_to, sub.status) == ("u-1", "in_review")


def test_only_leads_reassign(db: Database) -> None:
    with pytest.raises(DecisionError, match="Only team leads"), db.session() as session:
        decisions.reassign(session, ["s-1"], "u-2", _user(db, "u-1"))
    with db.session() as session:
        items = decisions.reassign(session, ["s-1"], "u-2", _user(db, "u-9"))
        assert [i.payload for i in items] == [{"user_id": "u-2"}]
        sub = session.get(Submission, "s-1")
        assert sub is not None and sub.assigned_to == "u-2"


def test_decision_body_holds_only_what_the_tracker_contract_allows() -> None:
    """Blank limit boxes (null), WC's statutory flag and unread fields never reach the body:
    the sandbox tracker, which validates the contract, accepts it as it is."""
    from coi_desktop.sync.sandbox.validation import validate_decision

    decision = Decision(
        submission_id="s-1",
        outcome="compliant",
        note=None,
        deficiencies=[],
        checklist=[],
        policies=[
            {
                "coverage": "automobile_liability",
                "insurer": "Acme Mutual",
                "naic": None,
                "policy_number": "BA-1",
                "effective_date": "2026-01-01",
                "expiration_date": None,
                "limits": {"combined_single_limit": 1_000_000, "bodily_injury_per_person": None},
            },
            {
                "coverage": "workers_compensation",
                "insurer": None,
                "naic": "12345",
                "policy_number": None,
                "effective_date": None,
                "expiration_date": None,
                "limits": {"statutory": True, "el_each_accident": 1_000_000},
            },
            {"coverage": None, "limits": None},
        ],
        decided_by="u-1",
        decided_at=datetime(2026, 12, 1, tzinfo=UTC),
        version_seen=1,
        undone=False,
    )
    body = decisions.decision_body(decision)

    assert validate_decision(body, {"u-1"}) == {}
    auto, wc = body["policies"]
    assert auto == {
        "coverage": "automobile_liability",
        "insurer": "Acme Mutual",
        "policy_number": "BA-1",
        "effective_date": "2026-01-01",
        "limits": {"combined_single_limit": 1_000_000},
    }
    assert wc == {
        "coverage": "workers_compensation",
        "naic": "12345",
        "limits": {"el_each_accident": 1_000_000},
    }


def test_decisions_follow_assignment(db: Database) -> None:
    """#14.11: a reviewer decides only what is theirs or nobody's; a lead decides any."""
    with db.session() as session:
        decisions.claim(session, "s-1", _user(db, "u-2"))
    with (
        pytest.raises(decisions.HeldByOther, match="held by Sam; claim it"),
        db.session() as session,
    ):
        decisions.record_decision(session, "s-1", "non_compliant", _user(db, "u-1"))
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Decision)) == 0
        by_lead = decisions.record_decision(
            session, "s-1", "rejected", _user(db, "u-9"), note="wrong vendor"
        )
        assert by_lead.decided_by == "u-9"


def test_an_asked_for_claim_takes_the_submission_then_the_decision_follows(db: Database) -> None:
    with db.session() as session:
        decisions.claim(session, "s-1", _user(db, "u-2"))
    with db.session() as session:
        item = decisions.claim(session, "s-1", _user(db, "u-1"), over_holder=True)
        assert item is not None and item.payload == {"user_id": "u-1"}
        decision = decisions.record_decision(session, "s-1", "non_compliant", _user(db, "u-1"))
        assert decision.decided_by == "u-1"


def test_own_deficiencies_follow_the_failed_lines_and_compliant_sends_none(db: Database) -> None:
    with db.session() as session:
        decision = decisions.record_decision(
            session,
            "s-1",
            "non_compliant",
            _user(db, "u-1"),
            own_deficiencies=[
                "  Holder address is missing the suite  ",
                "",
                "Holder address is missing the suite",
            ],
        )
        assert decision.deficiencies == [
            "GL each occurrence $500,000 is below the required $1,000,000",
            "Holder address is missing the suite",
        ]
    with (
        pytest.raises(DecisionError, match="compliant decision sends no deficiencies"),
        db.session() as session,
    ):
        decisions.undo_decision(session, "s-1", _user(db, "u-1"))
        decisions.record_decision(
            session, "s-1", "compliant", _user(db, "u-1"), own_deficiencies=["anything"]
        )


def test_a_decision_stored_in_an_older_shape_is_sent_in_the_contracts_shape() -> None:
    """The body is built at send time: a decision recorded before the fix (null notes, null or
    structured found values) goes out valid when Retry now sends it again."""
    from coi_desktop.sync.sandbox.validation import validate_decision

    decision = Decision(
        submission_id="s-1",
        outcome="non_compliant",
        note=None,
        deficiencies=["GL policy expires in 12 days", ""],
        checklist=[
            {
                "requirement": "general_liability.in_force",
                "result": "fail",
                "overridden": False,
                "note": None,
                "required": {"days_remaining_at_least": 30},
                "found": {"effective_date": "2026-01-01", "expiration_date": "2026-12-13"},
            },
            {
                "requirement": "general_liability.additional_insured",
                "result": "pass",
                "overridden": True,
                "note": "CG 20 10 on page 2",
                "required": True,
                "found": None,
            },
            {"requirement": "certificate_holder", "result": "odd", "found": ["Bulley", None]},
        ],
        policies=[],
        decided_by="u-1",
        decided_at=datetime(2026, 12, 1, tzinfo=UTC),
        version_seen=1,
        undone=False,
    )
    body = decisions.decision_body(decision)

    assert validate_decision(body, {"u-1"}) == {}
    assert "note" not in body and body["deficiencies"] == ["GL policy expires in 12 days"]
    in_force, insured, holder = body["checklist"]
    assert in_force == {
        "requirement": "general_liability.in_force",
        "result": "fail",
        "overridden": False,
        "required": "days remaining at least 30",
        "found": "effective date 2026-01-01; expiration date 2026-12-13",
    }
    assert insured == {
        "requirement": "general_liability.additional_insured",
        "result": "pass",
        "overridden": True,
        "required": True,
        "note": "CG 20 10 on page 2",
    }
    assert holder["result"] == "needs_review" and holder["found"] == "Bulley"
