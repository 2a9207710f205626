"""Small WSGI pieces both sandbox servers share: JSON answers, bearer tokens, a quiet server thread.

Only ever binds loopback: the sandbox hands out fake credentials and must not be reachable
from the network.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import LimitedStream

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
else:
    StartResponse = Any
    WSGIApplication = Callable[..., Iterable[bytes]]
    WSGIEnvironment = dict

__all__ = [
    "LOOPBACK_HOSTS",
    "BadJson",
    "ServerThread",
    "StartResponse",
    "WSGIApplication",
    "WSGIEnvironment",
    "admin_routes",
    "bearer_token",
    "json_response",
    "read_json",
    "serve_admin",
]

JSON = dict[str, Any]

# Hosts the sandbox agrees to bind. Anything else is refused rather than silently exposed.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class BadJson(ValueError):
    """The request body is not the JSON the endpoint needs."""


def admin_routes(*more: Rule) -> Map:
    """The admin routes (Python and tests only) both sandboxes have — faults and stats — and
    ``more``; never faulted, never rate limited."""
    return Map(
        [
            Rule("/_sandbox/faults", endpoint="faults", methods=["GET", "POST"]),
            Rule("/_sandbox/stats", endpoint="counters", methods=["GET"]),
            *more,
        ]
    )


def serve_admin(
    routes: Map,
    answer: Callable[[str, Request], Response],
    environ: WSGIEnvironment,
    start_response: StartResponse,
) -> Iterable[bytes]:
    """One admin call, ``answer(endpoint, request)``; a body it cannot use is a 400."""
    request = Request(environ)
    try:
        endpoint, _ = routes.bind_to_environ(environ).match()
        response = answer(str(endpoint), request)
    except HTTPException as exc:
        return exc(environ, start_response)
    except (BadJson, ValueError, KeyError, TypeError) as exc:
        response = json_response({"error": str(exc)}, 400)
    return response(environ, start_response)


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    response = Response(
        json.dumps(body, separators=(",", ":")),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def read_json(request: Request) -> Any:
    """Parse the body as JSON (ignoring Content-Type, as lenient servers do)."""
    raw = request.get_data(cache=True)
    if not raw:
        raise BadJson("the body is empty")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadJson(f"the body is not valid JSON: {exc}") from exc


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class _QuietHandler(WSGIRequestHandler):
    """Keeps the per-request access log out of the demo's terminal; errors still log.

    HTTP/1.1 keeps connections alive as real servers do, so a client's pooled session is
    measured as it will run, not paying a TCP handshake per call.
    """

    verbose = False
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        live = getattr(self.server, "live_connections", None)
        if live is not None:
            live.add(self.connection)

    def finish(self) -> None:
        live = getattr(self.server, "live_connections", None)
        if live is not None:
            live.discard(self.connection)
        super().finish()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.verbose:
            super().log_request(code, size)


class _VerboseHandler(_QuietHandler):
    verbose = True


def _drain_request_body(app: WSGIApplication) -> WSGIApplication:
    """Read what the app left of the request body, so a kept-alive connection stays in step.

    Early answers (401, 429, injected faults) never read the body; on HTTP/1.1 those
    bytes would otherwise be parsed as the next request.
    """

    def drained(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        stream = LimitedStream(environ["wsgi.input"], max(length, 0))
        environ["wsgi.input"] = stream
        try:
            yield from app(environ, start_response)
        finally:
            with contextlib.suppress(OSError, ValueError):
                stream.exhaust()

    return drained


class ServerThread:
    """One werkzeug server serving ``app`` from a daemon thread until :meth:`stop`."""

    def __init__(
        self, app: WSGIApplication, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False
    ) -> None:
        if host not in LOOPBACK_HOSTS:
            raise ValueError(f"the sandbox only binds loopback, not {host!r}")
        handler = _VerboseHandler if verbose else _QuietHandler
        try:
            self._server: BaseWSGIServer = make_server(
                host, port, _drain_request_body(app), threaded=True, request_handler=handler
            )
        except SystemExit as exc:
            # werkzeug calls sys.exit(1) when it cannot bind; in-process (tests, --demo) that
            # must be an ordinary error the caller can report, not the end of the app.
            raise OSError(f"cannot listen on {host}:{port} (in use?)") from exc
        # Kept-alive connections must die with the server, or "offline" would still answer.
        self._server.live_connections = set()  # type: ignore[attr-defined]
        self.host = host
        self.port: int = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox-http-{self.port}",
            daemon=True,
        )

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> ServerThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        for connection in list(self._server.live_connections):  # type: ignore[attr-defined]
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._server.server_close()
