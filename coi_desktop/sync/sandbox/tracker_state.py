"""The sandbox tracker's data: users, submissions with a change sequence, documents, decisions.

Every method takes the one lock, so the threaded server sees each request as atomic. Plain
Python admin helpers (add/modify/archive a submission, stored decisions, decisions per
idempotency key) are for tests and the demo; they are not reachable over HTTP.
"""

from __future__ import annotations

import bisect
import copy
import hashlib
import secrets
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from coi_desktop.models import CLOSED_STATUSES
from coi_desktop.sync.sandbox.stats import Timeline, queue_stats
from coi_desktop.sync.sandbox.validation import parse_timestamp, validate_decision
from coi_desktop.timeutil import iso, parse_iso

JSON = dict[str, Any]


def token_for(user_id: str) -> str:
    """The sandbox's deterministic, fake bearer token for a user (printed by the runner)."""
    return f"sandbox-token-{user_id}"


@dataclass
class _Stored:
    data: JSON
    seq: int


@dataclass(frozen=True)
class _Document:
    content: bytes
    sha256: str  # what the tracker advertises; differs from the bytes after corrupt_document


@dataclass(frozen=True)
class Answer:
    """An HTTP answer the app sends as JSON."""

    status: int
    body: JSON
    replayed: bool = False


