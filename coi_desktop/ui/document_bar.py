"""The line above the pages: which file of the submission, which page, what zoom."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from coi_desktop.page_layout import ZoomMode, zoom_text


class DocumentBar(QWidget):
    chosen = Signal(int)  # the index of the file the reviewer picked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        bar = QHBoxLayout(self)
        bar.setContentsMargins(6, 3, 6, 3)
        self.files = QComboBox()
        self.files.setToolTip("Files of this submission")
        self.files.setAccessibleName("Document")
        self.files.activated.connect(self.chosen)
        self.page_label = QLabel("")
        self.page_label.setToolTip("Current page / pages")
        self.zoom_label = QLabel("")
        self.zoom_label.setToolTip("Zoom (Ctrl+= / Ctrl+-, Ctrl+0 fit width, Ctrl+9 fit page)")
        bar.addWidget(self.files, 1)
        bar.addStretch(0)
        bar.addWidget(self.page_label)
        bar.addSpacing(12)
        bar.addWidget(self.zoom_label)

    def set_files(self, names: list[tuple[str, str]]) -> None:
        """(file name, document id) per file; the picker shows only when there are several."""
        self.files.clear()
        for name, doc_id in names:
            self.files.addItem(name, doc_id)
        self.files.setVisible(len(names) > 1)

    def select(self, index: int) -> None:
        self.files.setCurrentIndex(index)

    def show_page(self, page: int, count: int) -> None:
        self.page_label.setText(f"Page {page} of {count}")

    def show_zoom(self, zoom: float, mode: ZoomMode) -> None:
        self.zoom_label.setText(zoom_text(zoom, mode))

    def clear_status(self) -> None:
        self.page_label.setText("")
        self.zoom_label.setText("")
