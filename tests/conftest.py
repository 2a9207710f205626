"""Shared test set-up: offscreen Qt, an in-memory keyring, a fresh home per test, and the
fixtures many modules use — the sandbox servers, a workspace, the main window, an HTTP session.

A module that needs a variant overrides the small fixture the shared one is built from (for
example ``sandbox_world``), or requests the shared fixture in its own of the same name and adds
to it; it never copies the set-up."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keyring
import pytest
import requests
from keyring.backend import KeyringBackend

from coi_desktop.credentials import trust_backend
from coi_desktop.database import Database, open_database
from coi_desktop.sync.sandbox import SandboxServers
from coi_desktop.workspace import Workspace, open_workspace
from tests.sandbox_world import TinyWorld
from tests.test_ui_support import seed

if TYPE_CHECKING:  # Qt is imported only by the tests that open a window
    from pytestqt.qtbot import QtBot

    from coi_desktop.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parent.parent
BLANK_FORM = REPO / "tests" / "data" / "acord25-2016-03-blank-fillable.pdf"


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps secrets in a dict: safe for tests, never touches the OS."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


trust_backend(MemoryKeyring)  # the facade trusts only known-safe classes


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def coi_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty COI_DESKTOP_HOME and no connection overrides."""
    home = tmp_path / "home"
    monkeypatch.setenv("COI_DESKTOP_HOME", str(home))
    for name in list(os.environ):
        if name.startswith("COI_DESKTOP_") and name != "COI_DESKTOP_HOME":
            monkeypatch.delenv(name)
    return home


@pytest.fixture
def blank_form() -> Path:
    return BLANK_FORM


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh store on its own, migrated, without the rest of a workspace."""
    database = open_database(tmp_path / "store.sqlite3")
    yield database
    database.close()


@pytest.fixture
def sandbox_world() -> Any:
    """What the sandbox servers are seeded with; a module overrides it (None: unseeded)."""
    return TinyWorld()


@pytest.fixture
def servers(sandbox_world: Any) -> Iterator[SandboxServers]:
    """The sandbox tracker and Procore emulator on 127.0.0.1, stopped after the test."""
    with SandboxServers(world=sandbox_world) as running:
        yield running


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture
def workspace(request: pytest.FixtureRequest, coi_home: Path) -> Iterator[Workspace]:
    """The test's home opened; ``@pytest.mark.seeded(**kwargs)`` on a test or module fills it
    with generated certificates (``tests.test_ui_support.seed``'s arguments)."""
    opened = open_workspace(coi_home)
    try:
        marker = request.node.get_closest_marker("seeded")
        if marker is not None:
            seed(opened, BLANK_FORM, **marker.kwargs)
        yield opened
    finally:
        opened.close()


@pytest.fixture
def window(qtbot: QtBot, workspace: Workspace) -> Iterator[MainWindow]:
    """The main window on ``workspace``, shown at 1366×768, shut down after the test."""
    from tests.windows import make_window

    win = make_window(qtbot, workspace)
    yield win
    win.close()
