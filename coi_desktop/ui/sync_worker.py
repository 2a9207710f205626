"""The one Qt seam of sync: runs the plain-Python SyncEngine on its own thread.

``SyncWorker`` is moved to a QThread; a single-shot timer schedules the next pass (sooner
when the outbox has work due, later while offline), ``request_sync()`` asks for one now,
and ``stop_sync_thread`` stops and joins cleanly. Results come back as queued signals.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from coi_desktop.sync.engine import SyncEngine, SyncStatus

log = logging.getLogger(__name__)


class SyncWorker(QObject):
    status_changed = Signal(object)  # SyncStatus
    submissions_changed = Signal(list)  # ids of submissions the pass changed
    warning = Signal(str)  # a sentence for the reviewer (withdrawn, reassigned, sign in …)
    outbox_changed = Signal()  # the sync panel reloads
    sync_requested = Signal()  # emitted from any thread; handled on the worker's thread

    def __init__(
        self,
        engine: SyncEngine,
        *,
        interval_ms: int = 30_000,
        offline_interval_ms: int = 15_000,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.interval_ms = interval_ms
        self.offline_interval_ms = offline_interval_ms
        self._timer: QTimer | None = None
        self._stopped = False
        self.passes = 0
        # Queued: whoever emits, the pass runs on the thread the worker lives on.
        self.sync_requested.connect(self.sync_now, Qt.ConnectionType.QueuedConnection)

    # -- called from the GUI thread ----------------------------------------------------

    def request_sync(self) -> None:
        """Sync as soon as the worker is free (safe from the GUI thread)."""
        self.sync_requested.emit()

    # -- runs on the worker thread -----------------------------------------------------

    @Slot()
    def start(self) -> None:
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.sync_now)
        self.status_changed.emit(self.engine.status())
        self._timer.start(0)

    @Slot()
    def sync_now(self) -> None:
        if self._stopped:
            return
        if self._timer is not None:
            self._timer.stop()
        before = self.engine.status()
        self.status_changed.emit(
            SyncStatus(
                "syncing", before.waiting, before.conflicts, before.failed, before.last_success
            )
        )
        try:
            report = self.engine.run_once()
        except Exception as exc:  # never let the loop die; say what happened
            log.exception("sync pass failed")
            self.warning.emit(f"Sync stopped on an unexpected error: {exc}")
            self._schedule(self.offline_interval_ms)
            return
        self.passes += 1
        for event in report.events:
            self.warning.emit(event.message)
        for why in report.stopped.values():
            self.warning.emit(why)
        changed = self.engine.changed_submissions(report)
        if changed:
            self.submissions_changed.emit(changed)
        self.outbox_changed.emit()
        self.status_changed.emit(report.status)
        if report.status.state == "offline":
            self._schedule(self.offline_interval_ms)
            return
        due = self.engine.seconds_until_due()
        wait = self.interval_ms if due is None else min(self.interval_ms, int(due * 1000) + 50)
        self._schedule(max(wait, 200))

    def _schedule(self, ms: int) -> None:
        if self._timer is not None and not self._stopped:
            self._timer.start(ms)

    @Slot()
    def stop(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.stop()
        self.engine.close()


def start_sync_thread(worker: SyncWorker) -> QThread:
    """Move ``worker`` to a new thread and start its loop; keep the thread to stop it."""
    thread = QThread()
    thread.setObjectName("coi-sync")
    worker.moveToThread(thread)
    thread.started.connect(worker.start)
    thread.start()
    return thread


def stop_sync_thread(worker: SyncWorker, thread: QThread, timeout_ms: int = 30_000) -> bool:
    """Stop the loop (after the pass in progress, if any) and join the thread."""
    if thread.isRunning():
        from PySide6.QtCore import QMetaObject

        QMetaObject.invokeMethod(worker, "stop", Qt.ConnectionType.BlockingQueuedConnection)
        thread.quit()
        return thread.wait(timeout_ms)
    return True
