"""The window's side of sync: starts and stops the worker thread, shows its state, owns the panel.

The sync engine itself is plain Python (`coi_desktop.sync.engine`); `SyncWorker` runs it on
its own thread. This controller plugs the worker's queued signals into the status bar's
indicator, the sync panel (made the first time it is shown) and the window.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

from coi_desktop.sync.engine import SyncEngine, SyncStatus, config_for
from coi_desktop.ui import theme
from coi_desktop.ui.operations import Operations
from coi_desktop.ui.sync_panel import SyncPanel
from coi_desktop.ui.sync_worker import SyncWorker, start_sync_thread, stop_sync_thread
from coi_desktop.workspace import Workspace

log = logging.getLogger(__name__)


def status_text(status: SyncStatus | str) -> str:
    text = status.summary() if isinstance(status, SyncStatus) else status
    return text if text.lower().startswith("sync") else f"Sync: {text}"


def status_shade(status: SyncStatus | str) -> str | None:
    """'overdue' (red) when a person is needed, 'soon' (amber) when sync cannot run."""
    if not isinstance(status, SyncStatus):
        return None
    if status.conflicts or status.failed or status.state in ("error", "failed", "conflict"):
        return "overdue"
    if status.state in ("offline", "signed_out", "not_configured"):
        return "soon"
    return None


class SyncController(QObject):
    """One sync worker at a time, its thread, its status-bar label and its panel."""

    status_changed = Signal(object)  # SyncStatus (or a sentence), after the label shows it
    submissions_changed = Signal(list)  # ids a pass changed
    warning = Signal(str)  # a sentence for the status bar

    def __init__(self, workspace: Workspace, window: QMainWindow, reads: Operations) -> None:
        super().__init__(window)
        self._workspace = workspace
        self._reads = reads
        self._window = window
        self.worker: SyncWorker | None = None
        self.worker_thread: QThread | None = None
        self._retired: list[tuple[SyncWorker, QThread]] = []
        self.panel: SyncPanel | None = None
        self.dock: QDockWidget | None = None
        self._last_status: SyncStatus | None = None  # the newest word from the worker
        self.label = QLabel("Sync: not running")
        self.label.setObjectName("sync_label")
        self.label.setToolTip("Sync with the tracker and Procore (Ctrl+Shift+Y shows the panel)")

    # ------------------------------------------------------------ the worker

    def start(self) -> None:
        """Run the sync engine on its own thread (the real app; tests plug in their own)."""
        try:
            engine = SyncEngine(
                self._workspace.database,
                self._workspace.documents,
                # The window prepares submissions on its own thread (the one the reviewer
                # opened first); a pass of the sync loop only moves data, so a decision
                # waits for no extraction before it is sent.
                config_for(
                    self._workspace.connection, self._workspace.credentials, prepare_limit=0
                ),
                credentials=self._workspace.credentials,
            )
            worker = SyncWorker(engine)
            self.attach(worker)
            self.worker_thread = start_sync_thread(worker)
        except Exception:
            log.exception("sync could not be started")
            self.show_status("Sync could not start (see the log)")

    def restart(self) -> None:
        """New settings: the new connection takes effect now (when sync was running)."""
        if self.worker is not None:
            self.stop(wait=False)
            self.start()

    def stop(self, *, wait: bool) -> None:
        """Stop the sync loop; on restart without waiting, the old thread is joined at exit."""
        worker, thread = self.worker, self.worker_thread
        self.worker = self.worker_thread = None
        if worker is None:
            return
        worker.status_changed.disconnect(self.show_status)
        worker.submissions_changed.disconnect(self.submissions_changed)
        worker.warning.disconnect(self.warning)
        if thread is None:
            return
        if wait:
            stop_sync_thread(worker, thread)
            return
        QMetaObject.invokeMethod(worker, "stop", Qt.ConnectionType.QueuedConnection)
        thread.quit()
        self._retired.append((worker, thread))

    def attach(self, worker: SyncWorker) -> None:
        """Plug in a sync worker (a QObject on its own thread): status, changes, warnings."""
        self.worker = worker
        worker.status_changed.connect(self.show_status)
        worker.submissions_changed.connect(self.submissions_changed)
        worker.warning.connect(self.warning)
        self._connect_panel()

    def request_sync(self) -> None:
        """Ask for a pass now rather than at the next timed one (safe without a worker)."""
        if self.worker is not None:
            self.worker.request_sync()

    def shutdown(self) -> None:
        """Stop and join every sync thread this controller started."""
        if self.worker_thread is not None:
            self.stop(wait=True)
        for _worker, thread in self._retired:
            thread.wait()
        self._retired.clear()

    # ------------------------------------------------------------ the panel and the label

    def ensure_panel(self) -> QDockWidget:
        """The sync panel's dock, made on first use."""
        if self.dock is not None:
            return self.dock
        self.panel = SyncPanel(self._workspace.database, reads=self._reads)
        dock = QDockWidget("Sync", self._window)
        dock.setObjectName("sync_dock")
        dock.setWidget(self.panel)
        dock.hide()
        self._window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self._window.resizeDocks([dock], [200], Qt.Orientation.Vertical)
        self.dock = dock
        self.panel.retry_requested.connect(lambda _item: self.request_sync())
        self._connect_panel()
        if self._last_status is not None:  # what the status bar says, until the next pass
            self.panel.show_status(self._last_status)
        return dock

    def _connect_panel(self) -> None:
        if self.panel is not None and self.worker is not None:
            self.worker.status_changed.connect(self.panel.show_status)
            self.worker.outbox_changed.connect(self.panel.reload)

    def reload_panel(self) -> None:
        if self.panel is not None:
            self.panel.reload()

    def show_status(self, status: SyncStatus | str) -> None:
        """The status bar's sync indicator: a `SyncStatus` from the worker, or plain text."""
        if isinstance(status, SyncStatus):
            self._last_status = status
        self.label.setText(status_text(status))
        if isinstance(status, SyncStatus) and status.message:
            self.label.setToolTip(status.message)
        shade = status_shade(status)
        self.label.setStyleSheet(
            f"color: {theme.urgency_color(shade).name()}; font-weight: bold;" if shade else ""
        )
        self.status_changed.emit(status)
