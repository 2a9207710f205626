"""OCR of scanned pages: PyMuPDF renders, Tesseract reads (see tesseract.py).

The page is turned upright and straightened (deskew.py), read whole at the scan's own
resolution, as two bands cut along a blank line so that each core reads
one, and rows are recovered from the labels on each line (see layout); check boxes are
read from ink density, and the one-character boxes (insurer letter, ADDL INSD, SUBR
WVD), which Tesseract skips when they stand alone between table rules, are pasted side
by side on a clean canvas and OCR'd as text lines.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import pymupdf as _pymupdf

from coi_desktop.review import deskew, raster_rulings, tesseract
from coi_desktop.review.acord_fields import FIELD_BY_SLOT, Rect
from coi_desktop.review.findings import Found, RawCertificate
from coi_desktop.review.form_structure import TABLE_BOTTOM, TABLE_TOP
from coi_desktop.review.layout import (
    ANCHORS,
    MIN_ANCHORS,
    Affine,
    Word,
    clean_ocr_words,
    locate_form,
    normalize,
)
from coi_desktop.review.rulings import row_rules

# PyMuPDF ships no type hints; it is used as the dynamic library it is.
pymupdf: Any = _pymupdf

# Check boxes where exactly one of a group is marked.
CHECK_GROUPS: tuple[tuple[str, ...], ...] = (
    ("gl.occur", "gl.claims_made"),
    ("gl.agg_policy", "gl.agg_project", "gl.agg_location"),
    ("umbrella.umbrella", "umbrella.excess"),
    ("umbrella.occur", "umbrella.claims_made"),
    ("wc.statutory", "wc.other_indicator"),
)
INK_MARKED = 0.015  # share of dark pixels inside a box above its emptiest neighbour


@dataclass(frozen=True)
class Raster:
    """A page rendered once, grey, at the OCR resolution, upright and straightened.

    Bands for whole-page OCR and the boxes re-read one by one are cut from it: cutting
    costs a copy, where rendering a clip decodes the page's scanned image again.
    Words are read in the raster's own frame, in points (pixels / scale): the page as a
    person reads it, turned upright and without skew. ``to_page`` takes a point of that
    frame to PyMuPDF's page coordinates (those of ``get_text``: unrotated, no /Rotate).
    """

    pix: Any
    scale: float  # pixels per point
    deadline: float  # time.monotonic() by which reading this page must be over
    to_page: Any = None  # pymupdf.Matrix; None: the frame is the page's
    turn: float = 0.0  # degrees clockwise the page's content was turned; the render undoes it

    @classmethod
    def of(cls, page: Any, dpi: float, deadline: float, turn: float = 0.0) -> Raster:
        """Render ``page`` at ``dpi``, undoing a turn of its content by ``turn`` degrees
        clockwise (as seen on screen)."""
        scale = dpi / 72
        # get_pixmap draws the page as displayed (its /Rotate applied), through `matrix`
        matrix = pymupdf.Matrix(scale, scale).prerotate(-turn)
        pix = page.get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY, alpha=False)
        shown = page.rotation_matrix * matrix  # page coordinates -> pixels of the render
        to_page = pymupdf.Matrix(scale, scale) * pymupdf.Matrix(1, 0, 0, 1, pix.x, pix.y) * ~shown
        pix.set_origin(0, 0)  # a turned render starts left of / above 0; crops count from 0
        return cls(pix, scale, deadline, to_page, turn)

    def time_left(self) -> float:
        return max(0.1, self.deadline - time.monotonic())

    def page_rect(self, rect: Rect) -> Rect:
        """A rect of the raster's frame in page coordinates (its bounding box there)."""
        if self.to_page is None:
            return rect
        r = pymupdf.Rect(rect) * self.to_page
        return (r.x0, r.y0, r.x1, r.y1)

    def crop(self, rect: Rect) -> Any:
        """The pixels under a page rect, as a pixmap placed where they lie in the raster."""
        x0, y0, x1, y1 = (round(v * self.scale) for v in rect)
        box = pymupdf.IRect(x0, y0, x1, y1) & self.pix.irect
        if box.is_empty:
            return None
        part = pymupdf.Pixmap(pymupdf.csGRAY, box, False)
        part.copy(self.pix, box)
        return part

    def image(self, rect: Rect, blank: tuple[float, float] | None = None) -> tesseract.Image:
        """The pixels under ``rect`` for Tesseract; rows ``blank`` (points) left white."""
        part = self.crop(rect)
        if part is None:
            return tesseract.Image(b"", self.dpi)
        if blank is not None:
            rows = pymupdf.IRect(
                part.x,
                round(blank[0] * self.scale),
                part.x + part.width,
                round(blank[1] * self.scale),
            )
            rows &= part.irect
            if not rows.is_empty:
                # copying a white pixmap runs in MuPDF; Pixmap.set_rect loops in Python (0.7 s)
                white = pymupdf.Pixmap(pymupdf.csGRAY, rows, False)
                white.clear_with(255)
                part.copy(white, rows)
        # PGM, not PNG: Tesseract reads both, and PGM costs a copy instead of deflate
        origin = (part.x / self.scale, part.y / self.scale)
        return tesseract.Image(part.tobytes("pgm"), self.dpi, origin, self.scale)

    def ink_share(self, rect: Rect) -> float:
        """Share of dark pixels in a rect of the raster's frame."""
        part = self.crop(rect)
        if part is None or part.width == 0 or part.height == 0:
            return 0.0
        return float(bytes(part.samples).translate(_DARK).count(1) / (part.width * part.height))

    @property
    def dpi(self) -> int:
        return round(self.scale * 72)


