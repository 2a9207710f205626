"""Text that is in a page's text layer but not seen on it.

A certificate edited after printing often keeps the old text under a white box with
the new value printed on top, and some generators write white text on white. Such text
must not be read: a reviewer sees the drawn page, and the extraction has to agree with
it. PyMuPDF's text trace gives every span its drawing order (``seqno``), colour and
opacity; a character is hidden when it is transparent, white with nothing dark under
it, or covered by an opaque fill drawn after it. Text outside the page is dropped by
PyMuPDF itself. Text in invisible render mode is kept: it is the searchable layer of a
scan, which does show on the page as the image.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coi_desktop.review.layout import Word

Rect = tuple[float, float, float, float]
MIN_COVER = 2.0  # fills thinner than this are rules, which strike text out rather than hide it
WHITE = 0.95  # each colour component at least this is white


@dataclass(frozen=True)
class _Char:
    text: str
    rect: Rect
    span: int  # index of the span, to join only its own characters into words
    size: float
    direction: tuple[float, float] = (1.0, 0.0)  # the writing direction (cos, sin)

    def along(self) -> tuple[float, float, float]:
        """Start and end along the writing direction, and the offset across it."""
        cos, sin = self.direction
        x0, y0, x1, y1 = self.rect
        us = (x0 * cos + y0 * sin, x1 * cos + y1 * sin, x0 * cos + y1 * sin, x1 * cos + y0 * sin)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        return min(us), max(us), -cx * sin + cy * cos


def _is_white(color: Any) -> bool:
    return isinstance(color, (tuple, list)) and len(color) >= 3 and min(color[:3]) >= WHITE


def _fills(drawings: list[dict[str, Any]]) -> list[tuple[int, Rect, bool]]:
    """Opaque filled shapes: (draw order, rect, white?)."""
    out = []
    for d in drawings:
        fill = d.get("fill")
        if fill is None or (d.get("fill_opacity") or 1.0) < 0.95:
            continue
        r = tuple(d["rect"])
        if r[2] - r[0] < MIN_COVER or r[3] - r[1] < MIN_COVER:
            continue
        out.append((int(d.get("seqno", 0)), (r[0], r[1], r[2], r[3]), _is_white(fill)))
    return out


def _covers(r: Rect, x: float, y: float) -> bool:
    return r[0] <= x <= r[2] and r[1] <= y <= r[3]


def _meets(a: Rect, b: Any) -> bool:
    return bool(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def invisible_share(spans: list[dict[str, Any]]) -> float:
    """Share of the characters in invisible render mode: a scanner's OCR layer over an image."""
    total = sum(len(s.get("chars", ())) for s in spans)
    invisible = sum(len(s.get("chars", ())) for s in spans if s.get("type") == 3)
    return invisible / total if total else 0.0


def text_trace(page: Any) -> list[dict[str, Any]]:
    try:
        return list(page.get_texttrace())
    except Exception:  # a broken content stream: read the text as PyMuPDF gives it
        return []


def visible_words(
    page: Any, drawings: list[dict[str, Any]], spans: list[dict[str, Any]] | None = None
) -> tuple[list[Word], int] | None:
    """The page's visible words and how many characters were hidden; None when none were.

    Only a page with hidden characters is rebuilt from the text trace (hidden and visible
    text overlap there, character by character); every other page keeps PyMuPDF's own
    word list. ``drawings`` is ``page.get_cdrawings()``.
    """
    if spans is None:
        spans = text_trace(page)
    fills = _fills(drawings)
    plan = []
    for span in spans:
        seq, sb = int(span.get("seqno", 0)), span["bbox"]
        white = _is_white(span.get("color"))
        transparent = float(span.get("opacity", 1.0)) <= 0.05 and span.get("type") != 3
        over = [r for s, r, _ in fills if s > seq and _meets(r, sb)]
        under = [r for s, r, w in fills if white and s < seq and not w and _meets(r, sb)]
        plan.append((white, transparent, over, under))
    if not any(white or transparent or over for white, transparent, over, _ in plan):
        return None  # the usual page: nothing can hide its text
    visible: list[_Char] = []
    hidden = 0
    for index, (span, step) in enumerate(zip(spans, plan, strict=True)):
        white, transparent, over, under = step
        size = float(span.get("size", 10.0))
        for ch in span.get("chars", ()):
            bbox = ch[3]
            cx, cy = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
            covered = any(_covers(r, cx, cy) for r in over)
            on_dark = any(_covers(r, cx, cy) for r in under)
            if transparent or covered or (white and not on_dark):
                hidden += ch[0] != 32
                continue
            direction = tuple(span.get("dir") or (1.0, 0.0))[:2]
            visible.append(_Char(chr(ch[0]), tuple(bbox), index, size, direction))
    if not hidden:
        return None
    return _words(visible), hidden


WORD_GAP = 0.15  # a gap wider than this share of the font size ends a word
SPAN_GAP = 0.1  # ...and a narrower one when the next character starts a new span


def _words(chars: list[_Char]) -> list[Word]:
    """Characters in drawing order joined into words at spaces and gaps."""
    words: list[Word] = []
    current: list[_Char] = []

    def close() -> None:
        if current:
            words.append(
                Word(
                    min(c.rect[0] for c in current),
                    min(c.rect[1] for c in current),
                    max(c.rect[2] for c in current),
                    max(c.rect[3] for c in current),
                    "".join(c.text for c in current),
                )
            )
            current.clear()

    for c in chars:
        if c.text.isspace():
            close()
            continue
        if current:
            last = current[-1]
            start, _, across = c.along()  # sideways text runs down or up the page
            _, end, last_across = last.along()
            gap = start - end
            same_line = c.direction == last.direction and abs(across - last_across) < c.size * 0.3
            limit = c.size * (SPAN_GAP if c.span != last.span else WORD_GAP)
            if not same_line or gap > limit or gap < -c.size:
                close()
        current.append(c)
    close()
    return words
