"""First run on a fresh home, over the real sandbox tracker: who I am is known before the
queue shows, and a window that opened without it takes it in from the first sync."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from coi_desktop.sync.engine import SyncEngine, config_for
from coi_desktop.sync.identity import sign_in_from_tracker
from coi_desktop.sync.sandbox import SandboxServers
from coi_desktop.ui.main_window import MainWindow
from coi_desktop.workspace import Workspace, open_workspace
from tests.sandbox_world import TinyWorld

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def servers() -> Iterator[SandboxServers]:
    with SandboxServers(world=TinyWorld()) as running:
        yield running


def fresh_home(monkeypatch: pytest.MonkeyPatch, servers: SandboxServers, user_id: str) -> Workspace:
    monkeypatch.setenv("COI_DESKTOP_TRACKER_URL", servers.tracker_url)
    monkeypatch.setenv("COI_DESKTOP_TRACKER_TOKEN", servers.tokens[user_id])
    return open_workspace()


def window_for(qtbot: QtBot, workspace: Workspace) -> MainWindow:
    window = MainWindow(workspace, background=False)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    return window


def tab_titles(window: MainWindow) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


def test_a_lead_is_known_before_the_window_opens(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, servers: SandboxServers
) -> None:
    workspace = fresh_home(monkeypatch, servers, "u-4")
    try:
        assert workspace.current_user() is None
        user = sign_in_from_tracker(workspace)  # what the app does before the window
        assert user is not None and (user.name, user.role) == ("Lee Lead", "lead")
        window = window_for(qtbot, workspace)
        assert window.user_label.text() == "Lee Lead · lead"
        assert tab_titles(window) == ["Review", "Team"]
    finally:
        workspace.close()


def test_offline_the_window_opens_at_once_without_a_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COI_DESKTOP_TRACKER_URL", "http://127.0.0.1:9/api/v1")  # nothing there
    monkeypatch.setenv("COI_DESKTOP_TRACKER_TOKEN", "sandbox-token-u-4")
    workspace = open_workspace()
    try:
        assert sign_in_from_tracker(workspace, timeout=1.0) is None
        assert workspace.current_user() is None
    finally:
        workspace.close()


def test_the_window_takes_in_the_user_and_queue_from_the_first_sync(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, servers: SandboxServers
) -> None:
    """Opened before anyone was known (offline at start): the first pass fixes it all."""
    workspace = fresh_home(monkeypatch, servers, "u-4")
    try:
        window = window_for(qtbot, workspace)
        assert window.user_label.text() == "Not signed in" and tab_titles(window) == ["Review"]
        assert window.model.rowCount() == 0
        engine = SyncEngine(
            workspace.database,
            workspace.documents,
            config_for(workspace.connection, workspace.credentials, prepare_limit=0),
        )
        try:
            engine.run_once()
        finally:
            engine.close()
        window.sync.show_status("Sync: up to date")  # what the worker says after a pass
        qtbot.waitUntil(lambda: window.reads.is_idle)  # who signed in is read off the GUI thread
        assert window.user_label.text() == "Lee Lead · lead"
        assert tab_titles(window) == ["Review", "Team"]
        assert window.can_decide
        qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=10_000)
        # A new token for a read-only user: the Team tab goes, deciding is refused.
        monkeypatch.setenv("COI_DESKTOP_TRACKER_TOKEN", servers.tokens["u-9"])
        assert sign_in_from_tracker(workspace) is not None
        window.sync.show_status("Sync: up to date")
        qtbot.waitUntil(lambda: window.reads.is_idle)
        assert window.user_label.text() == "Robin Readonly · read-only"
        assert tab_titles(window) == ["Review"] and not window.can_decide
    finally:
        workspace.close()


@pytest.mark.parametrize(
    ("role", "who"),
    [
        ("lead", ("Lee Lead", "lead")),
        ("read-only", ("Robin Readonly", "read_only")),
        (None, ("Riley Reviewer", "reviewer")),
    ],
)
def test_the_demo_opens_as_each_role(
    monkeypatch: pytest.MonkeyPatch, role: str | None, who: tuple[str, str]
) -> None:
    """`coi-desktop --demo --as lead|read-only`: the window is signed in as that user."""
    from pathlib import Path

    import coi_desktop.app
    import coi_desktop.demo
    from coi_desktop.cli import main

    for name in (
        "COI_DESKTOP_TRACKER_URL",
        "COI_DESKTOP_TRACKER_TOKEN",
        "COI_DESKTOP_PROCORE_API_URL",
        "COI_DESKTOP_PROCORE_LOGIN_URL",
        "COI_DESKTOP_PROCORE_CLIENT_ID",
        "COI_DESKTOP_PROCORE_CLIENT_SECRET",
    ):
        monkeypatch.setenv(name, "")  # restored after the test; the demo sets them
    monkeypatch.setattr(coi_desktop.demo, "build_demo_world", lambda now, seed=7: TinyWorld())
    seen: list[tuple[str, str] | None] = []

    def window(home: Path | None) -> int:
        workspace = open_workspace(home)
        try:
            user = workspace.current_user()
            seen.append((user.name, user.role) if user else None)
        finally:
            workspace.close()
        return 0

    monkeypatch.setattr(coi_desktop.app, "run_gui", window)
    assert main(["--demo"] + (["--as", role] if role else [])) == 0
    assert seen == [who]


def test_as_needs_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    from coi_desktop.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["--as", "lead"])
    assert stop.value.code == 2
    assert "--as works with --demo only" in capsys.readouterr().err
