"""The main window opened the way the GUI tests open it (no background preparation)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from coi_desktop.ui.main_window import MainWindow
from coi_desktop.workspace import Workspace
from tests.test_ui_support import settle


def make_window(qtbot: QtBot, workspace: Workspace, *, show: bool = True) -> MainWindow:
    """A window qtbot shuts down after the test; shown at 1366×768 and exposed unless told not."""
    window = MainWindow(workspace, background=False)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    if show:
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        settle(qtbot, window)  # the store is read off the GUI thread: wait for the first view
    return window
