"""The keyring facade: safe store present, absent, plaintext refused; secrets never logged."""

from __future__ import annotations

import logging
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from coi_desktop.credentials import (
    PROCORE_TOKENS,
    TRACKER_TOKEN,
    Credentials,
    CredentialStoreUnavailable,
)
from coi_desktop.logs import configure_logging
from tests.conftest import MemoryKeyring


class PlaintextKeyring(KeyringBackend):
    """Stands in for keyrings.alt's file backend, which we must never treat as safe."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AssertionError("a secret was written to a plaintext store")

    def delete_password(self, service: str, username: str) -> None:
        pass


PlaintextKeyring.__module__ = "keyrings.alt.file"


def test_keyring_present_keeps_and_returns_secrets(memory_keyring: MemoryKeyring) -> None:
    credentials = Credentials(environ={})
    assert credentials.status().safe
    credentials.set(TRACKER_TOKEN, "tok-123456", scope="http://t/api/v1")
    assert credentials.get(TRACKER_TOKEN, scope="http://t/api/v1") == "tok-123456"
    assert credentials.get(TRACKER_TOKEN, scope="http://other") is None
    credentials.set_json(PROCORE_TOKENS, {"access_token": "a" * 20, "refresh_token": "r" * 20})
    assert credentials.get_json(PROCORE_TOKENS) == {
        "access_token": "a" * 20,
        "refresh_token": "r" * 20,
    }
    credentials.delete(TRACKER_TOKEN, scope="http://t/api/v1")
    assert credentials.get(TRACKER_TOKEN, scope="http://t/api/v1") is None


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring(), PlaintextKeyring()])
def test_unsafe_backends_are_no_store(backend: KeyringBackend) -> None:
    keyring.set_keyring(backend)
    credentials = Credentials(environ={})
    status = credentials.status()
    assert not status.safe
    assert "No secure credential store" in status.message
    assert "COI_DESKTOP_TRACKER_TOKEN" in status.message
    with pytest.raises(CredentialStoreUnavailable):
        credentials.set(TRACKER_TOKEN, "never-written")
    assert credentials.get(TRACKER_TOKEN) is None


def test_without_a_safe_store_only_the_environment_is_accepted() -> None:
    keyring.set_keyring(fail.Keyring())
    credentials = Credentials(environ={"COI_DESKTOP_TRACKER_TOKEN": "env-token-1"})
    assert credentials.get(TRACKER_TOKEN) == "env-token-1"


def test_nothing_is_written_to_files_when_no_store(coi_home: Path) -> None:
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(CredentialStoreUnavailable):
        Credentials(environ={}).set(TRACKER_TOKEN, "secret-value-xyz")
    if coi_home.exists():
        for path in coi_home.rglob("*"):
            if path.is_file():
                assert b"secret-value-xyz" not in path.read_bytes()


def test_secrets_never_reach_a_log_line(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    log_file = tmp_path / "logs" / "app.log"
    configure_logging(log_file)
    try:
        credentials = Credentials(environ={"COI_DESKTOP_PROCORE_CLIENT_SECRET": "cs-7f3a9b2c"})
        credentials.set(TRACKER_TOKEN, "trk-9d8e7f6a")
        token = credentials.get(TRACKER_TOKEN)
        secret = credentials.get("procore_client_secret")
        log = logging.getLogger("coi_desktop.test")
        log.info("calling with token %s and secret %s", token, secret)
        log.warning("headers: {'Authorization': 'Bearer unregistered-abc123'}")
        log.error('answer: {"access_token": "zzz111", "refresh_token": "yyy222"}')
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = log_file.read_text()
    finally:
        configure_logging(tmp_path / "other.log")
    assert "calling with token" in text
    for secret_text in ("trk-9d8e7f6a", "cs-7f3a9b2c", "unregistered-abc123", "zzz111", "yyy222"):
        assert secret_text not in text
    assert "[secret]" in text
