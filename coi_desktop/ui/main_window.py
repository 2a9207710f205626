"""The reviewer's workbench: queue | document | checklist, driven by the keyboard.

The window wires thin widgets together with signals; every read and write goes
through the domain (`coi_desktop.queue`, `coi_desktop.review.decisions`). Work
that could stall the screen (PDF rendering, extraction, queue counts, sync) runs
on worker threads that are joined when the window closes.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import QByteArray, QMetaObject, QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QSplitter,
    QTabBar,
    QTableView,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from coi_desktop import __version__
from coi_desktop.models import User
from coi_desktop.queue import QueueFilter, count_queue
from coi_desktop.review import decisions
from coi_desktop.review.checklist import ChecklistLine
from coi_desktop.review.decisions import DecisionError
from coi_desktop.review.submission_view import SubmissionView, load_submission
from coi_desktop.team_lookups import user_names
from coi_desktop.ui import theme
from coi_desktop.ui.actions import ACTIONS, MENU_TITLES, MENUS, ActionSpec
from coi_desktop.ui.background import CountThread, PreparationThread, QueueLoader, StoreWatcher
from coi_desktop.ui.checklist_panel import ChecklistPanel
from coi_desktop.ui.dialogs import AboutDialog, DecisionDialog, OverrideDialog, ShortcutsDialog
from coi_desktop.ui.pdf_viewer import PdfViewer
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
from coi_desktop.workspace import Workspace

log = logging.getLogger(__name__)

VIEWS: tuple[tuple[str, str], ...] = (
    ("mine", "My work"),
    ("unassigned", "Unassigned"),
    ("all", "All"),
)
SEARCH_DELAY_MS = 150
SORT_NAMES = {key: title for title, key in COLUMNS}
READ_ONLY_TIP = "Read-only access: you can look and search, but not change or decide submissions."
NO_USER_TIP = "Nobody is signed in: sign in from Settings to decide."


def _optional(module: str, name: str) -> Any:
    """A class from a module another part of the app provides, or None while it is missing."""
    if importlib.util.find_spec(module) is None:
        return None
    try:
        return getattr(importlib.import_module(module), name, None)
    except Exception:  # a half-written module must not stop the workbench
        log.exception("could not load %s.%s", module, name)
        return None


_ANY = object()  # record_decision without a check of what the reviewer saw (tests, scripts)


class _ChangedElsewhere(Exception):
    """The store's decision is not the one the reviewer saw: write nothing."""


def _decision_key(view: SubmissionView) -> tuple[str, str] | None:
    d = view.decision
    return (d.id, d.outcome) if d is not None else None


