"""The Procore REST client: insurance records through the sync endpoint, commitment flags.

Every call carries the bearer token *and* ``Procore-Company-Id``. A 401 gets one fresh
token and one more try; a second 401 means the person must sign in again.
"""

from __future__ import annotations

from typing import Any

import requests

from coi_desktop.sync.procore_auth import PROCORE, ProcoreAuth
from coi_desktop.sync.transport import (
    DEFAULT_TIMEOUT,
    AuthRequired,
    Pacer,
    Reply,
    RetryLater,
    SyncProblem,
    make_session,
    send,
)

API = "/rest/v1.0"


class ProcoreClient:
    def __init__(
        self,
        api_url: str,
        auth: ProcoreAuth,
        *,
        session: requests.Session | None = None,
        pacer: Pacer | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.auth = auth
        self.session = session or make_session()
        self.pacer = pacer or Pacer()
        self.timeout = timeout
        self.requests_sent = 0

    def close(self) -> None:
        self.session.close()
        self.auth.session.close()

    def call(self, method: str, path: str, company_id: int, what: str, **kwargs: Any) -> Reply:
        extra = kwargs.pop("headers", {})
        token = self.auth.access_token()
        for _ in range(3):
            headers = {
                "Authorization": f"Bearer {token}",
                "Procore-Company-Id": str(company_id),
                **extra,
            }
            self.requests_sent += 1
            reply = send(
                self.session, self.pacer, method, self.api_url + API + path,
                what=f"Procore {what}", timeout=self.timeout, headers=headers, **kwargs,
            )
            if reply.status != 401:
                return reply
            # One fresh token per refusal; calls in flight together share the replacement.
            token = self.auth.access_token(rejected=token)
        if self.auth.grant == "client_credentials":
            # A new client-credentials token is one call away, and a revoked app is refused
            # at the token endpoint (which asks the person); so this is only a bad moment.
            raise RetryLater(f"Procore {what}: fresh access tokens were refused (401)")
        raise AuthRequired(
            PROCORE,
            "Procore refused a freshly issued token (401). Sign in to Procore again in "
            "Settings; sending to Procore is paused until then.",
        )

    def sync_insurances(
        self, company_id: int, path: str, updates: list[dict[str, Any]]
    ) -> Reply:
        """``PATCH {path}/sync`` where path is the vendor's insurances collection."""
        return self.call("PATCH", f"{path}/sync", company_id, "insurance sync",
                         json={"updates": updates})

    def update_compliance(
        self, company_id: int, project_id: int, commitment_id: int, body: dict[str, Any],
        kind: str = "work_order_contracts",
    ) -> Reply:
        return self.call(
            "PATCH", f"/projects/{project_id}/{kind}/{commitment_id}/compliance", company_id,
            f"commitment {commitment_id} compliance", json=body,
        )

    def check(self, company_id: int | None) -> str:
        """Settings' *Test connection*: a token, then a listing if a company is known."""
        try:
            self.auth.access_token()
            if company_id is not None:
                reply = self.call("GET", "/projects", company_id, "projects",
                                  params={"company_id": company_id, "per_page": 1})
                if reply.status != 200:
                    return (f"Signed in, but Procore answered {reply.status} for company "
                            f"{company_id}: {reply.error_text() or 'no reason given'}.")
        except SyncProblem as exc:
            return f"Not connected: {exc}"
        return "Connected to Procore: the sign-in works."


def make_procore_client(
    api_url: str, auth: ProcoreAuth, timeout: tuple[float, float] = DEFAULT_TIMEOUT
) -> ProcoreClient:
    return ProcoreClient(api_url, auth, timeout=timeout)


__all__ = ["DEFAULT_TIMEOUT", "ProcoreClient", "make_procore_client"]
