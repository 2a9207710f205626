"""The sync engine: one inbound + outbound pass at a time, Qt-free.

The GUI runs it on a worker thread through ``ui/sync_worker.py``; ``coi-desktop sync
--once`` runs one pass headless. The engine never sleeps for long: waits the servers ask
for become the outbox's ``next_attempt_at``, and the caller decides when to run again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import select

from coi_desktop.credentials import TRACKER_TOKEN, Credentials
from coi_desktop.database import Database
from coi_desktop.documents import DocumentStore
from coi_desktop.models import LAST_SYNC_KEY, AppState, OutboxItem, Submission, utcnow
from coi_desktop.settings import Connection
from coi_desktop.sync import outbox
from coi_desktop.sync.delivery import DeliveryResult, deliver
from coi_desktop.sync.inbound import Inbound, InboundResult, SyncEvent
from coi_desktop.sync.outbox import Backoff
from coi_desktop.sync.procore import ProcoreClient
from coi_desktop.sync.procore_auth import ProcoreAuth
from coi_desktop.sync.tracker import PAGE_SIZE, TrackerClient, TrackerError
from coi_desktop.sync.transport import DEFAULT_TIMEOUT, AuthRequired, RetryLater, SyncProblem

log = logging.getLogger(__name__)


EXIT_DONE = 0
EXIT_RETRY = 1
EXIT_CANNOT_SYNC = 2
EXIT_NEEDS_PERSON = 3


@dataclass(frozen=True)
class SyncConfig:
    """Where to sync and how; secrets are read from the keyring (or headless env) here."""

    tracker_url: str = ""
    tracker_token: str | None = None
    procore_api_url: str = ""
    procore_login_url: str = ""
    procore_client_id: str = ""
    procore_auth: str = "client_credentials"
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    backoff: Backoff = field(default_factory=Backoff)
    page_size: int = PAGE_SIZE
    # Submissions extracted + pre-checked after each pass (None: all received; `sync --once`).
    prepare_limit: int | None = 10
    procore_expiry_emails: tuple[str, ...] = ()  # companies whose vendors Procore may e-mail

    @property
    def procore_configured(self) -> bool:
        return bool(self.procore_api_url and self.procore_login_url and self.procore_client_id)


def config_for(
    connection: Connection, credentials: Credentials | None = None, **overrides: object
) -> SyncConfig:
    credentials = credentials or Credentials()
    url = connection.tracker_url
    token = credentials.get(TRACKER_TOKEN, url) if url else None
    config = SyncConfig(
        tracker_url=connection.tracker_url,
        tracker_token=token,
        procore_api_url=connection.procore_api_url,
        procore_login_url=connection.procore_login_url,
        procore_client_id=connection.procore_client_id,
        procore_auth=connection.procore_auth,
        procore_expiry_emails=connection.procore_expiry_emails,
    )
    return replace(config, **overrides)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar shows."""

    state: str  # online | offline | syncing | signed_out | not_configured
    waiting: int = 0  # items not yet delivered (pending)
    conflicts: int = 0
    failed: int = 0
    last_success: datetime | None = None
    message: str = ""

    @property
    def label(self) -> str:
        names = {
            "online": "Online",
            "offline": "Offline",
            "syncing": "Syncing",
            "signed_out": "Sign-in needed",
            "not_configured": "Not set up",
        }
        return names.get(self.state, self.state)

    def summary(self) -> str:
        parts = [self.label]
        if self.waiting:
            parts.append(f"{self.waiting} waiting to send")
        if self.conflicts or self.failed:
            parts.append(f"{self.conflicts + self.failed} need you")
        if self.last_success is not None:
            parts.append(f"last sync {self.last_success.astimezone().strftime('%H:%M')}")
        return " · ".join(parts)


@dataclass
class SyncReport:
    inbound: InboundResult = field(default_factory=InboundResult)
    delivery: DeliveryResult = field(default_factory=DeliveryResult)
    prepared: int = 0
    inbound_retry: str | None = None  # why the pull did not finish (offline, faults)
    stopped: dict[str, str] = field(default_factory=dict)  # target → sentence (sign in, set up)
    errors: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)  # one line per item waiting for a person
    pending: int = 0
    procore_stuck: int = 0  # items at the Procore stage that cannot move (not signed in)
    status: SyncStatus = field(default_factory=lambda: SyncStatus("online"))

    @property
    def events(self) -> list[SyncEvent]:
        return self.inbound.events

    @property
    def exit_code(self) -> int:
        if "tracker" in self.stopped or ("procore" in self.stopped and self.procore_stuck):
            return EXIT_CANNOT_SYNC
        if self.pending or self.inbound_retry or self.errors:
            return EXIT_RETRY
        if self.attention:
            return EXIT_NEEDS_PERSON
        return EXIT_DONE


