"""Every command of the workbench in one list: menus, toolbar, shortcuts and the
Keyboard shortcuts dialog are all made from it, so they cannot drift apart."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QToolBar


@dataclass(frozen=True)
class ActionSpec:
    name: str  # the key of MainWindow's table of slots
    text: str  # menu text, with & mnemonic
    shortcuts: tuple[str, ...]
    tip: str
    group: str  # the menu and the section of the shortcuts dialog
    decides: bool = False  # changes the tracker: disabled for read-only users
    toolbar: bool = False
    checkable: bool = False  # an on/off setting (its state is remembered)


ACTIONS: tuple[ActionSpec, ...] = (
    # Queue
    ActionSpec(
        "next_submission",
        "&Next submission",
        ("J", "Ctrl+Down"),
        "Open the next submission in the queue",
        "Queue",
        toolbar=False,
    ),
    ActionSpec(
        "previous_submission",
        "&Previous submission",
        ("K", "Ctrl+Up"),
        "Open the previous submission in the queue",
        "Queue",
    ),
    ActionSpec(
        "focus_search",
        "&Search the queue",
        ("Ctrl+L", "/"),
        "Search vendor, project, insured or id",
        "Queue",
    ),
    ActionSpec(
        "focus_queue",
        "Go to the &queue",
        ("Alt+Q",),
        "Move the keyboard focus to the queue",
        "Queue",
    ),
    ActionSpec("view_mine", "&My work", ("Alt+1",), "Show submissions assigned to you", "Queue"),
    ActionSpec(
        "view_unassigned", "&Unassigned", ("Alt+2",), "Show submissions nobody holds yet", "Queue"
    ),
    ActionSpec("view_all", "&All", ("Alt+3",), "Show every submission", "Queue"),
    ActionSpec("refresh", "&Refresh", ("F5",), "Read the queue again and sync now", "Queue"),
    # Checklist
    ActionSpec(
        "next_line",
        "Next checklist &line",
        ("N", "Alt+Down"),
        "Select the next checklist line and show its evidence",
        "Checklist",
    ),
    ActionSpec(
        "previous_line",
        "Previous checklist l&ine",
        ("P", "Alt+Up"),
        "Select the previous checklist line and show its evidence",
        "Checklist",
    ),
    ActionSpec(
        "show_evidence",
        "Show &evidence",
        ("E",),
        "Scroll the document to where the selected line's value was read",
        "Checklist",
    ),
    ActionSpec(
        "toggle_line",
        "&Toggle line…",
        ("T",),
        "Flip the selected line between pass and fail (asks for a note)",
        "Checklist",
        decides=True,
    ),
    ActionSpec(
        "override_line",
        "&Override line…",
        ("O",),
        "Set the selected line's result with a note",
        "Checklist",
        decides=True,
    ),
    ActionSpec(
        "edit_deficiencies",
        "Edit &deficiencies",
        ("Ctrl+D",),
        "Edit the deficiency list sent to the vendor",
        "Checklist",
        decides=True,
    ),
    ActionSpec(
        "focus_checklist",
        "Go to the &checklist",
        ("Alt+C",),
        "Move the keyboard focus to the checklist",
        "Checklist",
    ),
    # Decide
    ActionSpec(
        "decide_compliant",
        "&Compliant…",
        ("Ctrl+1",),
        "Decide: the certificate meets every requirement",
        "Decide",
        decides=True,
    ),
    ActionSpec(
        "decide_non_compliant",
        "&Non-compliant…",
        ("Ctrl+2",),
        "Decide: deficiencies are sent and a new COI is requested",
        "Decide",
        decides=True,
    ),
    ActionSpec(
        "decide_rejected",
        "&Rejected…",
        ("Ctrl+3",),
        "Decide: not a COI, unreadable or wrong insured (a note is needed)",
        "Decide",
        decides=True,
    ),
    ActionSpec(
        "undo_decision",
        "&Undo decision",
        ("Ctrl+Z",),
        "Take back the last decision while it has not been sent",
        "Decide",
        decides=True,
    ),
    # Document
    ActionSpec(
        "find_in_document",
        "&Find in document…",
        ("Ctrl+F",),
        "Find text in the open PDF",
        "Document",
        toolbar=True,
    ),
    ActionSpec("zoom_in", "Zoom &in", ("Ctrl+=", "Ctrl++"), "Zoom in", "Document", toolbar=True),
    ActionSpec("zoom_out", "Zoom &out", ("Ctrl+-",), "Zoom out", "Document", toolbar=True),
    ActionSpec(
        "fit_width",
        "Fit &width",
        ("Ctrl+0",),
        "Fit the page width to the pane",
        "Document",
        toolbar=True,
    ),
    ActionSpec(
        "fit_page", "Fit &page", ("Ctrl+9",), "Show the whole page", "Document", toolbar=True
    ),
    ActionSpec(
        "rotate",
        "&Rotate",
        ("Ctrl+R",),
        "Rotate the pages a quarter turn clockwise",
        "Document",
        toolbar=True,
    ),
    ActionSpec(
        "toggle_thumbnails",
        "&Thumbnails",
        ("Ctrl+T",),
        "Show or hide the page thumbnails beside the document",
        "Document",
        toolbar=True,
        checkable=True,
    ),
    ActionSpec(
        "focus_document",
        "Go to the &document",
        ("Alt+D",),
        "Move the keyboard focus to the PDF (arrows, Page Up/Down, Home/End scroll)",
        "Document",
    ),
    # Window
    ActionSpec("cycle_focus", "Next &pane", ("F6",), "Queue → document → checklist", "Window"),
    ActionSpec(
        "toggle_sync_panel",
        "&Sync panel",
        ("Ctrl+Shift+Y",),
        "Show or hide the sync panel",
        "Window",
    ),
    ActionSpec("settings", "&Settings…", ("Ctrl+,",), "Connection settings", "Window"),
    ActionSpec("quit", "&Quit", ("Ctrl+Q",), "Close COI Desk", "Window"),
    ActionSpec(
        "shortcuts", "&Keyboard shortcuts", ("F1",), "Every shortcut of the workbench", "Help"
    ),
    ActionSpec("about", "&About COI Desk", (), "Version and where the data is kept", "Help"),
)

MENUS = ("Queue", "Checklist", "Decide", "Document", "Window", "Help")
# The menus' Alt keys: none may be one of the actions' Alt shortcuts (Alt+Q, Alt+C, Alt+D go
# to a pane), or Qt finds both and does neither ("Ambiguous shortcut overload").
MENU_TITLES = {
    "Queue": "Q&ueue",
    "Checklist": "Chec&klist",
    "Decide": "D&ecide",
    "Document": "Docu&ment",
    "Window": "&Window",
    "Help": "&Help",
}


def tip(spec: ActionSpec, reason: str = "") -> str:
    """The tooltip: what it does, its keys, and why it is off (when it is)."""
    keys = " / ".join(
        QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText) for s in spec.shortcuts
    )
    text = f"{spec.tip} ({keys})" if keys else spec.tip
    return f"{text}\n{reason}" if reason else text


def build_actions(
    window: QMainWindow, slots: Mapping[str, Callable[[], object]]
) -> dict[str, QAction]:
    """One QAction per spec, each connected to its slot, in menus and the toolbar."""
    actions: dict[str, QAction] = {}
    menus = {group: window.menuBar().addMenu(MENU_TITLES[group]) for group in MENUS}
    toolbar = QToolBar("Main")
    toolbar.setObjectName("main_toolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    for spec in ACTIONS:
        action = QAction(spec.text, window)
        action.setObjectName(f"action_{spec.name}")
        action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(spec.checkable)
        action.setToolTip(tip(spec))
        action.setStatusTip(spec.tip)
        slot = slots[spec.name]
        action.triggered.connect(lambda _on=False, slot=slot: slot())
        window.addAction(action)
        menus[spec.group].addAction(action)
        if spec.toolbar:
            toolbar.addAction(action)
        actions[spec.name] = action
    window.addToolBar(toolbar)
    return actions
