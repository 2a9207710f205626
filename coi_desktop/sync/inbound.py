"""Inbound sync: changed submissions by cursor, the user, requirement profiles, documents.

Each page is stored with its cursor in one transaction, so a crash repeats at most one
page (and storing a page twice changes nothing). Documents are fetched after the pages,
hash-verified, and kept in the content-addressed store for offline review.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from coi_desktop.database import Database, storage_problem
from coi_desktop.documents import DocumentStore, DocumentStoreError
from coi_desktop.ingest import (
    IngestError,
    SubmissionChange,
    upsert_profile,
    upsert_submission,
    upsert_user,
)
from coi_desktop.models import (
    OPEN_STATUSES,
    OUTCOMES,
    AppState,
    Decision,
    Document,
    OutboxItem,
    RequirementProfile,
    Submission,
    SyncCursor,
    User,
    utcnow,
)
from coi_desktop.sync.limits import MAX_PAGES_PER_PASS
from coi_desktop.sync.tracker import PAGE_SIZE, TrackerClient, TrackerError
from coi_desktop.sync.transport import AnswerRefused, server_text
from coi_desktop.workspace import CURRENT_USER_KEY

log = logging.getLogger(__name__)

DOCUMENT_CHUNK = 50


@dataclass(frozen=True)
class SyncEvent:
    """Something the reviewer should hear about (the GUI shows ``message``)."""

    kind: str  # withdrawn | reassigned | decided_elsewhere | document_rejected | ingest_error
    submission_id: str | None
    message: str


@dataclass
class InboundResult:
    pulled: int = 0
    changed_ids: list[str] = field(default_factory=list)
    documents_stored: int = 0
    documents_failed: int = 0
    profiles_fetched: int = 0
    events: list[SyncEvent] = field(default_factory=list)
    user_id: str | None = None


def cursor_name(tracker_url: str) -> str:
    # A cursor belongs to one tracker: pointing the app elsewhere starts from the beginning.
    return f"submissions@{tracker_url.rstrip('/')}"


class Inbound:
    def __init__(
        self,
        database: Database,
        store: DocumentStore,
        tracker: TrackerClient,
        *,
        page_size: int = PAGE_SIZE,
        clock: Callable[[], datetime] = utcnow,
        workers: int = 6,
    ) -> None:
        self.database = database
        self.store = store
        self.tracker = tracker
        self.page_size = page_size
        self.clock = clock
        self.workers = workers  # downloads in flight at once

    def run(self, result: InboundResult) -> None:
        """One pull. Raises RetryLater / AuthRequired / TrackerError for the engine to judge,
        and a DatabaseError sentence (disk full, damaged store) instead of the driver's text."""
        try:
            self._me(result)
            self._pages(result)
            self._profiles(result)
            self._documents(result)
        except SQLAlchemyError as exc:
            raise storage_problem(exc, self.database.path) from exc

    def _me(self, result: InboundResult) -> None:
        me = self.tracker.me()
        with self.database.session() as session:
            try:
                user = upsert_user(session, me)
            except IngestError as exc:
                raise TrackerError(
                    "The tracker's answer for the signed-in user is not a usable user record "
                    f"({server_text(str(exc), 120)}); check the tracker URL in Settings."
                ) from exc
            result.user_id = user.id
            state = session.get(AppState, CURRENT_USER_KEY) or AppState(key=CURRENT_USER_KEY)
            if state.value != {"id": user.id}:
                state.value = {"id": user.id}
            session.add(state)

    def _pages(self, result: InboundResult) -> None:
        name = cursor_name(self.tracker.base_url)
        with self.database.session() as session:
            row = session.get(SyncCursor, name)
            cursor = row.value if row else None
        for _ in range(MAX_PAGES_PER_PASS):
            page = self.tracker.submissions(cursor, self.page_size)
            # Counted apart and added only once the page is committed: never claim a lost page.
            stored = InboundResult(user_id=result.user_id)
            with self.database.session() as session:
                for data in page["items"]:
                    self._store_one(session, data, stored)
                row = session.get(SyncCursor, name) or SyncCursor(name=name)
                row.value = page["next_cursor"]
                row.updated_at = self.clock()
                session.add(row)
            result.pulled += stored.pulled
            result.changed_ids.extend(stored.changed_ids)
            result.events.extend(stored.events)
            if not page.get("has_more"):
                return
            if page["next_cursor"] == cursor:
                result.events.append(
                    SyncEvent(
                        "ingest_error",
                        None,
                        "The tracker announced more submissions but gave the same page position "
                        "again; receiving stopped for this sync and resumes at the next one.",
                    )
                )
                return
            cursor = page["next_cursor"]
        result.events.append(
            SyncEvent(
                "ingest_error",
                None,
                f"The tracker still announced more submissions after {MAX_PAGES_PER_PASS} pages; "
                "receiving stopped for this sync and continues at the next one.",
            )
        )

    def _store_one(self, session: Session, data: object, result: InboundResult) -> None:
        if not isinstance(data, dict):
            result.events.append(
                SyncEvent(
                    "ingest_error",
                    None,
                    "The tracker sent a submission that is not an object; it was skipped.",
                )
            )
            return
        try:
            with session.begin_nested():
                change = upsert_submission(session, data)
        except (IngestError, SQLAlchemyError, OverflowError) as exc:
            if isinstance(exc, OperationalError):
                raise  # the store itself failed (disk full, locked): not this item's fault
            raw_id = data.get("id")
            shown = server_text(raw_id, 60) if isinstance(raw_id, str) else None
            reason = server_text(
                str(exc)
                if isinstance(exc, IngestError)
                else "its values do not fit the local store",
                200,
            )
            result.events.append(
                SyncEvent(
                    "ingest_error",
                    shown,
                    f"A submission from the tracker was skipped, the rest were stored: {reason}.",
                )
            )
            return
        result.pulled += 1
        if change.changed:
            result.changed_ids.append(change.id)
        self._keep_local_claims(session, change.id)
        event = self._event_for(session, change, result.user_id)
        if event is not None:
            result.events.append(event)

    @staticmethod
    def _keep_local_claims(session: Session, sub_id: str) -> None:
        """A claim or assignment not yet delivered stays visible over the tracker's older copy."""
        waiting = session.scalars(
            select(OutboxItem)
            .where(
                OutboxItem.submission_id == sub_id,
                OutboxItem.state == "pending",
                OutboxItem.stage == "tracker",
                OutboxItem.kind.in_(("claim", "assign")),
            )
            .order_by(OutboxItem.seq)
        ).all()
        sub = session.get(Submission, sub_id)
        if sub is None or sub.status not in OPEN_STATUSES:
            return
        for item in waiting:
            user_id = item.payload.get("user_id")
            if isinstance(user_id, str) and sub.assigned_to != user_id:
                sub.assigned_to = user_id
                if item.kind == "claim":
                    sub.status = "in_review"

    @staticmethod
    def _event_for(session: Session, change: SubmissionChange, me: str | None) -> SyncEvent | None:
        if change.created or not change.changed or change.previous_status not in OPEN_STATUSES:
            return None
        sub = session.get(Submission, change.id)
        if sub is None:
            return None
        mine = session.scalars(
            select(Decision).where(Decision.submission_id == sub.id, Decision.undone.is_(False))
        ).first()
        waiting = ""
        if mine is not None:
            item = session.scalars(
                select(OutboxItem).where(OutboxItem.decision_id == mine.id)
            ).first()
            if item is not None and item.state == "pending" and item.stage == "tracker":
                waiting = (
                    " Your decision on it has not reached the tracker yet; it will be "
                    "kept and shown as a conflict."
                )
        vendor = sub.vendor.name if sub.vendor else sub.id
        if sub.status == "archived":
            return SyncEvent(
                "withdrawn",
                sub.id,
                f"{sub.id} ({vendor}) was withdrawn: the tracker shows it archived.{waiting}",
            )
        if sub.status in OUTCOMES and not waiting and mine is not None:
            return None  # our own decision coming back
        if sub.status in OUTCOMES:
            return SyncEvent(
                "decided_elsewhere",
                sub.id,
                f"{sub.id} ({vendor}) was decided "
                f"{sub.status.replace('_', ' ')} by someone else.{waiting}",
            )
        if me is not None and change.previous_assignee == me and sub.assigned_to != me:
            holder = session.get(User, sub.assigned_to) if sub.assigned_to else None
            who = holder.name if holder else (sub.assigned_to or "nobody")
            return SyncEvent(
                "reassigned", sub.id, f"{sub.id} ({vendor}) was reassigned to {who}.{waiting}"
            )
        return None

    def _profiles(self, result: InboundResult) -> None:
        with self.database.session() as session:
            wanted = set(
                session.scalars(
                    select(Submission.requirement_profile_id)
                    .where(Submission.requirement_profile_id.is_not(None))
                    .distinct()
                )
            )
            known = set(session.scalars(select(RequirementProfile.id)))
        for profile_id in sorted(p for p in wanted - known if p):
            try:
                data = self.tracker.requirement_profile(profile_id)
            except TrackerError as exc:
                result.events.append(SyncEvent("ingest_error", None, str(exc)))
                continue
            with self.database.session() as session:
                try:
                    upsert_profile(session, data)
                except IngestError as exc:
                    result.events.append(
                        SyncEvent(
                            "ingest_error",
                            None,
                            f"Requirement profile {profile_id} could not be stored: {exc}.",
                        )
                    )
                    continue
            result.profiles_fetched += 1

    def _documents(self, result: InboundResult) -> None:
        """Fetch every document not yet stored; several downloads in flight at once."""
        with self.database.session() as session:
            missing = [
                (d.id, d.sha256, d.submission_id, d.size)
                for d in session.scalars(
                    select(Document).where(Document.stored.is_(False)).order_by(Document.id)
                )
            ]
        for start in range(0, len(missing), DOCUMENT_CHUNK):
            chunk = missing[start : start + DOCUMENT_CHUNK]
            if self.workers > 1 and len(chunk) > 1:
                with ThreadPoolExecutor(
                    max_workers=self.workers, thread_name_prefix="coi-sync-docs"
                ) as pool:
                    outcomes = list(pool.map(self._fetch, chunk))
            else:
                outcomes = [self._fetch(doc) for doc in chunk]
            stored = []
            for (doc_id, sha256, _, _), outcome in zip(chunk, outcomes, strict=True):
                if isinstance(outcome, SyncEvent):
                    result.documents_failed += 1
                    result.events.append(outcome)
                elif outcome:
                    stored.append((doc_id, sha256))
            with self.database.session() as session:
                for doc_id, sha256 in stored:
                    doc = session.get(Document, doc_id)
                    if doc is not None and doc.sha256 == sha256:
                        doc.stored = True
            result.documents_stored += len(stored)

    def _fetch(self, doc: tuple[str, str, str, int]) -> bool | SyncEvent:
        """True when the bytes are in the store; an event when they were refused.

        Raises RetryLater/AuthRequired (ending the pull): the next pass picks up the rest.
        """
        doc_id, sha256, sub_id, size = doc
        if self.store.has(sha256):
            return True  # content-addressed: the same file arrived with another submission
        try:
            data = self.tracker.document(doc_id, size=size)
        except (TrackerError, AnswerRefused) as exc:
            return SyncEvent("document_rejected", sub_id, f"{exc}.".replace("..", "."))
        if data is None:  # 304 although we asked for everything: ask again next pass
            return False
        try:
            self.store.put(data, expected_sha256=sha256)
        except DocumentStoreError as exc:
            return SyncEvent(
                "document_rejected",
                sub_id,
                f"Document {doc_id} of {sub_id} arrived damaged: {exc}. "
                "It will be downloaded again at the next sync.",
            )
        return True
