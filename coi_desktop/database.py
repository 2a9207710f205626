"""Opening the local SQLite store: pragmas, permissions, migrations, backups.

Every connection gets WAL, foreign keys and a busy timeout. Alembic brings the
schema up to date at start; the file is copied aside first, and a database
written by a newer COI Desk is refused rather than damaged. A damaged file (empty
where data was, not a database, failing SQLite's quick check) is refused with a
sentence and a way out (``coi-desktop recover``), never silently taken as new.
Every committed change to a decision's delivery is also appended to the journal
(``journal.py``) so a destroyed file loses no undelivered decision.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from coi_desktop import journal
from coi_desktop.logs import redact
from coi_desktop.models import OutboxItem

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 10_000
MAX_LAST_ERROR = 1000
QUICK_CHECK_MAX_BYTES = 32 * 1024 * 1024


class DatabaseError(Exception):
    """A problem with the local database that the user must be told about."""


class DatabaseTooNew(DatabaseError):
    pass


class DatabaseDamaged(DatabaseError):
    """The file is there but cannot be trusted; ``recover`` keeps it aside and rebuilds."""

    def __init__(self, path: Path, reason: str, pending: int = 0) -> None:
        self.path, self.reason, self.pending = path, reason, pending
        kept = (
            f" {pending} undelivered decision{'s are' if pending != 1 else ' is'} kept in "
            "the journal and will be sent after recovery."
            if pending
            else ""
        )
        super().__init__(
            f"The database {path} is damaged ({reason}); nothing was changed.{kept} Run "
            "`coi-desktop recover` to keep the damaged file aside and restore the newest "
            "backup, or `coi-desktop recover --fresh` to start fresh from the tracker."
        )


class StorageUnavailable(DatabaseError):
    """The disk refused (read-only, full, a folder where the file should be): say which."""


@dataclass
class Database:
    path: Path
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back on error."""
        with self.sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


@event.listens_for(OutboxItem.last_error, "set", retval=True)
def _scrub_last_error(_target: OutboxItem, value: str | None, *_args: Any) -> str | None:
    """The reason kept for a person comes from servers: never a secret in the store."""
    return redact(value)[:MAX_LAST_ERROR] if isinstance(value, str) else value


def open_database(
    path: Path, *, migrate: bool = True, backups_dir: Path | None = None, rebuilding: bool = False
) -> Database:
    """Open (creating if needed) the store at ``path`` and bring its schema to the newest.

    Raises DatabaseDamaged for a file that cannot be trusted and StorageUnavailable when the
    disk refuses, each with a sentence saying what to do. ``rebuilding`` (recovery only)
    accepts a missing file although the journal holds undelivered decisions.
    """
    backups = backups_dir or path.parent / "backups"
    _refuse_unusable(path, backups, rebuilding)
    try:
        _create_private(path)
    except OSError as exc:
        raise storage_problem(exc, path) from exc
    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", _on_connect)
    try:
        check_integrity(engine, path)
        if migrate:
            upgrade(engine, path, backups)
        _restrict_sidecars(path)
    except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
        engine.dispose()
        raise storage_problem(exc, path) from exc
    except BaseException:
        engine.dispose()
        raise
    sessions = sessionmaker(engine, expire_on_commit=False)
    journal.watch(sessions, journal.journal_path(path))
    return Database(path, engine, sessions)


def _refuse_unusable(path: Path, backups: Path, rebuilding: bool) -> None:
    """Refuse what must not be opened as a store: a folder, or an emptied file with history."""
    if path.is_dir():
        raise StorageUnavailable(
            f"The database path {path} is a folder, not a file. Move that folder away (or "
            "point COI_DESKTOP_HOME elsewhere) and start COI Desk again."
        )
    if rebuilding:
        return
    if not path.exists():
        # Deleted while decisions were waiting: never start empty without a word.
        pending = len(journal.undelivered(journal.journal_path(path)))
        if pending:
            raise DatabaseDamaged(path, "the file is missing", pending)
        return
    if path.stat().st_size == 0 and _had_data(path, backups):
        raise DatabaseDamaged(
            path,
            "the file is empty although COI Desk kept data here",
            len(journal.undelivered(journal.journal_path(path))),
        )


