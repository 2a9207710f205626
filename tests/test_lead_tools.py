"""A lead's tools over the real sandbox tracker: the team by name and load, a reassignment
made by keyboard that reaches *delivered*, and no raw user ids on screen or in the report."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest
from PySide6.QtCore import QAbstractItemModel, Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from coi_desktop.models import OutboxItem, User
from coi_desktop.report_pdf import write_pdf
from coi_desktop.sync.sandbox import SandboxServers
from coi_desktop.ui.dashboard import DashboardWidget
from coi_desktop.ui.reassign_dialog import ReassignDialog
from coi_desktop.workspace import Workspace, open_workspace
from tests.test_sync_helpers import sign_in
from tests.test_sync_helpers import sync_once as sync

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
RAW_ID = re.compile(r"\bu-\d+\b")


@pytest.fixture
def servers(servers: SandboxServers) -> SandboxServers:
    # The team's load before the lead looks: Sam holds two, Riley one.
    servers.tracker.assign("s-1042", "u-2")
    servers.tracker.assign("s-1043", "u-2")
    servers.tracker.assign("s-1044", "u-1")
    return servers


@pytest.fixture
def lead_home(servers: SandboxServers, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """Lee Lead's fresh home, synced once from the sandbox."""
    sign_in(monkeypatch, servers, "u-4")
    workspace = open_workspace()
    sync(workspace)
    yield workspace
    workspace.close()


def shown(qtbot: QtBot, workspace: Workspace) -> DashboardWidget:
    widget = DashboardWidget(workspace)  # asks the configured tracker, as in the app
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.data is not None, timeout=10_000)
    return widget


def texts(model: QAbstractItemModel, column: int) -> list[str]:
    return [str(model.data(model.index(r, column))) for r in range(model.rowCount())]


def test_the_team_comes_from_the_tracker_by_name_with_its_load(
    qtbot: QtBot, lead_home: Workspace
) -> None:
    with lead_home.database.session() as session:
        assert [u.id for u in session.query(User)] == ["u-4"]  # /me names only the lead
    widget = shown(qtbot, lead_home)
    assert widget.data is not None and widget.data.online
    members = {m.name: (m.assigned_open, m.you) for m in widget.team_members()}
    assert members == {
        "Lee Lead": (0, True),
        "Riley Reviewer": (1, False),
        "Sam Reviewer": (2, False),
    }  # the read-only user gets no work
    holders = texts(widget.attention_model, 5)
    assert sorted(holders) == ["Riley Reviewer", "Sam Reviewer", "Sam Reviewer", "nobody"]
    assert sorted(texts(widget.reviewer_model, 0)) == ["Lee Lead", "Riley Reviewer", "Sam Reviewer"]
    # The names stay for offline work and for the report command.
    with lead_home.database.session() as session:
        assert session.get(User, "u-2") is not None


def test_a_reassignment_by_keyboard_reaches_delivered(
    qtbot: QtBot, lead_home: Workspace, servers: SandboxServers, tmp_path: Path
) -> None:
    widget = shown(qtbot, lead_home)
    widget.show()
    qtbot.waitExposed(widget)
    row = texts(widget.attention_model, 1).index("s-1042")
    widget.activateWindow()
    widget.attention_table.setFocus()
    qtbot.waitUntil(widget.attention_table.hasFocus, timeout=5000)  # activation is queued
    widget.attention_table.selectRow(row)
    typed: list[str] = []

    def pick_riley() -> None:
        dialog = next(
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, ReassignDialog) and w.isVisible()
        )
        typed.extend(dialog.people.item(i).text() for i in range(dialog.people.count()))
        qtbot.keyClicks(dialog.search, "ril")
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)

    assert widget.selected_submission_ids() == ["s-1042"]
    QTimer.singleShot(100, pick_riley)
    with qtbot.waitSignal(widget.reassigned, timeout=10_000):
        qtbot.keyClick(
            widget.attention_table,
            Qt.Key.Key_A,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert "Sam Reviewer  ·  2 open" in typed
    qtbot.waitUntil(
        lambda: "→ Riley Reviewer (sending…)" in texts(widget.attention_model, 5), timeout=10_000
    )

    sync(lead_home)
    remote = servers.tracker.submission("s-1042")
    assert remote is not None and remote["assigned_to"] == "u-1"
    with lead_home.database.session() as session:
        item = session.query(OutboxItem).filter_by(kind="assign").one()
        assert item.state == "delivered", item.last_error
    first = widget.data
    widget.refresh()
    qtbot.waitUntil(lambda: widget.data is not first, timeout=10_000)
    assert "→ Riley Reviewer (delivered)" in texts(widget.attention_model, 5)
    assert "waiting to be sent" not in widget.status.text()
    members = {m.name: m.assigned_open for m in widget.team_members()}
    assert members["Riley Reviewer"] == 2 and members["Sam Reviewer"] == 1

    assert widget.data is not None
    write_pdf(widget.data.snapshot, tmp_path / "team.pdf")
    with pymupdf.open(tmp_path / "team.pdf") as doc:
        text = doc[0].get_text()
    assert "Riley Reviewer" in text and "Sam Reviewer" in text
    assert not RAW_ID.search(text), RAW_ID.findall(text)


def test_the_report_command_names_the_team(lead_home: Workspace, tmp_path: Path) -> None:
    """Headless: `report` learns the names from the tracker; no `u-…` in the PDF or CSV."""
    from coi_desktop.cli import main

    pdf, table = tmp_path / "team.pdf", tmp_path / "team.csv"
    assert main(["report", "--pdf", str(pdf), "--csv", str(table)]) == 0
    with pymupdf.open(pdf) as doc:
        text = doc[0].get_text()
    assert "Sam Reviewer" in text and not RAW_ID.search(text), RAW_ID.findall(text)
    overdue = [
        row.split(",") for row in table.read_text().splitlines() if row.startswith("overdue,")
    ]
    assert sorted(row[6] for row in overdue) == [
        "",
        "Riley Reviewer",
        "Sam Reviewer",
        "Sam Reviewer",
    ]


def test_the_team_tab_fits_a_1366_pixel_screen(qtbot: QtBot, lead_home: Workspace) -> None:
    from coi_desktop.ui.main_window import MainWindow

    window = MainWindow(lead_home, background=False)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    widget = window.dashboard
    assert isinstance(widget, DashboardWidget)
    qtbot.waitUntil(lambda: widget.data is not None and widget.data.online, timeout=10_000)
    widget.choose_reviewer = lambda ids: "u-1"  # known now: the tracker named the team
    assert widget.reassign_submissions(["s-1042", "s-1043"])  # a longer status line
    window.tabs.setCurrentWidget(widget)
    qtbot.waitUntil(lambda: "waiting to be sent" in widget.status.text(), timeout=10_000)
    qtbot.wait(50)
    assert window.minimumSizeHint().width() <= 1366
    assert window.width() == 1366
    right = widget.width()
    for part in [
        *widget.tiles.values(),
        widget.pdf_button,
        widget.reviewer_table,
        widget.attention_table,
        widget.reassign_button,
    ]:
        corner = part.mapTo(widget, part.rect().topRight())
        assert corner.x() <= right, part
        assert part.width() >= min(part.sizeHint().width(), 100), part
