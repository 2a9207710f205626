"""The SQL shapes of the team figures: what counts as decided and as open, filters, and the
per-refresh window of recent decisions the figures and drill-downs read (Qt-free).

The definitions are in :mod:`coi_desktop.teamstats`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

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
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import CTE

from coi_desktop.models import (
    OPEN_STATUSES,
    OUTCOMES,
    Decision,
    Submission,
    UTCDateTime,
)
from coi_desktop.teamstats import DAY_MS, StatsFilter
from coi_desktop.timeutil import local_day_bounds, local_today


def ms_between(later: Any, earlier: Any) -> ColumnElement[int]:
    # SQLite's date functions count whole milliseconds, so this is exact to the millisecond.
    return cast(func.round((func.julianday(later) - func.julianday(earlier)) * 86_400_000), Integer)


def filtered(stmt: Any, filters: StatsFilter) -> Any:
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


def active_decision() -> Any:
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
        func.coalesce(Submission.status, "").in_(OUTCOMES),
    ]
    if since is not None:
        here_when.append(Decision.decided_at >= since)
        elsewhere_when.insert(0, Submission.synced_at >= since)
    here = filtered(
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
    elsewhere = filtered(
        select(
            Submission.id.label("submission_id"),
            Submission.synced_at.label("decided_at"),
            Submission.assigned_to.label("decided_by"),
            Submission.received_at.label("received_at"),
            Submission.claimed_at.label("claimed_at"),
        ).where(*elsewhere_when),
        filters,
    ).where(~exists().where(active_decision()))
    return union_all(here, elsewhere).cte("decided")


def open_condition() -> Any:
    return and_(Submission.status.in_(OPEN_STATUSES), ~exists().where(active_decision()))


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
                ms_between(source.c.decided_at, source.c.received_at),
                case(
                    (
                        source.c.claimed_at.is_not(None),
                        ms_between(source.c.decided_at, source.c.claimed_at),
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


def from_store(value: Any) -> datetime | None:
    # MIN() keeps the column's type, but be safe should SQLite's text come back instead.
    if value is None or isinstance(value, datetime):
        return value.astimezone(UTC) if isinstance(value, datetime) else None
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


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