@dataclass(frozen=True)
class OcrPage:
    words: list[Word]
    transform: Affine
    anchors: int
    is_form: bool
    checks: dict[str, tuple[bool, Rect]]
    raster: Raster
    doubtful: list[Rect] = field(default_factory=list)  # words Tesseract was unsure of
    # heights (template frame) of the rules in the pixels that cross the policy columns
    rules: list[float] = field(default_factory=list)


BANDS = 2  # one Tesseract per core
CUT_WINDOW = 0.06  # the cut is looked for this share of the page height either side
# The whole page is read at the resolution of the scan it shows (more pixels than the
# scanner took add no detail, only time), but not below this: upsampling a coarser scan
# helps Tesseract with the form's 5-pt print (the real 144-dpi scan read 37 of 50 fields
# at 150 dpi, 42 at 200 and at 300; generated scans read best at 200).
# Boxes re-read one by one are cut from a render at the caller's resolution, where they
# read best (see docs/extraction.md, "OCR").
MIN_PAGE_DPI = 200
MIN_SKEW_DEGREES = 0.3  # a flatter page is read as it is
UPSIDE_DOWN = (180.0,)  # tried when a portrait page read upright shows no form
SIDEWAYS = (90.0, 270.0)  # tried first on a landscape page
PROBE_SHARE = 0.15  # the top of a page: an ACORD 25's title and its notices, 25 labels
MIN_PROBE_LABELS = 4  # fewer form labels than this in it: not a form that way round either
PROBE_SKEW_DPI = 100  # enough to measure a probe's skew within 0.1 degree


def ocr_certificate_page(page: Any, dpi: int, deadline: float) -> OcrPage:
    """OCR a scanned page; when it is an ACORD 25, also read its check boxes by ink.

    The page is turned upright (its /Rotate honoured; a sideways or upside-down scan
    detected from which way up the form's labels read) and straightened before it is read.
    """
    native = scan_dpi(page)
    page_dpi = float(dpi) if native is None else min(float(dpi), max(MIN_PAGE_DPI, native))
    landscape = page.rect.width > page.rect.height  # a portrait form shown so lies on its side
    turn = (_upright_turn(page, page_dpi, deadline, SIDEWAYS) if landscape else None) or 0.0
    raster = _straight(page, page_dpi, deadline, turn)
    words, transform, anchors, doubtful = _read_whole(raster)
    if anchors < MIN_ANCHORS and not landscape:
        upside = _upright_turn(page, page_dpi, deadline, UPSIDE_DOWN)
        if upside is not None:
            raster = _straight(page, page_dpi, deadline, upside)
            words, transform, anchors, doubtful = _read_whole(raster)
    if anchors < MIN_ANCHORS:
        return OcrPage(words, transform, anchors, False, {}, raster, doubtful)
    rules = table_rules(raster, transform)
    if raster.dpi < dpi:  # short boxes read best from the finer render
        raster = Raster.of(page, dpi, deadline, raster.turn)
    checks = read_check_boxes(raster, transform, raster_rulings.rows_as_ruled(rules))
    return OcrPage(words, transform, anchors, True, checks, raster, doubtful, rules)


def table_rules(raster: Raster, transform: Affine) -> list[float]:
    """Heights (template frame) of the rules in the raster that cross the policy columns.

    Only the pixel rows of the coverage table (as the fit places it, with a margin) are
    searched: the rest of the page holds no row boundary and would only cost time.
    """
    back = transform.inverse()
    _, top, _, bottom = back.apply_rect((0.0, TABLE_TOP - 20, 612.0, TABLE_BOTTOM + 20))
    pix = raster.pix
    found = raster_rulings.horizontal_rules(
        pix.samples, pix.width, pix.height, pix.stride, raster.scale, (top, bottom)
    )
    return row_rules(found, transform)


