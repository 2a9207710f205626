"""The queue pane: view tabs, search, filters, the team view's drill-down and the queue table.

It knows what part of the queue the reviewer asked for and which row is current; the
window decides what opening a row means (``current_changed``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTabBar,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from coi_desktop.database import Database
from coi_desktop.models import User
from coi_desktop.queue import QueueFilter, View, count_queue
from coi_desktop.ui.operations import Operations
from coi_desktop.ui.queue_model import (
    COLUMNS,
    DUE,
    KIND,
    PRECHECK,
    PROJECT,
    RECEIVED,
    REVIEWER,
    STATUS,
    STATUS_TEXT,
    VENDOR,
    QueueModel,
)

VIEWS: tuple[tuple[View, str], ...] = (
    ("mine", "My work"),
    ("unassigned", "Unassigned"),
    ("all", "All"),
)
SEARCH_DELAY_MS = 150
COUNTS_DELAY_MS = 600
SORT_NAMES = {key: title for title, key in COLUMNS}


def first_view(database: Database, user: User | None) -> View:
    """Reviewers start in My work, or in Unassigned when they hold nothing yet."""
    if user is None or user.role != "reviewer":
        return "all"
    with database.session() as session:
        mine = count_queue(session, QueueFilter(view="mine", user_id=user.id))
    return "mine" if mine else "unassigned"


class QueuePane(QWidget):
    """Everything left of the document: which submissions, in which order."""

    current_changed = Signal(str)  # the reviewer moved to this submission's row

    def __init__(
        self,
        database: Database,
        *,
        clock: Callable[[], datetime],
        user_names: dict[str, str],
        reads: Operations,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("queue_pane")
        self.user: User | None = None  # whose "My work" it is; set by the window
        self.current_id: str | None = None  # the submission the window shows
        self._drill: QueueFilter | None = None
        self._wanted_row: int | None = None  # a row past the loaded ones, selected on arrival
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 6)
        self.view_bar = QTabBar()
        self.view_bar.setObjectName("queue_views")
        self.view_bar.setExpanding(False)
        self.view_bar.setDrawBase(False)
        for _view, label in VIEWS:
            self.view_bar.addTab(label)
        self.view_bar.setToolTip("My work (Alt+1) · Unassigned (Alt+2) · All (Alt+3)")
        self.view_bar.currentChanged.connect(lambda _i: self.apply_filter())
        layout.addWidget(self.view_bar)

        self.search = QLineEdit()
        self.search.setObjectName("queue_search")
        self.search.setPlaceholderText("Search vendor, project, insured  (Ctrl+L or /)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the queue")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(COUNTS_DELAY_MS)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._search_done)
        layout.addWidget(self.search)

        filters = QHBoxLayout()
        self.status_box = QComboBox()
        self.status_box.setObjectName("status_filter")
        self.status_box.setToolTip("Show one status only")
        self.status_box.setAccessibleName("Status filter")
        self.status_box.addItem("Any status", "")
        for key, text in STATUS_TEXT.items():
            self.status_box.addItem(text, key)
        self.kind_box = QComboBox()
        self.kind_box.setObjectName("kind_filter")
        self.kind_box.setToolTip("Certificates or endorsements")
        self.kind_box.setAccessibleName("Kind filter")
        for text, key in (
            ("COIs and endorsements", ""),
            ("COIs", "coi"),
            ("Endorsements", "endorsement"),
        ):
            self.kind_box.addItem(text, key)
        self.status_box.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.kind_box.currentIndexChanged.connect(lambda _i: self.apply_filter())
        filters.addWidget(self.status_box, 1)
        filters.addWidget(self.kind_box, 1)
        layout.addLayout(filters)

        self.drill_row = QWidget()
        drill_layout = QHBoxLayout(self.drill_row)
        drill_layout.setContentsMargins(0, 0, 0, 0)
        self.drill_label = QLabel()
        clear = QToolButton()
        clear.setText("Show the whole queue")
        clear.clicked.connect(self.clear_drill_down)
        drill_layout.addWidget(self.drill_label, 1)
        drill_layout.addWidget(clear)
        self.drill_row.hide()
        layout.addWidget(self.drill_row)

        # Pages and counts each have their own thread, so typing never waits behind a
        # count of 100,000 rows, nor the next submission behind either (``reads``).
        self._database = database
        self.pages = Operations("queue-pages", self)
        self.counts = Operations("queue-counts", self)
        self.model = QueueModel(
            database, self, clock=clock, user_names=user_names, pages=self.pages, reads=reads
        )
        self.model.filter_loaded.connect(self._filter_loaded)
        self.model.rowsInserted.connect(self._rows_arrived)
        self.table = self._build_table()
        layout.addWidget(self.table, 1)
        self.queue_info = QLabel()
        self.queue_info.setObjectName("queue_info")
        layout.addWidget(self.queue_info)

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("queue_table")
        table.setAccessibleName("Queue")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setSortingEnabled(True)
        table.sortByColumn(DUE, Qt.SortOrder.AscendingOrder)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        em = self.fontMetrics().horizontalAdvance("M")
        for column, width in (
            (DUE, 6),
            (VENDOR, 11),
            (PROJECT, 9),
            (KIND, 7),
            (RECEIVED, 8),
            (STATUS, 6),
            (REVIEWER, 7),
            (PRECHECK, 8),
        ):
            table.setColumnWidth(column, width * em)
        header.setSectionResizeMode(VENDOR, QHeaderView.ResizeMode.Stretch)
        table.setColumnWidth(DUE, self.fontMetrics().horizontalAdvance("late 23h 59m") + em)
        for column in (KIND, RECEIVED, STATUS, REVIEWER):
            table.setColumnHidden(column, True)  # right-click the header to show them
        table.selectionModel().currentRowChanged.connect(self._row_changed)
        return table

    def _column_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for column, (title, _key) in enumerate(COLUMNS):
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(column))
            action.setEnabled(column != DUE)
            action.toggled.connect(lambda on, c=column: self.table.setColumnHidden(c, not on))
        menu.popup(self.table.horizontalHeader().mapToGlobal(pos))

    # ------------------------------------------------------------ views and filters

    def show_view(self, view: View, *, quietly: bool = False) -> None:
        """Go to a view tab; ``quietly`` sets the tab without reading (the caller reads)."""
        if self._drill is not None and not quietly:
            self.clear_drill_down()
        self.view_bar.blockSignals(quietly)
        self.view_bar.setCurrentIndex([v for v, _ in VIEWS].index(view))
        self.view_bar.blockSignals(False)

    def current_filter(self) -> QueueFilter:
        if self._drill is not None:
            return self._drill
        view = VIEWS[max(0, self.view_bar.currentIndex())][0]
        status = self.status_box.currentData()
        kind = self.kind_box.currentData()
        old = self.model.wanted_filter
        return QueueFilter(
            view=view,
            user_id=self.user.id if self.user else None,
            statuses=(status,) if status else (),
            kinds=(kind,) if kind else (),
            search=self.search.text().strip(),
            sort=old.sort,
            descending=old.descending,
        )

    def apply_filter(self) -> None:
        """Filters changed (typing, view, status, kind): load the first page off the GUI thread."""
        self._search_timer.stop()
        flt = self.current_filter()
        if flt == self.model.wanted_filter and self.model.rowCount() > 0:
            return
        self.model.request_filter(flt)

    def _filter_loaded(self, _flt: object) -> None:
        self.reselect(self.current_id)
        self.update_info()
        self._counts_timer.start()  # once typing pauses, so counting never delays the rows

    def _search_done(self) -> None:
        """Enter in the search box: go to the results (the first one once they are in)."""
        self.apply_filter()
        self.table.setFocus()

        def first() -> None:
            if self.table.currentIndex().row() < 0 and self.model.rowCount():
                self.select_row(0)

        if self.model.wanted_filter is not self.model.queue_filter:
            self._when_loaded(first)
        else:
            first()

    @property
    def drilled(self) -> bool:
        return self._drill is not None

    def apply_drill_down(self, flt: QueueFilter) -> None:
        """The team view asks for part of the queue."""
        self._drill = flt
        self.drill_label.setText("Showing the team view's selection")
        self.drill_row.show()
        self.current_id = None  # the first of the selection opens when its rows arrive
        self._when_loaded(lambda: self.select_row(0))
        self.model.request_filter(flt)

    def _when_loaded(self, then: Callable[[], None]) -> None:
        def once(_flt: object) -> None:
            self.model.filter_loaded.disconnect(once)
            then()

        self.model.filter_loaded.connect(once)

    def reload(self) -> None:
        """Read the rows again (after a decision, an undo, F5); the open row stays selected."""
        self.model.reload()

    def clear_drill_down(self) -> None:
        self._drill = None
        self.drill_row.hide()
        self.apply_filter()

    # ------------------------------------------------------------ rows

    def reselect(self, submission_id: str | None) -> None:
        """Mark the row of the open submission without opening it again."""
        row = self.model.row_of(submission_id) if submission_id else -1
        if row >= 0:
            self.table.selectionModel().blockSignals(True)
            self.table.selectRow(row)
            self.table.setCurrentIndex(self.model.index(row, DUE))
            self.table.selectionModel().blockSignals(False)

    def select_row(self, row: int) -> None:
        """Make a row current (which opens it); past the loaded rows, once its page is in."""
        self._wanted_row = None
        if row >= self.model.rowCount() and self.model.canFetchMore():
            self._wanted_row = row
            self.model.fetchMore()
            return
        if not 0 <= row < self.model.rowCount():
            return
        index = self.model.index(row, DUE)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)

    def _rows_arrived(self) -> None:
        if self._wanted_row is not None:
            self.select_row(self._wanted_row)

    def current_row(self) -> int:
        return self.table.currentIndex().row()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_at(current.row())
        if row is not None and row.id != self.current_id:
            self.current_changed.emit(row.id)

    # ------------------------------------------------------------ counts

    def counts_soon(self) -> None:
        """Count again once changes pause: J pressed through the queue claims each one, and
        counting 100,000 rows on every claim would take the GIL from the next switch."""
        self._counts_timer.start()

    def refresh_counts(self) -> None:
        base = self.current_filter()
        # The Team view's drill-down filter names no user: "My work" is still this user's.
        me = self.user.id if self.user else None
        filters = {view: replace(base, view=view, user_id=me) for view, _ in VIEWS}

        def count() -> dict[str, int]:
            with self._database.session() as session:
                return {name: count_queue(session, flt) for name, flt in filters.items()}

        self.counts.run_latest("count the queue", "counts", count, done=self._show_counts)

    def _show_counts(self, counts: dict[str, int]) -> None:
        for i, (view, label) in enumerate(VIEWS):
            if view in counts:
                self.view_bar.setTabText(i, f"{label} ({counts[view]:,})")
        self.update_info(counts)

    def update_info(self, counts: dict[str, int] | None = None) -> None:
        view = self.model.queue_filter.view
        total = (counts or {}).get(view)
        shown = self.model.rowCount()
        if total is not None:
            self.queue_info.setText(
                f"{total:,} submissions · sorted by "
                f"{SORT_NAMES.get(self.model.queue_filter.sort, 'due').lower()}"
            )
        elif shown == 0:
            self.queue_info.setText("Nothing here. Try All (Alt+3), or clear the search.")
        else:
            self.queue_info.setText("")

    def shutdown(self) -> None:
        self.pages.stop()
        self.counts.stop()
