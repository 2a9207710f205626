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


@dataclass(frozen=True)
class StyledSpan:
    """A span of the page's text page: where it is and how it is painted."""

    rect: Rect
    chars: int
    white: bool
    transparent: bool
    invisible: bool  # render mode 3 (neither filled nor stroked): a scanner's text layer
    known: bool = True  # this PyMuPDF reports opacity and paint (``alpha``, ``char_flags``)


_PAINTED = 16 | 32  # char_flags: filled, stroked


def styled_spans(textpage: Any) -> list[StyledSpan]:
    """The spans of a text page (``page.get_textpage()``), with colour, opacity and paint."""
    out = []
    for block in textpage.extractDICT()["blocks"]:
        for line in block.get("lines", ()):
            for span in line["spans"]:
                flags, alpha = span.get("char_flags"), span.get("alpha")
                known = flags is not None and alpha is not None
                invisible = known and not flags & _PAINTED
                colour = int(span.get("color", 0))
                rgb = ((colour >> 16) & 255, (colour >> 8) & 255, colour & 255)
                out.append(
                    StyledSpan(
                        tuple(span["bbox"]),
                        len(span.get("text", "")),
                        min(rgb) >= WHITE * 255,
                        known and not invisible and alpha <= 0.05 * 255,
                        invisible,
                        known,
                    )
                )
    return out


def invisible_share(spans: list[StyledSpan]) -> float:
    """Share of the characters in invisible render mode: a scanner's OCR layer over an image."""
    total = sum(s.chars for s in spans)
    invisible = sum(s.chars for s in spans if s.invisible)
    return invisible / total if total else 0.0


def may_hide(spans: list[StyledSpan], drawings: list[dict[str, Any]]) -> bool:
    """Whether any text of the page could be hidden: only then is the text trace needed.

    Text is hidden only when it is white, transparent, or under an opaque fill; the text
    page tells the first two, and a page without a fill over any text has none of the
    third. Whether a fill is drawn after the text (over it) needs the trace's drawing order.
    Tracing the page costs as much as reading its text; most pages need neither.
    """
    if any(not s.known or s.white or s.transparent for s in spans):
        return True
    fills = [r for _, r, _ in _fills(drawings)]
    return any(_meets(r, s.rect) for r in fills for s in spans)


def text_trace(page: Any) -> list[dict[str, Any]]:
    try:
        return list(page.get_texttrace())
    except Exception:  # a broken content stream: read the text as PyMuPDF gives it
        return []


def visible_words(
    page: Any,
    drawings: list[dict[str, Any]],
    spans: list[dict[str, Any]] | None = None,
    words: list[Word] | None = None,
) -> tuple[list[Word], int] | None:
    """The page's visible words and how many characters were hidden; None when none were.

    ``drawings`` is ``page.get_cdrawings()``, ``words`` PyMuPDF's word list of the page.
    Only the words that hold a hidden character are rebuilt, from the visible characters
    in their place (hidden and visible text overlap there, character by character); every
    other word is PyMuPDF's own. Joining a whole page's characters into words in Python
    took as long as reading the rest of the page.
    """
    if spans is None:
        spans = text_trace(page)
    fills = _fills(drawings)
    risky: list[tuple[int, bool, bool, list[Rect], list[Rect]]] = []
    for index, span in enumerate(spans):
        seq, sb = int(span.get("seqno", 0)), span["bbox"]
        white = _is_white(span.get("color"))
        transparent = float(span.get("opacity", 1.0)) <= 0.05 and span.get("type") != 3
        over = [r for s, r, _ in fills if s > seq and _meets(r, sb)]
        if white or transparent or over:
            under = [r for s, r, w in fills if white and s < seq and not w and _meets(r, sb)]
            risky.append((index, white, transparent, over, under))
    if not risky:
        return None  # the usual page: nothing can hide its text
    hidden_at: list[tuple[float, float]] = []
    hidden_chars: set[tuple[int, int]] = set()  # (span, character) of each hidden one
    hidden = 0
    for index, white, transparent, over_rects, under_rects in risky:
        covering, below = _Places(over_rects), _Places(under_rects)
        for k, ch in enumerate(spans[index].get("chars", ())):
            bbox = ch[3]
            cx, cy = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
            if transparent or covering.hold(cx, cy) or (white and not below.hold(cx, cy)):
                hidden_chars.add((index, k))
                if ch[0] != 32:
                    hidden += 1
                    hidden_at.append((cx, cy))
    if not hidden:
        return None
    if words is None:
        words = [Word(w[0], w[1], w[2], w[3], w[4]) for w in page.get_text("words")]
    hidden_rows: dict[int, list[tuple[float, float]]] = {}
    for cx, cy in hidden_at:
        hidden_rows.setdefault(int(cy // _ROW), []).append((cx, cy))
    kept: list[Word] = []
    spoilt: list[Rect] = []  # places of words that hold a hidden character
    for w in words:
        r = w.rect
        near = (p for row in _rows(r) for p in hidden_rows.get(row, ()))
        if any(_covers(r, cx, cy) for cx, cy in near):
            spoilt.append(r)
        else:
            kept.append(w)
    return kept + _visible_words_at(spans, spoilt, kept, hidden_chars), hidden


_ROW = 10.0  # height of the bands places are looked up in


def _rows(r: Rect) -> range:
    return range(int(r[1] // _ROW), int(r[3] // _ROW) + 1)


class _Places:
    """Rects looked up by a point, through the bands of the page they cross."""

    def __init__(self, rects: list[Rect]) -> None:
        self._rows: dict[int, list[Rect]] = {}
        for r in rects:
            for row in _rows(r):
                self._rows.setdefault(row, []).append(r)

    def hold(self, x: float, y: float) -> bool:
        return any(_covers(r, x, y) for r in self._rows.get(int(y // _ROW), ()))


def _visible_words_at(
    spans: list[dict[str, Any]],
    places: list[Rect],
    kept: list[Word],
    hidden: set[tuple[int, int]],
) -> list[Word]:
    """Words rebuilt from the visible characters inside ``places`` (none of a kept word)."""
    visible: list[_Char] = []
    spoilt, whole = _Places(places), _Places([w.rect for w in kept])
    for index, span in enumerate(spans):
        sb = span["bbox"]
        if not any(_meets(r, sb) for r in places):
            continue
        size = float(span.get("size", 10.0))
        direction = tuple(span.get("dir") or (1.0, 0.0))[:2]
        for k, ch in enumerate(span.get("chars", ())):
            bbox = ch[3]
            cx, cy = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
            if (index, k) in hidden or not spoilt.hold(cx, cy):
                continue
            if whole.hold(cx, cy):
                continue  # a kept word's own character
            visible.append(_Char(chr(ch[0]), tuple(bbox), index, size, direction))
    return _words(visible)


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
