"""The Procore emulator's OAuth: registered clients, single-use authorization codes, access
tokens that expire, and refresh tokens that die when used, as Procore's are.

Its own lock: nothing here touches the directory or the insurance records.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]

OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"
CODE_LIFETIME = 600.0


@dataclass
class _Token:
    client_id: str
    expires_at: float
    user: bool = False  # issued to a person (authorization code), not a service account


# Who ``GET /me`` names: a Developer Managed Service Account, or the person who signed in.
SERVICE_ACCOUNT = {
    "id": 31001,
    "login": "coi-desk-dmsa@service.procore.example",
    "name": "COI Desk Sync",
}
SIGNED_IN_USER = {"id": 31002, "login": "riley@example.com", "name": "Riley Reviewer"}


class ProcoreOAuth:
    def __init__(self, *, access_token_ttl: float, clock: Callable[[], float] = time.time) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.access_token_ttl = access_token_ttl
        self._clients: dict[str, str] = {}
        self._codes: dict[str, tuple[str, float]] = {}
        self._access: dict[str, _Token] = {}
        self._refresh: dict[str, str] = {}  # refresh token → client id; popped when used

    # -- admin helpers (Python only) -------------------------------------------------------

    def add_client(self, client_id: str, client_secret: str) -> None:
        with self.lock:
            self._clients[client_id] = client_secret

    def mint_authorization_code(self, client_id: str) -> str:
        """What the user would copy from Procore's "installed app" page (single use, 10 min)."""
        with self.lock:
            code = secrets.token_urlsafe(16)
            self._codes[code] = (client_id, self.clock() + CODE_LIFETIME)
            return code

    def expire_access_token(self, token: str) -> None:
        with self.lock:
            if token in self._access:
                self._access[token].expires_at = self.clock() - 1

    def expire_all_access_tokens(self) -> None:
        with self.lock:
            for token in self._access.values():
                token.expires_at = self.clock() - 1

    # -- OAuth -----------------------------------------------------------------------------

    def client_ok(self, client_id: str, client_secret: str) -> bool:
        with self.lock:
            expected = self._clients.get(client_id)
            return expected is not None and secrets.compare_digest(expected, client_secret)

    def redeem_code(self, code: str, client_id: str) -> bool:
        with self.lock:
            found = self._codes.pop(code, None)  # single use even when it fails
            return found is not None and found[0] == client_id and found[1] > self.clock()

    def redeem_refresh_token(self, token: str, client_id: str) -> bool:
        with self.lock:
            owner = self._refresh.pop(token, None)  # dead from now on, answered or not
            return owner == client_id

    def issue_tokens(self, client_id: str, *, with_refresh: bool) -> JSON:
        with self.lock:
            access = secrets.token_urlsafe(24)
            now = self.clock()
            # A refresh token belongs to a person's sign-in; client credentials to the DMSA.
            self._access[access] = _Token(client_id, now + self.access_token_ttl, user=with_refresh)
            answer: JSON = {
                "access_token": access,
                "token_type": "bearer",
                "expires_in": int(self.access_token_ttl),
                "created_at": int(now),
            }
            if with_refresh:
                refresh = secrets.token_urlsafe(24)
                self._refresh[refresh] = client_id
                answer["refresh_token"] = refresh
            return answer

    def who(self, token: str | None) -> JSON:
        with self.lock:
            found = self._access.get(token or "")
            return dict(SIGNED_IN_USER if found is not None and found.user else SERVICE_ACCOUNT)

    def access_ok(self, token: str | None) -> bool:
        with self.lock:
            found = self._access.get(token or "")
            return found is not None and found.expires_at > self.clock()
