"""The review queue as a lazy Qt table: pages of rows fetched from the store as the view scrolls.

Filtering, searching and sorting are pushed into SQL (`coi_desktop.queue`); the model
only holds the rows the view has asked for, so a 100,000-item queue costs one page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QFont

from coi_desktop.database import Database
from coi_desktop.queue import QueueFilter, QueueRow, query_queue
from coi_desktop.ui import theme
from coi_desktop.ui.operations import Operations

PAGE_SIZE = 200
ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
URGENCY_ROLE = Qt.ItemDataRole.UserRole + 3  # "overdue" | "soon" | "later"

COLUMNS: tuple[tuple[str, str], ...] = (
    # (header, sort key in coi_desktop.queue.SORT_COLUMNS)
    ("Due", "due_at"),
    ("Vendor", "vendor"),
    ("Project", "project"),
    ("Kind", "kind"),
    ("Received", "received_at"),
    ("Status", "status"),
    ("Reviewer", "assigned_to"),
    ("Pre-check", "precheck_fail"),
)
DUE, VENDOR, PROJECT, KIND, RECEIVED, STATUS, REVIEWER, PRECHECK = range(len(COLUMNS))
SOON_SECONDS = 4 * 3600
TICK_MS = 30_000

STATUS_TEXT = {
    "new": "New",
    "in_review": "In review",
    "awaiting_new_coi": "Awaiting new COI",
    "compliant": "Compliant",
    "non_compliant": "Non-compliant",
    "rejected": "Rejected",
    "archived": "Archived",
}
OUTCOME_TEXT = {"compliant": "Compliant", "non_compliant": "Non-compliant", "rejected": "Rejected"}
KIND_TEXT = {"coi": "COI", "endorsement": "Endorsement"}


def countdown_text(due: datetime, now: datetime) -> str:
    """``5h 07m`` left, ``2d 3h`` for long waits, ``late 1h 20m`` once overdue."""
    seconds = int((due - now).total_seconds())
    late = seconds < 0
    minutes = abs(seconds) // 60
    if minutes >= 48 * 60:
        text = f"{minutes // 1440}d {minutes % 1440 // 60}h"
    else:
        text = f"{minutes // 60}h {minutes % 60:02d}m"
    return f"late {text}" if late else text


def urgency(due: datetime, now: datetime) -> str:
    seconds = (due - now).total_seconds()
    if seconds < 0:
        return "overdue"
    if seconds < SOON_SECONDS:
        return "soon"
    return "later"


def precheck_summary(row: QueueRow) -> str:
    if row.decision:
        return OUTCOME_TEXT.get(row.decision, row.decision) + " (decided)"
    counts = row.precheck
    if counts is None:
        return "Checking…"
    parts = []
    if counts["fail"]:
        parts.append(f"{counts['fail']} fail" + ("s" if counts["fail"] > 1 else ""))
    if counts["needs_review"]:
        parts.append(f"{counts['needs_review']} to review")
    return ", ".join(parts) if parts else "All pass"


def local_time(value: datetime) -> str:
    return value.astimezone().strftime("%b %d %H:%M")


class QueueModel(QAbstractTableModel):
    """Rows of `query_queue` for one `QueueFilter`, fetched a page at a time."""

    filter_changed = Signal(object)
    filter_loaded = Signal(object)  # the rows of a requested filter are on screen

    def __init__(
        self,
        database: Database,
        parent: QObject | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        user_names: dict[str, str] | None = None,
        pages: Operations | None = None,
        reads: Operations | None = None,
    ) -> None:
        """Without ``pages`` and ``reads`` (tests of the model alone) the store is read on
        the calling thread; the window gives both, and reads nothing on its own thread:
        ``pages`` reads pages of rows (only the newest asked for), ``reads`` refreshes rows."""
        super().__init__(parent)
        self._reads = reads
        self._generation = 0
        self._pending_filter: QueueFilter | None = None
        self._fetching: tuple[int, int] | None = None  # (generation, offset) being read
        self._pages = pages
        self._database = database
        self._filter = QueueFilter(view="all")
        self._rows: list[QueueRow] = []
        self._exhausted = False
        self._clock = clock or (lambda: datetime.now(UTC))
        self._now = self._clock()
        self.user_names = dict(user_names or {})
        self._bold = QFont()
        self._bold.setBold(True)
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self.tick)
        self._ticker.start()

    # ------------------------------------------------------------ filter

    @property
    def queue_filter(self) -> QueueFilter:
        return self._filter

    def set_filter(self, flt: QueueFilter) -> None:
        """Show another part of the queue now: one SQL page on this thread (the window's
        first page at startup; otherwise `request_filter`)."""
        self._generation += 1  # any page still on its way is stale
        self._pending_filter = None
        self._fetching = None
        self.beginResetModel()
        self._filter = flt
        self._rows = []
        self._exhausted = False
        self._now = self._clock()
        self._fetch(PAGE_SIZE)
        self.endResetModel()
        self.filter_changed.emit(flt)

    def request_filter(self, flt: QueueFilter) -> None:
        """Show another part of the queue, read off the GUI thread (typing in the search box).

        The rows on screen stay until the answer arrives; `filter_loaded` says when.
        """
        self._generation += 1
        self._pending_filter = flt
        if self._pages is None:
            self.set_filter(flt)
            self.filter_loaded.emit(flt)
            return
        self._request(flt, PAGE_SIZE)

    def _request(self, flt: QueueFilter, limit: int, offset: int = 0) -> None:
        """Read a page off the GUI thread; a request not yet started gives way to a newer."""
        assert self._pages is not None
        generation = self._generation

        def read() -> list[QueueRow]:
            with self._database.session() as session:
                return query_queue(session, flt, offset=offset, limit=limit)

        self._pages.run_latest(
            "read the queue",
            "page",
            read,
            done=lambda rows: self._loaded(generation, flt, offset, rows),
        )

    def _loaded(self, generation: int, flt: QueueFilter, offset: int, rows: list[QueueRow]) -> None:
        if generation != self._generation:
            return  # a newer filter was asked for meanwhile
        if offset:
            if self._fetching == (generation, offset) and offset == len(self._rows):
                self._fetching = None
                self._append(rows)
            return  # else the rows were read again meanwhile: this page may not follow them
        self._fetching = None
        self.beginResetModel()
        self._filter = flt
        self._rows = list(rows)
        self._exhausted = len(rows) < PAGE_SIZE
        self._now = self._clock()
        self.endResetModel()
        self._pending_filter = None
        self.filter_changed.emit(flt)
        self.filter_loaded.emit(flt)

    @property
    def loading(self) -> bool:
        """Rows asked for have not arrived yet."""
        return self._pending_filter is not None or self._fetching is not None

    @property
    def wanted_filter(self) -> QueueFilter:
        """The filter asked for last (may still be loading)."""
        return self._pending_filter or self._filter

    def reload(self) -> None:
        """Read the same filter again, keeping as many rows as were loaded (after a change).

        Read off the GUI thread, the rows on screen stay until the new ones arrive
        (`filter_loaded`).
        """
        keep = max(PAGE_SIZE, len(self._rows))
        self._fetching = None
        if self._pages is not None:
            self._generation += 1
            self._pending_filter = self._filter
            self._request(self._filter, keep)
            return
        self.beginResetModel()
        self._rows = []
        self._exhausted = False
        self._now = self._clock()
        self._fetch(keep)
        self.endResetModel()

    def _fetch(self, limit: int) -> list[QueueRow]:
        with self._database.session() as session:
            rows = query_queue(session, self._filter, offset=len(self._rows), limit=limit)
        self._rows.extend(rows)
        self._exhausted = len(rows) < limit
        return rows

    def refresh_ids(self, ids: list[str]) -> None:
        """Re-read the given submissions where they are shown (pre-check finished, claimed …)."""
        wanted = tuple(row.id for row in self._rows if row.id in set(ids))
        if not wanted:
            return
        if self._reads is None:
            self.update_rows(self._query(QueueFilter(ids=wanted)))
            return
        flt = QueueFilter(ids=wanted)
        self._reads.run(
            "read the queue", lambda: self._query(flt), done=self.update_rows, quiet=True
        )

    def _query(self, flt: QueueFilter) -> list[QueueRow]:
        with self._database.session() as session:
            return query_queue(session, flt)

    def update_rows(self, fresh: list[QueueRow]) -> None:
        """Put these rows, read fresh, where they are shown (rows not shown stay out)."""
        for row in fresh:
            position = self.row_of(row.id)  # where it is now: the rows may have been read again
            if position < 0:
                continue
            self._rows[position] = row
            self.dataChanged.emit(self.index(position, 0), self.index(position, len(COLUMNS) - 1))

    # ------------------------------------------------------------ lazy loading

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        """The view scrolled near the end: read the next page off the GUI thread.

        On the GUI thread a page deep in a large view took up to ~100 ms (OFFSET reads
        every row before it), long enough to feel as a stall while scrolling.
        """
        if parent.isValid() or self._exhausted or self._fetching or self._pending_filter:
            return
        if self._pages is None:
            self._fetch_here()
            return
        self._fetching = (self._generation, len(self._rows))
        self._request(self._filter, PAGE_SIZE, offset=len(self._rows))

    def _fetch_here(self) -> None:
        """The next page on this thread (a model on its own: its tests)."""
        if self._exhausted:
            return
        self._fetching = None  # a page on its way would now land after the wrong row
        with self._database.session() as session:
            rows = query_queue(session, self._filter, offset=len(self._rows), limit=PAGE_SIZE)
        self._append(rows)

    def _append(self, rows: list[QueueRow]) -> None:
        self._exhausted = len(rows) < PAGE_SIZE
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    # ------------------------------------------------------------ countdown

    def tick(self) -> None:
        """Time passes: repaint the countdown column only; nothing is read again."""
        self._now = self._clock()
        if self._rows:
            self.dataChanged.emit(
                self.index(0, DUE),
                self.index(len(self._rows) - 1, DUE),
                [
                    Qt.ItemDataRole.DisplayRole,
                    Qt.ItemDataRole.ForegroundRole,
                    Qt.ItemDataRole.ToolTipRole,
                    URGENCY_ROLE,
                ],
            )

    # ------------------------------------------------------------ rows

    def row_at(self, row: int) -> QueueRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, submission_id: str) -> int:
        for i, row in enumerate(self._rows):
            if row.id == submission_id:
                return i
        return -1

    def loaded_ids(self) -> list[str]:
        return [row.id for row in self._rows]

    # ------------------------------------------------------------ Qt model API

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Sort by {COLUMNS[section][0].lower()}"
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == ID_ROLE:
            return row.id
        if role == ROW_ROLE:
            return row
        if role == URGENCY_ROLE:
            return urgency(row.due_at, self._now)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == DUE and row.decision is None:
            level = urgency(row.due_at, self._now)
            if level != "later":
                return QBrush(theme.urgency_color(level))
            return None
        if role == Qt.ItemDataRole.FontRole and column == DUE and row.decision is None:
            if urgency(row.due_at, self._now) != "later":
                return self._bold
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == DUE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row: QueueRow, column: int) -> str:
        if column == DUE:
            if row.decision:
                return "decided"
            return countdown_text(row.due_at, self._now)
        if column == VENDOR:
            return row.vendor
        if column == PROJECT:
            return row.project or ("Global" if row.scope == "global" else "—")
        if column == KIND:
            return KIND_TEXT.get(row.kind, row.kind)
        if column == RECEIVED:
            return local_time(row.received_at)
        if column == STATUS:
            return STATUS_TEXT.get(row.status, row.status.replace("_", " "))
        if column == REVIEWER:
            if row.assigned_to is None:
                return "Unassigned"
            return self.user_names.get(row.assigned_to, row.assigned_to)
        if column == PRECHECK:
            return precheck_summary(row)
        return ""

    def _tooltip(self, row: QueueRow, column: int) -> str:
        if column == DUE:
            level = urgency(row.due_at, self._now)
            when = row.due_at.astimezone().strftime("%a %b %d %H:%M")
            prefix = {"overdue": "Overdue — was due", "soon": "Due soon —", "later": "Due"}[level]
            return f"{prefix} {when}"
        if column == PRECHECK and row.precheck is None and row.decision is None:
            return "The pre-check has not run yet; it is prepared in the background."
        if column == PRECHECK and row.precheck:
            c = row.precheck
            return f"{c['pass']} pass, {c['fail']} fail, {c['needs_review']} need review"
        if row.delivery_error:
            return f"Delivery problem: {row.delivery_error}"
        return f"{row.id} — {row.vendor}" + (f" — {row.insured_name}" if row.insured_name else "")

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column][1]
        descending = order == Qt.SortOrder.DescendingOrder
        wanted = self.wanted_filter
        if key == wanted.sort and descending == wanted.descending:
            return
        self.request_filter(replace(wanted, sort=key, descending=descending))
