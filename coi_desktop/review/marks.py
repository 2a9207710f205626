"""Check marks that are drawn rather than typed, and whether the mark columns were found.

Broker software marks a box in several ways: a letter (X, Y), a symbol glyph (✓ ✔ ✖),
an X drawn as two vector strokes (pdf-lib and similar), or a filled square. Text marks
are read with the box's text (``parsing.read_mark``); this module finds the drawn ones
so that an empty text box with a drawn X in it reads as marked, not as "no".
"""

from __future__ import annotations

from typing import Any

from coi_desktop.review.layout import Affine, Word, normalize

Rect = tuple[float, float, float, float]
MAX_MARK = 16.0  # a drawn mark fits in a check box; anything larger is a rule or a frame
MIN_STROKE = 1.5  # both extents of a diagonal stroke exceed this (rules are axis-aligned)
MIN_FILLED = 3.0  # a filled square this size or more is a filled check box, not a rule


def _diagonal(item: Any) -> bool:
    if not item or item[0] != "l" or len(item) < 3:
        return False
    (x0, y0), (x1, y1) = item[1][:2], item[2][:2]
    return bool(abs(x1 - x0) > MIN_STROKE and abs(y1 - y0) > MIN_STROKE)


def _dark(fill: Any) -> bool:
    return isinstance(fill, (tuple, list)) and len(fill) >= 3 and min(fill[:3]) < 0.5


def drawn_marks(drawings: list[dict[str, Any]]) -> list[Rect]:
    """Page rects of drawn marks: diagonal strokes (an X or a tick) and filled squares.

    ``drawings`` is PyMuPDF's ``page.get_cdrawings()``. A box's outline (an unfilled
    rectangle) and the form's rules (thin fills, straight lines) are not marks.
    """
    out: list[Rect] = []
    for d in drawings:
        r = tuple(d.get("rect") or (0.0, 0.0, 0.0, 0.0))
        w, h = r[2] - r[0], r[3] - r[1]
        if w > MAX_MARK or h > MAX_MARK:
            continue
        items = d.get("items") or ()
        strokes = d.get("type") in ("s", "fs") and any(_diagonal(it) for it in items)
        filled = d.get("type") in ("f", "fs") and w >= MIN_FILLED and h >= MIN_FILLED
        if strokes or (filled and _dark(d.get("fill"))):
            out.append((r[0], r[1], r[2], r[3]))
    return out


def marks_in_template(marks: list[Rect], transform: Affine) -> list[tuple[float, float]]:
    """Centres of drawn marks in the template frame."""
    return [transform.apply((r[0] + r[2]) / 2, (r[1] + r[3]) / 2) for r in marks]


# Column headers of the mark columns on the 2016/03 form (template centres).
_MARK_HEADERS: dict[str, tuple[tuple[str, float, float], ...]] = {
    "addl": (("ADDL", 185.5, 291.0), ("INSD", 185.4, 297.4)),
    "subr": (("SUBR", 203.4, 291.0), ("WVD", 203.4, 297.4)),
}
HEADER_TOLERANCE = 8.0


def mark_columns_found(words: list[Word], transform: Affine) -> bool:
    """Both mark columns' headers are printed where the fitted form puts them.

    When they are not, the reader cannot tell an empty ADDL INSD / SUBR WVD box from
    a mark it failed to see, and leaves those values unknown.
    """
    found = set()
    for w in words:
        if len(w.text) > 4 or len(w.text) < 3:
            continue  # ADDL, INSD, SUBR, WVD
        key = normalize(w.text)
        x, y = transform.apply(*w.center)
        for column, headers in _MARK_HEADERS.items():
            for hkey, hx, hy in headers:
                if key == hkey and abs(x - hx) <= HEADER_TOLERANCE and abs(y - hy) <= 6:
                    found.add(column)
    return found == set(_MARK_HEADERS)
