"""Which submissions changed in the store since a mark: for a window that shares the store
with other processes (the CLI deciding or syncing, a second window).

Every writer already leaves a trace this reads back: claims, overrides, decisions, undo
and reassignments write an audit event; a pre-check writes new checklist rows; delivery
moves an outbox item's ``updated_at``; a pull from the tracker moves a submission's
``synced_at``. No new column, no trigger: a mark is the highest of each.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coi_desktop.models import AuditEvent, ChecklistLineRow, OutboxItem, Submission


@dataclass(frozen=True)
class ChangeMark:
    audit_id: int = 0
    line_id: int = 0
    outbox_at: datetime | None = None
    synced_at: datetime | None = None


def current_mark(session: Session) -> ChangeMark:
    return ChangeMark(
        audit_id=session.scalar(select(func.max(AuditEvent.id))) or 0,
        line_id=session.scalar(select(func.max(ChecklistLineRow.id))) or 0,
        outbox_at=session.scalar(select(func.max(OutboxItem.updated_at))),
        synced_at=session.scalar(select(func.max(Submission.synced_at))),
    )


def changed_since(session: Session, mark: ChangeMark) -> tuple[ChangeMark, list[str]]:
    """The new mark and the ids of the submissions changed after ``mark`` (each once)."""
    new = current_mark(session)
    ids: list[str] = []
    if new.audit_id > mark.audit_id:
        ids += session.scalars(
            select(AuditEvent.submission_id).where(
                AuditEvent.id > mark.audit_id, AuditEvent.submission_id.is_not(None)
            )
        )
    if new.line_id > mark.line_id:
        ids += session.scalars(
            select(ChecklistLineRow.submission_id).where(ChecklistLineRow.id > mark.line_id)
        )
    if new.outbox_at is not None and new.outbox_at != mark.outbox_at:
        query = select(OutboxItem.submission_id)
        if mark.outbox_at is not None:
            query = query.where(OutboxItem.updated_at > mark.outbox_at)
        ids += session.scalars(query)
    if new.synced_at is not None and new.synced_at != mark.synced_at:
        query = select(Submission.id)
        if mark.synced_at is not None:
            query = query.where(Submission.synced_at > mark.synced_at)
        ids += session.scalars(query)
    return new, [i for i in dict.fromkeys(ids) if i]


class DataVersion:
    """SQLite's own change counter, on a connection of its own: it moves whenever another
    connection (another process, or another connection of this one) commits."""

    def __init__(self, path: Path) -> None:
        # A URI so the connection is read-only; as_uri() escapes spaces, "#" and "?".
        self._connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
        )

    def read(self) -> int:
        row = self._connection.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def close(self) -> None:
        self._connection.close()
