"""PDF work off the GUI thread: open, render pages, search — in a child process.

PyMuPDF holds the GIL while it works and is not safe across threads sharing a document,
so the document lives in a child process (``pdf_child``) driven by this worker thread,
and nobody else touches it. Results go back as `QImage` (never `QPixmap`) through
queued signals, tagged with the generation they were asked for so the viewer can drop
stale ones; every call into the child has a time budget.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QImage

from coi_desktop.page_layout import fit_zoom
from coi_desktop.ui.pdf_child import (
    Abandoned,
    PdfChild,
    Pixels,
    render_pixels,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenJob:
    generation: int
    key: str  # sha256: the document's identity
    loader: Callable[[], bytes]  # reads the bytes (on the worker)
    first_page_width_px: float = 0.0  # > 0: also render page 1 at this fit width
    rotation: int = 0
    dpr: float = 1.0


@dataclass(frozen=True)
class RenderJob:
    generation: int
    key: str
    page: int  # 0-based
    zoom: float  # points → device-independent pixels
    rotation: int
    dpr: float
    thumbnail: bool = False


@dataclass(frozen=True)
class SearchJob:
    generation: int
    key: str
    text: str


@dataclass(frozen=True)
class OpenedDocument:
    generation: int
    key: str
    page_sizes: list[tuple[float, float]] = field(default_factory=list)  # unrotated points
    error: str | None = None
    first_zoom: float = 0.0  # the zoom page 1 was rendered at (0: not rendered)


def to_image(pixels: Pixels, zoom: float, dpr: float) -> QImage:
    """Raw rows from the child → a QImage shown at ``zoom`` (always with the stride)."""
    fmt = QImage.Format.Format_RGB888 if pixels.channels == 3 else QImage.Format.Format_Grayscale8
    image = QImage(pixels.samples, pixels.width, pixels.height, pixels.stride, fmt).copy()
    # Capped: fewer pixels shown at the same size (blurred, never gigabytes).
    image.setDevicePixelRatio(pixels.scale / zoom if zoom > 0 else dpr)
    return image


def render_page(doc: Any, page_no: int, zoom: float, rotation: int, dpr: float) -> QImage:
    return to_image(render_pixels(doc, page_no, zoom, rotation, dpr), zoom, dpr)


# How long one call into the PDF child may take before it is killed. A real certificate
# opens in milliseconds and renders in under 0.2 s; a file that needs seconds is built to
# overwhelm readers, and the reviewer is better served by a sentence than by a wait.
OPEN_BUDGET_S = 5.0
RENDER_BUDGET_S = 3.0
# A render for a document the viewer has left is let finish this long before the child is
# killed for the next one (a restart costs more than a normal render).
ABANDON_AFTER_S = 0.3

TOO_SLOW = (
    "Its first page did not finish drawing within {budget:g} seconds, so it is not shown. "
    "The file may be built to overwhelm PDF readers; ask the vendor for a plain copy."
)


class RenderWorker(QThread):
    """One thread, one document at a time, a queue where only the newest work matters.

    The document itself lives in a child process (see ``pdf_child``): this thread only
    sends it requests and waits on the pipe, so no PDF parsing ever holds the GIL in
    the window's process.
    """

    opened = Signal(object)  # OpenedDocument
    rendered = Signal(int, str, int, float, int, bool, QImage)  # gen, key, page, zoom, rot, thumb
    found = Signal(int, str, str, object)  # gen, key, text, list[(page, [rect tuples])]
    too_slow = Signal(int, str, int, str)  # gen, key, page, reason: a render over its budget

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        open_budget_s: float | None = None,
        render_budget_s: float | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pdf-render")
        self._lock = threading.Condition()
        self._jobs: list[OpenJob | RenderJob | SearchJob] = []
        self._stopping = False
        self._latest_generation = 0
        self._open_budget = OPEN_BUDGET_S if open_budget_s is None else open_budget_s
        self._render_budget = RENDER_BUDGET_S if render_budget_s is None else render_budget_s
        self._child = PdfChild()
        self._child_key = ""  # the document the child has open
        self._doc_key = ""  # the document this worker serves (reopened after a kill)
        self._data = b""
        self._page_count = 0
        self._slow_pages: set[int] = set()  # pages of this document that overran the budget

    # ---------------------------------------------------------------- GUI side

    def submit(self, job: OpenJob | RenderJob | SearchJob) -> None:
        with self._lock:
            if isinstance(job, OpenJob):
                # A new document makes every queued job for the old one pointless.
                self._latest_generation = job.generation
                self._jobs = [j for j in self._jobs if j.generation >= job.generation]
            self._jobs.append(job)
            self._lock.notify()

    def discard_renders(self, keep: Callable[[RenderJob], bool]) -> None:
        """Drop queued renders the viewer no longer needs (scrolled past, zoom changed)."""
        with self._lock:
            self._jobs = [j for j in self._jobs if not isinstance(j, RenderJob) or keep(j)]

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._jobs.clear()
            self._lock.notify()
        self.wait()
        self._child.kill()  # never started, or left behind by a thread that did not run

    # ---------------------------------------------------------------- worker side

    def _next_job(self) -> OpenJob | RenderJob | SearchJob | None:
        with self._lock:
            while not self._jobs and not self._stopping:
                self._lock.wait()
            if self._stopping:
                return None
            # Opening first, then page renders newest first, thumbnails last.
            for i, job in enumerate(self._jobs):
                if isinstance(job, OpenJob):
                    return self._jobs.pop(i)
            pages = [
                i
                for i, j in enumerate(self._jobs)
                if isinstance(j, RenderJob | SearchJob) and not getattr(j, "thumbnail", False)
            ]
            if pages:
                return self._jobs.pop(pages[-1])
            return self._jobs.pop(0)

    def run(self) -> None:
        try:
            self._child.start()  # warm: PyMuPDF loads in the child while the window paints
            while (job := self._next_job()) is not None:
                if job.generation < self._latest_generation:
                    continue  # stale: the viewer has moved on
                try:
                    if isinstance(job, OpenJob):
                        self._open(job)
                    elif isinstance(job, RenderJob):
                        self._render(job)
                    else:
                        self._search(job)
                except Exception:  # a bad page must not kill the thread
                    log.exception("PDF job failed: %r", job)
        finally:
            self._child.close()

    def _ask(self, request: tuple[Any, ...], generation: int, budget: float) -> tuple[Any, ...]:
        started = time.monotonic()

        def give_up() -> bool:
            moved_on = generation < self._latest_generation
            return self._stopping or (moved_on and time.monotonic() - started > ABANDON_AFTER_S)

        try:
            return self._child.ask(request, budget, give_up)
        except Abandoned:
            self._child_key = ""  # the child was killed: its document went with it
            raise

    def _open(self, job: OpenJob) -> None:
        self._doc_key, self._data, self._page_count, self._slow_pages = "", b"", 0, set()
        try:
            data = job.loader()
        except Exception as exc:
            self.opened.emit(OpenedDocument(job.generation, job.key, error=_reason(exc)))
            return
        try:
            reply = self._ask(("open", data), job.generation, self._open_budget)
        except Abandoned:
            if job.generation == self._latest_generation and not self._stopping:
                error = f"The PDF could not be read within {self._open_budget:g} seconds."
                self.opened.emit(OpenedDocument(job.generation, job.key, error=error))
            return
        if reply[0] != "opened":
            self._child_key = ""
            self.opened.emit(OpenedDocument(job.generation, job.key, error=reply[1]))
            return
        sizes: list[tuple[float, float]] = reply[1]
        self._child_key = self._doc_key = job.key
        self._data, self._page_count = data, len(sizes)
        zoom = 0.0
        if job.first_page_width_px > 0:
            zoom = fit_zoom(sizes[0], job.rotation, job.first_page_width_px)
        self.opened.emit(OpenedDocument(job.generation, job.key, sizes, None, zoom))
        if zoom > 0:
            self._render(RenderJob(job.generation, job.key, 0, zoom, job.rotation, job.dpr))

    def _ensure_open(self, generation: int) -> bool:
        """After a kill the child starts empty: give it this worker's document again."""
        if self._child_key == self._doc_key:
            return True
        try:
            reply = self._ask(("open", self._data), generation, self._open_budget)
        except Abandoned:
            return False
        if reply[0] != "opened":
            return False
        self._child_key = self._doc_key
        return True

    def _render(self, job: RenderJob) -> None:
        if not self._doc_key or job.key != self._doc_key or not 0 <= job.page < self._page_count:
            return
        if job.page in self._slow_pages:
            self._report_slow(job)
            return
        if not self._ensure_open(job.generation):
            return
        request = ("render", job.page, job.zoom, job.rotation, job.dpr)
        try:
            reply = self._ask(request, job.generation, self._render_budget)
        except Abandoned:
            if job.generation == self._latest_generation and not self._stopping:
                self._slow_pages.add(job.page)  # not tried again: it would only stall again
                self._report_slow(job)
            return
        if reply[0] != "pixels":
            log.warning("page %d of %s could not be rendered: %s", job.page, job.key, reply[1])
            return
        image = to_image(reply[1], job.zoom, job.dpr)
        self.rendered.emit(
            job.generation, job.key, job.page, job.zoom, job.rotation, job.thumbnail, image
        )

    def _report_slow(self, job: RenderJob) -> None:
        reason = TOO_SLOW.format(budget=self._render_budget)
        self.too_slow.emit(job.generation, job.key, job.page, reason)

    def _search(self, job: SearchJob) -> None:
        if not self._doc_key or job.key != self._doc_key or not self._ensure_open(job.generation):
            return
        try:
            reply = self._ask(("search", job.text), job.generation, self._render_budget)
        except Abandoned:
            reply = ("found", [])
        hits = reply[1] if reply[0] == "found" else []
        self.found.emit(job.generation, job.key, job.text, hits)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return "The document is not in the local store yet (it has not been downloaded)."
    text = str(exc).strip() or exc.__class__.__name__
    return f"The PDF could not be opened: {text}."
