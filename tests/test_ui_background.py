"""Submissions without a pre-check are prepared off the GUI thread and the screen follows."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import delete

from coi_desktop.models import ChecklistLineRow, Submission
from coi_desktop.ui.main_window import MainWindow
from tests.test_ui_support import seeded_workspace

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


def test_the_open_submission_is_prepared_first(
    qtbot: QtBot, coi_home: Path, blank_form: Path
) -> None:
    workspace, _ = seeded_workspace(coi_home, blank_form, count=3, corrupt=False)
    with workspace.database.session() as session:
        session.execute(delete(ChecklistLineRow))
        for sub in session.query(Submission):
            sub.precheck_pass = sub.precheck_fail = sub.precheck_needs_review = None
    window = MainWindow(workspace)  # background on: the opened one jumps the queue
    order: list[str] = []
    window.preparation.prepared.connect(order.extend)  # queued: nothing is lost before this
    qtbot.addWidget(window)
    window.show()
    window.select_row(2)
    assert window.current_id == "s-3"
    qtbot.waitUntil(lambda: len(order) == 3, timeout=30000)
    assert order.index("s-3") < order.index("s-2")  # s-1 may already have been under way
    qtbot.waitUntil(lambda: bool(window.checklist.model.lines), timeout=5000)
    window.close()
    workspace.close()
