"""The Qt side of sync: the worker thread's signals and clean stop, the panel, the settings."""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Slot
from pytestqt.qtbot import QtBot

from coi_desktop.credentials import PROCORE_CLIENT_SECRET, TRACKER_TOKEN, Credentials
from coi_desktop.settings import Settings, load_settings
from coi_desktop.sync.engine import SyncEngine, SyncStatus
from coi_desktop.sync.sandbox import SANDBOX_CLIENT_ID, SandboxServers
from coi_desktop.ui.settings_dialog import SettingsDialog
from coi_desktop.ui.sync_panel import SyncPanel
from coi_desktop.ui.sync_worker import SyncWorker, start_sync_thread, stop_sync_thread
from coi_desktop.workspace import Workspace
from tests.test_sync_helpers import config_for_servers, decide, item, store_procore_secret


class Receiver(QObject):
    """Lives on the GUI thread, so the worker's signals reach it queued, as the window's do."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[SyncStatus] = []
        self.changed: list[list[str]] = []
        self.warnings: list[str] = []
        self.gui_thread = QThread.currentThread()
        self.wrong_thread = False

    @Slot(object)
    def on_status(self, status: SyncStatus) -> None:
        self.wrong_thread |= QThread.currentThread() is not self.gui_thread
        self.statuses.append(status)

    @Slot(list)
    def on_changed(self, ids: list[str]) -> None:
        self.changed.append(ids)

    @Slot(str)
    def on_warning(self, text: str) -> None:
        self.warnings.append(text)


def test_worker_syncs_on_its_thread_signals_and_stops_cleanly(
    qtbot: QtBot, servers: SandboxServers, workspace: Workspace
) -> None:
    store_procore_secret(servers)
    engine = SyncEngine(workspace.database, workspace.documents, config_for_servers(servers))
    worker = SyncWorker(engine, interval_ms=60_000)
    gui = Receiver()
    worker.status_changed.connect(gui.on_status)
    worker.submissions_changed.connect(gui.on_changed)
    worker.warning.connect(gui.on_warning)
    thread = start_sync_thread(worker)
    try:
        qtbot.waitUntil(lambda: bool(gui.changed), timeout=15_000)
        assert sorted(gui.changed[0]) == ["s-1042", "s-1043", "s-1044", "s-1045"]
        qtbot.waitUntil(
            lambda: bool(gui.statuses) and gui.statuses[-1].state == "online", timeout=10_000
        )
        item_id = decide(workspace, "s-1042")
        servers.tracker.archive_submission("s-1043")
        worker.request_sync()
        qtbot.waitUntil(lambda: bool(gui.warnings), timeout=15_000)
        assert "s-1043" in gui.warnings[0] and "withdrawn" in gui.warnings[0]
        qtbot.waitUntil(lambda: item(workspace, item_id).state == "delivered", timeout=10_000)
        assert "syncing" in {s.state for s in gui.statuses}
        assert worker.thread() is thread and not gui.wrong_thread
    finally:
        assert stop_sync_thread(worker, thread)
    assert not thread.isRunning()
    thread.deleteLater()


def test_panel_model_lists_waiting_items_and_retries(
    qtbot: QtBot, qtmodeltester: object, workspace: Workspace, servers: SandboxServers
) -> None:
    store_procore_secret(servers)
    engine = SyncEngine(workspace.database, workspace.documents, config_for_servers(servers))
    engine.run_once()
    from coi_desktop.models import User

    with workspace.database.session() as session:
        session.add(User(id="u-77", name="Temp Reviewer", email=None, role="reviewer"))
    failed_id = decide(workspace, "s-1043", user_id="u-77", with_claim=False)
    engine.run_once()
    decide(workspace, "s-1042")  # pending: claim + decision
    engine.close()

    panel = SyncPanel(workspace.database)
    qtbot.addWidget(panel)
    qtmodeltester.check(panel.model)  # type: ignore[attr-defined]
    assert panel.model.rowCount() == 3
    texts = {
        panel.model.index(r, 0).data(): panel.model.index(r, 3).data()
        for r in range(3)
        if panel.model.index(r, 2).data().startswith("Decision")
    }
    assert texts == {"s-1043": "Refused — needs you", "s-1042": "Waiting to send"}
    row = next(r for r in range(3) if panel.model.index(r, 0).data() == "s-1043")
    assert "this is our bug" in panel.model.index(row, 6).data()  # unknown user: not theirs
    panel.view.selectRow(row)
    with qtbot.waitSignal(panel.retry_requested) as retried:
        panel.retry_button.click()
    assert retried.args == [failed_id]
    assert item(workspace, failed_id).state == "pending"
    panel.show_status(SyncStatus("offline", waiting=3))
    assert panel.status_label.text().startswith("Offline · 3 waiting to send")
    qtmodeltester.check(panel.model)  # type: ignore[attr-defined]


def test_settings_dialog_saves_urls_to_the_file_and_secrets_to_the_keyring(
    qtbot: QtBot, servers: SandboxServers, workspace: Workspace
) -> None:
    settings_file = workspace.locations.settings_file
    dialog = SettingsDialog(Settings(), settings_file)
    qtbot.addWidget(dialog)
    dialog.tracker_url.setText(servers.tracker_url)
    dialog.tracker_token.setText("sandbox-token-u-1")
    dialog.environment.setCurrentIndex(dialog.environment.findData("custom"))
    dialog.api_url.setText(servers.procore_api_url)
    dialog.login_url.setText(servers.procore_login_url)
    dialog.client_id.setText(SANDBOX_CLIENT_ID)
    dialog.client_secret.setText("coi-desk-sandbox-secret")

    dialog.tracker_test.click()
    qtbot.waitUntil(lambda: dialog.tracker_result.text().startswith("Connected"), timeout=10_000)
    assert "Riley Reviewer" in dialog.tracker_result.text()
    dialog.procore_test.click()
    qtbot.waitUntil(lambda: dialog.procore_result.text().startswith("Connected"), timeout=10_000)

    dialog.tracker_token.setText("wrong-token")
    dialog.tracker_test.click()
    qtbot.waitUntil(
        lambda: dialog.tracker_result.text().startswith("Not connected"), timeout=10_000
    )
    assert "401" in dialog.tracker_result.text()
    dialog.tracker_token.setText("sandbox-token-u-1")

    dialog.use_installed.setChecked(True)
    dialog.code.setText(servers.procore.oauth.mint_authorization_code(SANDBOX_CLIENT_ID))
    dialog.sign_in.click()
    qtbot.waitUntil(lambda: dialog.procore_result.text().startswith("Signed in"), timeout=10_000)

    dialog.save()
    saved = load_settings(settings_file)
    assert saved.tracker_url == servers.tracker_url
    assert saved.procore_environment == "custom"
    assert saved.procore_auth == "installed_app"
    assert "sandbox-token" not in settings_file.read_text()
    credentials = Credentials()
    assert credentials.get(TRACKER_TOKEN, servers.tracker_url) == "sandbox-token-u-1"
    assert (
        credentials.get(PROCORE_CLIENT_SECRET, servers.procore_login_url)
        == "coi-desk-sandbox-secret"
    )
