"""Where the document pane puts each page, in plain numbers: no Qt, so it is tested alone.

Pages stand one under the other, centred, with a margin round the stack and a gap
between pages. Sizes come in PDF points as the file has them (unrotated); everything
this module returns is in device-independent view pixels of the whole stack (the
"content"), before scrolling. The widget subtracts its scroll position to paint.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Literal

MARGIN = 12.0  # round the stack of pages
GAP = 12.0  # between two pages
MIN_ZOOM, MAX_ZOOM = 0.1, 8.0
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 6.0)
LETTER = (612.0, 792.0)  # stands in for a page whose size is not known yet

ZoomMode = Literal["fit_width", "fit_page", "custom"]
Size = tuple[float, float]
Rect = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class Box:
    """A rectangle in view pixels."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def moved(self, dx: float, dy: float) -> Box:
        return Box(self.x + dx, self.y + dy, self.width, self.height)


@dataclass(frozen=True)
class Outline:
    """Evidence to show: a page of a document and, where known, the box on it."""

    document_id: str | None
    page: int  # 0-based
    rect: Rect | None  # PDF points


def outline_of(evidence: Mapping[str, Any] | None) -> Outline | None:
    """A checklist line's evidence (1-based ``page``, ``rect`` in points, ``document_id``)
    → what the pane outlines; None when it names no page."""
    if not evidence or not isinstance(evidence.get("page"), int):
        return None
    rect = evidence.get("rect")
    box: Rect | None = None
    if isinstance(rect, list | tuple) and len(rect) >= 4:
        box = (float(rect[0]), float(rect[1]), float(rect[2]), float(rect[3]))
    doc_id = evidence.get("document_id")
    return Outline(str(doc_id) if doc_id else None, int(evidence["page"]) - 1, box)


def clamp_zoom(zoom: float) -> float:
    return max(MIN_ZOOM, min(zoom, MAX_ZOOM))


def rotated(size: Size, rotation: int) -> Size:
    """The page's width and height as shown: a quarter turn swaps them."""
    return (size[1], size[0]) if rotation % 180 else size


def fit_zoom(size: Size, rotation: int, width_px: float, height_px: float = 0.0) -> float:
    """Zoom that makes a page fill ``width_px`` (and, if given, fit in ``height_px``)."""
    w, h = rotated(size, rotation)
    zoom = width_px / w if w > 0 else 1.0
    if height_px > 0 and h > 0:
        zoom = min(zoom, height_px / h)
    return clamp_zoom(zoom)


def map_rect(rect: Rect, size: Size, zoom: float, rotation: int) -> Rect:
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


def zoom_in_step(zoom: float) -> float:
    """The next zoom step above ``zoom`` (the largest step when there is none)."""
    return next((z for z in ZOOM_STEPS if z > zoom + 0.01), ZOOM_STEPS[-1])


def zoom_out_step(zoom: float) -> float:
    return next((z for z in reversed(ZOOM_STEPS) if z < zoom - 0.01), ZOOM_STEPS[0])


def zoom_text(zoom: float, mode: ZoomMode) -> str:
    """What the pane's zoom label reads: "125%", "98% (fit width)"."""
    suffix = {"fit_width": " (fit width)", "fit_page": " (fit page)"}.get(mode, "")
    return f"{round(zoom * 100)}%{suffix}"


def fit_area(viewport_width: float, viewport_height: float) -> Size:
    """The room a fitted page has in a viewport: the margin is kept on each side."""
    return viewport_width - 2 * MARGIN, viewport_height - 2 * MARGIN