class MainWindow(QMainWindow):
    submission_opened = Signal(str)  # id, after header, checklist and viewer were told
    decided = Signal(str, str)  # id, outcome

    SEND_DELAY_MS = 8000  # from a decision to asking sync to send it (Ctrl+Z until then)

    def __init__(
        self,
        workspace: Workspace,
        *,
        clock: Callable[[], datetime] | None = None,
        background: bool = True,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self._clock = clock or (lambda: datetime.now(UTC))
        self.user: User | None = workspace.current_user()
        self.current_id: str | None = None
        self.current_view: SubmissionView | None = None
        self._last_decided: str | None = None
        self.open_dialog: DecisionDialog | OverrideDialog | None = None
        self.sync_worker: Any = None
        self.sync_thread: Any = None
        self._retired_sync: list[tuple[Any, Any]] = []
        self.sync_panel: QWidget | None = None
        self.sync_dock: QDockWidget | None = None
        self.dashboard: QWidget | None = None
        self.setWindowTitle("COI Desk")
        self.setObjectName("main_window")
        self.settings = QSettings(
            str(workspace.locations.config_dir / "ui.ini"), QSettings.Format.IniFormat
        )
        with workspace.database.session() as session:
            names = user_names(session)

        self.actions_by_name: dict[str, QAction] = {}
        self._build_actions()
        self._build_queue_pane(names)
        self.viewer = PdfViewer(workspace.documents.read)
        self.viewer.setObjectName("pdf_viewer")
        self.checklist = ChecklistPanel()
        self.checklist.setObjectName("checklist_panel")
        self.checklist.add_decision_buttons(
            [
                self.actions_by_name[n]
                for n in (
                    "decide_compliant",
                    "decide_non_compliant",
                    "decide_rejected",
                    "undo_decision",
                )
            ]
        )
        self.checklist.evidence_requested.connect(self.viewer.show_evidence)

        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setObjectName("workbench_split")
        self.split.addWidget(self.queue_pane)
        self.split.addWidget(self.viewer)
        self.split.addWidget(self.checklist)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 4)
        self.split.setStretchFactor(2, 3)
        self.split.setChildrenCollapsible(False)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("main_tabs")
        self.tabs.setTabBarAutoHide(True)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.split, "Review")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.setCentralWidget(self.tabs)
        self._build_menus()
        self._build_status_bar()
        self._apply_role()
        self._install_dashboard()
        self._install_sync()
        self._restore_state()

        self.counts = CountThread(workspace.database, self)
        self.counts.counted.connect(self._show_counts)
        self.preparation = PreparationThread(
            workspace.database, workspace.documents, lambda: self._clock().astimezone().date(), self
        )
        self.preparation.prepared.connect(self.submissions_changed)
        self.preparation.busy_changed.connect(self._preparing)
        self._background = background
        # Decisions, claims and syncs made by another process (the CLI, a second window).
        self.watcher = StoreWatcher(workspace.database, parent=self)
        self.watcher.changed.connect(self.store_changed)
        # A decision is sent a few seconds after it is made: long enough for Ctrl+Z.
        self._send_timer = QTimer(self)
        self._send_timer.setSingleShot(True)
        self._send_timer.setInterval(self.SEND_DELAY_MS)
        self._send_timer.timeout.connect(self._send_now)

        self.view_bar.blockSignals(True)  # the first page is read just below, once
        self.view_bar.setCurrentIndex([v for v, _ in VIEWS].index(self._first_view()))
        self.view_bar.blockSignals(False)
        self.model.set_filter(self.current_filter())  # the first page now: the window opens on it
        self._reselect(self.current_id)
        self._update_queue_info()
        QTimer.singleShot(0, self._refresh_counts)  # counts once the window is up
        if self.model.rowCount():
            self.select_row(0)
        self._update_action_state()
        if background:
            QTimer.singleShot(500, self.preparation.poke)
            QTimer.singleShot(0, self.start_sync)
            self.watcher.start()
        self.setTabOrder(self.search, self.view_bar)
        self.setTabOrder(self.view_bar, self.table)
        self.setTabOrder(self.table, self.viewer.pages)
        self.setTabOrder(self.viewer.pages, self.checklist.tree)
        self.setTabOrder(self.checklist.tree, self.checklist.deficiencies_edit)
        self.table.setFocus()  # the keys work from the first moment (J, N, Ctrl+1 …)

    def _tab_changed(self, index: int) -> None:
        """Alt+Q / Alt+D / Alt+C go to a pane of the Review tab; on another tab (the Team
        view has its own Alt keys, e.g. Alt+C for Customer) they stand aside, or Qt
        finds two owners and does neither."""
        for name in ("focus_queue", "focus_document", "focus_checklist"):
            self.actions_by_name[name].setEnabled(index == 0)

    def _first_view(self) -> str:
        """Reviewers start in My work, or in Unassigned when they hold nothing yet."""
        if self.user is None or self.user.role != "reviewer":
            return "all"
        with self.workspace.database.session() as session:
            mine = count_queue(session, QueueFilter(view="mine", user_id=self.user.id))
        return "mine" if mine else "unassigned"

    # ================================================================ building

    def _build_actions(self) -> None:
        for spec in ACTIONS:
            action = QAction(spec.text, self)
            action.setObjectName(f"action_{spec.name}")
            action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setCheckable(spec.checkable)
            action.setToolTip(self._tip(spec))
            action.setStatusTip(spec.tip)
            action.triggered.connect(getattr(self, f"act_{spec.name}"))
            self.addAction(action)
            self.actions_by_name[spec.name] = action

    @staticmethod
    def _tip(spec: ActionSpec, reason: str = "") -> str:
        keys = " / ".join(
            QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText) for s in spec.shortcuts
        )
        tip = f"{spec.tip} ({keys})" if keys else spec.tip
        return f"{tip}\n{reason}" if reason else tip

    def _build_menus(self) -> None:
        bar = self.menuBar()
        menus: dict[str, QMenu] = {}
        for group in MENUS:
            menus[group] = bar.addMenu(MENU_TITLES[group])
        for spec in ACTIONS:
            menus[spec.group].addAction(self.actions_by_name[spec.name])
        toolbar = QToolBar("Main")
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for spec in ACTIONS:
            if spec.toolbar:
                toolbar.addAction(self.actions_by_name[spec.name])
        self.addToolBar(toolbar)
        self.toolbar = toolbar

    def _build_queue_pane(self, names: dict[str, str]) -> None:
        pane = QWidget()
        pane.setObjectName("queue_pane")
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(6, 6, 0, 6)
        self.view_bar = QTabBar()
        self.view_bar.setObjectName("queue_views")
        self.view_bar.setExpanding(False)
        self.view_bar.setDrawBase(False)
        for _view, label in VIEWS:
            self.view_bar.addTab(label)
        self.view_bar.setToolTip("My work (Alt+1) · Unassigned (Alt+2) · All (Alt+3)")
        self.view_bar.currentChanged.connect(lambda _i: self._apply_filter())
        layout.addWidget(self.view_bar)

        self.search = QLineEdit()
        self.search.setObjectName("queue_search")
        self.search.setPlaceholderText("Search vendor, project, insured  (Ctrl+L or /)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the queue")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_filter)
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(600)
        self._counts_timer.timeout.connect(self._refresh_counts)
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
        self.status_box.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.kind_box.currentIndexChanged.connect(lambda _i: self._apply_filter())
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
        self._drill: QueueFilter | None = None
        layout.addWidget(self.drill_row)

        self.loader = QueueLoader(self.workspace.database, self)
        self.model = QueueModel(
            self.workspace.database, self, clock=self._clock, user_names=names, loader=self.loader
        )
        self.model.filter_loaded.connect(self._filter_loaded)
        self.table = QTableView()
        self.table.setObjectName("queue_table")
        self.table.setAccessibleName("Queue")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(DUE, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
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
            self.table.setColumnWidth(column, width * em)
        header.setSectionResizeMode(VENDOR, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(DUE, self.fontMetrics().horizontalAdvance("late 23h 59m") + em)
        for column in (KIND, RECEIVED, STATUS, REVIEWER):
            self.table.setColumnHidden(column, True)  # right-click the header to show them
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        layout.addWidget(self.table, 1)
        self.queue_info = QLabel()
        self.queue_info.setObjectName("queue_info")
        layout.addWidget(self.queue_info)
        self.queue_pane = pane

    def _column_menu(self, pos: Any) -> None:
        menu = QMenu(self)
        for column, (title, _key) in enumerate(COLUMNS):
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(column))
            action.setEnabled(column != DUE)
            action.toggled.connect(lambda on, c=column: self.table.setColumnHidden(c, not on))
        menu.popup(self.table.horizontalHeader().mapToGlobal(pos))

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.user_label = QLabel(self._user_text())
        self.user_label.setObjectName("user_label")
        self.user_label.setToolTip("Signed-in user and role")
        self.prepare_label = QLabel("")
        self.sync_label = QLabel("Sync: not running")
        self.sync_label.setObjectName("sync_label")
        self.sync_label.setToolTip(
            "Sync with the tracker and Procore (Ctrl+Shift+Y shows the panel)"
        )
        self.clock_label = QLabel()
        self.clock_label.setObjectName("clock_label")
        self.clock_label.setToolTip("Local time")
        bar.addPermanentWidget(self.prepare_label)
        bar.addPermanentWidget(self.sync_label)
        bar.addPermanentWidget(self.user_label)
        bar.addPermanentWidget(self.clock_label)
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(15_000)
        self._clock_timer.timeout.connect(self._tick_clock)
        self._clock_timer.start()
        self._tick_clock()

    def _tick_clock(self) -> None:
        self.clock_label.setText(self._clock().astimezone().strftime("%a %H:%M"))

    # ================================================================ roles

    def _user_text(self) -> str:
        if self.user is None:
            return "Not signed in"
        return f"{self.user.name} · {self.user.role.replace('_', '-')}"

    def follow_sign_in(self) -> bool:
        """Take in who the tracker says is signed in (first sync, a new token); True if changed.

        The role decides what the window offers: decisions, the Team tab, the first view.
        """
        user = self.workspace.current_user()
        old = self.user
        if user is None or (
            old is not None and (old.id, old.name, old.role) == (user.id, user.name, user.role)
        ):
            return False
        self.user = user
        self.user_label.setText(self._user_text())
        self._apply_role()
        if user.role == "lead" and self.dashboard is None:
            self._install_dashboard()
        elif user.role != "lead" and self.dashboard is not None:
            self._remove_dashboard()
        self.model.user_names[user.id] = user.name
        self.view_bar.blockSignals(True)
        self.view_bar.setCurrentIndex([v for v, _ in VIEWS].index(self._first_view()))
        self.view_bar.blockSignals(False)
        self._apply_filter()  # the views depend on who "mine" is
        self._update_action_state()
        self.statusBar().showMessage(
            f"Signed in as {user.name} ({user.role.replace('_', '-')}).", 8000
        )
        return True

    @property
    def can_decide(self) -> bool:
        return self.user is not None and self.user.role != "read_only"

    def _apply_role(self) -> None:
        reason = "" if self.can_decide else (READ_ONLY_TIP if self.user else NO_USER_TIP)
        for spec in ACTIONS:
            if spec.decides:
                self.actions_by_name[spec.name].setToolTip(self._tip(spec, reason))
        self.checklist.deficiencies_edit.setReadOnly(not self.can_decide)
        if reason:
            self.checklist.deficiencies_edit.setToolTip(reason)

    def _update_action_state(self) -> None:
        have = self.current_view is not None
        decision = self.current_view.decision if self.current_view else None
        for spec in ACTIONS:
            if spec.decides:
                enabled = self.can_decide and have
                if spec.name == "undo_decision":
                    enabled = self.can_decide and self._undo_target() is not None
                elif spec.name.startswith("decide_") and decision is not None:
                    enabled = self.can_decide and decision.delivery in decisions.REOPENABLE
                elif spec.name in ("toggle_line", "override_line"):
                    enabled = enabled and bool(self.current_view and self.current_view.lines)
                self.actions_by_name[spec.name].setEnabled(enabled)
        self.checklist.recompose.setEnabled(self.can_decide and have)

    # ================================================================ optional parts

    def _install_dashboard(self) -> None:
        if self.user is None or self.user.role != "lead":
            return
        widget_class = _optional("coi_desktop.ui.dashboard", "DashboardWidget")
        if widget_class is None:
            return
        try:
            self.dashboard = widget_class(self.workspace)
        except Exception:
            log.exception("the team dashboard could not be created")
            return
        assert self.dashboard is not None
        self.tabs.addTab(self.dashboard, "Team")
        for name, slot in (
            ("drill_down", self.apply_drill_down),
            ("reassigned", self.submissions_changed),
            ("refreshed", self._team_refreshed),
            ("reassigned", self._send_soon),
        ):
            signal = getattr(self.dashboard, name, None)
            if signal is not None:
                signal.connect(slot)

    def _remove_dashboard(self) -> None:
        dashboard, self.dashboard = self.dashboard, None
        if dashboard is None:
            return
        self.tabs.removeTab(self.tabs.indexOf(dashboard))
        stop = getattr(dashboard, "shutdown", None)
        if callable(stop):
            stop()
        dashboard.deleteLater()

    def _send_soon(self, _ids: object = None) -> None:
        """A reassignment was written: sync now, so the lead sees it delivered in seconds."""
        request = getattr(self.sync_worker, "request_sync", None)
        if callable(request):
            request()

    def _team_refreshed(self) -> None:
        """The team view learned names from the tracker: the queue's Reviewer column uses them."""
        with self.workspace.database.session() as session:
            self.model.user_names.update(user_names(session))
        self.table.viewport().update()

    def _install_sync(self) -> None:
        """Menu items for the sync panel and the settings, when sync is built in.

        The panel itself is made the first time it is shown: its module brings the whole
        sync engine (and PyMuPDF) with it, which the window should not wait for.
        """
        for name, module in (
            ("toggle_sync_panel", "coi_desktop.ui.sync_panel"),
            ("settings", "coi_desktop.ui.settings_dialog"),
        ):
            if importlib.util.find_spec(module) is None:
                action = self.actions_by_name[name]
                action.setEnabled(False)
                action.setToolTip("Not part of this build yet.")

    def _ensure_sync_panel(self) -> QDockWidget | None:
        if self.sync_dock is not None:
            return self.sync_dock
        panel_class = _optional("coi_desktop.ui.sync_panel", "SyncPanel")
        if panel_class is None:
            return None
        try:
            self.sync_panel = panel_class(self.workspace.database)
        except Exception:
            log.exception("the sync panel could not be created")
            return None
        dock = QDockWidget("Sync", self)
        dock.setObjectName("sync_dock")
        dock.setWidget(self.sync_panel)
        dock.hide()
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.resizeDocks([dock], [200], Qt.Orientation.Vertical)
        self.sync_dock = dock
        if self.sync_worker is not None:
            self._connect_panel(self.sync_worker)
        return dock

    def start_sync(self) -> None:
        """Run the sync engine on its own thread (the real app; tests plug in their own)."""
        worker_class = _optional("coi_desktop.ui.sync_worker", "SyncWorker")
        if worker_class is None:
            return
        try:
            from coi_desktop.sync.engine import SyncEngine, config_for
            from coi_desktop.ui.sync_worker import start_sync_thread

            engine = SyncEngine(
                self.workspace.database,
                self.workspace.documents,
                # The window prepares submissions on its own thread (the one the reviewer
                # opened first); a pass of the sync loop only moves data, so a decision
                # waits for no extraction before it is sent.
                config_for(self.workspace.connection, self.workspace.credentials, prepare_limit=0),
                credentials=self.workspace.credentials,
            )
            worker = worker_class(engine)
            self.attach_sync_worker(worker)
            self.sync_thread = start_sync_thread(worker)
        except Exception:
            log.exception("sync could not be started")
            self.show_sync_status("Sync could not start (see the log)")

    def _stop_sync(self, *, wait: bool) -> None:
        """Stop the sync loop; on restart without waiting, the old thread is joined at exit."""
        worker, thread = self.sync_worker, self.sync_thread
        self.sync_worker = self.sync_thread = None
        if worker is None or thread is None:
            return
        for name, slot in (
            ("status_changed", self.show_sync_status),
            ("submissions_changed", self.submissions_changed),
            ("warning", self._sync_warning),
        ):
            getattr(worker, name).disconnect(slot)
        if wait:
            from coi_desktop.ui.sync_worker import stop_sync_thread

            stop_sync_thread(worker, thread)
            return
        QMetaObject.invokeMethod(worker, "stop", Qt.ConnectionType.QueuedConnection)
        thread.quit()
        self._retired_sync.append((worker, thread))

    def attach_sync_worker(self, worker: Any) -> None:
        """Plug in a sync worker (a QObject on its own thread): status, changes, warnings."""
        self.sync_worker = worker
        for name, slot in (
            ("status_changed", self.show_sync_status),
            ("submissions_changed", self.submissions_changed),
            ("warning", self._sync_warning),
        ):
            signal = getattr(worker, name, None)
            if signal is not None:
                signal.connect(slot)
        self._connect_panel(worker)

    def _connect_panel(self, worker: Any) -> None:
        panel = self.sync_panel
        if panel is not None:
            for name, slot_name in (
                ("status_changed", "show_status"),
                ("outbox_changed", "reload"),
            ):
                source, target = getattr(worker, name, None), getattr(panel, slot_name, None)
                if source is not None and target is not None:
                    source.connect(target)
            retry = getattr(panel, "retry_requested", None)
            if retry is not None and hasattr(worker, "request_sync"):
                retry.connect(lambda _item: worker.request_sync())

    def show_sync_status(self, status: object) -> None:
        """The status bar's sync indicator: a `SyncStatus` from the worker, or plain text."""
        if not self.follow_sign_in() and self.model.rowCount() == 0 and self._drill is None:
            self._apply_filter()  # an empty queue (first run): the pass may have brought rows
        if (
            self.dashboard is not None
            and getattr(status, "state", "") not in ("", "syncing")
            and self.tabs.currentWidget() is self.dashboard
        ):
            refresh = getattr(self.dashboard, "refresh", None)
            if callable(refresh):
                refresh()  # the pass may have delivered reassignments or brought decisions
        summary = getattr(status, "summary", None)
        if callable(summary):
            text = str(summary())
        elif isinstance(summary, str) and summary:
            text = summary
        else:
            text = status if isinstance(status, str) else str(status)
        self.sync_label.setText(text if text.lower().startswith("sync") else f"Sync: {text}")
        message = getattr(status, "message", "")
        if isinstance(message, str) and message:
            self.sync_label.setToolTip(message)
        state = str(getattr(status, "state", "") or "")
        needs_person = bool(getattr(status, "conflicts", 0) or getattr(status, "failed", 0))
        if needs_person or state in ("error", "failed", "conflict"):
            shade: str | None = "overdue"
        elif state in ("offline", "signed_out", "not_configured"):
            shade = "soon"
        else:
            shade = None
        self.sync_label.setStyleSheet(
            f"color: {theme.urgency_color(shade).name()}; font-weight: bold;" if shade else ""
        )

    def _sync_warning(self, text: str) -> None:
        self.statusBar().showMessage(text, 10_000)

    # ================================================================ queue

    def current_filter(self) -> QueueFilter:
        if self._drill is not None:
            return self._drill
        view = VIEWS[max(0, self.view_bar.currentIndex())][0]
        status = self.status_box.currentData()
        kind = self.kind_box.currentData()
        old = self.model.wanted_filter
        return QueueFilter(
            view=view,  # type: ignore[arg-type]
            user_id=self.user.id if self.user else None,
            statuses=(status,) if status else (),
            kinds=(kind,) if kind else (),
            search=self.search.text().strip(),
            sort=old.sort,
            descending=old.descending,
        )

    def _apply_filter(self) -> None:
        """Filters changed (typing, view, status, kind): load the first page off the GUI thread."""
        self._search_timer.stop()
        flt = self.current_filter()
        if flt == self.model.wanted_filter and self.model.rowCount() > 0:
            return
        self.model.request_filter(flt)

    def _filter_loaded(self, _flt: object) -> None:
        self._reselect(self.current_id)
        self._update_queue_info()
        self._counts_timer.start()  # once typing pauses, so counting never delays the rows

    def _search_done(self) -> None:
        """Enter in the search box: go to the results (the first one once they are in)."""
        self._apply_filter()
        self.table.setFocus()

        def first(_flt: object) -> None:
            self.model.filter_loaded.disconnect(first)
            if self.table.currentIndex().row() < 0 and self.model.rowCount():
                self.select_row(0)

        if self.model.wanted_filter is not self.model.queue_filter:
            self.model.filter_loaded.connect(first)
        elif self.table.currentIndex().row() < 0 and self.model.rowCount():
            self.select_row(0)

    def _reselect(self, submission_id: str | None) -> None:
        row = self.model.row_of(submission_id) if submission_id else -1
        if row >= 0:
            self.table.selectionModel().blockSignals(True)
            self.table.selectRow(row)
            self.table.setCurrentIndex(self.model.index(row, DUE))
            self.table.selectionModel().blockSignals(False)

    def _refresh_counts(self) -> None:
        if not self._background_ok():
            return
        base = self.current_filter() if self._drill is None else self._drill
        # The Team view's drill-down filter names no user: "My work" is still this user's.
        me = self.user.id if self.user else None
        self.counts.request(
            {view: replace(base, view=view, user_id=me) for view, _ in VIEWS}  # type: ignore[arg-type]
        )

    def _background_ok(self) -> bool:
        return hasattr(self, "counts")

    def _show_counts(self, counts: dict[str, int]) -> None:
        for i, (view, label) in enumerate(VIEWS):
            if view in counts:
                self.view_bar.setTabText(i, f"{label} ({counts[view]:,})")
        self._update_queue_info(counts)

    def _update_queue_info(self, counts: dict[str, int] | None = None) -> None:
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

    def apply_drill_down(self, flt: object) -> None:
        """The team view asks for part of the queue (a QueueFilter)."""
        if not isinstance(flt, QueueFilter):
            return
        self._drill = flt
        self.drill_label.setText("Showing the team view's selection")
        self.drill_row.show()
        self.tabs.setCurrentIndex(0)
        self.model.set_filter(flt)
        self._refresh_counts()
        self._update_queue_info()
        if self.model.rowCount():
            self.select_row(0)

    def clear_drill_down(self) -> None:
        self._drill = None
        self.drill_row.hide()
        self._apply_filter()

    def select_row(self, row: int) -> None:
        while row >= self.model.rowCount() and self.model.canFetchMore():
            self.model.fetch_now()
        if not 0 <= row < self.model.rowCount():
            return
        index = self.model.index(row, DUE)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_at(current.row())
        if row is not None and row.id != self.current_id:
            self.open_submission(row.id)

    def _send_now(self) -> None:
        worker = self.sync_worker
        if worker is not None and hasattr(worker, "request_sync"):
            worker.request_sync()

    def store_changed(self, ids: list[str]) -> None:
        """Another process (or connection) changed these submissions: show them as stored."""
        self.submissions_changed(ids)
        reload = getattr(self.sync_panel, "reload", None)
        if callable(reload):
            reload()

    def submissions_changed(self, ids: list[str]) -> None:
        """Sync or preparation changed these submissions: refresh their rows and the open one."""
        self.model.refresh_ids(list(ids))
        if self.current_id in ids:
            self._reload_current(keep_viewer=True)
        self._refresh_counts()
        if self._background:
            self.preparation.poke()

    def _preparing(self, busy: bool) -> None:
        self.prepare_label.setText("Preparing new submissions…" if busy else "")

    # ================================================================ opening

    def open_submission(self, submission_id: str) -> None:
        """Show a submission: header, checklist and documents; claim it for the reviewer."""
        # A lead opens work to look at it (spot checks, the Team tab's drill-down): opening
        # never takes it from the team's queue; leads may decide without holding.
        lead = self.user is not None and self.user.role == "lead"
        claim_for = self.user if self.can_decide and not lead else None
        row = self.model.row_at(self.model.row_of(submission_id))
        with self.workspace.database.session() as session:
            view = load_submission(session, submission_id, claim_for=claim_for)
        self.current_id = submission_id
        self.current_view = view
        self.checklist.show_submission(view, now=self._clock())
        if view is None:
            self.viewer.clear()
        else:
            self.viewer.set_documents(view.documents)
            claimed_now = claim_for is not None and view.assigned_to == claim_for.id
            if claimed_now and row is not None and row.assigned_to != view.assigned_to:
                self.model.refresh_ids([submission_id])  # the row shows the new holder
        if view is not None and not view.checked and view.documents and self._background:
            self.preparation.prepare_first(submission_id)
        self._update_action_state()
        title = f"{view.vendor} — COI Desk" if view else "COI Desk"
        self.setWindowTitle(title)
        self.submission_opened.emit(submission_id)

    def _reload_current(self, *, keep_viewer: bool = False) -> None:
        if self.current_id is None:
            return
        position = self.checklist.selected()
        with self.workspace.database.session() as session:
            view = load_submission(session, self.current_id)
        if view is not None and view == self.current_view:
            return  # nothing the reviewer sees changed: leave the selection where it is
        self.current_view = view
        self.checklist.show_submission(view, now=self._clock())
        if position is not None:
            self.checklist.select_position(position[0])
        if not keep_viewer and view is not None:
            self.viewer.set_documents(view.documents)
        self._update_action_state()

    # ================================================================ decisions

    def _decision_error(self, exc: Exception) -> str:
        return str(exc)

    def record_decision(self, outcome: str, note: str, *, expected: object = _ANY) -> str | None:
        """Write the decision (and its outbox item); None when done, else the reason.

        ``expected`` is the decision the reviewer saw when the dialog opened: when the
        store holds another by now (decided elsewhere meanwhile), nothing is written.
        """
        if self.user is None or self.current_id is None:
            return NO_USER_TIP if self.user is None else "No submission is open."
        submission_id = self.current_id
        row = self.model.row_of(submission_id)
        deficiencies = self.checklist.deficiencies() if outcome == "non_compliant" else None
        try:
            with self.workspace.database.session() as session:
                if expected is not _ANY:
                    state = decisions.current_decision(session, submission_id)
                    now = (state.decision.id, state.decision.outcome) if state.decision else None
                    if now != expected:
                        raise _ChangedElsewhere
                decisions.record_decision(
                    session, submission_id, outcome, self.user, note=note, deficiencies=deficiencies
                )
        except DecisionError as exc:
            return str(exc)
        except _ChangedElsewhere:
            self._reload_current(keep_viewer=True)
            view = self.current_view
            return self._changed_elsewhere(view) if view else "This submission is gone."
        self._last_decided = submission_id
        self._send_timer.start()
        self.statusBar().showMessage(
            f"{self.current_view.vendor if self.current_view else submission_id}: "
            f"{outcome.replace('_', '-')} — saved; Ctrl+Z undoes it until it is sent.",
            8000,
        )
        self.decided.emit(submission_id, outcome)
        self._after_change(submission_id, row, advance=True)
        return None

    def _after_change(self, submission_id: str, row: int, *, advance: bool) -> None:
        self.model.reload()
        self._refresh_counts()
        still_here = self.model.row_of(submission_id)
        # The next by the queue's order: after the decided row, or where it was if it left.
        target = (still_here + 1 if still_here >= 0 else max(0, row)) if advance else still_here
        self.current_id = None
        if 0 <= target < self.model.rowCount() or self.model.canFetchMore():
            self.select_row(target)
        nothing_next = self.model.rowCount() == 0 or target >= self.model.rowCount()
        if self.current_id is None and ((not advance and still_here < 0) or nothing_next):
            self.open_submission(submission_id)  # keep showing it (with its decision)
        self._update_queue_info()

    def _undo_target(self) -> str | None:
        view = self.current_view
        if view is not None and view.decision is not None and view.decision.undoable:
            return view.id
        return self._last_decided

    def undo(self) -> str | None:
        target = self._undo_target()
        if self.user is None or target is None:
            return "There is no decision to undo."
        try:
            with self.workspace.database.session() as session:
                decisions.undo_decision(session, target, self.user)
        except DecisionError as exc:
            return str(exc)
        self._last_decided = None
        self.statusBar().showMessage("Decision undone; the submission is open again.", 8000)
        self.model.reload()
        self._refresh_counts()
        row = self.model.row_of(target)
        self.current_id = None
        if row >= 0:
            self.select_row(row)
        if self.current_id != target:
            self.open_submission(target)
        return None

    def override(self, position: int, result: str, note: str) -> str | None:
        if self.user is None or self.current_id is None:
            return NO_USER_TIP if self.user is None else "No submission is open."
        try:
            with self.workspace.database.session() as session:
                line = decisions.override_line(
                    session, self.current_id, position, result, note, self.user
                )
        except DecisionError as exc:
            return str(exc)
        self.checklist.replace_line(position, line)
        if self.current_view is not None:
            lines = list(self.current_view.lines)
            lines[position] = line
            self.current_view = replace(self.current_view, lines=lines)
        self.model.refresh_ids([self.current_id])
        return None

    # ================================================================ action slots

    def _decide(self, outcome: str) -> None:
        if not self.can_decide:
            self.statusBar().showMessage(READ_ONLY_TIP, 8000)
            return
        if self.current_view is None:
            return
        shown = self.current_view
        # Another process (the CLI, a second window, sync) may have decided or changed it
        # since it was shown: decide on what the store holds now, never on the old view.
        self._reload_current(keep_viewer=True)
        view = self.current_view
        if view is None:
            return
        changed = _decision_key(view) != _decision_key(shown) or view.status != shown.status
        if changed:
            message = self._changed_elsewhere(view)
            self.checklist.show_message(message)
            self.statusBar().showMessage(message, 15_000)
            return
        if not self.actions_by_name[f"decide_{outcome}"].isEnabled():
            return
        text = f"{view.vendor} ({view.project or view.id})"
        deficiencies = self.checklist.deficiencies()
        failing = sum(1 for line in view.lines if line.result == "fail")
        expected = _decision_key(view)

        def submit(choice: str, note: str) -> str | None:
            return self.record_decision(choice, note, expected=expected)

        dialog = DecisionDialog(outcome, text, deficiencies, submit, self, failing=failing)
        self._show_dialog(dialog)

    def _changed_elsewhere(self, view: SubmissionView) -> str:
        """The sentence shown when the store moved on under the reviewer's eyes."""
        decision = view.decision
        if decision is None:
            return (
                f"{view.vendor} changed since you opened it (now "
                f"{STATUS_TEXT.get(view.status, view.status).lower()}); look again, then decide."
            )
        with self.workspace.database.session() as session:
            who = session.get(User, decision.decided_by)
            name = who.name if who is not None else decision.decided_by
        outcome = decision.outcome.replace("_", "-")
        return (
            f"{name} decided {view.vendor} {outcome} at "
            f"{decision.decided_at.astimezone().strftime('%H:%M')} (elsewhere, e.g. the command "
            "line); the checklist now shows it. Look again before deciding."
        )

    def _show_dialog(self, dialog: DecisionDialog | OverrideDialog) -> None:
        self.open_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: setattr(self, "open_dialog", None))
        # After the dialog the keys go to the checklist (N, P, T…) or the queue (J, K),
        # never to whatever text field had the focus before: the next vendor's
        # deficiencies would take the letters.
        dialog.finished.connect(self._focus_after_dialog)
        dialog.open()

    def _focus_after_dialog(self, result: int) -> None:
        if result != QDialog.DialogCode.Accepted or self.focusWidget() is self.table:
            return  # cancelled: back where the reviewer was
        self.checklist.tree.setFocus(Qt.FocusReason.OtherFocusReason)

    def act_decide_compliant(self) -> None:
        self._decide("compliant")

    def act_decide_non_compliant(self) -> None:
        self._decide("non_compliant")

    def act_decide_rejected(self) -> None:
        self._decide("rejected")

    def act_undo_decision(self) -> None:
        problem = self.undo()
        if problem:
            self.statusBar().showMessage(problem, 10_000)

    def _line_dialog(self, toggle: bool) -> None:
        if not self.can_decide:
            self.statusBar().showMessage(READ_ONLY_TIP, 8000)
            return
        found = self.checklist.selected()
        if found is None:
            self.checklist.select_line(+1)
            found = self.checklist.selected()
            if found is None:
                return
        position, line = found
        preselect: str = line.result
        if toggle:
            preselect = {"pass": "fail", "fail": "pass"}.get(line.result, "pass")

        def submit(result: str, note: str) -> str | None:
            return self.override(position, result, note)

        self._show_dialog(OverrideDialog(line, preselect, submit, self))

    def act_toggle_line(self) -> None:
        self._line_dialog(toggle=True)

    def act_override_line(self) -> None:
        self._line_dialog(toggle=False)

    def act_next_submission(self) -> None:
        self.select_row(self.table.currentIndex().row() + 1)

    def act_previous_submission(self) -> None:
        self.select_row(max(0, self.table.currentIndex().row() - 1))

    def act_focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search.setFocus()
        self.search.selectAll()

    def act_focus_queue(self) -> None:
        self.table.setFocus()

    def act_focus_checklist(self) -> None:
        self.checklist.tree.setFocus()

    def act_focus_document(self) -> None:
        self.viewer.pages.setFocus()

    def act_cycle_focus(self) -> None:
        panes: list[QWidget] = [self.table, self.viewer.pages, self.checklist.tree]
        focused = self.focusWidget()
        index = next(
            (i for i, w in enumerate(panes) if w is focused or w.isAncestorOf(focused)), -1
        )
        panes[(index + 1) % len(panes)].setFocus()

    def _set_view(self, view: str) -> None:
        self.clear_drill_down() if self._drill is not None else None
        self.view_bar.setCurrentIndex([v for v, _ in VIEWS].index(view))

    def act_view_mine(self) -> None:
        self._set_view("mine")

    def act_view_unassigned(self) -> None:
        self._set_view("unassigned")

    def act_view_all(self) -> None:
        self._set_view("all")

    def act_refresh(self) -> None:
        self.model.reload()
        self._reselect(self.current_id)
        self._refresh_counts()
        if self._background:
            self.preparation.poke()
        self._send_now()  # and ask the tracker now rather than at the next timed pass

    def act_next_line(self) -> None:
        self.checklist.select_line(+1)

    def act_previous_line(self) -> None:
        self.checklist.select_line(-1)

    def act_show_evidence(self) -> None:
        self.checklist.request_evidence()

    def act_edit_deficiencies(self) -> None:
        self.checklist.deficiencies_edit.setFocus()

    def act_find_in_document(self) -> None:
        self.viewer.open_find()

    def act_zoom_in(self) -> None:
        self.viewer.zoom_in()

    def act_zoom_out(self) -> None:
        self.viewer.zoom_out()

    def act_fit_width(self) -> None:
        self.viewer.fit_width()

    def act_fit_page(self) -> None:
        self.viewer.fit_page()

    def act_rotate(self) -> None:
        self.viewer.rotate()

    def act_toggle_thumbnails(self) -> None:
        shown = self.actions_by_name["toggle_thumbnails"].isChecked()
        self.viewer.set_thumbnails_visible(shown)
        self.settings.setValue("document/thumbnails", shown)

    def act_toggle_sync_panel(self) -> None:
        dock = self._ensure_sync_panel()
        if dock is not None:
            dock.setVisible(not dock.isVisible())

    def act_settings(self) -> None:
        dialog_class = _optional("coi_desktop.ui.settings_dialog", "SettingsDialog")
        if dialog_class is None:
            return
        where = self.workspace.locations.settings_file
        dialog = dialog_class(self.workspace.settings, where, self.workspace.credentials, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._settings_saved(dialog))
        dialog.open()

    def _settings_saved(self, dialog: Any) -> None:
        saved = getattr(dialog, "saved_settings", None)
        if saved is None:
            return
        self.workspace.settings = saved
        if self.sync_worker is not None:  # the new connection takes effect now
            self._stop_sync(wait=False)
            self.start_sync()
        message = getattr(dialog, "saved_message", "") or "Settings saved."
        self.statusBar().showMessage(message, 15_000)

    def act_quit(self) -> None:
        self.close()

    def act_shortcuts(self) -> None:
        dialog = ShortcutsDialog(ACTIONS, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def about_lines(self) -> list[tuple[str, str]]:
        where = self.workspace.locations
        return [
            ("Version", __version__),
            ("Signed in", f"{self.user.name} ({self.user.role})" if self.user else "nobody"),
            ("Data", str(where.data_dir)),
            ("Database", str(where.database)),
            ("Documents", str(where.documents_dir)),
            ("Log", str(where.log_file)),
            ("Settings", str(where.settings_file)),
        ]

    def act_about(self) -> None:
        dialog = AboutDialog(self.about_lines(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    # ================================================================ state

    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1366, 768)
            if QGuiApplication.platformName() != "offscreen":  # offscreen: 800 × 600
                # The first start takes the whole screen: a workbench used all day, and on
                # a 768-pixel screen 1366 × 768 plus a title bar would push the status bar
                # (the sync state) off the bottom.
                self.setWindowState(Qt.WindowState.WindowMaximized)
        for name, widget in (
            ("window/state", self),
            ("split/workbench", self.split),
            ("split/checklist", self.checklist.split),
            ("queue/header", self.table.horizontalHeader()),
        ):
            value = self.settings.value(name)
            if isinstance(value, QByteArray) and not value.isEmpty():
                widget.restoreState(value)
        thumbnails = str(self.settings.value("document/thumbnails", "true")).lower() != "false"
        self.actions_by_name["toggle_thumbnails"].setChecked(thumbnails)
        self.viewer.set_thumbnails_visible(thumbnails)
        if self.settings.value("split/workbench") is None:
            self.split.setSizes([370, 560, 436])
            self.checklist.split.setSizes([420, 180])

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("split/workbench", self.split.saveState())
        self.settings.setValue("split/checklist", self.checklist.split.saveState())
        self.settings.setValue("queue/header", self.table.horizontalHeader().saveState())
        self.settings.sync()

    def shutdown(self) -> None:
        """Stop and join every worker thread this window started."""
        if getattr(self, "_shut", False):
            return
        self._shut = True
        self.viewer.shutdown()
        self.loader.stop()
        self.preparation.stop()
        self.counts.stop()
        self.watcher.stop()
        for part in (self.dashboard, self.sync_panel):
            part_shutdown = getattr(part, "shutdown", None)
            if callable(part_shutdown):
                part_shutdown()
        if self.sync_thread is not None:
            self._stop_sync(wait=True)
        for _worker, thread in self._retired_sync:
            thread.wait()
        self._retired_sync.clear()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.shutdown()
        super().closeEvent(event)


__all__ = ["ChecklistLine", "MainWindow", "date"]
