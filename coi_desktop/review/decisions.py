"""Recording a reviewer's work: claims, overrides, decisions, undo, reassignment.

Each change to the tracker is written to the store together with its outbox
item in the caller's one transaction, so a decision can never exist without
its delivery, nor the other way round. The outbox item's UUID, made here once,
is the idempotency key of every delivery attempt.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from coi_desktop.models import (
    OPEN_STATUSES,
    OUTCOMES,
    AuditEvent,
    ChecklistLineRow,
    Decision,
    Document,
    Extraction,
    OutboxItem,
    Submission,
    User,
    utcnow,
)
from coi_desktop.review.checklist import RESULTS, ChecklistLine, override, summarize
from coi_desktop.review.precheck import compose_deficiencies, policies_for_decision
from coi_desktop.timeutil import iso

# An item in one of these states can be replaced by a corrected decision.
REOPENABLE = ("conflict", "failed")


class DecisionError(Exception):
    """A reviewer's action that cannot be done, with a sentence saying why."""


class HeldByOther(DecisionError):
    """A reviewer tried to decide a submission someone else holds (a claim is needed first)."""

    def __init__(self, submission_id: str, holder_id: str, holder_name: str) -> None:
        super().__init__(
            f"Submission {submission_id} is held by {holder_name}; claim it before deciding "
            "(the tracker refuses a decision on work someone else holds), or ask a lead to "
            "reassign it to you."
        )
        self.submission_id = submission_id
        self.holder_id = holder_id
        self.holder_name = holder_name


def check_may_decide(session: Session, sub: Submission, user: User) -> None:
    """Decisions follow assignment: a reviewer decides what is theirs or nobody's; a lead may
    decide any. The tracker enforces the same rule (409), so refusing here saves a conflict."""
    require_reviewer(user)
    holder = sub.assigned_to
    if user.role == "lead" or holder is None or holder == user.id:
        return
    held_by = session.get(User, holder)
    # Only users the tracker introduced are known here; others are shown by their id.
    raise HeldByOther(
        sub.id, holder, held_by.name if held_by is not None else f"another reviewer ({holder})"
    )


def require_reviewer(user: User) -> None:
    """Read-only users look; they change nothing."""
    if user.role == "read_only":
        raise DecisionError(f"{user.name} has read-only access and cannot change submissions.")


def _submission(session: Session, submission_id: str) -> Submission:
    sub = session.get(Submission, submission_id)
    if sub is None:
        raise DecisionError(f"There is no submission {submission_id} in the local queue.")
    return sub


def _audit(session: Session, actor: str, action: str, sub_id: str, **detail: Any) -> None:
    session.add(AuditEvent(actor=actor, action=action, submission_id=sub_id, detail=detail))


