"""The team as the tracker knows it: ``GET /queue/stats`` through the one tracker client.

``/me`` only ever names the signed-in user, so the store learns the rest of the team from the
reviewers ``/queue/stats`` lists (:func:`coi_desktop.team_lookups.learn_team`).
"""

from __future__ import annotations

import logging

from coi_desktop.credentials import TRACKER_TOKEN, Credentials
from coi_desktop.settings import Connection
from coi_desktop.sync.tracker import TrackerClient
from coi_desktop.sync.transport import SyncProblem
from coi_desktop.team_view import ServerStats
from coi_desktop.teamstats import TeamStats

log = logging.getLogger(__name__)


def stats_fetcher(
    connection: Connection, credentials: Credentials, timeout: float = 5.0
) -> ServerStats | None:
    """A function that asks the configured tracker for /queue/stats (None when it cannot)."""
    if not connection.tracker_configured:
        return None

    def fetch() -> TeamStats | None:
        # The token is read on each call: the lead may sign in again while the view is open.
        token = credentials.get(TRACKER_TOKEN, connection.tracker_url)
        if not token:
            return None
        client = TrackerClient(
            connection.tracker_url, token, timeout=(timeout, timeout), deadline=timeout
        )
        try:
            return TeamStats.from_json(client.queue_stats(), source="tracker")
        except (SyncProblem, ValueError, KeyError, TypeError) as exc:
            log.info("tracker /queue/stats unavailable (%s); showing local figures", exc)
            return None
        finally:
            client.close()

    return fetch
