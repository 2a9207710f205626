"""Which submissions another process changed: claims, decisions, pre-checks, deliveries, pulls."""

from __future__ import annotations

from pathlib import Path

import pytest

from coi_desktop.models import OutboxItem, Submission, User, utcnow
from coi_desktop.review import decisions
from coi_desktop.store_changes import DataVersion, changed_since, current_mark
from coi_desktop.workspace import Workspace, open_workspace

pytestmark = pytest.mark.seeded


def test_each_kind_of_write_names_its_submission_once(workspace: Workspace, coi_home: Path) -> None:
    with workspace.database.session() as session:
        mark = current_mark(session)
        assert changed_since(session, mark) == (mark, [])
    probe = DataVersion(workspace.database.path)
    seen = probe.read()
    other = open_workspace(coi_home)  # the CLI's connection
    try:
        with other.database.session() as session:
            riley = session.get(User, "u-1")
            assert riley is not None
            decisions.claim(session, "s-2", riley)
            decisions.record_decision(session, "s-2", "rejected", riley, note="Not a COI")
        assert probe.read() != seen
        with workspace.database.session() as session:
            mark, ids = changed_since(session, mark)
        assert ids == ["s-2"]

        with other.database.session() as session:  # sync delivered it
            item = session.query(OutboxItem).filter_by(kind="decision").one()
            item.state, item.updated_at = "delivered", utcnow()
        with workspace.database.session() as session:
            mark, ids = changed_since(session, mark)
        assert ids == ["s-2"]

        with other.database.session() as session:  # a pull stored a newer version
            sub = session.get(Submission, "s-3")
            assert sub is not None
            sub.version, sub.synced_at = sub.version + 1, utcnow()
        with workspace.database.session() as session:
            mark, ids = changed_since(session, mark)
            assert ids == ["s-3"]
            assert changed_since(session, mark) == (mark, [])
    finally:
        other.close()
        probe.close()


def test_the_change_counter_reads_a_store_whose_path_has_odd_characters(tmp_path: Path) -> None:
    import sqlite3
    from contextlib import closing

    where = tmp_path / "my data #1 ?" / "store.sqlite3"
    where.parent.mkdir()
    with closing(sqlite3.connect(where)) as writer, writer:
        writer.execute("create table t (x)")
    probe = DataVersion(where)
    try:
        before = probe.read()
        with closing(sqlite3.connect(where)) as writer, writer:
            writer.execute("insert into t values (1)")
        assert probe.read() != before
    finally:
        probe.close()
