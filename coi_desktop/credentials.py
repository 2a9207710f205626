"""Secrets behind one small facade over the OS keyring.

Tokens and client secrets live only in the keyring. A backend is trusted only when it is
one of the OS stores we know (a known-safe list of classes, not a name that looks right)
and the backend itself says it is usable (its own ``priority``). Anywhere else the app
says so and accepts only the environment variables meant for headless use; it never falls
back to writing a file. Every secret read is registered with the log redactor.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError

from coi_desktop.logs import register_secret

SERVICE = "coi-desktop"

TRACKER_TOKEN = "tracker_token"
PROCORE_CLIENT_SECRET = "procore_client_secret"
PROCORE_TOKENS = "procore_tokens"  # access + refresh token, always stored together

# Headless use only: read, never written anywhere.
ENV_SECRETS = {
    TRACKER_TOKEN: "COI_DESKTOP_TRACKER_TOKEN",
    PROCORE_CLIENT_SECRET: "COI_DESKTOP_PROCORE_CLIENT_SECRET",
}

# The OS credential stores, as (module, class). Anything else (keyrings.alt's files, a
# third-party backend with a reassuring name) is not a safe store.
KNOWN_SAFE = (
    ("keyring.backends.SecretService", "Keyring"),
    ("keyring.backends.libsecret", "Keyring"),
    ("keyring.backends.kwallet", "DBusKeyring"),
    ("keyring.backends.kwallet", "DBusKeyringKWallet4"),
    ("keyring.backends.macOS", "Keyring"),
    ("keyring.backends.Windows", "WinVaultKeyring"),
)
_trusted: set[type] = set()

NO_SAFE_STORE = (
    "No secure credential store (OS keyring) is available on this machine, so COI Desk "
    "cannot keep your tokens. Install and unlock a keyring (GNOME Keyring, KWallet, "
    "macOS Keychain or Windows Credential Manager), or, for headless use, set "
    "COI_DESKTOP_TRACKER_TOKEN / COI_DESKTOP_PROCORE_CLIENT_SECRET in the environment."
)


class CredentialStoreUnavailable(Exception):
    """Raised when asked to keep a secret where it could not be kept safely."""


@dataclass(frozen=True)
class StoreStatus:
    safe: bool
    backend: str
    message: str


def trust_backend(backend_class: type[KeyringBackend]) -> None:
    """Add a class to the known-safe list (the tests' in-memory keyring)."""
    _trusted.add(backend_class)


def _known_safe_classes() -> set[type]:
    classes = set(_trusted)
    for module_name, class_name in KNOWN_SAFE:
        try:
            module = importlib.import_module(module_name)
        except Exception:  # a platform's backend may not import elsewhere
            continue
        found = getattr(module, class_name, None)
        if isinstance(found, type):
            classes.add(found)
    return classes


def _usable(backend: KeyringBackend) -> bool:
    """The backend's own judgement: a positive priority (it raises or is <= 0 when unusable)."""
    try:
        priority = float(backend.priority)
    except Exception:
        return False
    return priority > 0


def _is_safe(backend: KeyringBackend) -> bool:
    children = getattr(backend, "backends", None)
    if children is not None:
        # The chainer writes to the first child that accepts: every one must be safe.
        return bool(children) and all(_is_safe(child) for child in children)
    return type(backend) in _known_safe_classes() and _usable(backend)


class Credentials:
    """Read and keep secrets. ``scope`` ties a secret to one server (a URL)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def status(self) -> StoreStatus:
        backend = keyring.get_keyring()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        if _is_safe(backend):
            return StoreStatus(True, name, f"Credentials are kept in the OS keyring ({name}).")
        return StoreStatus(False, name, NO_SAFE_STORE)

    def get(self, name: str, scope: str = "") -> str | None:
        env_name = ENV_SECRETS.get(name)
        if env_name and self._environ.get(env_name):
            return register_secret(self._environ[env_name])
        if not self.status().safe:
            return None
        try:
            value = keyring.get_password(SERVICE, _account(name, scope))
        except KeyringError:
            return None
        return register_secret(value) if value else None

    def set(self, name: str, value: str, scope: str = "") -> None:
        if not self.status().safe:
            raise CredentialStoreUnavailable(NO_SAFE_STORE)
        register_secret(value)
        try:
            keyring.set_password(SERVICE, _account(name, scope), value)
        except KeyringError as exc:
            raise CredentialStoreUnavailable(
                f"The OS keyring refused to keep the secret: {exc}"
            ) from exc

    def delete(self, name: str, scope: str = "") -> None:
        if not self.status().safe:
            return
        with contextlib.suppress(KeyringError):  # nothing stored is the state we want
            keyring.delete_password(SERVICE, _account(name, scope))

    def get_json(self, name: str, scope: str = "") -> dict[str, Any] | None:
        raw = self.get(name, scope)
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(value, dict):
            return None
        for item in value.values():
            if isinstance(item, str) and len(item) >= 8:
                register_secret(item)
        return value

    def set_json(self, name: str, value: dict[str, Any], scope: str = "") -> None:
        for item in value.values():
            if isinstance(item, str) and len(item) >= 8:
                register_secret(item)
        self.set(name, json.dumps(value, sort_keys=True), scope)


def _account(name: str, scope: str) -> str:
    return f"{name}@{scope}" if scope else name
