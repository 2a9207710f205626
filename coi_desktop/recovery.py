"""Getting a damaged home working again without losing an undelivered decision.

The damaged file is never deleted: it is moved to ``data/damaged/``. The store is then
rebuilt from the newest backup that passes SQLite's check (or started empty, to be filled
again by the next sync from the tracker), and every decision the journal holds as still
undelivered is put back with its original outbox id, the idempotency key, so the tracker
and Procore see it exactly once.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coi_desktop import journal
from coi_desktop.database import (
    Database,
    DatabaseDamaged,
    DatabaseError,
    copy_database,
    open_database,
)
from coi_desktop.ingest import IngestError, upsert_submission
from coi_desktop.models import Decision, OutboxItem, Submission, utcnow
from coi_desktop.paths import Locations
from coi_desktop.presence import holders

log = logging.getLogger(__name__)


@dataclass
class Recovered:
    kept_aside: list[Path]
    backup: Path | None
    replayed: int
    skipped: list[str]

    def message(self) -> str:
        source = (
            f"restored from the backup {self.backup.name}"
            if self.backup
            else "started empty; the next sync fills it again from the tracker"
        )
        aside = f"The damaged file was kept at {self.kept_aside[0]}. " if self.kept_aside else ""
        parts = [
            f"{aside}The database was {source}.",
            f"{self.replayed} undelivered decision{'s' if self.replayed != 1 else ''} "
            "put back; they are sent at the next sync, each once.",
        ]
        parts.extend(self.skipped)
        return " ".join(parts)


def keep_aside(path: Path, folder: Path) -> list[Path]:
    """Move the store and its WAL/SHM sidecars into ``folder``, stamped; nothing is deleted."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    moved = []
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        if source.exists():
            target = folder / f"{path.stem}-damaged-{stamp}{path.suffix}{suffix}"
            os.replace(source, target)
            moved.append(target)
    return moved


def newest_good_backup(backups: Path) -> Path | None:
    """The newest backup SQLite itself finds whole."""
    if not backups.is_dir():
        return None
    candidates = sorted(backups.glob("*.sqlite3"), key=lambda p: p.stat().st_mtime, reverse=True)
    for candidate in candidates:
        try:
            connection = sqlite3.connect(f"file:{candidate}?mode=ro", uri=True)
            try:
                if connection.execute("PRAGMA quick_check(1)").fetchone() == ("ok",):
                    return candidate
            finally:
                connection.close()
        except sqlite3.Error:
            continue
    return None


def recover(where: Locations, *, fresh: bool = False) -> Recovered:
    """Keep the damaged store aside, rebuild it, replay undelivered decisions.

    Raises DatabaseError (with its sentence) when even the rebuilt store cannot be opened.
    """
    path = where.database
    kept = keep_aside(path, where.data_dir / "damaged")
    backup = None if fresh else newest_good_backup(where.backups_dir)
    if backup is not None:
        copy_database(backup, path, read_only=True)
    database = open_database(path, backups_dir=where.backups_dir, rebuilding=True)
    try:
        replayed, skipped = replay(database, journal.journal_path(path))
    finally:
        database.close()
    journal.compact(journal.journal_path(path))
    log.info("recovered %s (backup %s): %d decisions replayed", path, backup, replayed)
    return Recovered(kept, backup, replayed, skipped)


def replay(database: Database, path: Path) -> tuple[int, list[str]]:
    """Bring every journalled decision item to its newest known state; count the undelivered."""
    replayed = 0
    skipped: list[str] = []
    for entry in journal.read(path).values():
        try:
            with database.session() as session:
                if _apply(session, entry):
                    replayed += 1
        except (IngestError, KeyError, TypeError, ValueError) as exc:
            sub_id = entry.get("item", {}).get("submission_id")
            skipped.append(
                f"The decision on {sub_id} could not be put back ({exc}); decide it again."
            )
    return replayed, skipped


def _apply(session: Session, entry: dict[str, Any]) -> bool:
    data = entry["item"]
    undelivered = data["state"] in journal.UNDELIVERED
    decision_data = entry.get("decision")
    if decision_data and decision_data.get("undone"):
        undelivered = False
    item = session.scalars(select(OutboxItem).where(OutboxItem.id == data["id"])).one_or_none()
    if item is None and not undelivered:
        return False  # delivered or withdrawn, and the store does not know it: nothing to do
    if item is None and not decision_data:
        raise ValueError("the journal holds only its delivery state, not the decision")
    if session.get(Submission, data["submission_id"]) is None:
        if not entry.get("submission"):
            raise ValueError("its submission is unknown")
        with session.begin_nested():
            upsert_submission(session, entry["submission"])
    if decision_data:
        decision = session.get(Decision, decision_data["id"])
        if decision is None:
            decision = Decision(
                id=decision_data["id"],
                submission_id=decision_data["submission_id"],
                outcome=decision_data["outcome"],
                note=decision_data.get("note"),
                deficiencies=decision_data.get("deficiencies") or [],
                checklist=decision_data.get("checklist") or [],
                policies=decision_data.get("policies") or [],
                decided_by=decision_data["decided_by"],
                decided_at=_time(decision_data["decided_at"]),
                version_seen=int(decision_data["version_seen"]),
            )
            session.add(decision)
        decision.undone = bool(decision_data.get("undone"))
        session.flush()
    now = utcnow()
    if item is None:
        item = OutboxItem(
            id=data["id"],
            kind=data["kind"],
            submission_id=data["submission_id"],
            decision_id=data.get("decision_id"),
            attempts=int(data["attempts"]),
            created_at=_time(data.get("created_at")) or now,
        )
        session.add(item)
    item.payload = dict(data["payload"])
    item.state = data["state"]
    item.stage = data["stage"]
    item.last_error = data.get("last_error")
    item.next_attempt_at = now
    item.updated_at = now
    return undelivered


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def recover_or_explain(where: Locations, *, fresh: bool) -> tuple[int, str]:
    """For the CLI and the GUI: (exit code, one paragraph)."""
    others = holders(where.data_dir)
    if others:
        return 1, (
            f"COI Desk still has this store open in another window or command (process "
            f"{', '.join(map(str, others))}). Close it, then recover again: recovering under "
            "it would lose what it writes."
        )
    try:
        probe = open_database(where.database, backups_dir=where.backups_dir)
    except DatabaseError as exc:
        if not isinstance(exc, DatabaseDamaged):
            return 1, str(exc)
    else:
        probe.close()
        if not fresh:
            return 0, f"The database {where.database} is fine; there is nothing to recover."
    try:
        result = recover(where, fresh=fresh)
    except DatabaseError as exc:
        return 1, f"Recovery did not finish: {exc}"
    except OSError as exc:
        return 1, (
            f"Recovery did not finish: {exc.strerror or exc}. Nothing was deleted; "
            "the damaged file is in the data folder's damaged/ folder."
        )
    return 0, result.message()
