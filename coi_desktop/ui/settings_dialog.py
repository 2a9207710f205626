"""Settings: where the tracker and Procore are, and signing in to each.

URLs and ids go to the settings file; tokens and secrets only to the OS keyring. *Test
connection* runs off the GUI thread and says plainly what worked or what did not.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from coi_desktop.credentials import (
    ENV_SECRETS,
    PROCORE_CLIENT_SECRET,
    TRACKER_TOKEN,
    Credentials,
    CredentialStoreUnavailable,
)
from coi_desktop.settings import (
    ENV_PROCORE_API_URL,
    ENV_PROCORE_CLIENT_ID,
    ENV_PROCORE_LOGIN_URL,
    ENV_TRACKER_URL,
    PROCORE_HOSTS,
    Connection,
    Settings,
    company_ids,
    resolve_connection,
    save_settings,
)
from coi_desktop.sync.procore import ProcoreClient
from coi_desktop.sync.procore_auth import ProcoreAuth
from coi_desktop.sync.tracker import check_tracker
from coi_desktop.sync.transport import SyncProblem

ENVIRONMENTS = [
    ("production", "Production"),
    ("sandbox", "Developer sandbox"),
    ("monthly", "Monthly sandbox (your company's copy)"),
    ("custom", "Custom URLs"),
]
# Connection fields the environment can set (settings.resolve_connection), by variable.
ENV_FIELDS = {
    "tracker_url": ENV_TRACKER_URL,
    "procore_api_url": ENV_PROCORE_API_URL,
    "procore_login_url": ENV_PROCORE_LOGIN_URL,
    "procore_client_id": ENV_PROCORE_CLIENT_ID,
}


class _CheckSignals(QObject):
    done = Signal(str, str)  # which, message


class _Check(QRunnable):
    """A connection test on the thread pool; the answer comes back as a queued signal."""

    def __init__(self, which: str, job: Callable[[], str], signals: _CheckSignals) -> None:
        super().__init__()
        self.which, self.job, self.signals = which, job, signals

    def run(self) -> None:
        try:
            message = self.job()
        except Exception as exc:  # a test must always answer
            message = f"Not connected: {exc}"
        self.signals.done.emit(self.which, message)


class SettingsDialog(QDialog):
    """``SettingsDialog(settings, settings_file)``; ``saved_settings`` after *Save*."""

    def __init__(
        self,
        settings: Settings,
        settings_file: Path,
        credentials: Credentials | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("COI Desk settings")
        self.settings = settings
        self.settings_file = settings_file
        self.credentials = credentials or Credentials()
        self.saved_settings: Settings | None = None
        self.saved_message = ""  # what Save did, for the window's status bar
        self.pinned: dict[str, str] = {}  # field → the environment variable that sets it
        self.pool = QThreadPool(self)
        self.signals = _CheckSignals(self)
        self.signals.done.connect(self._show_result)

        connection = resolve_connection(settings)
        self.tracker_url = QLineEdit(settings.tracker_url)
        self.tracker_url.setPlaceholderText("https://tracker.example.com/api/v1")
        self.tracker_token = QLineEdit(
            self.credentials.get(TRACKER_TOKEN, connection.tracker_url) or ""
        )
        self.tracker_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.tracker_test = QPushButton("Test connection")
        self.tracker_result = QLabel("")
        self.tracker_result.setWordWrap(True)
        self.tracker_test.clicked.connect(self.test_tracker)

        self.environment = QComboBox()
        for key, label in ENVIRONMENTS:
            self.environment.addItem(label, key)
        self.environment.setCurrentIndex(
            [k for k, _ in ENVIRONMENTS].index(settings.procore_environment)
        )
        self.api_url = QLineEdit(settings.procore_api_url)
        self.login_url = QLineEdit(settings.procore_login_url)
        self.client_id = QLineEdit(settings.procore_client_id)
        self.client_secret = QLineEdit(
            self.credentials.get(PROCORE_CLIENT_SECRET, connection.procore_login_url) or ""
        )
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.use_credentials = QRadioButton("Service account (client credentials)")
        self.use_installed = QRadioButton("Sign in as me (installed app, paste a code)")
        group = QButtonGroup(self)
        group.addButton(self.use_credentials)
        group.addButton(self.use_installed)
        (
            self.use_installed if settings.procore_auth == "installed_app" else self.use_credentials
        ).setChecked(True)
        self.open_sign_in = QPushButton("Open Procore sign-in page")
        self.open_sign_in.clicked.connect(self.open_sign_in_page)
        self.code = QLineEdit()
        self.code.setPlaceholderText("Paste the code Procore shows")
        self.sign_in = QPushButton("Sign in with code")
        self.sign_in.clicked.connect(self.sign_in_with_code)
        self.procore_test = QPushButton("Test connection")
        self.procore_test.clicked.connect(self.test_procore)
        self.procore_result = QLabel("")
        self.procore_result.setWordWrap(True)
        self.expiry_emails = QLineEdit(", ".join(settings.procore_expiry_emails))
        self.expiry_emails.setPlaceholderText("none (recommended)")
        self.expiry_emails.setToolTip(
            "Procore company ids, comma separated, whose vendors Procore may e-mail every day "
            "once a policy has expired. Every other company: no such e-mails."
        )
        self.environment.currentIndexChanged.connect(self._environment_changed)
        self.use_installed.toggled.connect(self._auth_changed)

        tracker_box = QGroupBox("Tracker")
        form = QFormLayout(tracker_box)
        form.addRow("URL", self.tracker_url)
        form.addRow("Token", self.tracker_token)
        form.addRow(self.tracker_test, self.tracker_result)
        procore_box = QGroupBox("Procore")
        form = QFormLayout(procore_box)
        form.addRow("Environment", self.environment)
        form.addRow("API URL", self.api_url)
        form.addRow("Login URL", self.login_url)
        form.addRow("Client id", self.client_id)
        form.addRow("Client secret", self.client_secret)
        form.addRow(self.use_credentials)
        form.addRow(self.use_installed)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code, 1)
        code_row.addWidget(self.sign_in)
        form.addRow(self.open_sign_in, code_row)
        form.addRow(self.procore_test, self.procore_result)
        form.addRow("Expired-insurance e-mails for companies", self.expiry_emails)
        self.message = QLabel(self.credentials.status().message)
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tracker_box)
        layout.addWidget(procore_box)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._environment_changed()
        self._auth_changed()
        self._show_values_in_effect(connection, tracker_box, procore_box)

    # -- the environment ---------------------------------------------------------------

    def _show_values_in_effect(
        self, connection: Connection, tracker_box: QGroupBox, procore_box: QGroupBox
    ) -> None:
        """Fields the environment sets show its value, locked, and say so: what is tested and
        used is what is shown, and Save cannot pretend to change it."""
        edits = self._edits()
        for name, variable in ENV_FIELDS.items():
            if connection.sources.get(name) == "environment":
                self.pinned[name] = variable
                self._pin(edits[name], str(getattr(connection, name)), variable)
        env = os.environ
        for name, edit in (
            (TRACKER_TOKEN, self.tracker_token),
            (PROCORE_CLIENT_SECRET, self.client_secret),
        ):
            variable = ENV_SECRETS[name]
            if env.get(variable):
                self.pinned[name] = variable
                self._pin(edit, env[variable], variable)
        for box, names in (
            (tracker_box, ("tracker_url", TRACKER_TOKEN)),
            (
                procore_box,
                (
                    "procore_api_url",
                    "procore_login_url",
                    "procore_client_id",
                    PROCORE_CLIENT_SECRET,
                ),
            ),
        ):
            layout = box.layout()
            assert isinstance(layout, QFormLayout)
            pinned = [n for n in names if n in self.pinned]
            for name in pinned:
                label = layout.labelForField(self._edits()[name])
                if isinstance(label, QLabel):
                    label.setText(f"{label.text()} (env)")
            if pinned:
                # Two short lines, no word wrap: the dialog must fit a 768 px high screen,
                # and a wrapped label in a form was squeezed over the rows below it.
                note = QLabel(
                    "(env): set by an environment variable, so in effect and locked "
                    "here;\nunset it and restart to edit it. The variables: "
                    + ", ".join(self.pinned[n].removeprefix("COI_DESKTOP_") for n in pinned)
                    + "."
                )
                note.setObjectName("environmentNote")
                note.setToolTip("\n".join(self.pinned[n] for n in pinned))
                note.setStyleSheet("color: #9a5b00;")
                # Above the group, not in its form: a form's height-for-width left out a row
                # inserted later, and the note was drawn over the rows below it.
                outer = self.layout()
                assert isinstance(outer, QVBoxLayout)
                outer.insertWidget(outer.indexOf(box), note)

    def _edits(self) -> dict[str, QLineEdit]:
        return {
            "tracker_url": self.tracker_url,
            "procore_api_url": self.api_url,
            "procore_login_url": self.login_url,
            "procore_client_id": self.client_id,
            TRACKER_TOKEN: self.tracker_token,
            PROCORE_CLIENT_SECRET: self.client_secret,
        }

    @staticmethod
    def _pin(edit: QLineEdit, value: str, variable: str) -> None:
        edit.setText(value)
        edit.setReadOnly(True)
        edit.setEnabled(False)
        edit.setToolTip(f"From {variable} in the environment")

    # -- what the form says ------------------------------------------------------------

    def current_settings(self) -> Settings:
        """What Save writes: the form, except fields the environment sets (the file keeps its
        own value for those; the environment's is never copied into it)."""

        def field(name: str, edit: QLineEdit) -> str:
            if name in self.pinned:
                return str(getattr(self.settings, name))
            return edit.text().strip().rstrip("/")

        return replace(
            self.settings,
            tracker_url=field("tracker_url", self.tracker_url),
            procore_environment=self.environment.currentData(),
            procore_api_url=field("procore_api_url", self.api_url),
            procore_login_url=field("procore_login_url", self.login_url),
            procore_client_id=field("procore_client_id", self.client_id),
            procore_auth="installed_app"
            if self.use_installed.isChecked()
            else "client_credentials",
            procore_expiry_emails=company_ids(self.expiry_emails.text()),
        )

    def _urls(self) -> tuple[str, str, str]:
        connection = resolve_connection(self.current_settings())
        return connection.tracker_url, connection.procore_api_url, connection.procore_login_url

    def _environment_changed(self) -> None:
        key = self.environment.currentData()
        custom = key == "custom"
        self.api_url.setEnabled(custom)
        self.login_url.setEnabled(custom)
        if not custom:
            api, login = PROCORE_HOSTS[key]
            self.api_url.setText(api)
            self.login_url.setText(login)
        for name, edit in (
            ("procore_api_url", self.api_url),
            ("procore_login_url", self.login_url),
        ):
            if name in self.pinned:  # the environment's value stays shown
                edit.setText(str(getattr(resolve_connection(self.current_settings()), name)))
                edit.setEnabled(False)

    def _auth_changed(self) -> None:
        installed = self.use_installed.isChecked()
        for widget in (self.open_sign_in, self.code, self.sign_in):
            widget.setEnabled(installed)

    # -- secrets ---------------------------------------------------------------------------

    def _keep_secrets(self) -> bool:
        tracker_url, _, login_url = self._urls()
        try:
            if (
                self.tracker_token.text().strip()
                and tracker_url
                and TRACKER_TOKEN not in self.pinned
            ):
                self.credentials.set(TRACKER_TOKEN, self.tracker_token.text().strip(), tracker_url)
            if (
                self.client_secret.text().strip()
                and login_url
                and PROCORE_CLIENT_SECRET not in self.pinned
            ):
                self.credentials.set(
                    PROCORE_CLIENT_SECRET, self.client_secret.text().strip(), login_url
                )
        except CredentialStoreUnavailable as exc:
            self.message.setText(str(exc))
            return False
        return True

    def save(self) -> None:
        if not self._keep_secrets():
            return
        settings = self.current_settings()
        try:
            save_settings(self.settings_file, settings)
        except OSError as exc:
            self.message.setText(f"The settings could not be saved to {self.settings_file}: {exc}.")
            return
        self.saved_settings = settings
        self.saved_message = f"Settings saved to {self.settings_file}."
        if self.pinned:
            self.saved_message += (
                f" Still set by the environment: {', '.join(sorted(set(self.pinned.values())))}."
            )
        self.accept()

    def _auth(self) -> ProcoreAuth:
        _, _, login_url = self._urls()
        grant = "refresh_token" if self.use_installed.isChecked() else "client_credentials"
        return ProcoreAuth(
            login_url,
            self.client_id.text().strip(),
            grant=grant,
            credentials=self.credentials,
            timeout=(5.0, 10.0),
        )

    def open_sign_in_page(self) -> None:
        url = self._auth().authorize_url()
        self.procore_result.setText(f"Sign in at {url} and paste the code shown.")
        QDesktopServices.openUrl(QUrl(url))

    def sign_in_with_code(self) -> None:
        code = self.code.text().strip()
        if not code:
            self.procore_result.setText("Paste the code Procore showed you first.")
            return
        if not self._keep_secrets():
            return
        auth = self._auth()

        def job() -> str:
            try:
                auth.sign_in_with_code(code)
            except SyncProblem as exc:
                return f"Not signed in: {exc}"
            return "Signed in to Procore; the tokens are in the keyring."

        self.code.clear()  # the code works once
        self._run("procore", job)

    # -- tests -----------------------------------------------------------------------------

    def test_tracker(self) -> None:
        url, token = self._urls()[0], self.tracker_token.text().strip()
        if not url or not token:
            self.tracker_result.setText("Enter the tracker URL and your token first.")
            return
        self._run("tracker", lambda: f"{check_tracker(url, token)}\nTested {url}")

    def test_procore(self) -> None:
        if not self.client_id.text().strip():
            self.procore_result.setText("Enter the Procore client id first.")
            return
        if not self._keep_secrets():
            return
        _, api_url, _ = self._urls()
        auth = self._auth()
        self._run("procore", lambda: ProcoreClient(api_url, auth).check(None))

    def _run(self, which: str, job: Callable[[], str]) -> None:
        label = self.tracker_result if which == "tracker" else self.procore_result
        label.setText("Testing…")
        self.pool.start(_Check(which, job, self.signals))

    def _show_result(self, which: str, message: str) -> None:
        (self.tracker_result if which == "tracker" else self.procore_result).setText(message)

    def done(self, result: int) -> None:
        self.pool.waitForDone(15_000)  # no test thread outlives the dialog
        super().done(result)