class TrackerState:
    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self.lock = threading.RLock()
        # Settable by tests to freeze or move time; must return an aware UTC datetime.
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._users: dict[str, JSON] = {}
        self._tokens: dict[str, str] = {}
        self._subs: dict[str, _Stored] = {}
        self._seq = 0
        self.epoch = secrets.token_hex(4)  # names this run in cursors (see decode_cursor)
        # Change log in seq order: (seq, submission id). An entry is live while the
        # submission's seq still equals it; later changes leave stale entries behind, which
        # paging skips and _compact drops. Keeps a cursor page O(log n + page), not a sort.
        self._log: list[tuple[int, str]] = []
        self._documents: dict[str, _Document] = {}
        self._profiles: dict[str, JSON] = {}
        self._decisions: list[JSON] = []
        self._answers: dict[str, tuple[str, JSON]] = {}  # idempotency key → (submission, body)
        self._timelines: dict[str, Timeline] = {}
        self.key_presentations: Counter[str] = Counter()

    def now(self) -> datetime:
        return self.clock().astimezone(UTC)

    # -- admin helpers ---------------------------------------------------------------------

    def add_user(self, user: Mapping[str, Any], token: str | None = None) -> str:
        """Register a /me user; returns their bearer token."""
        with self.lock:
            record = dict(user)
            self._users[record["id"]] = record
            token = token or token_for(record["id"])
            self._tokens[token] = record["id"]
            return token

    def revoke_token(self, token: str) -> None:
        with self.lock:
            self._tokens.pop(token, None)

    def add_profile(self, profile: Mapping[str, Any]) -> None:
        with self.lock:
            self._profiles[str(profile["id"])] = copy.deepcopy(dict(profile))

    def put_document(self, doc_id: str, content: bytes) -> str:
        """Store a document's bytes; returns their sha256."""
        digest = hashlib.sha256(content).hexdigest()
        with self.lock:
            self._documents[doc_id] = _Document(content, digest)
        return digest

    def corrupt_document(self, doc_id: str) -> None:
        """Flip the served bytes but keep the advertised hash, as a broken proxy would."""
        with self.lock:
            doc = self._documents[doc_id]
            damaged = bytes([doc.content[0] ^ 0xFF]) + doc.content[1:] if doc.content else b"x"
            self._documents[doc_id] = replace(doc, content=damaged)

    def add_submission(self, submission: Mapping[str, Any]) -> JSON:
        """Add (or replace) a submission; fills ``version``/``due_at`` when missing."""
        with self.lock:
            data = copy.deepcopy(dict(submission))
            data.setdefault("version", 1)
            data.setdefault("status", "new")
            data.setdefault("assigned_to", None)
            data.setdefault("documents", [])
            if "due_at" not in data:
                data["due_at"] = iso(parse_iso(data["received_at"]) + timedelta(hours=24))
            self._seq += 1
            self._subs[data["id"]] = _Stored(data, self._seq)
            self._log.append((self._seq, data["id"]))
            self._compact()
            return copy.deepcopy(data)

    def modify_submission(self, submission_id: str, **changes: Any) -> JSON:
        """Change fields as the tracker would (reassign, new status…): version and seq bump."""
        with self.lock:
            stored = self._subs[submission_id]
            stored.data.update(copy.deepcopy(changes))
            return self._touch(stored)

    def archive_submission(self, submission_id: str) -> JSON:
        """The vendor withdrew it: the tracker shows it ``archived``."""
        return self.modify_submission(submission_id, status="archived")

    def add_document(
        self, submission_id: str, doc_id: str, content: bytes, filename: str = "new.pdf"
    ) -> JSON:
        """A new document arrives on a submission (a change: it reappears, decisions conflict)."""
        digest = self.put_document(doc_id, content)
        with self.lock:
            stored = self._subs[submission_id]
            stored.data["documents"].append(
                {
                    "id": doc_id,
                    "filename": filename,
                    "sha256": digest,
                    "size": len(content),
                    "content_type": "application/pdf",
                }
            )
            return self._touch(stored)

    def submission(self, submission_id: str) -> JSON | None:
        with self.lock:
            stored = self._subs.get(submission_id)
            return copy.deepcopy(stored.data) if stored else None

    def decisions(self) -> list[JSON]:
        with self.lock:
            return copy.deepcopy(self._decisions)

    def decisions_per_key(self) -> dict[str, int]:
        """How many decisions were *stored* per idempotency key (1 each, or there is a bug)."""
        with self.lock:
            return dict(Counter(d["idempotency_key"] for d in self._decisions))

    def set_timeline(self, submission_id: str, timeline: Timeline) -> None:
        """Seed history for the team view (claims and decisions that predate the sandbox)."""
        with self.lock:
            self._timelines[submission_id] = timeline

    # -- what the HTTP app calls -----------------------------------------------------------

    def authenticate(self, token: str | None) -> JSON | None:
        with self.lock:
            user_id = self._tokens.get(token or "")
            return dict(self._users[user_id]) if user_id in self._users else None

    def changes_after(self, seq: int, limit: int) -> tuple[list[JSON], int, bool]:
        """Submissions changed after ``seq``, oldest change first; the last seq; more left?"""
        with self.lock:
            page: list[_Stored] = []
            has_more = False
            start = bisect.bisect_right(self._log, seq, key=lambda entry: entry[0])
            for index in range(start, len(self._log)):
                entry_seq, sub_id = self._log[index]
                stored = self._subs.get(sub_id)
                if stored is None or stored.seq != entry_seq:
                    continue  # stale: this submission changed again later
                if len(page) == limit:
                    has_more = True
                    break
                page.append(stored)
            last = page[-1].seq if page else max(seq, 0)
            return [copy.deepcopy(s.data) for s in page], last, has_more

    def document(self, doc_id: str) -> tuple[bytes, str] | None:
        with self.lock:
            doc = self._documents.get(doc_id)
            return (doc.content, doc.sha256) if doc else None

    def profile(self, profile_id: str) -> JSON | None:
        with self.lock:
            found = self._profiles.get(profile_id)
            return copy.deepcopy(found) if found else None

    def claim(self, submission_id: str, user: Mapping[str, Any]) -> Answer:
        with self.lock:
            stored = self._subs.get(submission_id)
            if stored is None:
                return Answer(404, {"error": f"no submission {submission_id}"})
            data = stored.data
            holder = data.get("assigned_to")
            if data["status"] in CLOSED_STATUSES or holder not in (None, user["id"]):
                return Answer(409, copy.deepcopy(data))
            if holder == user["id"] and data["status"] == "in_review":
                return Answer(200, copy.deepcopy(data))  # already mine: nothing changes
            data["assigned_to"] = user["id"]
            data["status"] = "in_review"
            self._timelines[submission_id] = Timeline(claimed_at=self.now(), claimed_by=user["id"])
            return Answer(200, self._touch(stored))

    def assign(self, submission_id: str, assignee: str | None) -> Answer:
        with self.lock:
            stored = self._subs.get(submission_id)
            if stored is None:
                return Answer(404, {"error": f"no submission {submission_id}"})
            if assignee is not None and assignee not in self._users:
                return Answer(422, {"errors": {"user_id": [f"unknown user {assignee}"]}})
            data = stored.data
            if data["status"] in CLOSED_STATUSES:
                return Answer(409, copy.deepcopy(data))
            data["assigned_to"] = assignee
            if assignee is None:
                data["status"] = "new"
            elif data["status"] == "in_review":
                # The new holder's minutes per decision start now, not at the old claim.
                self._timelines[submission_id] = Timeline(
                    claimed_at=self.now(), claimed_by=assignee
                )
            return Answer(200, self._touch(stored))

    def decide(
        self,
        submission_id: str,
        user: Mapping[str, Any],
        idempotency_key: str,
        if_match: str | None,
        body: object,
    ) -> Answer:
        """The decision PUT after header parsing. Order matters and follows the contract."""
        with self.lock:
            self.key_presentations[idempotency_key] += 1
            stored_answer = self._answers.get(idempotency_key)
            if stored_answer is not None:
                # Before If-Match: the retry of an applied decision must not conflict with
                # the version bump its own first attempt caused.
                stored_for, answer = stored_answer
                if stored_for != submission_id:
                    return Answer(
                        422,
                        {
                            "errors": {
                                "Idempotency-Key": [f"already used for submission {stored_for}"]
                            }
                        },
                    )
                return Answer(201, copy.deepcopy(answer), replayed=True)
            if user.get("role") == "read_only":
                return Answer(403, {"error": "read-only users cannot decide"})
            if if_match is None:
                return Answer(428, {"error": "If-Match with the submission version is required"})
            # Accept 7, "7" and W/"7": clients may treat the version like an ETag.
            version_text = if_match.strip().removeprefix("W/").strip('"')
            if not version_text.isdigit():
                return Answer(
                    400, {"errors": {"If-Match": ["must be the submission version, e.g. 7"]}}
                )
            stored = self._subs.get(submission_id)
            if stored is None:
                return Answer(404, {"error": f"no submission {submission_id}"})
            errors = validate_decision(body, self._users.keys())
            if errors:
                return Answer(422, {"errors": errors})
            assert isinstance(body, Mapping)
            data = stored.data
            if data["version"] != int(version_text) or data["status"] in CLOSED_STATUSES:
                return Answer(409, copy.deepcopy(data))
            holder = data.get("assigned_to")
            if user.get("role") != "lead" and holder not in (None, user["id"]):
                # Decisions follow assignment: a reviewer claims first; leads decide any.
                return Answer(409, copy.deepcopy(data))
            decided_at = parse_timestamp(body["decided_at"])
            assert decided_at is not None
            decision = copy.deepcopy(dict(body))
            decision.setdefault("deficiencies", [])
            decision.setdefault("note", None)
            decision.setdefault("checklist", [])
            decision.setdefault("policies", [])
            decision.update(
                id=f"dec-{len(self._decisions) + 1}",
                submission_id=submission_id,
                idempotency_key=idempotency_key,
                recorded_at=iso(self.now()),
            )
            self._decisions.append(decision)
            data["status"] = body["outcome"]
            timeline = self._timelines.get(submission_id, Timeline())
            self._timelines[submission_id] = replace(
                timeline, decided_at=decided_at.astimezone(UTC), decided_by=body["decided_by"]
            )
            answer = {"decision": copy.deepcopy(decision), "submission": self._touch(stored)}
            self._answers[idempotency_key] = (submission_id, copy.deepcopy(answer))
            return Answer(201, answer)

    def stats(self) -> JSON:
        with self.lock:
            return queue_stats(
                [s.data for s in self._subs.values()],
                dict(self._timelines),
                list(self._users.values()),
                self.now(),
            )

    # -- internals -------------------------------------------------------------------------

    def _touch(self, stored: _Stored) -> JSON:
        """Record a change: the version goes up and the submission moves to the cursor's end."""
        stored.data["version"] = int(stored.data.get("version", 0)) + 1
        self._seq += 1
        stored.seq = self._seq
        self._log.append((self._seq, stored.data["id"]))
        self._compact()
        return copy.deepcopy(stored.data)

    def _compact(self) -> None:
        if len(self._log) > 2 * len(self._subs) + 64:
            self._log = [(s, i) for s, i in self._log if self._subs[i].seq == s]
