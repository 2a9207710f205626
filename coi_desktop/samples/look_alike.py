"""Look-alike forms: the blank form redrawn by a broker's system, its bands taller or shorter."""

# PyMuPDF is only partly annotated: its untyped calls are expected here.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import random
from functools import cache
from itertools import pairwise
from pathlib import Path

import pymupdf

from .pdf_page import printed_blank

# The blank form's horizontal bands, cut on its full-width rules: the header (parties,
# insurers, the table's column titles), the five coverage rows, the description and holder.
LOOK_ALIKE_BANDS = (0.0, 300.0, 384.0, 444.0, 480.0, 528.0, 564.0, 792.0)


def random_look_alike(rng: random.Random) -> tuple[float, ...]:
    """Each band of the form a little taller or shorter, as another system draws it: the
    coverage rows by up to a tenth, the header and the bottom (300 and 228 pt) by 3 %."""
    rows = [round(rng.uniform(0.9, 1.1), 3) for _ in LOOK_ALIKE_BANDS[2:-1]]
    header, bottom = (round(rng.uniform(0.97, 1.03), 3) for _ in range(2))
    return (header, *rows, bottom)


class Bands:
    """Where a point of the blank form lands on a look-alike page: band by band."""

    def __init__(self, stretch: tuple[float, ...]) -> None:
        heights = [
            (b - a) * k for (a, b), k in zip(pairwise(LOOK_ALIKE_BANDS), stretch, strict=True)
        ]
        self.fit = min(1.0, LOOK_ALIKE_BANDS[-1] / sum(heights))  # the page still holds it
        self.stretch = stretch
        self.tops = [sum(heights[:i]) * self.fit for i in range(len(heights))]

    def targets(self) -> list[tuple[pymupdf.Rect, pymupdf.Rect]]:
        """(band on the blank form, where it is drawn) for every band."""
        out = []
        for i, (a, b) in enumerate(pairwise(LOOK_ALIKE_BANDS)):
            top = self.tops[i]
            height = (b - a) * self.stretch[i] * self.fit
            out.append((pymupdf.Rect(0, a, 612, b), pymupdf.Rect(0, top, 612, top + height)))
        return out

    def rect(self, r: pymupdf.Rect) -> pymupdf.Rect:
        """A value's box, moved with the band its centre lies in; its size kept."""
        centre = (r.y0 + r.y1) / 2
        i = max(j for j, a in enumerate(LOOK_ALIKE_BANDS[:-1]) if a <= centre)
        scale = self.stretch[i] * self.fit
        y = self.tops[i] + (centre - LOOK_ALIKE_BANDS[i]) * scale
        return pymupdf.Rect(r.x0, y - r.height / 2, r.x1, y + r.height / 2)


def look_alike_document(blank_form: Path, edition: str, bands: Bands) -> pymupdf.Document:
    """The blank form redrawn band by band at the look-alike's heights."""
    sheets = pymupdf.open(stream=_band_sheets(blank_form, edition), filetype="pdf")
    doc = pymupdf.open()
    page = doc.new_page(width=sheets[0].rect.width, height=sheets[0].rect.height)
    for index, (source, target) in enumerate(bands.targets()):
        page.show_pdf_page(target, sheets, index, clip=source, keep_proportion=False)
    sheets.close()
    return doc


@cache
def _band_sheets(blank_form: Path, edition: str) -> bytes:
    """One page per band of the printed blank form, with only that band's text.

    A clip hides the rest of a page but leaves its text in the text layer; a look-alike
    form drawn by another system has each label once, where it shows.
    """
    doc = pymupdf.open()
    blank = pymupdf.open(stream=printed_blank(blank_form, edition), filetype="pdf")
    width, height = blank[0].rect.width, blank[0].rect.height
    for top, bottom in pairwise(LOOK_ALIKE_BANDS):
        doc.insert_pdf(blank)
        page = doc[-1]
        for outside in (
            pymupdf.Rect(0, -1, width, top),
            pymupdf.Rect(0, bottom, width, height + 1),
        ):
            if not outside.is_empty:
                page.add_redact_annot(outside)
        page.apply_redactions(images=0, graphics=0)  # text only: keep the rules
    blank.close()
    data: bytes = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data
