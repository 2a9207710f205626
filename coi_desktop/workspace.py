"""Everything an entry point needs, opened in one place: locations, logs, store, settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from coi_desktop.credentials import Credentials
from coi_desktop.database import Database, open_database, storage_problem
from coi_desktop.documents import DocumentStore
from coi_desktop.logs import configure_logging
from coi_desktop.models import AppState, User
from coi_desktop.paths import Locations, locations
from coi_desktop.presence import Presence, announce
from coi_desktop.settings import Connection, Settings, load_settings, resolve_connection

log = logging.getLogger(__name__)

CURRENT_USER_KEY = "current_user"


@dataclass
class Workspace:
    locations: Locations
    database: Database
    documents: DocumentStore
    settings: Settings
    credentials: Credentials = field(default_factory=Credentials)
    presence: Presence | None = None

    @property
    def connection(self) -> Connection:
        return resolve_connection(self.settings)

    def current_user(self) -> User | None:
        """The signed-in user as last confirmed by the tracker's /me (kept for offline work)."""
        with self.database.session() as session:
            state = session.get(AppState, CURRENT_USER_KEY)
            if state is None:
                return None
            user = session.get(User, state.value.get("id"))
            if user is not None:
                session.expunge(user)
            return user

    def set_current_user(self, user_id: str) -> None:
        with self.database.session() as session:
            state = session.get(AppState, CURRENT_USER_KEY) or AppState(key=CURRENT_USER_KEY)
            state.value = {"id": user_id}
            session.add(state)

    def close(self) -> None:
        self.database.close()
        if self.presence is not None:
            self.presence.release()


def open_workspace(home: Path | None = None) -> Workspace:
    """Open the user's data (or ``home``); raises DatabaseError/SettingsError with plain text."""
    where = locations(home)
    try:
        where.ensure()
    except OSError as exc:
        raise storage_problem(exc, where.database) from exc
    configure_logging(where.log_file)
    settings = load_settings(where.settings_file)
    try:
        presence = announce(where.data_dir)
    except OSError as exc:
        raise storage_problem(exc, where.database) from exc
    try:
        database = open_database(where.database, backups_dir=where.backups_dir)
    except BaseException:
        presence.release()
        raise
    log.info("workspace opened at %s", where.data_dir)
    return Workspace(
        where, database, DocumentStore(where.documents_dir), settings, presence=presence
    )
