"""The checklist as a two-level Qt tree: coverage groups, and their requirement lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from coi_desktop.review.checklist import ChecklistLine, JSONValue
from coi_desktop.review.money import format_money
from coi_desktop.ui import theme

LINE_ROLE = Qt.ItemDataRole.UserRole + 1
POSITION_ROLE = Qt.ItemDataRole.UserRole + 2
RESULT_ROLE = Qt.ItemDataRole.UserRole + 3

HEADERS = ("Result", "Requirement", "Required", "Found")
RESULT, REQUIREMENT, REQUIRED, FOUND = range(len(HEADERS))
_NO_PARENT = 0xFFFFFFFF  # internalId of a group row; line rows carry their group number
# The roles data() answers; painting asks each cell for a dozen, most of them unanswered.
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.AccessibleTextRole,
        LINE_ROLE,
        POSITION_ROLE,
        RESULT_ROLE,
    }
)

COVERAGE_NAMES = {
    None: "Certificate",
    "general_liability": "General liability",
    "automobile_liability": "Automobile liability",
    "auto_liability": "Automobile liability",
    "umbrella_liability": "Umbrella liability",
    "umbrella": "Umbrella liability",
    "excess_liability": "Excess liability",
    "excess": "Excess liability",
    "workers_compensation": "Workers compensation & employers' liability",
    "workers_comp": "Workers compensation & employers' liability",
    "professional_liability": "Professional liability",
    "pollution_liability": "Pollution liability",
}


def coverage_name(coverage: str | None) -> str:
    if coverage in COVERAGE_NAMES:
        return COVERAGE_NAMES[coverage]
    return (coverage or "Other").replace("_", " ").capitalize()


def value_text(value: JSONValue) -> str:
    """A required or found value as a reviewer reads it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int) and abs(value) >= 1000:
        return format_money(value)
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value) or "—"
    if isinstance(value, dict):
        parts = [
            f"{k.replace('_', ' ')}: {value_text(v)}"
            for k, v in value.items()
            if v not in (None, [], "")
        ]
        return "; ".join(parts) or "—"
    return str(value)


@dataclass
class _Group:
    name: str
    positions: list[int]  # indexes into the model's lines


