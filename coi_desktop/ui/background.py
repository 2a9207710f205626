"""Background work for the window that is not a request and its answer: preparing
submissions, and noticing what other processes wrote. (Reads and writes asked for by the
window, the queue's pages and counts among them, are `ui/operations.py`'s.)

Each runs off the GUI thread with its own database sessions and reports plain data
back through queued signals.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from coi_desktop.database import Database
from coi_desktop.documents import DocumentStore

log = logging.getLogger(__name__)


class PreparationThread(QThread):
    """Extracts and pre-checks waiting submissions, one at a time, until none is left; then
    sleeps until poked (a sync brought some, the reviewer opened one not prepared)."""

    prepared = Signal(list)  # submission ids whose checklist (or extraction) changed
    busy_changed = Signal(bool)

    def __init__(
        self,
        database: Database,
        store: DocumentStore,
        today: Callable[[], date] = date.today,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("prepare")
        self._wake = threading.Event()
        self._stopping = False
        self._database = database
        self._store = store
        self._today = today
        self._first: str | None = None  # the submission on screen: prepared before the rest
        self._pool: ProcessPoolExecutor | None = None

    def prepare_first(self, submission_id: str) -> None:
        """The reviewer opened a submission that has no checklist yet: do it next."""
        self._first = submission_id
        self.poke()

    def poke(self) -> None:
        """New submissions may be waiting (sync brought some)."""
        self._wake.set()
        if not self.isRunning() and not self._stopping:
            self.start()

    def run(self) -> None:
        while not self._stopping:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                break
            self._work()

    def _work(self) -> None:
        self.busy_changed.emit(True)
        try:
            self._drain()
        except Exception:  # the window must outlive a broken extractor
            log.exception("background preparation stopped")
        finally:
            self.busy_changed.emit(False)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self.wait()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _drain(self) -> None:
        from coi_desktop.review import pipeline  # the queue query only; extraction is elsewhere

        tried: set[str] = set()
        while not self._stopping:
            first, self._first = self._first, None
            with self._database.session() as session:
                waiting = [s for s in pipeline.waiting_submissions(session, 50) if s not in tried]
            if first is not None and first not in tried and first in waiting:
                waiting.insert(0, first)
            if not waiting:
                return
            submission_id = waiting[0]
            tried.add(submission_id)
            changed, problem = self._prepare(submission_id)
            if problem:
                log.warning("could not prepare %s: %s", submission_id, problem)
            if changed:
                self.prepared.emit([submission_id])

    def _prepare(self, submission_id: str) -> tuple[bool, str | None]:
        """Extraction and pre-check in a child process.

        PyMuPDF holds the GIL for the whole of a call: a 5 MB form field read on this
        thread froze the window for seconds. The child opens the same store by path and
        writes its results itself; this thread only waits (GIL released) for the answer.
        """
        if self._pool is None:
            # spawn, not fork: this process runs Qt threads a forked child must not inherit.
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        future = self._pool.submit(
            prepare_in_child,
            str(self._database.path),
            str(self._store.root),
            submission_id,
            self._today(),
        )
        try:
            return future.result()
        except BrokenProcessPool as exc:  # the child died (out of memory, killed)
            self._pool = None
            return False, f"the preparing process stopped: {exc}"


_child_stores: dict[tuple[str, str], tuple[Database, DocumentStore]] = {}


def prepare_in_child(
    database_path: str, store_root: str, submission_id: str, today: date
) -> tuple[bool, str | None]:
    """Runs in the preparation child: (checklist or extraction changed, problem)."""
    from coi_desktop.database import open_database
    from coi_desktop.review import pipeline

    key = (database_path, store_root)
    if key not in _child_stores:
        _child_stores[key] = (
            open_database(Path(database_path), migrate=False),
            DocumentStore(Path(store_root)),
        )
    database, store = _child_stores[key]
    result = pipeline.prepare(database, store, submission_id, today)
    return bool(result.checked or result.extracted), result.problem


class StoreWatcher(QThread):
    """Notices what other processes (and other connections) wrote to the store.

    The CLI can decide, claim or sync while the window is open; without this the window
    shows what it read last and a decision could be made on a stale view. SQLite's
    ``data_version`` is read every ``interval_ms`` (a pragma, no table read); only when
    it moves are the changed submissions looked up.
    """

    changed = Signal(list)  # ids of submissions changed since the last report

    def __init__(
        self, database: Database, interval_ms: int = 1000, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("store-watch")
        self._database = database
        self._interval = interval_ms / 1000
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()
        self.wait()

    def run(self) -> None:
        from coi_desktop.store_changes import DataVersion, changed_since, current_mark

        probe = DataVersion(self._database.path)
        try:
            seen = probe.read()
            with self._database.session() as session:
                mark = current_mark(session)
            while not self._stopping.wait(self._interval):
                try:
                    version = probe.read()
                    if version == seen:
                        continue
                    seen = version
                    with self._database.session() as session:
                        mark, ids = changed_since(session, mark)
                except Exception:  # a locked or busy store: look again next time
                    log.exception("could not read the store's changes")
                    continue
                if ids:
                    self.changed.emit(ids)
        finally:
            probe.close()
