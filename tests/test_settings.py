"""Settings file + environment overrides, with a clear precedence."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from coi_desktop.paths import locations
from coi_desktop.settings import (
    Settings,
    SettingsError,
    load_settings,
    resolve_connection,
    save_settings,
)


def test_home_moves_every_location(coi_home: Path) -> None:
    where = locations()
    for folder in (where.data_dir, where.config_dir, where.log_dir, where.documents_dir):
        assert coi_home in folder.parents
    where.ensure()
    assert stat.S_IMODE(where.data_dir.stat().st_mode) == 0o700


def test_defaults_when_no_file(tmp_path: Path) -> None:
    connection = resolve_connection(load_settings(tmp_path / "none.json"), {})
    assert connection.tracker_url == ""
    assert not connection.tracker_configured
    assert connection.procore_api_url == "https://api.procore.com"
    assert connection.procore_login_url == "https://login.procore.com"
    assert connection.sources["procore_api_url"] == "default"


def test_file_overrides_defaults_and_environment_overrides_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(
        path,
        Settings(tracker_url="https://tracker.example.com/api/v1/", procore_environment="sandbox"),
    )
    settings = load_settings(path)
    from_file = resolve_connection(settings, {})
    assert from_file.tracker_url == "https://tracker.example.com/api/v1"
    assert from_file.sources["tracker_url"] == "settings"
    assert from_file.procore_api_url == "https://sandbox.procore.com"

    env = {
        "COI_DESKTOP_TRACKER_URL": "http://127.0.0.1:8081/api/v1",
        "COI_DESKTOP_PROCORE_API_URL": "http://127.0.0.1:8082",
        "COI_DESKTOP_PROCORE_LOGIN_URL": "http://127.0.0.1:8082/login",
    }
    overridden = resolve_connection(settings, env)
    assert overridden.tracker_url == "http://127.0.0.1:8081/api/v1"
    assert overridden.procore_api_url == "http://127.0.0.1:8082"
    assert overridden.procore_login_url == "http://127.0.0.1:8082/login"
    assert set(overridden.sources.values()) >= {"environment"}


def test_custom_environment_uses_its_own_urls(tmp_path: Path) -> None:
    settings = Settings(
        procore_environment="custom",
        procore_api_url="https://procore.internal",
        procore_login_url="https://login.internal",
    )
    connection = resolve_connection(settings, {})
    assert connection.procore_api_url == "https://procore.internal"
    assert connection.procore_login_url == "https://login.internal"


def test_save_is_atomic_private_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "settings.json"
    settings = Settings(tracker_url="https://t.example/api/v1", procore_client_id="abc")
    save_settings(path, settings)
    assert load_settings(path) == settings
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]


def test_broken_file_gives_a_plain_message(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    with pytest.raises(SettingsError, match="cannot be read"):
        load_settings(path)


def test_unknown_keys_and_bad_values_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"tracker_url": 5, "procore_environment": "moon", "x": "y"}))
    assert load_settings(path) == Settings()