class SyncEngine:
    def __init__(
        self,
        database: Database,
        store: DocumentStore,
        config: SyncConfig,
        *,
        credentials: Credentials | None = None,
        clock: Callable[[], datetime] = utcnow,
        today: Callable[[], date] | None = None,
    ) -> None:
        self.database = database
        self.store = store
        self.config = config
        self.credentials = credentials or Credentials()
        self.clock = clock
        self.today = today or (lambda: self.clock().date())
        self._tracker: TrackerClient | None = None
        self._procore: ProcoreClient | None = None

    # -- clients (made in the thread that runs the engine) -------------------------------

    def _tracker_client(self) -> TrackerClient | None:
        c = self.config
        if not c.tracker_url or not c.tracker_token:
            return None
        if self._tracker is None:
            self._tracker = TrackerClient(c.tracker_url, c.tracker_token, timeout=c.timeout)
        return self._tracker

    def _procore_client(self) -> ProcoreClient | None:
        c = self.config
        if not c.procore_configured:
            return None
        if self._procore is None:
            grant = "refresh_token" if c.procore_auth == "installed_app" else "client_credentials"
            auth = ProcoreAuth(
                c.procore_login_url,
                c.procore_client_id,
                grant=grant,
                credentials=self.credentials,
                timeout=c.timeout,
            )
            self._procore = ProcoreClient(c.procore_api_url, auth, timeout=c.timeout)
        return self._procore

    def close(self) -> None:
        for client in (self._tracker, self._procore):
            if client is not None:
                client.close()
        self._tracker = self._procore = None

    # -- one pass ---------------------------------------------------------------------

    def run_once(self) -> SyncReport:
        """One outbound pass (the reviewer's work first), then one inbound pass."""
        report = self.run_outbound()
        tracker = self._tracker_client()
        if tracker is not None and "tracker" not in report.stopped:
            self._pull(tracker, report)
        if self.config.prepare_limit is None or self.config.prepare_limit > 0:
            report.prepared = self._prepare()
        self._summarize(report)
        return report

    def run_outbound(self) -> SyncReport:
        """Deliver what is due in the outbox; no pull, no summary (the bench times this)."""
        report = SyncReport()
        tracker = self._tracker_client()
        if tracker is None:
            report.stopped["tracker"] = self._tracker_problem()
        procore = self._procore_client()
        try:
            report.delivery = deliver(
                self.database,
                tracker,
                procore,
                backoff=self.config.backoff,
                clock=self.clock,
                procore_problem=None
                if procore
                else "Procore is not set up: choose the environment and client id in Settings.",
                procore_notifications=lambda company: (
                    str(company) in self.config.procore_expiry_emails
                ),
            )
        except SyncProblem as exc:
            report.errors.append(str(exc))
        except Exception as exc:  # a bug must not kill the worker; the item stays pending
            log.exception("outbound sync failed")
            report.errors.append(f"Sending failed unexpectedly: {exc}")
        report.stopped.update(report.delivery.stopped)
        return report

    def _tracker_problem(self) -> str:
        if not self.config.tracker_url:
            return (
                "The tracker is not set up: enter its URL in Settings "
                "(or set COI_DESKTOP_TRACKER_URL)."
            )
        return (
            "Not signed in to the tracker: enter your token in Settings "
            "(or set COI_DESKTOP_TRACKER_TOKEN for headless use)."
        )

    def _pull(self, tracker: TrackerClient, report: SyncReport) -> None:
        inbound = Inbound(
            self.database, self.store, tracker, page_size=self.config.page_size, clock=self.clock
        )
        try:
            inbound.run(report.inbound)
        except AuthRequired as exc:
            report.stopped["tracker"] = str(exc)
        except RetryLater as exc:
            report.inbound_retry = str(exc)
            report.delivery.offline = report.delivery.offline or exc.offline
        except TrackerError as exc:
            report.errors.append(str(exc))
        except Exception as exc:
            log.exception("inbound sync failed")
            report.errors.append(f"Receiving failed unexpectedly: {exc}")

    def _prepare(self) -> int:
        """Extract and pre-check a few new submissions, off the network path."""
        # The reader comes with PyMuPDF: imported when a pass prepares, not with the window.
        from coi_desktop.review.pipeline import prepare, waiting_submissions

        with self.database.session() as session:
            ids = waiting_submissions(session, self.config.prepare_limit)
        done = 0
        for sub_id in ids:
            prepared = prepare(self.database, self.store, sub_id, self.today())
            done += 1 if prepared.checked else 0
        return done

    def summarize(self, report: SyncReport) -> None:
        """Fill in the counts, the status and the last-success time (after a pass)."""
        self._summarize(report)

    def _summarize(self, report: SyncReport) -> None:
        now = self.clock()
        with self.database.session() as session:
            counts = outbox.outbox_counts(session, now)
            report.pending = counts.pending
            report.procore_stuck = int(
                session.query(OutboxItem)
                .filter(OutboxItem.state == "pending", OutboxItem.stage == "procore")
                .count()
            )
            for item in session.scalars(
                select(OutboxItem)
                .where(OutboxItem.state.in_(outbox.WAITING_FOR_PERSON))
                .order_by(OutboxItem.seq)
            ):
                report.attention.append(
                    f"{item.submission_id} {item.kind} {item.state}: {item.last_error or ''}"
                )
            clean = (
                not report.stopped
                and not report.inbound_retry
                and not report.errors
                and not report.delivery.offline
            )
            state_row = session.get(AppState, LAST_SYNC_KEY)
            if clean:
                state_row = state_row or AppState(key=LAST_SYNC_KEY)
                state_row.value = {"at": now.isoformat()}
                session.add(state_row)
            last = _parse_last(state_row.value if state_row else None)
        report.status = SyncStatus(
            state=self._state(report),
            waiting=counts.pending,
            conflicts=counts.conflict,
            failed=counts.failed,
            last_success=last,
            message=self._message(report),
        )

    def _state(self, report: SyncReport) -> str:
        if not self.config.tracker_url:
            return "not_configured"
        if report.delivery.offline or (report.inbound_retry and "reach" in report.inbound_retry):
            return "offline"
        if report.stopped:
            return "signed_out"
        return "online"

    @staticmethod
    def _message(report: SyncReport) -> str:
        lines = list(report.stopped.values())
        if report.inbound_retry:
            lines.append(f"{report.inbound_retry}; receiving will be retried.")
        lines.extend(report.errors)
        return " ".join(lines)

    # -- for the GUI and the CLI ---------------------------------------------------------

    def status(self) -> SyncStatus:
        """The status from the store alone (no network): for start-up and between passes."""
        with self.database.session() as session:
            counts = outbox.outbox_counts(session)
            row = session.get(AppState, LAST_SYNC_KEY)
            last = _parse_last(row.value if row else None)
        state = "online" if self.config.tracker_url else "not_configured"
        return SyncStatus(state, counts.pending, counts.conflict, counts.failed, last)

    def retry_now(self, item_id: str) -> bool:
        return outbox.retry_now(self.database, item_id)

    def seconds_until_due(self) -> float | None:
        """When the outbox next has work, for the worker's timer (None: nothing pending)."""
        with self.database.session() as session:
            nxt = outbox.next_due_at(session)
        if nxt is None:
            return None
        return max(0.0, (nxt - self.clock()).total_seconds())

    def changed_submissions(self, report: SyncReport) -> list[str]:
        ids = list(dict.fromkeys(report.inbound.changed_ids))
        with self.database.session() as session:
            known = set(session.scalars(select(Submission.id).where(Submission.id.in_(ids))))
        return [i for i in ids if i in known]


def _parse_last(value: Mapping[str, object] | None) -> datetime | None:
    if not value or not isinstance(value.get("at"), str):
        return None
    try:
        return datetime.fromisoformat(str(value["at"]))
    except ValueError:
        return None


def run_until_settled(
    engine: SyncEngine, *, max_seconds: float = 60.0, sleep: Callable[[float], None] = time.sleep
) -> SyncReport:
    """Pass after pass until nothing is left to retry (or time runs out): tests, bench, demo."""
    deadline = time.monotonic() + max_seconds
    while True:
        report = engine.run_once()
        if report.exit_code in (EXIT_DONE, EXIT_NEEDS_PERSON, EXIT_CANNOT_SYNC):
            return report
        if time.monotonic() >= deadline:
            return report
        wait = engine.seconds_until_due()
        sleep(min(max(wait or 0.0, 0.01), 1.0))