def _had_data(path: Path, backups: Path) -> bool:
    has_backup = backups.is_dir() and any(backups.glob("*.sqlite3"))
    return has_backup or journal.journal_path(path).exists()


def check_integrity(engine: Engine, path: Path) -> None:
    """Find a damaged file at open, not mid-review.

    The schema is always read (a file that is not a database fails here). SQLite's
    ``quick_check`` reads every page: ~0.4 s for a 100,000-submission store (85 MB), so it
    runs at open only up to QUICK_CHECK_MAX_BYTES; a damaged page in a larger store is
    reported when it is read, in the same sentence (``storage_problem``).
    """
    pragma = "PRAGMA quick_check(1)" if path.stat().st_size <= QUICK_CHECK_MAX_BYTES else None
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT count(*) FROM sqlite_master")).scalar_one()
            rows = connection.execute(text(pragma)).scalars().all() if pragma else ["ok"]
    except SQLAlchemyError as exc:
        raise storage_problem(exc, path) from exc
    if rows != ["ok"]:
        raise DatabaseDamaged(
            path,
            "SQLite's integrity check failed",
            len(journal.undelivered(journal.journal_path(path))),
        )


_DAMAGE = ("malformed", "not a database", "file is encrypted", "disk image")


def storage_problem(exc: BaseException, path: Path) -> DatabaseError:
    """One sentence with a way out for what SQLite or the disk said."""
    if isinstance(exc, DatabaseError):
        return exc
    raw = str(getattr(exc, "orig", None) or exc).lower()
    if any(word in raw for word in _DAMAGE):
        return DatabaseDamaged(
            path,
            "it is not a readable SQLite database",
            len(journal.undelivered(journal.journal_path(path))),
        )
    if "full" in raw or getattr(exc, "errno", None) == 28:
        return StorageUnavailable(
            f"The disk holding {path.parent} is full; nothing was lost. Free some space and "
            "try again."
        )
    if "readonly" in raw or "read-only" in raw or getattr(exc, "errno", None) in (13, 30):
        return StorageUnavailable(
            f"COI Desk cannot write to {path.parent} (read-only or not yours). Make it "
            "writable, or point COI_DESKTOP_HOME to a folder you can write."
        )
    if "unable to open" in raw or isinstance(exc, OSError):
        return StorageUnavailable(
            f"COI Desk cannot open its database at {path} "
            f"({getattr(exc, 'strerror', None) or 'the file cannot be opened'}). Check the "
            "folder and its permissions."
        )
    return StorageUnavailable(
        f"The database {path} could not be used ({raw[:120]}). Run `coi-desktop recover` if "
        "this repeats."
    )


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL keeps this durable across app crashes
    cursor.close()


def _create_private(path: Path) -> None:
    """Create the file readable by its owner only before SQLite ever opens it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _restrict_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        sidecar = path.with_name(path.name + suffix)
        if sidecar.exists():
            os.chmod(sidecar, 0o600)


def alembic_config(engine_connection: Any = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine_connection is not None:
        config.attributes["connection"] = engine_connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, path: Path, backups_dir: Path, target: str = "head") -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    if current is not None and not _known(scripts, current):
        raise DatabaseTooNew(
            f"The database {path} was written by a newer version of COI Desk "
            f"(schema {current}). Install the newer COI Desk, or move the file away "
            "to start with an empty database."
        )
    wanted = scripts.get_current_head() if target == "head" else target
    if current == wanted:
        return
    if current is not None:
        backup = backup_database(path, backups_dir, current)
        log.info("database upgrade %s -> %s; copy kept at %s", current, wanted, backup)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), target)


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:  # alembic's word for "no such revision in this app"
        return False


def backup_database(path: Path, backups_dir: Path, revision: str) -> Path:
    """Copy the store with SQLite's backup API (consistent even with a WAL in use)."""
    backups_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = backups_dir / f"{path.stem}-schema{revision}-{stamp}.sqlite3"
    copy_database(path, target)
    return target


def copy_database(source_path: Path, target: Path, *, read_only: bool = False) -> None:
    """Copy a store with SQLite's backup API into ``target``, a file readable by the user
    only (``read_only`` opens the source so that nothing, not even a WAL, is written)."""
    source = (
        sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
        if read_only
        else (sqlite3.connect(source_path))
    )
    try:
        fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        os.close(fd)
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
