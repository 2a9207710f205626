"""Reading one page of a PDF into a raw certificate: its form fields, its positioned
text, or (an image) its OCR.

Form fields are read by name; printed text is fitted to the form (``layout``), its
hidden text left out (``hidden_text``), its rows and cells found on the page
(``table_rows``, ``row_policies``) and its parties read by their boxes
(``party_boxes``); a scanned page goes through ``ocr_reader``. ``extraction`` reads a
document page by page and chooses the certificate among them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pymupdf as _pymupdf

from coi_desktop.review.acord_fields import certificate_from_boxes
from coi_desktop.review.endorsement_detect import PageLine
from coi_desktop.review.findings import Found, RawCertificate, Rect, Source
from coi_desktop.review.form_reader import filled_count, page_widget_values, read_form
from coi_desktop.review.form_structure import place_words
from coi_desktop.review.hidden_text import (
    invisible_share,
    may_hide,
    styled_spans,
    text_trace,
    visible_words,
)
from coi_desktop.review.label_reader import looks_like_certificate, read_labels
from coi_desktop.review.layout import (
    MIN_ANCHORS,
    BoxText,
    Word,
    locate_turned,
    read_boxes,
    turn_rect,
    turn_words,
)
from coi_desktop.review.marks import drawn_marks, mark_columns_found, marks_in_template
from coi_desktop.review.ocr_reader import (
    distrust_doubtful,
    ocr_certificate_page,
    to_page_coordinates,
)
from coi_desktop.review.ocr_reread import (
    OCR_CONFIDENCE,
    reread_party_boxes,
    reread_table_boxes,
)
from coi_desktop.review.party_boxes import read_party_areas
from coi_desktop.review.raster_rulings import rows_as_ruled, scan_rows
from coi_desktop.review.row_policies import apply_rows
from coi_desktop.review.rulings import horizontal_rules, row_rules
from coi_desktop.review.table_rows import RowBand, find_rows, remap, row_map

# PyMuPDF ships no type hints; it is used as the dynamic library it is.
pymupdf: Any = _pymupdf

MAX_PAGE_PIXELS = 40_000_000  # a page rendered for OCR above this is downscaled
MAX_IMAGE_PIXELS = 100_000_000  # an embedded image this large is not decoded at all
OCR_DPI = 300
MIN_OCR_DPI = 100
TEXT_CONFIDENCE = 0.97
MIN_TEXT_WORDS = 12  # fewer words than this and the page is treated as an image
SCANNER_LAYER_SHARE = 0.5  # most of the text invisible: a searchable scan's OCR layer
SCANNER_LAYER_CONFIDENCE = 0.75


@dataclass
class PageRead:
    number: int  # 1-based
    source: Source | None = None
    raw: RawCertificate | None = None
    anchors: int = 0
    height: float = 792.0
    words: int = 0
    text_words: list[Any] = field(default_factory=list)  # PyMuPDF's words of a text page
    found_lines: list[PageLine] | None = None

    @property
    def lines(self) -> list[PageLine]:
        """The page's text as lines, for endorsements and label reading: made when asked,
        as the certificate's own page never needs them."""
        if self.found_lines is None:
            self.found_lines = _lines(self.text_words)
        return self.found_lines


