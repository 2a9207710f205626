"""The viewer's side of the PDF child: page images asked for once, cached, stale ones dropped.

The document lives in a child process behind the render worker (`pdf_render`); this
object is what the GUI thread talks to. Every answer is tagged with the generation it
was asked for: answers for a document the reviewer has left are dropped here, so the
viewer only hears about the document it shows.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from coi_desktop.page_layout import Size
from coi_desktop.ui.page_cache import CacheKey, PageCache
from coi_desktop.ui.pdf_render import OpenedDocument, OpenJob, RenderJob, RenderWorker, SearchJob


class PageSource(QObject):
    opened = Signal(object)  # OpenedDocument of the document shown (or why it cannot be)
    page_arrived = Signal(int, float, int)  # page, zoom, rotation
    thumbnail_arrived = Signal(int)  # page
    too_slow = Signal(int, str)  # page, reason: its render overran the budget
    found = Signal(str, object)  # text, list[(page, [rect tuples])]

    def __init__(self, loader: Callable[[str], bytes], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self.worker = RenderWorker(self)
        self.worker.opened.connect(self._opened)
        self.worker.rendered.connect(self._rendered)
        self.worker.found.connect(self._found)
        self.worker.too_slow.connect(self._too_slow)
        self._stopped = False
        self.cache = PageCache()
        self.key = ""  # sha256 of the document shown
        self.generation = 0
        self._open_in_worker = ""  # the key the worker has open (as far as we know)
        self._sizes_by_key: dict[str, list[Size]] = {}
        self._requested: set[CacheKey] = set()
        self._first_render = (0, 1.0)  # rotation and pixel ratio page 1 is drawn at on opening

    def start(self) -> None:
        if not self._stopped and not self.worker.isRunning():
            self.worker.start()

    def stop(self) -> None:
        """Stop and join the render thread (window closing, test teardown)."""
        self._stopped = True
        self.worker.stop()

    # ---------------------------------------------------------------- documents

    def switch(self, key: str) -> None:
        """From now on only answers about ``key`` ("" for none) reach the viewer."""
        self.key = key
        self.generation += 1
        self._requested.clear()

    def known_sizes(self) -> list[Size] | None:
        """The page sizes of the document shown, if it was opened before."""
        return self._sizes_by_key.get(self.key)

    @property
    def is_open(self) -> bool:
        """The worker has the document shown open already: pages can be asked for now."""
        return bool(self.key) and self._open_in_worker == self.key

    def open(self, first_page_width: float, rotation: int, dpr: float) -> None:
        """Open the document shown in the child; page 1 is drawn at once to fit the width."""
        key = self.key
        self._first_render = (rotation, dpr)
        self.worker.submit(
            OpenJob(
                self.generation,
                key,
                lambda: self._loader(key),
                first_page_width_px=first_page_width,
                rotation=rotation,
                dpr=dpr,
            )
        )
        self._open_in_worker = key

    def _opened(self, opened: OpenedDocument) -> None:
        if opened.generation != self.generation or opened.key != self.key:
            return  # a document the reviewer has already left
        if opened.error:
            self._open_in_worker = ""
        else:
            self._sizes_by_key[opened.key] = opened.page_sizes
        if opened.first_zoom > 0:
            rotation, dpr = self._first_render
            # page 1 at this zoom is on its way; do not ask twice
            self._requested.add(
                self.cache.key(self.key, 0, rotation, opened.first_zoom * dpr, False)
            )
        self.opened.emit(opened)

    # ---------------------------------------------------------------- pages

    def request(self, pages: list[int], zoom: float, rotation: int, dpr: float) -> None:
        """Have ``pages`` rendered at this zoom; renders queued for others are dropped."""
        if not self.key:
            return
        key = self.key
        wanted = {self.cache.key(key, p, rotation, zoom * dpr, False) for p in pages}
        visible = set(pages)
        # Forget renders for pages scrolled away or zooms left behind.
        self.worker.discard_renders(
            lambda job: (
                job.thumbnail
                or (
                    job.key == key
                    and job.rotation == rotation
                    and abs(job.zoom - zoom) < 1e-4
                    and job.page in visible
                )
            )
        )
        self._requested = {k for k in self._requested if k in wanted or k[4]}
        for page in pages:
            cache_key = self.cache.key(key, page, rotation, zoom * dpr, False)
            if self.cache.get(cache_key) is None and cache_key not in self._requested:
                self._requested.add(cache_key)
                self.worker.submit(RenderJob(self.generation, key, page, zoom, rotation, dpr))

    def _rendered(
        self,
        generation: int,
        key: str,
        page: int,
        zoom: float,
        rotation: int,
        thumb: bool,
        image: QImage,
    ) -> None:
        cache_key = self.cache.key(key, page, rotation, zoom * image.devicePixelRatio(), thumb)
        self._requested.discard(cache_key)
        if generation != self.generation or key != self.key:
            return  # stale: another document is open now
        self.cache.put(cache_key, image)
        if thumb:
            self.thumbnail_arrived.emit(page)
        else:
            self.page_arrived.emit(page, zoom, rotation)

    def _too_slow(self, generation: int, key: str, page: int, reason: str) -> None:
        if generation == self.generation and key == self.key:
            self.too_slow.emit(page, reason)

    def rendered(self, page: int, zoom: float, rotation: int, dpr: float) -> QImage | None:
        """The page as rendered at exactly this zoom, if it is."""
        return self.cache.get(self.cache.key(self.key, page, rotation, zoom * dpr, False))

    def image(self, page: int, zoom: float, rotation: int, dpr: float) -> QImage | None:
        """What to paint on ``page``: its render at this zoom, else one at another zoom
        (scaled when painted) while the right one is on its way."""
        image = self.rendered(page, zoom, rotation, dpr)
        return image if image is not None else self.cache.any_zoom(self.key, page, rotation)

    def thumbnail(self, page: int, zoom: float, rotation: int, dpr: float) -> QImage | None:
        """The page's thumbnail, or None while it is rendered (asked for here)."""
        key = self.cache.key(self.key, page, rotation, zoom * dpr, True)
        image = self.cache.get(key)
        if image is None and key not in self._requested:
            self._requested.add(key)
            self.worker.submit(
                RenderJob(self.generation, self.key, page, zoom, rotation, dpr, thumbnail=True)
            )
        return image

    # ---------------------------------------------------------------- find

    def search(self, text: str) -> None:
        self.worker.submit(SearchJob(self.generation, self.key, text))

    def _found(self, generation: int, key: str, text: str, hits: object) -> None:
        if generation == self.generation and key == self.key:
            self.found.emit(text, hits)
