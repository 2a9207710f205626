"""Procore OAuth 2.0: client credentials, the installed-app code flow, and single-use refresh.

A refresh token works once, even when its answer is lost. So the new access/refresh pair
is written to the keyring *before* the new access token is used, and a refresh whose
answer never arrived is not retried with the dead token: the person signs in again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import requests

from coi_desktop.credentials import (
    PROCORE_CLIENT_SECRET,
    PROCORE_TOKENS,
    Credentials,
    CredentialStoreUnavailable,
)
from coi_desktop.sync.pacing import Pacer
from coi_desktop.sync.transport import (
    DEFAULT_TIMEOUT,
    AuthRequired,
    NotConfigured,
    RetryLater,
    make_session,
    send,
)

log = logging.getLogger(__name__)

PROCORE = "procore"
OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"
EXPIRY_MARGIN = 60.0  # refresh a little early rather than send a token about to die

SIGN_IN_AGAIN = (
    "Procore needs you to sign in again ({why}). Open Settings → Procore and sign in; "
    "sending to Procore is paused until then."
)


class ProcoreAuth:
    """Hands out a valid access token; keeps the pair in the keyring under the login URL."""

    def __init__(
        self,
        login_url: str,
        client_id: str,
        *,
        grant: str = "client_credentials",
        credentials: Credentials | None = None,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.login_url = login_url.rstrip("/")
        self.client_id = client_id
        self.grant = grant
        self.credentials = credentials or Credentials()
        self.session = session or make_session()
        self.timeout = timeout
        self.clock = clock
        self._lock = threading.Lock()
        self._memory: dict[str, Any] | None = None  # the pair as last stored (or issued)
        self.pacer = Pacer()

    # -- stored pair ------------------------------------------------------------------

    def _load(self, *, fresh: bool = False) -> dict[str, Any] | None:
        # The pair is written through to the keyring; reading it back on every API call
        # would cost a keyring round trip (D-Bus, Keychain) each time.
        if self._memory is None or fresh:
            stored = self.credentials.get_json(PROCORE_TOKENS, self.login_url)
            self._memory = stored or self._memory
        return self._memory

    def _save(self, tokens: dict[str, Any]) -> None:
        try:
            self.credentials.set_json(PROCORE_TOKENS, tokens, self.login_url)
        except CredentialStoreUnavailable:
            if tokens.get("refresh_token"):
                # The refresh token is already spent server-side; nothing can be kept safely.
                self._memory = None
                raise AuthRequired(
                    PROCORE, SIGN_IN_AGAIN.format(why="no secure store for the new Procore tokens")
                ) from None
        # Client credentials without a keyring: kept in memory; a new token is one call away.
        self._memory = tokens

    def forget(self) -> None:
        self.credentials.delete(PROCORE_TOKENS, self.login_url)
        self._memory = None

    def _secret(self) -> str:
        secret = self.credentials.get(PROCORE_CLIENT_SECRET, self.login_url)
        if not secret:
            raise NotConfigured(PROCORE, "Procore is not set up: no client secret is stored.")
        return secret

    # -- token endpoint -----------------------------------------------------------------

    def _token_call(self, form: dict[str, str], what: str) -> dict[str, Any]:
        reply = send(
            self.session,
            self.pacer,
            "POST",
            f"{self.login_url}/oauth/token",
            what=f"Procore {what}",
            timeout=self.timeout,
            data=form,
        )
        body = reply.body if isinstance(reply.body, dict) else {}
        if reply.status != 200 or not isinstance(body.get("access_token"), str):
            reason = str(body.get("error_description") or body.get("error") or reply.status)
            raise AuthRequired(PROCORE, SIGN_IN_AGAIN.format(why=f"{what} refused: {reason}"))
        issued = float(body.get("created_at") or self.clock())
        return {
            "access_token": body["access_token"],
            "refresh_token": body.get("refresh_token"),
            "expires_at": issued + float(body.get("expires_in") or 5400),
            "grant": self.grant,
        }

    def _client_credentials(self) -> dict[str, Any]:
        tokens = self._token_call(
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self._secret(),
            },
            "client-credentials sign-in",
        )
        self._save(tokens)
        return tokens

    def _refresh(self, refresh_token: str) -> dict[str, Any]:
        if not self.credentials.status().safe:
            raise AuthRequired(
                PROCORE, SIGN_IN_AGAIN.format(why="no secure store to keep a refreshed token")
            )
        # The old pair is dead from the moment this call leaves, answered or not.
        try:
            tokens = self._token_call(
                {
                    "grant_type": "refresh_token",
                    "client_id": self.client_id,
                    "client_secret": self._secret(),
                    "refresh_token": refresh_token,
                },
                "token refresh",
            )
        except RetryLater as exc:
            if not exc.lost:
                raise  # the server said no (5xx, 429) or was unreachable: the pair still holds
            self.forget()
            raise AuthRequired(
                PROCORE, SIGN_IN_AGAIN.format(why=f"the answer to a token refresh was lost: {exc}")
            ) from exc
        except AuthRequired:
            self.forget()
            raise
        self._save(tokens)  # before anyone uses the new access token
        return tokens

    def authorize_url(self) -> str:
        query = urlencode(
            {"response_type": "code", "client_id": self.client_id, "redirect_uri": OOB_REDIRECT_URI}
        )
        return f"{self.login_url}/oauth/authorize?{query}"

    def sign_in_with_code(self, code: str) -> None:
        """Installed-app sign-in: trade the pasted code (single use, 10 min) for a pair."""
        with self._lock:
            tokens = self._token_call(
                {
                    "grant_type": "authorization_code",
                    "client_id": self.client_id,
                    "client_secret": self._secret(),
                    "code": code.strip(),
                    "redirect_uri": OOB_REDIRECT_URI,
                },
                "sign-in code",
            )
            self._save(tokens)

    # -- what the API client calls ------------------------------------------------------

    def access_token(self, *, rejected: str | None = None) -> str:
        """A usable token. ``rejected`` is one the API just answered 401 to: replace it once."""
        with self._lock:
            # After a refusal, look again: another window may have signed in meanwhile.
            tokens = self._load(fresh=rejected is not None)
            fresh = (
                tokens is not None
                and tokens.get("access_token") != rejected
                and float(tokens.get("expires_at", 0)) - EXPIRY_MARGIN > self.clock()
            )
            if fresh:
                assert tokens is not None
                return str(tokens["access_token"])
            if self.grant == "client_credentials":
                return str(self._client_credentials()["access_token"])
            if tokens is None or not tokens.get("refresh_token"):
                raise AuthRequired(PROCORE, SIGN_IN_AGAIN.format(why="not signed in yet"))
            return str(self._refresh(str(tokens["refresh_token"]))["access_token"])
