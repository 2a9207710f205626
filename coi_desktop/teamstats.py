"""The team lead's figures, computed from the local store in SQL (the offline twin of /queue/stats).

Qt-free. :func:`compute_stats` answers exactly what the tracker's ``GET /queue/stats``
answers (tracker-api.md), so the dashboard shows the same numbers online and offline,
and the report command prints the dashboard's numbers. Aggregation happens in SQLite
(GROUP BY, window functions); Python only combines a handful of scalars per figure.

Definitions (the same as the tracker's):
- A local decision *landed* once the tracker accepted it (its outbox item is past the
  tracker stage). One still waiting, refused (422/403) or in conflict is not a decision the
  team made yet: the tracker still shows the item open, and so do these figures.
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

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import CTE

from coi_desktop.models import (
    AppState,
    Company,
    Decision,
    OutboxItem,
    Project,
    Submission,
    User,
    UTCDateTime,
    Vendor,
)
from coi_desktop.timeutil import iso, iso_or_none, parse_iso

STATUSES = ("new", "in_review", "compliant", "non_compliant", "rejected", "archived")
OPEN_STATUSES = ("new", "in_review")
DECIDED_STATUSES = ("compliant", "non_compliant", "rejected")
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


# ---------------------------------------------------------------- time helpers


def local_zone() -> tzinfo:
    """The computer's time zone as an IANA zone where it can be found (so DST is right)."""
    names = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = Path("/etc/localtime").resolve()
        names.append(str(target).split("zoneinfo/", 1)[1] if "zoneinfo/" in str(target) else "")
    except OSError:
        pass
    for name in names:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return datetime.now().astimezone().tzinfo or UTC


def zone_name(tz: tzinfo) -> str:
    return getattr(tz, "key", None) or str(tz)


def local_day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants where ``day`` starts and ends in ``tz`` (23 or 25 h around DST)."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def local_today(now: datetime, tz: tzinfo) -> date:
    return now.astimezone(tz).date()


# ---------------------------------------------------------------- SQL building blocks


def _ms_between(later: Any, earlier: Any) -> ColumnElement[int]:
    # SQLite's date functions count whole milliseconds, so this is exact to the millisecond.
    return cast(func.round((func.julianday(later) - func.julianday(earlier)) * 86_400_000), Integer)


def _filtered(stmt: Any, filters: StatsFilter) -> Any:
    if filters.company_ids:
        stmt = stmt.where(Submission.procore_company_id.in_(filters.company_ids))
    if filters.project_ids:
        stmt = stmt.where(Submission.project_id.in_(filters.project_ids))
    if filters.kinds:
        stmt = stmt.where(Submission.kind.in_(filters.kinds))
    return stmt


def _counted() -> ColumnElement[bool]:
    """A decision the figures count: not undone, and the tracker accepted it.

    ``tracker_accepted`` is kept by triggers on the outbox (migration 0005); the condition is
    spelled as the partial indexes' ``WHERE`` so SQLite can use them.
    """
    # Literal constants, not bound parameters: SQLite matches a partial index's WHERE only
    # against terms it can read in the statement.
    return and_(
        Decision.tracker_accepted == literal_column("1"), Decision.undone == literal_column("0")
    )


def _active_decision() -> Any:
    """A not-undone local decision of the submission that the tracker accepted."""
    return and_(Decision.submission_id == Submission.id, _counted())


def decided_items(filters: StatsFilter, since: datetime | None = None) -> CTE:
    """Every decided submission once: local decisions, plus those decided elsewhere.

    ``since`` keeps only decisions made after it, inside each branch, so SQLite never
    builds the whole history when a figure needs the last days only.
    """
    here_when: list[ColumnElement[bool]] = [_counted()]
    # SQLite checks these in order: the cheap time test first, the per-row probe last.
    elsewhere_when: list[ColumnElement[bool]] = [
        # coalesce(status) keeps SQLite off the status index, which would visit nearly
        # every row of a long history twice; one scan filtered by time is far cheaper.
        func.coalesce(Submission.status, "").in_(DECIDED_STATUSES),
    ]
    if since is not None:
        here_when.append(Decision.decided_at >= since)
        elsewhere_when.insert(0, Submission.synced_at >= since)
    here = _filtered(
        select(
            Submission.id.label("submission_id"),
            Decision.decided_at.label("decided_at"),
            Decision.decided_by.label("decided_by"),
            Submission.received_at.label("received_at"),
            Submission.claimed_at.label("claimed_at"),
        )
        .join(Submission, Decision.submission_id == Submission.id)
        .where(*here_when),
        filters,
    )
    elsewhere = _filtered(
        select(
            Submission.id.label("submission_id"),
            Submission.synced_at.label("decided_at"),
            Submission.assigned_to.label("decided_by"),
            Submission.received_at.label("received_at"),
            Submission.claimed_at.label("claimed_at"),
        ).where(*elsewhere_when),
        filters,
    ).where(~exists().where(_active_decision()))
    return union_all(here, elsewhere).cte("decided")