class ChecklistModel(QAbstractItemModel):
    """Lines grouped by coverage in the order the pre-check wrote them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lines: list[ChecklistLine] = []
        self._groups: list[_Group] = []
        self._bold = QFont()
        self._bold.setBold(True)

    # ------------------------------------------------------------ content

    def set_lines(self, lines: list[ChecklistLine]) -> bool:
        """Show these lines; True when the tree was rebuilt (its groups changed), so the
        view lays it out again. The next submission on the same requirement profile has
        the same groups: its values are swapped in place, which keeps the switch cheap."""
        groups: dict[str, _Group] = {}
        for position, line in enumerate(lines):
            name = coverage_name(line.coverage)
            groups.setdefault(name, _Group(name, [])).positions.append(position)
        if list(groups.values()) == self._groups and self._groups:
            self._lines = list(lines)
            last = len(HEADERS) - 1
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._groups) - 1, last))
            for g, group in enumerate(self._groups):
                parent = self.index(g, 0)
                bottom = len(group.positions) - 1
                self.dataChanged.emit(self.index(0, 0, parent), self.index(bottom, last, parent))
            return False
        self.beginResetModel()
        self._lines = list(lines)
        self._groups = list(groups.values())
        self.endResetModel()
        return True

    def replace_line(self, position: int, line: ChecklistLine) -> None:
        """One line changed (an override): repaint it and its group's summary."""
        self._lines[position] = line
        index = self.index_of(position)
        if index.isValid():
            self.dataChanged.emit(index.siblingAtColumn(0), index.siblingAtColumn(len(HEADERS) - 1))
            group = index.parent()
            self.dataChanged.emit(group, group.siblingAtColumn(len(HEADERS) - 1))

    @property
    def lines(self) -> list[ChecklistLine]:
        return list(self._lines)

    def line(self, index: QModelIndex | QPersistentModelIndex) -> tuple[int, ChecklistLine] | None:
        if not index.isValid() or index.internalId() == _NO_PARENT:
            return None
        group = self._groups[index.internalId()]
        position = group.positions[index.row()]
        return position, self._lines[position]

    def index_of(self, position: int, column: int = 0) -> QModelIndex:
        for g, group in enumerate(self._groups):
            if position in group.positions:
                return self.index(group.positions.index(position), column, self.index(g, 0))
        return QModelIndex()

    def line_indexes(self) -> list[QModelIndex]:
        """Every line in display order (for next/previous line)."""
        out: list[QModelIndex] = []
        for g, group in enumerate(self._groups):
            parent = self.index(g, 0)
            out.extend(self.index(row, 0, parent) for row in range(len(group.positions)))
        return out

    # ------------------------------------------------------------ Qt model API

    def index(
        self,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> QModelIndex:
        # Bounds checked here, not by hasIndex (which calls back into rowCount): Qt asks
        # for indexes thousands of times a second while it lays out and paints.
        if not 0 <= column < len(HEADERS):
            return QModelIndex()
        if not parent.isValid():
            if not 0 <= row < len(self._groups):
                return QModelIndex()
            return self.createIndex(row, column, _NO_PARENT)
        group = parent.row()
        if (
            parent.internalId() != _NO_PARENT
            or parent.column() != 0
            or not 0 <= group < len(self._groups)
            or not 0 <= row < len(self._groups[group].positions)
        ):
            return QModelIndex()
        return self.createIndex(row, column, group)

    def parent(self, child: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or child.internalId() == _NO_PARENT:
            return QModelIndex()
        return self.createIndex(int(child.internalId()), 0, _NO_PARENT)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._groups)
        if parent.column() != 0 or parent.internalId() != _NO_PARENT:
            return 0
        return len(self._groups[parent.row()].positions)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(HEADERS):
            return HEADERS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.internalId() != _NO_PARENT:
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role not in _ROLES or not index.isValid():
            return None
        if index.internalId() == _NO_PARENT:
            return self._group_data(index, role)
        found = self.line(index)
        if found is None:
            return None
        position, line = found
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == RESULT:
                text = theme.RESULT_TEXT.get(line.result, line.result)
                return f"{text} ✎" if line.overridden else text
            if column == REQUIREMENT:
                return line.label
            if column == REQUIRED:
                return value_text(line.required)
            if column == FOUND:
                return value_text(line.found)
        if role == Qt.ItemDataRole.DecorationRole and column == RESULT:
            return theme.result_icon(line.result)
        if role == Qt.ItemDataRole.ToolTipRole and column in (REQUIRED, FOUND):
            return value_text(line.required if column == REQUIRED else line.found)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"{theme.RESULT_LONG.get(line.result, line.result)}: {line.message}"
            if line.overridden:
                tip += f"\nOverridden by the reviewer: {line.note or ''}"
            return tip
        if role == Qt.ItemDataRole.ForegroundRole and column == RESULT:
            return theme.result_color(line.result)
        if role == LINE_ROLE:
            return line
        if role == POSITION_ROLE:
            return position
        if role == RESULT_ROLE:
            return line.result
        if role == Qt.ItemDataRole.AccessibleTextRole and column == RESULT:
            return theme.RESULT_LONG.get(line.result, line.result)
        return None

    def _group_data(self, index: QModelIndex | QPersistentModelIndex, role: int) -> Any:
        if not 0 <= index.row() < len(self._groups):
            return None
        group = self._groups[index.row()]
        results = [self._lines[p].result for p in group.positions]
        worst = (
            "fail" if "fail" in results else "needs_review" if "needs_review" in results else "pass"
        )
        if role == Qt.ItemDataRole.DisplayRole and index.column() == RESULT:
            fails = results.count("fail")
            review = results.count("needs_review")
            parts = [f"{fails} fail"] if fails else []
            if review:
                parts.append(f"{review} to review")
            return f"{group.name} — {', '.join(parts) or 'all pass'}"
        if role == Qt.ItemDataRole.DecorationRole and index.column() == RESULT:
            return theme.result_icon(worst)
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role == RESULT_ROLE:
            return worst
        return None
