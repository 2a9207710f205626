"""What the review screen shows for one submission, read in one short transaction.

Plain data (no Qt): the header, the documents, the checklist and the decision state,
so the widgets never touch the store themselves. The team's names are
:func:`coi_desktop.team_lookups.user_names`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coi_desktop.models import (
    ChecklistLineRow,
    Decision,
    Document,
    OutboxItem,
    Project,
    Submission,
    Vendor,
)
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


def load_submission(session: Session, submission_id: str) -> SubmissionView | None:
    """Read one submission for the screen."""
    return load_submissions(session, [submission_id]).get(submission_id)


def load_submissions(session: Session, ids: Sequence[str]) -> dict[str, SubmissionView]:
    """Read submissions for the screen, by id (those that exist): four queries however many
    are asked for, so the window reads the next ones ahead in one go, and plain rows, not
    ORM objects, because those reads share the GIL with the window's thread."""
    wanted = list(dict.fromkeys(ids))
    heads = session.execute(
        select(
            Submission.id,
            Submission.kind,
            Submission.status,
            Vendor.name,
            Project.name,
            Submission.scope,
            Submission.insured_name,
            Submission.received_at,
            Submission.due_at,
            Submission.assigned_to,
            Submission.precheck_pass,
        )
        .join(Vendor, Vendor.id == Submission.vendor_id)
        .outerjoin(Project, Project.id == Submission.project_id)
        .where(Submission.id.in_(wanted))
    ).all()
    if not heads:
        return {}
    found = [head[0] for head in heads]
    documents: dict[str, list[DocumentRef]] = {sid: [] for sid in found}
    for sid, doc_id, filename, sha256, stored in session.execute(
        select(
            Document.submission_id, Document.id, Document.filename, Document.sha256, Document.stored
        )
        .where(Document.submission_id.in_(found))
        .order_by(Document.submission_id, Document.position)
    ):
        documents[sid].append(DocumentRef(doc_id, filename, sha256, stored))
    lines: dict[str, list[ChecklistLine]] = {sid: [] for sid in found}
    for sid, data in session.execute(
        select(ChecklistLineRow.submission_id, ChecklistLineRow.data)
        .where(ChecklistLineRow.submission_id.in_(found))
        .order_by(ChecklistLineRow.submission_id, ChecklistLineRow.position)
    ):
        lines[sid].append(ChecklistLine.from_dict(data))
    shown = {
        decision.submission_id: _decision_info(decisions.DecisionState(decision, item))
        for decision, item in session.execute(
            select(Decision, OutboxItem)
            .outerjoin(OutboxItem, OutboxItem.decision_id == Decision.id)
            .where(Decision.submission_id.in_(found), Decision.undone.is_(False))
        )
    }
    return {
        sid: SubmissionView(
            id=sid,
            kind=kind,
            status=status,
            vendor=vendor,
            project=project,
            scope=scope,
            insured_name=insured_name,
            received_at=received_at,
            due_at=due_at,
            assigned_to=assigned_to,
            documents=documents[sid],
            lines=lines[sid],
            checked=precheck_pass is not None,
            decision=shown.get(sid),
        )
        for (
            sid,
            kind,
            status,
            vendor,
            project,
            scope,
            insured_name,
            received_at,
            due_at,
            assigned_to,
            precheck_pass,
        ) in heads
    }


def _decision_info(state: decisions.DecisionState) -> DecisionInfo:
    d = state.decision
    assert d is not None  # only called with a decision
    return DecisionInfo(
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
