"""Who is signed in: the tracker's ``GET /me``, asked once before the window opens.

The sync learns it too, on every pass, but that pass starts after the window is up: a
fresh home would open on an empty queue as "Not signed in", without the lead's Team tab.
"""

from __future__ import annotations

import logging

from coi_desktop.credentials import TRACKER_TOKEN
from coi_desktop.ingest import IngestError, upsert_user
from coi_desktop.models import User
from coi_desktop.sync.tracker import TrackerClient
from coi_desktop.sync.transport import SyncProblem
from coi_desktop.workspace import Workspace

log = logging.getLogger(__name__)

ME_TIMEOUT_S = 4.0  # the window waits at most about this long; offline it opens at once


def sign_in_from_tracker(workspace: Workspace, timeout: float = ME_TIMEOUT_S) -> User | None:
    """Ask the configured tracker who the token belongs to and keep it; None when it cannot.

    Failures are logged, not raised: the window then opens as before and the sync (which
    also asks ``/me``) tells the user what is wrong.
    """
    connection = workspace.connection
    if not connection.tracker_configured:
        return None
    token = workspace.credentials.get(TRACKER_TOKEN, connection.tracker_url)
    if not token:
        return None
    client = TrackerClient(connection.tracker_url, token, timeout=(timeout, timeout))
    try:
        me = client.me()
    except SyncProblem as exc:
        log.info("who is signed in is not known yet: %s", exc)
        return None
    finally:
        client.close()
    try:
        with workspace.database.session() as session:
            upsert_user(session, me)
    except IngestError as exc:
        log.warning("the tracker's /me answer could not be kept: %s", exc)
        return None
    workspace.set_current_user(str(me["id"]))
    return workspace.current_user()
