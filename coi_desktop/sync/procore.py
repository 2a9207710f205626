"""The Procore REST client: insurance records through the sync endpoint, commitment flags.

Every call carries the bearer token *and* ``Procore-Company-Id``. A 401 gets one fresh
token and one more try; a second 401 means the person must sign in again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from coi_desktop.sync.pacing import Pacer
from coi_desktop.sync.procore_auth import PROCORE, ProcoreAuth
from coi_desktop.sync.transport import (
    DEFAULT_TIMEOUT,
    AuthRequired,
    Reply,
    RetryLater,
    SyncProblem,
    describe_errors,
    make_session,
    send,
)

API = "/rest/v1.0"
PER_PAGE = 100
CONTRACT_KINDS = ("work_order_contracts", "purchase_order_contracts")
# A sync call's answer grows with its batch (Procore validates and saves every item before
# it answers): the read timeout gets this much more per item, so 1,000 items wait ~45 s.
SECONDS_PER_SYNC_ITEM = 0.03


def procore_error_text(body: Any) -> str:
    """Procore's reason in one line, from either error shape it uses: ``{"errors": …}``
    (text or per-field lists) or ``{"error": {"code", "message", "details"}}``."""
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        error = body["error"]
        message = str(error.get("message") or error.get("code") or "")
        details = error.get("details")
        if details and isinstance(details, (str, Mapping)):
            extra = details if isinstance(details, str) else describe_errors({"errors": details})
            message = f"{message} ({extra})" if message else str(extra)
        return message
    return describe_errors(body)


def sync_timeout(base: tuple[float, float], items: int) -> tuple[float, float]:
    connect, read = base
    return connect, read + SECONDS_PER_SYNC_ITEM * max(items, 0)


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
        self._account: str | None = None

    def close(self) -> None:
        self.session.close()
        self.auth.session.close()

    def call(
        self, method: str, path: str, company_id: int | None, what: str, **kwargs: Any
    ) -> Reply:
        """``path`` is under /rest/v1.0, or a whole URL (a ``Link`` header's next page)."""
        extra = kwargs.pop("headers", {})
        timeout = kwargs.pop("timeout", self.timeout)
        url = path if path.startswith(("http://", "https://")) else self.api_url + API + path
        token = self.auth.access_token()
        for _ in range(3):
            headers = {"Authorization": f"Bearer {token}", **extra}
            if company_id is not None:  # only /me goes without it
                headers["Procore-Company-Id"] = str(company_id)
            self.requests_sent += 1
            reply = send(
                self.session,
                self.pacer,
                method,
                url,
                what=f"Procore {what}",
                timeout=timeout,
                headers=headers,
                **kwargs,
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

    def sync_insurances(self, company_id: int, path: str, updates: list[dict[str, Any]]) -> Reply:
        """``PATCH {path}/sync`` where path is the vendor's insurances collection."""
        return self.call(
            "PATCH",
            f"{path}/sync",
            company_id,
            "insurance sync",
            json={"updates": updates},
            timeout=sync_timeout(self.timeout, len(updates)),
        )

    def list_all(
        self, path: str, company_id: int, what: str, params: dict[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], Reply | None]:
        """Every page, following ``Link: rel="next"`` (never counting pages): the items, or
        the first answer that was not a 200 (then the items are incomplete)."""
        items: list[dict[str, Any]] = []
        target: str | None = path
        query: dict[str, Any] | None = {**(params or {}), "per_page": PER_PAGE}
        while target is not None:
            reply = self.call("GET", target, company_id, what, params=query)
            if reply.status != 200 or not isinstance(reply.body, list):
                return items, reply
            items += [item for item in reply.body if isinstance(item, dict)]
            target = _next_link(reply.headers.get("Link", ""))
            query = None  # the next link carries the query
        return items, None

    def list_insurances(
        self, company_id: int, path: str
    ) -> tuple[list[dict[str, Any]], Reply | None]:
        """A vendor's insurance records at one level (``path`` as for ``sync_insurances``)."""
        return self.list_all(path, company_id, "insurance listing")

    def commitment_kinds(self, company_id: int, project_id: int) -> dict[int, str]:
        """Commitment id → its collection (subcontract or purchase order) on a project; a
        listing Procore refuses adds nothing (the flag then goes to the default path)."""
        kinds: dict[int, str] = {}
        for kind in CONTRACT_KINDS:
            items, refusal = self.list_all(
                f"/{kind}", company_id, kind.replace("_", " "), {"project_id": project_id}
            )
            if refusal is None:
                kinds.update({int(i["id"]): kind for i in items if isinstance(i.get("id"), int)})
        return kinds

    def account(self, company_id: int | None = None) -> str:
        """Who this app acts as, for messages: the person or the service account (``/me``)."""
        if self._account is None:
            how = "Sign in as me" if self.auth.grant != "client_credentials" else "service account"
            name = ""
            try:
                reply = self.call("GET", "/me", company_id, "who am I")
                if reply.status == 200 and isinstance(reply.body, dict):
                    name = str(reply.body.get("name") or reply.body.get("login") or "")
                    login = reply.body.get("login")
                    if login and login != name:
                        name = f"{name} <{login}>"
            except SyncProblem:
                pass  # the message still says how the app signs in
            self._account = (
                f"{name} ({how})" if name else f"the {how} of client id {self.auth.client_id}"
            )
        return self._account

    def update_compliance(
        self,
        company_id: int,
        project_id: int,
        commitment_id: int,
        body: dict[str, Any],
        kind: str = "work_order_contracts",
    ) -> Reply:
        return self.call(
            "PATCH",
            f"/projects/{project_id}/{kind}/{commitment_id}/compliance",
            company_id,
            f"commitment {commitment_id} compliance",
            json=body,
        )

    def check(self, company_id: int | None) -> str:
        """Settings' *Test connection*: a token, then a listing if a company is known."""
        try:
            self.auth.access_token()
            if company_id is not None:
                reply = self.call(
                    "GET",
                    "/projects",
                    company_id,
                    "projects",
                    params={"company_id": company_id, "per_page": 1},
                )
                if reply.status != 200:
                    return (
                        f"Signed in, but Procore answered {reply.status} for company "
                        f"{company_id}: {procore_error_text(reply.body) or 'no reason'}."
                    )
            who = self.account(company_id)
        except SyncProblem as exc:
            return f"Not connected: {exc}"
        return f"Connected to Procore as {who}: the sign-in works."


def make_procore_client(
    api_url: str, auth: ProcoreAuth, timeout: tuple[float, float] = DEFAULT_TIMEOUT
) -> ProcoreClient:
    return ProcoreClient(api_url, auth, timeout=timeout)


def _next_link(header: str) -> str | None:
    for link in requests.utils.parse_header_links(header) if header else []:
        if link.get("rel") == "next" and link.get("url"):
            return link["url"]
    return None


__all__ = ["DEFAULT_TIMEOUT", "ProcoreClient", "make_procore_client", "procore_error_text"]
