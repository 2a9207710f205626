"""Logging to a rotating file, with every known secret scrubbed from every line."""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
import threading
from pathlib import Path
from types import TracebackType

_secrets: set[str] = set()
_lock = threading.Lock()

# Shapes of secrets we may not have registered (a token in a header or a JSON body).
_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(
        r"(?i)(\"?(?:access_token|refresh_token|client_secret|token|code|password)\"?\s*[:=]\s*\"?)"
        r"[^\"&\s,}]+"
    ),
]


def register_secret(value: str) -> str:
    """Remember a secret so no log line can show it; returns it for chaining."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)
    return value


def redact(text: str) -> str:
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, "[secret]")
    for pattern in _PATTERNS:
        text = pattern.sub(r"\1[secret]", text)
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(log_file: Path, level: int = logging.INFO) -> None:
    """Send the app's logs to a rotating file (5 × 2 MB), redacted."""
    log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_coi_desktop", False)]:
        root.removeHandler(old)
        old.close()
    handler._coi_desktop = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    log_file.chmod(0o600)


def install_excepthook(log_file: Path, show: object = None) -> None:
    """Log uncaught exceptions in full and tell the user briefly where the details are."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        logging.getLogger("coi_desktop").critical(
            "uncaught exception", exc_info=(exc_type, exc, tb)
        )
        message = (
            f"COI Desk hit an unexpected problem: {redact(str(exc)) or exc_type.__name__}. "
            f"Your decisions are saved. Details are in the log: {log_file}"
        )
        if callable(show):
            show(message)
        else:
            print(message, file=sys.stderr)

    sys.excepthook = hook
    threading.excepthook = lambda args: hook(
        args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback
    )


def log_file_in_use() -> Path | None:
    """The file :func:`configure_logging` writes to, so a message can say where to look."""
    for handler in logging.getLogger().handlers:
        if getattr(handler, "_coi_desktop", False) and isinstance(
            handler, logging.handlers.RotatingFileHandler
        ):
            return Path(handler.baseFilename)
    return None
