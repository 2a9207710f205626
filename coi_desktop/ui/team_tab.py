"""The Team tab of a lead's window: made and removed with the role, wired to the queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from coi_desktop.models import User
from coi_desktop.sync.engine import SyncStatus
from coi_desktop.team_lookups import user_names
from coi_desktop.ui.dashboard import DashboardWidget

if TYPE_CHECKING:
    from coi_desktop.ui.main_window import MainWindow


class TeamTab(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._w = window
        self.dashboard: DashboardWidget | None = None

    def follow(self, user: User | None) -> None:
        """Leads get the tab; anyone else loses it."""
        lead = user is not None and user.role == "lead"
        if lead and self.dashboard is None:
            self._install()
        elif not lead and self.dashboard is not None:
            self.shutdown()

    def _install(self) -> None:
        w = self._w
        self.dashboard = DashboardWidget(w.workspace)
        w.tabs.addTab(self.dashboard, "Team")
        self.dashboard.drill_down.connect(w.apply_drill_down)
        self.dashboard.reassigned.connect(w.submissions_changed)
        self.dashboard.reassigned.connect(lambda _ids: w.sync.request_sync())
        self.dashboard.refreshed.connect(self._names_refreshed)

    def _names_refreshed(self) -> None:
        """The team view learned names from the tracker: the queue's Reviewer column uses them."""
        database = self._w.workspace.database

        def read() -> dict[str, str]:
            with database.session() as session:
                return user_names(session)

        def show(names: dict[str, str]) -> None:
            self._w.model.user_names.update(names)
            self._w.table.viewport().update()

        self._w.reads.run("read the team's names", read, done=show, quiet=True)

    def sync_pass_done(self, status: SyncStatus | str) -> None:
        """A pass may have delivered reassignments or brought decisions: refresh if shown."""
        state = status.state if isinstance(status, SyncStatus) else ""
        shown = self.dashboard is not None and self._w.tabs.currentWidget() is self.dashboard
        if self.dashboard is not None and shown and state not in ("", "syncing"):
            self.dashboard.refresh()

    def shutdown(self) -> None:
        dashboard, self.dashboard = self.dashboard, None
        if dashboard is not None:
            self._w.tabs.removeTab(self._w.tabs.indexOf(dashboard))
            dashboard.shutdown()
            dashboard.deleteLater()
