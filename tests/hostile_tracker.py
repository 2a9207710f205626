"""A tiny, scriptable fake tracker on loopback for the hostile-server tests.

Each test sets ``routes``: ``"METHOD /path"`` → a function of the request returning
``(status, headers, body-bytes-or-iterable)``. An iterable body is sent piece by piece
(with ``sleep`` between pieces, to drip). Every request seen is kept in ``seen``.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Body = bytes | Iterable[bytes]
Answer = tuple[int, dict[str, str], Body]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeServer:
    routes: dict[str, Callable[[Seen], Answer]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    drip_pause: float = 0.0

    def __post_init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Seen(self.command, self.path, dict(self.headers), body)
                owner.seen.append(request)
                route = owner.routes.get(f"{self.command} {urlsplit(self.path).path}")
                headers: dict[str, str]
                payload: Body
                if route is None:
                    status, headers, payload = 404, {}, json_body({"error": "not found"})
                else:
                    status, headers, payload = route(request)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if isinstance(payload, bytes):
                    if "Content-Length" not in headers:
                        self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    try:
                        self.wfile.write(payload)
                    except (BrokenPipeError, ConnectionResetError):
                        self.close_connection = True  # the client stopped reading: its right
                    return
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for piece in payload:
                        self.wfile.write(piece)
                        self.wfile.flush()
                        if owner.drip_pause:
                            time.sleep(owner.drip_pause)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

            do_GET = do_PUT = do_POST = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        return f"{self.origin}/api/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def json_body(value: Any) -> bytes:
    return json.dumps(value).encode()


def ok(value: Any, status: int = 200, **headers: str) -> Callable[[Seen], Answer]:
    data = json_body(value)
    return lambda _request: (status, {"Content-Type": "application/json", **headers}, data)


def gzip_bomb(decompressed: int) -> bytes:
    """A small gzip body that expands to ``decompressed`` bytes of JSON-looking zeros."""
    return gzip.compress(b'{"id": "' + b"0" * decompressed + b'"}', compresslevel=9)


def endless(piece: bytes) -> Iterator[bytes]:
    while True:
        yield piece


ME = {"id": "u-1", "name": "Riley Reviewer", "email": "r@example.com", "role": "reviewer"}


def submission(
    sub_id: str, version: int = 1, documents: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "id": sub_id,
        "version": version,
        "kind": "coi",
        "status": "new",
        "received_at": "2026-11-20T14:03:00Z",
        "due_at": "2026-11-21T14:03:00Z",
        "assigned_to": None,
        "vendor": {"id": "v-1", "name": "Acme"},
        "project": None,
        "commitment": None,
        "procore_company_id": None,
        "requirement_profile_id": None,
        "scope": "global",
        "documents": documents or [],
    }


def page(items: list[Any], cursor: str = "c-1", has_more: bool = False) -> dict[str, Any]:
    return {"items": items, "next_cursor": cursor, "has_more": has_more}
