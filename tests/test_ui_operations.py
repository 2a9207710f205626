"""Background operations: work off the GUI thread, results and failures back on it, in order."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy.exc import OperationalError

from coi_desktop.review.decisions import DecisionError
from coi_desktop.ui.operations import BUSY_STORE, Operations


@pytest.fixture
def operations() -> Iterator[Operations]:
    ops = Operations("test-ops")
    yield ops
    ops.stop(finish=True)


def test_work_runs_off_the_gui_thread_in_order_and_reports_back_on_it(
    qtbot: QtBot, operations: Operations
) -> None:
    ran_on: list[bool] = []
    results: list[tuple[int, bool]] = []
    changed: list[list[str]] = []
    operations.changed.connect(changed.append)

    def work(n: int) -> int:
        ran_on.append(threading.current_thread() is threading.main_thread())
        return n

    def done(r: int) -> None:
        results.append((r, threading.current_thread() is threading.main_thread()))

    def changes(r: int) -> list[str]:
        return [f"s-{r}"] if r == 3 else []

    for n in range(5):
        operations.run("count", functools.partial(work, n), done=done, changes=changes)
    assert not operations.is_idle
    qtbot.waitUntil(lambda: operations.is_idle)
    assert ran_on == [False] * 5
    assert results == [(n, True) for n in range(5)]
    assert changed == [["s-3"]]


def test_failures_are_sentences_never_tracebacks(qtbot: QtBot, operations: Operations) -> None:
    heard: list[str] = []
    unclaimed: list[str] = []
    operations.failed.connect(unclaimed.append)

    def refuse() -> None:
        raise DecisionError("A rejection needs a note saying why.")

    def locked() -> None:
        raise OperationalError("UPDATE submissions", {}, Exception("database is locked"))

    def broken() -> None:
        raise ZeroDivisionError

    def disk_full() -> None:
        raise OSError(28, "No space left on device")

    operations.run("save the decision", refuse, failed=heard.append)
    operations.run("save the decision", locked, failed=heard.append)
    operations.run("write /tmp/team.pdf", disk_full, failed=heard.append)
    operations.run("claim the submission", broken)  # nobody took it: the failed signal says it
    qtbot.waitUntil(lambda: operations.is_idle)
    assert heard == [
        "A rejection needs a note saying why.",
        BUSY_STORE,
        "Could not write /tmp/team.pdf: No space left on device.",
    ]
    assert unclaimed == [
        "Could not claim the submission: an unexpected error (the log has the details)."
    ]


def test_busy_text_says_what_runs(qtbot: QtBot, operations: Operations) -> None:
    said: list[str] = []
    operations.busy_changed.connect(said.append)
    gate = threading.Event()
    operations.run("save the decision", gate.wait)
    assert said[-1] == "Save the decision…"
    gate.set()
    qtbot.waitUntil(lambda: operations.is_idle)
    assert said[-1] == ""


def test_a_batch_takes_every_item_added_before_it_runs_and_keeps_its_place(
    qtbot: QtBot, operations: Operations
) -> None:
    """J held down claims each submission it opens: those opened while a claim waits are
    written by that one operation, and what was queued after them still runs after."""
    release = threading.Event()
    order: list[object] = []
    operations.run("hold", lambda: release.wait(5), done=lambda _: order.append("held"))
    batches: list[list[str]] = []

    def claim_all(ids: list[str]) -> list[str]:
        batches.append(ids)
        return ids

    for sid in ("s-1", "s-2", "s-3"):
        operations.run_batched("claim", "claims", sid, claim_all, done=order.append)
    operations.run("decide", lambda: "decided", done=order.append)
    release.set()
    qtbot.waitUntil(lambda: operations.is_idle)
    assert batches == [["s-1", "s-2", "s-3"]]
    assert order == ["held", ["s-1", "s-2", "s-3"], "decided"]
    # a batch already taken does not swallow what comes after it: a new one starts
    operations.run_batched("claim", "claims", "s-4", claim_all, done=order.append)
    qtbot.waitUntil(lambda: operations.is_idle)
    assert batches[-1] == ["s-4"]


def test_only_the_newest_request_waiting_is_read(qtbot: QtBot, operations: Operations) -> None:
    """Typing in the search box asks for a page on every key: those asked for while one is
    read give way to the last, which alone runs and answers."""
    release = threading.Event()
    read: list[str] = []
    answered: list[tuple[str, str]] = []

    def page(text: str) -> str:
        read.append(text)
        if text == "a":
            release.wait(5)
        return text.upper()

    def ask(text: str) -> None:
        def done(rows: str) -> None:
            answered.append((text, rows))

        operations.run_latest("read the queue", "page", functools.partial(page, text), done=done)

    ask("a")
    qtbot.waitUntil(lambda: read == ["a"])  # being read: it will answer
    for text in ("ac", "acm", "acme"):
        ask(text)
    release.set()
    qtbot.waitUntil(lambda: operations.is_idle)
    assert read == ["a", "acme"]
    assert answered == [("a", "A"), ("acme", "ACME")]
