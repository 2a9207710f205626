"""The team figures from the local store at one instant: :func:`snapshot` and its parts.

Aggregation happens in SQLite (GROUP BY, window functions); Python only combines a handful of
scalars per figure. The definitions are in :mod:`coi_desktop.teamstats`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import (
    Table,
    and_,
    case,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session

from coi_desktop.models import (
    OPEN_STATUSES,
    STATUSES,
    Company,
    Decision,
    OutboxItem,
    Project,
    Submission,
    User,
    Vendor,
)
from coi_desktop.team_lookups import user_names
from coi_desktop.team_sql import (
    active_decision,
    decided_window,
    filtered,
    from_store,
    ms_between,
    open_condition,
    stats_since,
)
from coi_desktop.teamstats import (
    DAY_MS,
    DUE_SOON_HOURS,
    AgingBucket,
    DayTrend,
    OverdueItem,
    ReviewerStats,
    StatsFilter,
    TeamSnapshot,
    TeamStats,
)
from coi_desktop.timeutil import local_day_bounds, local_today, zone_name


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
    by_status: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for name, count in session.execute(
        filtered(select(Submission.status, func.count()).group_by(Submission.status), filters)
    ).all():
        by_status[name] = by_status.get(name, 0) + int(count)
    for name, outcome, count in session.execute(
        filtered(
            select(Submission.status, Decision.outcome, func.count())
            .join(Decision, active_decision())
            .where(Submission.status.in_(OPEN_STATUSES))
            .group_by(Submission.status, Decision.outcome),
            filters,
        )
    ).all():
        by_status[name] -= int(count)
        by_status[outcome] = by_status.get(outcome, 0) + int(count)
    open_count = sum(by_status[s] for s in OPEN_STATUSES)
    overdue, due_soon = session.execute(
        filtered(
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
            ).where(open_condition()),
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
        filtered(
            select(
                Submission.assigned_to,
                func.count(),
                func.sum(case((Submission.status == "in_review", 1), else_=0)),
                func.min(Submission.received_at),
            )
            .where(Submission.assigned_to.is_not(None), open_condition())
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
                oldest_held_received_at=from_store(oldest),
            )
        )
    return tuple(rows)


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
    age_ms = ms_between(
        literal(now.astimezone(UTC), Submission.received_at.type), Submission.received_at
    )
    bucket = case(
        (age_ms < 0, 0),  # received "in the future" (clock skew) counts as brand new
        else_=func.min(age_ms // (bucket_hours * 3_600_000), last),
    ).label("bucket")
    found = dict(
        session.execute(
            filtered(select(bucket, func.count()).where(open_condition()).group_by(bucket), filters)
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
            filtered(
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
        filtered(
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
                open_condition(),
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
