"""Rendered pages kept in memory, least recently used out, within a byte budget."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtGui import QImage

CACHE_BYTES = 160 * 1024 * 1024

CacheKey = tuple[str, int, int, float, bool]  # document, page, rotation, device zoom, thumbnail


class PageCache:
    """Rendered pages by (document, page, rotation, device zoom), least recently used out."""

    def __init__(self, budget_bytes: int = CACHE_BYTES) -> None:
        self.budget = budget_bytes
        self.size = 0
        self._items: OrderedDict[CacheKey, QImage] = OrderedDict()

    @staticmethod
    def key(doc: str, page: int, rotation: int, zoom: float, thumb: bool) -> CacheKey:
        return (doc, page, rotation, round(zoom, 4), thumb)

    def get(self, key: CacheKey) -> QImage | None:
        image = self._items.get(key)
        if image is not None:
            self._items.move_to_end(key)
        return image

    def put(self, key: CacheKey, image: QImage) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self.size -= old.sizeInBytes()
        self._items[key] = image
        self.size += image.sizeInBytes()
        while self.size > self.budget and len(self._items) > 1:
            _, dropped = self._items.popitem(last=False)
            self.size -= dropped.sizeInBytes()

    def any_zoom(self, doc: str, page: int, rotation: int) -> QImage | None:
        """Some image of the page (scaled when painted) while the right one is rendered."""
        best: QImage | None = None
        for (d, p, r, _z, _t), image in reversed(self._items.items()):
            if (
                d == doc
                and p == page
                and r == rotation
                and (best is None or image.width() > best.width())
            ):
                best = image
        return best

    def clear(self) -> None:
        self._items.clear()
        self.size = 0
