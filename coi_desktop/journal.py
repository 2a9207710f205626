"""A second home for undelivered decisions: an append-only, fsynced journal beside the store.

The database is one file; a 0-byte or overwritten file would take every decision not yet
delivered with it. So each committed change to a decision's outbox item is also appended
here as one JSON line (the item with its idempotency key, the decision, and the
submission as the tracker described it), and fsynced before the caller goes on. Recovery
replays the newest line of each item that is still undelivered, with its ORIGINAL id, so
the tracker (which deduplicates by Idempotency-Key) and Procore (stable origin ids) see
each decision exactly once.

The lines are written after the transaction commits (a SQLAlchemy ``after_commit`` hook on
every session of the store), so the journal never holds a decision the store rolled back.
Delivered, cancelled and superseded items are dropped when the file is compacted.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, sessionmaker

from coi_desktop.atomic import write_atomic
from coi_desktop.models import Decision, OutboxItem, Submission
from coi_desktop.timeutil import iso_or_none

log = logging.getLogger(__name__)

JOURNAL_NAME = "pending-decisions.jsonl"
UNDELIVERED = ("pending", "conflict", "failed")
COMPACT_ABOVE = 1_000_000  # bytes; then rewrite with only the undelivered items
_KEY = "coi_journal"


def journal_path(database_path: Path) -> Path:
    return database_path.with_name(JOURNAL_NAME)


def watch(sessions: sessionmaker[Session], path: Path) -> None:
    """Journal every committed change to a decision's outbox item made through ``sessions``."""
    event.listen(sessions, "after_flush", _collect)
    event.listen(sessions, "after_commit", lambda session: _write(session, path))
    event.listen(sessions, "after_rollback", _forget)


def _collect(session: Session, _context: Any) -> None:
    pending: dict[str, dict[str, Any]] | None = None
    with session.no_autoflush:
        for obj in (*session.new, *session.dirty):
            if not isinstance(obj, OutboxItem) or obj.kind != "decision":
                continue
            created = obj in session.new
            if not created and not _state_changed(obj):
                continue  # an attempt counted or a reason reworded: nothing to replay
            if pending is None:
                pending = session.info.setdefault(_KEY, {})
            previous = pending.get(obj.id)
            whole = created or (previous is not None and "decision" in previous)
            pending[obj.id] = entry(session, obj) if whole else {"item": _item(obj)}


def _state_changed(item: OutboxItem) -> bool:
    state = inspect(item)
    return any(state.attrs[name].history.has_changes() for name in ("state", "stage", "payload"))


def _forget(session: Session) -> None:
    session.info.pop(_KEY, None)


def _write(session: Session, path: Path) -> None:
    pending = session.info.pop(_KEY, None)
    if pending:
        append(path, list(pending.values()))


def entry(session: Session, item: OutboxItem) -> dict[str, Any]:
    """The whole record of a new item: enough to rebuild it in an empty store."""
    decision = session.get(Decision, item.decision_id) if item.decision_id else None
    sub = session.get(Submission, item.submission_id)
    return {
        "item": _item(item),
        "decision": None
        if decision is None
        else {
            "id": decision.id,
            "submission_id": decision.submission_id,
            "outcome": decision.outcome,
            "note": decision.note,
            "deficiencies": decision.deficiencies,
            "checklist": decision.checklist,
            "policies": decision.policies,
            "decided_by": decision.decided_by,
            "decided_at": iso_or_none(decision.decided_at),
            "version_seen": decision.version_seen,
            "undone": bool(decision.undone),
        },
        "submission": None if sub is None else submission_snapshot(sub),
    }


def _item(item: OutboxItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "submission_id": item.submission_id,
        "decision_id": item.decision_id,
        "payload": item.payload,
        "state": item.state,
        "stage": item.stage,
        "attempts": item.attempts or 0,
        "last_error": item.last_error,
        "created_at": iso_or_none(item.created_at),
    }


