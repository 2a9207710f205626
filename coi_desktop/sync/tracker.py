"""The tracker client: tracker-api.md over a shared ``requests`` session.

Every method returns the parsed answer or raises: ``RetryLater`` for what time will fix,
``AuthRequired`` on 401 (no retry: the person must sign in again). Answers the outbox has
to judge (201, 409, 422 …) come back as a ``Reply``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import requests

from coi_desktop.logs import register_secret
from coi_desktop.sync.limits import DOCUMENT_DEADLINE_FACTOR, REQUEST_DEADLINE, document_cap
from coi_desktop.sync.pacing import Pacer
from coi_desktop.sync.transport import (
    DEFAULT_TIMEOUT,
    AuthRequired,
    Reply,
    SyncProblem,
    make_session,
    send,
    server_text,
)

TRACKER = "tracker"
PAGE_SIZE = 200


class TrackerError(SyncProblem):
    """An answer the tracker should not give for a read (404 on /me, a page that is not JSON)."""


# Ids the tracker gives us become path segments: only plain ones are used at all.
PLAIN_ID = re.compile(r"[A-Za-z0-9._:-]{1,200}")


def is_plain_id(value: object) -> bool:
    return isinstance(value, str) and bool(PLAIN_ID.fullmatch(value)) and value not in (".", "..")


def segment(value: str, what: str) -> str:
    """``value`` as one URL path segment; an id that is not plain is refused, never sent."""
    if not is_plain_id(value):
        shown = repr(value[:60]) if isinstance(value, str) else type(value).__name__
        raise TrackerError(
            f"The tracker sent a {what} id that is not a plain name ({shown}); "
            "it was not requested. Tell the tracker's administrator."
        )
    return quote(value, safe="")


class TrackerClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        session: requests.Session | None = None,
        pacer: Pacer | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        deadline: float = REQUEST_DEADLINE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or make_session()
        # Whatever a server echoes back is scrubbed of the token before we keep or show it.
        register_secret(token)
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.pacer = pacer or Pacer()
        self.timeout = timeout
        self.deadline = deadline  # seconds for one call, its whole answer included

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
            **{"deadline": self.deadline, **kwargs},
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
        if reply.status == 200 and not isinstance(reply.body, dict):
            raise TrackerError(
                f"The tracker's answer for {what} was not what COI Desk expects (no JSON "
                "object); check the tracker URL in Settings."
            )
        if reply.status != 200:
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
            raise TrackerError(
                "The tracker's page of submissions has no items or next_cursor; "
                "nothing of it was stored. Check the tracker URL in Settings."
            )
        return body

    def queue_stats(self) -> dict[str, Any]:
        """``GET /queue/stats``: the whole team's figures (the dashboard's online source)."""
        body: dict[str, Any] = self._read("/queue/stats", "the team figures")
        return body

    def submission(self, submission_id: str) -> dict[str, Any]:
        path = f"/submissions/{segment(submission_id, 'submission')}"
        body: dict[str, Any] = self._read(path, submission_id)
        return body

    def requirement_profile(self, profile_id: str) -> dict[str, Any]:
        body: dict[str, Any] = self._read(
            f"/requirement-profiles/{segment(profile_id, 'requirement profile')}",
            f"requirement profile {profile_id}",
        )
        return body

    def document(
        self, document_id: str, have_sha256: str | None = None, size: int | None = None
    ) -> bytes | None:
        """The document's bytes, or None when ``have_sha256`` is still current (304).

        ``size`` is what the tracker announced: a larger answer is refused unread.
        """
        headers = {"Accept": "application/pdf"}
        if have_sha256:
            headers["If-None-Match"] = f'"{have_sha256}"'
        reply = self._call(
            "GET",
            f"/documents/{segment(document_id, 'document')}/content",
            f"Downloading document {document_id} from the tracker",
            headers=headers,
            raw=True,
            max_bytes=document_cap(size),
            deadline=self.deadline * DOCUMENT_DEADLINE_FACTOR,
        )
        if reply.status == 304:
            return None
        if reply.status != 200 or not isinstance(reply.body, bytes):
            reason = reply.error_text() or f"HTTP {reply.status}"
            raise TrackerError(f"The tracker could not give document {document_id}: {reason}.")
        return reply.body

    # -- writes (answers judged by the outbox) ---------------------------------------------

    def claim(self, submission_id: str) -> Reply:
        path = f"/submissions/{segment(submission_id, 'submission')}/claim"
        return self._call("POST", path, f"Sending the claim on {submission_id} to the tracker")

    def assign(self, submission_id: str, user_id: str | None) -> Reply:
        path = f"/submissions/{segment(submission_id, 'submission')}/assign"
        return self._call(
            "POST",
            path,
            f"Sending the assignment of {submission_id} to the tracker",
            json={"user_id": user_id},
        )

    def decide(
        self, submission_id: str, idempotency_key: str, if_match: int, body: dict[str, Any]
    ) -> Reply:
        return self._call(
            "PUT",
            f"/submissions/{segment(submission_id, 'submission')}/decision",
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
    who = me.get("name") if isinstance(me.get("name"), str) else me.get("id")
    if not isinstance(who, str) or not isinstance(me.get("role"), str):
        return (
            "Not connected: the tracker's answer for the signed-in user is not a user "
            "record; check the tracker URL."
        )
    return f"Connected to the tracker as {server_text(who, 80)} ({server_text(me['role'], 20)})."
