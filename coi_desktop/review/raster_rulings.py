"""The coverage table's ruling lines on a scan, found in its pixels.

A printed PDF draws its rules as vectors (``rulings``); a scan has only pixels. On the
page rendered upright and straightened (``ocr_reader.Raster``), a horizontal rule is a
long run of dark pixels along one pixel row, where a line of text is short runs broken by
the gaps between letters (vertical rules, the columns, are not looked for). Runs of at least
``rulings.MIN_LENGTH`` points are kept as pieces of rule; ``rulings.row_rules`` then joins
the pieces at one height and keeps the rules that cross the policy columns, exactly as
for vector rules.

Pure Python on the grey pixmap's bytes (no numpy or OpenCV): each pixel row is turned
into a bytes mask and searched with a regular expression, which runs in C. Two
neighbouring pixel rows are OR-ed first (as integers), so a rule left a fraction of a
degree askew after straightening, which steps from one pixel row to the next, stays one
run instead of breaking into pieces too short to count.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from coi_desktop.review.form_structure import SECTIONS, TABLE_BOTTOM, TABLE_TOP, Placed
from coi_desktop.review.layout import Affine, Word
from coi_desktop.review.rulings import MIN_LENGTH, Rect
from coi_desktop.review.table_rows import (
    MIN_TABLE_RULES,
    RULE_MATCH,
    TEMPLATE_ROWS,
    RowBand,
    titled_boundaries,
)

# Grey level under which a pixel is ink. Scanners leave rules lighter than text (thin
# and often grey), so the threshold is more lenient than the text's (ocr_reader: 110).
DARK_LEVEL = 160
_DARK = bytes(1 if b < DARK_LEVEL else 0 for b in range(256))
MAX_GAP_PX = 2  # a rule broken by this many light pixels (scanner dropout) is still one


def _masks(samples: bytes, width: int, height: int, stride: int) -> list[int]:
    """Each pixel row as an integer whose bytes are 1 for ink and 0 for paper."""
    return [
        int.from_bytes(samples[y * stride : y * stride + width].translate(_DARK), "big")
        for y in range(height)
    ]


# ink, then any number of (a gap of at most MAX_GAP_PX light pixels, then ink)
_RUN = re.compile(rb"\x01(?:\x00{0,%d}\x01)*" % MAX_GAP_PX)


def _runs(mask: int, width: int, min_px: int) -> list[tuple[int, int]]:
    """[start, end) of the runs of ink at least ``min_px`` long in a row mask.

    Gaps of up to ``MAX_GAP_PX`` light pixels inside a run are bridged.
    """
    row = mask.to_bytes(width, "big")
    return [(m.start(), m.end()) for m in _RUN.finditer(row) if m.end() - m.start() >= min_px]


def horizontal_rules(
    samples: bytes,
    width: int,
    height: int,
    stride: int,
    scale: float,
    rows: tuple[float, float] | None = None,
) -> list[Rect]:
    """Horizontal pieces of rule of a grey pixmap, as flat rects in points (pixels / scale).

    ``scale`` is the pixmap's pixels per point; ``rows`` limits the search to a band of
    the page (points, top and bottom). A rule two or three pixels thick gives a piece on
    each of its pixel rows; ``rulings.row_rules`` joins pieces this close.
    """
    min_px = max(2, round(MIN_LENGTH * scale))
    first, last = (0, height) if rows is None else (round(v * scale) for v in rows)
    first, last = max(0, first), min(height, last)
    masks = _masks(samples[first * stride : last * stride], width, last - first, stride)
    out: list[Rect] = []
    for i in range(len(masks) - 1):
        y = first + i
        joined = masks[i] | masks[i + 1]
        if joined == 0:
            continue
        for x0, x1 in _runs(joined, width, min_px):
            out.append((x0 / scale, (y + 1) / scale, x1 / scale, (y + 1) / scale))
    return out


def scan_rows(words: list[Word], transform: Affine, rules: list[float]) -> dict[str, RowBand]:
    """The coverage rows of an OCR'd page (see ``check_rows``); ``words`` are its OCR words."""
    placed = [Placed.of(w.text, w.rect, transform.apply_rect(w.rect)) for w in words]
    return check_rows(titled_boundaries(placed), rules)


