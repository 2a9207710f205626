"""The Settings dialog shows the values in effect and says which the environment sets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from coi_desktop.settings import Settings, load_settings, save_settings
from coi_desktop.sync.sandbox import SandboxServers
from coi_desktop.ui.settings_dialog import SettingsDialog
from tests.conftest import MemoryKeyring

FILE_URL = "http://127.0.0.1:9/api/v1"  # what the settings file says: nothing listens there


def notes(dialog: SettingsDialog) -> str:
    return " ".join(
        f"{label.text()} {label.toolTip()}"
        for label in dialog.findChildren(QLabel)
        if label.objectName() == "environmentNote"
    )


def test_environment_values_are_shown_locked_tested_and_never_saved(
    qtbot: QtBot,
    servers: SandboxServers,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
) -> None:
    settings_file = tmp_path / "settings.json"
    save_settings(settings_file, Settings(tracker_url=FILE_URL))
    monkeypatch.setenv("COI_DESKTOP_TRACKER_URL", servers.tracker_url)
    monkeypatch.setenv("COI_DESKTOP_TRACKER_TOKEN", servers.tokens["u-4"])
    dialog = SettingsDialog(load_settings(settings_file), settings_file)
    qtbot.addWidget(dialog)
    # What is shown is what is in effect, and the dialog says where it comes from.
    assert dialog.tracker_url.text() == servers.tracker_url
    assert not dialog.tracker_url.isEnabled() and not dialog.tracker_token.isEnabled()
    assert "COI_DESKTOP_TRACKER_URL" in notes(dialog)
    assert "COI_DESKTOP_TRACKER_TOKEN" in notes(dialog)
    assert "COI_DESKTOP_PROCORE" not in notes(dialog)
    assert "COI_DESKTOP_TRACKER_URL" in dialog.tracker_url.toolTip()
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert "URL (env)" in labels and "Token (env)" in labels and "Client id" in labels
    # The test reaches the URL shown, and says which one it was.
    dialog.tracker_test.click()
    qtbot.waitUntil(lambda: dialog.tracker_result.text().startswith("Connected"), timeout=10_000)
    assert "Lee Lead" in dialog.tracker_result.text()
    assert servers.tracker_url in dialog.tracker_result.text()
    # Save keeps the file's own URL (the environment's is not copied in) and says so.
    dialog.client_id.setText("my-client")
    dialog.save()
    saved = load_settings(settings_file)
    assert saved.tracker_url == FILE_URL and saved.procore_client_id == "my-client"
    assert str(settings_file) in dialog.saved_message
    assert "COI_DESKTOP_TRACKER_URL" in dialog.saved_message
    assert memory_keyring.store == {}  # the environment's token is not copied either
    assert "sandbox-token" not in settings_file.read_text()


def test_without_environment_the_files_values_are_editable(qtbot: QtBot, tmp_path: Path) -> None:
    settings_file = tmp_path / "settings.json"
    dialog = SettingsDialog(Settings(tracker_url=FILE_URL), settings_file)
    qtbot.addWidget(dialog)
    assert dialog.tracker_url.text() == FILE_URL and dialog.tracker_url.isEnabled()
    assert notes(dialog) == ""
    dialog.save()
    assert dialog.saved_message == f"Settings saved to {settings_file}."