def read_page(page: Any, read: PageRead, warnings: list[str]) -> bool:
    """Read a page from its form fields or text; True when it needs OCR instead."""
    widgets = page_widget_values(page) if page.first_widget is not None else []
    if widgets and filled_count(widgets) >= 3:
        read.source = "form"
        read.raw = read_form(widgets, read.number)
        return False
    textpage = page.get_textpage(flags=pymupdf.TEXTFLAGS_WORDS)
    raw_words = page.get_text("words", textpage=textpage)
    read.words = len(raw_words)
    read.text_words = raw_words
    if len(raw_words) >= MIN_TEXT_WORDS:
        read.source = "text"
        words = [Word(w[0], w[1], w[2], w[3], w[4]) for w in raw_words]
        try:
            drawings = page.get_cdrawings()
        except Exception:  # a broken content stream: read without drawn marks
            drawings = []
        styled = styled_spans(textpage)
        shown = (
            visible_words(page, drawings, text_trace(page), words)
            if may_hide(styled, drawings)
            else None
        )
        scanner_layer = invisible_share(styled) > SCANNER_LAYER_SHARE
        if shown is not None:
            words = shown[0]
            warnings.append(
                f"page {read.number} has text that is not shown on the page (covered by a box,"
                f" white or transparent; {shown[1]} characters); it was not read"
            )
        box = page.cropbox  # text and drawings come in the unrotated page's frame
        width, height = float(box.width), float(box.height)
        # printed text is level; a scanner's text layer follows its crooked image
        quarter, transform, anchors = locate_turned(words, width, height, upright=not scanner_layer)
        read.anchors = anchors
        marks = drawn_marks(drawings)
        # rules are read upright only: a turned page's rows come from their titles alone
        rules = [] if quarter else horizontal_rules(drawings)
        if quarter and anchors >= MIN_ANCHORS:
            warnings.append(f"page {read.number} is printed turned; it was read upright")
            words = turn_words(words, quarter, width, height)
            marks = [turn_rect(r, quarter, width, height) for r in marks]
        if anchors >= MIN_ANCHORS:
            confidence = fit_confidence(TEXT_CONFIDENCE, anchors)
            if scanner_layer:
                # someone else's OCR, read as text: as good as that OCR, which nobody checked
                confidence = min(confidence, SCANNER_LAYER_CONFIDENCE)
                warnings.append(
                    f"page {read.number} is a scan with an OCR text layer; its values were read"
                    " from that layer and need review"
                )
            read.raw = _raw_from_words(
                words, transform, read.number, "text", confidence, marks, rules
            )
            if quarter:
                _unturn_evidence(read.raw, quarter, width, height)
            _warn_weak_fit(read, warnings)
        elif looks_like_certificate(read.lines):
            read.raw = read_labels(read.lines, read.number, "text")
        return False
    return _has_image(page, read.number, warnings)


def _unturn_evidence(raw: RawCertificate, quarter: int, width: float, height: float) -> None:
    """Evidence rects of a page read turned, back in the page's own frame (for highlights)."""
    # the turned page is height × width for a quarter or three-quarter turn
    tw, th = (height, width) if quarter % 2 else (width, height)

    def back(found: Found) -> Found:
        return replace(found, rect=turn_rect(found.rect, 4 - quarter, tw, th))

    raw.slots = {slot: back(found) for slot, found in raw.slots.items()}
    for policy in raw.policies:
        policy.fields = {key: back(found) for key, found in policy.fields.items()}


# A printed ACORD 25 shows 80-110 of the form's own labels where the fit expects them;
# with fewer the page may be a look-alike layout, and positions are trusted less.
WEAK_FIT_ANCHORS = 30
WEAK_FIT_FACTOR = 0.8  # 0.97 × 0.8 < 0.8: every value of a weakly fitted page is reviewed


def fit_confidence(confidence: float, anchors: int) -> float:
    """A reader's confidence, lowered when few of the form's labels were found in place."""
    return confidence * WEAK_FIT_FACTOR if anchors < WEAK_FIT_ANCHORS else confidence


def _warn_weak_fit(read: PageRead, warnings: list[str]) -> None:
    if read.anchors < WEAK_FIT_ANCHORS:
        warnings.append(
            f"page {read.number} matches the ACORD 25 layout only weakly ({read.anchors} of its"
            " labels found); check every value"
        )


def _has_image(page: Any, page_no: int, warnings: list[str]) -> bool:
    images = page.get_images(full=True)
    if not images:
        return False
    for img in images:
        width, height = int(img[2]), int(img[3])
        if width * height > MAX_IMAGE_PIXELS:
            warnings.append(f"page {page_no} holds a {width}x{height} image, too large to OCR")
            return False
    return True