def check_rows(titled: set[str], rules: list[float]) -> dict[str, RowBand]:
    """The coverage rows of an OCR'd page, checked against the rules in its pixels.

    OCR'd words were put on the fitted template's rows by the labels on their lines
    (``layout.ocr_words_in_template``), so the rows stay the template's; the rules say how
    far to trust them. ``titled`` are the boundaries whose title OCR read
    (``form_structure.titled_boundaries``), ``rules`` the heights of the rules that cross
    the policy columns (``rulings.row_rules``, template frame). A boundary with a rule
    within ``RULE_MATCH`` is confirmed, whether OCR read its title or not; a titled one
    without is disputed (title and pixels disagree); an untitled one without is a guess
    (unanchored). When fewer than ``MIN_TABLE_RULES`` rules were found (a faint scan),
    the rows are trusted as the labels put them.
    """
    order = [*SECTIONS, "end"]
    table = [y for y in rules if TABLE_TOP <= y < TABLE_BOTTOM]
    ruled = len(table) >= MIN_TABLE_RULES
    state: dict[str, str] = {}
    for name in order:
        if not ruled or any(abs(r - TEMPLATE_ROWS[name]) <= RULE_MATCH for r in table):
            state[name] = "confirmed"
        else:
            state[name] = "disputed" if name in titled else "unanchored"
    return {
        s: RowBand(
            s,
            TEMPLATE_ROWS[s],
            TEMPLATE_ROWS[order[i + 1]],
            anchored="unanchored" not in (state[s], state[order[i + 1]]),
            disputed="disputed" in (state[s], state[order[i + 1]]),
        )
        for i, s in enumerate(SECTIONS)
    }


# The ACORD 25's two notice boxes ("THIS CERTIFICATE IS ISSUED AS A MATTER OF
# INFORMATION ONLY…", "IMPORTANT: If the certificate holder is an ADDITIONAL INSURED…")
# lie between three rules across the whole form, 42 and 30 pt apart on every edition.
NOTICE_GAPS = (42.0, 30.0)
NOTICE_TOLERANCE = 0.2  # share either way: scans are scaled a little (fitted to the page)
ACROSS = 0.7  # a rule this share of the page's width long crosses the whole form
NOTICE_SEARCH = 0.25  # share of the page's height, from its top, holding the notice boxes


def across_heights(rules: list[Rect], width: float) -> list[float]:
    """Heights of the rules that cross the whole page (pieces at one height joined)."""
    groups: list[list[Rect]] = []
    for r in sorted(rules, key=lambda r: r[1]):
        if groups and r[1] - groups[-1][-1][1] <= 1.5:
            groups[-1].append(r)
        else:
            groups.append([r])
    out = []
    for g in groups:
        spans = sorted((r[0], r[2]) for r in g)
        covered, reach = 0.0, spans[0][0]
        for a, b in spans:
            if b > reach:
                covered += b - max(a, reach)
                reach = b
        if covered >= ACROSS * width:
            out.append(sum(r[1] for r in g) / len(g))
    return out


def notice_block(heights: list[float]) -> tuple[float, float] | None:
    """Top and bottom (points) of the form's notice boxes, from the rules across the page.

    Their print is the densest text of the form and holds no value; whole-page OCR that
    leaves them out spends a quarter less time (the real scan: 1.64 s of Tesseract CPU
    instead of 2.2 s) and loses nothing but labels the fit has plenty of.
    """
    for a, b, c in zip(heights, heights[1:], heights[2:], strict=False):
        scale = (c - a) / sum(NOTICE_GAPS)
        if not 1 - NOTICE_TOLERANCE <= scale <= 1 + NOTICE_TOLERANCE:
            continue
        if abs((b - a) / scale - NOTICE_GAPS[0]) <= NOTICE_GAPS[0] * NOTICE_TOLERANCE / 2:
            return a, c
    return None


SNAP = 12.0  # a row boundary's rule is looked for this far from its template place


def rows_as_ruled(rules: list[float]) -> Callable[[float], float] | None:
    """Template y → y on this page's fit, row by row, where the rules put the rows.

    OCR'd words are put on their rows by their labels, but boxes cut out of the raster
    (the re-read cells, the check boxes) are cut at the template's place. On a form whose
    rows are a little taller or shorter than the 2016/03 form's, that place drifts off the
    row; each boundary with its rule within ``SNAP`` moves onto it, and the rows between
    stretch. None when the rules agree with the template (or too few were found).
    """
    table = [y for y in rules if TABLE_TOP <= y < TABLE_BOTTOM]
    if len(table) < MIN_TABLE_RULES:
        return None
    knots: list[tuple[float, float]] = []
    for name in (*SECTIONS, "end"):
        t = TEMPLATE_ROWS[name]
        near = min(table, key=lambda r: abs(r - t))
        y = near if abs(near - t) <= SNAP else t
        if knots and y <= knots[-1][1]:
            y = t  # out of order: that rule belongs to another boundary
        knots.append((t, y))
    if all(abs(y - t) < 0.5 for t, y in knots):
        return None

    def to_page(t: float) -> float:
        if t < knots[0][0]:
            return t  # above the table: the fit's own place
        for (t0, y0), (t1, y1) in pairwise(knots):
            if t0 <= t < t1:
                return y0 + (t - t0) * (y1 - y0) / (t1 - t0)
        return t + knots[-1][1] - knots[-1][0]

    return to_page
