"""First run on a fresh home, over the real sandbox tracker: who I am is known before the
queue shows, and a window that opened without it takes it in from the first sync."""

from __future__ import annotations

from functools import partial

import pytest
from pytestqt.qtbot import QtBot

from coi_desktop.sync.identity import sign_in_from_tracker
from coi_desktop.sync.sandbox import SandboxServers
from coi_desktop.ui.main_window import MainWindow
from coi_desktop.workspace import Workspace, open_workspace
from tests.sandbox_world import TinyWorld
from tests.test_sync_helpers import expect_the_demo_to_connect, sign_in, sync_once
from tests.windows import make_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

# These tests look at a window before it is shown, as the app builds it.
window_for = partial(make_window, show=False)


def fresh_home(monkeypatch: pytest.MonkeyPatch, servers: SandboxServers, user_id: str) -> Workspace:
    sign_in(monkeypatch, servers, user_id)
    return open_workspace()


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
        sync_once(workspace)
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

    expect_the_demo_to_connect(monkeypatch)
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
