"""Keys and focus in the workbench, one truth with other processes, the document pane."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from coi_desktop.models import ChecklistLineRow, Decision, User
from coi_desktop.review import decisions
from coi_desktop.ui.dialogs import DecisionDialog, OverrideDialog
from coi_desktop.ui.main_window import MainWindow
from coi_desktop.workspace import Workspace, open_workspace
from tests.conftest import BLANK_FORM as BLANK
from tests.test_ui_support import settle

pytestmark = [
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
    pytest.mark.seeded,
]

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
NONE = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def window(qtbot: QtBot, window: MainWindow) -> MainWindow:
    """The shared window, made the active one: keys go to the focused widget."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def focused(qtbot: QtBot) -> QWidget:
    """Where the keyboard is. A window manager gives the focus back to the main window
    when a dialog closes; the offscreen platform does not, so do what it would."""
    if QApplication.focusWidget() is None and QApplication.activeModalWidget() is None:
        for top in QApplication.topLevelWidgets():
            if isinstance(top, MainWindow) and top.isVisible():
                top.activateWindow()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=3000)
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def opened_dialog(qtbot: QtBot, window: MainWindow) -> DecisionDialog | OverrideDialog:
    """The dialog the last key opened, once it has the keyboard."""
    qtbot.waitUntil(lambda: window.decisions.open_dialog is not None)
    dialog = window.decisions.open_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.note.hasFocus)
    return dialog


def type_keys(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = NONE) -> None:
    """A key pressed where the keyboard focus is, as a reviewer presses it; then what it
    asked of the store is done."""
    qtbot.keyClick(focused(qtbot), key, modifier)
    for top in QApplication.topLevelWidgets():
        if isinstance(top, MainWindow) and top.isVisible():
            settle(qtbot, top)


def test_alt_keys_reach_their_pane_without_an_ambiguous_overload(
    qtbot: QtBot, window: MainWindow
) -> None:
    # An ambiguous shortcut logs a Qt warning, which fails the test (qt_log_level_fail).
    window.table.setFocus()
    type_keys(qtbot, Qt.Key.Key_C, ALT)
    assert window.checklist.tree.hasFocus()
    type_keys(qtbot, Qt.Key.Key_D, ALT)
    assert window.viewer.pages.hasFocus()
    type_keys(qtbot, Qt.Key.Key_Q, ALT)
    assert window.table.hasFocus()
    titles = [a.text() for a in window.menuBar().actions()]
    keys = {t[t.index("&") + 1].lower() for t in titles if "&" in t}
    assert not keys & {"q", "d", "c"}


def test_alt_keys_on_the_team_tab_belong_to_the_team_view(
    qtbot: QtBot, workspace: Workspace
) -> None:
    workspace.set_current_user("u-9")  # a lead
    lead = MainWindow(workspace, background=False)
    qtbot.addWidget(lead, before_close_func=lambda w: w.shutdown())
    lead.show()
    qtbot.waitExposed(lead)
    lead.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is lead)
    settle(qtbot, lead)
    assert lead.dashboard is not None
    lead.tabs.setCurrentIndex(1)
    for key in (Qt.Key.Key_C, Qt.Key.Key_D, Qt.Key.Key_Q):  # no ambiguous overload warning
        qtbot.keyClick(lead, key, ALT)
    lead.tabs.setCurrentIndex(0)
    lead.table.setFocus()
    qtbot.keyClick(lead, Qt.Key.Key_C, ALT)
    assert lead.focusWidget() is lead.checklist.tree
    lead.close()


def test_override_dialog_takes_digits_as_the_result_and_needs_a_real_note(
    qtbot: QtBot, window: MainWindow, workspace: Workspace
) -> None:
    window.checklist.select_position(2)  # the failed GL each-occurrence line
    window.checklist.tree.setFocus()
    type_keys(qtbot, Qt.Key.Key_O)
    dialog = opened_dialog(qtbot, window)
    assert isinstance(dialog, OverrideDialog) and dialog.result_choice() == "fail"
    qtbot.waitUntil(dialog.note.hasFocus)
    type_keys(qtbot, Qt.Key.Key_3)
    assert dialog.result_choice() == "needs_review" and dialog.note.text() == ""
    type_keys(qtbot, Qt.Key.Key_1)
    assert dialog.result_choice() == "pass" and dialog.note.text() == ""
    qtbot.keyClicks(dialog.note, "x1")  # digits after the first letter are the note's
    type_keys(qtbot, Qt.Key.Key_Return)
    assert dialog.isVisible() and "does not say why" in dialog.error.text()
    dialog.note.clear()
    qtbot.keyClicks(dialog.note, "Umbrella covers the gap (2 layers)")
    type_keys(qtbot, Qt.Key.Key_Return)
    assert window.decisions.open_dialog is None  # saved, and the dialog closed
    with workspace.database.session() as session:
        row = session.scalars(
            select(ChecklistLineRow).where(
                ChecklistLineRow.submission_id == "s-1", ChecklistLineRow.position == 2
            )
        ).one()
        assert (row.result, row.note) == ("pass", "Umbrella covers the gap (2 layers)")
    assert focused(qtbot) is window.checklist.tree


