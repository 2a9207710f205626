"""Submissions without a pre-check are prepared off the GUI thread and the screen follows."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import delete

from coi_desktop.models import ChecklistLineRow, Submission
from coi_desktop.ui.background import PreparationThread
from coi_desktop.ui.main_window import MainWindow
from coi_desktop.workspace import Workspace
from tests.test_ui_support import seeded_workspace, settle

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_waiting_submission_is_prepared_in_the_background(
    qtbot: QtBot, coi_home: Path, blank_form: Path
) -> None:
    workspace, _ = seeded_workspace(coi_home, blank_form, count=1, corrupt=False)
    with workspace.database.session() as session:
        session.execute(delete(ChecklistLineRow))
        sub = session.get(Submission, "s-1")
        assert sub is not None
        sub.precheck_pass = sub.precheck_fail = sub.precheck_needs_review = None
    window = MainWindow(workspace, background=False)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    window.show()
    settle(qtbot, window)
    assert window.current_id == "s-1"
    assert "pre-check is still running" in window.checklist.empty.text()
    assert window.checklist.empty.isVisible()
    with qtbot.waitSignal(window.preparation.prepared, timeout=20000):
        window.preparation.poke()
    qtbot.waitUntil(lambda: bool(window.checklist.model.lines), timeout=5000)
    assert not window.checklist.empty.isVisible()
    assert window.model.row_at(0) is not None
    assert window.model.row_at(0).precheck is not None  # type: ignore[union-attr]
    window.close()
    workspace.close()


def _without_checklists(coi_home: Path, blank_form: Path) -> Workspace:
    workspace, _ = seeded_workspace(coi_home, blank_form, count=3, corrupt=False)
    with workspace.database.session() as session:
        session.execute(delete(ChecklistLineRow))
        for sub in session.query(Submission):
            sub.precheck_pass = sub.precheck_fail = sub.precheck_needs_review = None
    return workspace


def test_the_requested_submission_is_prepared_before_the_rest(
    qtbot: QtBot, coi_home: Path, blank_form: Path
) -> None:
    workspace = _without_checklists(coi_home, blank_form)
    thread = PreparationThread(workspace.database, workspace.documents)
    order: list[str] = []
    thread.prepared.connect(order.extend)
    try:
        thread.prepare_first("s-3")  # asked before the thread picks anything
        qtbot.waitUntil(lambda: len(order) == 3, timeout=30000)
    finally:
        thread.stop()
    assert order[0] == "s-3"
    workspace.close()


def test_opening_a_submission_without_checklist_asks_for_it_first(
    qtbot: QtBot, coi_home: Path, blank_form: Path
) -> None:
    workspace = _without_checklists(coi_home, blank_form)
    window = MainWindow(workspace)
    asked: list[str] = []
    real_prepare_first = window.preparation.prepare_first

    def record(submission_id: str) -> None:
        asked.append(submission_id)
        real_prepare_first(submission_id)

    window.preparation.prepare_first = record  # type: ignore[method-assign]
    qtbot.addWidget(window)
    window.show()
    window.queue.select_row(2)
    assert window.current_id == "s-3"
    settle(qtbot, window)
    assert asked[-1] == "s-3"
    qtbot.waitUntil(lambda: bool(window.checklist.model.lines), timeout=30000)
    window.close()
    workspace.close()
