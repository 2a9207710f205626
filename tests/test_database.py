"""The local store: pragmas, permissions, migrations fresh and with data, refusal of newer files."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, event, text

from coi_desktop.database import (
    DatabaseTooNew,
    _on_connect,
    alembic_config,
    current_revision,
    head_revision,
    open_database,
)


def test_fresh_database_is_at_head_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = open_database(tmp_path / "store.sqlite3")
    try:
        assert current_revision(db.engine) == head_revision()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
            tables = {
                row[0]
                for row in connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                )
            }
        assert {"submissions", "decisions", "outbox_items", "audit_events"} <= tables
    finally:
        db.close()


def test_database_file_is_readable_by_the_user_only(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    db = open_database(path)
    db.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    db = open_database(tmp_path / "store.sqlite3")
    try:
        with pytest.raises(Exception, match="FOREIGN KEY"), db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO documents (id, submission_id, position, filename, sha256, size,"
                " content_type, stored) VALUES ('d', 'no-such', 0, 'x', 'x', 0, 'a', 0)"
            )
    finally:
        db.close()


def _database_at(path: Path, revision: str) -> None:
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _on_connect)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
    engine.dispose()


def test_upgrade_keeps_data_backfills_and_keeps_a_copy(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    _database_at(path, "0001")
    with sqlite3.connect(path) as raw:
        raw.executescript(
            """
            INSERT INTO vendors (id, name) VALUES ('v-1', 'Acme Drywall LLC');
            INSERT INTO submissions (id, version, kind, status, received_at, due_at, scope,
                vendor_id, synced_at)
            VALUES ('s-1', 4, 'coi', 'new', '2026-11-20 10:00:00', '2026-11-21 10:00:00',
                'project', 'v-1', '2026-11-20 10:00:00');
            INSERT INTO checklist_lines (submission_id, position, requirement, result,
                overridden, data) VALUES
                ('s-1', 0, 'a', 'pass', 0, '{}'), ('s-1', 1, 'b', 'fail', 0, '{}'),
                ('s-1', 2, 'c', 'fail', 0, '{}');
            """
        )
    db = open_database(path, backups_dir=tmp_path / "backups")
    try:
        assert current_revision(db.engine) == head_revision()
        with db.engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT version, precheck_pass, precheck_fail, precheck_needs_review"
                    " FROM submissions WHERE id = 's-1'"
                )
            ).one()
        assert tuple(row) == (4, 1, 2, 0)
        with db.engine.connect() as connection:
            search = connection.execute(
                text("SELECT search_text FROM submissions WHERE id = 's-1'")
            ).scalar_one()
        assert search == "s-1 acme drywall llc"
    finally:
        db.close()
    copies = list((tmp_path / "backups").glob("*.sqlite3"))
    assert len(copies) == 1
    with sqlite3.connect(copies[0]) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert copy.execute("SELECT COUNT(*) FROM submissions").fetchone() == (1,)


def test_fresh_install_makes_no_backup(tmp_path: Path) -> None:
    open_database(tmp_path / "store.sqlite3", backups_dir=tmp_path / "backups").close()
    assert not (tmp_path / "backups").exists()


def test_database_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    open_database(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNew, match="newer version of COI Desk"):
        open_database(path)
    assert path.read_bytes() == before


def test_migrations_build_exactly_the_models_schema(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from coi_desktop.models import Base

    db = open_database(tmp_path / "store.sqlite3")
    try:
        with db.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        db.close()
