"""The reviewer workbench driven like a reviewer: keyboard, evidence, overrides, decisions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from coi_desktop.models import ChecklistLineRow, Decision, OutboxItem, Submission, User
from coi_desktop.queue import QueueFilter
from coi_desktop.review import decisions
from coi_desktop.sync.engine import SyncStatus
from coi_desktop.ui.dialogs import DecisionDialog, OverrideDialog, ShortcutsDialog
from coi_desktop.ui.main_window import MainWindow
from coi_desktop.ui.queue_model import STATUS_TEXT
from coi_desktop.workspace import Workspace
from tests.test_ui_support import settle
from tests.windows import make_window

pytestmark = [
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
    pytest.mark.seeded,
]


def wait_page(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.viewer._first_shown, timeout=5000)


def submission(workspace: Workspace, sub_id: str) -> Submission:
    with workspace.database.session() as session:
        sub = session.get(Submission, sub_id)
        assert sub is not None
        session.expunge(sub)
        return sub


def test_opens_most_urgent_submission_claims_it_and_renders_page(
    qtbot: QtBot, window: MainWindow, workspace: Workspace
) -> None:
    assert window.model.queue_filter.view == "unassigned"  # the reviewer holds nothing yet
    assert window.current_id == "s-1"
    wait_page(qtbot, window)
    assert window.viewer.page_sizes == [(612.0, 792.0)]
    assert window.viewer.stack.currentWidget() is window.viewer.split
    assert submission(workspace, "s-1").assigned_to == "u-1"
    # the claim shows in the queue's row and the header once written
    qtbot.waitUntil(
        lambda: (
            (row := window.model.row_at(window.model.row_of("s-1"))) is not None
            and row.assigned_to == "u-1"
        )
    )
    qtbot.waitUntil(lambda: STATUS_TEXT["in_review"] in window.checklist.header.text())
    assert len(window.checklist.model.lines) == 4
    assert "Vendor 1 LLC" in window.checklist.header.text()
    assert window.user_label.text() == "Riley Reviewer · reviewer"
    qtbot.waitUntil(lambda: "(5)" in window.queue.view_bar.tabText(2))


def test_keyboard_moves_through_queue_and_checklist(qtbot: QtBot, window: MainWindow) -> None:
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_J)
    assert window.current_id == "s-2"
    qtbot.keyClick(window.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert window.current_id == "s-3"
    qtbot.keyClick(window.table, Qt.Key.Key_K)
    assert window.current_id == "s-2"
    settle(qtbot, window)
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    selected = window.checklist.selected()
    assert selected is not None and selected[1].result == "fail"
    qtbot.waitUntil(lambda: window.viewer.outline is not None, timeout=5000)
    assert window.viewer.outline is not None and window.viewer.outline.rect is not None
    qtbot.keyClick(window.table, Qt.Key.Key_P)
    selected = window.checklist.selected()
    assert selected is not None and selected[0] == 1
    qtbot.keyClick(window.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.search.hasFocus()


def test_clicking_a_line_scrolls_to_and_outlines_its_evidence(
    qtbot: QtBot, window: MainWindow
) -> None:
    wait_page(qtbot, window)
    window.viewer.zoom_in()
    window.viewer.zoom_in()
    window.viewer.zoom_in()  # big enough that the evidence is below the fold
    tree = window.checklist.tree
    index = window.checklist.model.index_of(2, 1)  # the failed GL each-occurrence line
    tree.scrollTo(index)
    qtbot.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(index).center()
    )
    outline = window.viewer.outline
    assert outline is not None
    assert (outline.page, outline.rect) == (0, (480.0, 330.0, 580.0, 342.0))
    assert outline.document_id == "d-s-1"
    assert window.viewer.pages.verticalScrollBar().value() > 0
    assert window.viewer.current_page() == 0


def test_override_needs_a_note_then_is_stored(
    qtbot: QtBot, window: MainWindow, workspace: Workspace
) -> None:
    window.checklist.select_position(2)
    qtbot.keyClick(window.table, Qt.Key.Key_T)  # toggle: fail → pass, asks for a note
    dialog = window.decisions.open_dialog
    assert isinstance(dialog, OverrideDialog)
    assert dialog.result_choice() == "pass"
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "needs a note" in dialog.error.text()
    qtbot.keyClicks(dialog.note, "Umbrella schedule covers the gap")
    with qtbot.waitSignal(dialog.finished):
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    settle(qtbot, window)
    selected = window.checklist.selected()
    assert selected is not None and selected[1].result == "pass" and selected[1].overridden
    assert window.checklist.deficiencies() == []  # the only failure is gone
    with workspace.database.session() as session:
        row = session.scalars(
            select(ChecklistLineRow).where(
                ChecklistLineRow.submission_id == "s-1", ChecklistLineRow.position == 2
            )
        ).one()
        assert (row.result, row.overridden, row.note) == (
            "pass",
            True,
            "Umbrella schedule covers the gap",
        )


def test_decide_opens_next_and_undo_brings_it_back(
    qtbot: QtBot, window: MainWindow, workspace: Workspace
) -> None:
    wait_page(qtbot, window)
    window.checklist.deficiencies_edit.setPlainText("GL each occurrence is too low.\n\nNo AI.")
    qtbot.keyClick(window.table, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    dialog = window.decisions.open_dialog
    assert isinstance(dialog, DecisionDialog) and dialog.outcome == "non_compliant"
    with qtbot.waitSignal(window.decided):
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert window.current_id == "s-2"  # the next by due time opened
    with workspace.database.session() as session:
        decision = session.scalars(select(Decision).where(Decision.submission_id == "s-1")).one()
        assert decision.outcome == "non_compliant"
        assert decision.deficiencies == ["GL each occurrence is too low.", "No AI."]
        item = session.scalars(
            select(OutboxItem).where(OutboxItem.decision_id == decision.id)
        ).one()
        assert item.state == "pending"
    assert window.actions_by_name["undo_decision"].isEnabled()
    window.activateWindow()  # as a window manager does when the dialog closes
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert window.current_id == "s-1"
    with workspace.database.session() as session:
        assert session.scalars(select(Decision)).one().undone
    assert window.current_view is not None and window.current_view.decision is None


def test_decided_work_leaves_my_work(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.model.filter_loaded):
        window.actions_by_name["view_mine"].trigger()
    assert window.model.loaded_ids() == ["s-1"]
    assert window.decisions.record_decision("compliant", "") is None
    settle(qtbot, window)
    assert window.model.loaded_ids() == []


def test_rejection_without_note_is_refused_with_the_reason(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.actions_by_name["decide_rejected"].trigger()
    settle(qtbot, window)
    dialog = window.decisions.open_dialog
    assert isinstance(dialog, DecisionDialog)
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    assert dialog.isVisible() and "needs a note" in dialog.error.text()
    qtbot.keyClick(dialog.note, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert window.current_id == "s-1"


def test_a_refusal_shown_in_the_dialog_squeezes_none_of_its_sentences(qtbot: QtBot) -> None:
    def refuse(_choice: str, _note: str, reply: Callable[[str | None], None]) -> None:
        reply("A non-compliant decision needs at least one deficiency to send to the vendor.")

    dialog = DecisionDialog(
        "non_compliant", "Great Lakes Plumbing & Heating Co (Halsted Street Lofts)", [], refuse
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.error.isVisible()
    for label in dialog.findChildren(QLabel):
        if label.isVisible() and label.wordWrap():
            assert label.height() >= label.heightForWidth(label.width()), label.text()


def test_unreadable_document_says_why_and_can_still_be_rejected(
    qtbot: QtBot, window: MainWindow, workspace: Workspace
) -> None:
    with qtbot.waitSignal(window.model.filter_loaded):
        window.actions_by_name["view_all"].trigger()
    with qtbot.waitSignal(window.viewer.document_failed, timeout=5000):
        window.queue.select_row(window.model.row_of("s-bad"))
    assert window.viewer.stack.currentWidget() is window.viewer.message
    assert "cannot be shown" in window.viewer.message.text()
    assert "damaged or is not a PDF" in window.viewer.message.text()
    assert window.decisions.record_decision("rejected", "Unreadable file") is None
    settle(qtbot, window)
    with workspace.database.session() as session:
        decision = session.scalars(select(Decision)).one()
        assert (decision.submission_id, decision.outcome) == ("s-bad", "rejected")


def test_read_only_user_sees_everything_and_can_decide_nothing(
    qtbot: QtBot, workspace: Workspace
) -> None:
    workspace.set_current_user("u-0")
    window = make_window(qtbot, workspace)
    assert window.model.queue_filter.view == "all"
    assert window.current_id == "s-1"
    assert submission(workspace, "s-1").assigned_to is None  # looking claims nothing
    for name in (
        "decide_compliant",
        "decide_non_compliant",
        "decide_rejected",
        "override_line",
        "toggle_line",
        "undo_decision",
    ):
        action = window.actions_by_name[name]
        assert not action.isEnabled()
        assert "Read-only access" in action.toolTip()
    assert "read-only access" in (window.decisions.record_decision("compliant", "") or "")
    window.close()


def test_find_in_document_highlights_hits(qtbot: QtBot, window: MainWindow) -> None:
    wait_page(qtbot, window)
    qtbot.keyClick(window.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.viewer.find_edit.hasFocus()
    qtbot.keyClicks(window.viewer.find_edit, "INSURER")
    qtbot.keyClick(window.viewer.find_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(window.viewer.hits), timeout=5000)
    assert " of " in window.viewer.find_label.text()


def test_zoom_and_rotate_rerender(qtbot: QtBot, window: MainWindow) -> None:
    wait_page(qtbot, window)
    before = window.viewer.zoom
    qtbot.keyClick(window.table, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    mode: str = window.viewer.zoom_mode  # a plain str: mypy would keep the narrowing
    assert window.viewer.zoom > before and mode == "custom"
    window.actions_by_name["rotate"].trigger()
    assert window.viewer.rotation == 90
    window.actions_by_name["fit_width"].trigger()
    assert window.viewer.zoom_mode == "fit_width"


def test_search_filters_the_queue(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.model.filter_loaded):
        window.actions_by_name["view_all"].trigger()
    qtbot.keyClicks(window.search, "broken")
    qtbot.waitUntil(lambda: window.model.loaded_ids() == ["s-bad"], timeout=2000)


def test_shortcuts_dialog_lists_the_actions(qtbot: QtBot, window: MainWindow) -> None:
    window.actions_by_name["shortcuts"].trigger()
    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None
    texts = [
        item.text()
        for r in range(dialog.table.rowCount())
        if (item := dialog.table.item(r, 1)) is not None
    ]
    assert any(t.startswith("Compliant") for t in texts)
    assert any(t.startswith("Next submission") for t in texts)
    dialog.close()


def test_sync_status_shows_in_the_status_bar(window: MainWindow) -> None:
    window.sync.show_status("3 decisions waiting (offline)")
    assert window.sync.label.text() == "Sync: 3 decisions waiting (offline)"


def test_splitters_and_geometry_are_remembered(qtbot: QtBot, workspace: Workspace) -> None:
    first = make_window(qtbot, workspace)
    first.split.setSizes([300, 700, 366])
    sizes = first.split.sizes()
    first.close()
    assert (workspace.locations.config_dir / "ui.ini").is_file()
    second = make_window(qtbot, workspace)
    assert second.split.sizes() == sizes
    second.close()


def test_lead_gets_the_team_tab_and_its_drill_down_filters_the_queue(
    qtbot: QtBot, workspace: Workspace
) -> None:
    with workspace.database.session() as session:
        riley = session.get(User, "u-1")
        assert riley is not None
        decisions.claim(session, "s-1", riley)
    workspace.set_current_user("u-9")
    window = make_window(qtbot, workspace)
    assert window.current_id == "s-1"
    assert submission(workspace, "s-1").assigned_to == "u-1"  # the lead looked, took nothing
    assert window.dashboard is not None
    assert window.tabs.count() == 2 and window.tabs.tabText(1) == "Team"
    window.tabs.setCurrentIndex(1)
    window.dashboard.drill_down.emit(QueueFilter(ids=("s-2", "s-3")))
    settle(qtbot, window)
    assert window.tabs.currentIndex() == 0
    assert window.model.loaded_ids() == ["s-2", "s-3"]
    assert window.queue.drill_row.isVisible()
    window.queue.clear_drill_down()
    qtbot.waitUntil(lambda: len(window.model.loaded_ids()) == 5, timeout=2000)
    window.close()


def test_reviewer_has_no_team_tab(window: MainWindow) -> None:
    assert window.dashboard is None and window.tabs.count() == 1


class FakeSyncWorker(QObject):
    """Speaks the SyncWorker's signals, without a network."""

    status_changed = Signal(object)
    submissions_changed = Signal(list)
    warning = Signal(str)
    outbox_changed = Signal()


