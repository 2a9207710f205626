"""The review session: the one way the window and `coi-desktop decide` change the store.

No Qt here: the session is plain Python over the store (tests/test_layers.py keeps review/
free of Qt).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from coi_desktop.database import Database
from coi_desktop.ingest import upsert_submission
from coi_desktop.models import Decision, OutboxItem, Submission, User
from coi_desktop.review.checklist import ChecklistLine
from coi_desktop.review.session import ChangedElsewhere, Claimed, ReviewSession, needs_care
from tests import factories
from tests.test_decisions import _line, db  # noqa: F401 — the store with s-1 and its lines


def session_for(database: Database, user_id: str) -> ReviewSession:
    with database.session() as s:
        user = s.get(User, user_id)
        assert user is not None
        s.expunge(user)
    return ReviewSession(database, user)


@pytest.fixture
def riley(db: Database) -> Iterator[ReviewSession]:  # noqa: F811
    yield session_for(db, "u-1")


def test_claim_override_decide_and_undo(riley: ReviewSession, db: Database) -> None:  # noqa: F811
    assert riley.claims_on_open and riley.may_decide
    assert riley.claim("s-1") == Claimed(status="in_review", assigned_to="u-1")
    with db.session() as s:  # what the screen is told is what the store holds
        sub = s.get_one(Submission, "s-1")
        assert (sub.status, sub.assigned_to) == ("in_review", "u-1")
    assert riley.claim("s-1") is None  # held already: no second outbox item
    line = riley.override_line("s-1", 1, "pass", "Umbrella covers the gap")
    assert line.result == "pass" and line.overridden
    recorded = riley.decide("s-1", "compliant", note="")
    assert recorded.outcome == "compliant" and recorded.deficiencies == []
    with db.session() as s:
        item = s.scalars(select(OutboxItem).where(OutboxItem.decision_id == recorded.decision_id))
        assert item.one().state == "pending"
    riley.undo("s-1")
    with db.session() as s:
        assert s.scalars(select(Decision)).one().undone


def test_a_decision_made_elsewhere_meanwhile_is_not_replaced(
    riley: ReviewSession,
    db: Database,  # noqa: F811
) -> None:
    riley.claim("s-1")
    first = riley.decide("s-1", "non_compliant")
    with db.session() as s:
        item = s.scalars(select(OutboxItem).where(OutboxItem.decision_id == first.decision_id))
        item.one().state = "failed"  # refused: a new decision may replace it
    with pytest.raises(ChangedElsewhere):
        riley.decide("s-1", "compliant", expected=None, check_expected=True)
    again = riley.decide(
        "s-1", "compliant", expected=(first.decision_id, "non_compliant"), check_expected=True
    )
    assert again.outcome == "compliant"


def test_refusals_are_sentences_before_the_store_is_asked(db: Database) -> None:  # noqa: F811
    reed = session_for(db, "u-0")
    assert not reed.may_decide and "read-only" in (reed.refusal() or "")
    assert not reed.claims_on_open
    assert ReviewSession.check("rejected", "  ", None) is not None  # a rejection needs a note
    assert ReviewSession.check("non_compliant", None, []) is not None  # and deficiencies
    assert ReviewSession.check("non_compliant", None, None) is None  # composed at writing
    assert ReviewSession.check("compliant", None, []) is None
    dana = session_for(db, "u-9")
    assert not dana.claims_on_open and dana.may_decide  # a lead looks without taking


def test_compliant_over_failing_lines_needs_care() -> None:
    lines: list[ChecklistLine] = [_line("a", "pass", ""), _line("b", "fail", "too low")]
    assert needs_care("compliant", lines)
    assert not needs_care("non_compliant", lines)
    assert not needs_care("compliant", lines[:1])


def test_a_lead_reassigns(db: Database) -> None:  # noqa: F811
    dana = session_for(db, "u-9")
    assert dana.reassign(["s-1"], "u-2") == ["s-1"]
    assert dana.reassign(["s-1"], "u-2") == []  # already theirs
    with db.session() as s:
        sub = s.get(Submission, "s-1")
        assert sub is not None and sub.assigned_to == "u-2"


def test_claims_made_together_are_one_transaction_that_a_missing_one_does_not_undo(
    riley: ReviewSession,
    db: Database,  # noqa: F811
) -> None:
    with db.session() as s:
        upsert_submission(s, factories.submission("s-2"))
    claims = riley.claim_all(["s-1", "s-404", "s-2"])
    held = Claimed(status="in_review", assigned_to="u-1")
    assert claims == {"s-1": held, "s-404": None, "s-2": held}
    with db.session() as s:
        items = s.scalars(select(OutboxItem).where(OutboxItem.kind == "claim")).all()
        assert sorted(item.submission_id for item in items) == ["s-1", "s-2"]
