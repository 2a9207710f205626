"""The status bar's permanent labels: store work under way, preparation, sync, who, the time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QStatusBar

from coi_desktop.models import User


def user_text(user: User | None) -> str:
    return "Not signed in" if user is None else f"{user.name} · {user.role.replace('_', '-')}"


class StatusLabels:
    def __init__(self, bar: QStatusBar, sync_label: QLabel, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self.busy = QLabel("")  # what the write operations do now ("Saving the decision…")
        self.busy.setObjectName("busy_label")
        self.prepare = QLabel("")
        self.user = QLabel()
        self.user.setObjectName("user_label")
        self.user.setToolTip("Signed-in user and role")
        self.clock = QLabel()
        self.clock.setObjectName("clock_label")
        self.clock.setToolTip("Local time")
        for label in (self.busy, self.prepare, sync_label, self.user, self.clock):
            bar.addPermanentWidget(label)
        self._timer = QTimer(bar)
        self._timer.setInterval(15_000)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self.tick()

    def tick(self) -> None:
        self.clock.setText(self._clock().astimezone().strftime("%a %H:%M"))

    def preparing(self, busy: bool) -> None:
        self.prepare.setText("Preparing new submissions…" if busy else "")
