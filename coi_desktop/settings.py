"""Connection settings: the settings file, overridden by environment variables.

Precedence, highest first: environment variable, settings file, built-in
default. Secrets never live here (see credentials.py).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Literal

from coi_desktop.atomic import write_atomic

log = logging.getLogger(__name__)

ProcoreEnvironment = Literal["production", "sandbox", "monthly", "custom"]

PROCORE_HOSTS: dict[str, tuple[str, str]] = {
    # environment: (API base, login base) — procore-api.md and Procore's "Sandbox
    # Environments" page (developers.procore.com/documentation/development-environments)
    "production": ("https://api.procore.com", "https://login.procore.com"),
    "sandbox": ("https://sandbox.procore.com", "https://login-sandbox.procore.com"),
    # A customer's production copy, refreshed monthly; takes the production client id/secret.
    "monthly": ("https://api-monthly.procore.com", "https://login-sandbox-monthly.procore.com"),
}
PROCORE_ENVIRONMENTS = (*PROCORE_HOSTS, "custom")

ENV_TRACKER_URL = "COI_DESKTOP_TRACKER_URL"
ENV_PROCORE_API_URL = "COI_DESKTOP_PROCORE_API_URL"
ENV_PROCORE_LOGIN_URL = "COI_DESKTOP_PROCORE_LOGIN_URL"
ENV_PROCORE_CLIENT_ID = "COI_DESKTOP_PROCORE_CLIENT_ID"
ENV_PROCORE_EXPIRY_EMAILS = "COI_DESKTOP_PROCORE_EXPIRY_EMAILS"  # company ids, comma separated


@dataclass(frozen=True)
class Settings:
    """What the settings dialog edits and the settings file keeps."""

    tracker_url: str = ""
    procore_environment: ProcoreEnvironment = "production"
    procore_api_url: str = ""  # used when the environment is "custom"
    procore_login_url: str = ""
    procore_client_id: str = ""  # an identifier, not a secret
    procore_auth: Literal["client_credentials", "installed_app"] = "client_credentials"
    # Procore company ids (as text) whose vendors Procore may e-mail daily about expired
    # insurance (``enable_expired_insurance_notifications``). Every other company: off, so a
    # push never starts e-mails by surprise.
    procore_expiry_emails: tuple[str, ...] = ()

    def expiry_emails_for(self, company_id: int) -> bool:
        return str(company_id) in self.procore_expiry_emails


@dataclass(frozen=True)
class Connection:
    """The URLs in force, and where each came from (shown in the settings dialog)."""

    tracker_url: str
    procore_api_url: str
    procore_login_url: str
    procore_client_id: str
    procore_auth: str
    sources: dict[str, str] = field(default_factory=dict)
    procore_expiry_emails: tuple[str, ...] = ()

    @property
    def tracker_configured(self) -> bool:
        return bool(self.tracker_url)


class SettingsError(Exception):
    pass


def load_settings(path: Path) -> Settings:
    """Read the settings file; a missing file means defaults, a broken one is reported."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        raise SettingsError(
            f"The settings file {path} cannot be read ({exc}). "
            "Fix or delete it; COI Desk will start with default settings."
        ) from exc
    if not isinstance(raw, dict):
        raise SettingsError(f"The settings file {path} does not hold a JSON object.")
    known = {f.name for f in fields(Settings)}
    values = {k: v for k, v in raw.items() if k in known and isinstance(v, str)}
    settings = replace(Settings(), **values)  # type: ignore[arg-type]
    if settings.procore_environment not in PROCORE_ENVIRONMENTS:
        settings = replace(settings, procore_environment="production")
    emails = raw.get("procore_expiry_emails")
    if isinstance(emails, list):
        settings = replace(settings, procore_expiry_emails=company_ids(emails))
    return settings


def company_ids(values: object) -> tuple[str, ...]:
    """Procore company ids from a list or a comma/space separated text; others dropped."""
    items = values.replace(",", " ").split() if isinstance(values, str) else values
    if not isinstance(items, (list, tuple)):
        return ()
    return tuple(dict.fromkeys(str(v).strip() for v in items if str(v).strip().isdigit()))


def save_settings(path: Path, settings: Settings) -> None:
    text = json.dumps(asdict(settings), indent=2, sort_keys=True) + "\n"
    write_atomic(path, text.encode("utf-8"))


def resolve_connection(settings: Settings, environ: Mapping[str, str] | None = None) -> Connection:
    """Apply the precedence: environment variable, then settings file, then default."""
    env = os.environ if environ is None else environ
    sources: dict[str, str] = {}

    def pick(name: str, env_name: str, from_settings: str, default: str) -> str:
        if env.get(env_name, "").strip():
            sources[name] = "environment"
            return env[env_name].strip().rstrip("/")
        if from_settings:
            sources[name] = "settings"
            return from_settings.rstrip("/")
        sources[name] = "default"
        return default

    if settings.procore_environment == "custom":
        api_default, login_default = "", ""
        api_setting, login_setting = settings.procore_api_url, settings.procore_login_url
    else:
        api_default, login_default = PROCORE_HOSTS[settings.procore_environment]
        api_setting, login_setting = "", ""
    return Connection(
        tracker_url=pick("tracker_url", ENV_TRACKER_URL, settings.tracker_url, ""),
        procore_api_url=pick("procore_api_url", ENV_PROCORE_API_URL, api_setting, api_default),
        procore_login_url=pick(
            "procore_login_url", ENV_PROCORE_LOGIN_URL, login_setting, login_default
        ),
        procore_client_id=pick(
            "procore_client_id", ENV_PROCORE_CLIENT_ID, settings.procore_client_id, ""
        ),
        procore_auth=settings.procore_auth,
        sources=sources,
        procore_expiry_emails=(
            company_ids(env[ENV_PROCORE_EXPIRY_EMAILS])
            if ENV_PROCORE_EXPIRY_EMAILS in env
            else settings.procore_expiry_emails
        ),
    )
