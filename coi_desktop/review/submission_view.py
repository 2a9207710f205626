"""What the review screen shows for one submission, read in one short transaction.

Plain data (no Qt): the header, the documents, the checklist and the decision state,
so the widgets never touch the store themselves. The team's names are
:func:`coi_desktop.team_lookups.user_names`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from coi_desktop.models import Submission, User
from coi_desktop.review import decisions
from coi_desktop.review.checklist import ChecklistLine


@dataclass(frozen=True)
class DocumentRef:
    """One file of the open submission, as the viewer needs it."""

    id: str
    filename: str
    sha256: str
    stored: bool


@dataclass(frozen=True)
class DecisionInfo:
    id: str
    outcome: str
    note: str | None
    deficiencies: list[str]
    decided_by: str
    decided_at: datetime
    delivery: str  # pending | delivered | conflict | failed | …
    delivery_error: str | None
    undoable: bool


@dataclass(frozen=True)
class SubmissionView:
    id: str
    kind: str
    status: str
    vendor: str
    project: str | None
    scope: str
    insured_name: str | None
    received_at: datetime
    due_at: datetime
    assigned_to: str | None
    documents: list[DocumentRef]
    lines: list[ChecklistLine]
    checked: bool  # the pre-check has run
    decision: DecisionInfo | None


def load_submission(
    session: Session, submission_id: str, claim_for: User | None = None
) -> SubmissionView | None:
    """Read one submission for the screen; when ``claim_for`` is given, claim it first."""
    sub = session.get(Submission, submission_id)
    if sub is None:
        return None
    if claim_for is not None:
        decisions.claim(session, submission_id, claim_for)
    state = decisions.current_decision(session, submission_id)
    info = None
    if state.decision is not None:
        d = state.decision
        info = DecisionInfo(
            id=d.id,
            outcome=d.outcome,
            note=d.note,
            deficiencies=[str(x) for x in d.deficiencies or []],
            decided_by=d.decided_by,
            decided_at=d.decided_at,
            delivery=state.item.state if state.item else "pending",
            delivery_error=state.item.last_error if state.item else None,
            undoable=state.undoable,
        )
    return SubmissionView(
        id=sub.id,
        kind=sub.kind,
        status=sub.status,
        vendor=sub.vendor.name,
        project=sub.project.name if sub.project else None,
        scope=sub.scope,
        insured_name=sub.insured_name,
        received_at=sub.received_at,
        due_at=sub.due_at,
        assigned_to=sub.assigned_to,
        documents=[
            DocumentRef(doc.id, doc.filename, doc.sha256, doc.stored) for doc in sub.documents
        ],
        lines=decisions.checklist_lines(session, submission_id),
        checked=sub.precheck_pass is not None,
        decision=info,
    )
