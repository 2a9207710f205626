"""HTTP plumbing shared by the tracker and Procore clients: sessions, one call read within
its size and time bounds, error kinds. Pacing between calls is ``pacing.py``'s.

Transport retries stay short and only cover calls that are safe to repeat; anything
longer (a ``Retry-After`` of minutes, a rate-limit window) is raised as ``RetryLater``
so the outbox turns it into ``next_attempt_at`` instead of a sleeping thread.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import NameResolutionError, NewConnectionError, ReadTimeoutError
from urllib3.util.retry import Retry

from coi_desktop.logs import redact
from coi_desktop.sync.limits import (
    MAX_ERROR_TEXT,
    MAX_JSON_BYTES,
    MAX_PROBLEM_TEXT,
    REQUEST_DEADLINE,
    size_text,
)

if TYPE_CHECKING:  # pacing.py imports this module; send() only names the type
    from coi_desktop.sync.pacing import Pacer

# (connect, read) seconds; every call passes one.
DEFAULT_TIMEOUT = (3.05, 15.0)
# Waits up to this long are slept inline; longer ones become next_attempt_at.
MAX_INLINE_WAIT = 2.0


class SyncProblem(Exception):
    """Base of everything a sync call can raise on purpose; ``str()`` is for people.

    Messages often quote a server; whatever it echoed (our token, a megabyte of reason)
    is scrubbed and shortened here, once for every place that shows or stores them.
    """

    def __str__(self) -> str:
        return server_text(super().__str__(), MAX_PROBLEM_TEXT)


class RetryLater(SyncProblem):
    """Transient: offline, timeout, 5xx, 429. ``after`` is the server's wait, if it gave one."""

    def __init__(
        self,
        message: str,
        after: float | None = None,
        *,
        offline: bool = False,
        lost: bool = False,
    ) -> None:
        super().__init__(message)
        self.after = after
        self.offline = offline  # the server could not be reached at all
        self.lost = lost  # the request may have been applied, but its answer never came

    @property
    def target_away(self) -> bool:
        """The whole target is unreachable, or asked for a wait longer than we sleep inline:
        what a pass has not sent yet waits for the next pass."""
        return self.offline or (self.after or 0) > MAX_INLINE_WAIT


class AuthRequired(SyncProblem):
    """The target refused our credentials (or has none): stop it and ask the person to sign in."""

    def __init__(self, target: str, message: str) -> None:
        super().__init__(message)
        self.target = target


class AnswerRefused(SyncProblem):
    """An answer we would not read to the end: larger than its endpoint's cap.

    Not transient by itself, but every call we make is safe to repeat, so the caller may try
    again at the next pass; the body is never kept.
    """


class NotConfigured(SyncProblem):
    def __init__(self, target: str, message: str) -> None:
        super().__init__(message)
        self.target = target


@dataclass(frozen=True)
class Reply:
    """A server answer we got to the end of: status, parsed JSON body (or None), headers."""

    status: int
    body: Any
    headers: Mapping[str, str]
    problem: str = ""  # our own sentence when the answer itself was wrong (a redirect)

    def error_text(self) -> str:
        return self.problem or describe_errors(self.body)


def describe_errors(body: Any) -> str:
    """The server's reason in one short line, secrets scrubbed: it is stored and shown."""
    return server_text(_describe(body))