def _read_whole(raster: Raster) -> tuple[list[Word], Affine, int, list[Rect]]:
    """Words of the whole page, the form's place, its anchors, and the doubtful words.

    The form's notice boxes, found by their rules, are left out (see
    ``raster_rulings.notice_block``); a page that then shows no form is read again whole.
    """
    notices = _notices(raster)
    found = _recognise_bands(raster, notices)
    words = clean_ocr_words(found)
    transform, anchors = locate_form(words)
    if notices is not None and anchors < MIN_ANCHORS:
        found = _recognise_bands(raster, None)
        words = clean_ocr_words(found)
        transform, anchors = locate_form(words)
    doubtful = [
        w.rect for w in found if isinstance(w, tesseract.OcrWord) and w.conf < DOUBTFUL_WORD
    ]
    return words, transform, anchors, doubtful


def _recognise_bands(raster: Raster, blank: tuple[float, float] | None) -> list[Word]:
    """Tesseract's words of the page in two bands, the rows ``blank`` (points) left white."""
    images = [raster.image(rect, blank) for rect in bands_of(raster, blank)]
    return tesseract.recognise_all([i for i in images if i.data], timeout=raster.time_left())


def _notices(raster: Raster) -> tuple[float, float] | None:
    """Top and bottom (points) of the form's notice boxes in the raster, if found."""
    pix = raster.pix
    top = (0.0, pix.height / raster.scale * raster_rulings.NOTICE_SEARCH)
    rules = raster_rulings.horizontal_rules(
        pix.samples, pix.width, pix.height, pix.stride, raster.scale, top
    )
    across = raster_rulings.across_heights(rules, pix.width / raster.scale)
    block = raster_rulings.notice_block(across)
    # the rules themselves stay: a band edge inside a rule would read as a line of specks
    return None if block is None else (block[0] + 2.0, block[1] - 2.0)


def _straight(page: Any, dpi: float, deadline: float, turn: float) -> Raster:
    """The page rendered upright (``turn`` undone) and without skew."""
    raster = Raster.of(page, dpi, deadline, turn)
    pix = raster.pix
    skew = deskew.skew_degrees(pix.samples, pix.width, pix.height, pix.stride)
    if abs(skew) < MIN_SKEW_DEGREES:
        return raster
    return Raster.of(page, dpi, deadline, turn + skew)


def _upright_turn(page: Any, dpi: float, deadline: float, turns: tuple[float, ...]) -> float | None:
    """Of ``turns``, the one after which the top of the page shows most form labels.

    None when none shows enough of them. Tesseract's own orientation detection
    (``--psm 0``) was tried: on the real scan it took 1.4-2.3 s and named the wrong side
    at 72 and 100 dpi; reading the top of the page each way round costs a fraction of a
    whole-page reading and cannot take the form for anything else.
    """
    # A crooked probe can read as nothing at all ("Empty page" from Tesseract's layout
    # analysis on a sideways scan fed 3 degrees askew), so the probes are straightened
    # first. A line tilted one way stays tilted the same way turned half round, so the
    # skew measured once, on a coarse render at the first turn, serves every turn.
    coarse = Raster.of(page, PROBE_SKEW_DPI, deadline, turns[0]).pix
    skew = deskew.skew_degrees(coarse.samples, coarse.width, coarse.height, coarse.stride)
    if abs(skew) < MIN_SKEW_DEGREES:
        skew = 0.0
    images = []
    for turn in turns:
        raster = Raster.of(page, dpi, deadline, turn + skew)
        width, height = raster.pix.width / raster.scale, raster.pix.height / raster.scale
        images.append(raster.image((0.0, 0.0, width, height * PROBE_SHARE)))
    timeout = max(0.1, deadline - time.monotonic())
    with ThreadPoolExecutor(max_workers=BANDS) as pool:
        reads = list(pool.map(lambda image: tesseract.recognise(image, timeout=timeout), images))
    # Tesseract reads a line standing on its side too; only a label lying flat counts
    labels = [
        sum(normalize(w.text) in ANCHORS and w.x1 - w.x0 > w.y1 - w.y0 for w in words)
        for words in reads
    ]
    best = max(range(len(turns)), key=lambda i: labels[i])
    return turns[best] if labels[best] >= MIN_PROBE_LABELS else None


