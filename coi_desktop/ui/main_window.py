"""The reviewer's workbench: queue | document | checklist, driven by the keyboard.

A thin shell: it builds the panes (`QueuePane`, `PdfViewer`, `ChecklistPanel`), the
decision actions (`DecisionActions`), sync (`SyncController`) and the Team tab, and wires
them with explicit signals. The store is never read or written on the GUI thread once the
window is up: reads and writes run as background operations (`ui/operations.py`) whose
results come back to callbacks here, followed by "these submissions changed", which each
view uses to refresh itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QWidget,
)

from coi_desktop.models import User
from coi_desktop.queue import QueueFilter, View
from coi_desktop.review.session import Claimed, ReviewSession
from coi_desktop.review.submission_view import SubmissionView
from coi_desktop.sync.engine import SyncStatus
from coi_desktop.team_lookups import user_names
from coi_desktop.ui import window_state
from coi_desktop.ui.actions import ACTIONS, build_actions
from coi_desktop.ui.background import PreparationThread, StoreWatcher
from coi_desktop.ui.checklist_panel import ChecklistPanel
from coi_desktop.ui.dashboard import DashboardWidget
from coi_desktop.ui.decision_actions import DecisionActions
from coi_desktop.ui.dialogs import AboutDialog, ShortcutsDialog, about_lines
from coi_desktop.ui.operations import Operations
from coi_desktop.ui.pdf_viewer import PdfViewer
from coi_desktop.ui.queue_pane import QueuePane, first_view
from coi_desktop.ui.settings_dialog import SettingsDialog
from coi_desktop.ui.status_bar import StatusLabels, user_text
from coi_desktop.ui.submission_cache import READ_AHEAD, SubmissionCache
from coi_desktop.ui.sync_controller import SyncController
from coi_desktop.ui.sync_worker import SyncWorker
from coi_desktop.ui.team_tab import TeamTab
from coi_desktop.workspace import Workspace

log = logging.getLogger(__name__)


def _same_but_header(old: SubmissionView, new: SubmissionView) -> bool:
    """Only what the checklist's header shows changed (status, holder)."""
    return replace(old, status=new.status, assigned_to=new.assigned_to) == new


