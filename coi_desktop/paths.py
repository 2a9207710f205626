"""Where COI Desk keeps its data, config, logs and documents.

All locations come from platformdirs; ``COI_DESKTOP_HOME`` moves every one of
them under a single folder (tests, the demo, portable installs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "coi-desktop"
HOME_ENV = "COI_DESKTOP_HOME"


@dataclass(frozen=True)
class Locations:
    data_dir: Path
    config_dir: Path
    log_dir: Path
    home: Path | None = None  # COI_DESKTOP_HOME (or an explicit home), when one is in force

    @property
    def database(self) -> Path:
        return self.data_dir / "coi-desktop.sqlite3"

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "coi-desktop.log"

    @property
    def journal_file(self) -> Path:
        return self.data_dir / "pending-decisions.jsonl"

    def ensure(self) -> None:
        """Create the folders, readable by the user only (they hold client data).

        ``mkdir(mode=)`` does not reach the parents it creates, and any mode is cut by the
        umask only downwards; each folder made here is set to 0700 explicitly, the home too.
        The log folder is left to logging, which falls back to stderr when it cannot be made.
        """
        folders = [self.data_dir, self.config_dir, self.documents_dir]
        if self.home is not None:
            folders.insert(0, self.home)
        for folder in folders:
            if not folder.is_dir():
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                os.chmod(folder, 0o700)


def locations(home: Path | None = None) -> Locations:
    """The locations in force: an explicit home, else ``COI_DESKTOP_HOME``, else platformdirs."""
    chosen = home if home is not None else _home_from_env()
    if chosen is not None:
        return Locations(chosen / "data", chosen / "config", chosen / "logs", chosen)
    return Locations(
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )


def _home_from_env() -> Path | None:
    value = os.environ.get(HOME_ENV, "").strip()
    return Path(value).expanduser().resolve() if value else None