def _open_condition() -> Any:
    return and_(Submission.status.in_(OPEN_STATUSES), ~exists().where(_active_decision()))


# The recent decisions, copied once per refresh into a per-connection temporary table with
# their durations worked out, so each figure reads a few thousand rows, not the history.
_TEMPORARY = MetaData()
DECIDED_WINDOW = Table(
    "team_decided",
    _TEMPORARY,
    Column("submission_id", String),
    Column("decided_at", UTCDateTime),
    Column("decided_by", String),
    Column("turnaround_ms", Integer),  # decided_at − received_at
    Column("work_ms", Integer),  # decided_at − claimed_at, NULL without a claim
    prefixes=["TEMPORARY"],
)


def decided_window(session: Session, filters: StatsFilter, since: datetime) -> Table:
    """Fill the temporary table of decisions made after ``since`` (this session's connection)."""
    connection = session.connection()
    connection.execute(text("DROP TABLE IF EXISTS temp.team_decided"))
    DECIDED_WINDOW.create(connection)
    source = decided_items(filters, since=since.astimezone(UTC))
    connection.execute(
        insert(DECIDED_WINDOW).from_select(
            ["submission_id", "decided_at", "decided_by", "turnaround_ms", "work_ms"],
            select(
                source.c.submission_id,
                source.c.decided_at,
                source.c.decided_by,
                _ms_between(source.c.decided_at, source.c.received_at),
                case(
                    (
                        source.c.claimed_at.is_not(None),
                        _ms_between(source.c.decided_at, source.c.claimed_at),
                    ),
                    else_=None,
                ),
            ),
        )
    )
    return DECIDED_WINDOW


def stats_since(now: datetime, tz: tzinfo, days: int = 14) -> datetime:
    """The earliest decision any figure of a snapshot needs (the trend's or the week's)."""
    first_day = local_today(now, tz) - timedelta(days=days - 1)
    return min(local_day_bounds(first_day, tz)[0], now - timedelta(days=7))


# ---------------------------------------------------------------- the figures


