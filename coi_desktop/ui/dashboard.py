"""The team lead's view: headline tiles, aging and trend charts, reviewers, reassignment, export.

``DashboardWidget(workspace)`` is a tab for users with role ``lead``. It refreshes every
minute and on :meth:`DashboardWidget.refresh` (connect sync events to it), computing on a
worker thread. Clicking a tile, a bar or a reviewer emits ``drill_down(QueueFilter)`` for the
main window's queue; ``reassigned(list[str])`` says which submissions were given to someone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from coi_desktop.models import User
from coi_desktop.queue import QueueFilter
from coi_desktop.report import write_csv
from coi_desktop.review.decisions import unknown_assignee
from coi_desktop.review.session import ReviewSession
from coi_desktop.team_screen import (
    aging_filter,
    queue_filter,
    status_text,
    tile_faces,
    tile_filter,
    trend_filter,
)
from coi_desktop.team_view import DashboardData, ServerStats
from coi_desktop.teamstats import (
    StatsFilter,
    TeamSnapshot,
)
from coi_desktop.timeutil import local_zone
from coi_desktop.ui.dashboard_charts import (
    STYLE,
    Tile,
    draw_aging,
    draw_trend,
    new_chart,
    tiles_template,
)
from coi_desktop.ui.dashboard_data import DashboardComputer, tracker_stats_fetcher
from coi_desktop.ui.dashboard_filters import FilterBar
from coi_desktop.ui.dashboard_tables import (
    AttentionModel,
    ReviewerTableModel,
    team_table,
    titled_panel,
)
from coi_desktop.ui.operations import Operations
from coi_desktop.ui.reassign_dialog import ReassignDialog, TeamMember
from coi_desktop.workspace import Workspace

log = logging.getLogger(__name__)

REFRESH_MS = 60_000
AUTO = object()  # "ask the configured tracker" (the default for ``server``)


def dashboard_allowed(user: User | None) -> bool:
    """Only team leads get the team view and reassignment."""
    return user is not None and user.role == "lead"


# ---------------------------------------------------------------- the widget


def _write_pdf(snapshot: TeamSnapshot, path: Path) -> None:
    """The report drawn by PyMuPDF, imported on the first export and not with the window
    (a reviewer's window never draws one; it took a sixth of the window's start)."""
    from coi_desktop.report_pdf import write_pdf

    write_pdf(snapshot, path)


class DashboardWidget(QWidget):
    """The team view for leads. Signals: ``drill_down(QueueFilter)``, ``reassigned(list)``."""

    drill_down = Signal(object)  # coi_desktop.queue.QueueFilter
    reassigned = Signal(list)  # submission ids given to someone (outbox items written)
    refreshed = Signal()  # new figures are on screen

    def __init__(
        self,
        workspace: Workspace,
        parent: QWidget | None = None,
        *,
        server: Any = AUTO,
        tz: tzinfo | None = None,
        clock: Callable[[], datetime] | None = None,
        refresh_ms: int = REFRESH_MS,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.user = workspace.current_user()
        self.allowed = dashboard_allowed(self.user)
        self.tz = tz or local_zone()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.data: DashboardData | None = None
        self._notice = ""  # the last export's word, kept beside the figures' status
        self._generation = 0
        self._answered = 0  # the newest generation answered (or failed)
        self.reads: Operations | None = None  # the refreshes' thread, once the view is built
        # Replaceable (tests, other front ends): choose a reviewer for these ids, or None.
        self.choose_reviewer: Callable[[list[str]], str | None] = self._ask_reviewer
        self.setObjectName("teamDashboard")
        if not self.allowed:
            self._build_refusal()
            return
        fetcher: ServerStats | None = tracker_stats_fetcher(workspace) if server is AUTO else server
        self._build()
        self._start_worker(fetcher)
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self.refresh()

    # -- construction ----------------------------------------------------------------------

    def _build_refusal(self) -> None:
        layout = QVBoxLayout(self)
        who = self.user.name if self.user else "You are not signed in, so you"
        text = QLabel(f"{who} — the team view is for team leads. Ask your lead for access.")
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(text)

    def _build(self) -> None:
        self.setStyleSheet(STYLE)
        root = QVBoxLayout(self)
        root.setContentsMargins(12, 10, 12, 10)
        root.setSpacing(10)

        self.filters = FilterBar()
        self.company_box, self.project_box, self.kind_box = self.filters.boxes()
        self.refresh_button = self.filters.refresh_button
        self.csv_button, self.pdf_button = self.filters.csv_button, self.filters.pdf_button
        self.refresh_button.clicked.connect(self.refresh)
        self.csv_button.clicked.connect(self._export_csv_dialog)
        self.pdf_button.clicked.connect(self._export_pdf_dialog)
        # Its own line, wrapped: "as of", the source and pending reassignments grow long, and
        # the tab must fit a 1366 px screen.
        self.status = QLabel("Computing…")
        self.status.setObjectName("asOf")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        root.addWidget(self.filters)
        root.addWidget(self.status)

        tile_row = QHBoxLayout()
        tile_row.setSpacing(8)
        self.tiles: dict[str, Tile] = {}
        for key, tile_caption, _ in tiles_template():
            tile = Tile(key, tile_caption)
            tile.clicked.connect(lambda key=key: self._tile_clicked(key))
            tile_row.addWidget(tile)
            self.tiles[key] = tile
        root.addLayout(tile_row)

        self.aging_chart, self.aging_view = new_chart("Open items by hours since receipt")
        self.trend_chart, self.trend_view = new_chart(
            "Last 14 days: received, decided, % within 24 h"
        )
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.aging_view)
        charts.addWidget(self.trend_view)
        charts.setChildrenCollapsible(False)

        self.reviewer_model = ReviewerTableModel(self)
        # Names in full; the last column takes what is left (at 1366 px names were cut).
        self.reviewer_table = team_table(self.reviewer_model, sortable=True, stretch=5)
        # Most loaded first: who to take work from is the first question.
        self.reviewer_table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.reviewer_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.reviewer_table.activated.connect(self._reviewer_activated)
        self.reviewer_table.doubleClicked.connect(self._reviewer_activated)
        self.reviewer_table.setToolTip("Enter or double-click: show this reviewer's open items")

        self.attention_model = AttentionModel(self)
        self.attention_table = team_table(self.attention_model, sortable=False, stretch=2)
        self.attention_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.attention_table.activated.connect(self._attention_activated)
        self.reassign_button = QPushButton("&Reassign…")
        self.reassign_button.setToolTip(
            "Give the selected submissions to a reviewer (Ctrl+Shift+A)"
        )
        self.reassign_button.clicked.connect(self.reassign_selected)
        self.reassign_action = QAction("Reassign selected…", self)
        self.reassign_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.reassign_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.reassign_action.triggered.connect(self.reassign_selected)
        self.addAction(self.reassign_action)

        reviewers_box = titled_panel("Reviewers", self.reviewer_table)
        self.attention_title = QLabel("Needs attention: overdue and due within 4 h")
        attention_box = titled_panel(
            self.attention_title, self.attention_table, self.reassign_button
        )
        tables = QSplitter(Qt.Orientation.Horizontal)
        tables.addWidget(reviewers_box)
        tables.addWidget(attention_box)
        tables.setChildrenCollapsible(False)
        tables.setSizes([700, 900])

        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(charts)
        body.addWidget(tables)
        body.setChildrenCollapsible(False)
        body.setSizes([320, 420])
        root.addWidget(body, 1)

        for box in self.filters.boxes():
            box.currentIndexChanged.connect(self.refresh)

    def _start_worker(self, fetcher: ServerStats | None) -> None:
        # Refreshes on one operations thread (a refresh not yet started gives way to a
        # newer one); the lead's writes and exports, in order, on another.
        self.computer = DashboardComputer(self.workspace, fetcher, self.clock)
        self.reads = Operations("team-view-reads", self)
        self.writes = Operations("team-view-writes", self)
        # As a tab the widget gets no closeEvent; join the worker before the app goes away.
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # -- refreshing ------------------------------------------------------------------------

    def current_filters(self) -> StatsFilter:
        return self.filters.current() if self.allowed else StatsFilter()

    @Slot()
    def refresh(self) -> None:
        """Recompute on the worker (connect sync events here); never blocks the GUI."""
        if not self.allowed or self.reads is None:
            return
        self.computer.forget_choices()  # a sync may have brought new customers or projects
        self._request_figures()

    @Slot()
    def _tick(self) -> None:
        """The minute's refresh: figures move with the clock, the filter lists do not."""
        # While a refresh is still being computed the tick adds nothing; asking again would
        # only make that answer stale before it arrives (on a slow, busy machine, for ever).
        if self.allowed and self.reads is not None and self._answered >= self._generation:
            self._request_figures()

    def _request_figures(self) -> None:
        assert self.reads is not None
        self._generation += 1
        generation = self._generation
        self.reads.run_latest(
            "compute the team figures",
            "figures",
            partial(self.computer.compute, generation, self.current_filters(), self.tz),
            done=self._show,
            failed=partial(self._failed, generation),
        )

    @Slot(object)
    def _show(self, data: DashboardData) -> None:
        self._answered = max(self._answered, data.generation)
        if data.generation != self._generation:
            return  # an older answer overtaken by a newer request
        self.data = data
        snap, stats = data.snapshot, data.snapshot.stats
        self.filters.fill(data.choices)
        for face in tile_faces(data):
            self.tiles[face.key].show_value(
                face.value, face.note, alert=face.alert, warn=face.warn, clickable=face.clickable
            )
        self.reviewer_model.set_rows(stats.reviewers, snap.now)
        self.attention_model.set_rows(data.attention, snap.user_names, snap.now)
        late = sum(1 for item in data.attention if item.due_at < snap.now)
        self.attention_title.setText(
            f"Needs attention: {late} overdue, {len(data.attention) - late} due within 4 h"
        )
        draw_aging(self.aging_chart, snap.aging, self._aging_clicked)
        draw_trend(self.trend_chart, snap.trend, self._trend_clicked)
        # What the lead last asked for (an export) stays said when newer figures arrive.
        self.status.setText(" · ".join(filter(None, (status_text(data, self.tz), self._notice))))
        self.refreshed.emit()

    @Slot(int, str)
    def _failed(self, generation: int, message: str) -> None:
        self._answered = max(self._answered, generation)
        if generation == self._generation:
            self.status.setText(message)

    # -- drill-downs -----------------------------------------------------------------------

    def _drill(self, flt: QueueFilter | None) -> None:
        if flt is not None:
            self.drill_down.emit(flt)

    def _tile_clicked(self, key: str) -> None:
        if self.data is not None:
            self._drill(tile_filter(key, self.data, self.current_filters()))

    @Slot(int)
    def _aging_clicked(self, index: int) -> None:
        if self.data is not None:
            self._drill(aging_filter(index, self.data, self.current_filters()))

    @Slot(int)
    def _trend_clicked(self, index: int) -> None:
        if self.data is not None:
            self._drill(trend_filter(index, self.data, self.current_filters()))

    def _reviewer_activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        reviewer = self.reviewer_model.reviewer(index.row())
        self.drill_down.emit(
            queue_filter(self.current_filters(), view="open", assigned_to=reviewer.user_id)
        )

    def _attention_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.drill_down.emit(QueueFilter(ids=(self.attention_model.item(index.row()).id,)))

    # -- reassignment ----------------------------------------------------------------------

    def selected_submission_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.attention_table.selectionModel().selectedRows()})
        return [self.attention_model.item(r).id for r in rows]

    @Slot()
    def reassign_selected(self) -> None:
        ids = self.selected_submission_ids()
        if not ids:
            self.status.setText("Select submissions under “Needs attention” to reassign them.")
            return
        self.reassign_submissions(ids)

    def reassign_submissions(self, ids: list[str]) -> bool:
        """Ask the lead for a reviewer, then queue the assignment (works offline).

        True once the assignment is handed to the view's write queue, which writes the outbox
        items; ``reassigned`` follows when they are stored, a warning if they could not be.
        """
        if not self.allowed or self.user is None or not ids or self.reads is None:
            return False
        to_user = self.choose_reviewer(ids)
        if not to_user:
            return False
        known = self.data.team if self.data is not None else None
        if known is not None and to_user not in {person.value for person in known}:
            self._warn(unknown_assignee(to_user))  # the dialog offers no one else
            return False
        chosen, lead = list(ids), ReviewSession(self.workspace.database, self.user)

        def work() -> list[str]:
            lead.reassign(chosen, to_user)
            return chosen

        def done(given: list[str]) -> None:
            self.reassigned.emit(given)
            self.refresh()

        self.writes.run(f"reassign {len(chosen)} submission(s)", work, done=done, failed=self._warn)
        return True

    def team_members(self) -> list[TeamMember]:
        """Everyone work can be given to, by name, with what they hold now (last refresh)."""
        people = self.data.team if self.data else ()
        stats = self.data.snapshot.stats.reviewers if self.data else ()
        load = {r.user_id: (r.assigned_open, r.in_review) for r in stats}
        me = self.user.id if self.user else None
        return [
            TeamMember(p.value, p.label, *load.get(p.value, (0, 0)), you=p.value == me)
            for p in people
        ]

    def _ask_reviewer(self, ids: list[str]) -> str | None:
        dialog = ReassignDialog(len(ids), self.team_members(), self)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _say(self, notice: str) -> None:
        self._notice = notice
        self.status.setText(notice)

    def _warn(self, message: str, title: str = "Reassign") -> None:
        QMessageBox.warning(self, title, message)

    # -- export ----------------------------------------------------------------------------

    def export_csv(self, path: Path) -> None:
        if self.data is None:
            raise RuntimeError("the team figures have not been computed yet")
        write_csv(self.data.snapshot, Path(path))

    def export_pdf(self, path: Path) -> None:
        if self.data is None:
            raise RuntimeError("the team figures have not been computed yet")
        _write_pdf(self.data.snapshot, Path(path))

    def _export_csv_dialog(self) -> None:
        self._export("CSV", "team-figures.csv", "CSV files (*.csv)", write_csv)

    def _export_pdf_dialog(self) -> None:
        self._export("PDF report", "team-report.pdf", "PDF files (*.pdf)", _write_pdf)

    def _export(
        self,
        what: str,
        name: str,
        pattern: str,
        write: Callable[[TeamSnapshot, Path], None],
    ) -> None:
        """Ask where, then write the view's figures there off the GUI thread."""
        if self.data is None:
            return
        snapshot = self.data.snapshot  # the figures on screen now, whatever comes next
        stamp = snapshot.now.astimezone(self.tz).strftime("%Y-%m-%d")
        suggested = str(Path.home() / f"{Path(name).stem}-{stamp}{Path(name).suffix}")
        path, _ = QFileDialog.getSaveFileName(self, f"Export {what}", suggested, pattern)
        if not path:
            return
        self._say(f"Writing the {what} to {path}…")

        self.writes.run(
            f"write {path}",
            lambda: write(snapshot, Path(path)),
            done=lambda _: self._say(f"{what} saved to {path}"),
            failed=partial(self._warn, title=f"Export {what}"),
        )

    # -- lifetime --------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop the timer and join the view's threads (called on close; safe twice)."""
        if hasattr(self, "timer"):
            self.timer.stop()
        if self.reads is not None:
            # Writes the lead asked for reach the store before the threads go; refreshes
            # still queued are skipped.
            self.writes.stop(finish=True)
            self.reads.stop()
            self.reads = None

    def closeEvent(self, event: Any) -> None:
        self.shutdown()
        super().closeEvent(event)
