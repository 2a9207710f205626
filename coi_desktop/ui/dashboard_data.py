"""The team view's data off the GUI thread: one worker computes refreshes; Qt models show them.

The worker runs :func:`coi_desktop.team_view.compute_dashboard` (the local store's figures
and, when a tracker is configured and reachable, its ``GET /queue/stats``). Results come back
through a queued signal with a generation number, so a late answer never overwrites a newer
one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Signal,
    Slot,
)

from coi_desktop.sync.team import stats_fetcher
from coi_desktop.team_view import ServerStats, compute_dashboard
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


class DashboardWorker(QObject):
    """Lives on its own thread; one request at a time, stale refreshes skipped."""

    ready = Signal(object)  # DashboardData
    failed = Signal(int, str)

    def __init__(
        self, workspace: Workspace, server: ServerStats | None, clock: Callable[[], datetime]
    ) -> None:
        super().__init__()
        self._workspace, self._server, self._clock = workspace, server, clock
        self.latest = 0  # written by the GUI thread; an int store is atomic under the GIL
        self._choices: tuple[float, FilterChoices] | None = None

    @Slot(int, object, object)
    def compute(self, generation: int, filters: StatsFilter, tz: tzinfo) -> None:
        if generation < self.latest:
            return  # a newer request is queued behind this one
        cached = self._choices
        fresh = cached is not None and time.monotonic() - cached[0] < CHOICES_MAX_AGE_S
        try:
            data = compute_dashboard(
                self._workspace.database,
                generation,
                filters,
                tz,
                self._clock().astimezone(UTC),
                self._server,
                cached[1] if fresh and cached else None,
            )
        except Exception as exc:  # report, keep the thread alive for the next refresh
            log.exception("team view refresh failed")
            self.failed.emit(generation, f"The team figures could not be computed: {exc}")
            return
        if not fresh:
            self._choices = (time.monotonic(), data.choices)
        self.ready.emit(data)

    def forget_choices(self) -> None:
        """List customers and projects again on the next refresh (after a sync brought new)."""
        self._choices = None


# ---------------------------------------------------------------- models