def compute_stats(
    session: Session,
    now: datetime,
    filters: StatsFilter | None = None,
    tz: tzinfo = UTC,
    *,
    decided: Table | None = None,
) -> TeamStats:
    """The ``/queue/stats`` figures from the local store at ``now``.

    ``decided`` is a :func:`decided_window` already filled for these filters (a snapshot
    shares one between its figures); without it one is made.
    """
    filters = filters or StatsFilter()
    now = now.astimezone(UTC)
    week_ago = now - timedelta(days=7)
    day_start, day_end = local_day_bounds(local_today(now, tz), tz)

    # Counts by the tracker's status (the status index answers it alone), then the open items
    # decided here and not yet delivered move to their outcome.
    by_status = dict.fromkeys(STATUSES, 0)
    for name, count in session.execute(
        _filtered(select(Submission.status, func.count()).group_by(Submission.status), filters)
    ).all():
        by_status[name] = by_status.get(name, 0) + int(count)
    for name, outcome, count in session.execute(
        _filtered(
            select(Submission.status, Decision.outcome, func.count())
            .join(Decision, _active_decision())
            .where(Submission.status.in_(OPEN_STATUSES))
            .group_by(Submission.status, Decision.outcome),
            filters,
        )
    ).all():
        by_status[name] -= int(count)
        by_status[outcome] = by_status.get(outcome, 0) + int(count)
    open_count = sum(by_status[s] for s in OPEN_STATUSES)
    overdue, due_soon = session.execute(
        _filtered(
            select(
                func.coalesce(func.sum(case((Submission.due_at < now, 1), else_=0)), 0),
                func.coalesce(
                    func.sum(
                        case(
                            (
                                and_(
                                    Submission.due_at >= now,
                                    Submission.due_at < now + timedelta(hours=DUE_SOON_HOURS),
                                ),
                                1,
                            ),
                            else_=0,
                        )
                    ),
                    0,
                ),
            ).where(_open_condition()),
            filters,
        )
    ).one()

    if decided is None:
        decided = decided_window(session, filters, min(week_ago, day_start))
    turnaround = decided.c.turnaround_ms.label("ms")
    week = (
        select(
            turnaround,
            func.row_number().over(order_by=turnaround).label("rn"),
            func.count().over().label("n"),
        )
        .where(decided.c.decided_at > week_ago, decided.c.decided_at <= now)
        .subquery()
    )
    n, within, p50, p90 = session.execute(
        select(
            func.max(week.c.n),
            func.sum(case((week.c.ms <= DAY_MS, 1), else_=0)),
            # Nearest rank: ceil(p/100 · n), in integer arithmetic.
            func.max(case((week.c.rn == (week.c.n + 1) // 2, week.c.ms))),
            func.max(case((week.c.rn == (9 * week.c.n + 9) // 10, week.c.ms))),
        )
    ).one()

    today = session.execute(
        select(decided.c.decided_by, func.count())
        .where(decided.c.decided_at >= day_start, decided.c.decided_at < day_end)
        .group_by(decided.c.decided_by)
    ).all()
    decided_today = {who: int(c) for who, c in today if who is not None}
    decided_today_total = sum(int(c) for _, c in today)

    return TeamStats(
        as_of=now,
        open=open_count,
        by_status=by_status,
        due_within_4h=int(due_soon),
        overdue=int(overdue),
        decided_today=decided_today_total,
        within_24h_share_7d=round(int(within) / int(n), 3) if n else None,
        turnaround_minutes_p50_7d=round(p50 / 60_000) if n else None,
        turnaround_minutes_p90_7d=round(p90 / 60_000) if n else None,
        reviewers=_reviewers(session, now, filters, decided, decided_today),
        source="local",
    )


def _reviewers(
    session: Session,
    now: datetime,
    filters: StatsFilter,
    decided: Table,
    decided_today: dict[str, int],
) -> tuple[ReviewerStats, ...]:
    held_rows = session.execute(
        _filtered(
            select(
                Submission.assigned_to,
                func.count(),
                func.sum(case((Submission.status == "in_review", 1), else_=0)),
                func.min(Submission.received_at),
            )
            .where(Submission.assigned_to.is_not(None), _open_condition())
            .group_by(Submission.assigned_to),
            filters,
        )
    ).all()
    held = {uid: (int(c), int(r or 0), oldest) for uid, c, r, oldest in held_rows}

    week_ago = now - timedelta(days=7)
    minutes = decided.c.work_ms.label("ms")
    per = (
        select(
            decided.c.decided_by.label("who"),
            minutes,
            func.row_number().over(partition_by=decided.c.decided_by, order_by=minutes).label("rn"),
            func.count().over(partition_by=decided.c.decided_by).label("n"),
        )
        .where(
            decided.c.decided_at > week_ago,
            decided.c.decided_at <= now,
            decided.c.work_ms.is_not(None),
            decided.c.decided_by.is_not(None),
        )
        .subquery()
    )
    # The median: the middle value, or the mean of the two middle ones.
    medians = dict(
        session.execute(
            select(per.c.who, func.avg(per.c.ms))
            .where(per.c.rn.in_([(per.c.n + 1) // 2, (per.c.n + 2) // 2]))
            .group_by(per.c.who)
        ).all()
    )

    rows = []
    for user in session.scalars(select(User).order_by(User.name, User.id)):
        count, in_review, oldest = held.get(user.id, (0, 0, None))
        if user.role == "read_only" and not count and user.id not in decided_today:
            continue
        median_ms = medians.get(user.id)
        rows.append(
            ReviewerStats(
                user_id=user.id,
                name=user.name,
                assigned_open=count,
                in_review=in_review,
                decided_today=decided_today.get(user.id, 0),
                median_minutes_per_decision=(
                    None if median_ms is None else round(float(median_ms) / 60_000, 1)
                ),
                oldest_held_received_at=_from_store(oldest),
            )
        )
    return tuple(rows)


def _from_store(value: Any) -> datetime | None:
    # MIN() keeps the column's type, but be safe should SQLite's text come back instead.
    if value is None or isinstance(value, datetime):
        return value.astimezone(UTC) if isinstance(value, datetime) else None
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def aging_buckets(
    session: Session,
    now: datetime,
    filters: StatsFilter | None = None,
    *,
    bucket_hours: int = 4,
    max_hours: int = 48,
) -> tuple[AgingBucket, ...]:
    """Open items by hours since receipt: ``[0, 4) … [44, 48)`` and ``48h+``."""
    filters = filters or StatsFilter()
    last = max_hours // bucket_hours
    age_ms = _ms_between(
        literal(now.astimezone(UTC), Submission.received_at.type), Submission.received_at
    )
    bucket = case(
        (age_ms < 0, 0),  # received "in the future" (clock skew) counts as brand new
        else_=func.min(age_ms // (bucket_hours * 3_600_000), last),
    ).label("bucket")
    found = dict(
        session.execute(
            _filtered(
                select(bucket, func.count()).where(_open_condition()).group_by(bucket), filters
            )
        ).all()
    )
    return tuple(
        AgingBucket(
            start_hours=i * bucket_hours,
            end_hours=None if i == last else (i + 1) * bucket_hours,
            count=int(found.get(i, 0)),
        )
        for i in range(last + 1)
    )


def daily_trend(
    session: Session,
    now: datetime,
    filters: StatsFilter | None = None,
    tz: tzinfo = UTC,
    days: int = 14,
    *,
    decided: Table | None = None,
) -> tuple[DayTrend, ...]:
    """Received and decided per local calendar day, the last ``days`` days up to today."""
    filters = filters or StatsFilter()
    today = local_today(now, tz)
    spans = [local_day_bounds(today - timedelta(days=days - 1 - i), tz) for i in range(days)]
    first, last_end = spans[0][0], spans[-1][1]

    def day_of(column: Any) -> Any:
        # Local midnights as UTC instants, newest first: one CASE, one pass over the rows.
        return case(
            *[(column >= start, i) for i, (start, _) in reversed(list(enumerate(spans)))],
            else_=None,
        ).label("day")

    received_day = day_of(Submission.received_at)
    received = dict(
        session.execute(
            _filtered(
                select(received_day, func.count())
                .where(Submission.received_at >= first, Submission.received_at < last_end)
                .group_by(received_day),
                filters,
            )
        ).all()
    )
    if decided is None:
        decided = decided_window(session, filters, first)
    decided_day = day_of(decided.c.decided_at)
    turnaround = decided.c.turnaround_ms
    decided_rows = {
        day: (int(count), int(within or 0))
        for day, count, within in session.execute(
            select(decided_day, func.count(), func.sum(case((turnaround <= DAY_MS, 1), else_=0)))
            .where(decided.c.decided_at >= first, decided.c.decided_at < last_end)
            .group_by(decided_day)
        )
    }
    return tuple(
        DayTrend(
            day=today - timedelta(days=days - 1 - i),
            start=start,
            end=end,
            received=int(received.get(i, 0)),
            decided=decided_rows.get(i, (0, 0))[0],
            within_24h=decided_rows.get(i, (0, 0))[1],
        )
        for i, (start, end) in enumerate(spans)
    )


def overdue_items(
    session: Session,
    now: datetime,
    filters: StatsFilter | None = None,
    limit: int = 25,
    *,
    within_hours: float = 0,
) -> tuple[OverdueItem, ...]:
    """Open items due before ``now + within_hours``, most overdue first (the report's list)."""
    filters = filters or StatsFilter()
    assignment = (
        select(OutboxItem.state)
        .where(OutboxItem.submission_id == Submission.id, OutboxItem.kind == "assign")
        .order_by(OutboxItem.seq.desc())
        .limit(1)
        .scalar_subquery()
        .label("assignment")
    )
    rows = session.execute(
        _filtered(
            select(
                Submission.id,
                Vendor.name,
                Project.name,
                Submission.kind,
                Submission.assigned_to,
                Submission.received_at,
                Submission.due_at,
                assignment,
            )
            .join(Vendor, Submission.vendor_id == Vendor.id)
            .outerjoin(Project, Submission.project_id == Project.id)
            .where(
                _open_condition(),
                Submission.due_at < now.astimezone(UTC) + timedelta(hours=within_hours),
            )
            .order_by(Submission.due_at, Submission.id)
            .limit(limit),
            filters,
        )
    ).all()
    return tuple(
        OverdueItem(
            id=sid,
            vendor=vendor,
            project=project,
            kind=kind,
            assigned_to=holder,
            received_at=received,
            due_at=due,
            assignment_state=state,
        )
        for sid, vendor, project, kind, holder, received, due, state in rows
    )


def pending_assignments(session: Session) -> int:
    """Reassignments written here and not yet confirmed by the tracker."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(OutboxItem)
            .where(OutboxItem.kind == "assign", OutboxItem.state == "pending")
        )
        or 0
    )


LAST_SYNC_KEY = "last_successful_sync"  # written by the sync engine: {"at": iso time}


def last_synced_at(session: Session) -> datetime | None:
    """When the store last heard from the tracker (the offline figures' "as of")."""
    state = session.get(AppState, LAST_SYNC_KEY)
    if state is not None and isinstance(state.value, dict):
        try:
            return parse_iso(str(state.value.get("at")))
        except ValueError:
            pass
    # Before the first full sync pass: the newest submission the store was given.
    return _from_store(session.scalar(select(func.max(Submission.synced_at))))


def decided_today_ids(
    session: Session,
    now: datetime,
    filters: StatsFilter | None = None,
    tz: tzinfo = UTC,
    *,
    decided: Table | None = None,
) -> tuple[str, ...]:
    """The submissions decided today (a tile's drill-down)."""
    start, end = local_day_bounds(local_today(now, tz), tz)
    if decided is None:
        decided = decided_window(session, filters or StatsFilter(), start)
    return tuple(
        session.scalars(
            select(decided.c.submission_id)
            .where(decided.c.decided_at >= start, decided.c.decided_at < end)
            .order_by(decided.c.decided_at)
        )
    )


def filter_choices(session: Session) -> FilterChoices:
    """The customers (by Procore company) and projects the store knows, for the filter boxes."""
    # Distinct ids first (one scan), then names for the handful found.
    ids = select(Submission.procore_company_id).distinct().subquery()
    companies = session.execute(
        select(ids.c.procore_company_id, func.max(Company.name))
        .outerjoin(Company, Company.procore_company_id == ids.c.procore_company_id)
        .where(ids.c.procore_company_id.is_not(None))
        .group_by(ids.c.procore_company_id)
        .order_by(ids.c.procore_company_id)
    ).all()
    projects = session.execute(
        select(Project.id, Project.name)
        .where(exists().where(Submission.project_id == Project.id))
        .order_by(Project.name)
    ).all()
    return FilterChoices(
        companies=tuple(Choice(str(cid), name or f"Company {cid}") for cid, name in companies),
        projects=tuple(Choice(pid, name) for pid, name in projects),
    )


def assignable_users(session: Session) -> list[Choice]:
    """Who a lead can give work to: reviewers and leads, by name."""
    rows = session.execute(
        select(User.id, User.name)
        .where(User.role.in_(("reviewer", "lead")))
        .order_by(User.name, User.id)
    ).all()
    return [Choice(uid, name) for uid, name in rows]


def missed_24h_ids(
    session: Session,
    now: datetime,
    filters: StatsFilter | None = None,
    *,
    decided: Table | None = None,
) -> tuple[str, ...]:
    """The last 7 days' decisions that took longer than 24 h (the share tile's drill-down)."""
    now = now.astimezone(UTC)
    if decided is None:
        decided = decided_window(session, filters or StatsFilter(), now - timedelta(days=7))
    return tuple(
        session.scalars(
            select(decided.c.submission_id)
            .where(
                decided.c.decided_at > now - timedelta(days=7),
                decided.c.decided_at <= now,
                decided.c.turnaround_ms > DAY_MS,
            )
            .order_by(decided.c.decided_at)
        )
    )


def _filter_labels(session: Session, filters: StatsFilter) -> dict[str, str]:
    labels: dict[str, str] = {}
    if filters.company_ids:
        labels.update(
            (str(cid), name)
            for cid, name in session.execute(
                select(Company.procore_company_id, Company.name).where(
                    Company.procore_company_id.in_(filters.company_ids)
                )
            ).all()
        )
    if filters.project_ids:
        labels.update(
            session.execute(
                select(Project.id, Project.name).where(Project.id.in_(filters.project_ids))
            ).all()
        )
    return labels


def user_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(User.id, User.name)).all())


def snapshot(
    session: Session,
    now: datetime,
    filters: StatsFilter | None = None,
    tz: tzinfo = UTC,
    *,
    overdue_limit: int = 25,
    decided: Table | None = None,
) -> TeamSnapshot:
    """Every figure of the dashboard and the report at one instant.

    ``decided``: a :func:`decided_window` filled from :func:`stats_since` for these filters,
    when the caller wants more figures from it (the dashboard's drill-down lists).
    """
    filters = filters or StatsFilter()
    if decided is None:
        decided = decided_window(session, filters, stats_since(now, tz))
    return TeamSnapshot(
        now=now.astimezone(UTC),
        tz_name=zone_name(tz),
        filters=filters,
        stats=compute_stats(session, now, filters, tz, decided=decided),
        aging=aging_buckets(session, now, filters),
        trend=daily_trend(session, now, filters, tz, decided=decided),
        overdue_items=overdue_items(session, now, filters, overdue_limit),
        user_names=user_names(session),
        labels=_filter_labels(session, filters),
    )
