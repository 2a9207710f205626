"""A certificate printed as page text over the blank form, as broker software prints it."""

# PyMuPDF is only partly annotated: its untyped calls are expected here.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pymupdf

from coi_desktop.acord_form import EXCESS_BOX, FORM_ROWS, REMARKS_FIELD, SIGNATURE_FIELD

from .form_text import Formats, checked_boxes, date_mmddyyyy, field_texts, mark_fields
from .look_alike import Bands, look_alike_document
from .older_edition import older_blank
from .pdf_page import (
    EDITION_LABEL,
    OLDER_EDITIONS,
    Pen,
    TextLayer,
    document_title,
    pdf_bytes,
    print_in_box,
    print_paragraph,
    print_rects,
    print_signature,
    printed_blank,
)
from .realistic import (
    Realism,
    decoy,
    draw_mark,
    on_top_lines,
    other_row_fields,
    overtype,
    print_glyph_marks,
    print_shared_row,
    print_stacked,
    stacked_rects,
)
from .spec import CertificateSpec

FONTS = ("helv", "tiro", "cour", "hebo", "tibo", "cobo")


def _money_formatter(rng: random.Random) -> Callable[[int], str]:
    style = rng.choice(("plain", "plain", "dollar", "dollar", "cents"))
    abbreviate = rng.random() < 0.25  # some brokers write 1M / 1,000K for round figures

    def money(amount: int) -> str:
        if abbreviate and amount >= 1_000_000 and amount % 1_000_000 == 0 and rng.random() < 0.5:
            return f"{amount // 1_000_000}M"
        if abbreviate and amount >= 10_000 and amount % 1_000 == 0 and rng.random() < 0.3:
            return f"{amount // 1_000:,}K"
        if style == "dollar":
            return f"${amount:,}"
        if style == "cents":
            return f"{amount:,}.00"
        return f"{amount:,}"

    return money


def _date_formatter(rng: random.Random) -> Callable[[date], str]:
    style = rng.choice(("mm/dd/yyyy", "mm/dd/yyyy", "m/d/yyyy", "mm/dd/yy"))
    if style == "m/d/yyyy":
        return lambda day: f"{day.month}/{day.day}/{day.year}"
    if style == "mm/dd/yy":
        return lambda day: f"{day.month:02d}/{day.day:02d}/{day.year % 100:02d}"
    return date_mmddyyyy


def random_formats(rng: random.Random, spec: CertificateSpec) -> Formats:
    mark = rng.choice(("X", "X", "Y"))
    return Formats(
        money=_money_formatter(rng),
        day=_date_formatter(rng),
        mark=mark,
        unmarked="N" if mark == "Y" and rng.random() < 0.5 else spec.unmarked,
    )


# The boxes that hold an amount (the limits), which some systems print right-aligned.
_AMOUNT_FIELDS = frozenset(name for row in FORM_ROWS.values() for name in row.limits.values())


def render_flattened(
    spec: CertificateSpec, blank_form: Path, rng: random.Random, realism: Realism | None = None
) -> bytes:
    """Values printed as page text over the blank form, no widgets (as broker software does).

    With ``realism``, printed the ways real brokers' systems print them (see `Realism`).
    """
    doc = flattened_document(spec, blank_form, rng, realism)
    return pdf_bytes(doc, title=document_title(spec), identity=f"flattened {spec!r} {realism!r}")


def flattened_document(
    spec: CertificateSpec, blank_form: Path, rng: random.Random, realism: Realism | None = None
) -> pymupdf.Document:
    # Some brokers still print on an older edition of the form (its label only, unless
    # realism says the older edition's wording too).
    edition = rng.choice(OLDER_EDITIONS) if rng.random() < 0.2 else EDITION_LABEL
    older = realism is not None and realism.older_edition
    blank = older_blank(blank_form) if older else printed_blank(blank_form, edition)
    doc = pymupdf.open(stream=blank, filetype="pdf")
    page = doc[0]
    fmt = random_formats(rng, spec)
    pen = Pen(
        font=rng.choice(FONTS),
        dx=rng.uniform(-3.0, 3.0),
        dy=rng.uniform(-1.2, 1.2),
        rng=rng,
        amounts_right=older,
    )
    rects = print_rects(blank_form, spec)
    if realism is not None and realism.top_line:
        rects = on_top_lines(rects, spec)
    boxes = checked_boxes(spec)
    if realism is not None and realism.stacked:
        rects = on_top_lines(rects, spec, rows=("umbrella",))  # the line below is taken
        rects.update(stacked_rects(rects))
        boxes += [] if EXCESS_BOX in boxes else [EXCESS_BOX]
    if realism is not None and realism.look_alike:
        bands = Bands(realism.look_alike)
        doc.close()
        doc = look_alike_document(blank_form, edition, bands)
        page = doc[0]
        rects = {name: bands.rect(rect) for name, rect in rects.items()}
    marks = mark_fields(spec, fmt) | set(boxes)
    layer = TextLayer(page)
    glyphs: list[pymupdf.Rect] = []
    shared_row: set[str] = set()
    if realism is not None and realism.shared:
        shared_row = other_row_fields(spec, fmt)
        own = [policy for policy in spec.policies if policy.row == "other"]
        print_shared_row(layer, rects, [*own, *realism.shared], fmt, pen, realism, glyphs)
    for name, text in field_texts(spec, fmt).items():
        if name in shared_row:
            continue
        if realism is not None and name == realism.overtyped:
            overtype(layer, rects[name], decoy(text), pen)
        if name == REMARKS_FIELD:
            print_paragraph(layer, rects[name], text, pen)
        elif name == SIGNATURE_FIELD:
            print_signature(layer, rects[name], text, pen)
        elif name in marks and realism is not None and realism.marks != "text":
            draw_mark(layer, rects[name], realism.marks, glyphs)
        else:
            print_in_box(layer, rects[name], text, pen, amount=name in _AMOUNT_FIELDS)
    if realism is not None:
        for policy in realism.stacked:
            print_stacked(layer, rects, policy, fmt, pen, realism, glyphs)
    for name in boxes:
        if realism is not None and realism.marks != "text":
            draw_mark(layer, rects[name], realism.marks, glyphs)
        else:
            print_in_box(layer, rects[name], fmt.mark, pen, centred=True)
    layer.commit()
    print_glyph_marks(page, glyphs)
    return doc