def scan_dpi(page: Any) -> float | None:
    """The resolution of the scan a page shows: its largest image's pixels per inch.

    None when no image covers most of the page (then it is not a scanned page).
    """
    page_area = abs(page.rect)
    best: tuple[float, float] | None = None  # (area on the page, dpi)
    for info in page.get_image_info():
        x0, y0, x1, y1 = info["bbox"]
        area = (x1 - x0) * (y1 - y0)
        if area <= 0 or area < page_area / 2 or (best and best[0] >= area):
            continue
        # by area, so that an image placed turned (width along the page's height) counts right
        best = (area, 72 * (info["width"] * info["height"] / area) ** 0.5)
    return best[1] if best else None


def bands_of(raster: Raster, blank: tuple[float, float] | None = None) -> list[Rect]:
    """The page as two horizontal bands (points) holding as much text each, cut between lines.

    Tesseract's time follows the text it reads; text is where ink starts and stops often
    along a pixel row (a rule is one long stretch, a vertical rule one start per row).
    The cut is made in the least-inked pixel rows near where half of those starts lie
    above it: there only vertical rules are dark, so a word is never cut in two (nor is a
    horizontal rule, the darkest row there is, chosen).
    """
    pix = raster.pix
    rows = _rows(pix)
    starts = [row.count(b"\x00\x01") for row in rows]
    if blank is not None:  # rows left white hold no text to balance
        first, last = (round(v * raster.scale) for v in blank)
        starts[max(0, first) : max(0, last)] = [0] * len(starts[max(0, first) : max(0, last)])
    half, seen, middle = sum(starts) / 2, 0, pix.height // 2
    for y, count in enumerate(starts):
        seen += count
        if seen >= half:
            middle = y
            break
    ink = [row.count(1) for row in rows]
    cut = _quiet_row(ink, middle, int(pix.height * CUT_WINDOW), pix.width)
    width, scale = pix.width / raster.scale, raster.scale
    return [(0.0, 0.0, width, cut / scale), (0.0, cut / scale, width, pix.height / scale)]


def _rows(pix: Any) -> list[bytes]:
    """Each pixel row of a grey pixmap as bytes, 1 for a dark pixel and 0 for a light one."""
    samples, stride = pix.samples_mv, pix.stride
    return [
        bytes(samples[y * stride : y * stride + pix.width]).translate(_DARK)
        for y in range(pix.height)
    ]


def _quiet_row(ink: list[int], middle: int, window: int, width: int) -> int:
    """The middle of the run of least-inked pixel rows nearest to ``middle``.

    The middle of the run, not its edge: a cut at the first blank row above a line of
    capitals would leave them touching the band's edge.
    """
    top, bottom = max(0, middle - window), min(len(ink), middle + window)
    if top >= bottom:
        return middle
    least = min(ink[top:bottom]) + width // 500  # a speck of scanner noise does not end a run
    runs: list[tuple[int, int]] = []  # [first, last] rows, page pixels
    for y in range(top, bottom):
        if ink[y] > least:
            continue
        if runs and runs[-1][1] == y - 1:
            runs[-1] = (runs[-1][0], y)
        else:
            runs.append((y, y))
    first, last = min(runs, key=lambda run: abs((run[0] + run[1]) / 2 - middle))
    return (first + last) // 2


