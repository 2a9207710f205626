"""Starting the GUI: one QApplication, the workspace, and a plain message for any failure."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from coi_desktop import __version__
from coi_desktop.database import DatabaseDamaged, DatabaseError
from coi_desktop.logs import install_excepthook
from coi_desktop.settings import SettingsError
from coi_desktop.workspace import open_workspace


def run_gui(home: Path | None) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from coi_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("COI Desk")
    app.setOrganizationName("coi-desktop")
    app.setApplicationVersion(__version__)
    try:
        try:
            workspace = open_workspace(home)
        except DatabaseDamaged as exc:
            if not offer_recovery(home, exc):
                return 1
            workspace = open_workspace(home)
    except (DatabaseError, SettingsError) as exc:
        QMessageBox.critical(None, "COI Desk cannot start", str(exc))
        return 1

    def show_error(message: str) -> None:
        QMessageBox.warning(None, "COI Desk", message)

    install_excepthook(workspace.locations.log_file, show_error)
    if workspace.current_user() is None:  # a fresh home: who am I, before the queue shows
        from coi_desktop.sync.identity import sign_in_from_tracker

        sign_in_from_tracker(workspace)
    window = MainWindow(workspace)
    window.show()
    tune_for_the_window()
    try:
        return app.exec()
    finally:
        workspace.close()


def offer_recovery(home: Path | None, damaged: DatabaseDamaged) -> bool:
    """Restore the newest backup or start fresh (undelivered decisions kept), or quit."""
    from PySide6.QtWidgets import QMessageBox

    from coi_desktop.paths import locations
    from coi_desktop.recovery import recover_or_explain

    box = QMessageBox(QMessageBox.Icon.Warning, "COI Desk: damaged database", str(damaged))
    restore = box.addButton("Restore newest backup", QMessageBox.ButtonRole.AcceptRole)
    fresh = box.addButton("Start fresh from the tracker", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() not in (restore, fresh):
        return False
    code, message = recover_or_explain(locations(home), fresh=box.clickedButton() is fresh)
    if code != 0:
        QMessageBox.critical(None, "COI Desk cannot start", message)
        return False
    QMessageBox.information(None, "COI Desk", message)
    return True


# How long a thread may hold the GIL while another waits for it (Python's default: 5 ms).
# The reads and writes run on their own threads while the reviewer presses J; each time
# the window's thread comes back from Qt to Python it may wait this long for them.
WINDOW_SWITCH_INTERVAL_S = 0.001


def tune_for_the_window() -> None:
    """Once the window is up: keep the interpreter's pauses out of the reviewer's way.

    Every object made so far leaves the cyclic collector's passes (modules, widgets and
    the workspace live as long as the window; a full collection walked them all and
    paused typing in the search box for 60-90 ms now and then). And the GIL changes
    hands after 1 ms, not 5: with claims and reads ahead running beside it, the switch
    to the next submission's p95 went from 13-23 ms to 11-12 (`bench/bench_ui.py`).
    """
    gc.freeze()
    sys.setswitchinterval(WINDOW_SWITCH_INTERVAL_S)
