"""What the document pane says instead of pages: nothing open yet, or why a file is not shown."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

NOTHING_OPEN = "Open a submission from the queue to see its documents."


class ProblemNotice(QLabel):
    """Why this file cannot be shown, and what the reviewer can still do."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setMargin(24)
        self.setAccessibleName("Document problem")

    def say(self, name: str, reason: str) -> None:
        self.setText(
            f"<p style='font-size:large'><b>{escape(name)} cannot be shown.</b></p>"
            f"<p>{escape(reason)}</p>"
            "<p>You can still reject the submission (Ctrl+3) with a note saying why.</p>"
        )


def nothing_open() -> QLabel:
    label = QLabel(NOTHING_OPEN)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label
