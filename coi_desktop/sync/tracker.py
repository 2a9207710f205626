"""The tracker client: tracker-api.md over a shared ``requests`` session.

Every method returns the parsed answer or raises: ``RetryLater`` for what time will fix,
``AuthRequired`` on 401 (no retry: the person must sign in again). Answers the outbox has
to judge (201, 409, 422 …) come back as a ``Reply``.
"""

from __future__ import annotations

from typing import Any

import requests

from coi_desktop.sync.transport import (
    DEFAULT_TIMEOUT,
    AuthRequired,
    Pacer,
    Reply,
    SyncProblem,
    make_session,
    send,
)

TRACKER = "tracker"
PAGE_SIZE = 200


class TrackerError(SyncProblem):
    """An answer the tracker should not give for a read (404 on /me, a page that is not JSON)."""


class TrackerClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        session: requests.Session | None = None,
        pacer: Pacer | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or make_session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.pacer = pacer or Pacer()
        self.timeout = timeout

    def close(self) -> None:
        self.session.close()

    def _call(self, method: str, path: str, what: str, **kwargs: Any) -> Reply:
        reply = send(
            self.session,
            self.pacer,
            method,
            self.base_url + path,
            what=what,  # a phrase the transport's sentences start with
            timeout=self.timeout,
            **kwargs,
        )
        if reply.status == 401:
            raise AuthRequired(
                TRACKER,
                "The tracker refused the sign-in token (401). Sign in again in Settings "
                "with a current token; syncing with the tracker is paused until then.",
            )
        return reply

    def _read(self, path: str, what: str, **kwargs: Any) -> Any:
        reply = self._call("GET", path, f"Reading {what} from the tracker", **kwargs)
        if reply.status != 200 or not isinstance(reply.body, dict):
            reason = reply.error_text() or f"HTTP {reply.status}"
            raise TrackerError(f"The tracker could not give {what}: {reason}.")
        return reply.body

    # -- reads -------------------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        body: dict[str, Any] = self._read("/me", "the signed-in user")
        return body

    def submissions(self, cursor: str | None, limit: int = PAGE_SIZE) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["updated_since"] = cursor
        body: dict[str, Any] = self._read("/submissions", "changed submissions", params=params)
        if not isinstance(body.get("items"), list) or not isinstance(body.get("next_cursor"), str):
            raise TrackerError("The tracker's page of submissions has no items or next_cursor.")
        return body

    def submission(self, submission_id: str) -> dict[str, Any]:
        body: dict[str, Any] = self._read(f"/submissions/{submission_id}", submission_id)
        return body

    def requirement_profile(self, profile_id: str) -> dict[str, Any]:
        body: dict[str, Any] = self._read(
            f"/requirement-profiles/{profile_id}", f"requirement profile {profile_id}"
        )
        return body

    def document(self, document_id: str, have_sha256: str | None = None) -> bytes | None:
        """The document's bytes, or None when ``have_sha256`` is still current (304)."""
        headers = {"Accept": "application/pdf"}
        if have_sha256:
            headers["If-None-Match"] = f'"{have_sha256}"'
        reply = self._call(
            "GET", f"/documents/{document_id}/content",
            f"Downloading document {document_id} from the tracker",
            headers=headers, raw=True,
        )
        if reply.status == 304:
            return None
        if reply.status != 200 or not isinstance(reply.body, bytes):
            raise TrackerError(f"The tracker could not give document {document_id} "
                               f"(HTTP {reply.status}).")
        return reply.body

    # -- writes (answers judged by the outbox) ---------------------------------------------

    def claim(self, submission_id: str) -> Reply:
        return self._call("POST", f"/submissions/{submission_id}/claim",
                          f"Sending the claim on {submission_id} to the tracker")

    def assign(self, submission_id: str, user_id: str | None) -> Reply:
        return self._call(
            "POST", f"/submissions/{submission_id}/assign",
            f"Sending the assignment of {submission_id} to the tracker",
            json={"user_id": user_id},
        )

    def decide(
        self, submission_id: str, idempotency_key: str, if_match: int, body: dict[str, Any]
    ) -> Reply:
        return self._call(
            "PUT",
            f"/submissions/{submission_id}/decision",
            f"Sending the decision on {submission_id} to the tracker",
            json=body,
            headers={"Idempotency-Key": idempotency_key, "If-Match": str(if_match)},
        )


def check_tracker(base_url: str, token: str, timeout: float = 5.0) -> str:
    """Settings' *Test connection*: one ``GET /me``; a sentence either way (never raises)."""
    client = TrackerClient(base_url, token, timeout=(timeout, timeout))
    try:
        me = client.me()
    except SyncProblem as exc:
        return f"Not connected: {exc}"
    finally:
        client.close()
    return f"Connected to the tracker as {me.get('name', me.get('id'))} ({me.get('role')})."
