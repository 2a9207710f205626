"""The team as the tracker knows it: ``GET /queue/stats`` and the names and load it carries.

``/me`` only ever names the signed-in user, so the store learns the rest of the team (who a
lead can give work to, and the names behind the ``u-…`` ids on submissions) from the
reviewers ``/queue/stats`` lists. :func:`learn_team` keeps them in the ``users`` table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

import requests
from sqlalchemy.orm import Session

from coi_desktop.credentials import TRACKER_TOKEN, Credentials
from coi_desktop.models import User
from coi_desktop.settings import Connection
from coi_desktop.teamstats import ReviewerStats, TeamStats

log = logging.getLogger(__name__)

ServerStats = Callable[[], TeamStats | None]
# The tracker lists team members under "reviewers" without a role; one who never signed in
# here is kept as a reviewer until their own /me says otherwise (only roles of the signed-in
# user change what this computer allows).
UNKNOWN_ROLE = "reviewer"


def stats_fetcher(
    connection: Connection, credentials: Credentials, timeout: float = 5.0
) -> ServerStats | None:
    """A function that asks the configured tracker for /queue/stats (None when it cannot)."""
    if not connection.tracker_configured:
        return None
    url = connection.tracker_url.rstrip("/") + "/queue/stats"
    http = requests.Session()

    def fetch() -> TeamStats | None:
        token = credentials.get(TRACKER_TOKEN, connection.tracker_url)
        if not token:
            return None
        try:
            answer = http.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout)
            if answer.status_code != 200:
                log.info(
                    "tracker /queue/stats answered %s; showing local figures", answer.status_code
                )
                return None
            return TeamStats.from_json(answer.json(), source="tracker")
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            log.info("tracker /queue/stats unavailable (%s); showing local figures", exc)
            return None

    return fetch


def learn_team(session: Session, reviewers: Iterable[ReviewerStats]) -> list[str]:
    """Keep the team's names; new members are added. Returns the ids added or renamed."""
    changed: list[str] = []
    for reviewer in reviewers:
        name = reviewer.name.strip()
        if not reviewer.user_id or not name or name == reviewer.user_id:
            continue  # no name to learn
        user = session.get(User, reviewer.user_id)
        if user is None:
            session.add(User(id=reviewer.user_id, name=name, email=None, role=UNKNOWN_ROLE))
            changed.append(reviewer.user_id)
        elif user.name != name:
            user.name = name
            changed.append(reviewer.user_id)
    return changed
