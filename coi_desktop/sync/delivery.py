"""Outbound delivery: outbox items to the tracker, then decisions to Procore.

Order per submission is the outbox's ``seq``: a claim goes before the decision made after
it. Each answer is stored in its own short transaction right after it arrives, so a crash
loses at most the answer to one call — and every call is safe to repeat (Idempotency-Key
on the tracker, ``origin_id`` upserts on Procore).
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from coi_desktop.database import Database
from coi_desktop.ingest import IngestError, upsert_submission
from coi_desktop.logs import log_file_in_use
from coi_desktop.models import Decision, OutboxItem, Submission, User, utcnow
from coi_desktop.review.decisions import decision_body
from coi_desktop.sync import outbox, procore_stage, refusals
from coi_desktop.sync.procore import ProcoreClient, procore_error_text
from coi_desktop.sync.procore_existing import adopt
from coi_desktop.sync.procore_mapping import (
    DecisionFacts,
    ProcorePlan,
    SubmissionLinks,
    plan,
)
from coi_desktop.sync.procore_stage import DEFAULT_KIND, ProcoreMemory, Target
from coi_desktop.sync.tracker import TrackerClient
from coi_desktop.sync.transport import (
    MAX_INLINE_WAIT,
    AuthRequired,
    NotConfigured,
    Reply,
    RetryLater,
)

log = logging.getLogger(__name__)

MARK_CHUNK = 50
CHUNKS_AHEAD = 8  # chunks queued beyond the one being collected
_T = TypeVar("_T")
_W = TypeVar("_W")
PROCORE_BATCH = 1000  # the sync endpoint's limit per call
RECORDS_DONE = "procore_records_done"


@dataclass(frozen=True)
class Backoff:
    base: float = 2.0
    cap: float = 900.0

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        return outbox.backoff_delay(attempts, self.base, self.cap, rng)


@dataclass
class DeliveryResult:
    delivered: int = 0
    retrying: int = 0
    needs_person: int = 0
    offline: bool = False
    stopped: dict[str, str] = field(default_factory=dict)  # target → why (sign in, not set up)
    procore_requests: int = 0
    procore_records: int = 0


class _Halt(Exception):
    """Procore is unreachable or asked for a long wait: leave the rest for the next pass."""


@dataclass
class _Work:
    """One tracker call to make, read from the store before sending."""

    seq: int
    id: str
    kind: str
    submission_id: str
    payload: dict[str, Any]
    body: dict[str, Any] | None = None


@dataclass
class _Answer:
    work: _Work
    reply: Reply | None = None
    retry: RetryLater | None = None


@dataclass
class _Outcome:
    """What became of one Procore-stage item in this pass."""

    state: str  # delivered | failed | conflict | retry
    text: str | None = None
    retry: RetryLater | None = None


class Outbound:
    """One outbound pass. Answers are written in one transaction per chunk of calls: a crash
    in between re-sends those calls, which every endpoint here makes harmless."""

    def __init__(
        self,
        database: Database,
        tracker: TrackerClient | None,
        procore: ProcoreClient | None,
        *,
        backoff: Backoff | None = None,
        clock: Callable[[], datetime] = utcnow,
        procore_problem: str | None = None,
        rng: random.Random | None = None,
        workers: int = 8,
        procore_notifications: Callable[[int], bool] | None = None,
    ) -> None:
        self.database = database
        self.tracker = tracker
        self.procore = procore
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.procore_problem = procore_problem  # why there is no Procore client, if none
        self.rng = rng or random.Random()
        self.workers = workers  # calls in flight at once
        self._lock = threading.Lock()
        self._halted = False
        # Per Procore company: may Procore e-mail vendors about expired insurance (off unless set).
        self.procore_notifications = procore_notifications or (lambda _company: False)
        self._memory = ProcoreMemory()

    def run(self, result: DeliveryResult) -> None:
        if self.tracker is not None:
            self._tracker_stage(result)
        self._procore_stage(result)

    # ------------------------------------------------------------------ tracker stage

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

    def _tracker_stage(self, result: DeliveryResult) -> None:
        while True:
            eligible = self._eligible()
            if not eligible:
                return
            progressed = self._send_eligible(eligible, result)
            if result.stopped.get("tracker") or self._halted:
                return
            if not progressed:
                return

    def _send_eligible(self, eligible: list[int], result: DeliveryResult) -> bool:
        """Send in chunks with several chunks queued at once, so one slow call (a timeout)
        does not hold up the others; each chunk's answers are stored as it completes."""
        self._halted = False
        progressed = False
        queued: deque[list[Future[_Answer | AuthRequired]]] = deque()
        with ThreadPoolExecutor(
            max_workers=max(1, self.workers), thread_name_prefix="coi-sync-send"
        ) as pool:
            for start in range(0, len(eligible), MARK_CHUNK):
                if self._halted:
                    break
                works = self._prepare_chunk(eligible[start : start + MARK_CHUNK])
                queued.append([pool.submit(self._send_one, work) for work in works])
                while len(queued) > CHUNKS_AHEAD:
                    progressed |= self._collect(queued.popleft(), result)
            while queued:
                progressed |= self._collect(queued.popleft(), result)
        return progressed

    def _send_one(self, work: _Work) -> _Answer | AuthRequired:
        if self._halted:
            return _Answer(work)  # not sent: the target is away; stays due
        try:
            return _Answer(work, reply=self._send(work))
        except RetryLater as exc:
            if exc.offline or (exc.after or 0) > MAX_INLINE_WAIT:
                self._halted = True  # the whole target is away or asked us to hold off
            return _Answer(work, retry=exc)
        except AuthRequired as exc:
            self._halted = True
            return exc

    def _collect(
        self, futures: list[Future[_Answer | AuthRequired]], result: DeliveryResult
    ) -> bool:
        answers: list[_Answer] = []
        for future in futures:
            outcome = future.result()
            if isinstance(outcome, AuthRequired):
                result.stopped["tracker"] = str(outcome)
                continue
            if outcome.retry is not None and outcome.retry.offline:
                result.offline = True
            answers.append(outcome)
        self._apply(answers, result)
        return any(a.reply is not None for a in answers)

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
                work = _Work(row.seq, row.id, row.kind, row.submission_id, dict(row.payload))
                if row.kind == "decision":
                    decision = decisions.get(row.decision_id or "")
                    if decision is None:
                        self._settle(
                            session,
                            row,
                            "failed",
                            "The decision of this item is missing from the local store.",
                        )
                        continue
                    work.body = decision_body(decision)
                works.append(work)
        return works

    def _parallel(self, fn: Callable[[_W], _T], works: list[_W]) -> list[_T]:
        if self.workers <= 1 or len(works) <= 1:
            return [fn(w) for w in works]
        with ThreadPoolExecutor(
            max_workers=min(self.workers, len(works)), thread_name_prefix="coi-sync-send"
        ) as pool:
            return list(pool.map(fn, works))

    def _send(self, work: _Work) -> Reply:
        assert self.tracker is not None
        if work.kind == "claim":
            return self.tracker.claim(work.submission_id)
        if work.kind == "assign":
            return self.tracker.assign(work.submission_id, work.payload.get("user_id"))
        if work.kind == "decision" and work.body is not None:
            return self.tracker.decide(
                work.submission_id, work.id, int(work.payload["if_match"]), work.body
            )
        return Reply(0, {"error": f"unknown outbox item kind {work.kind!r}"}, {})

    def _apply(self, answers: list[_Answer], result: DeliveryResult) -> None:
        if not answers:
            return
        now = self.clock()
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
                    self._schedule_retry(row, answer.retry, result, now)
                    continue
                if answer.reply is None:
                    continue  # never sent (the pass stopped first): still due
                assert answer.reply is not None
                outcome = self._judge(session, row, answer.reply, now, answer.work.body)
                if outcome == "delivered":
                    result.delivered += 1
                elif outcome in outbox.WAITING_FOR_PERSON:
                    result.needs_person += 1

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
                self._bump_if_match(session, row.submission_id, before, before + 1)
            self._settle(session, row, "delivered", None, stage="done")
            return "delivered"
        what = {"claim": "claim", "assign": "assignment"}.get(row.kind, "decision")
        state, message = self._refusal(session, row, reply, what, body=sent)
        self._settle(session, row, state, message)
        return state

    @staticmethod
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
        self, session: Session, row: OutboxItem, reply: Reply, what: str, body: Any = None
    ) -> tuple[str, str]:
        """A sentence for the panel, and ``conflict`` or ``failed``; the local copy is kept."""
        sub_id = row.submission_id
        reason = reply.error_text()
        if reply.status == 409:
            current = reply.body if isinstance(reply.body, dict) else None
            if current is not None and current.get("id") == sub_id:
                self._ingest(session, current)
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

    @staticmethod
    def _ingest(session: Session, data: Any) -> None:
        if not isinstance(data, dict):
            return
        try:
            with session.begin_nested():
                upsert_submission(session, data)
        except IngestError as exc:  # the answer is still an answer; the next pull fixes the row
            log.warning("could not store the tracker's copy of a submission: %s", exc)

    def _settle(
        self,
        session: Session,
        row: OutboxItem,
        state: str,
        message: str | None,
        *,
        stage: str | None = None,
    ) -> None:
        if row.state != "pending":
            return
        now = self.clock()
        row.state = state
        row.last_error = message
        row.updated_at = now
        if stage is not None:
            row.stage = stage
        if state == "delivered":
            row.delivered_at = now

    def _schedule_retry(
        self, row: OutboxItem, exc: RetryLater, result: DeliveryResult, now: datetime
    ) -> None:
        result.retrying += 1
        wait = max(self.backoff.delay(max(row.attempts, 1), self.rng), exc.after or 0.0)
        row.next_attempt_at = outbox.later(now, wait)
        row.last_error = f"Will retry: {exc}"
        row.updated_at = now

    # ------------------------------------------------------------------ Procore stage

    def _procore_stage(self, result: DeliveryResult) -> None:
        now = self.clock()
        outcomes: dict[int, _Outcome] = {}
        records_ok: set[int] = set()
        with self.database.session() as session:
            self._memory = ProcoreMemory.load(session, now)
            items = [
                i
                for i in outbox.pending_items(session, "procore", limit=5000)
                if outbox.is_due(i, now)
            ]
            plans = self._plans(session, items)
            for item, p in plans:
                if p.skipped:
                    self._settle(
                        session,
                        item,
                        "delivered",
                        f"Not sent to Procore: {p.skipped}.",
                        stage="done",
                    )
                    result.delivered += 1
        todo = [(i, p) for i, p in plans if not p.skipped]
        if not todo:
            return
        if self.procore is None:
            result.stopped["procore"] = self.procore_problem or "Procore is not set up."
            return
        try:
            self._push_records(todo, outcomes, records_ok, result)
            self._push_commitments(todo, outcomes, records_ok, result)
        except (AuthRequired, NotConfigured) as exc:
            result.stopped["procore"] = str(exc)
        except _Halt:
            pass
        finally:
            self._apply_procore(todo, outcomes, records_ok, result)

    def _plans(
        self, session: Session, items: list[OutboxItem]
    ) -> list[tuple[OutboxItem, ProcorePlan]]:
        decisions = {
            d.id: d
            for d in session.scalars(
                select(Decision).where(
                    Decision.id.in_([i.decision_id for i in items if i.decision_id])
                )
            )
        }
        subs = {
            s.id: s
            for s in session.scalars(
                select(Submission)
                .where(Submission.id.in_({i.submission_id for i in items}))
                .options(
                    selectinload(Submission.vendor),
                    selectinload(Submission.project),
                    selectinload(Submission.commitment),
                )
            )
        }
        plans = []
        for item in items:
            decision = decisions.get(item.decision_id or "")
            sub = subs.get(item.submission_id)
            if decision is None or sub is None:
                plans.append(
                    (item, ProcorePlan(skipped="the decision is no longer in the local store"))
                )
                continue
            links = SubmissionLinks(
                scope=sub.scope,
                company_id=sub.procore_company_id,
                vendor_id=sub.vendor.procore_vendor_id if sub.vendor else None,
                vendor_name=sub.vendor.name if sub.vendor else "",
                project_id=sub.project.procore_project_id if sub.project else None,
                commitment_id=sub.commitment.procore_commitment_id if sub.commitment else None,
                project_name=sub.project.name if sub.project else "",
            )
            facts = DecisionFacts(
                outcome=decision.outcome,
                note=decision.note,
                deficiencies=decision.deficiencies,
                policies=[p for p in decision.policies if isinstance(p, dict)],
                decided_on=decision.decided_at.date(),
            )
            notify = links.company_id is not None and self.procore_notifications(links.company_id)
            plans.append((item, plan(facts, links, notify_expired=notify)))
        return plans

    def _push_records(
        self,
        todo: list[tuple[OutboxItem, ProcorePlan]],
        outcomes: dict[int, _Outcome],
        records_ok: set[int],
        result: DeliveryResult,
    ) -> None:
        groups: dict[tuple[int, str], list[tuple[OutboxItem, ProcorePlan]]] = {}
        for item, p in todo:
            if p.records and not item.payload.get(RECORDS_DONE):
                groups.setdefault(p.batch_key, []).append((item, p))
        batches: list[tuple[int, str, list[tuple[OutboxItem, ProcorePlan]]]] = []
        for (company_id, path), members in groups.items():
            batch: list[tuple[OutboxItem, ProcorePlan]] = []
            count = 0
            for member in members:
                if batch and count + len(member[1].records) > PROCORE_BATCH:
                    batches.append((company_id, path, batch))
                    batch, count = [], 0
                batch.append(member)
                count += len(member[1].records)
            if batch:
                batches.append((company_id, path, batch))
        # Different vendors' batches are independent: several in flight at once.
        self._parallel(
            lambda b: self._sync_batch(b[0], b[1], b[2], outcomes, records_ok, result), batches
        )

    def _sync_batch(
        self,
        company_id: int,
        path: str,
        batch: list[tuple[OutboxItem, ProcorePlan]],
        outcomes: dict[int, _Outcome],
        records_ok: set[int],
        result: DeliveryResult,
    ) -> None:
        assert self.procore is not None
        updates: dict[str, dict[str, Any]] = {}
        owners: dict[str, list[int]] = {}
        for item, p in batch:  # seq order: a later decision's record replaces an earlier one
            for record in p.records:
                updates[record["origin_id"]] = record
                owners.setdefault(record["origin_id"], []).append(item.seq)
        first = batch[0][1]
        target = Target(company_id, first.vendor, first.project)
        listed = procore_stage.listed_key(company_id, path)
        try:
            records = list(updates.values())
            if listed not in self._memory.listed:
                # First push for this vendor here: adopt what a person typed for the same
                # policy instead of adding a second record beside it.
                self._count(result, requests=1)
                existing, refused = self.procore.list_insurances(company_id, path)
                if refused is not None:
                    self._refuse(
                        batch, outcomes, refused, "the insurance records", "records", target
                    )
                    return
                records = adopt(records, existing)
                if not any("id" in r for r in records):
                    # Nothing typed to adopt: a retry of this batch can go by origin_id alone.
                    with self._lock:
                        self._memory.mark_listed(listed, self.clock())
            self._count(result, requests=1)
            reply = self.procore.sync_insurances(company_id, path, records)
        except RetryLater as exc:
            result.offline = result.offline or exc.offline
            for item, _ in batch:
                outcomes[item.seq] = _Outcome("retry", retry=exc)
            if exc.offline or (exc.after or 0) > MAX_INLINE_WAIT:
                raise _Halt from exc
            return
        if reply.status != 200 or not isinstance(reply.body, dict):
            self._refuse(batch, outcomes, reply, "the insurance records", "records", target)
            return
        with self._lock:
            self._memory.mark_listed(listed, self.clock())
        self._count(result, records=len(updates))
        failures: dict[int, list[str]] = {}
        for error in reply.body.get("errors") or []:
            if not isinstance(error, dict):
                continue
            text = procore_stage.record_error(error)
            for seq in owners.get(str(error.get("origin_id")), [i.seq for i, _ in batch]):
                failures.setdefault(seq, []).append(text)
        for item, _ in batch:
            if item.seq in failures:
                outcomes[item.seq] = _Outcome(
                    "failed", "Procore refused " + "; ".join(failures[item.seq]) + "."
                )
            else:
                records_ok.add(item.seq)

    def _refuse(
        self,
        members: list[tuple[OutboxItem, ProcorePlan]],
        outcomes: dict[int, _Outcome],
        reply: Reply,
        what: str,
        kind: str,
        target: Target,
    ) -> None:
        assert self.procore is not None
        account = self.procore.account(target.company_id) if reply.status == 403 else ""
        state, text = procore_stage.refusal(reply, what, kind, target, account)
        for item, _ in members:
            outcomes[item.seq] = _Outcome(state, text)

    def _push_commitments(
        self,
        todo: list[tuple[OutboxItem, ProcorePlan]],
        outcomes: dict[int, _Outcome],
        records_ok: set[int],
        result: DeliveryResult,
    ) -> None:
        assert self.procore is not None
        ready: dict[tuple[int, int, int], list[tuple[OutboxItem, ProcorePlan]]] = {}
        for item, p in todo:
            if item.seq in outcomes:
                continue  # its records failed or wait for a retry
            if p.records and not (item.seq in records_ok or item.payload.get(RECORDS_DONE)):
                continue
            if p.commitment is None:
                outcomes[item.seq] = _Outcome("delivered")
                continue
            if p.company_id in self._memory.flag_refused:
                outcomes[item.seq] = _Outcome(
                    "delivered", procore_stage.flag_note(p.company_id, "", first=False)
                )
                continue
            c = p.commitment
            ready.setdefault((p.company_id, c.project_id, c.commitment_id), []).append((item, p))
        unknown = self._learn_kinds(ready.keys(), result)
        for key in [k for k in ready if (k[0], k[1]) in unknown]:
            for item, _ in ready.pop(key):  # the kind decides the URL: ask again later
                outcomes[item.seq] = _Outcome("retry", retry=unknown[(key[0], key[1])])

        def one(entry: tuple[tuple[int, int, int], list[tuple[OutboxItem, ProcorePlan]]]) -> None:
            (company_id, project_id, commitment_id), members = entry
            assert self.procore is not None
            # Several decisions on one subcontract in a pass: the latest one's flag is the truth.
            latest = members[-1][1].commitment
            assert latest is not None
            kind = self._memory.kinds.get((company_id, commitment_id), DEFAULT_KIND)
            try:
                self._count(result, requests=1)
                reply = self.procore.update_compliance(
                    company_id, project_id, commitment_id, latest.body, kind=kind
                )
            except RetryLater as exc:
                result.offline = result.offline or exc.offline
                for item, _ in members:
                    outcomes[item.seq] = _Outcome("retry", retry=exc)
                if exc.offline or (exc.after or 0) > MAX_INLINE_WAIT:
                    raise _Halt from exc
                return
            if reply.status == 200:
                with self._lock:
                    self._memory.flag_works(company_id)
                for item, _ in members:
                    outcomes[item.seq] = _Outcome("delivered")
            elif procore_stage.flag_unavailable(reply):
                reason = procore_error_text(reply.body)
                with self._lock:
                    first = self._memory.refuse_flag(company_id, reason, self.clock())
                for n, (item, _) in enumerate(members):
                    outcomes[item.seq] = _Outcome(
                        "delivered", procore_stage.flag_note(company_id, reason, first and n == 0)
                    )
            else:
                what = (
                    "the purchase order" if kind == "purchase_order_contracts" else "the commitment"
                ) + f" {commitment_id}'s insurance status"
                target = Target(company_id, members[0][1].vendor, members[0][1].project)
                self._refuse(members, outcomes, reply, what, "commitment", target)

        self._parallel(one, list(ready.items()))

    def _learn_kinds(
        self, wanted: Iterable[tuple[int, int, int]], result: DeliveryResult
    ) -> dict[tuple[int, int], RetryLater]:
        """Subcontract or purchase order: each lives under its own URL. Ask Procore's
        listings once per project for commitments whose kind is not known yet; returns the
        (company, project) pairs whose listings could not be read this time."""
        assert self.procore is not None
        unknown: dict[tuple[int, int], RetryLater] = {}
        for company_id, project_id in sorted(procore_stage.pending_kinds(self._memory, wanted)):
            before = self.procore.requests_sent
            try:
                kinds = self.procore.commitment_kinds(company_id, project_id)
            except RetryLater as exc:
                result.offline = result.offline or exc.offline
                unknown[(company_id, project_id)] = exc
                continue
            finally:
                self._count(result, requests=self.procore.requests_sent - before)
            self._memory.remember_kinds(company_id, kinds)
        return unknown

    def _count(self, result: DeliveryResult, *, requests: int = 0, records: int = 0) -> None:
        with self._lock:
            result.procore_requests += requests
            result.procore_records += records

    def _apply_procore(
        self,
        todo: list[tuple[OutboxItem, ProcorePlan]],
        outcomes: dict[int, _Outcome],
        records_ok: set[int],
        result: DeliveryResult,
    ) -> None:
        now = self.clock()
        with self.database.session() as session:
            self._memory.save(session)
            rows = {
                r.seq: r
                for r in session.scalars(
                    select(OutboxItem).where(OutboxItem.seq.in_([i.seq for i, _ in todo]))
                )
            }
            for item, _ in todo:
                row = rows.get(item.seq)
                if row is None or row.state != "pending":
                    continue
                if item.seq in records_ok and not row.payload.get(RECORDS_DONE):
                    row.payload = {**row.payload, RECORDS_DONE: True}
                outcome = outcomes.get(item.seq)
                if outcome is None:
                    continue  # not reached this pass (stopped): stays due
                row.attempts += 1
                if outcome.state == "retry":
                    assert outcome.retry is not None
                    self._schedule_retry(row, outcome.retry, result, now)
                elif outcome.state == "delivered":
                    self._settle(session, row, "delivered", outcome.text, stage="done")
                    result.delivered += 1
                else:
                    self._settle(session, row, outcome.state, outcome.text)
                    result.needs_person += 1
