"""Background operations on the store, so the GUI thread never waits on SQLite.

The pattern of Anki's ``CollectionOp`` and Picard's ``run_task``/``to_main``: a slot hands
plain-Python work (a `ReviewSession` call, a query) to `Operations.run`; it runs on the
operations' own thread, in order; its result (or a sentence saying why it failed) comes
back to a callback on the GUI thread through a queued signal, followed by ``changed``
with the submissions it touched, which each view uses to refresh itself.

A window keeps two: one for writes (claims, decisions, undo, overrides, reassignment; in
order, so a claim lands before the decision made after it) and one for reads, so showing
the next submission never waits behind a write held up by a sync pass's lock.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal
from sqlalchemy.exc import OperationalError

from coi_desktop.review.decisions import DecisionError

log = logging.getLogger(__name__)

BUSY_STORE = (
    "The local store is busy (another program is writing to it); nothing was lost — "
    "try again in a moment."
)


def failure_sentence(label: str, exc: BaseException) -> str:
    """What the reviewer reads when an operation fails: a sentence, never a traceback."""
    if isinstance(exc, DecisionError):
        return str(exc)
    if isinstance(exc, OperationalError) and "locked" in str(exc).lower():
        return BUSY_STORE
    if isinstance(exc, OSError):  # a full disk, a folder not writable: the system's words
        return f"Could not {label}: {exc.strerror or exc}."
    return f"Could not {label}: an unexpected error (the log has the details)."


@dataclass
class _Job:
    label: str  # "save the decision": said while it runs and when it fails
    work: Callable[[], Any]
    done: Callable[[Any], None] | None
    failed: Callable[[str], None] | None
    changes: Callable[[Any], Iterable[str]] | None
    quiet: bool  # reads: no status text (they take milliseconds and run all the time)


class _Runner(QThread):
    """Runs jobs one after the other; each result goes back as a queued signal."""

    finished_job = Signal(object, object, object)  # job, result, exception or None

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.jobs: queue.Queue[_Job | None] = queue.Queue()

    def run(self) -> None:
        while (job := self.jobs.get()) is not None:
            try:
                result = job.work()
            except Exception as exc:  # reported to the GUI as a sentence; the thread lives on
                if not isinstance(exc, DecisionError):
                    log.exception("operation %r failed", job.label)
                self.finished_job.emit(job, None, exc)
                continue
            self.finished_job.emit(job, result, None)


class Operations(QObject):
    """A queue of background operations with results delivered on the GUI thread."""

    changed = Signal(list)  # ids of submissions an operation changed
    busy_changed = Signal(str)  # what runs now ("Saving the decision…"), "" when idle
    idle = Signal()  # nothing waiting or running (tests wait on it)
    failed = Signal(str)  # the sentence of a failure no ``failed`` callback took

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = _Runner(name, self)
        self._runner.finished_job.connect(self._finished)  # queued: the runner is a thread
        self._pending: list[_Job] = []
        self._stopped = False
        # Requests coalesced by key until their queued operation starts (run_batched,
        # run_latest): added on the GUI thread, taken on the runner's, hence the lock.
        self._batches: dict[str, list[Any]] = {}
        self._latest: dict[
            str,
            tuple[Callable[[], Any], Callable[[Any], None] | None, Callable[[str], None] | None],
        ] = {}
        self._coalesce_lock = threading.Lock()

    @property
    def is_idle(self) -> bool:
        return not self._pending

    def run(
        self,
        label: str,
        work: Callable[[], Any],
        *,
        done: Callable[[Any], None] | None = None,
        failed: Callable[[str], None] | None = None,
        changes: Callable[[Any], Iterable[str]] | None = None,
        quiet: bool = False,
    ) -> None:
        """Run ``work()`` off the GUI thread; then ``done(result)`` or ``failed(sentence)``
        on the GUI thread, and ``changed`` with ``changes(result)``."""
        if self._stopped:
            return
        job = _Job(label, work, done, failed, changes, quiet)
        self._pending.append(job)
        if not self._runner.isRunning():
            self._runner.start()
        self._runner.jobs.put(job)
        self._say_busy()

    def run_batched(
        self,
        label: str,
        key: str,
        item: Any,
        work: Callable[[list[Any]], Any],
        *,
        done: Callable[[Any], None] | None = None,
    ) -> None:
        """Add ``item`` to the batch ``key``: ``work(items)`` runs once, as one operation,
        for every item added before it starts (claims made while J is held down: one
        transaction for all, not one each). It keeps its place in the queue: an operation
        run after an item was added runs after that item's batch."""
        with self._coalesce_lock:
            batch = self._batches.setdefault(key, [])
            batch.append(item)
            if len(batch) > 1:
                return  # joins the batch already waiting in the queue

        def take() -> Any:
            with self._coalesce_lock:
                items = self._batches.pop(key)
            return work(items)

        self.run(label, take, done=done)

    def run_latest(
        self,
        label: str,
        key: str,
        work: Callable[[], Any],
        *,
        done: Callable[[Any], None] | None = None,
        failed: Callable[[str], None] | None = None,
    ) -> None:
        """Run ``work`` unless another with the same ``key`` is asked for before it starts:
        then only the newest runs, with its ``done`` or ``failed`` (typing in the search box
        asks again and again; only the last question is worth a query). Quiet: reads."""
        with self._coalesce_lock:
            waiting = key in self._latest
            self._latest[key] = (work, done, failed)
        if waiting:
            return  # the operation already queued will run this one instead
        taken: list[tuple[Callable[[Any], None] | None, Callable[[str], None] | None]] = []

        def take() -> Any:
            with self._coalesce_lock:
                newest, then, otherwise = self._latest.pop(key)
            taken.append((then, otherwise))  # read on the GUI thread once this has ended
            return newest()

        def answer(result: Any) -> None:
            then = taken[0][0]
            if then is not None:
                then(result)

        def refused(sentence: str) -> None:
            otherwise = taken[0][1] if taken else None
            if otherwise is not None:
                otherwise(sentence)
            else:
                self.failed.emit(sentence)

        self.run(label, take, done=answer, failed=refused, quiet=True)

    def _finished(self, job: _Job, result: object, error: BaseException | None) -> None:
        if self._stopped:
            return
        if job in self._pending:
            self._pending.remove(job)
        if error is not None:
            sentence = failure_sentence(job.label, error)
            if job.failed is not None:
                job.failed(sentence)
            else:
                self.failed.emit(sentence)
        else:
            if job.done is not None:
                job.done(result)
            ids = list(job.changes(result)) if job.changes is not None else []
            if ids:
                self.changed.emit(ids)
        self._say_busy()
        if not self._pending:
            self.idle.emit()

    def _say_busy(self) -> None:
        loud = [job for job in self._pending if not job.quiet]
        self.busy_changed.emit(f"{loud[0].label[0].upper()}{loud[0].label[1:]}…" if loud else "")

    def stop(self, *, finish: bool = False) -> None:
        """Join the thread: after every job queued (``finish``: writes the reviewer made must
        reach the store), or after the one in hand (reads nobody will look at)."""
        self._stopped = True
        self._pending.clear()
        while not finish:  # reads not yet started are dropped
            try:
                self._runner.jobs.get_nowait()
            except queue.Empty:
                break
        self._runner.jobs.put(None)
        self._runner.wait()
