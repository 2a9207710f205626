"""The outbox as the worker and the sync panel see it: what is due, what waits for a person.

States: ``pending`` → ``delivered``, or ``conflict`` / ``failed`` (kept with the server's
reason until a person acts); ``superseded`` and ``cancelled`` are terminal and ignored.
Stages of a decision: ``tracker`` → ``procore`` → ``done``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from coi_desktop.database import Database
from coi_desktop.models import OutboxItem, Submission, utcnow

WAITING_FOR_PERSON = ("conflict", "failed")
TERMINAL = ("delivered", "superseded", "cancelled")


def backoff_delay(
    attempts: int, base: float = 2.0, cap: float = 900.0, rng: random.Random | None = None
) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random, never above ``cap``."""
    ceiling = min(cap, base * 2.0 ** min(max(0, attempts - 1), 60))
    jitter: float = (rng or random.Random()).uniform(0, ceiling / 2)
    return ceiling / 2 + jitter


def pending_items(session: Session, stage: str, limit: int = 1000) -> list[OutboxItem]:
    """Pending items at ``stage`` in delivery order (due or not: order needs both)."""
    stmt = (
        select(OutboxItem)
        .where(OutboxItem.state == "pending", OutboxItem.stage == stage)
        .order_by(OutboxItem.seq)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def is_due(item: OutboxItem, now: datetime) -> bool:
    return item.next_attempt_at is None or item.next_attempt_at <= now


def mark_attempted(session: Session, seqs: list[int], now: datetime) -> None:
    """Count an attempt *before* sending: from here on undo is refused (the tracker may have it)."""
    if seqs:
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.seq.in_(seqs), OutboxItem.state == "pending")
            .values(attempts=OutboxItem.attempts + 1, updated_at=now)
        )


def retry_now(database: Database, item_id: str) -> bool:
    """The person's *Retry now*: a failed or waiting item is tried at the next pass.

    Conflicts are not retried as they are (the submission changed): the reviewer reopens
    the submission and decides again, which supersedes the item.
    """
    with database.session() as session:
        item = session.scalars(select(OutboxItem).where(OutboxItem.id == item_id)).one_or_none()
        if item is None or item.state not in ("pending", "failed"):
            return False
        item.state = "pending"
        item.next_attempt_at = utcnow()
        item.updated_at = utcnow()
        return True


@dataclass(frozen=True)
class OutboxCounts:
    pending: int = 0
    due: int = 0
    conflict: int = 0
    failed: int = 0
    delivered: int = 0

    @property
    def waiting_for_person(self) -> int:
        return self.conflict + self.failed


def outbox_counts(session: Session, now: datetime | None = None) -> OutboxCounts:
    now = now or utcnow()
    rows = session.execute(select(OutboxItem.state, func.count()).group_by(OutboxItem.state)).all()
    by_state: dict[str, int] = {str(state): int(n) for state, n in rows}
    due = session.execute(
        select(func.count()).where(
            OutboxItem.state == "pending",
            (OutboxItem.next_attempt_at.is_(None)) | (OutboxItem.next_attempt_at <= now),
        )
    ).scalar_one()
    return OutboxCounts(
        pending=by_state.get("pending", 0),
        due=int(due),
        conflict=by_state.get("conflict", 0),
        failed=by_state.get("failed", 0),
        delivered=by_state.get("delivered", 0),
    )


def next_due_at(session: Session) -> datetime | None:
    value = session.execute(
        select(func.min(OutboxItem.next_attempt_at)).where(OutboxItem.state == "pending")
    ).scalar_one()
    return value if isinstance(value, datetime) else None


@dataclass(frozen=True)
class OutboxRow:
    """One line of the sync panel."""

    id: str
    seq: int
    kind: str
    submission_id: str
    vendor: str
    state: str
    stage: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    updated_at: datetime


def outbox_rows(
    session: Session, *, include_delivered: bool = False, limit: int = 5000
) -> list[OutboxRow]:
    """Items worth showing, most recent first: waiting, failed and conflicting ones."""
    states: tuple[str, ...] = ("pending", *WAITING_FOR_PERSON)
    if include_delivered:
        states = (*states, "delivered")
    stmt: Any = (
        select(OutboxItem, Submission)
        .join(Submission, Submission.id == OutboxItem.submission_id)
        .where(OutboxItem.state.in_(states))
        .order_by(OutboxItem.seq.desc())
        .limit(limit)
    )
    rows = []
    for item, sub in session.execute(stmt).all():
        rows.append(
            OutboxRow(
                id=item.id,
                seq=item.seq,
                kind=item.kind,
                submission_id=item.submission_id,
                vendor=sub.vendor.name if sub.vendor else "",
                state=item.state,
                stage=item.stage,
                attempts=item.attempts,
                next_attempt_at=item.next_attempt_at,
                last_error=item.last_error,
                updated_at=item.updated_at,
            )
        )
    return rows


def later(now: datetime, seconds: float) -> datetime:
    return now + timedelta(seconds=max(0.0, seconds))
