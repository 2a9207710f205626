"""Choosing who gets submissions: every team member by name, with the work they hold now."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class TeamMember:
    user_id: str
    name: str
    assigned_open: int = 0
    in_review: int = 0
    you: bool = False

    @property
    def label(self) -> str:
        who = f"{self.name} (you)" if self.you else self.name
        held = f"{self.assigned_open} open"
        if self.in_review:
            held += f", {self.in_review} in review"
        return f"{who}  ·  {held}"


class ReassignDialog(QDialog):
    """Type part of a name (arrows move in the list), Enter gives the work to that person."""

    def __init__(self, count: int, people: list[TeamMember], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reassign submissions")
        what = f"{count} submission{'s' if count != 1 else ''}"
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type a name…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Find a team member")
        self.people = QListWidget()
        self.people.setAccessibleName("Team members and the work they hold")
        for person in people:
            item = QListWidgetItem(person.label)
            item.setData(Qt.ItemDataRole.UserRole, person.user_id)
            item.setToolTip(f"{person.name} holds {person.assigned_open} open submissions")
            self.people.addItem(item)
        if self.people.count():
            self.people.setCurrentRow(0)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(f"Assign {what}")
        self.ok.setEnabled(self.people.count() > 0)
        buttons.accepted.connect(self._accept_chosen)
        buttons.rejected.connect(self.reject)
        self.people.itemActivated.connect(lambda _item: self._accept_chosen())
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._accept_chosen)
        self.search.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Give {what} to:"))
        layout.addWidget(self.search)
        layout.addWidget(self.people)
        if not people:
            layout.addWidget(
                QLabel(
                    "No team members are known yet: sync with the tracker "
                    "(F5) while online, then try again."
                )
            )
        layout.addWidget(buttons)
        self.resize(420, 420)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Up/Down while typing move in the list, so the keyboard never leaves the search box.
        if (
            watched is self.search
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)
        ):
            self._step(-1 if event.key() == Qt.Key.Key_Up else +1)
            return True
        return super().eventFilter(watched, event)

    def _step(self, delta: int) -> None:
        row = self.people.currentRow()
        while 0 <= row + delta < self.people.count():
            row += delta
            if not self.people.item(row).isHidden():
                self.people.setCurrentRow(row)
                return

    def _filter(self, text: str) -> None:
        needle = text.casefold().strip()
        first = None
        for row in range(self.people.count()):
            item = self.people.item(row)
            hidden = bool(needle) and needle not in item.text().casefold()
            item.setHidden(hidden)
            if not hidden and first is None:
                first = row
        if first is not None:
            self.people.setCurrentRow(first)
        self.ok.setEnabled(first is not None)

    def _accept_chosen(self) -> None:
        if self.chosen() is not None:
            self.accept()

    def chosen(self) -> str | None:
        item = self.people.currentItem()
        if item is None or item.isHidden():
            return None
        value = item.data(Qt.ItemDataRole.UserRole)
        return str(value) if value else None


__all__ = ["ReassignDialog", "TeamMember"]
