"""The sync panel: outbox items with state, attempts and the server's reason; *Retry now*."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coi_desktop.database import Database
from coi_desktop.sync import outbox
from coi_desktop.sync.engine import SyncStatus
from coi_desktop.sync.outbox import OutboxRow
from coi_desktop.ui.operations import Operations

Index = QModelIndex | QPersistentModelIndex

STATE_TEXT = {
    "pending": "Waiting to send",
    "conflict": "Conflict — needs you",
    "failed": "Refused — needs you",
    "delivered": "Sent",
}
STAGE_TEXT = {"tracker": "to the tracker", "procore": "to Procore", "done": ""}
KIND_TEXT = {"decision": "Decision", "claim": "Claim", "assign": "Assignment"}


class OutboxTableModel(QAbstractTableModel):
    COLUMNS = ("Submission", "Vendor", "What", "State", "Attempts", "Next try", "Reason")

    def __init__(
        self, database: Database, parent: Any = None, *, reads: Operations | None = None
    ) -> None:
        """With ``reads`` (the window's) the outbox is read off the GUI thread."""
        super().__init__(parent)
        self.database = database
        self._reads = reads
        self._rows: list[OutboxRow] = []

    def reload(self) -> None:
        if self._reads is None:
            self._show(self._read())
            return
        self._reads.run("read the outbox", self._read, done=self._show, quiet=True)

    def _read(self) -> list[OutboxRow]:
        with self.database.session() as session:
            return outbox.outbox_rows(session)

    def _show(self, rows: list[OutboxRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def row_at(self, row: int) -> OutboxRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 — Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.row_at(index.row()) if index.isValid() else None
        if item is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == 6:
            return item.last_error
        if role == Qt.ItemDataRole.UserRole:
            return item.id
        return None

    @staticmethod
    def _text(item: OutboxRow, column: int) -> str:
        if column == 0:
            return item.submission_id
        if column == 1:
            return item.vendor
        if column == 2:
            stage = STAGE_TEXT.get(item.stage, "") if item.state == "pending" else ""
            return f"{KIND_TEXT.get(item.kind, item.kind)} {stage}".strip()
        if column == 3:
            return STATE_TEXT.get(item.state, item.state)
        if column == 4:
            return str(item.attempts)
        if column == 5:
            if item.state != "pending" or item.next_attempt_at is None:
                return ""
            return item.next_attempt_at.astimezone().strftime("%H:%M:%S")
        if column == 6:
            return item.last_error or ""
        return ""


class SyncPanel(QWidget):
    """Shown by the main window (a dock or a tab); ``retry_requested`` carries an item id."""

    retry_requested = Signal(str)

    def __init__(
        self,
        database: Database,
        parent: QWidget | None = None,
        *,
        reads: Operations | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.model = OutboxTableModel(database, self, reads=reads)
        self.status_label = QLabel("")
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.horizontalHeader().setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.view.verticalHeader().hide()
        self.retry_button = QPushButton("Retry now")
        self.retry_button.setToolTip("Send the selected waiting or refused item at the next pass")
        self.retry_button.clicked.connect(self._retry_selected)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.reload)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.retry_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.view)
        self.reload()

    def reload(self) -> None:
        self.model.reload()

    def show_status(self, status: object) -> None:
        """Slot for ``SyncWorker.status_changed``."""
        if isinstance(status, SyncStatus):
            settled = not (status.waiting or status.conflicts or status.failed)
            # An empty list must not read as "nothing loaded": say that all went through.
            tail = " · every decision is delivered" if settled else ""
            self.status_label.setText(status.summary() + tail)
            if status.state != "syncing":
                self.reload()

    def selected_item_id(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.model.row_at(rows[0].row())
        return item.id if item else None

    def _retry_selected(self) -> None:
        item_id = self.selected_item_id()
        if item_id is None:
            return
        if outbox.retry_now(self.database, item_id):
            self.retry_requested.emit(item_id)
        else:
            self.status_label.setText(
                "A conflict is not resent as it is: open the submission and decide again."
            )
        self.reload()