def submission_snapshot(sub: Submission) -> dict[str, Any]:
    """The submission as the tracker's JSON (ingest reads it back the one usual way)."""
    return {
        "id": sub.id,
        "version": sub.version,
        "kind": sub.kind,
        "status": sub.status,
        "scope": sub.scope,
        "received_at": iso_or_none(sub.received_at),
        "due_at": iso_or_none(sub.due_at),
        "assigned_to": sub.assigned_to,
        "procore_company_id": sub.procore_company_id,
        "requirement_profile_id": sub.requirement_profile_id,
        "vendor": {
            "id": sub.vendor_id,
            "name": sub.vendor.name if sub.vendor else None,
            "procore_vendor_id": sub.vendor.procore_vendor_id if sub.vendor else None,
        },
        "project": None
        if sub.project is None
        else {
            "id": sub.project.id,
            "name": sub.project.name,
            "procore_project_id": sub.project.procore_project_id,
        },
        "commitment": None
        if sub.commitment is None
        else {
            "id": sub.commitment.id,
            "procore_commitment_id": sub.commitment.procore_commitment_id,
        },
        "documents": [
            {
                "id": d.id,
                "sha256": d.sha256,
                "filename": d.filename,
                "size": d.size,
                "content_type": d.content_type,
            }
            for d in sub.documents
        ],
    }


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer at a time (the GUI and a CLI `sync` may share a home)."""
    fd = os.open(path.with_name(path.name + ".lock"), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


_compact_at: dict[Path, int] = {}


def append(path: Path, entries: list[dict[str, Any]]) -> None:
    """Append ``entries`` as lines; fsync when one of them must survive a power cut.

    A new decision, and one taken back (undone, superseded), must; a delivery step need
    not: if it is lost, replay resends with the same key, which the tracker answers from
    its stored answer. A failure is logged, never raised: the store already holds the
    decision, and the reviewer's action must not fail for its copy.
    """
    data = "".join(json.dumps(e, sort_keys=True, default=str) + "\n" for e in entries).encode()
    durable = any(
        "decision" in e or e["item"].get("state") in ("cancelled", "superseded") for e in entries
    )
    try:
        with _locked(path):
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, data)
                if durable:
                    os.fsync(fd)
                size = os.fstat(fd).st_size
            finally:
                os.close(fd)
            if size > _compact_at.get(path, COMPACT_ABOVE):
                kept = _compact_locked(path)
                # Many decisions may wait (a week offline): compact again only once the file
                # has doubled, or every append would rewrite it.
                _compact_at[path] = max(COMPACT_ABOVE, 2 * kept)
    except OSError as exc:
        log.warning("could not write the pending-decision journal %s: %s", path, exc)


def read(path: Path) -> dict[str, dict[str, Any]]:
    """Every item in the journal, its newest state over its whole first record.

    A torn last line (a crash while appending) is skipped; every earlier line is whole.
    """
    newest: dict[str, dict[str, Any]] = {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return newest
    for line in text.splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        item = value.get("item") if isinstance(value, dict) else None
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        known = newest.get(item["id"])
        if known is None:
            newest[item["id"]] = value
        else:
            merged = {**known, "item": {**known["item"], **item}}
            for part in ("decision", "submission"):
                if value.get(part) is not None:
                    merged[part] = value[part]
            newest[item["id"]] = merged
    return newest


def undelivered(path: Path) -> list[dict[str, Any]]:
    """Entries whose newest state still needs the tracker or Procore (or a person)."""
    return [
        e
        for e in read(path).values()
        if e["item"].get("state") in UNDELIVERED and not (e.get("decision") or {}).get("undone")
    ]


def compact(path: Path) -> None:
    with _locked(path):
        _compact_locked(path)


def _compact_locked(path: Path) -> int:
    """Rewrite with only the undelivered items; returns the new size in bytes."""
    keep = undelivered(path)
    data = "".join(json.dumps(e, sort_keys=True, default=str) + "\n" for e in keep).encode()
    write_atomic(path, data)
    return len(data)
