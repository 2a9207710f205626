"""The team lead's figures: what they mean, and the plain values that carry them (Qt-free).

The figures are the offline twin of the tracker's ``GET /queue/stats`` (tracker-api.md):
:func:`coi_desktop.team_queries.compute_stats` answers exactly what the tracker answers, so
the dashboard shows the same numbers online and offline, and the report command prints the
dashboard's numbers. The SQL lives in ``team_sql`` (what counts as decided and open) and
``team_queries`` (the figures); ``team_lookups`` holds the view's other reads.

Definitions (the same as the tracker's):
- A local decision *landed* once the tracker accepted it (its outbox item is past the
  tracker stage; ``Decision.tracker_accepted``, kept by triggers, says so). One still
  waiting, refused (422/403) or in conflict is not a decision the team made yet: the
  tracker still shows the item open, and so do these figures.
- open = status ``new``/``in_review`` and no landed local decision;
  overdue = open and ``due_at`` < now; due within 4 h = open and now <= ``due_at`` < now + 4 h.
- A decided item is a landed local :class:`Decision` (its ``decided_at``/``decided_by``),
  or a submission the tracker shows compliant / non-compliant / rejected without one here
  (decided elsewhere: the contract carries no decision time, so the first sync that saw it
  decided — ``synced_at`` — stands in, and its holder stands in for the decider).
- Turnaround = ``decided_at − received_at``; within 24 h = turnaround <= 24 h; the 7-day
  figures use decisions in (now − 7 days, now]; percentiles are nearest-rank, whole minutes.
- Minutes per decision = ``decided_at − claimed_at``; a reviewer's median over their
  7-day decisions that had a claim, one decimal.
- "Today" and the trend's days are calendar days in the lead's time zone (``tz``): a day
  runs from local midnight to the next, 23 or 25 hours long across a DST change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from coi_desktop.timeutil import iso, iso_or_none, parse_iso

DAY_MS = 24 * 60 * 60 * 1000
PROMISE_HOURS = 24
DUE_SOON_HOURS = 4


# ---------------------------------------------------------------- filters and results


@dataclass(frozen=True)
class StatsFilter:
    """What the lead narrowed the view to; empty tuples mean everything."""

    company_ids: tuple[int, ...] = ()  # procore_company_id of the customer (general contractor)
    project_ids: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.company_ids or self.project_ids or self.kinds)


@dataclass(frozen=True)
class ReviewerStats:
    user_id: str
    name: str
    assigned_open: int
    in_review: int
    decided_today: int
    median_minutes_per_decision: float | None
    oldest_held_received_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "name": self.name,
            "assigned_open": self.assigned_open,
            "in_review": self.in_review,
            "decided_today": self.decided_today,
            "median_minutes_per_decision": self.median_minutes_per_decision,
            "oldest_held_received_at": iso_or_none(self.oldest_held_received_at),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReviewerStats:
        median = data.get("median_minutes_per_decision")
        oldest = data.get("oldest_held_received_at")
        return cls(
            user_id=str(data["user_id"]),
            name=str(data.get("name") or data["user_id"]),
            assigned_open=int(data.get("assigned_open") or 0),
            in_review=int(data.get("in_review") or 0),
            decided_today=int(data.get("decided_today") or 0),
            median_minutes_per_decision=None if median is None else float(median),
            oldest_held_received_at=parse_iso(oldest) if isinstance(oldest, str) else None,
        )


@dataclass(frozen=True)
class TeamStats:
    """The ``/queue/stats`` answer; ``source`` says where it came from (not part of the JSON)."""

    as_of: datetime
    open: int
    by_status: dict[str, int]
    due_within_4h: int
    overdue: int
    decided_today: int
    within_24h_share_7d: float | None
    turnaround_minutes_p50_7d: int | None
    turnaround_minutes_p90_7d: int | None
    reviewers: tuple[ReviewerStats, ...]
    source: str = "local"  # "local" (this computer's store) or "tracker"

    def to_json(self) -> dict[str, Any]:
        """Exactly the tracker's ``GET /queue/stats`` shape."""
        return {
            "as_of": iso(self.as_of),
            "open": self.open,
            "by_status": dict(self.by_status),
            "due_within_4h": self.due_within_4h,
            "overdue": self.overdue,
            "decided_today": self.decided_today,
            "within_24h_share_7d": self.within_24h_share_7d,
            "turnaround_minutes_p50_7d": self.turnaround_minutes_p50_7d,
            "turnaround_minutes_p90_7d": self.turnaround_minutes_p90_7d,
            "reviewers": [r.to_json() for r in self.reviewers],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], source: str = "tracker") -> TeamStats:
        """Read a server's answer; raises ValueError/KeyError/TypeError on a malformed one."""

        def opt_int(key: str) -> int | None:
            value = data.get(key)
            return None if value is None else int(value)

        share = data.get("within_24h_share_7d")
        return cls(
            as_of=parse_iso(str(data["as_of"])),
            open=int(data["open"]),
            by_status={str(k): int(v) for k, v in dict(data.get("by_status") or {}).items()},
            due_within_4h=int(data["due_within_4h"]),
            overdue=int(data["overdue"]),
            decided_today=int(data["decided_today"]),
            within_24h_share_7d=None if share is None else float(share),
            turnaround_minutes_p50_7d=opt_int("turnaround_minutes_p50_7d"),
            turnaround_minutes_p90_7d=opt_int("turnaround_minutes_p90_7d"),
            reviewers=tuple(ReviewerStats.from_json(r) for r in data.get("reviewers") or []),
            source=source,
        )


@dataclass(frozen=True)
class AgingBucket:
    """Open items received ``start_hours`` to ``end_hours`` ago (``None``: and older)."""

    start_hours: int
    end_hours: int | None
    count: int

    @property
    def label(self) -> str:
        if self.end_hours is None:
            return f"{self.start_hours}h+"
        return f"{self.start_hours}–{self.end_hours}h"

    @property
    def overdue(self) -> bool:
        return self.start_hours >= PROMISE_HOURS


@dataclass(frozen=True)
class DayTrend:
    """One calendar day in the lead's time zone: received, decided, and decided within 24 h."""

    day: date
    start: datetime  # UTC instant of local midnight
    end: datetime
    received: int
    decided: int
    within_24h: int

    @property
    def within_24h_share(self) -> float | None:
        return round(self.within_24h / self.decided, 3) if self.decided else None


@dataclass(frozen=True)
class OverdueItem:
    """An open item past (or near) its due time, for the lists a lead acts on."""

    id: str
    vendor: str
    project: str | None
    kind: str
    assigned_to: str | None
    received_at: datetime
    due_at: datetime
    # What became of the latest reassignment made here: pending (in the outbox), delivered
    # (the tracker took it), conflict / failed (refused); None when none was made here.
    assignment_state: str | None = None

    @property
    def assignment_pending(self) -> bool:
        return self.assignment_state == "pending"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FilterChoices:
    companies: tuple[Choice, ...]
    projects: tuple[Choice, ...]
    kinds: tuple[str, ...] = ("coi", "endorsement")


@dataclass(frozen=True)
class TeamSnapshot:
    """Everything the dashboard and the report show, computed at one instant."""

    now: datetime
    tz_name: str
    filters: StatsFilter
    stats: TeamStats
    aging: tuple[AgingBucket, ...]
    trend: tuple[DayTrend, ...]
    overdue_items: tuple[OverdueItem, ...]
    user_names: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # filtered customers' and projects' names
