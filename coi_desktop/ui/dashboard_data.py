"""The team view's data off the GUI thread: a computer for its refreshes; Qt models show them.

The computer runs :func:`coi_desktop.team_view.compute_dashboard` (the local store's
figures and, when a tracker is configured and reachable, its ``GET /queue/stats``) on the
view's reads operations. Each answer carries its generation number, so a late answer
never overwrites a newer one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
)

from coi_desktop.sync.team import stats_fetcher
from coi_desktop.team_view import DashboardData, ServerStats, compute_dashboard
from coi_desktop.teamstats import (
    FilterChoices,
    StatsFilter,
)
from coi_desktop.workspace import Workspace

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
CHOICES_MAX_AGE_S = 300.0  # customers and projects change slowly; list them every 5 minutes


def tracker_stats_fetcher(workspace: Workspace, timeout: float = 5.0) -> ServerStats | None:
    """A function that asks the configured tracker for /queue/stats (None when offline)."""
    return stats_fetcher(workspace.connection, workspace.credentials, timeout)


class DashboardComputer:
    """Computes refreshes on the team view's reads thread, and only there (its list of
    customers and projects is kept between refreshes, so it is that thread's alone)."""

    def __init__(
        self, workspace: Workspace, server: ServerStats | None, clock: Callable[[], datetime]
    ) -> None:
        self._workspace, self._server, self._clock = workspace, server, clock
        self._choices: tuple[float, FilterChoices] | None = None

    def compute(self, generation: int, filters: StatsFilter, tz: tzinfo) -> DashboardData:
        cached = self._choices
        fresh = cached is not None and time.monotonic() - cached[0] < CHOICES_MAX_AGE_S
        data = compute_dashboard(  # a failure: the operation logs it and says a sentence
            self._workspace.database,
            generation,
            filters,
            tz,
            self._clock().astimezone(UTC),
            self._server,
            cached[1] if fresh and cached else None,
        )
        if not fresh:
            self._choices = (time.monotonic(), data.choices)
        return data

    def forget_choices(self) -> None:
        """List customers and projects again on the next refresh (after a sync brought new);
        asked from the GUI thread: one assignment, atomic under the GIL."""
        self._choices = None


# ---------------------------------------------------------------- models
