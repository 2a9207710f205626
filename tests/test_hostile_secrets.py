"""Secrets under attack: echoed by servers, offered a plaintext keyring with a neutral name."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import SecretService

from coi_desktop.credentials import TRACKER_TOKEN, Credentials, CredentialStoreUnavailable
from coi_desktop.database import open_database
from coi_desktop.logs import register_secret
from coi_desktop.models import OutboxItem
from coi_desktop.sync.transport import AuthRequired, RetryLater

SECRET = "EVILTOKEN-0a9b8c7d6e5f"


class NeutralStore(KeyringBackend):
    """A plaintext file backend that calls itself nothing alarming, with a high priority."""

    priority = 9

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AssertionError("a secret was written to an unknown backend")

    def delete_password(self, service: str, username: str) -> None:
        pass


NeutralStore.__module__ = "company_tools.credential_store"
NeutralStore.__qualname__ = NeutralStore.__name__ = "Keyring"


class UnusableSecretService(SecretService.Keyring):
    """The real OS store's class, but its own priority says it cannot work here."""


def test_a_backend_with_a_neutral_name_is_not_trusted() -> None:
    keyring.set_keyring(NeutralStore())
    credentials = Credentials(environ={})
    assert not credentials.status().safe
    with pytest.raises(CredentialStoreUnavailable):
        credentials.set(TRACKER_TOKEN, SECRET)


def test_a_known_store_that_says_it_is_unusable_is_not_trusted() -> None:
    backend = SecretService.Keyring()
    try:
        usable = float(backend.priority) > 0
    except Exception:
        usable = False
    keyring.set_keyring(backend)
    assert Credentials(environ={}).status().safe is usable
    keyring.set_keyring(UnusableSecretService())  # a subclass is not the known class
    assert not Credentials(environ={}).status().safe


def test_a_chain_with_one_unsafe_backend_is_not_trusted(memory_keyring: KeyringBackend) -> None:
    from keyring.backends.chainer import ChainerBackend

    class Chain(ChainerBackend):
        @property
        def backends(self) -> list[KeyringBackend]:
            return [memory_keyring, NeutralStore()]

    keyring.set_keyring(Chain())
    assert not Credentials(environ={}).status().safe


def test_sync_problems_never_show_a_secret_in_use() -> None:
    register_secret(SECRET)
    for problem in (
        AuthRequired("procore", f"token refused: {SECRET} lacks scope"),
        RetryLater(f"server said Bearer {SECRET}; " + "x" * 5000),
    ):
        text = str(problem)
        assert SECRET not in text
        assert len(text) < 1000


def test_outbox_reasons_are_scrubbed_whoever_writes_them(tmp_path: Path) -> None:
    register_secret(SECRET)
    database = open_database(tmp_path / "store.sqlite3")
    try:
        item = OutboxItem(id="i-1", kind="decision", submission_id="s-1", payload={})
        item.last_error = f"Procore refused ({SECRET}): " + "y" * 5000
        assert item.last_error is not None
        assert SECRET not in item.last_error and len(item.last_error) <= 1000
    finally:
        database.close()
