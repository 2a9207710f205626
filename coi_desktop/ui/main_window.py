"""The main window (a first version: the queue over the local store)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow

from coi_desktop.queue import QueueFilter, count_queue
from coi_desktop.workspace import Workspace


class MainWindow(QMainWindow):
    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.setWindowTitle("COI Desk")
        with workspace.database.session() as session:
            total = count_queue(session, QueueFilter(view="open"))
        self.setCentralWidget(QLabel(f"{total} open submissions in the queue."))
        self.resize(1366, 768)
