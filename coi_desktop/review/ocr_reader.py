"""OCR of scanned pages through PyMuPDF's Tesseract.

The page is OCR'd whole and rows are recovered from the labels on each line (see
layout); check boxes are read from ink density, and the one-character boxes (insurer
letter, ADDL INSD, SUBR WVD), which Tesseract skips when they stand alone between
table rules, are pasted side by side on a clean canvas and OCR'd as text lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pymupdf as _pymupdf

from coi_desktop.review.acord_fields import FIELD_BY_SLOT, Rect
from coi_desktop.review.layout import MIN_ANCHORS, Affine, Word, clean_ocr_words, locate_form

# PyMuPDF ships no type hints; it is used as the dynamic library it is.
pymupdf: Any = _pymupdf

OCR_DPI = 300
INK_DPI = 150

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
class OcrPage:
    words: list[Word]
    transform: Affine
    anchors: int
    is_form: bool
    checks: dict[str, tuple[bool, Rect]]


def ocr_full_page(page: Any, dpi: int = OCR_DPI) -> list[Word]:
    """Whole-page OCR, for pages that are not an ACORD 25 (endorsements, letters)."""
    textpage = page.get_textpage_ocr(full=True, dpi=dpi, language="eng")
    return [
        Word(w[0], w[1], w[2], w[3], str(w[4])) for w in page.get_text("words", textpage=textpage)
    ]


def ocr_certificate_page(page: Any, tessdata: str | None, dpi: int = OCR_DPI) -> OcrPage:
    """OCR a scanned page; when it is an ACORD 25, also read its check boxes by ink."""
    words = clean_ocr_words(ocr_full_page(page, dpi))
    transform, anchors = locate_form(words)
    if anchors < MIN_ANCHORS:
        return OcrPage(words, transform, anchors, False, {})
    return OcrPage(words, transform, anchors, True, read_check_boxes(page, transform))


def ocr_cells(
    page: Any, cells: list[list[Rect]], tessdata: str | None, dpi: int = OCR_DPI
) -> list[list[str]]:
    """OCR small boxes that each hold one character (insurer letter, ADDL INSD, SUBR WVD).

    Tesseract ignores a lone letter between table rules, but reads a line of spaced
    letters well: the inside of each box is pasted onto a white canvas, one row of
    boxes per text line, and the canvas is OCR'd once.
    """
    if not cells or not any(cells):
        return [[] for _ in cells]
    scale = dpi / 72
    cell_w = max(int((r[2] - r[0]) * scale) for row in cells for r in row) if any(cells) else 1
    cell_h = max(int((r[3] - r[1]) * scale) for row in cells for r in row) if any(cells) else 1
    gap_x, gap_y = cell_w, cell_h
    columns = max(len(row) for row in cells)
    width = gap_x + columns * (cell_w + gap_x)
    height = gap_y + len(cells) * (cell_h + gap_y)
    canvas = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, width, height), False)
    canvas.clear_with(255)
    for i, row in enumerate(cells):
        for j, rect in enumerate(row):
            clip = pymupdf.Rect(rect) & page.rect
            if clip.is_empty:
                continue
            pix = page.get_pixmap(dpi=dpi, clip=clip, colorspace=pymupdf.csRGB, alpha=False)
            x, y = gap_x + j * (cell_w + gap_x), gap_y + i * (cell_h + gap_y)
            pix.set_origin(x, y)
            canvas.copy(pix, pix.irect)
    data = canvas.pdfocr_tobytes(language="eng", tessdata=tessdata)
    out: list[list[str]] = [["" for _ in row] for row in cells]
    with pymupdf.open("pdf", data) as ocr_doc:
        ocr_page = ocr_doc[0]
        sx, sy = width / ocr_page.rect.width, height / ocr_page.rect.height
        for w in ocr_page.get_text("words"):
            cx, cy = (w[0] + w[2]) / 2 * sx, (w[1] + w[3]) / 2 * sy
            i = int((cy - gap_y / 2) // (cell_h + gap_y))
            j = int((cx - gap_x / 2) // (cell_w + gap_x))
            if 0 <= i < len(cells) and 0 <= j < len(cells[i]):
                out[i][j] = (out[i][j] + " " + str(w[4])).strip()
    return out


_DARK = bytes(1 if b < 110 else 0 for b in range(256))


def ink_share(page: Any, rect: pymupdf.Rect) -> float:
    """Share of dark pixels in a page rect (grey render at INK_DPI)."""
    rect = rect & page.rect
    if rect.is_empty:
        return 0.0
    pix = page.get_pixmap(dpi=INK_DPI, clip=rect, colorspace=pymupdf.csGRAY, alpha=False)
    if pix.width == 0 or pix.height == 0:
        return 0.0
    dark = bytes(pix.samples).translate(_DARK).count(1)
    return float(dark / (pix.width * pix.height))


def read_check_boxes(page: Any, transform: Affine) -> dict[str, tuple[bool, Rect]]:
    """Slot → (marked, page rect) for the check boxes in CHECK_GROUPS."""
    back = transform.inverse()
    out: dict[str, tuple[bool, Rect]] = {}
    for group in CHECK_GROUPS:
        shares: dict[str, tuple[float, Rect]] = {}
        for slot in group:
            x0, y0, x1, y1 = FIELD_BY_SLOT[slot].rect
            # the inside of the printed square: its border is ink in every box alike
            inner = back.apply_rect((x0 + 3, y0 + 2, x1 - 3, y1 - 2))
            shares[slot] = (ink_share(page, pymupdf.Rect(inner)), inner)
        lowest = min(share for share, _ in shares.values())
        best = max(shares, key=lambda s: shares[s][0])
        for slot, (share, rect) in shares.items():
            out[slot] = (slot == best and share - lowest > INK_MARKED, rect)
    return out


def tessdata_path() -> str | None:
    """Where Tesseract's language data is, or None (PyMuPDF then tries its defaults)."""
    try:
        return str(pymupdf.get_tessdata())
    except Exception:
        return None