def test_after_a_decision_keys_go_to_the_checklist_not_the_next_deficiencies(
    qtbot: QtBot, window: MainWindow
) -> None:
    type_keys(qtbot, Qt.Key.Key_D, CTRL)  # edit the deficiencies, then decide from there
    assert window.checklist.deficiencies_edit.hasFocus()
    type_keys(qtbot, Qt.Key.Key_2, CTRL)
    dialog = opened_dialog(qtbot, window)
    assert isinstance(dialog, DecisionDialog) and dialog.outcome == "non_compliant"
    with qtbot.waitSignal(window.decided):
        type_keys(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.decisions.open_dialog is None)
    assert window.current_id == "s-2"
    text_before = window.checklist.deficiencies_edit.toPlainText()
    assert focused(qtbot) is window.checklist.tree
    type_keys(qtbot, Qt.Key.Key_N)
    assert window.checklist.deficiencies_edit.toPlainText() == text_before
    selected = window.checklist.selected()
    assert selected is not None and selected[0] == 1  # N moved to the second line


def test_compliant_over_failing_lines_is_not_passed_by_enter(
    qtbot: QtBot, window: MainWindow, workspace: Workspace
) -> None:
    window.table.setFocus()
    type_keys(qtbot, Qt.Key.Key_1, CTRL)
    dialog = opened_dialog(qtbot, window)
    assert isinstance(dialog, DecisionDialog) and dialog.needs_care
    assert dialog.findChild(QWidget, "failing_warning") is not None
    type_keys(qtbot, Qt.Key.Key_Return)  # Enter goes back, deciding nothing
    assert not dialog.isVisible() and window.current_id == "s-1"
    type_keys(qtbot, Qt.Key.Key_1, CTRL)
    dialog = opened_dialog(qtbot, window)
    assert isinstance(dialog, DecisionDialog)
    type_keys(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    with workspace.database.session() as session:
        assert session.scalars(select(Decision)).first() is None
    type_keys(qtbot, Qt.Key.Key_1, CTRL)
    dialog = opened_dialog(qtbot, window)
    assert isinstance(dialog, DecisionDialog)
    with qtbot.waitSignal(window.decided):
        type_keys(qtbot, Qt.Key.Key_A, ALT)  # the one explicit key; asked once, no second prompt
    with workspace.database.session() as session:
        assert session.scalars(select(Decision.outcome)).one() == "compliant"


def test_a_decision_made_elsewhere_is_not_replaced_from_a_stale_view(
    qtbot: QtBot, window: MainWindow, workspace: Workspace, coi_home: Path
) -> None:
    assert window.current_id == "s-1" and window.current_view is not None
    assert window.current_view.decision is None
    other = open_workspace(coi_home)  # as `coi-desktop decide` would
    try:
        with other.database.session() as session:
            riley = session.get(User, "u-1")
            assert riley is not None
            decisions.record_decision(session, "s-1", "non_compliant", riley)
            sam = User(id="u-7", name="Sam Other", email=None, role="reviewer")
            session.add(sam)
            # The tracker refused it: a state in which a new decision may replace it.
            state = decisions.current_decision(session, "s-1")
            assert state.item is not None and state.decision is not None
            state.item.state = "failed"
            state.decision.decided_by = "u-7"
    finally:
        other.close()
    window.table.setFocus()
    type_keys(qtbot, Qt.Key.Key_1, CTRL)  # on the view that still shows no decision
    assert window.decisions.open_dialog is None
    assert "Sam Other decided" in window.checklist.message.text()
    assert window.checklist.banner.isVisible()
    with workspace.database.session() as session:
        assert (
            session.scalars(select(Decision.outcome).where(Decision.undone.is_(False))).one()
            == "non_compliant"
        )


def test_the_window_notices_what_another_process_wrote(
    qtbot: QtBot, window: MainWindow, coi_home: Path
) -> None:
    window.watcher.start()
    other = open_workspace(coi_home)
    try:
        with other.database.session() as session:
            riley = session.get(User, "u-1")
            assert riley is not None
            decisions.record_decision(session, "s-1", "rejected", riley, note="Not a COI")
            decisions.claim(session, "s-3", riley)
    finally:
        other.close()
    qtbot.waitUntil(
        lambda: window.current_view is not None and window.current_view.decision is not None,
        timeout=10_000,
    )
    assert window.checklist.banner.isVisible() and "Rejected" in window.checklist.banner.text()
    assert not window.actions_by_name["decide_compliant"].isEnabled()
    row = window.model.row_at(window.model.row_of("s-3"))
    assert row is None or row.assigned_to == "u-1"


def test_each_document_opens_at_the_top_at_fit_width(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.viewer._first_shown, timeout=5000)
    for _ in range(4):
        type_keys(qtbot, Qt.Key.Key_Equal, CTRL)
    window.viewer.pages.verticalScrollBar().setValue(300)
    window.viewer.rotate()
    mode: str = window.viewer.zoom_mode  # a plain str: mypy would keep the narrowing
    assert mode == "custom"
    window.table.setFocus()
    type_keys(qtbot, Qt.Key.Key_J)
    assert window.current_id == "s-2"
    qtbot.waitUntil(lambda: window.viewer._first_shown, timeout=5000)
    assert window.viewer.zoom_mode == "fit_width" and window.viewer.rotation == 0
    assert window.viewer.pages.verticalScrollBar().value() == 0


def two_page_pdf() -> bytes:
    import pymupdf

    with pymupdf.open() as doc:
        for number in (1, 2):
            doc.new_page(width=612, height=792).insert_text((72, 72), f"Endorsement page {number}")
        return bytes(doc.tobytes())


def test_thumbnails_show_for_several_pages_and_can_be_hidden(qtbot: QtBot) -> None:
    from coi_desktop.review.submission_view import DocumentRef
    from coi_desktop.ui.pdf_viewer import PdfViewer

    data = {"one": Path(BLANK).read_bytes(), "two": two_page_pdf()}
    viewer = PdfViewer(lambda key: data[key])
    qtbot.addWidget(viewer, before_close_func=lambda v: v.shutdown())
    viewer.resize(700, 700)
    viewer.show()
    qtbot.waitExposed(viewer)
    one, two = DocumentRef("d-1", "coi.pdf", "one", True), DocumentRef("d-2", "e.pdf", "two", True)
    viewer.set_documents([one, two])
    qtbot.waitUntil(lambda: viewer._first_shown, timeout=5000)
    assert not viewer.thumbnails_visible  # one page: the strip would only take room
    viewer.show_evidence({"page": 2, "rect": None, "document_id": "d-2"})  # an endorsement
    qtbot.waitUntil(lambda: viewer.document == two and len(viewer.page_sizes) == 2, timeout=5000)
    qtbot.waitUntil(lambda: viewer.current_page() == 1, timeout=5000)  # its own page 2
    assert viewer.thumbnails_visible
    zoom = viewer.zoom
    viewer.set_thumbnails_visible(False)
    assert not viewer.thumbnails_visible
    qtbot.waitUntil(lambda: viewer.zoom > zoom, timeout=3000)  # the page took the room


def test_the_thumbnails_choice_is_remembered(
    qtbot: QtBot, window: MainWindow, workspace: Workspace
) -> None:
    assert window.actions_by_name["toggle_thumbnails"].isChecked()
    type_keys(qtbot, Qt.Key.Key_T, CTRL)
    assert not window.viewer._thumbnails_wanted
    window.close()
    again = MainWindow(workspace, background=False)
    qtbot.addWidget(again, before_close_func=lambda w: w.shutdown())
    assert not again.actions_by_name["toggle_thumbnails"].isChecked()
    assert not again.viewer._thumbnails_wanted
    again.close()


def test_endorsement_evidence_names_the_endorsements_file() -> None:
    from datetime import date

    from coi_desktop.review.precheck_context import read_context

    extraction = {
        "kind": "coi",
        "evidence": {},
        "policies": [],
        "endorsements": [
            {
                "form_number": "CG 20 10",
                "edition": "04 13",
                "page": 3,
                "provides": ["additional_insured"],
                "document_id": "d-2",
            },
        ],
    }
    ctx = read_context({}, extraction, date(2026, 12, 1))
    assert ctx.endorsements[0].evidence == {
        "page": 3,
        "rect": None,
        "source": None,
        "confidence": None,
        "document_id": "d-2",
    }


def test_checklist_rows_stay_put_and_values_read_whole(qtbot: QtBot, window: MainWindow) -> None:
    from dataclasses import replace

    view = window.current_view
    assert view is not None
    lines = list(view.lines)
    long = "The umbrella's schedule of underlying insurance does not list this policy. " * 6
    lines[1] = replace(lines[1], message=long, found=10_000_000)
    window.checklist.show_submission(replace(view, lines=lines))
    tree = window.checklist.tree
    heights, tops = set(), set()
    first = window.checklist.model.index_of(0)
    for _ in range(len(lines)):
        type_keys(qtbot, Qt.Key.Key_N)
        qtbot.wait(20)
        heights.add(tree.height())
        tops.add(tree.visualRect(first).top())
    assert len(heights) == 1 and len(tops) == 1  # the detail below changed, the list did not
    metrics = tree.fontMetrics()
    room = metrics.horizontalAdvance("$10,000,000") + metrics.horizontalAdvance("M")
    assert tree.columnWidth(3) >= room  # Found: "$10,000,000" whole, not "$10,000,…"
