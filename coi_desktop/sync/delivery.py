"""Outbound delivery: outbox items to the tracker (``tracker_stage``), then decisions the
tracker took to Procore (``procore_stage``). Each stage returns its ``Tally``; this adds them.

Each answer is stored in a short transaction soon after it arrives, so a crash loses few
answers — and every call is safe to repeat (Idempotency-Key on the tracker, ``origin_id``
upserts on Procore).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from coi_desktop.database import Database
from coi_desktop.models import utcnow
from coi_desktop.sync.outbox import Backoff, Tally
from coi_desktop.sync.procore import ProcoreClient
from coi_desktop.sync.procore_stage import ProcoreStage
from coi_desktop.sync.tracker import TrackerClient
from coi_desktop.sync.tracker_stage import TrackerStage


@dataclass
class DeliveryResult:
    delivered: int = 0
    retrying: int = 0
    needs_person: int = 0
    offline: bool = False
    stopped: dict[str, str] = field(default_factory=dict)  # target → why (sign in, not set up)
    procore_requests: int = 0
    procore_records: int = 0

    @classmethod
    def of(cls, tracker: Tally, procore: Tally) -> DeliveryResult:
        both = tracker + procore
        stopped = {
            target: tally.stopped
            for target, tally in (("tracker", tracker), ("procore", procore))
            if tally.stopped
        }
        return cls(
            delivered=both.delivered,
            retrying=both.retrying,
            needs_person=both.needs_person,
            offline=both.offline,
            stopped=stopped,
            procore_requests=both.procore_requests,
            procore_records=both.procore_records,
        )


def deliver(
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
) -> DeliveryResult:
    """One outbound pass. ``procore_problem``: why there is no Procore client, if none;
    ``procore_notifications``: per Procore company, may Procore e-mail vendors about
    expired insurance (off unless set); ``workers``: calls in flight at once."""
    backoff = backoff or Backoff()
    rng = rng or random.Random()
    tracker_done = Tally()
    if tracker is not None:
        stage = TrackerStage(
            database, tracker, backoff=backoff, clock=clock, rng=rng, workers=workers
        )
        tracker_done = stage.run()
    procore_done = ProcoreStage(
        database,
        procore,
        backoff=backoff,
        clock=clock,
        rng=rng,
        workers=workers,
        procore_problem=procore_problem,
        procore_notifications=procore_notifications or (lambda _company: False),
    ).run()
    return DeliveryResult.of(tracker_done, procore_done)
