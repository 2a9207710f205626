"""Fault injection for the sandbox servers: the failures a real network and real servers produce.

A :class:`FaultInjector` wraps a server's API (never its ``/_sandbox`` admin routes). Each
request first takes a matching one-shot :class:`Fault` from the queue (deterministic tests),
else rolls the dice of the :class:`FaultPlan` (soak tests, demo). What each kind does on the
wire is documented on :class:`FaultKind`.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any, NoReturn

from werkzeug.wrappers import Request, Response

from coi_desktop.sync.sandbox.wsgi import (
    StartResponse,
    WSGIApplication,
    WSGIEnvironment,
    json_response,
)


class FaultKind(StrEnum):
    ERROR_500 = "500"
    """``500`` JSON error; the request is not applied."""
    ERROR_502 = "502"
    """``502`` (what a proxy says when the app behind it died); not applied."""
    UNAVAILABLE_503 = "503"
    """``503`` with ``Retry-After``; not applied."""
    RATE_LIMIT_429 = "429"
    """``429`` with ``Retry-After``; not applied. ``count`` > 1 makes a burst."""
    DELAY = "delay"
    """Waits ``delay_seconds`` (longer than the client's timeout), then serves the request —
    so the change lands after the client gave up, as it does in real life."""
    DROP_AFTER_APPLY = "drop_after_apply"
    """Applies the request, then closes the socket without a byte of answer: the client sees a
    ``ConnectionError`` although the state changed."""
    MALFORMED_JSON = "malformed_json"
    """Applies the request, then answers ``200`` with a truncated, unparseable JSON body."""
    TOKEN_EXPIRY = "token_expiry"
    """Procore only: expires the presented access token before serving, so the call gets
    ``401`` and the client must refresh."""


# Kinds that make sense everywhere; the Procore emulator adds TOKEN_EXPIRY.
COMMON_KINDS: tuple[FaultKind, ...] = (
    FaultKind.ERROR_500,
    FaultKind.ERROR_502,
    FaultKind.UNAVAILABLE_503,
    FaultKind.RATE_LIMIT_429,
    FaultKind.DELAY,
    FaultKind.DROP_AFTER_APPLY,
    FaultKind.MALFORMED_JSON,
)


@dataclass(frozen=True)
class Fault:
    """A one-shot fault for the next request(s) matching ``method`` and ``path``.

    ``path`` is a substring of the request path (``"/decision"``, ``"/oauth/token"``);
    ``count`` is how many matching requests in a row get it (a 429 burst, say).
    """

    kind: FaultKind
    method: str | None = None
    path: str | None = None
    count: int = 1
    retry_after: int = 1
    delay_seconds: float = 3.0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or self.path in path


@dataclass(frozen=True)
class FaultPlan:
    """Random faults: each API request fails with probability ``rate``, kind drawn from ``kinds``.

    ``burst`` > 1 turns a drawn 429 into that many 429s in a row. ``seed`` makes a run
    repeatable (given the same request order).
    """

    rate: float = 0.0
    kinds: tuple[FaultKind, ...] = COMMON_KINDS
    seed: int | None = None
    retry_after: int = 1
    delay_seconds: float = 3.0
    burst: int = 1

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        object.__setattr__(self, "kinds", tuple(FaultKind(k) for k in self.kinds))


def fault_from_json(data: Mapping[str, Any]) -> Fault:
    return Fault(
        kind=FaultKind(str(data["kind"])),
        method=data.get("method"),
        path=data.get("path"),
        count=int(data.get("count", 1)),
        retry_after=int(data.get("retry_after", 1)),
        delay_seconds=float(data.get("delay_seconds", 3.0)),
    )


def plan_from_json(data: Mapping[str, Any]) -> FaultPlan:
    defaults = FaultPlan()
    return FaultPlan(
        rate=float(data.get("rate", 0.0)),
        kinds=tuple(FaultKind(str(k)) for k in data.get("kinds", defaults.kinds)),
        seed=None if data.get("seed") is None else int(data["seed"]),
        retry_after=int(data.get("retry_after", defaults.retry_after)),
        delay_seconds=float(data.get("delay_seconds", defaults.delay_seconds)),
        burst=int(data.get("burst", defaults.burst)),
    )


@dataclass
class _Queued:
    fault: Fault
    left: int


@dataclass
class _Captured:
    status: str = "200 OK"
    headers: list[tuple[str, str]] = field(default_factory=list)


class FaultInjector:
    """Thread-safe fault source plus the WSGI wrapper that acts the faults out."""

    def __init__(
        self,
        supported: Iterable[FaultKind] = COMMON_KINDS,
        on_token_expiry: Callable[[Request], None] | None = None,
    ) -> None:
        self.supported = frozenset(supported)
        self._on_token_expiry = on_token_expiry
        self._lock = threading.Lock()
        self._plan = FaultPlan(rate=0.0, kinds=tuple(self._default_kinds()))
        self._random = random.Random(self._plan.seed)
        self._queue: deque[_Queued] = deque()
        self.injected: Counter[str] = Counter()
        # Set on shutdown so a DELAY fault does not keep a thread (and the test run) waiting.
        self.stopping = threading.Event()

    def _default_kinds(self) -> list[FaultKind]:
        return [k for k in FaultKind if k in self.supported]

    def _check(self, kinds: Iterable[FaultKind]) -> None:
        unsupported = sorted(str(k) for k in kinds if k not in self.supported)
        if unsupported:
            raise ValueError(f"this server does not support faults: {', '.join(unsupported)}")

    # -- configuration (Python API; the admin endpoint calls the same) --------------------

    def set_plan(self, plan: FaultPlan) -> None:
        self._check(plan.kinds)
        with self._lock:
            self._plan = plan
            self._random = random.Random(plan.seed)

    def push(self, *faults: Fault) -> None:
        self._check(f.kind for f in faults)
        with self._lock:
            self._queue.extend(_Queued(f, max(1, f.count)) for f in faults)

    def clear(self) -> None:
        """No queued faults, no random faults."""
        with self._lock:
            self._queue.clear()
            self._plan = replace(self._plan, rate=0.0)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            plan = asdict(self._plan)
            plan["kinds"] = [str(k) for k in self._plan.kinds]
            queued = []
            for q in self._queue:
                item = asdict(q.fault)
                item["kind"] = str(q.fault.kind)
                item["left"] = q.left
                queued.append(item)
            return {"plan": plan, "queued": queued, "injected": dict(self.injected)}

    def configure_from_json(self, data: Mapping[str, Any]) -> None:
        """``{"clear": bool, "plan": {...} | null, "queue": [{...}]}`` — see the admin route."""
        if data.get("clear"):
            self.clear()
        if data.get("plan") is not None:
            self.set_plan(plan_from_json(data["plan"]))
        queue = data.get("queue") or []
        if not isinstance(queue, list):
            raise ValueError("queue must be a list")
        self.push(*(fault_from_json(item) for item in queue))

    # -- choosing ------------------------------------------------------------------------

    def pick(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for queued in self._queue:
                if queued.fault.matches(method, path):
                    queued.left -= 1
                    if queued.left <= 0:
                        self._queue.remove(queued)
                    self.injected[str(queued.fault.kind)] += 1
                    return queued.fault
            plan = self._plan
            if plan.rate <= 0.0 or not plan.kinds or self._random.random() >= plan.rate:
                return None
            kind = self._random.choice(plan.kinds)
            fault = Fault(kind, retry_after=plan.retry_after, delay_seconds=plan.delay_seconds)
            if kind is FaultKind.RATE_LIMIT_429 and plan.burst > 1:
                # The rest of the burst goes first in line, whatever the path.
                self._queue.appendleft(_Queued(fault, plan.burst - 1))
            self.injected[str(kind)] += 1
            return fault

    # -- acting out ----------------------------------------------------------------------

    def wrap(self, app: WSGIApplication) -> WSGIApplication:
        def faulty(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            fault = self.pick(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", ""))
            if fault is None:
                return app(environ, start_response)
            return self._act(fault, app, environ, start_response)

        return faulty

    def _act(
        self,
        fault: Fault,
        app: WSGIApplication,
        environ: WSGIEnvironment,
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        kind = fault.kind
        if kind is FaultKind.ERROR_500:
            response = json_response({"error": "sandbox fault: internal server error"}, 500)
        elif kind is FaultKind.ERROR_502:
            response = Response(
                "<html><body>502 Bad Gateway</body></html>", 502, content_type="text/html"
            )
        elif kind is FaultKind.UNAVAILABLE_503:
            response = json_response(
                {"error": "sandbox fault: service unavailable"},
                503,
                {"Retry-After": str(fault.retry_after)},
            )
        elif kind is FaultKind.RATE_LIMIT_429:
            response = json_response(
                {"error": "sandbox fault: too many requests"},
                429,
                {"Retry-After": str(fault.retry_after)},
            )
        elif kind is FaultKind.DELAY:
            self.stopping.wait(fault.delay_seconds)
            return app(environ, start_response)
        elif kind is FaultKind.TOKEN_EXPIRY:
            if self._on_token_expiry is not None:
                self._on_token_expiry(Request(environ))
            return app(environ, start_response)
        elif kind is FaultKind.DROP_AFTER_APPLY:
            self._run_to_completion(app, environ)
            self._drop_connection(environ)
        else:  # MALFORMED_JSON
            body = self._run_to_completion(app, environ)
            # Half a JSON document plus a proxy's leftovers: never parseable.
            garbage = body[: len(body) // 2] + b"\x00<!-- upstream reset -->"
            response = Response(garbage, 200, content_type="application/json")
        return response(environ, start_response)

    @staticmethod
    def _run_to_completion(app: WSGIApplication, environ: WSGIEnvironment) -> bytes:
        """Serve the request for real (so its change is applied) and keep the body."""
        captured = _Captured()

        def capture(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            captured.status, captured.headers = status, headers
            return lambda _data: None

        chunks = app(environ, capture)
        try:
            return b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    @staticmethod
    def _drop_connection(environ: WSGIEnvironment) -> NoReturn:
        # werkzeug's dev server hands the socket over in the environ. Shutting it down sends
        # FIN before any status line; raising a ConnectionError then makes werkzeug treat the
        # request as "connection dropped" (no 500 page, nothing written, no traceback).
        sock = environ.get("werkzeug.socket")
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):  # the client may have gone already
                sock.shutdown(socket.SHUT_RDWR)
        raise ConnectionAbortedError("sandbox fault: connection dropped after the change applied")
