"""Shared test set-up: offscreen Qt, an in-memory keyring, a fresh home per test."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from coi_desktop.credentials import trust_backend

REPO = Path(__file__).resolve().parent.parent
BLANK_FORM = REPO / "tests" / "data" / "acord25-2016-03-blank-fillable.pdf"


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps secrets in a dict: safe for tests, never touches the OS."""

    priority = 1  # type: ignore[assignment]

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
