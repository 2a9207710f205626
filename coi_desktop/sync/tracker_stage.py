"""The tracker stage of delivery: claims, assignments and decisions sent to the tracker.

Order per submission is the outbox's ``seq``: a round sends only the first pending item of
each submission, so a claim lands before the decision made after it. Calls go in chunks,
several chunks in flight, so one slow call (a timeout) does not hold up the others. Each
call returns its answer (an ``_Answer``); this thread stores a chunk's answers in one short
transaction as the chunk completes, so a crash loses at most the answers of one chunk — and
every call is safe to repeat (the Idempotency-Key).
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coi_desktop.database import Database
from coi_desktop.ingest import IngestError, upsert_submission
from coi_desktop.logs import log_file_in_use
from coi_desktop.models import Decision, OutboxItem, Submission, User
from coi_desktop.review.decisions import decision_body
from coi_desktop.sync import outbox, refusals
from coi_desktop.sync.outbox import Backoff, Tally
from coi_desktop.sync.tracker import TrackerClient
from coi_desktop.sync.transport import AuthRequired, Reply, RetryLater

log = logging.getLogger(__name__)

MARK_CHUNK = 50
CHUNKS_AHEAD = 8  # chunks queued beyond the one being collected


@dataclass(frozen=True)
class _Work:
    """One tracker call to make, read from the store before sending."""

    seq: int
    id: str
    kind: str
    submission_id: str
    payload: dict[str, Any]
    body: dict[str, Any] | None = None  # a decision's body, as the tracker takes it


@dataclass(frozen=True)
class _Answer:
    """What one call came to: an answer, a wait, a refusal of our credentials, or not sent."""

    work: _Work
    reply: Reply | None = None
    retry: RetryLater | None = None
    stopped: str | None = None  # the tracker wants us to sign in again


class TrackerStage:
    def __init__(
        self,
        database: Database,
        tracker: TrackerClient,
        *,
        backoff: Backoff,
        clock: Callable[[], datetime],
        rng: random.Random,
        workers: int,
    ) -> None:
        self.database = database
        self.tracker = tracker
        self.backoff = backoff
        self.clock = clock
        self.rng = rng
        self.workers = workers  # calls in flight at once

    def run(self) -> Tally:
        """Round after round while rounds make progress and the tracker is there."""
        tally = Tally()
        while True:
            eligible = self._eligible()
            if not eligible:
                return tally
            done, progressed, halted = self._send_eligible(eligible)
            tally += done
            if tally.stopped or halted or not progressed:
                return tally

    def _eligible(self) -> list[int]:
        """The first pending tracker-stage item of each submission, if it is due."""
        now = self.clock()
        with self.database.session() as session:
            rows = session.execute(
                select(OutboxItem.seq, OutboxItem.submission_id, OutboxItem.next_attempt_at)
                .where(OutboxItem.state == "pending", OutboxItem.stage == "tracker")
                .order_by(OutboxItem.seq)
            ).all()
        seen: set[str] = set()
        eligible = []
        for seq, sub_id, next_at in rows:
            if sub_id in seen:
                continue
            seen.add(sub_id)
            if next_at is None or next_at <= now:
                eligible.append(int(seq))
        return eligible

    def _send_eligible(self, eligible: list[int]) -> tuple[Tally, bool, bool]:
        """One round: its tally, whether any call got an answer, whether the tracker is away
        (offline, a long wait asked, or our credentials refused)."""
        # Set by the call that finds the tracker away; calls not yet sent then stay due.
        halt = threading.Event()
        tally = Tally()
        progressed = False
        queued: deque[list[Future[_Answer]]] = deque()
        with ThreadPoolExecutor(
            max_workers=max(1, self.workers), thread_name_prefix="coi-sync-send"
        ) as pool:
            for start in range(0, len(eligible), MARK_CHUNK):
                if halt.is_set():
                    break
                works = self._prepare_chunk(eligible[start : start + MARK_CHUNK])
                queued.append([pool.submit(self._send_one, work, halt) for work in works])
                while len(queued) > CHUNKS_AHEAD:
                    done, answered = self._collect(queued.popleft())
                    tally, progressed = tally + done, progressed or answered
            while queued:
                done, answered = self._collect(queued.popleft())
                tally, progressed = tally + done, progressed or answered
        return tally, progressed, halt.is_set()

    def _send_one(self, work: _Work, halt: threading.Event) -> _Answer:
        if halt.is_set():
            return _Answer(work)  # not sent: the target is away; stays due
        try:
            return _Answer(work, reply=self._send(work))
        except RetryLater as exc:
            if exc.target_away:
                halt.set()
            return _Answer(work, retry=exc)
        except AuthRequired as exc:
            halt.set()
            return _Answer(work, stopped=str(exc))

    def _collect(self, futures: list[Future[_Answer]]) -> tuple[Tally, bool]:
        answers = [future.result() for future in futures]
        seen = Tally(
            offline=any(a.retry is not None and a.retry.offline for a in answers),
            stopped=next((a.stopped for a in answers if a.stopped), None),
        )
        return seen + self._store(answers), any(a.reply is not None for a in answers)

    def _prepare_chunk(self, seqs: list[int]) -> list[_Work]:
        """Count the attempt before sending (undo is refused from here on) and read bodies."""
        now = self.clock()
        works = []
        with self.database.session() as session:
            outbox.mark_attempted(session, seqs, now)
            rows = session.scalars(
                select(OutboxItem)
                .where(OutboxItem.seq.in_(seqs), OutboxItem.state == "pending")
                .order_by(OutboxItem.seq)
            ).all()
            decision_ids = [r.decision_id for r in rows if r.decision_id]
            decisions = {
                d.id: d
                for d in session.scalars(select(Decision).where(Decision.id.in_(decision_ids)))
            }
            for row in rows:
                if row.kind == "claim" and "version_before" not in row.payload:
                    # The version before our claim: when the claim lands it becomes v+1, and
                    # the decision made on v must then say v+1 (its own claim included).
                    sub = session.get(Submission, row.submission_id)
                    if sub is not None:
                        row.payload = {**row.payload, "version_before": sub.version}
                body = None
                if row.kind == "decision":
                    decision = decisions.get(row.decision_id or "")
                    if decision is None:
                        outbox.settle(row, "failed", refusals.decision_missing(), self.clock())
                        continue
                    body = decision_body(decision)
                works.append(
                    _Work(row.seq, row.id, row.kind, row.submission_id, dict(row.payload), body)
                )
        return works

    def _send(self, work: _Work) -> Reply:
        if work.kind == "claim":
            return self.tracker.claim(work.submission_id)
        if work.kind == "assign":
            return self.tracker.assign(work.submission_id, work.payload.get("user_id"))
        if work.kind == "decision" and work.body is not None:
            return self.tracker.decide(
                work.submission_id, work.id, int(work.payload["if_match"]), work.body
            )
        return Reply(0, {"error": f"unknown outbox item kind {work.kind!r}"}, {})

    def _store(self, answers: list[_Answer]) -> Tally:
        if not answers:
            return Tally()
        now = self.clock()
        delivered = retrying = needs_person = 0
        with self.database.session() as session:
            rows = {
                r.seq: r
                for r in session.scalars(
                    select(OutboxItem).where(OutboxItem.seq.in_([a.work.seq for a in answers]))
                )
            }
            for answer in answers:
                row = rows.get(answer.work.seq)
                if row is None or row.state != "pending":
                    continue
                if answer.retry is not None:
                    outbox.schedule_retry(row, answer.retry, now, self.backoff, self.rng)
                    retrying += 1
                    continue
                if answer.reply is None:
                    continue  # never sent (the pass stopped first): still due
                outcome = self._judge(session, row, answer.reply, now, answer.work.body)
                if outcome == "delivered":
                    delivered += 1
                elif outcome in outbox.WAITING_FOR_PERSON:
                    needs_person += 1
        return Tally(delivered=delivered, retrying=retrying, needs_person=needs_person)

    def _judge(
        self,
        session: Session,
        row: OutboxItem,
        reply: Reply,
        now: datetime,
        sent: dict[str, Any] | None = None,
    ) -> str:
        ok = reply.status == 201 or reply.status == 200
        body = reply.body if isinstance(reply.body, dict) else {}
        if row.kind == "decision" and ok:
            # Procore next. The tracker's copy comes back through the next pull.
            row.stage = "procore"
            row.next_attempt_at = now
            row.last_error = None
            row.updated_at = now
            return "tracker-done"
        if row.kind in ("claim", "assign") and reply.status == 200:
            before = row.payload.get("version_before")
            mine = body.get("assigned_to") == row.payload.get("user_id")
            if (
                row.kind == "claim"
                and isinstance(before, int)
                and mine
                and body.get("version") == before + 1
            ):
                _bump_if_match(session, row.submission_id, before, before + 1)
            outbox.settle(row, "delivered", None, self.clock(), stage="done")
            return "delivered"
        state, message = _refusal(session, row, reply, refusals.item_word(row.kind), sent)
        outbox.settle(row, state, message, self.clock())
        return state


def _bump_if_match(session: Session, submission_id: str, old: int, new: int) -> None:
    """Our own claim moved the version; decisions made on the old one follow it, and so
    does the local copy: a decision recorded before the next pull stores it would
    otherwise carry the old version and be refused as a conflict of our own making."""
    sub = session.get(Submission, submission_id)
    if sub is not None and sub.version == old:
        sub.version = new
    later_items = session.scalars(
        select(OutboxItem).where(
            OutboxItem.submission_id == submission_id,
            OutboxItem.kind == "decision",
            OutboxItem.state == "pending",
            OutboxItem.stage == "tracker",
        )
    )
    for pending in later_items:
        if pending.payload.get("if_match") == old:
            pending.payload = {**pending.payload, "if_match": new}


def _refusal(
    session: Session, row: OutboxItem, reply: Reply, what: str, body: Any = None
) -> tuple[str, str]:
    """A sentence for the panel, and ``conflict`` or ``failed``; the local copy is kept.
    The facts are looked up here; the words are ``refusals``'."""
    sub_id = row.submission_id
    reason = reply.error_text()
    if reply.status == 409:
        current = reply.body if isinstance(reply.body, dict) else None
        if current is not None and current.get("id") == sub_id:
            _ingest(session, current)
        holder = current.get("assigned_to") if current is not None else None
        user = session.get(User, holder) if isinstance(holder, str) else None
        me = body.get("decided_by") if isinstance(body, dict) else row.payload.get("user_id")
        sender = session.get(User, me) if isinstance(me, str) else None
        return "conflict", refusals.conflict(
            what,
            sub_id,
            current,
            me=me if isinstance(me, str) else None,
            holder_name=user.name if user is not None else None,
            lead=sender is not None and sender.role == "lead",
        )
    if reply.status == 422:
        refusal = refusals.invalid(
            what, sub_id, reason, refusals.invalid_fields(reply.body), log_file_in_use()
        )
        if refusal.our_bug:
            # Not the reviewer's to fix: keep what was sent and what came back for the fix.
            log.error(
                "tracker refused the %s on %s as invalid (422): sent %s; answer %s",
                what,
                sub_id,
                json.dumps(body, default=str),
                json.dumps(reply.body, default=str),
            )
        return refusal.state, refusal.message
    if reply.status == 403:
        return "failed", refusals.forbidden(what, sub_id, reason)
    if reply.status == 404:
        return "failed", refusals.unknown_submission(sub_id)
    return "failed", refusals.other(what, sub_id, reply.status, reason)


def _ingest(session: Session, data: Any) -> None:
    if not isinstance(data, dict):
        return
    try:
        with session.begin_nested():
            upsert_submission(session, data)
    except IngestError as exc:  # the answer is still an answer; the next pull fixes the row
        log.warning("could not store the tracker's copy of a submission: %s", exc)
