"""No store work on the GUI thread: the reviewer's whole loop, driven by keys, with every SQL
statement's thread recorded.

A SQLite write can wait up to the busy timeout (10 s) behind a sync pass; on the GUI thread
that is a frozen window. Reads and writes go through the window's background operations
(`ui/operations.py`), the queue's loader and the count thread, never a slot.

Allowed, and only this: building the window reads the store once on the GUI thread (who is
signed in, the team's names, the first view's count and the first page of the queue), so
the window opens on its queue. Recording starts after that.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import event, text

from coi_desktop.ui.dialogs import DecisionDialog, OverrideDialog
from coi_desktop.ui.main_window import MainWindow
from coi_desktop.ui.queue_model import PAGE_SIZE
from coi_desktop.workspace import Workspace
from tests.test_ui_keyboard import focused
from tests.test_ui_support import seeded_workspace, settle

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
NONE = Qt.KeyboardModifier.NoModifier


class GuiThreadSql:
    """Every statement run on the GUI thread while ``watching``."""

    def __init__(self, workspace: Workspace) -> None:
        self.engine = workspace.database.engine
        self.watching = False
        self.seen: list[str] = []
        event.listen(self.engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.watching and threading.current_thread() is threading.main_thread():
            self.seen.append(" ".join(statement.split())[:90])

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


@pytest.fixture
def workspace(coi_home: Path, blank_form: Path) -> Iterator[Workspace]:
    # More than a page: going past row PAGE_SIZE reads the next page (the old fetch_now).
    ws, _ids = seeded_workspace(coi_home, blank_form, count=PAGE_SIZE + 5, corrupt=False)
    yield ws
    ws.close()


def open_window(qtbot: QtBot, workspace: Workspace) -> MainWindow:
    window = MainWindow(workspace, background=False)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    settle(qtbot, window)
    return window


def press(
    qtbot: QtBot, window: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier = NONE
) -> None:
    """A key where the focus is, then wait for what it asked of the store to come back."""
    if QApplication.activeModalWidget() is None and QApplication.activeWindow() is not window:
        window.activateWindow()  # what a window manager does when a dialog closes
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(focused(qtbot), key, modifier)
    settle(qtbot, window)


def test_the_whole_loop_runs_no_sql_on_the_gui_thread(qtbot: QtBot, workspace: Workspace) -> None:
    sql = GuiThreadSql(workspace)
    try:
        window = open_window(qtbot, workspace)  # startup: may read (see the module's note)
        sql.watching = True
        assert window.current_id == "s-1"  # opened, and claimed, at startup

        press(qtbot, window, Qt.Key.Key_J)  # switch: s-2 opens and is claimed
        press(qtbot, window, Qt.Key.Key_K)
        press(qtbot, window, Qt.Key.Key_J)
        assert window.current_id == "s-2"

        press(qtbot, window, Qt.Key.Key_N)  # to a checklist line, and set it aside
        press(qtbot, window, Qt.Key.Key_N)
        press(qtbot, window, Qt.Key.Key_T)
        dialog = window.decisions.open_dialog
        assert isinstance(dialog, OverrideDialog)
        qtbot.keyClicks(dialog.note, "Umbrella schedule covers the gap")
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
        settle(qtbot, window)
        assert window.decisions.open_dialog is None

        press(qtbot, window, Qt.Key.Key_3, CTRL)  # decide: rejected, with a note
        dialog = window.decisions.open_dialog
        assert isinstance(dialog, DecisionDialog) and dialog.outcome == "rejected"
        qtbot.keyClicks(dialog.note, "Not a certificate for this vendor")
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
        settle(qtbot, window)
        assert window.decisions.open_dialog is None and window.current_id == "s-3"

        press(qtbot, window, Qt.Key.Key_Z, CTRL)  # undo: s-2 is open again
        assert window.current_id == "s-2" and window.current_view is not None
        assert window.current_view.decision is None

        press(qtbot, window, Qt.Key.Key_F5)  # read again, and ask sync to go now
        press(qtbot, window, Qt.Key.Key_3, ALT)  # All
        qtbot.keyClick(window.table, Qt.Key.Key_End, CTRL)  # the last loaded row …
        settle(qtbot, window)
        press(qtbot, window, Qt.Key.Key_J)  # … and past it: the next page, read off the thread
        qtbot.waitUntil(lambda: window.model.rowCount() > PAGE_SIZE)
        settle(qtbot, window)
        press(qtbot, window, Qt.Key.Key_L, CTRL)
        qtbot.keyClicks(window.search, "Vendor 7")
        qtbot.waitUntil(lambda: window.model.wanted_filter.search == "Vendor 7")
        press(qtbot, window, Qt.Key.Key_Return)
        assert window.current_id is not None
        sql.watching = False
        window.close()

        # A lead: the Team tab, and work given to a reviewer.
        workspace.set_current_user("u-9")
        lead = open_window(qtbot, workspace)
        sql.watching = True
        assert lead.dashboard is not None
        lead.dashboard.choose_reviewer = lambda ids: "u-1"  # the dialog's answer
        with qtbot.waitSignal(lead.dashboard.reassigned):
            assert lead.dashboard.reassign_submissions(["s-5"])
        settle(qtbot, lead)
        press(qtbot, lead, Qt.Key.Key_J)
        sql.watching = False
        lead.close()
        assert sql.seen == [], "SQL on the GUI thread:\n" + "\n".join(sql.seen)
        sql.watching = True  # and the listener does see what runs here
        with workspace.database.session() as session:
            session.execute(text("SELECT 1"))
        assert sql.seen == ["SELECT 1"]
    finally:
        sql.close()
