"""The Settings dialog's Procore presets and the per-company expiry e-mail setting."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from coi_desktop.settings import Settings, load_settings
from coi_desktop.ui.settings_dialog import SettingsDialog


def test_monthly_sandbox_preset_and_expiry_emails_are_saved(qtbot: QtBot, tmp_path: Path) -> None:
    settings_file = tmp_path / "settings.json"
    dialog = SettingsDialog(Settings(procore_expiry_emails=("4280",)), settings_file)
    qtbot.addWidget(dialog)
    assert dialog.expiry_emails.text() == "4280"
    dialog.environment.setCurrentIndex(dialog.environment.findData("monthly"))
    assert dialog.api_url.text() == "https://api-monthly.procore.com"
    assert dialog.login_url.text() == "https://login-sandbox-monthly.procore.com"
    assert not dialog.api_url.isEnabled()  # a preset, not typed
    dialog.expiry_emails.setText("4280, 991 nonsense")
    dialog.save()
    saved = load_settings(settings_file)
    assert saved.procore_environment == "monthly"
    assert saved.procore_expiry_emails == ("4280", "991")
