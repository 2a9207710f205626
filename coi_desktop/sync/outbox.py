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
from coi_desktop.sync.transport import RetryLater

WAITING_FOR_PERSON = ("conflict", "failed")
TERMINAL = ("delivered", "superseded", "cancelled")


def backoff_delay(
    attempts: int, base: float = 2.0, cap: float = 900.0, rng: random.Random | None = None
) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random, never above ``cap``."""
    ceiling = min(cap, base * 2.0 ** min(max(0, attempts - 1), 60))
    jitter: float = (rng or random.Random()).uniform(0, ceiling / 2)
    return ceiling / 2 + jitter


@dataclass(frozen=True)
class Backoff:
    base: float = 2.0
    cap: float = 900.0

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        return backoff_delay(attempts, self.base, self.cap, rng)


@dataclass(frozen=True)
class Tally:
    """What one delivery stage (or a part of it) came to; stages return it, callers add."""

    delivered: int = 0
    retrying: int = 0
    needs_person: int = 0
    offline: bool = False
    stopped: str | None = None  # why the stage's target stopped (sign in, not set up)
    procore_requests: int = 0
    procore_records: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.delivered + other.delivered,
            self.retrying + other.retrying,
            self.needs_person + other.needs_person,
            self.offline or other.offline,
            self.stopped or other.stopped,
            self.procore_requests + other.procore_requests,
            self.procore_records + other.procore_records,
        )


def settle(
    row: OutboxItem, state: str, message: str | None, now: datetime, *, stage: str | None = None
) -> None:
    """A pending item's final word for now: delivered, or waiting for a person and why."""
    if row.state != "pending":
        return
    row.state = state
    row.last_error = message
    row.updated_at = now
    if stage is not None:
        row.stage = stage
    if state == "delivered":
        row.delivered_at = now


def schedule_retry(
    row: OutboxItem, exc: RetryLater, now: datetime, backoff: Backoff, rng: random.Random
) -> None:
    """Try again later: after the backoff, or the server's own wait if that is longer."""
    wait = max(backoff.delay(max(row.attempts, 1), rng), exc.after or 0.0)
    row.next_attempt_at = later(now, wait)
    row.last_error = f"Will retry: {exc}"
    row.updated_at = now


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
