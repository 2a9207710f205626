"""The PDF child process: opens, renders and searches the document the viewer shows.

PyMuPDF holds Python's GIL for the whole of a call, so a flate bomb decompressing for
seconds on a worker *thread* still froze the window (7.4 s): the GUI thread could not
run a line of Python meanwhile. Here the document lives in a separate process, the
worker thread waits on a pipe (which lets the GIL go), and a render that overruns its
budget is cancelled the only way a MuPDF call can be: the process is killed.

Qt-free: the child imports PyMuPDF only and sends back plain data (page sizes, raw
pixel rows, search rectangles).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

# A hostile page (14400 pt square, or zoomed far in) must not allocate gigabytes: the render
# is scaled down to this many pixels (about a 300 dpi letter page four times over).
MAX_RENDER_PIXELS = 36_000_000

ENCRYPTED = (
    "The PDF is encrypted with a password, so it cannot be shown. "
    "Ask the vendor's broker for an unprotected copy."
)


@dataclass(frozen=True)
class Pixels:
    """One rendered page as raw rows, ready to wrap in a QImage on the other side."""

    width: int
    height: int
    stride: int
    channels: int  # 3 = RGB, 1 = grey
    samples: bytes
    scale: float  # points → device pixels actually used (after the pixel cap)


def capped_scale(size: tuple[float, float], scale: float) -> float:
    """``scale`` (points → device pixels), lowered so the page fits the pixel budget."""
    pixels = size[0] * size[1] * scale * scale
    if pixels <= MAX_RENDER_PIXELS or pixels <= 0:
        return scale
    return float(scale * (MAX_RENDER_PIXELS / pixels) ** 0.5)


def render_pixels(doc: Any, page_no: int, zoom: float, rotation: int, dpr: float) -> Pixels:
    import pymupdf as _pymupdf

    pymupdf: Any = _pymupdf

    page = doc[page_no]
    scale = capped_scale((float(page.rect.width), float(page.rect.height)), zoom * dpr)
    matrix = pymupdf.Matrix(scale, scale).prerotate(rotation)
    pix = page.get_pixmap(matrix=matrix, alpha=False, annots=True)
    return Pixels(pix.width, pix.height, pix.stride, pix.n, bytes(pix.samples_mv), scale)


def open_reason(exc: BaseException) -> str:
    import pymupdf

    if isinstance(exc, pymupdf.FileDataError) or "format error" in str(exc).lower():
        return "The file is damaged or is not a PDF, so it cannot be shown."
    text = str(exc).strip() or exc.__class__.__name__
    return f"The PDF could not be opened: {text}."


def serve(conn: Connection) -> None:
    """The child's loop: one request in, one reply out, until the pipe closes."""
    import pymupdf as _pymupdf  # loaded before the first request: the first file opens quickly

    pymupdf: Any = _pymupdf

    doc: Any = None
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        kind = request[0]
        try:
            if kind == "open":
                if doc is not None:
                    doc.close()
                    doc = None
                opened = pymupdf.open(stream=request[1], filetype="pdf")
                if opened.needs_pass:
                    opened.close()
                    conn.send(("error", ENCRYPTED))
                elif opened.page_count == 0:
                    opened.close()
                    conn.send(("error", "The PDF has no pages."))
                else:
                    doc = opened
                    conn.send(("opened", [(p.rect.width, p.rect.height) for p in doc]))
            elif doc is None:
                conn.send(("error", "No document is open."))
            elif kind == "render":
                _, page, zoom, rotation, dpr = request
                conn.send(("pixels", render_pixels(doc, page, zoom, rotation, dpr)))
            elif kind == "search":
                hits = []
                for number, page in enumerate(doc):
                    rects = page.search_for(request[1])
                    if rects:
                        hits.append((number, [(r.x0, r.y0, r.x1, r.y1) for r in rects]))
                conn.send(("found", hits))
        except Exception as exc:  # one bad file must not end the child
            conn.send(("error", open_reason(exc) if kind == "open" else str(exc)))


class Abandoned(Exception):
    """The child overran its budget or was no longer wanted, and was killed."""


class PdfChild:
    """The parent's handle: start, ask with a time budget, kill."""

    def __init__(self) -> None:
        self._process: Any = None
        self._conn: Connection | None = None

    def start(self) -> None:
        if self._process is not None:
            return
        # spawn, not fork: the parent runs Qt threads, which a forked child must not inherit.
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe()
        process = context.Process(target=serve, args=(child_end,), name="pdf-child", daemon=True)
        process.start()
        child_end.close()
        self._process, self._conn = process, parent_end

    @property
    def pid(self) -> int | None:
        return None if self._process is None else int(self._process.pid)

    def ask(
        self, request: tuple[Any, ...], budget_s: float, give_up: Callable[[], bool]
    ) -> tuple[Any, ...]:
        """Send ``request`` and wait for the reply, at most ``budget_s`` seconds.

        ``give_up`` is asked every 50 ms (the viewer moved on, the window is closing).
        On a timeout or give-up the child is killed (the only cancel a MuPDF call has)
        and ``Abandoned`` raised; the next ``ask`` starts a fresh one.
        """
        self.start()
        assert self._conn is not None
        deadline = time.monotonic() + budget_s
        try:
            self._conn.send(request)
            while not self._conn.poll(0.05):
                if time.monotonic() > deadline or give_up() or not self._process.is_alive():
                    raise Abandoned
            reply: tuple[Any, ...] = self._conn.recv()
            return reply
        except (Abandoned, EOFError, OSError):
            self.kill()
            raise Abandoned from None

    def kill(self) -> None:
        process, conn = self._process, self._conn
        self._process, self._conn = None, None
        if conn is not None:
            conn.close()
        if process is not None:
            process.kill()
            process.join(5)

    def close(self) -> None:
        """Let the child finish on its own (the pipe closes), then make sure it is gone."""
        process, conn = self._process, self._conn
        self._process, self._conn = None, None
        if conn is not None:
            conn.close()
        if process is not None:
            process.join(1)
            if process.is_alive():
                process.kill()
                process.join(5)
