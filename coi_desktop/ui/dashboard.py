"""The team lead's view: headline tiles, aging and trend charts, reviewers, reassignment, export.

``DashboardWidget(workspace)`` is a tab for users with role ``lead``. It refreshes every
minute and on :meth:`DashboardWidget.refresh` (connect sync events to it), computing on a
worker thread. Clicking a tile, a bar or a reviewer emits ``drill_down(QueueFilter)`` for the
main window's queue; ``reassigned(list[str])`` says which submissions were given to someone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import (
    QCoreApplication,
    QMargins,
    QModelIndex,
    Qt,
    QThread,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coi_desktop.models import User
from coi_desktop.queue import QueueFilter
from coi_desktop.report import local_time_text, tiles, write_csv, write_pdf
from coi_desktop.review.decisions import DecisionError, reassign
from coi_desktop.review.session import ReviewSession
from coi_desktop.sync.team import ServerStats
from coi_desktop.teamstats import (
    PROMISE_HOURS,
    AgingBucket,
    DayTrend,
    StatsFilter,
    assignable_users,
    local_zone,
)
from coi_desktop.ui.dashboard_data import (
    AttentionModel,
    DashboardData,
    DashboardWorker,
    ReviewerTableModel,
    tracker_stats_fetcher,
)
from coi_desktop.ui.operations import Operations
from coi_desktop.ui.reassign_dialog import ReassignDialog, TeamMember
from coi_desktop.workspace import Workspace

log = logging.getLogger(__name__)

REFRESH_MS = 60_000
BLUE, RED, GREY, GREEN = QColor("#2a6bbf"), QColor("#c8332b"), QColor("#8a94a3"), QColor("#2f8f55")
AUTO = object()  # "ask the configured tracker" (the default for ``server``)


def dashboard_allowed(user: User | None) -> bool:
    """Only team leads get the team view and reassignment."""
    return user is not None and user.role == "lead"


# ---------------------------------------------------------------- pieces


class Tile(QFrame):
    """A headline figure; click it (or Enter/Space when focused) to see the items behind it."""

    clicked = Signal()

    def __init__(self, key: str, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("tile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.caption = QLabel(caption)
        self.caption.setObjectName("tileCaption")
        self.caption.setWordWrap(True)  # seven tiles share 1366 px
        self.value = QLabel("—")
        self.value.setObjectName("tileValue")
        self.note = QLabel("")
        self.note.setObjectName("tileNote")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.note)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(caption)

    def show_value(
        self,
        value: str,
        note: str = "",
        *,
        alert: bool = False,
        warn: bool = False,
        clickable: bool = True,
    ) -> None:
        self.value.setText(value)
        self.note.setText(note)
        self.setProperty("alert", alert)
        self.setProperty("warn", warn and not alert)
        self.style().unpolish(self)
        self.style().polish(self)
        self.setCursor(
            Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor
        )
        self.setAccessibleDescription(f"{value} {note}".strip())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)


def _chart(title: str) -> tuple[QChart, QChartView]:
    chart = QChart()
    chart.setTitle(title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setBackgroundRoundness(0)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(260)
    return chart, view


def _small(font: QFont) -> QFont:
    font.setPointSizeF(max(6.0, font.pointSizeF() - 1))
    return font


def _clear(chart: QChart) -> None:
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)


# ---------------------------------------------------------------- the widget


class DashboardWidget(QWidget):
    """The team view for leads. Signals: ``drill_down(QueueFilter)``, ``reassigned(list)``."""

    drill_down = Signal(object)  # coi_desktop.queue.QueueFilter
    reassigned = Signal(list)  # submission ids given to someone (outbox items written)
    writes: Operations | None = None  # the window's write operations, when it has them
    refreshed = Signal()  # new figures are on screen
    _request = Signal(int, object, object)  # generation, StatsFilter, tzinfo → the worker

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
        self._generation = 0
        self._thread: QThread | None = None
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

        top = QHBoxLayout()
        title = QLabel("Team")
        title.setObjectName("dashTitle")
        top.addWidget(title)
        top.addStretch(1)
        # Its own line, wrapped: "as of", the source and pending reassignments grow long, and
        # the tab must fit a 1366 px screen.
        self.status = QLabel("Computing…")
        self.status.setObjectName("asOf")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.company_box = self._combo("All customers", "Customer (general contractor)")
        self.project_box = self._combo("All projects", "Project")
        self.kind_box = self._combo("All kinds", "Kind of submission")
        self.kind_box.addItem("COIs", "coi")
        self.kind_box.addItem("Endorsements", "endorsement")
        for label, box in (
            ("&Customer", self.company_box),
            ("&Project", self.project_box),
            ("&Kind", self.kind_box),
        ):
            caption = QLabel(label)
            caption.setBuddy(box)
            top.addWidget(caption)
            top.addWidget(box)
        self.refresh_button = QPushButton("Refresh")
        # No F5 here: the main window owns F5; a second one would make the key ambiguous.
        self.refresh_button.setToolTip("Recompute now; the view also refreshes every minute")
        self.refresh_button.clicked.connect(self.refresh)
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.clicked.connect(self._export_csv_dialog)
        self.pdf_button = QPushButton("Export PDF report…")
        self.pdf_button.clicked.connect(self._export_pdf_dialog)
        for button in (self.refresh_button, self.csv_button, self.pdf_button):
            top.addWidget(button)
        root.addLayout(top)
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

        self.aging_chart, self.aging_view = _chart("Open items by hours since receipt")
        self.trend_chart, self.trend_view = _chart("Last 14 days: received, decided, % within 24 h")
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.aging_view)
        charts.addWidget(self.trend_view)
        charts.setChildrenCollapsible(False)

        self.reviewer_model = ReviewerTableModel(self)
        # Names in full; the last column takes what is left (at 1366 px names were cut).
        self.reviewer_table = self._table(self.reviewer_model, sortable=True, stretch=5)
        # Most loaded first: who to take work from is the first question.
        self.reviewer_table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.reviewer_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.reviewer_table.activated.connect(self._reviewer_activated)
        self.reviewer_table.doubleClicked.connect(self._reviewer_activated)
        self.reviewer_table.setToolTip("Enter or double-click: show this reviewer's open items")

        self.attention_model = AttentionModel(self)
        self.attention_table = self._table(self.attention_model, sortable=False, stretch=2)
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

        reviewers_box = self._panel("Reviewers", self.reviewer_table)
        self.attention_title = QLabel("Needs attention: overdue and due within 4 h")
        attention_box = self._panel(
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

        self.company_box.currentIndexChanged.connect(self.refresh)
        self.project_box.currentIndexChanged.connect(self.refresh)
        self.kind_box.currentIndexChanged.connect(self.refresh)

    def _combo(self, everything: str, tip: str) -> QComboBox:
        box = QComboBox()
        box.addItem(everything, None)
        box.setToolTip(tip)
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(14)
        return box

    def _table(self, model: Any, *, sortable: bool, stretch: int = 0) -> QTableView:
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

    def _panel(
        self, title: str | QLabel, table: QTableView, button: QPushButton | None = None
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

    def _start_worker(self, fetcher: ServerStats | None) -> None:
        self._thread = QThread(self)
        self._thread.setObjectName("team-view")
        self.worker = DashboardWorker(self.workspace, fetcher, self.clock)
        self.worker.moveToThread(self._thread)
        self._request.connect(self.worker.compute)
        # Explicitly queued: results are always handled on the GUI thread.
        self.worker.ready.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self.worker.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self._thread.start()
        # As a tab the widget gets no closeEvent; join the worker before the app goes away.
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # -- refreshing ------------------------------------------------------------------------

    def current_filters(self) -> StatsFilter:
        if not self.allowed:
            return StatsFilter()
        company = self.company_box.currentData()
        project = self.project_box.currentData()
        kind = self.kind_box.currentData()
        return StatsFilter(
            company_ids=(int(company),) if company is not None else (),
            project_ids=(str(project),) if project is not None else (),
            kinds=(str(kind),) if kind is not None else (),
        )

    @Slot()
    def refresh(self) -> None:
        """Recompute on the worker (connect sync events here); never blocks the GUI."""
        if not self.allowed or self._thread is None:
            return
        self.worker.forget_choices()  # a sync may have brought new customers or projects
        self._request_figures()

    @Slot()
    def _tick(self) -> None:
        """The minute's refresh: figures move with the clock, the filter lists do not."""
        if self.allowed and self._thread is not None:
            self._request_figures()

    def _request_figures(self) -> None:
        self._generation += 1
        self.worker.latest = self._generation
        self._request.emit(self._generation, self.current_filters(), self.tz)

    @Slot(object)
    def _show(self, data: DashboardData) -> None:
        if data.generation != self._generation:
            return  # an older answer overtaken by a newer request
        self.data = data
        snap, stats = data.snapshot, data.snapshot.stats
        self._fill_choices(data)
        values = {key: value for key, _, value in tiles(snap)}
        notes = {
            "open": f"{stats.by_status.get('new', 0)} new · "
            f"{stats.by_status.get('in_review', 0)} in review",
            "due_within_4h": "act now" if stats.due_within_4h else "",
            "overdue": "past the 24 h promise" if stats.overdue else "on time",
            "decided_today": f"since midnight {snap.tz_name}",
            "within_24h_share_7d": f"{len(data.missed_24h_ids)} missed, last 7 days",
            "turnaround_p50": "received → decided, 7 d",
            "turnaround_p90": "9 in 10 decided within",
        }
        share = stats.within_24h_share_7d
        alerts = {
            "overdue": stats.overdue > 0,
            "within_24h_share_7d": share is not None and share < 0.95,
            "turnaround_p90": (stats.turnaround_minutes_p90_7d or 0) > PROMISE_HOURS * 60,
        }
        for key, tile in self.tiles.items():
            tile.show_value(
                values[key],
                notes.get(key, ""),
                alert=alerts.get(key, False),
                warn=key == "due_within_4h" and stats.due_within_4h > 0,
                clickable=key not in ("turnaround_p50", "turnaround_p90"),
            )
        self.reviewer_model.set_rows(stats.reviewers, snap.now)
        self.attention_model.set_rows(data.attention, snap.user_names, snap.now)
        late = sum(1 for item in data.attention if item.due_at < snap.now)
        self.attention_title.setText(
            f"Needs attention: {late} overdue, {len(data.attention) - late} due within 4 h"
        )
        self._draw_aging(snap.aging)
        self._draw_trend(snap.trend)
        self.status.setText(self._status_text(data))
        self.refreshed.emit()

    @Slot(int, str)
    def _failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.status.setText(message)

    def _status_text(self, data: DashboardData) -> str:
        snap = data.snapshot
        when = local_time_text(snap.now, self.tz)
        if data.online:
            text = f"Live from the tracker · as of {when}"
        else:
            synced = local_time_text(data.synced_at, self.tz) if data.synced_at else "never synced"
            where = "filtered view" if not snap.filters.empty else "offline"
            text = f"Computed on this computer ({where}) · as of {when} · data last synced {synced}"
        if data.pending_assignments:
            n = data.pending_assignments
            text += f" · {n} reassignment{'s' if n != 1 else ''} waiting to be sent"
        return text

    def _fill_choices(self, data: DashboardData) -> None:
        for box, options in (
            (self.company_box, data.choices.companies),
            (self.project_box, data.choices.projects),
        ):
            wanted = [(c.label, c.value) for c in options]
            have = [(box.itemText(i), box.itemData(i)) for i in range(1, box.count())]
            if wanted == have:
                continue
            current = box.currentData()
            box.blockSignals(True)
            while box.count() > 1:
                box.removeItem(1)
            for label, value in wanted:
                box.addItem(label, value)
            found = box.findData(current) if current is not None else 0
            box.setCurrentIndex(max(found, 0))
            box.blockSignals(False)

    # -- charts ----------------------------------------------------------------------------

    def _draw_aging(self, buckets: tuple[AgingBucket, ...]) -> None:
        chart = self.aging_chart
        _clear(chart)
        on_time = QBarSet("Within 24 h")
        on_time.setColor(BLUE)
        late = QBarSet("Past 24 h (overdue)")
        late.setColor(RED)
        for bucket in buckets:
            on_time.append(0 if bucket.overdue else bucket.count)
            late.append(bucket.count if bucket.overdue else 0)
        series = QStackedBarSeries()
        series.append(on_time)
        series.append(late)
        series.setBarWidth(0.8)
        on_time.clicked.connect(self._aging_clicked)
        late.clicked.connect(self._aging_clicked)
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        # "12-16", not "12–16h": thirteen slots must read at 1366 px (the axis says hours).
        categories.append([b.label.replace("–", "-").removesuffix("h") for b in buckets])
        categories.setTitleText("hours since receipt")
        categories.setLabelsFont(_small(categories.labelsFont()))
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        counts = QValueAxis()
        counts.setRange(0, max(4, max((b.count for b in buckets), default=0)))
        counts.setLabelFormat("%d")
        counts.applyNiceNumbers()
        top = counts.max()
        chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(counts)
        # The 24-hour promise: a red line between the last on-time and first late bucket.
        boundary = next(
            (i for i, b in enumerate(buckets) if b.start_hours >= PROMISE_HOURS), len(buckets)
        )
        promise = QLineSeries()
        promise.setName("24 h promise")
        pen = QPen(RED)
        pen.setWidth(2)
        pen.setStyle(Qt.PenStyle.DashLine)
        promise.setPen(pen)
        promise.append(boundary - 0.5, 0)
        promise.append(boundary - 0.5, top)
        chart.addSeries(promise)
        position = QValueAxis()
        position.setRange(-0.5, len(buckets) - 0.5)
        position.setVisible(False)
        chart.addAxis(position, Qt.AlignmentFlag.AlignTop)
        promise.attachAxis(position)
        promise.attachAxis(counts)

    def _draw_trend(self, days: tuple[DayTrend, ...]) -> None:
        chart = self.trend_chart
        _clear(chart)
        received = QBarSet("Received")
        received.setColor(GREY)
        decided = QBarSet("Decided")
        decided.setColor(BLUE)
        for day in days:
            received.append(day.received)
            decided.append(day.decided)
        series = QBarSeries()
        series.append(received)
        series.append(decided)
        received.clicked.connect(self._trend_clicked)
        decided.clicked.connect(self._trend_clicked)
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        today = len(days) - 1
        # Two lines (weekday over date): fourteen one-line labels were cut to "Sa ..." at 1366 px.
        categories.append(
            [
                (
                    f"<b>{d.day:%a}"[:5] + f"<br>{d.day.day}</b>"
                    if i == today
                    else f"{d.day:%a}"[:2] + f"<br>{d.day.day}"
                )
                for i, d in enumerate(days)
            ]
        )
        categories.setLabelsFont(_small(categories.labelsFont()))
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        counts = QValueAxis()
        counts.setRange(0, max(4, max((max(d.received, d.decided) for d in days), default=0)))
        counts.setLabelFormat("%d")
        counts.applyNiceNumbers()
        chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(counts)
        share = QLineSeries()
        share.setName("% within 24 h")
        pen = QPen(GREEN)
        pen.setWidth(3)
        share.setPen(pen)
        share.setPointsVisible(True)
        for i, day in enumerate(days):
            if day.within_24h_share is not None:
                share.append(i, day.within_24h_share * 100)
        chart.addSeries(share)
        percent = QValueAxis()
        percent.setRange(0, 100)
        percent.setLabelFormat("%d%%")
        percent.setTickCount(5)
        percent.setLinePenColor(GREEN)
        percent.setLabelsColor(GREEN)
        chart.addAxis(percent, Qt.AlignmentFlag.AlignRight)
        position = QValueAxis()
        position.setRange(-0.5, len(days) - 0.5)
        position.setVisible(False)
        chart.addAxis(position, Qt.AlignmentFlag.AlignTop)
        share.attachAxis(position)
        share.attachAxis(percent)

    # -- drill-downs -----------------------------------------------------------------------

    def _queue_filter(self, **fields: Any) -> QueueFilter:
        f = self.current_filters()
        return QueueFilter(
            kinds=f.kinds, procore_company_ids=f.company_ids, project_ids=f.project_ids, **fields
        )

    def _tile_clicked(self, key: str) -> None:
        if self.data is None:
            return
        now = self.data.snapshot.now
        flt: QueueFilter | None = None
        if key == "open":
            flt = self._queue_filter(view="open")
        elif key == "due_within_4h":
            flt = self._queue_filter(
                view="open", due_after=now, due_before=now + timedelta(hours=4)
            )
        elif key == "overdue":
            flt = self._queue_filter(view="open", due_before=now)
        elif key == "decided_today":
            flt = self._queue_filter(ids=self.data.decided_today_ids or ("-",))
        elif key == "within_24h_share_7d":
            flt = self._queue_filter(ids=self.data.missed_24h_ids or ("-",))
        if flt is not None:
            self.drill_down.emit(flt)

    @Slot(int)
    def _aging_clicked(self, index: int) -> None:
        if self.data is None or not 0 <= index < len(self.data.snapshot.aging):
            return
        bucket, now = self.data.snapshot.aging[index], self.data.snapshot.now
        self.drill_down.emit(
            self._queue_filter(
                view="open",
                received_before=now - timedelta(hours=bucket.start_hours),
                received_after=(
                    None if bucket.end_hours is None else now - timedelta(hours=bucket.end_hours)
                ),
            )
        )

    @Slot(int)
    def _trend_clicked(self, index: int) -> None:
        if self.data is None or not 0 <= index < len(self.data.snapshot.trend):
            return
        day = self.data.snapshot.trend[index]
        tick = timedelta(microseconds=1)  # the queue's bounds are (after, before]
        self.drill_down.emit(
            self._queue_filter(received_after=day.start - tick, received_before=day.end - tick)
        )

    def _reviewer_activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        reviewer = self.reviewer_model.reviewer(index.row())
        self.drill_down.emit(self._queue_filter(view="open", assigned_to=reviewer.user_id))

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
        """Ask the lead for a reviewer, then queue the assignment (works offline)."""
        if not self.allowed or self.user is None or not ids:
            return False
        to_user = self.choose_reviewer(ids)
        if not to_user:
            return False
        if self.writes is not None:  # the window's: written off the GUI thread
            given, session_of_lead = list(ids), ReviewSession(self.workspace.database, self.user)

            def done(_changed: list[str]) -> None:
                self.reassigned.emit(given)
                self.refresh()

            self.writes.run(
                "reassign the work",
                lambda: session_of_lead.reassign(given, to_user),
                done=done,
                failed=self._warn,
            )
            return True
        try:
            with self.workspace.database.session() as session:
                lead = session.get(User, self.user.id)
                if lead is None:
                    raise DecisionError("Your user record is missing; sync with the tracker.")
                reassign(session, ids, to_user, lead)
        except DecisionError as exc:
            self._warn(str(exc))
            return False
        self.reassigned.emit(list(ids))
        self.refresh()
        return True

    def team_members(self) -> list[TeamMember]:
        """Everyone work can be given to, by name, with what they hold now."""
        with self.workspace.database.session() as session:
            people = assignable_users(session)
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

    def _warn(self, message: str) -> None:
        QMessageBox.warning(self, "Reassign", message)

    # -- export ----------------------------------------------------------------------------

    def export_csv(self, path: Path) -> None:
        if self.data is None:
            raise RuntimeError("the team figures have not been computed yet")
        write_csv(self.data.snapshot, Path(path))

    def export_pdf(self, path: Path) -> None:
        if self.data is None:
            raise RuntimeError("the team figures have not been computed yet")
        write_pdf(self.data.snapshot, Path(path))

    def _export_csv_dialog(self) -> None:
        self._export("CSV", "team-figures.csv", "CSV files (*.csv)", self.export_csv)

    def _export_pdf_dialog(self) -> None:
        self._export("PDF report", "team-report.pdf", "PDF files (*.pdf)", self.export_pdf)

    def _export(self, what: str, name: str, pattern: str, write: Callable[[Path], None]) -> None:
        if self.data is None:
            return
        stamp = self.data.snapshot.now.astimezone(self.tz).strftime("%Y-%m-%d")
        suggested = str(Path.home() / f"{Path(name).stem}-{stamp}{Path(name).suffix}")
        path, _ = QFileDialog.getSaveFileName(self, f"Export {what}", suggested, pattern)
        if not path:
            return
        try:
            write(Path(path))
        except OSError as exc:
            QMessageBox.warning(self, f"Export {what}", f"Could not write {path}: {exc}")
            return
        self.status.setText(f"{what} saved to {path}")

    # -- lifetime --------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop the timer and join the worker thread (called on close; safe twice)."""
        if hasattr(self, "timer"):
            self.timer.stop()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
            self._thread = None

    def closeEvent(self, event: Any) -> None:
        self.shutdown()
        super().closeEvent(event)


