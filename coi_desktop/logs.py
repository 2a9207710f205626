"""Logging to a rotating file, with every known secret scrubbed from every line."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
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


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file, the rotated ones included, is the owner's only (0600)."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)  # created before under another umask, or by an older version
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)

    def handleError(self, record: logging.LogRecord) -> None:
        """A full or vanished disk: one line on stderr, not a traceback per log record."""
        if not getattr(self, "_told", False):
            self._told = True
            print(
                f"coi-desktop: the log file {self.baseFilename} cannot be written "
                "(is the disk full?); further log lines are dropped.",
                file=sys.stderr,
            )

    def rotate(self, source: str, dest: str) -> None:
        super().rotate(source, dest)
        with contextlib.suppress(OSError):
            os.chmod(dest, 0o600)


def configure_logging(log_file: Path, level: int = logging.INFO) -> str | None:
    """Send the app's logs to a rotating file (5 × 2 MB), redacted.

    When the log folder cannot be written (a read-only home, a full disk) the logs go to
    stderr instead and the reason comes back as one sentence; nothing else stops for it.
    """
    formatter = RedactingFormatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    problem = None
    handler: logging.Handler
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = PrivateRotatingFileHandler(
            log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError as exc:
        problem = (
            f"The log folder {log_file.parent} cannot be written "
            f"({exc.strerror or exc}); logging to the terminal instead."
        )
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.WARNING)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_coi_desktop", False)]:
        root.removeHandler(old)
        old.close()
    setattr(handler, "_coi_desktop", True)  # noqa: B010 - a marker on a stdlib object
    root.addHandler(handler)
    root.setLevel(level)
    if problem:
        print(f"coi-desktop: {problem}", file=sys.stderr)
    return problem


def plain_error(exc: BaseException) -> str:
    """An exception as one short line: the driver's words without SQL or secrets."""
    orig = getattr(exc, "orig", None)  # SQLAlchemy wraps the driver's error
    text = str(orig if orig is not None else exc)
    text = text.split("\n", 1)[0].split("[SQL:", 1)[0].strip()
    return redact(text)[:300]


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
            f"COI Desk hit an unexpected problem: {plain_error(exc) or exc_type.__name__}. "
            f"Your decisions are saved. Details are in the log: {log_file}"
        )
        if any(word in message for word in ("malformed", "not a database", "disk is full")):
            message += (
                " If this repeats, close COI Desk and free disk space or run `coi-desktop recover`."
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
