"""PDF work off the GUI thread: open, render pages, search — with the worker's own document.

PyMuPDF is not safe across threads sharing a document, so the worker opens its own
`pymupdf.Document` from the stored bytes and nobody else touches it. Results go back
as `QImage` (never `QPixmap`) through queued signals, tagged with the generation they
were asked for so the viewer can drop stale ones.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QImage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenJob:
    generation: int
    key: str  # sha256: the document's identity
    loader: Callable[[], bytes]  # reads the bytes (on the worker)
    first_page_width_px: float = 0.0  # > 0: also render page 1 at this fit width
    first_page_fit_height_px: float = 0.0  # > 0 with width: fit the whole page
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


def fit_zoom(
    size: tuple[float, float], rotation: int, width_px: float, height_px: float = 0.0
) -> float:
    """Zoom that makes a page fill ``width_px`` (and, if given, fit in ``height_px``)."""
    w, h = size if rotation % 180 == 0 else (size[1], size[0])
    zoom = width_px / w if w > 0 else 1.0
    if height_px > 0 and h > 0:
        zoom = min(zoom, height_px / h)
    return max(0.1, min(zoom, 8.0))


def map_rect(
    rect: tuple[float, float, float, float], size: tuple[float, float], zoom: float, rotation: int
) -> tuple[float, float, float, float]:
    """A rectangle in page points → pixels of the page as rendered with ``zoom`` and ``rotation``.

    The same arithmetic as PyMuPDF's ``Matrix(zoom, zoom).prerotate(rotation)`` with the
    result moved so the rotated page starts at (0, 0), kept here so the GUI thread never
    needs PyMuPDF (its import alone costs most of a second at start-up).
    """
    w, h = size

    def point(x: float, y: float) -> tuple[float, float]:
        r = rotation % 360
        if r == 90:
            return h - y, x
        if r == 180:
            return w - x, h - y
        if r == 270:
            return y, w - x
        return x, y

    (ax, ay), (bx, by) = point(rect[0], rect[1]), point(rect[2], rect[3])
    return (min(ax, bx) * zoom, min(ay, by) * zoom, max(ax, bx) * zoom, max(ay, by) * zoom)


# A hostile page (14400 pt square, or zoomed far in) must not allocate gigabytes: the render
# is scaled down to this many pixels (about a 300 dpi letter page four times over).
MAX_RENDER_PIXELS = 36_000_000


def capped_scale(size: tuple[float, float], scale: float) -> float:
    """``scale`` (points → device pixels), lowered so the page fits the pixel budget."""
    pixels = size[0] * size[1] * scale * scale
    if pixels <= MAX_RENDER_PIXELS or pixels <= 0:
        return scale
    return float(scale * (MAX_RENDER_PIXELS / pixels) ** 0.5)


def render_page(doc: Any, page_no: int, zoom: float, rotation: int, dpr: float) -> QImage:
    pymupdf = _pymupdf()
    page = doc[page_no]
    scale = capped_scale((float(page.rect.width), float(page.rect.height)), zoom * dpr)
    matrix = pymupdf.Matrix(scale, scale).prerotate(rotation)
    pix = page.get_pixmap(matrix=matrix, alpha=False, annots=True)
    fmt = QImage.Format.Format_RGB888 if pix.n == 3 else QImage.Format.Format_Grayscale8
    image = QImage(pix.samples_mv, pix.width, pix.height, pix.stride, fmt).copy()
    # Capped: fewer pixels shown at the same size (blurred, never gigabytes).
    image.setDevicePixelRatio(scale / zoom if zoom > 0 else dpr)
    return image


def describe_open_error(exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return f"The PDF could not be opened: {text}."


class RenderWorker(QThread):
    """One thread, one document at a time, a queue where only the newest work matters."""

    opened = Signal(object)  # OpenedDocument
    rendered = Signal(int, str, int, float, int, bool, QImage)  # gen, key, page, zoom, rot, thumb
    found = Signal(int, str, str, object)  # gen, key, text, list[(page, [rect tuples])]

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdf-render")
        self._lock = threading.Condition()
        self._jobs: list[OpenJob | RenderJob | SearchJob] = []
        self._stopping = False
        self._latest_generation = 0
        self._doc: Any = None
        self._doc_key = ""

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
            self._close()

    def _close(self) -> None:
        if self._doc is not None:
            self._doc.close()
        self._doc, self._doc_key = None, ""

    def _open(self, job: OpenJob) -> None:
        self._close()
        pymupdf = _pymupdf()  # loaded here, on the worker: the GUI starts without it
        try:
            data = job.loader()
            doc = pymupdf.open(stream=data, filetype="pdf")
        except Exception as exc:
            self.opened.emit(OpenedDocument(job.generation, job.key, error=_reason(exc)))
            return
        if doc.needs_pass:
            doc.close()
            self.opened.emit(
                OpenedDocument(
                    job.generation,
                    job.key,
                    error="The PDF is encrypted with a password, so it cannot be shown. "
                    "Ask the vendor's broker for an unprotected copy.",
                )
            )
            return
        if doc.page_count == 0:
            doc.close()
            self.opened.emit(OpenedDocument(job.generation, job.key, error="The PDF has no pages."))
            return
        self._doc, self._doc_key = doc, job.key
        sizes = [(p.rect.width, p.rect.height) for p in doc]
        zoom = 0.0
        if job.first_page_width_px > 0:
            zoom = fit_zoom(
                sizes[0], job.rotation, job.first_page_width_px, job.first_page_fit_height_px
            )
        self.opened.emit(OpenedDocument(job.generation, job.key, sizes, None, zoom))
        if zoom > 0:
            self._render(RenderJob(job.generation, job.key, 0, zoom, job.rotation, job.dpr))

    def _render(self, job: RenderJob) -> None:
        if (
            self._doc is None
            or job.key != self._doc_key
            or not 0 <= job.page < self._doc.page_count
        ):
            return
        image = render_page(self._doc, job.page, job.zoom, job.rotation, job.dpr)
        self.rendered.emit(
            job.generation, job.key, job.page, job.zoom, job.rotation, job.thumbnail, image
        )

    def _search(self, job: SearchJob) -> None:
        if self._doc is None or job.key != self._doc_key:
            return
        hits: list[tuple[int, list[tuple[float, float, float, float]]]] = []
        for number, page in enumerate(self._doc):
            rects = page.search_for(job.text)
            if rects:
                hits.append((number, [(r.x0, r.y0, r.x1, r.y1) for r in rects]))
        self.found.emit(job.generation, job.key, job.text, hits)


def _pymupdf() -> Any:
    import pymupdf

    return pymupdf


def _reason(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return "The document is not in the local store yet (it has not been downloaded)."
    if isinstance(exc, _pymupdf().FileDataError) or "format error" in str(exc).lower():
        return "The file is damaged or is not a PDF, so it cannot be shown."
    return describe_open_error(exc)