def tiles_template() -> list[tuple[str, str, str]]:
    """The tiles' keys and captions before any figure is known."""
    return [
        ("open", "Open", ""),
        ("due_within_4h", "Due within 4 h", ""),
        ("overdue", "Overdue", ""),
        ("decided_today", "Decided today", ""),
        ("within_24h_share_7d", "Decided within 24 h (7 days)", ""),
        ("turnaround_p50", "Turnaround, median (7 days)", ""),
        ("turnaround_p90", "Turnaround, 90th percentile", ""),
    ]


STYLE = """
#dashTitle { font-size: 18px; font-weight: 600; }
#asOf { color: #5b6472; }
#panelTitle { font-weight: 600; font-size: 13px; padding: 2px 0; }
#tile { background: #f6f7f9; border: 1px solid #d5d9df; border-radius: 6px; }
#tile:focus { border: 2px solid #2a6bbf; }
#tile[alert="true"] { background: #fdeeec; border-color: #c8332b; }
#tileCaption { color: #5b6472; font-size: 12px; }
#tileValue { font-size: 26px; font-weight: 600; color: #1f2328; }
#tile[alert="true"] #tileValue { color: #b42318; }
#tile[warn="true"] { background: #fff6e5; border-color: #d98c1a; }
#tile[warn="true"] #tileValue { color: #9a5b00; }
#tileNote { color: #6b7380; font-size: 11px; }
"""

__all__ = [
    "DashboardWidget",
    "ReassignDialog",
    "Tile",
    "dashboard_allowed",
]
