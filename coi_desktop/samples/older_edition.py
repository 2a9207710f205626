"""The 2010/05 edition of the ACORD 25 as the development set's sample prints it (2014/01).

Measured on ``acord_25_2010_05_2014_01_sample.pdf`` against the 2016/03 blank: the coverage
table's rulings sit at the same heights (300, 384, 444, 480, 528, 564 pt) and its columns at
the same places (36, 50, 176, 194, 212, 331, 378, 425, 514 pt) to within a point, so the
older edition is not a geometry of its own. What differs is the form's wording — the auto
row's "ALL OWNED AUTOS", "HIRED AUTOS" on one line and no "ONLY"; "INSURER A" without a
colon; the shorter IMPORTANT paragraph — and how that certificate's system printed its
amounts: against the right edge of the box. This module prints the blank form with the older
wording; the amounts are the renderer's (`Pen.amounts_right`).
"""

# PyMuPDF is only partly annotated: its untyped calls are expected here.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from functools import cache
from pathlib import Path

import pymupdf

from .pdf_page import printed_blank, wrap_text

OLDER_LABEL = "ACORD 25 (2014/01)"  # the sample's print of the 2010/05 layout

# (2016/03 words, where: a clip of the page that holds only them) → the older words, printed
# at (x, baseline) in the form's label fonts.
_AUTO_WORDING: tuple[tuple[str, tuple[float, float, float, float], str, float, float], ...] = (
    ("OWNED", (53, 408.5, 80, 414.5), "ALL OWNED", 54.0, 413.4),
    ("AUTOS ONLY", (53, 414.5, 95, 420.4), "AUTOS", 54.0, 419.4),
    ("HIRED", (53, 420.5, 75, 426.4), "HIRED AUTOS", 54.0, 428.4),
    ("AUTOS ONLY", (53, 426.5, 95, 432.4), "", 0.0, 0.0),
    ("AUTOS ONLY", (121, 426.5, 163, 432.4), "AUTOS", 122.4, 431.4),
)
_IMPORTANT_CLIP = (28, 90.5, 585, 119.4)
_IMPORTANT_2010 = (
    "IMPORTANT:  If the certificate holder is an ADDITIONAL INSURED, the policy(ies) must be "
    "endorsed.  If SUBROGATION IS WAIVED, subject to the terms and conditions of the policy, "
    "certain policies may require an endorsement.  A statement on this certificate does not "
    "confer rights to the certificate holder in lieu of such endorsement(s)."
)


@cache
def older_blank(blank_form: Path) -> bytes:
    """The printed blank form with the 2010/05 edition's wording and its 2014/01 label."""
    doc = pymupdf.open(stream=printed_blank(blank_form, OLDER_LABEL), filetype="pdf")
    page = doc[0]
    clips = [pymupdf.Rect(clip) for _, clip, _, _, _ in _AUTO_WORDING]
    clips += [pymupdf.Rect(_IMPORTANT_CLIP)]
    insurer_colons = [
        hit for hit in page.search_for(":") if 340 < hit.x0 < 347 and 170 < hit.y0 < 240
    ]
    for rect in clips + insurer_colons:
        page.add_redact_annot(rect)
    page.apply_redactions(images=0, graphics=0)  # text only: keep the rules and boxes
    for _, _, words, x, baseline in _AUTO_WORDING:
        if words:
            page.insert_text((x, baseline), words, fontname="helv", fontsize=6.0)
    for index, line in enumerate(wrap_text(_IMPORTANT_2010, 554, "hebo", 8.0)):
        page.insert_text((28.8, 97.6 + index * 9.6), line, fontname="hebo", fontsize=8.0)
    data: bytes = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data