def server_text(text: str, limit: int = MAX_ERROR_TEXT) -> str:
    """Text a server chose, made safe to keep and show: one line, no secrets, short.

    A hostile or broken server can echo our token back or send megabytes of reason; what we
    store in the outbox or print must be neither.
    """
    text = redact(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _describe(body: Any) -> str:
    if isinstance(body, Mapping):
        errors = body.get("errors")
        if isinstance(errors, Mapping):
            parts = []
            for field, messages in errors.items():
                text = (
                    "; ".join(str(m) for m in messages)
                    if isinstance(messages, list)
                    else str(messages)
                )
                parts.append(f"{field} {text}")
            return ", ".join(parts)
        if isinstance(errors, str):
            return errors
        for key in ("error_description", "message", "error"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return ""


class _Watch:
    """The connection a call is using, so a timer can cut it when the deadline passes.

    Socket timeouts bound each read, not the call: a server sending one header byte every
    few seconds would hold us for ever. ``shutdown`` wakes the blocked read at once.
    """

    def __init__(self) -> None:
        self.sock: socket.socket | None = None
        self.expired = False
        self._lock = threading.Lock()

    def attach(self, sock: socket.socket | None) -> None:
        with self._lock:
            self.sock = sock

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            if self.sock is not None:
                with contextlib.suppress(OSError):
                    self.sock.shutdown(socket.SHUT_RDWR)


_calls = threading.local()  # the _Watch of the call running on this thread


def _watched(base: type[HTTPConnection]) -> type[HTTPConnection]:
    class Watched(base):  # type: ignore[valid-type,misc]
        def getresponse(self) -> Any:
            watch = getattr(_calls, "watch", None)
            if watch is not None:
                watch.attach(self.sock)
            return super().getresponse()

    return Watched


_WatchedHTTP = _watched(HTTPConnection)
_WatchedHTTPS = _watched(HTTPSConnection)


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("Pool", (HTTPConnectionPool,), {"ConnectionCls": _WatchedHTTP}),
            "https": type("Pool", (HTTPSConnectionPool,), {"ConnectionCls": _WatchedHTTPS}),
        }


def make_session(user_agent: str = "coi-desktop") -> requests.Session:
    """A pooled session whose transport retries cover connection set-up and safe methods only.

    Redirects are never followed (``send`` asks for each answer as it is): a redirect could
    carry a decision, or our token, to another host.

    POST and PATCH are never retried by urllib3 (a claim or an upsert might apply twice
    unseen); PUT is, because the decision PUT carries an Idempotency-Key. Status codes are
    not retried here at all: 429/503 go through the pacer and the outbox instead.
    """
    retry = Retry(
        total=2,
        connect=2,
        # A read that timed out is not sent again: the deadline is one per request, and a
        # second wait would only double it (and then be reported as a dropped connection).
        read=False,
        status=0,
        other=0,
        backoff_factor=0.1,
        backoff_max=1.0,
        allowed_methods=frozenset({"GET", "HEAD", "PUT", "OPTIONS"}),
        respect_retry_after_header=False,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = _WatchedAdapter(max_retries=retry, pool_connections=4, pool_maxsize=8)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent
    session.headers["Accept"] = "application/json"
    return session


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def send(
    session: requests.Session,
    pacer: Pacer,
    method: str,
    url: str,
    *,
    what: str,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    raw: bool = False,
    max_bytes: int = MAX_JSON_BYTES,
    deadline: float = REQUEST_DEADLINE,
    **kwargs: Any,
) -> Reply:
    """One paced call. Transport failures and 5xx/429 raise RetryLater; other answers return.

    ``raw`` keeps the body as bytes (documents). A 2xx whose JSON cannot be parsed is
    transient: the server may have applied the change, and every call we repeat is safe.
    The body is read in pieces: never more than ``max_bytes`` (raw or decompressed), never
    past ``deadline`` seconds from the start of the call. A redirect is returned as an
    answer (never followed), so a write that meets one is kept, not taken as delivered.
    """
    pacer.before_call()
    started = time.monotonic()
    watch = _Watch()
    timer = threading.Timer(deadline, watch.expire)
    timer.daemon = True
    _calls.watch = watch
    timer.start()
    try:
        try:
            response = session.request(
                method, url, timeout=timeout, allow_redirects=False, stream=True, **kwargs
            )
        except requests.RequestException as exc:
            pacer.after_failure()
            if watch.expired:
                raise _too_slow(what, deadline) from exc
            raise _request_failed(exc, what) from exc
        except BaseException:
            pacer.after_failure()
            raise
        with response:
            pacer.after_call(response.status_code, response.headers)
            try:
                return _read_answer(response, what, raw, max_bytes, started + deadline, deadline)
            except RetryLater:
                if watch.expired:
                    raise _too_slow(what, deadline) from None
                raise
    finally:
        timer.cancel()
        _calls.watch = None


def _too_slow(what: str, deadline: float) -> RetryLater:
    return RetryLater(
        f"{what}: the answer was still arriving after {deadline:.0f} s and was abandoned", lost=True
    )


def _request_failed(exc: requests.RequestException, what: str) -> RetryLater:
    if isinstance(exc, requests.ConnectTimeout):
        return RetryLater(f"{what}: cannot reach the server", offline=True)
    if isinstance(exc, requests.Timeout) or _in_chain(exc, (ReadTimeoutError,)):
        return RetryLater(f"{what}: no answer in time", lost=True)
    if isinstance(exc, requests.ConnectionError):
        if _never_connected(exc):
            return RetryLater(f"{what}: cannot reach the server", offline=True)
        return RetryLater(f"{what}: the connection dropped before the answer", lost=True)
    return RetryLater(f"{what}: the request failed ({type(exc).__name__})", lost=True)


def _read_body(
    response: requests.Response, what: str, max_bytes: int, deadline_at: float, deadline: float
) -> bytes:
    """The body, decompressed, in pieces that each return after one read from the socket."""
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise AnswerRefused(
            f"{what}: the server's answer is {size_text(int(declared))}, more than the "
            f"{size_text(max_bytes)} COI Desk accepts for it; it was not read"
        )
    pieces: list[bytes] = []
    total = 0
    stream = response.raw
    try:
        while True:
            if time.monotonic() > deadline_at:
                raise _too_slow(what, deadline)
            piece = stream.read1(64 * 1024, decode_content=True)
            if not piece:
                break
            total += len(piece)
            if total > max_bytes or stream.tell() > max_bytes:
                raise AnswerRefused(
                    f"{what}: the server's answer is larger than the {size_text(max_bytes)} "
                    "COI Desk accepts for it; it was not read"
                )
            pieces.append(piece)
    except (Urllib3Error, requests.RequestException, OSError) as exc:
        if isinstance(exc, ReadTimeoutError):
            raise RetryLater(f"{what}: no answer in time", lost=True) from exc
        raise RetryLater(f"{what}: the answer was cut off", lost=True) from exc
    body = b"".join(pieces)
    # Read to the end: tell requests, so closing the response returns the connection to the
    # pool instead of closing it (a new TCP connection per call would halve throughput).
    response._content = body
    response._content_consumed = True
    return body


def _read_answer(
    response: requests.Response,
    what: str,
    raw: bool,
    max_bytes: int,
    deadline_at: float,
    deadline: float,
) -> Reply:
    status = response.status_code
    if status == 429 or status >= 500:
        after = parse_retry_after(response.headers.get("Retry-After"))
        label = "rate limit reached" if status == 429 else "server error"
        raise RetryLater(f"{what}: {label} ({status})", after=after)
    if 300 <= status < 400 and status != 304:
        return Reply(status, None, dict(response.headers), problem=_redirect_text(response))
    content = _read_body(response, what, max_bytes, deadline_at, deadline)
    body: Any = None
    if raw:
        body = content
    elif content:
        try:
            body = json.loads(content)
        except (ValueError, RecursionError) as exc:
            # RecursionError: a few hundred thousand nested brackets, sent to crash us.
            if 200 <= status < 300:
                raise RetryLater(f"{what}: the answer was not readable JSON", lost=True) from exc
    return Reply(status, body, dict(response.headers))


def _redirect_text(response: requests.Response) -> str:
    target = urlsplit(response.headers.get("Location", ""))
    here = urlsplit(response.url)
    where = (
        "another address"
        if not target.netloc or target.netloc == here.netloc
        else (f"another host ({server_text(target.netloc, 80)})")
    )
    return (
        f"the server redirected the request to {where} (HTTP {response.status_code}); "
        "COI Desk does not follow redirects, so nothing was sent there. Check the server "
        "address in Settings"
    )


def _in_chain(exc: BaseException, kinds: tuple[type[BaseException], ...]) -> bool:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kinds):
            return True
        todo.extend([current.__cause__, current.__context__])
        todo.extend(arg for arg in current.args if isinstance(arg, BaseException))
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
    return False


def _never_connected(exc: BaseException) -> bool:
    """True when the request cannot have reached the server (refused, no route, DNS)."""
    return _in_chain(exc, (NewConnectionError, ConnectionRefusedError, NameResolutionError))