class MainWindow(QMainWindow):
    submission_opened = Signal(str)  # id, after header, checklist and viewer were told
    decided = Signal(str, str)  # id, outcome

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
        self._background = background
        self.setWindowTitle("COI Desk")
        self.setObjectName("main_window")
        self.settings = QSettings(
            str(workspace.locations.config_dir / "ui.ini"), QSettings.Format.IniFormat
        )
        # Startup reads the store once here (who is signed in, names, the first page);
        # from then on every read and write runs on these two operation threads.
        self.user: User | None = workspace.current_user()
        self.review = ReviewSession(workspace.database, self.user) if self.user else None
        self.reads = Operations("store-reads", self)
        self.writes = Operations("store-writes", self)
        self.writes.changed.connect(self.submissions_changed)
        self.views = SubmissionCache(workspace.database, self.reads)
        self.current_id: str | None = None
        self.current_view: SubmissionView | None = None
        with workspace.database.session() as session:
            names = user_names(session)

        self.queue = QueuePane(
            workspace.database, clock=self._clock, user_names=names, reads=self.reads
        )
        self.queue.user = self.user
        # a failure no callback took (a locked store, a full disk): the status bar says it
        for operations in (self.reads, self.writes, self.queue.pages, self.queue.counts):
            operations.failed.connect(lambda text: self.statusBar().showMessage(text, 15_000))
        self.queue.current_changed.connect(self.open_submission)
        self.model, self.table, self.search = self.queue.model, self.queue.table, self.queue.search
        self.viewer = PdfViewer(workspace.documents.read)
        self.viewer.setObjectName("pdf_viewer")
        self.checklist = ChecklistPanel()
        self.checklist.setObjectName("checklist_panel")
        self.checklist.evidence_requested.connect(self.viewer.show_evidence)
        self.decisions = DecisionActions(self)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setObjectName("workbench_split")
        for pane, stretch in ((self.queue, 3), (self.viewer, 4), (self.checklist, 3)):
            self.split.addWidget(pane)
            self.split.setStretchFactor(self.split.count() - 1, stretch)
        self.split.setChildrenCollapsible(False)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("main_tabs")
        self.tabs.setTabBarAutoHide(True)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.split, "Review")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.setCentralWidget(self.tabs)
        self.sync = SyncController(workspace, self, self.reads)
        self.sync.status_changed.connect(self._sync_status_seen)
        self.sync.submissions_changed.connect(self.submissions_changed)
        self.sync.warning.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        self.decisions.send_timer.timeout.connect(self.sync.request_sync)
        self.actions_by_name: dict[str, QAction] = build_actions(self, self._slots())
        buttons = ("decide_compliant", "decide_non_compliant", "decide_rejected", "undo_decision")
        self.checklist.add_decision_buttons([self.actions_by_name[n] for n in buttons])
        self.status = StatusLabels(self.statusBar(), self.sync.label, self._clock)
        self.writes.busy_changed.connect(self.status.busy.setText)
        self.user_label = self.status.user
        self.user_label.setText(user_text(self.user))
        self.decisions.apply_role()
        self.team = TeamTab(self)
        self.team.follow(self.user)
        window_state.restore(self)

        self.preparation = PreparationThread(
            workspace.database, workspace.documents, lambda: self._clock().astimezone().date(), self
        )
        self.preparation.prepared.connect(self.submissions_changed)
        self.preparation.busy_changed.connect(self.status.preparing)
        # Decisions, claims and syncs made by another process (the CLI, a second window).
        self.watcher = StoreWatcher(workspace.database, parent=self)
        self.watcher.changed.connect(self.store_changed)

        self.queue.show_view(
            first_view(workspace.database, self.user), quietly=True
        )  # the first page is read below
        self.model.set_filter(self.queue.current_filter())  # the window opens on it
        self.queue.update_info()
        QTimer.singleShot(0, self.queue.refresh_counts)  # counts once the window is up
        if self.model.rowCount():
            self.queue.select_row(0)
        self.decisions.update_state()
        if background:
            QTimer.singleShot(500, self.preparation.poke)
            QTimer.singleShot(0, self.sync.start)
            self.watcher.start()
        for first, second in (
            (self.search, self.queue.view_bar),
            (self.queue.view_bar, self.table),
            (self.table, self.viewer.pages),
            (self.viewer.pages, self.checklist.tree),
            (self.checklist.tree, self.checklist.deficiencies_edit),
        ):
            self.setTabOrder(first, second)
        self.table.setFocus()  # the keys work from the first moment (J, N, Ctrl+1 …)

    def _tab_changed(self, index: int) -> None:
        """Alt+Q / Alt+D / Alt+C go to a pane of the Review tab; on another tab (the Team
        view has its own Alt keys, e.g. Alt+C for Customer) they stand aside, or Qt
        finds two owners and does neither."""
        for name in ("focus_queue", "focus_document", "focus_checklist"):
            self.actions_by_name[name].setEnabled(index == 0)

    # ================================================================ building

    def _slots(self) -> dict[str, Callable[[], object]]:
        """What each action of `ACTIONS` does."""
        q, v, c, d = self.queue, self.viewer, self.checklist, self.decisions
        return {
            "next_submission": lambda: q.select_row(q.current_row() + 1),
            "previous_submission": lambda: q.select_row(max(0, q.current_row() - 1)),
            "focus_search": self._focus_search,
            "focus_queue": self.table.setFocus,
            "view_mine": lambda: q.show_view("mine"),
            "view_unassigned": lambda: q.show_view("unassigned"),
            "view_all": lambda: q.show_view("all"),
            "refresh": self.refresh,
            "next_line": lambda: c.select_line(+1),
            "previous_line": lambda: c.select_line(-1),
            "show_evidence": c.request_evidence,
            "toggle_line": lambda: d.line_dialog(toggle=True),
            "override_line": lambda: d.line_dialog(toggle=False),
            "edit_deficiencies": c.deficiencies_edit.setFocus,
            "focus_checklist": c.tree.setFocus,
            "decide_compliant": lambda: d.decide("compliant"),
            "decide_non_compliant": lambda: d.decide("non_compliant"),
            "decide_rejected": lambda: d.decide("rejected"),
            "undo_decision": self._undo,
            "find_in_document": v.open_find,
            "zoom_in": v.zoom_in,
            "zoom_out": v.zoom_out,
            "fit_width": v.fit_width,
            "fit_page": v.fit_page,
            "rotate": v.rotate,
            "toggle_thumbnails": self._toggle_thumbnails,
            "focus_document": v.pages.setFocus,
            "cycle_focus": self._cycle_focus,
            "toggle_sync_panel": self._toggle_sync_panel,
            "settings": self._open_settings,
            "quit": self.close,
            "shortcuts": lambda: self._dialog(ShortcutsDialog(ACTIONS, self)),
            "about": lambda: self._dialog(
                AboutDialog(about_lines(self.workspace, self.user), self)
            ),
        }

    # ================================================================ roles

    def follow_sign_in(self) -> None:
        """Take in who the tracker says is signed in (first sync, a new token).

        The role decides what the window offers: decisions, the Team tab, the first view.
        """

        def read() -> tuple[User | None, View]:
            user = self.workspace.current_user()
            return user, first_view(self.workspace.database, user)

        self.reads.run("read who is signed in", read, done=self._signed_in, quiet=True)

    def _signed_in(self, answer: tuple[User | None, View]) -> None:
        user, first_view = answer
        old = self.user
        if user is None or (
            old is not None and (old.id, old.name, old.role) == (user.id, user.name, user.role)
        ):
            return
        self.user = self.queue.user = user
        self.review = ReviewSession(self.workspace.database, user)
        self.user_label.setText(user_text(user))
        self.decisions.apply_role()
        self.team.follow(user)
        self.model.user_names[user.id] = user.name
        self.queue.show_view(first_view, quietly=True)
        self.queue.apply_filter()  # the views depend on who "mine" is
        self.decisions.update_state()
        role = user.role.replace("_", "-")
        self.statusBar().showMessage(f"Signed in as {user.name} ({role}).", 8000)

    @property
    def dashboard(self) -> DashboardWidget | None:
        return self.team.dashboard

    @property
    def can_decide(self) -> bool:
        return not self.decisions.refusal()

    # ================================================================ the Team tab and sync

    def apply_drill_down(self, flt: QueueFilter) -> None:
        """The team view asks for part of the queue."""
        self.tabs.setCurrentIndex(0)
        self.queue.apply_drill_down(flt)

    def _sync_status_seen(self, status: SyncStatus | str) -> None:
        self.follow_sign_in()
        if self.model.rowCount() == 0 and not self.queue.drilled:
            self.queue.apply_filter()  # an empty queue (first run): the pass may have brought rows
        self.team.sync_pass_done(status)

    def attach_sync_worker(self, worker: SyncWorker) -> None:
        self.sync.attach(worker)

    def _toggle_sync_panel(self) -> None:
        dock = self.sync.ensure_panel()
        dock.setVisible(not dock.isVisible())

    def _open_settings(self) -> None:
        where = self.workspace.locations.settings_file
        dialog = SettingsDialog(self.workspace.settings, where, self.workspace.credentials, self)
        dialog.accepted.connect(lambda: self._settings_saved(dialog))
        self._dialog(dialog)

    def _settings_saved(self, dialog: SettingsDialog) -> None:
        if dialog.saved_settings is None:
            return
        self.workspace.settings = dialog.saved_settings
        self.sync.restart()  # the new connection takes effect now
        self.statusBar().showMessage(dialog.saved_message or "Settings saved.", 15_000)

    # ================================================================ showing submissions

    def open_submission(self, submission_id: str) -> None:
        """Show a submission at once from what is in memory, read it fresh in the background,
        and claim it for the reviewer."""
        self.current_id = self.queue.current_id = submission_id
        row = self.model.row_at(self.model.row_of(submission_id))
        cached = self.views.get(submission_id)
        if cached is not None:
            self.show_view(cached)
        else:
            self.current_view = None
            self.checklist.show_opening(row.vendor if row else submission_id)
            self.viewer.clear()
            self.decisions.update_state()
        review = self.review
        claiming = (
            review is not None
            and review.claims_on_open
            and (row is None or row.assigned_to != review.user.id)
        )
        if cached is None:  # else read a moment ago; a claim reads it again once written
            self._read_shown(submission_id)
        if claiming and review is not None:
            self.writes.run_batched(
                "claim the submission",
                f"claim as {review.user.id}",
                submission_id,
                review.claim_all,
                done=self._claimed,
            )
        self.views.prefetch(self._neighbours(submission_id), enough=7)
        self.submission_opened.emit(submission_id)

    def _claimed(self, claims: dict[str, Claimed | None]) -> None:
        """Claims are written: show each from what it wrote, without reading it again (that
        read would queue the next switch's read ahead behind it)."""
        for submission_id, claimed in claims.items():
            if claimed is None:  # someone else's, or closed meanwhile: show it as it is now
                if submission_id == self.current_id:
                    self._read_shown(submission_id)
                continue
            row = self.model.row_at(self.model.row_of(submission_id))
            if row is not None:
                self.model.update_rows([claimed.onto(row)])
            view = self.views.get(submission_id)
            if view is not None:
                self.views.put(claimed.onto(view))
                self.show_view(claimed.onto(view))  # when it is still the one shown
            else:  # perhaps on its way, read before the claim: that read is not kept
                self.views.forget([submission_id])
                if submission_id == self.current_id:
                    self._read_shown(submission_id)
        self.queue.counts_soon()

    def _neighbours(self, submission_id: str) -> list[str]:
        """What J and K open next, nearest first: read ahead, so the switch shows from memory."""
        at = self.model.row_of(submission_id)
        steps = (1, -1, *range(2, READ_AHEAD + 1))
        rows = (self.model.row_at(at + step) for step in steps)
        return [r.id for r in rows if r is not None]

    def read_view(self, submission_id: str, then: Callable[[SubmissionView | None], None]) -> None:
        """Read a submission fresh in the background; ``then`` only if it is still the one shown."""

        def arrived(view: SubmissionView | None) -> None:
            if self.current_id == submission_id:
                then(view)

        self.views.read(submission_id, arrived)

    def _read_shown(self, submission_id: str) -> None:
        self.read_view(submission_id, lambda view: self.show_view(view) if view else None)

    def show_view(self, view: SubmissionView, *, quietly: bool = False) -> None:
        """Put a submission on screen, or its newer state (then the checklist's selection and
        the document stay where the reviewer was, unless its documents changed)."""
        if view.id != self.current_id:
            return
        self.views.put(view)
        old = self.current_view if self.current_view and self.current_view.id == view.id else None
        if old is not None and view == old:
            return  # nothing the reviewer sees changed: leave the selection where it is
        self.current_view = view
        if not quietly and old is not None and _same_but_header(old, view):
            self.checklist.show_header(view, now=self._clock())  # a claim: nothing else moves
        elif not quietly:
            position = self.checklist.selected() if old else None
            self.checklist.show_submission(view, now=self._clock())
            if position is not None:
                self.checklist.select_position(position[0])
            if old is None or old.documents != view.documents:
                self.viewer.set_documents(view.documents)
        if not view.checked and view.documents and self._background:
            self.preparation.prepare_first(view.id)
        self.decisions.update_state()
        self.setWindowTitle(f"{view.vendor} — COI Desk")

    def after_change(self, submission_id: str, row: int, *, advance: bool) -> None:
        """A decision or an undo was written: move on (or stay) and read the queue again."""
        following = self.model.row_at(row + 1) if advance and row >= 0 else None
        if following is not None:
            self.queue.select_row(row + 1)  # the next by the queue's order, shown at once
        else:
            self.open_submission(submission_id)  # keep showing it (with its decision)
        self.queue.reload()

    def submissions_changed(self, ids: list[str]) -> None:
        """Sync, preparation or an operation changed these submissions: refresh what shows them."""
        self.views.forget(ids)
        self.model.refresh_ids(list(ids))
        if self.current_id in ids:
            self._read_shown(self.current_id)
        self.queue.counts_soon()
        if self._background:
            self.preparation.poke()

    def store_changed(self, ids: list[str]) -> None:
        """Another process (or connection) changed these submissions: show them as stored."""
        self.submissions_changed(ids)
        self.sync.reload_panel()

    def refresh(self) -> None:
        """F5: the queue again, and ask the tracker now rather than at the next timed pass."""
        self.views.forget(self.model.loaded_ids())
        self.queue.reload()
        if self.current_id is not None:
            self._read_shown(self.current_id)
        if self._background:
            self.preparation.poke()
        self.sync.request_sync()

    # ================================================================ small actions

    def _undo(self) -> None:
        problem = self.decisions.undo()
        if problem:
            self.statusBar().showMessage(problem, 10_000)

    def _focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search.setFocus()
        self.search.selectAll()

    def _cycle_focus(self) -> None:
        panes: list[QWidget] = [self.table, self.viewer.pages, self.checklist.tree]
        focused = self.focusWidget()
        index = next(
            (i for i, w in enumerate(panes) if w is focused or w.isAncestorOf(focused)), -1
        )
        panes[(index + 1) % len(panes)].setFocus()

    def _toggle_thumbnails(self) -> None:
        shown = self.actions_by_name["toggle_thumbnails"].isChecked()
        self.viewer.set_thumbnails_visible(shown)
        self.settings.setValue("document/thumbnails", shown)

    def _dialog(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    # ================================================================ closing

    def shutdown(self) -> None:
        """Stop and join every worker thread this window started."""
        if getattr(self, "_shut", False):
            return
        self._shut = True
        self.viewer.shutdown()
        self.queue.shutdown()
        self.preparation.stop()
        self.watcher.stop()
        self.reads.stop()
        self.writes.stop(finish=True)
        self.team.shutdown()
        self.sync.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        window_state.save(self)
        self.shutdown()
        super().closeEvent(event)
