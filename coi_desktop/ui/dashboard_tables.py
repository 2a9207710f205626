"""The team view's tables: reviewers and "needs attention" as Qt models, and their layout."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QWidget,
)

from coi_desktop.report import format_age, format_minutes
from coi_desktop.teamstats import OverdueItem, ReviewerStats

Index = QModelIndex | QPersistentModelIndex
LATE = QColor("#b42318")
# After the holder's name: what became of the reassignment made here (short: the column is
# narrow at 1366 px; the tooltip says it in full).
ASSIGNMENT_NOTE = {
    "pending": (" (sending…)", "Reassigned here; waiting to be sent to the tracker."),
    "delivered": (" (delivered)", "Reassigned here; the tracker confirmed it."),
    "conflict": (" (refused)", "Reassigned here; the tracker refused it: see Sync (Ctrl+Shift+Y)."),
    "failed": (" (refused)", "Reassigned here; the tracker refused it: see Sync (Ctrl+Shift+Y)."),
}


def _align(column: int) -> int:
    return (
        int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if column == 0
        else int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    )


class _RowsModel(QAbstractTableModel):
    """A table over a list of rows, one column per header."""

    HEADERS: tuple[str, ...] = ()
    _rows: list[Any]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)


class ReviewerTableModel(_RowsModel):
    """Per-reviewer load and throughput; sortable; UserRole gives the user id."""

    HEADERS = ("Reviewer", "Open", "In review", "Decided today", "Min / decision", "Oldest held")
    TIPS = (
        "Team member",
        "Open submissions assigned to them",
        "Of those, claimed and being reviewed",
        "Decisions made today (your time zone)",
        "Median minutes from claim to decision, last 7 days",
        "Age of the oldest open submission they hold",
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ReviewerStats] = []
        self._now = datetime.now(UTC)
        self._sort = (1, Qt.SortOrder.DescendingOrder)

    def set_rows(self, rows: tuple[ReviewerStats, ...], now: datetime) -> None:
        self.beginResetModel()
        self._rows, self._now = list(rows), now
        self._apply_sort()
        self.endResetModel()

    def reviewer(self, row: int) -> ReviewerStats:
        return self._rows[row]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.TIPS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _align(section)
        return None

    def _late(self, r: ReviewerStats) -> bool:
        held = r.oldest_held_received_at
        return held is not None and (self._now - held).total_seconds() > 24 * 3600

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, col)
        if role == Qt.ItemDataRole.UserRole:
            return r.user_id
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _align(col)
        if role == Qt.ItemDataRole.ForegroundRole and col == 5 and self._late(r):
            return QBrush(LATE)
        if role == Qt.ItemDataRole.ToolTipRole and col == 5 and r.oldest_held_received_at:
            return f"Received {r.oldest_held_received_at:%Y-%m-%d %H:%M} UTC"
        return None

    def _display(self, r: ReviewerStats, col: int) -> str:
        if col == 0:
            return r.name
        if col == 1:
            return str(r.assigned_open)
        if col == 2:
            return str(r.in_review)
        if col == 3:
            return str(r.decided_today)
        if col == 4:
            m = r.median_minutes_per_decision
            return "—" if m is None else f"{m:.1f}"
        return format_age(r.oldest_held_received_at, self._now)

    def _key(self, col: int) -> Callable[[ReviewerStats], Any]:
        far = datetime.max.replace(tzinfo=UTC)
        keys: list[Callable[[ReviewerStats], Any]] = [
            lambda r: r.name.casefold(),
            lambda r: r.assigned_open,
            lambda r: r.in_review,
            lambda r: r.decided_today,
            lambda r: (r.median_minutes_per_decision is None, r.median_minutes_per_decision or 0),
            # Oldest held first when ascending by age means earliest receipt first.
            lambda r: -(r.oldest_held_received_at or far).timestamp(),
        ]
        return keys[col]

    def _apply_sort(self) -> None:
        col, order = self._sort
        self._rows.sort(key=lambda r: r.name.casefold())
        self._rows.sort(key=self._key(col), reverse=order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.HEADERS):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort()
        self.layoutChanged.emit()


class AttentionModel(_RowsModel):
    """Overdue and due-soon open items; selectable for reassignment. UserRole: submission id."""

    HEADERS = ("Due", "Submission", "Vendor", "Project", "Kind", "Held by")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[OverdueItem] = []
        self._names: dict[str, str] = {}
        self._now = datetime.now(UTC)

    def set_rows(self, rows: tuple[OverdueItem, ...], names: dict[str, str], now: datetime) -> None:
        self.beginResetModel()
        self._rows, self._names, self._now = list(rows), dict(names), now
        self.endResetModel()

    def item(self, row: int) -> OverdueItem:
        return self._rows[row]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item, col = self._rows[index.row()], index.column()
        late = item.due_at < self._now
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                minutes = (item.due_at - self._now).total_seconds() / 60
                return (
                    f"late {format_minutes(-minutes)}" if late else f"in {format_minutes(minutes)}"
                )
            if col == 1:
                return item.id
            if col == 2:
                return item.vendor
            if col == 3:
                return item.project or "—"
            if col == 4:
                return "COI" if item.kind == "coi" else item.kind.capitalize()
            holder = self._names.get(item.assigned_to or "", item.assigned_to or "nobody")
            note = ASSIGNMENT_NOTE.get(item.assignment_state or "")
            return f"→ {holder}{note[0]}" if note else holder
        if role == Qt.ItemDataRole.ToolTipRole and col == 5:
            note = ASSIGNMENT_NOTE.get(item.assignment_state or "")
            return note[1] if note else None
        if role == Qt.ItemDataRole.UserRole:
            return item.id
        if role == Qt.ItemDataRole.ForegroundRole and col == 0 and late:
            return QBrush(LATE)
        return None


def team_table(model: Any, *, sortable: bool, stretch: int = 0) -> QTableView:
    """A read-only table of whole rows; ``stretch`` is the column that takes what is left."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setSortingEnabled(sortable)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(24)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setResizeContentsPrecision(60)  # measure the first rows only: 500 rows stay cheap
    header.setStretchLastSection(False)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setHighlightSections(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    return table


def titled_panel(
    title: str | QLabel, table: QTableView, button: QPushButton | None = None
) -> QWidget:
    box = QWidget()
    layout = QGridLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    label = title if isinstance(title, QLabel) else QLabel(title)
    label.setObjectName("panelTitle")
    layout.addWidget(label, 0, 0)
    if button is not None:
        layout.addWidget(button, 0, 1, Qt.AlignmentFlag.AlignRight)
    layout.addWidget(table, 1, 0, 1, 2)
    return box