def ocr_cells(raster: Raster, cells: list[list[Rect]]) -> list[list[str]]:
    """OCR small boxes that each hold one character (insurer letter, ADDL INSD, SUBR WVD).

    Tesseract ignores a lone letter between table rules, but reads a line of spaced
    letters well: the inside of each box is pasted onto a white canvas, one row of
    boxes per text line, and the canvases (half the rows each, one per core) are OCR'd.
    """
    crops = [[raster.crop(rect) for rect in row] for row in cells]
    sizes = [(c.width, c.height) for row in crops for c in row if c is not None]
    if not sizes:
        return [["" for _ in row] for row in cells]
    cell_w, cell_h = max(w for w, _ in sizes), max(h for _, h in sizes)
    # apart enough that no two boxes' values run into one word; closer made it faster,
    # and (fewer lone marks adrift in white) more accurate: 96.7 % -> 97.0 % on 30 scans
    gap_x, gap_y = 2 * cell_h, cell_h
    width = gap_x + max(len(row) for row in cells) * (cell_w + gap_x)
    per_canvas = -(-len(crops) // BANDS)
    images = []
    for first in range(0, len(crops), per_canvas):
        rows = crops[first : first + per_canvas]
        height = gap_y + len(rows) * (cell_h + gap_y)
        canvas = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, width, height), False)
        canvas.clear_with(255)
        for i, row in enumerate(rows):
            for j, crop in enumerate(row):
                if crop is not None:
                    crop.set_origin(gap_x + j * (cell_w + gap_x), gap_y + i * (cell_h + gap_y))
                    canvas.copy(crop, crop.irect)
        # words come back in the pixels of one tall canvas holding every row
        origin = (0.0, float(first * (cell_h + gap_y)))
        images.append(tesseract.Image(canvas.tobytes("pgm"), raster.dpi, origin))
    out: list[list[str]] = [["" for _ in row] for row in cells]
    # as one column of lines: page segmentation took lone letters on it for specks
    for w in tesseract.recognise_all(images, timeout=raster.time_left(), psm=tesseract.ONE_COLUMN):
        cx, cy = (w.x0 + w.x1) / 2, (w.y0 + w.y1) / 2
        i = int((cy - gap_y / 2) // (cell_h + gap_y))
        j = int((cx - gap_x / 2) // (cell_w + gap_x))
        if 0 <= i < len(cells) and 0 <= j < len(cells[i]):
            out[i][j] = (out[i][j] + " " + w.text).strip()
    return out


_DARK = bytes(1 if b < 110 else 0 for b in range(256))


def read_check_boxes(
    raster: Raster, transform: Affine, rows: Callable[[float], float] | None = None
) -> dict[str, tuple[bool, Rect]]:
    """Slot → (marked, rect) for the check boxes in CHECK_GROUPS, by ink in the raster.

    ``rows`` (``raster_rulings.rows_as_ruled``) moves each box with its row.
    """
    back = transform.inverse()
    out: dict[str, tuple[bool, Rect]] = {}
    for group in CHECK_GROUPS:
        shares: dict[str, tuple[float, Rect]] = {}
        for slot in group:
            x0, y0, x1, y1 = FIELD_BY_SLOT[slot].rect
            if rows is not None:
                middle = (y0 + y1) / 2  # the square keeps its size: only its place moves
                y0, y1 = y0 + rows(middle) - middle, y1 + rows(middle) - middle
            # the inside of the printed square: its border is ink in every box alike
            inner = back.apply_rect((x0 + 3, y0 + 2, x1 - 3, y1 - 2))
            shares[slot] = (raster.ink_share(inner), inner)
        lowest = min(share for share, _ in shares.values())
        best = max(shares, key=lambda s: shares[s][0])
        for slot, (share, rect) in shares.items():
            out[slot] = (slot == best and share - lowest > INK_MARKED, rect)
    return out


# Tesseract's own confidence (0-100) below which a word is doubtful. On the real scan
# in the development set, insurer names missing a letter the scan lost ("Nat ona",
# "F re") came back at 5-51, while the form's printed labels read at 90-97.
DOUBTFUL_WORD = 70.0
DOUBTFUL_CONFIDENCE = 0.7  # under the pre-check's review line: a person looks


def distrust_doubtful(raw: RawCertificate, doubtful: list[Rect]) -> None:
    """Values holding a word Tesseract was unsure of go below the review line.

    Values two readings agreed on keep their confidence: a second, clean reading is
    better evidence than Tesseract's doubt about the first.
    """
    if not doubtful:
        return

    def check(found: Found) -> Found:
        if found.source != "ocr" or found.confidence <= DOUBTFUL_CONFIDENCE:
            return found
        if found.confidence >= AGREED or not any(_covers(found.rect, r) for r in doubtful):
            return found
        return replace(found, confidence=DOUBTFUL_CONFIDENCE)

    raw.slots = {k: check(f) for k, f in raw.slots.items()}
    for policy in raw.policies:
        policy.fields = {k: check(f) for k, f in policy.fields.items()}


AGREED = 0.9  # confidence of a value whole-page and box readings agreed on (ocr_reread)


def _covers(value: Rect, word: Rect) -> bool:
    """Does a value's rect hold most of a word's?"""
    w = min(value[2], word[2]) - max(value[0], word[0])
    h = min(value[3], word[3]) - max(value[1], word[1])
    area = (word[2] - word[0]) * (word[3] - word[1])
    return w > 0 and h > 0 and area > 0 and w * h > area / 2


def to_page_coordinates(raw: RawCertificate, raster: Raster) -> None:
    """Move every rect read in the raster's upright frame to the page's coordinates."""
    raw.slots = {k: replace(f, rect=raster.page_rect(f.rect)) for k, f in raw.slots.items()}
    for policy in raw.policies:
        fields = policy.fields.items()
        policy.fields = {k: replace(f, rect=raster.page_rect(f.rect)) for k, f in fields}
