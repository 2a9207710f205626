"""The window's size, splitters and columns, remembered between runs (QSettings, ui.ini)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QGuiApplication

if TYPE_CHECKING:
    from coi_desktop.ui.main_window import MainWindow


def restore(window: MainWindow) -> None:
    settings = window.settings
    geometry = settings.value("window/geometry")
    if isinstance(geometry, QByteArray) and not geometry.isEmpty():
        window.restoreGeometry(geometry)
    else:
        window.resize(1366, 768)
        if QGuiApplication.platformName() != "offscreen":  # offscreen: 800 × 600
            # The first start takes the whole screen: a workbench used all day, and on
            # a 768-pixel screen 1366 × 768 plus a title bar would push the status bar
            # (the sync state) off the bottom.
            window.setWindowState(Qt.WindowState.WindowMaximized)
    for name, widget in (
        ("window/state", window),
        ("split/workbench", window.split),
        ("split/checklist", window.checklist.split),
        ("queue/header", window.table.horizontalHeader()),
    ):
        value = settings.value(name)
        if isinstance(value, QByteArray) and not value.isEmpty():
            widget.restoreState(value)
    thumbnails = str(settings.value("document/thumbnails", "true")).lower() != "false"
    window.actions_by_name["toggle_thumbnails"].setChecked(thumbnails)
    window.viewer.set_thumbnails_visible(thumbnails)
    if settings.value("split/workbench") is None:
        window.split.setSizes([370, 560, 436])
        window.checklist.split.setSizes([420, 180])


def save(window: MainWindow) -> None:
    settings = window.settings
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())
    settings.setValue("split/workbench", window.split.saveState())
    settings.setValue("split/checklist", window.checklist.split.saveState())
    settings.setValue("queue/header", window.table.horizontalHeader().saveState())
    settings.sync()
