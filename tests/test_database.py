"""The local store: pragmas, permissions, migrations fresh and with data, refusal of newer files."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, create_engine, event, insert, inspect, text

from coi_desktop.database import (
    Database,
    DatabaseTooNew,
    _on_connect,
    alembic_config,
    current_revision,
    head_revision,
    open_database,
)
from coi_desktop.ingest import upsert_submission
from coi_desktop.models import Submission
from coi_desktop.queue import QueueFilter, query_queue
from tests import factories

# The queue's trigram search index (migration 0004): an FTS5 table, the shadow tables FTS5
# keeps its index in, and the triggers that keep it in step with submissions.search_text.
SEARCH_INDEX = "submissions_search"
SEARCH_INDEX_TABLES = {SEARCH_INDEX} | {
    f"{SEARCH_INDEX}_{shadow}" for shadow in ("data", "idx", "docsize", "config")
}
SEARCH_TRIGGERS = {f"{SEARCH_INDEX}_after_{event}" for event in ("insert", "update", "delete")}


def test_fresh_database_is_at_head_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = open_database(tmp_path / "store.sqlite3")
    try:
        assert current_revision(db.engine) == head_revision()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert (connection.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 5000
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
        with db.session() as session:  # rows stored before the search index are in it
            assert [r.id for r in query_queue(session, QueueFilter(search="DRYWALL"))] == ["s-1"]
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

    def modelled(name: str | None, type_: str, _parents: object) -> bool:
        return not (type_ == "table" and name in SEARCH_INDEX_TABLES)

    db = open_database(tmp_path / "store.sqlite3")
    try:
        with db.engine.connect() as connection:
            # SQLAlchemy cannot describe an FTS5 table, so the search index is left out of
            # the comparison; it must be the only thing the models do not hold.
            unmodelled = set(inspect(connection).get_table_names()) - set(Base.metadata.tables)
            assert unmodelled == {"alembic_version"} | SEARCH_INDEX_TABLES
            context = MigrationContext.configure(connection, opts={"include_name": modelled})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        db.close()


def _search_schema(connection: Connection) -> dict[str, str]:
    rows = connection.exec_driver_sql(
        "SELECT name, type FROM sqlite_master WHERE name LIKE 'submissions~_search%' ESCAPE '~'"
    )
    return {name: kind for name, kind in rows}


def _indexed(db: Database, text_: str) -> list[str]:
    """What the search index alone finds for ``text_``: ids, or "gone" for a deleted row."""
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT rowid, id FROM submissions").all()
        ids: dict[int, str] = {rowid: id_ for rowid, id_ in rows}
        found = connection.exec_driver_sql(
            f"SELECT rowid FROM {SEARCH_INDEX} WHERE {SEARCH_INDEX} MATCH ? ORDER BY rowid",
            (f'"{text_}"',),
        )
        return [ids.get(rowid, "gone") for (rowid,) in found]


def _assert_index_agrees_with_search_text(db: Database) -> None:
    # FTS5 compares every indexed token with the text in submissions; it raises on a mismatch.
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            f"INSERT INTO {SEARCH_INDEX} ({SEARCH_INDEX}, rank) VALUES ('integrity-check', 1)"
        )


def test_search_index_follows_inserts_renames_and_deletes(tmp_path: Path) -> None:
    db = open_database(tmp_path / "store.sqlite3")
    try:
        with db.engine.connect() as connection:
            schema = _search_schema(connection)
        assert {name for name, kind in schema.items() if kind == "table"} == SEARCH_INDEX_TABLES
        assert {name for name, kind in schema.items() if kind == "trigger"} == SEARCH_TRIGGERS
        with db.session() as session:
            upsert_submission(session, factories.submission("s-1"))
            upsert_submission(
                session, factories.submission("s-2", vendor="Bolt Electric", vendor_id="v-2")
            )
            # A bulk insert bypasses the ORM (bench/bench_ui.py builds its store this way).
            session.execute(
                insert(Submission),
                [
                    {
                        "id": "s-3",
                        "version": 1,
                        "kind": "coi",
                        "status": "new",
                        "received_at": factories.NOW,
                        "due_at": factories.NOW,
                        "scope": "global",
                        "vendor_id": "v-2",
                        "search_text": "s-3 bolt electric",
                        "synced_at": factories.NOW,
                    }
                ],
            )
        assert _indexed(db, "acme drywall") == ["s-1"]
        assert _indexed(db, "bolt") == ["s-2", "s-3"]
        _assert_index_agrees_with_search_text(db)

        with db.session() as session:
            # The vendor's new name reaches every submission's search_text (ingest.py).
            renamed = factories.submission(
                "s-2", version=2, vendor="Volt Electric", vendor_id="v-2"
            )
            upsert_submission(session, renamed)
            gone = session.get(Submission, "s-1")
            assert gone is not None
            session.delete(gone)
        assert _indexed(db, "volt electric") == ["s-2", "s-3"]
        assert _indexed(db, "bolt") == []
        assert _indexed(db, "acme") == []
        _assert_index_agrees_with_search_text(db)

        with db.engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0003")
            assert _search_schema(connection) == {}
        with db.engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
        assert _indexed(db, "volt") == ["s-2", "s-3"]  # rebuilt from the stored text
        _assert_index_agrees_with_search_text(db)
    finally:
        db.close()
