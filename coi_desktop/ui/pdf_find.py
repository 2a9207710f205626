"""The find bar above the document: what to look for, and stepping through the hits.

The search itself runs in the PDF child (the viewer sends it); this bar keeps the hits
and says which one is shown.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from coi_desktop.page_layout import Rect


class FindBar(QWidget):
    search_requested = Signal(str)  # the text as typed
    hit_shown = Signal(int, object)  # page (0-based), rectangle in points: scroll to it
    changed = Signal()  # the hits or the one shown changed: repaint
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(
            "Find in document — Enter: next, Shift+Enter: previous, Esc: close"
        )
        self.edit.setClearButtonEnabled(True)
        self.edit.setAccessibleName("Find in document")
        self.edit.returnPressed.connect(self._next_or_search)
        self.label = QLabel("")
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Close find (Esc)")
        close.clicked.connect(lambda: self.closed.emit())
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.label)
        layout.addWidget(close)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.edit, self.closed.emit)
        QShortcut(QKeySequence("Shift+Return"), self.edit, lambda: self.step(-1))
        self.hits: list[tuple[int, Rect]] = []
        self.index = -1  # the hit shown

    def open(self) -> None:
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def dismiss(self) -> None:
        self.hide()
        self.reset()

    def reset(self) -> None:
        self.hits, self.index = [], -1
        self.label.setText("")
        self.changed.emit()

    def show_hits(self, text: str, hits: list[tuple[int, list[Rect]]]) -> None:
        """The child's answer (rectangles by page) for ``text``: show the first hit."""
        self.hits = [(page, rect) for page, rects in hits for rect in rects]
        self.index = -1
        self.label.setProperty("text_for", text)
        if not self.hits:
            self.label.setText(f"No “{text}” in this document")
            self.changed.emit()
            return
        self.step(+1)

    def step(self, step: int) -> None:
        if not self.hits:
            return
        self.index = (self.index + step) % len(self.hits)
        self.label.setText(f"{self.index + 1} of {len(self.hits)}")
        page, rect = self.hits[self.index]
        self.hit_shown.emit(page, rect)
        self.changed.emit()

    def _next_or_search(self) -> None:
        if self.hits and self.label.property("text_for") == self.edit.text().strip():
            self.step(+1)
        else:
            self.search_requested.emit(self.edit.text())
