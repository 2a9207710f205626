"""The sandbox tracker: tracker-api.md over HTTP, under ``/api/v1``, plus ``/_sandbox`` admin.

Routing and parsing live here; the rules (claims, conflicts, idempotent decisions) live in
:class:`TrackerState` so they run under its lock.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from coi_desktop.sync.sandbox.faults import COMMON_KINDS, FaultInjector
from coi_desktop.sync.sandbox.tracker_state import Answer, TrackerState
from coi_desktop.sync.sandbox.wsgi import (
    BadJson,
    StartResponse,
    WSGIEnvironment,
    admin_routes,
    bearer_token,
    json_response,
    read_json,
    serve_admin,
)

API_PREFIX = "/api/v1"
DEFAULT_LIMIT = 100
MAX_LIMIT = 500

JSON = dict[str, Any]
Handler = Callable[..., Response]


def encode_cursor(epoch: str, seq: int) -> str:
    """Opaque to clients; inside: which server run issued it and the change seq it ended at."""
    return base64.urlsafe_b64encode(f"{epoch}:{seq}".encode()).decode().rstrip("=")


def decode_cursor(epoch: str, cursor: str) -> int:
    """The seq to continue after; 0 (everything again) for a cursor from an earlier run.

    A resumed demo keeps its home but meets a freshly seeded sandbox whose change numbers
    start over; replaying the whole queue is safe (clients upsert by version), silently
    skipping changes is not.
    """
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        text = base64.urlsafe_b64decode(padded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError("not a cursor this tracker issued") from exc
    issued_by, _, number = text.partition(":")
    if not issued_by or not number.isdigit():
        raise ValueError("not a cursor this tracker issued")
    return int(number) if issued_by == epoch else 0


def _answer(answer: Answer) -> Response:
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    return json_response(answer.body, answer.status, headers)


def _error(status: int, message: str) -> Response:
    return json_response({"error": message}, status)


class TrackerApp:
    """WSGI app: the tracker API (faults applied) and the admin routes (never faulted)."""

    def __init__(self, state: TrackerState, faults: FaultInjector | None = None) -> None:
        self.state = state
        self.faults = faults or FaultInjector(COMMON_KINDS)
        p = API_PREFIX
        self._api = Map(
            [
                Rule(f"{p}/me", endpoint="me", methods=["GET"]),
                Rule(f"{p}/submissions", endpoint="submissions", methods=["GET"]),
                Rule(f"{p}/submissions/<sub_id>", endpoint="submission", methods=["GET"]),
                Rule(f"{p}/submissions/<sub_id>/claim", endpoint="claim", methods=["POST"]),
                Rule(f"{p}/submissions/<sub_id>/assign", endpoint="assign", methods=["POST"]),
                Rule(f"{p}/submissions/<sub_id>/decision", endpoint="decide", methods=["PUT"]),
                Rule(f"{p}/documents/<doc_id>/content", endpoint="content", methods=["GET"]),
                Rule(f"{p}/requirement-profiles/<rp_id>", endpoint="profile", methods=["GET"]),
                Rule(f"{p}/queue/stats", endpoint="stats", methods=["GET"]),
            ]
        )
        self._admin = admin_routes()
        self._handlers: dict[str, Handler] = {
            "me": self.me,
            "submissions": self.submissions,
            "submission": self.submission,
            "claim": self.claim,
            "assign": self.assign,
            "decide": self.decide,
            "content": self.content,
            "profile": self.profile,
            "stats": self.stats,
        }
        self._faulty_api = self.faults.wrap(self._serve_api)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith("/_sandbox/"):
            return serve_admin(self._admin, self._admin_answer, environ, start_response)
        return self._faulty_api(environ, start_response)

    # -- dispatch --------------------------------------------------------------------------

    def _serve_api(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        request = Request(environ)
        try:
            endpoint, args = self._api.bind_to_environ(environ).match()
        except MethodNotAllowed:
            return _error(405, "method not allowed")(environ, start_response)
        except NotFound:
            return _error(404, f"no such endpoint {request.path}")(environ, start_response)
        user = self.state.authenticate(bearer_token(request))
        if user is None:
            response = _error(401, "the token is missing, wrong or revoked")
            response.headers["WWW-Authenticate"] = 'Bearer realm="tracker"'
        else:
            response = self._handlers[str(endpoint)](request, user, **args)
        return response(environ, start_response)

    def _admin_answer(self, endpoint: str, request: Request) -> Response:
        if endpoint == "counters":
            return json_response(
                {
                    "decisions_per_key": self.state.decisions_per_key(),
                    "decisions": len(self.state.decisions()),
                }
            )
        if request.method == "POST":
            self.faults.configure_from_json(read_json(request))
        return json_response(self.faults.snapshot())

    # -- endpoints -------------------------------------------------------------------------

    def me(self, request: Request, user: JSON) -> Response:
        return json_response(user)

    def submissions(self, request: Request, user: JSON) -> Response:
        cursor = request.args.get("updated_since")
        try:
            after = decode_cursor(self.state.epoch, cursor) if cursor else 0
        except ValueError as exc:
            return json_response({"errors": {"updated_since": [str(exc)]}}, 400)
        try:
            limit = int(request.args.get("limit", DEFAULT_LIMIT))
        except ValueError:
            return json_response({"errors": {"limit": ["must be a whole number"]}}, 400)
        limit = min(max(limit, 1), MAX_LIMIT)
        items, last, has_more = self.state.changes_after(after, limit)
        return json_response(
            {
                "items": items,
                "next_cursor": encode_cursor(self.state.epoch, last),
                "has_more": has_more,
            }
        )

    def submission(self, request: Request, user: JSON, sub_id: str) -> Response:
        found = self.state.submission(sub_id)
        return json_response(found) if found else _error(404, f"no submission {sub_id}")

    def claim(self, request: Request, user: JSON, sub_id: str) -> Response:
        if user.get("role") == "read_only":
            return _error(403, "read-only users cannot claim work")
        return _answer(self.state.claim(sub_id, user))

    def assign(self, request: Request, user: JSON, sub_id: str) -> Response:
        if user.get("role") != "lead":
            return _error(403, "only leads assign work")
        try:
            body = read_json(request)
        except BadJson as exc:
            return json_response({"errors": {"body": [str(exc)]}}, 422)
        if not isinstance(body, dict) or "user_id" not in body:
            return json_response({"errors": {"user_id": ["is required"]}}, 422)
        assignee = body["user_id"]
        if assignee is not None and not isinstance(assignee, str):
            return json_response({"errors": {"user_id": ["must be a user id or null"]}}, 422)
        return _answer(self.state.assign(sub_id, assignee))

    def decide(self, request: Request, user: JSON, sub_id: str) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return _error(400, "Idempotency-Key header is required")
        try:
            body: object = read_json(request)
        except BadJson:
            body = None  # reported as a 422 by validation, after replay and If-Match checks
        if_match = request.headers.get("If-Match")
        return _answer(self.state.decide(sub_id, user, key, if_match, body))

    def content(self, request: Request, user: JSON, doc_id: str) -> Response:
        found = self.state.document(doc_id)
        if found is None:
            return _error(404, f"no document {doc_id}")
        content, sha256 = found
        if sha256 in request.if_none_match or request.if_none_match.star_tag:
            response = Response(status=304)
        else:
            response = Response(content, 200, content_type="application/pdf")
        response.set_etag(sha256)
        return response

    def profile(self, request: Request, user: JSON, rp_id: str) -> Response:
        found = self.state.profile(rp_id)
        return json_response(found) if found else _error(404, f"no requirement profile {rp_id}")

    def stats(self, request: Request, user: JSON) -> Response:
        return json_response(self.state.stats())