def test_sync_worker_plugs_into_status_bar_queue_and_panel(
    qtbot: QtBot, window: MainWindow, workspace: Workspace
) -> None:
    worker = FakeSyncWorker()
    window.attach_sync_worker(worker)  # type: ignore[arg-type]  # the same signals
    worker.status_changed.emit(SyncStatus("offline", waiting=2))
    assert window.sync.label.text() == "Sync: Offline · 2 waiting to send"
    assert "font-weight: bold" in window.sync.label.styleSheet()
    with workspace.database.session() as session:
        sub = session.get(Submission, "s-2")
        assert sub is not None
        sub.status = "archived"  # as an inbound pass would store it
    worker.submissions_changed.emit(["s-2"])
    settle(qtbot, window)
    row = window.model.row_at(window.model.row_of("s-2"))
    assert row is not None and row.status == "archived"
    worker.warning.emit("s-3 was withdrawn by the vendor")
    assert "withdrawn" in window.statusBar().currentMessage()
    assert window.sync.dock is None  # made on first use: its module loads the sync engine
    window.actions_by_name["toggle_sync_panel"].trigger()
    assert window.sync.dock is not None and window.sync.dock.isVisible()
    assert window.sync.panel is not None  # opened later, it says what the status bar said
    assert "2 waiting to send" in window.sync.panel.status_label.text()
    worker.status_changed.emit(SyncStatus("online", waiting=1))
    assert "1 waiting to send" in window.sync.panel.status_label.text()
    assert "delivered" not in window.sync.panel.status_label.text()
    worker.status_changed.emit(SyncStatus("online"))  # the list empties: say why
    assert "every decision is delivered" in window.sync.panel.status_label.text()