def _enqueue(
    session: Session,
    kind: str,
    sub: Submission,
    payload: dict[str, Any],
    decision_id: str | None = None,
) -> OutboxItem:
    now = utcnow()
    item = OutboxItem(
        id=str(uuid.uuid4()),
        kind=kind,
        submission_id=sub.id,
        decision_id=decision_id,
        payload=payload,
        state="pending",
        stage="tracker",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    return item


# ---------------------------------------------------------------- checklist


def checklist_lines(session: Session, submission_id: str) -> list[ChecklistLine]:
    rows = session.scalars(
        select(ChecklistLineRow.data)
        .where(ChecklistLineRow.submission_id == submission_id)
        .order_by(ChecklistLineRow.position)
    )
    return [ChecklistLine.from_dict(data) for data in rows]


def replace_checklist(session: Session, sub: Submission, lines: list[ChecklistLine]) -> None:
    """Store a fresh pre-check for ``sub`` and keep the queue's counts in step."""
    session.execute(delete(ChecklistLineRow).where(ChecklistLineRow.submission_id == sub.id))
    for position, line in enumerate(lines):
        session.add(_line_row(sub.id, position, line))
    _store_counts(sub, lines)


def _line_row(sub_id: str, position: int, line: ChecklistLine) -> ChecklistLineRow:
    return ChecklistLineRow(
        submission_id=sub_id,
        position=position,
        requirement=line.requirement,
        result=line.result,
        overridden=line.overridden,
        note=line.note,
        data=line.to_dict(),
    )


def _store_counts(sub: Submission, lines: list[ChecklistLine]) -> None:
    counts = summarize(lines)
    sub.precheck_pass = counts["pass"]
    sub.precheck_fail = counts["fail"]
    sub.precheck_needs_review = counts["needs_review"]


def override_line(
    session: Session, submission_id: str, position: int, result: str, note: str, user: User
) -> ChecklistLine:
    """The reviewer sets a line's result; a note is required (ValueError without one)."""
    require_reviewer(user)
    sub = _submission(session, submission_id)
    row = session.scalars(
        select(ChecklistLineRow).where(
            ChecklistLineRow.submission_id == submission_id, ChecklistLineRow.position == position
        )
    ).one_or_none()
    if row is None:
        raise DecisionError(f"Submission {submission_id} has no checklist line {position + 1}.")
    try:
        line = override(ChecklistLine.from_dict(row.data), result, note)
    except ValueError as exc:
        raise DecisionError(str(exc)) from exc
    row.result, row.overridden, row.note, row.data = line.result, True, line.note, line.to_dict()
    _store_counts(sub, checklist_lines(session, submission_id))
    _audit(
        session,
        user.id,
        "override",
        submission_id,
        requirement=line.requirement,
        result=line.result,
        note=line.note,
    )
    return line


# ---------------------------------------------------------------- claims


def claim(
    session: Session, submission_id: str, user: User, *, over_holder: bool = False
) -> OutboxItem | None:
    """Opening a submission claims it for the reviewer; the claim is delivered later.

    ``over_holder``: the reviewer asked for the claim although the local copy says someone
    else holds it (that copy may be old); the tracker decides, and its 409 is shown.
    """
    if user.role == "read_only":
        return None  # read-only users look without taking work from anyone
    sub = _submission(session, submission_id)
    if sub.assigned_to == user.id or sub.status not in OPEN_STATUSES:
        return None
    if sub.assigned_to is not None and user.role != "lead" and not over_holder:
        return None  # someone else holds it; do not snatch it silently
    sub.assigned_to = user.id
    sub.claimed_at = utcnow()
    sub.status = "in_review"
    _audit(session, user.id, "claim", submission_id)
    return _enqueue(session, "claim", sub, {"user_id": user.id})


def unknown_assignee(user_id: str) -> str:
    """What a lead reads when work is given to someone this store does not know."""
    return f"There is no user {user_id} to assign work to."


def reassign(
    session: Session, submission_ids: list[str], to_user_id: str, lead: User
) -> list[OutboxItem]:
    """A lead gives submissions to a reviewer; shown as pending until the tracker confirms."""
    if lead.role != "lead":
        raise DecisionError("Only team leads can reassign work.")
    if session.get(User, to_user_id) is None:
        raise DecisionError(unknown_assignee(to_user_id))
    items = []
    for submission_id in submission_ids:
        sub = _submission(session, submission_id)
        if sub.assigned_to == to_user_id:
            continue
        sub.assigned_to = to_user_id
        sub.claimed_at = utcnow()
        _audit(session, lead.id, "assign", submission_id, to=to_user_id)
        items.append(_enqueue(session, "assign", sub, {"user_id": to_user_id}))
    return items


# ---------------------------------------------------------------- decisions


@dataclass(frozen=True)
class DecisionState:
    decision: Decision | None
    item: OutboxItem | None

    @property
    def undoable(self) -> bool:
        # Never sent: once an attempt may have reached the tracker, undo would lie.
        return self.item is not None and self.item.state == "pending" and self.item.attempts == 0


def current_decision(session: Session, submission_id: str) -> DecisionState:
    decision = session.scalars(
        select(Decision).where(Decision.submission_id == submission_id, Decision.undone.is_(False))
    ).one_or_none()
    item = None
    if decision is not None:
        item = session.scalars(
            select(OutboxItem).where(OutboxItem.decision_id == decision.id)
        ).one_or_none()
    return DecisionState(decision, item)


def merged_extraction(session: Session, submission_id: str) -> dict[str, Any] | None:
    """One extraction for the whole submission: the certificate, plus every file's endorsements.

    Evidence keys keep pointing into the certificate; each evidence entry gains the
    ``document_id`` it was read from so the viewer opens the right file.
    """
    docs = session.scalars(
        select(Document).where(Document.submission_id == submission_id).order_by(Document.position)
    ).all()
    extractions = [(doc, session.get(Extraction, doc.sha256)) for doc in docs]
    found = [(doc, ex.data) for doc, ex in extractions if ex is not None]
    if not found:
        return None
    primary_doc, primary = next(
        ((doc, data) for doc, data in found if data.get("kind") == "coi"), found[0]
    )
    merged = dict(primary)
    merged["evidence"] = {
        key: {**value, "document_id": primary_doc.id}
        for key, value in (primary.get("evidence") or {}).items()
        if isinstance(value, dict)
    }
    endorsements: list[Any] = []
    for doc, data in found:
        for endorsement in data.get("endorsements") or []:
            if isinstance(endorsement, dict):
                endorsements.append({**endorsement, "document_id": doc.id})
    merged["endorsements"] = endorsements
    merged["warnings"] = [w for _, data in found for w in (data.get("warnings") or [])]
    return merged


def own_deficiency_list(outcome: str, texts: list[str]) -> list[str]:
    """The reviewer's own deficiencies, trimmed and once each; none on a compliant decision."""
    own = list(dict.fromkeys(text.strip() for text in texts if text.strip()))
    if own and outcome == "compliant":
        raise DecisionError(
            "A compliant decision sends no deficiencies; decide non-compliant to send them."
        )
    return own


def check_outcome(outcome: str, note: str | None, deficiencies: list[str]) -> None:
    """What a decision must carry, known before the store is asked (pure)."""
    if outcome not in OUTCOMES:
        raise DecisionError(f"Unknown outcome {outcome!r}; use one of {', '.join(OUTCOMES)}.")
    if outcome == "non_compliant" and not deficiencies:
        raise DecisionError(
            "A non-compliant decision needs at least one deficiency to send to the vendor."
        )
    if outcome == "rejected" and not (note or "").strip():
        raise DecisionError("A rejection needs a note saying why (e.g. not a COI, unreadable).")


def record_decision(
    session: Session,
    submission_id: str,
    outcome: str,
    user: User,
    *,
    note: str | None = None,
    deficiencies: list[str] | None = None,
    own_deficiencies: list[str] | None = None,
    now: datetime | None = None,
) -> Decision:
    """Write the decision and its outbox item in the caller's transaction.

    The checklist as it stands (pre-check plus overrides) becomes the decision's
    checklist; unless given, the deficiencies are composed from its failed lines, and
    ``own_deficiencies`` (the reviewer's own, e.g. ``decide --deficiency``) follow them.
    """
    require_reviewer(user)
    if outcome not in OUTCOMES:
        raise DecisionError(f"Unknown outcome {outcome!r}; use one of {', '.join(OUTCOMES)}.")
    sub = _submission(session, submission_id)
    if sub.status not in OPEN_STATUSES:
        raise DecisionError(
            f"Submission {submission_id} is {sub.status.replace('_', ' ')} in the tracker; "
            "it cannot be decided again here."
        )
    check_may_decide(session, sub, user)
    own = own_deficiency_list(outcome, own_deficiencies or [])
    previous = current_decision(session, submission_id)
    if previous.decision is not None:
        if previous.item is None or previous.item.state not in REOPENABLE:
            raise DecisionError(
                f"Submission {submission_id} is already decided "
                f"({previous.decision.outcome.replace('_', ' ')}); undo that decision first."
            )
        previous.decision.undone = True
        previous.item.state = "superseded"
        previous.item.updated_at = utcnow()
    lines = checklist_lines(session, submission_id)
    if deficiencies is None:
        deficiencies = compose_deficiencies(lines) if outcome == "non_compliant" else []
    deficiencies = [*deficiencies, *(text for text in own if text not in deficiencies)]
    check_outcome(outcome, note, deficiencies)
    extraction = merged_extraction(session, submission_id)
    decided_at = now or utcnow()
    decision = Decision(
        id=str(uuid.uuid4()),
        submission_id=submission_id,
        outcome=outcome,
        note=(note or "").strip() or None,
        deficiencies=list(deficiencies),
        checklist=[line.to_tracker() for line in lines],
        policies=policies_for_decision(extraction) if extraction else [],
        decided_by=user.id,
        decided_at=decided_at,
        version_seen=sub.version,
        undone=False,
    )
    session.add(decision)
    session.flush()
    _enqueue(session, "decision", sub, {"if_match": sub.version}, decision_id=decision.id)
    _audit(session, user.id, "decide", submission_id, outcome=outcome, decision=decision.id)
    return decision


def decision_body(decision: Decision) -> dict[str, Any]:
    """The tracker's PUT /submissions/{id}/decision body (tracker-api.md).

    Built at send time from the stored decision, so a decision recorded by an older COI Desk
    (and perhaps refused for its body) goes out in today's shape when it is sent again.
    """
    body: dict[str, Any] = {
        "outcome": decision.outcome,
        "decided_by": decision.decided_by,
        "decided_at": iso(decision.decided_at),
        "deficiencies": [d for d in decision.deficiencies if isinstance(d, str) and d.strip()],
        "checklist": [
            tracker_checklist_item(line)
            for line in decision.checklist
            if isinstance(line, Mapping) and isinstance(line.get("requirement"), str)
        ],
        "policies": [
            tracker_policy(p)
            for p in decision.policies
            if isinstance(p, Mapping) and isinstance(p.get("coverage"), str)
        ],
    }
    if isinstance(decision.note, str) and decision.note.strip():
        body["note"] = decision.note
    return body


def tracker_checklist_item(line: Mapping[str, Any]) -> dict[str, Any]:
    """One ``checklist`` item as the contract shows it: ``found`` and ``required`` are single
    values (a number, text or true/false), absent when nothing was read; a structured value
    (dates of a policy, where a waiver was seen) becomes one line of text."""
    result = line.get("result")
    item: dict[str, Any] = {
        "requirement": line["requirement"],
        "result": result if result in RESULTS else "needs_review",
        "overridden": line.get("overridden") is True,
    }
    for key in ("found", "required"):
        value = _tracker_value(line.get(key))
        if value is not None:
            item[key] = value
    note = line.get("note")
    if isinstance(note, str) and note.strip():
        item["note"] = note
    return item


def _tracker_value(value: object) -> str | int | float | bool | None:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    text = _as_text(value)
    return text or None


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        parts = [
            f"{str(k).replace('_', ' ')} {_as_text(v)}"
            for k, v in value.items()
            if v is not None and v != []
        ]
        return "; ".join(parts)
    if isinstance(value, (list, tuple)):
        return ", ".join(text for v in value if (text := _as_text(v))) or "none"
    return "" if value is None else str(value)


# The contract's policy item: these keys, each absent rather than null.
_POLICY_TEXT_KEYS = (
    "coverage",
    "insurer",
    "naic",
    "policy_number",
    "effective_date",
    "expiration_date",
)


def tracker_policy(policy: Mapping[str, Any]) -> dict[str, Any]:
    """One ``policies`` item as tracker-api.md allows it: text fields only when read, and
    ``limits`` holding whole dollars only. A blank box (null) or a flag such as WC's
    ``statutory`` is not a limit; the checklist carries those."""
    item: dict[str, Any] = {
        key: policy[key] for key in _POLICY_TEXT_KEYS if isinstance(policy.get(key), str)
    }
    limits = policy.get("limits")
    item["limits"] = {
        str(name): value
        for name, value in (limits.items() if isinstance(limits, Mapping) else ())
        if isinstance(value, int) and not isinstance(value, bool)
    }
    return item


def undo_decision(session: Session, submission_id: str, user: User) -> Decision:
    """Take back a decision that has not been sent yet."""
    require_reviewer(user)
    state = current_decision(session, submission_id)
    if state.decision is None or state.item is None:
        raise DecisionError(f"Submission {submission_id} has no decision to undo.")
    if not state.undoable:
        raise DecisionError(
            "This decision has already been sent to the tracker, so it cannot be undone here; "
            "ask the tracker's administrator to reopen the submission."
        )
    state.decision.undone = True
    state.item.state = "cancelled"
    state.item.updated_at = utcnow()
    _audit(session, user.id, "undo", submission_id, decision=state.decision.id)
    return state.decision