@dataclass(frozen=True)
class PageLayout:
    """The stack of pages of one document at one zoom and rotation."""

    sizes: tuple[Size, ...] = ()  # unrotated PDF points, one per page
    zoom: float = 1.0  # points → view pixels
    rotation: int = 0  # degrees clockwise, a multiple of 90

    @cached_property
    def _offsets(self) -> list[float]:
        """The top of each page in the content: worked out once per layout."""
        tops, y = [], MARGIN
        for page in range(len(self.sizes)):
            tops.append(y)
            y += self.page_size(page)[1] + GAP
        return tops

    # ---------------------------------------------------------------- changed copies

    def with_sizes(self, sizes: list[Size] | tuple[Size, ...]) -> PageLayout:
        return replace(self, sizes=tuple((float(w), float(h)) for w, h in sizes))

    def with_zoom(self, zoom: float) -> PageLayout:
        return replace(self, zoom=clamp_zoom(zoom))

    def with_rotation(self, rotation: int) -> PageLayout:
        return replace(self, rotation=rotation % 360)

    def fitted(self, mode: ZoomMode, width: float, height: float) -> float:
        """The zoom ``mode`` asks for in a fit area (see `fit_area`); custom keeps the zoom.

        The widest page (as shown) decides, so no page is wider than the view; fit page
        fits that page's height too.
        """
        if not self.sizes or mode == "custom":
            return self.zoom
        widest = max(self.sizes, key=lambda s: rotated(s, self.rotation)[0])
        return fit_zoom(widest, self.rotation, width, height if mode == "fit_page" else 0.0)

    # ---------------------------------------------------------------- sizes and places

    @property
    def page_count(self) -> int:
        return len(self.sizes)

    def page_size(self, page: int) -> Size:
        """Width and height of ``page`` on screen."""
        w, h = rotated(self.sizes[page], self.rotation)
        return w * self.zoom, h * self.zoom

    def page_top(self, page: int) -> float:
        return self._offsets[page]

    @cached_property
    def content_size(self) -> Size:
        """The whole stack with its margins (0 × 0 without pages)."""
        if not self.sizes:
            return 0.0, 0.0
        width = max(self.page_size(p)[0] for p in range(len(self.sizes))) + 2 * MARGIN
        last = len(self.sizes) - 1
        return width, self._offsets[last] + self.page_size(last)[1] + MARGIN

    def page_box(self, page: int, viewport_width: float) -> Box:
        """Where ``page`` is in the content, centred in a viewport at least that wide."""
        w, h = self.page_size(page)
        content_w = max(self.content_size[0], float(viewport_width))
        return Box((content_w - w) / 2, self._offsets[page], w, h)

    def visible_pages(self, top: float, height: float) -> list[int]:
        """Pages that show, whole or in part, between ``top`` and ``top + height``."""
        if not self._offsets:
            return []
        bottom = top + height
        first = max(0, bisect.bisect_right(self._offsets, top) - 1)
        pages = []
        for page in range(first, len(self._offsets)):
            if self._offsets[page] > bottom:
                break
            pages.append(page)
        return pages

    def page_at(self, y: float) -> int:
        """The page whose slot (page and the gap below it) holds content height ``y``;
        clamped to the first and last page. 0 without pages."""
        if not self._offsets:
            return 0
        return max(0, min(len(self._offsets) - 1, bisect.bisect_right(self._offsets, y) - 1))

    def current_page(self, top: float, viewport_height: float) -> int:
        """The page a reader is on: the one a third of the way down the view."""
        return self.page_at(top + viewport_height / 3)

    # ---------------------------------------------------------------- points ↔ pixels

    def rect_in_page(self, page: int, rect: Rect) -> Box:
        """A rectangle in ``page``'s PDF points → pixels from the page's top left."""
        x0, y0, x1, y1 = map_rect(rect, self.sizes[page], self.zoom, self.rotation)
        return Box(x0, y0, x1 - x0, y1 - y0)

    def rect_in_content(self, page: int, rect: Rect, viewport_width: float) -> Box:
        """A rectangle in ``page``'s PDF points (an evidence box, a find hit) → content."""
        box = self.page_box(page, viewport_width)
        return self.rect_in_page(page, rect).moved(box.x, box.y)

    # ---------------------------------------------------------------- scrolling

    def page_scroll(self, page: int, y_in_page: float = 0.0) -> float:
        """The scroll position that shows ``page`` from ``y_in_page`` pixels down it,
        with the margin above (the widget's scroll bar clamps to its range)."""
        return self._offsets[page] + y_in_page - MARGIN

    def rect_scroll(
        self, page: int, rect: Rect, viewport_width: float, viewport_height: float
    ) -> tuple[float, float]:
        """Scroll position (x, y) that shows ``rect`` of ``page`` a third of the way down
        the view and centred across it: where the eye goes for "show this evidence"."""
        inside = self.rect_in_page(page, rect)
        y = self.page_scroll(page, max(0.0, inside.y - viewport_height / 3))
        box = self.page_box(page, viewport_width)
        x = box.x + inside.x + inside.width / 2 - viewport_width / 2
        return x, y

    def rescaled_scroll(self, top: float, before: PageLayout) -> float:
        """After a zoom or rotation: the scroll position that keeps the same share of
        the document above the view as ``top`` did in ``before``."""
        return top / max(1.0, before.content_size[1]) * self.content_size[1]

    # ---------------------------------------------------------------- thumbnails

    def thumbnail_zoom(self, page: int, width: float) -> float:
        """The zoom that draws ``page`` ``width`` pixels wide."""
        w = rotated(self.sizes[page], self.rotation)[0]
        return width / w if w else 0.15

    def thumbnail_size(self, page: int, width: int) -> tuple[int, int]:
        """Pixel size of ``page``'s thumbnail ``width`` wide (a letter page when unknown)."""
        size = self.sizes[page] if 0 <= page < len(self.sizes) else LETTER
        w, h = rotated(size, self.rotation)
        return width, (max(1, round(width * h / w)) if w else width)