def test_window_runs_real_sync_and_preparation_threads_and_joins_them(
    qtbot: QtBot, workspace: Workspace
) -> None:
    window = MainWindow(workspace)  # background work on: sync engine, preparation
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.sync.worker_thread is not None, timeout=3000)
    qtbot.waitUntil(lambda: "Not set up" in window.sync.label.text(), timeout=10_000)
    thread = window.sync.worker_thread
    window.close()
    assert thread is not None and not thread.isRunning()
    assert not window.preparation.isRunning() and not window.viewer.source.worker.isRunning()


def test_a_lead_opening_unassigned_work_leaves_it_in_the_teams_queue(
    qtbot: QtBot, workspace: Workspace
) -> None:
    workspace.set_current_user("u-9")
    window = make_window(qtbot, workspace)
    assert window.current_id == "s-1"
    assert submission(workspace, "s-1").assigned_to is None  # opened, not taken
    window.close()


def test_checklist_columns_fill_the_pane_at_any_width(qtbot: QtBot, window: MainWindow) -> None:
    """Required and Found stay in view and the requirement keeps a readable width, however
    the pane was sized while the checklist was hidden or shown."""
    tree = window.checklist.tree
    header = tree.header()
    em = tree.fontMetrics().horizontalAdvance("M")
    for width in (1366, 900, 1920, 1366):
        window.resize(width, 768)
        qtbot.wait(50)
        total = sum(header.sectionSize(i) for i in range(header.count()))
        assert total == tree.viewport().width()
        assert header.sectionSize(1) >= min(12 * em, tree.viewport().width() // 3)
        assert header.sectionPosition(3) + header.sectionSize(3) <= tree.viewport().width()
