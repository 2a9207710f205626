"""Opening the local SQLite store: pragmas, permissions, migrations, backups.

Every connection gets WAL, foreign keys and a busy timeout. Alembic brings the
schema up to date at start; the file is copied aside first, and a database
written by a newer COI Desk is refused rather than damaged.
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
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 10_000


class DatabaseError(Exception):
    """A problem with the local database that the user must be told about."""


class DatabaseTooNew(DatabaseError):
    pass


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


def open_database(path: Path, *, migrate: bool = True, backups_dir: Path | None = None) -> Database:
    """Open (creating if needed) the store at ``path`` and bring its schema to the newest."""
    _create_private(path)
    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", _on_connect)
    try:
        if migrate:
            upgrade(engine, path, backups_dir or path.parent / "backups")
    except BaseException:
        engine.dispose()
        raise
    _restrict_sidecars(path)
    return Database(path, engine, sessionmaker(engine, expire_on_commit=False))


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
    source = sqlite3.connect(path)
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
    return target
