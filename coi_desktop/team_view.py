"""One refresh of the team view: every figure, list and choice it shows, as plain data.

Qt-free: the dashboard's worker thread calls :func:`compute_dashboard`, and so do the bench
and the tests. When a tracker answers ``GET /queue/stats`` the headline figures are its own
(the whole team's, for an unfiltered view); everything else is the local store's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from sqlalchemy import text

from coi_desktop.database import Database
from coi_desktop.team_lookups import (
    assignable_users,
    filter_choices,
    last_synced_at,
    learn_team,
    pending_assignments,
    user_names,
)
from coi_desktop.team_queries import overdue_items, snapshot
from coi_desktop.team_sql import decided_today_ids, decided_window, missed_24h_ids, stats_since
from coi_desktop.teamstats import (
    Choice,
    FilterChoices,
    OverdueItem,
    StatsFilter,
    TeamSnapshot,
    TeamStats,
)

# Asks the tracker for its figures; None when it cannot answer (offline, signed out).
ServerStats = Callable[[], TeamStats | None]

ATTENTION_LIMIT = 500
CACHE_KIB = 32 * 1024


@dataclass(frozen=True)
class DashboardData:
    """One refresh: the snapshot, where its headline figures came from, and what is pending."""

    generation: int
    snapshot: TeamSnapshot
    attention: tuple[OverdueItem, ...]  # overdue and due within 4 h, most urgent first
    choices: FilterChoices
    synced_at: datetime | None  # the store's last word from the tracker
    online: bool  # the headline figures came from the tracker
    pending_assignments: int
    decided_today_ids: tuple[str, ...] = ()
    missed_24h_ids: tuple[str, ...] = ()
    team: tuple[Choice, ...] = ()  # who the lead can give work to, by name


def compute_dashboard(
    database: Database,
    generation: int,
    filters: StatsFilter,
    tz: tzinfo,
    now: datetime,
    server: ServerStats | None,
    choices: FilterChoices | None = None,
) -> DashboardData:
    """Everything one refresh shows.

    ``choices``: the filter boxes' contents from an earlier refresh, when still fresh.
    """
    with database.session() as session:
        # The team view reads the whole recent history each minute; a bigger page cache on
        # this connection keeps those pages in memory between refreshes (SQLite's default
        # is 2 MB). Per connection, reset by nothing else; harmless for other users of it.
        session.execute(text(f"PRAGMA cache_size=-{CACHE_KIB}"))
        decided = decided_window(session, filters, stats_since(now, tz))
        snap = snapshot(session, now, filters, tz, decided=decided)
        attention = overdue_items(session, now, filters, ATTENTION_LIMIT, within_hours=4)
        choices = choices or filter_choices(session)
        synced = last_synced_at(session)
        pending = pending_assignments(session)
        today_ids = decided_today_ids(session, now, filters, tz, decided=decided)
        missed = missed_24h_ids(session, now, filters, decided=decided)
        team = tuple(assignable_users(session))
    online = False
    # The tracker answers for the whole team only; a filtered view is always computed here.
    if server is not None and filters.empty:
        remote = server()
        if remote is not None:
            # The tracker names the whole team: keep the names (and who can be given work).
            with database.session() as session:
                if learn_team(session, remote.reviewers):
                    session.flush()
                    names = user_names(session)
                    team = tuple(assignable_users(session))
                else:
                    names = snap.user_names
            snap = replace(snap, stats=remote, user_names=names)
            online = True
    return DashboardData(
        generation, snap, attention, choices, synced, online, pending, today_ids, missed, team
    )
