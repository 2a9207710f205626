"""The Procore stage of delivery: decisions the tracker took, as insurance records (one per
coverage line) and the commitment's compliance flag.

Records go in batches per vendor and level, several vendors at once; then each commitment's
flag. Every call in flight returns what it came to (a frozen ``_Push``); this thread merges
them, updates the ``ProcoreMemory`` and stores the outcomes in one transaction at the end of
the pass. Every call is safe to repeat (``origin_id`` upserts, the flag's last value wins).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from coi_desktop.database import Database
from coi_desktop.models import Decision, OutboxItem, Submission
from coi_desktop.sync import outbox, refusals
from coi_desktop.sync.outbox import Backoff, Tally
from coi_desktop.sync.procore import ProcoreClient, procore_error_text
from coi_desktop.sync.procore_existing import adopt
from coi_desktop.sync.procore_mapping import (
    DecisionFacts,
    ProcorePlan,
    SubmissionLinks,
    plan,
)
from coi_desktop.sync.procore_memory import (
    DEFAULT_KIND,
    FLAG_RECHECK,
    ProcoreMemory,
    listed_key,
)
from coi_desktop.sync.refusals import Target
from coi_desktop.sync.transport import (
    AuthRequired,
    NotConfigured,
    Reply,
    RetryLater,
)

PROCORE_BATCH = 1000  # the sync endpoint's limit per call
RECORDS_DONE = "procore_records_done"
_T = TypeVar("_T")
_W = TypeVar("_W")
Planned = tuple[OutboxItem, ProcorePlan]


@dataclass(frozen=True)
class _Outcome:
    """What became of one item in this pass."""

    state: str  # delivered | failed | conflict | retry
    text: str | None = None
    retry: RetryLater | None = None


@dataclass(frozen=True)
class _Push:
    """What one call to Procore (a batch of records, one commitment's flag) came to."""

    outcomes: tuple[tuple[int, _Outcome], ...] = ()  # (seq, outcome)
    records_ok: frozenset[int] = frozenset()  # seqs whose records Procore took
    requests: int = 0
    records: int = 0
    offline: bool = False
    halt: bool = False  # Procore is away or asked for a long wait: the rest waits
    stopped: str | None = None  # sign in again, or set up
    listed: str | None = None  # a vendor's records now matched (``ProcoreMemory.listed``)
    flag_taken: int | None = None  # the company whose commitment flag Procore took
    flag_refused: tuple[int, str, tuple[int, ...]] | None = None  # company, reason, seqs


def _retry(members: Sequence[Planned], exc: RetryLater, requests: int) -> _Push:
    return _Push(
        outcomes=tuple((item.seq, _Outcome("retry", retry=exc)) for item, _ in members),
        requests=requests,
        offline=exc.offline,
        halt=exc.target_away,
    )


def flag_unavailable(reply: Reply) -> bool:
    """Whether a refused commitment flag means "this company has no such flag" (Procore Pay's
    'Insurance Compliant' requirement off) rather than a mistake in what we sent.

    Procore does not document this refusal's exact shape. We take a 422 that names none of
    the fields we sent, or a 403 that speaks of Pay, payments or compliance being off."""
    text = procore_error_text(reply.body).lower()
    if reply.status == 422:
        errors = reply.body.get("errors") if isinstance(reply.body, dict) else None
        return not (
            isinstance(errors, dict) and {"insurance_status", "insurance_notes"} & set(errors)
        )
    if reply.status == 403:
        return any(
            word in text
            for word in ("procore pay", "payment", "not enabled", "compliance is disabled")
        )
    return False


def _record_error(error: dict[str, Any]) -> str:
    fields = error.get("errors")
    reason = procore_error_text({"errors": fields}) if fields else ""
    what = " ".join(str(error[k]) for k in ("insurance_type", "policy_number") if error.get(k))
    return refusals.record_refused(what, reason)


def _batches(todo: list[Planned]) -> list[tuple[int, str, list[Planned]]]:
    """Records not yet taken, by vendor and level, at most ``PROCORE_BATCH`` to a call."""
    groups: dict[tuple[int, str], list[Planned]] = {}
    for item, p in todo:
        if p.records and not item.payload.get(RECORDS_DONE):
            groups.setdefault(p.batch_key, []).append((item, p))
    batches: list[tuple[int, str, list[Planned]]] = []
    for (company_id, path), members in groups.items():
        batch: list[Planned] = []
        count = 0
        for member in members:
            if batch and count + len(member[1].records) > PROCORE_BATCH:
                batches.append((company_id, path, batch))
                batch, count = [], 0
            batch.append(member)
            count += len(member[1].records)
        if batch:
            batches.append((company_id, path, batch))
    return batches


def _each(
    fn: Callable[[_W], _T], works: list[_W], workers: int
) -> tuple[list[_T], Exception | None]:
    """``fn`` over ``works``, several at once: every result that came, and the first error
    (a bug, an answer too large to read), which the caller raises once it has stored them."""
    if workers <= 1 or len(works) <= 1:
        results: list[_T] = []
        for work in works:
            try:
                results.append(fn(work))
            except Exception as exc:
                return results, exc
        return results, None
    with ThreadPoolExecutor(
        max_workers=min(workers, len(works)), thread_name_prefix="coi-sync-send"
    ) as pool:
        futures = [pool.submit(fn, work) for work in works]
    errors = [e for e in (f.exception() for f in futures) if isinstance(e, Exception)]
    done = [f.result() for f in futures if f.exception() is None]
    return done, errors[0] if errors else None


class ProcoreStage:
    def __init__(
        self,
        database: Database,
        procore: ProcoreClient | None,
        *,
        backoff: Backoff,
        clock: Callable[[], datetime],
        rng: random.Random,
        workers: int,
        procore_problem: str | None,
        procore_notifications: Callable[[int], bool],
    ) -> None:
        self.database = database
        self.procore = procore
        self.backoff = backoff
        self.clock = clock
        self.rng = rng
        self.workers = workers
        self.procore_problem = procore_problem  # why there is no Procore client, if none
        # Per Procore company: may Procore e-mail vendors about expired insurance.
        self.procore_notifications = procore_notifications

    def run(self) -> Tally:
        now = self.clock()
        with self.database.session() as session:
            memory = ProcoreMemory.load(session, now)
            items = [
                i
                for i in outbox.pending_items(session, "procore", limit=5000)
                if outbox.is_due(i, now)
            ]
            plans = self._plans(session, items)
            skipped = [(i, p) for i, p in plans if p.skipped]
            for item, p in skipped:
                why = refusals.not_sent_to_procore(p.skipped or "")
                outbox.settle(item, "delivered", why, self.clock(), stage="done")
        tally = Tally(delivered=len(skipped))
        todo = [(i, p) for i, p in plans if not p.skipped]
        if not todo:
            return tally
        if self.procore is None:
            return tally + Tally(stopped=self.procore_problem or "Procore is not set up.")
        pushes: list[_Push] = []
        error: Exception | None = None
        try:
            done, error = _each(self._sync_batch, self._batch_jobs(todo, memory), self.workers)
            pushes += done
            if error is None and not any(p.halt or p.stopped for p in done):
                done, error = self._push_commitments(todo, memory, done)
                pushes += done
        finally:
            tally += self._store(todo, memory, pushes)
        if error is not None:
            raise error
        return tally

    def _plans(self, session: Session, items: list[OutboxItem]) -> list[Planned]:
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

    # ---------------------------------------------------------------- insurance records

    @staticmethod
    def _batch_jobs(
        todo: list[Planned], memory: ProcoreMemory
    ) -> list[tuple[int, str, list[Planned], bool]]:
        """Different vendors' batches are independent: several go at once. Each job carries
        whether that vendor's existing records were matched already."""
        return [
            (company_id, path, batch, listed_key(company_id, path) in memory.listed)
            for company_id, path, batch in _batches(todo)
        ]

    def _sync_batch(self, job: tuple[int, str, list[Planned], bool]) -> _Push:
        assert self.procore is not None
        company_id, path, batch, matched = job
        updates: dict[str, dict[str, Any]] = {}
        owners: dict[str, list[int]] = {}
        for item, p in batch:  # seq order: a later decision's record replaces an earlier one
            for record in p.records:
                updates[record["origin_id"]] = record
                owners.setdefault(record["origin_id"], []).append(item.seq)
        first = batch[0][1]
        target = Target(company_id, first.vendor, first.project)
        key = listed_key(company_id, path)
        requests = 0
        listed: str | None = None
        try:
            records = list(updates.values())
            if not matched:
                # First push for this vendor here: adopt what a person typed for the same
                # policy instead of adding a second record beside it.
                requests += 1
                existing, refused = self.procore.list_insurances(company_id, path)
                if refused is not None:
                    return self._refuse(
                        batch, refused, "the insurance records", "records", target, requests
                    )
                records = adopt(records, existing)
                if not any("id" in r for r in records):
                    # Nothing typed to adopt: a retry of this batch can go by origin_id alone.
                    listed = key
            requests += 1
            reply = self.procore.sync_insurances(company_id, path, records)
        except RetryLater as exc:
            return replace(_retry(batch, exc, requests), listed=listed)
        except (AuthRequired, NotConfigured) as exc:
            return _Push(requests=requests, stopped=str(exc), listed=listed)
        if reply.status != 200 or not isinstance(reply.body, dict):
            refused_push = self._refuse(
                batch, reply, "the insurance records", "records", target, requests
            )
            return replace(refused_push, listed=listed)
        failures: dict[int, list[str]] = {}
        for error in reply.body.get("errors") or []:
            if not isinstance(error, dict):
                continue
            text = _record_error(error)
            for seq in owners.get(str(error.get("origin_id")), [i.seq for i, _ in batch]):
                failures.setdefault(seq, []).append(text)
        return _Push(
            outcomes=tuple(
                (seq, _Outcome("failed", refusals.records_refused(texts)))
                for seq, texts in failures.items()
            ),
            records_ok=frozenset(item.seq for item, _ in batch if item.seq not in failures),
            requests=requests,
            records=len(updates),
            listed=key,
        )

    def _refuse(
        self,
        members: Sequence[Planned],
        reply: Reply,
        what: str,
        kind: str,
        target: Target,
        requests: int,
    ) -> _Push:
        assert self.procore is not None
        account = self.procore.account(target.company_id) if reply.status == 403 else ""
        refusal = refusals.procore_refusal(
            reply.status, procore_error_text(reply.body), what, kind, target, account
        )
        outcome = _Outcome(refusal.state, refusal.message)
        return _Push(outcomes=tuple((item.seq, outcome) for item, _ in members), requests=requests)

    # ---------------------------------------------------------------- commitment flags

    def _push_commitments(
        self, todo: list[Planned], memory: ProcoreMemory, records: list[_Push]
    ) -> tuple[list[_Push], Exception | None]:
        """The flag of each commitment whose decisions' records are in Procore."""
        settled = {seq for push in records for seq, _ in push.outcomes}
        records_ok = {seq for push in records for seq in push.records_ok}
        early: list[tuple[int, _Outcome]] = []
        ready: dict[tuple[int, int, int], list[Planned]] = {}
        for item, p in todo:
            if item.seq in settled:
                continue  # its records failed or wait for a retry
            if p.records and not (item.seq in records_ok or item.payload.get(RECORDS_DONE)):
                continue
            if p.commitment is None:
                early.append((item.seq, _Outcome("delivered")))
                continue
            if p.company_id in memory.flag_refused:
                note = refusals.flag_note(p.company_id, "", False, FLAG_RECHECK.days)
                early.append((item.seq, _Outcome("delivered", note)))
                continue
            c = p.commitment
            ready.setdefault((p.company_id, c.project_id, c.commitment_id), []).append((item, p))
        learned, unknown = self._learn_kinds(ready.keys(), memory)
        for key in [k for k in ready if (k[0], k[1]) in unknown]:
            for item, _ in ready.pop(key):  # the kind decides the URL: ask again later
                early.append((item.seq, _Outcome("retry", retry=unknown[(key[0], key[1])])))
        pushes = [_Push(outcomes=tuple(early)), learned]
        if learned.stopped:
            return pushes, None
        jobs = [
            (key, members, memory.kinds.get((key[0], key[2]), DEFAULT_KIND))
            for key, members in ready.items()
        ]
        flags, error = _each(self._push_flag, jobs, self.workers)
        return pushes + flags, error

    def _push_flag(self, job: tuple[tuple[int, int, int], list[Planned], str]) -> _Push:
        assert self.procore is not None
        (company_id, project_id, commitment_id), members, kind = job
        # Several decisions on one subcontract in a pass: the latest one's flag is the truth.
        latest = members[-1][1].commitment
        assert latest is not None
        try:
            reply = self.procore.update_compliance(
                company_id, project_id, commitment_id, latest.body, kind=kind
            )
        except RetryLater as exc:
            return _retry(members, exc, requests=1)
        except (AuthRequired, NotConfigured) as exc:
            return _Push(requests=1, stopped=str(exc))
        seqs = tuple(item.seq for item, _ in members)
        if reply.status == 200:
            delivered = tuple((seq, _Outcome("delivered")) for seq in seqs)
            return _Push(outcomes=delivered, requests=1, flag_taken=company_id)
        if flag_unavailable(reply):
            reason = procore_error_text(reply.body)
            return _Push(requests=1, flag_refused=(company_id, reason, seqs))
        what = refusals.commitment_status(commitment_id, kind == "purchase_order_contracts")
        target = Target(company_id, members[0][1].vendor, members[0][1].project)
        return self._refuse(members, reply, what, "commitment", target, requests=1)

    def _learn_kinds(
        self, wanted: Iterable[tuple[int, int, int]], memory: ProcoreMemory
    ) -> tuple[_Push, dict[tuple[int, int], RetryLater]]:
        """Subcontract or purchase order: each lives under its own URL. Ask Procore's
        listings once per project for commitments whose kind is not known yet; returns the
        (company, project) pairs whose listings could not be read this time."""
        assert self.procore is not None
        unknown: dict[tuple[int, int], RetryLater] = {}
        before = self.procore.requests_sent
        offline = False
        try:
            for company_id, project_id in sorted(memory.pending_kinds(wanted)):
                try:
                    kinds = self.procore.commitment_kinds(company_id, project_id)
                except RetryLater as exc:
                    offline = offline or exc.offline
                    unknown[(company_id, project_id)] = exc
                    continue
                memory.remember_kinds(company_id, kinds)
        except (AuthRequired, NotConfigured) as exc:
            sent = self.procore.requests_sent - before
            return _Push(requests=sent, offline=offline, stopped=str(exc)), unknown
        return _Push(requests=self.procore.requests_sent - before, offline=offline), unknown

    # ---------------------------------------------------------------- storing the pass

    def _store(self, todo: list[Planned], memory: ProcoreMemory, pushes: list[_Push]) -> Tally:
        now = self.clock()
        tally = Tally()
        outcomes: dict[int, _Outcome] = {}
        records_ok: set[int] = set()
        for push in pushes:
            tally += Tally(
                offline=push.offline,
                stopped=push.stopped,
                procore_requests=push.requests,
                procore_records=push.records,
            )
            outcomes.update(push.outcomes)
            records_ok |= push.records_ok
            if push.listed is not None:
                memory.mark_listed(push.listed, now)
            if push.flag_taken is not None:
                memory.flag_works(push.flag_taken)
            if push.flag_refused is not None:
                company_id, reason, seqs = push.flag_refused
                first = memory.refuse_flag(company_id, reason, now)
                for n, seq in enumerate(seqs):
                    note = refusals.flag_note(
                        company_id, reason, first and n == 0, FLAG_RECHECK.days
                    )
                    outcomes[seq] = _Outcome("delivered", note)
        delivered = retrying = needs_person = 0
        with self.database.session() as session:
            memory.save(session)
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
                    outbox.schedule_retry(row, outcome.retry, now, self.backoff, self.rng)
                    retrying += 1
                elif outcome.state == "delivered":
                    outbox.settle(row, "delivered", outcome.text, self.clock(), stage="done")
                    delivered += 1
                else:
                    outbox.settle(row, outcome.state, outcome.text, self.clock())
                    needs_person += 1
        return tally + Tally(delivered=delivered, retrying=retrying, needs_person=needs_person)