def ocr_page(page: Any, read: PageRead, warnings: list[str], deadline: float) -> None:
    rect = page.rect
    dpi = OCR_DPI
    pixels = (rect.width * dpi / 72) * (rect.height * dpi / 72)
    if pixels > MAX_PAGE_PIXELS:
        dpi = int(dpi * (MAX_PAGE_PIXELS / pixels) ** 0.5)
        if dpi < MIN_OCR_DPI:
            # a page this size is no certificate; OCR at a useless resolution would only burn time
            warnings.append(
                f"page {read.number} is {rect.width:.0f}x{rect.height:.0f} points, too large to OCR"
            )
            return
        warnings.append(f"page {read.number} is very large; OCR at {dpi} dpi")
    read.source = "ocr"
    result = ocr_certificate_page(page, dpi, deadline)
    read.words = len(result.words)
    read.anchors = result.anchors
    if not result.is_form:
        read.found_lines = _word_lines(result.words)
        if looks_like_certificate(read.lines):
            read.raw = read_labels(read.lines, read.number, "ocr")
        return
    confidence = fit_confidence(OCR_CONFIDENCE, result.anchors)
    # rows as OCR's labels put them, checked by the ruling lines in the scan's pixels
    bands = scan_rows(result.words, result.transform, result.rules)
    raw = _raw_from_words(
        result.words, result.transform, read.number, "ocr", confidence, bands=bands
    )
    _warn_weak_fit(read, warnings)
    for slot, (marked, box) in result.checks.items():
        # ink in the box decides a check mark; OCR's reading of it is not trusted
        raw.slots[slot] = Found("X" if marked else "", read.number, box, "ocr", OCR_CONFIDENCE)
        section, _, key = slot.partition(".")
        for policy in raw.policies:
            if policy.section == section:
                policy.fields[key] = raw.slots[slot]
    # names first: the NAIC codes of insurers found there are re-read with the table
    reread_party_boxes(result.raster, raw, result.transform, read.number)
    # the second reading knows one box per row: a row's further policies keep their own
    everyone = raw.policies
    firsts = {p.section: p for p in reversed(everyone)}
    raw.policies = [p for p in everyone if firsts[p.section] is p]
    rows = rows_as_ruled(result.rules)
    reread_table_boxes(result.raster, raw, result.transform, read.number, bands, rows)
    raw.policies = everyone
    distrust_doubtful(raw, result.doubtful)
    to_page_coordinates(raw, result.raster)  # read upright and straight; evidence is on the page
    read.raw = raw


def _word_lines(words: list[Word]) -> list[PageLine]:
    """OCR words grouped into lines by height, for endorsement detection."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.center[1], w.x0)):
        if lines and abs(w.center[1] - lines[-1][0].center[1]) < 4:
            lines[-1].append(w)
        else:
            lines.append([w])
    out = []
    for ws in lines:
        ws.sort(key=lambda w: w.x0)
        rect = (ws[0].x0, min(w.y0 for w in ws), max(w.x1 for w in ws), max(w.y1 for w in ws))
        out.append(PageLine(" ".join(w.text for w in ws), rect))
    return out


def _raw_from_words(
    words: list[Word],
    transform: Any,
    page_no: int,
    source: Source,
    confidence: float,
    marks: list[Rect] | None = None,
    rules: list[Rect] | None = None,
    bands: dict[str, RowBand] | None = None,
) -> RawCertificate:
    placed = place_words(words, transform, ocr=source == "ocr")
    # rows as printed on this page; OCR'd pages come with theirs (raster_rulings.scan_rows)
    if bands is None:
        bands = find_rows(placed, row_rules(rules or [], transform))
    y_map = row_map(bands)
    boxes = read_boxes(words, transform, ocr=source == "ocr", y_map=y_map)
    points = marks_in_template(marks or [], transform)
    on_rows = [(x, y_map(y)) for x, y in points] if y_map else points
    readings = [
        (b.field, "X" if _drawn_mark_in(b, on_rows) else b.text, b.rect, confidence)
        for b in boxes.values()
    ]
    raw = certificate_from_boxes(readings, page_no, source)
    # OCR often misses the tiny column headers; there the fit of the whole form locates them
    located = source == "ocr" or mark_columns_found(words, transform)
    apply_rows(raw, placed, transform, page_no, source, confidence, points, located, bands)
    read_party_areas(raw, remap(placed, y_map), page_no, source, confidence)
    return raw


def _drawn_mark_in(box: BoxText, points: list[tuple[float, float]]) -> bool:
    """An empty check box with a drawn mark (vector X, filled square) inside it."""
    r = box.field.rect
    return (
        box.field.kind == "check"
        and not box.text.strip()
        and any(r[0] - 1 <= x <= r[2] + 1 and r[1] - 1 <= y <= r[3] + 1 for x, y in points)
    )


def _lines(raw_words: list[Any]) -> list[PageLine]:
    """Page text as lines (PyMuPDF's block/line numbers), for endorsement detection."""
    grouped: dict[tuple[int, int], list[Any]] = {}
    for w in raw_words:
        grouped.setdefault((int(w[5]), int(w[6])), []).append(w)
    out = []
    for ws in grouped.values():
        ws.sort(key=lambda w: w[0])
        rect = (
            min(w[0] for w in ws),
            min(w[1] for w in ws),
            max(w[2] for w in ws),
            max(w[3] for w in ws),
        )
        out.append(PageLine(" ".join(str(w[4]) for w in ws), rect))
    out.sort(key=lambda line: (line.rect[1], line.rect[0]))
    return out
