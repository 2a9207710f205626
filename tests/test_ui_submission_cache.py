"""The review screen's memory of submissions: read ahead together, never older than a change."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from coi_desktop.database import Database
from coi_desktop.ingest import upsert_submission
from coi_desktop.review import submission_view
from coi_desktop.review.submission_view import SubmissionView, load_submission
from coi_desktop.ui import submission_cache
from coi_desktop.ui.operations import Operations
from coi_desktop.ui.submission_cache import SubmissionCache
from tests import factories
from tests.test_decisions import db  # noqa: F401 — the store with s-1 and its lines


@pytest.fixture
def reads() -> Iterator[Operations]:
    ops = Operations("test-reads")
    yield ops
    ops.stop()


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Read ahead that waits, once it has begun, until the test lets it go on."""
    began, go_on = threading.Event(), threading.Event()

    def slow(session: Session, ids: Sequence[str]) -> dict[str, SubmissionView]:
        began.set()
        go_on.wait(5)
        return submission_view.load_submissions(session, ids)

    monkeypatch.setattr(submission_cache, "load_submissions", slow)
    yield began, go_on
    go_on.set()


def _stored_and_claimed(database: Database) -> tuple[SubmissionView, SubmissionView]:
    """s-1 as stored, and as the window shows it once its claim is written."""
    with database.session() as session:
        stored = load_submission(session, "s-1")
    assert stored is not None
    return stored, replace(stored, status="in_review", assigned_to="u-1")


def test_neighbours_are_read_in_one_go_once_too_few_are_known(
    qtbot: QtBot,
    db: Database,  # noqa: F811
    reads: Operations,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with db.session() as session:
        for n in (2, 3, 4):
            upsert_submission(session, factories.submission(f"s-{n}"))
    asked: list[list[str]] = []

    def counted(session: Session, ids: Sequence[str]) -> dict[str, SubmissionView]:
        asked.append(list(ids))
        return submission_view.load_submissions(session, ids)

    monkeypatch.setattr(submission_cache, "load_submissions", counted)
    cache = SubmissionCache(db, reads)
    cache.prefetch(["s-1", "s-2", "s-3", "s-404"], enough=2)
    qtbot.waitUntil(lambda: reads.is_idle)
    assert asked == [["s-1", "s-2", "s-3", "s-404"]]  # one read for all
    for sid in ("s-1", "s-2", "s-3"):
        with db.session() as session:
            assert cache.get(sid) == load_submission(session, sid)
    assert cache.get("s-404") is None  # not in the store: nothing kept
    cache.prefetch(["s-1", "s-2", "s-4"], enough=2)  # the nearest two are known
    qtbot.waitUntil(lambda: reads.is_idle)
    assert len(asked) == 1
    cache.forget(["s-2"])  # changed: the nearest are no longer all known
    cache.prefetch(["s-1", "s-2", "s-4"], enough=2)
    qtbot.waitUntil(lambda: reads.is_idle)
    assert asked[1:] == [["s-2", "s-4"]]  # what is not known, in one read


def test_a_read_begun_before_a_change_does_not_bring_the_old_state_back(
    qtbot: QtBot,
    db: Database,  # noqa: F811
    reads: Operations,
    held: tuple[threading.Event, threading.Event],
) -> None:
    began, go_on = held
    cache = SubmissionCache(db, reads)
    cache.prefetch(["s-1"], enough=1)
    assert began.wait(5)
    cache.forget(["s-1"])  # a sync changed it while the read was on its way
    go_on.set()
    qtbot.waitUntil(lambda: reads.is_idle)
    assert cache.get("s-1") is None  # read again before it is shown

    # the same for a view the window put itself (a claim applied to it) meanwhile
    began.clear()
    go_on.clear()
    cache.forget(["s-1"])
    cache.prefetch(["s-1"], enough=1)
    assert began.wait(5)
    stored, claimed = _stored_and_claimed(db)
    cache.put(claimed)
    go_on.set()
    qtbot.waitUntil(lambda: reads.is_idle)
    assert cache.get("s-1") == claimed

    # and a read begun after the change is kept
    began.clear()
    cache.forget(["s-1"])
    cache.prefetch(["s-1"], enough=1)
    qtbot.waitUntil(lambda: reads.is_idle)
    assert cache.get("s-1") == stored


def test_an_open_shows_what_is_known_newest_when_its_read_comes_back(
    qtbot: QtBot,
    db: Database,  # noqa: F811
    reads: Operations,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The claim written while the submission was being read is applied to what the read
    found: the screen shows it claimed, not the state the read began with."""
    began, go_on = threading.Event(), threading.Event()

    def slow(session: Session, submission_id: str) -> SubmissionView | None:
        began.set()
        go_on.wait(5)
        return load_submission(session, submission_id)

    monkeypatch.setattr(submission_cache, "load_submission", slow)
    cache = SubmissionCache(db, reads)
    shown: list[SubmissionView | None] = []
    cache.read("s-1", shown.append)
    assert began.wait(5)
    _, claimed = _stored_and_claimed(db)
    cache.put(claimed)
    go_on.set()
    qtbot.waitUntil(lambda: reads.is_idle)
    assert shown == [claimed]
