"""The blank form and printing on it: its widgets, a raw text layer, fonts and saving.

Shared by every renderer (and the endorsement pages) so each prints and saves alike.
"""

# PyMuPDF is only partly annotated: its untyped calls are expected here.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import hashlib
import math
import random
import tempfile
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from pathlib import Path

import pymupdf

from .spec import CertificateSpec

EDITION_LABEL = "ACORD 25 (2016/03)"
OLDER_EDITIONS = ("ACORD 25 (2014/01)", "ACORD 25 (2010/05)")


@dataclass(frozen=True)
class FormWidget:
    name: str
    xref: int
    rect: pymupdf.Rect  # page coordinates, top-left origin
    checkbox: bool
    source: str  # the widget's PDF object, to rewrite it in one update_object call


@cache
def _blank_bytes(blank_form: Path) -> bytes:
    # Read once per process: the world renders hundreds of certificates from it.
    return blank_form.read_bytes()


@cache
def form_widgets(blank_form: Path) -> dict[str, FormWidget]:
    """The blank form's widgets by field name. Every copy opened from the same bytes has the
    same xrefs, so this is computed once; walking page.widgets() per certificate is slow."""
    with pymupdf.open(stream=_blank_bytes(blank_form), filetype="pdf") as doc:
        return {
            str(w.field_name): FormWidget(
                name=str(w.field_name),
                xref=w.xref,
                rect=pymupdf.Rect(w.rect),
                checkbox=w.field_type_string == "CheckBox",
                source=doc.xref_object(w.xref, compressed=True),
            )
            for w in doc[0].widgets()
            if not w.rect.is_empty
        }


def open_blank(blank_form: Path) -> pymupdf.Document:
    return pymupdf.open(stream=_blank_bytes(blank_form), filetype="pdf")


def document_title(spec: CertificateSpec) -> str:
    return f"Certificate of Insurance - {spec.insured_name}"


def pdf_bytes(doc: pymupdf.Document, *, title: str, identity: str, effort: int = 0) -> bytes:
    """Save `doc` reproducibly: fixed metadata and a file /ID derived from `identity`.

    MuPDF otherwise gives every save a random /ID, and the world must be the same bytes for
    the same seed. Saving through a temporary file is several times faster than tobytes(),
    which hands MuPDF's output to Python a few bytes at a time.
    """
    doc.set_metadata({"title": title, "producer": "COI Desk sample generator"})
    digest = hashlib.md5(identity.encode("utf-8"), usedforsecurity=False).hexdigest().upper()
    doc.xref_set_key(-1, "ID", f"[<{digest}><{digest}>]")
    with tempfile.TemporaryDirectory(prefix="coi-sample-") as folder:
        path = Path(folder) / "out.pdf"
        doc.save(path, garbage=1, deflate=True, no_new_id=True, compression_effort=effort)
        doc.close()
        return path.read_bytes()


class TextLayer:
    """Text added to a page as one raw content stream, in base-14 fonts (WinAnsi).

    PyMuPDF's insert_text re-reads the page's fonts on every call, which made a certificate
    of 80 values several times slower to print than to render.
    """

    def __init__(self, page: pymupdf.Page) -> None:
        self.page = page
        self.fonts: set[str] = set()
        self.ops: list[str] = ["0 g"]

    def text(self, x: float, baseline: float, text: str, font: str, size: float) -> None:
        """Write `text` with its baseline starting at (x, baseline), top-left coordinates."""
        if font not in self.fonts:
            self.page.insert_font(fontname=font)  # registered under its own name, e.g. /helv
            self.fonts.add(font)
        y = self.page.rect.height - baseline
        self.ops.append(
            f"BT /{font} {size:.2f} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm ({pdf_escape(text)}) Tj ET"
        )

    def strokes(self, lines: list[tuple[tuple[float, float], tuple[float, float]]]) -> None:
        """Straight black strokes, top-left coordinates."""
        h = self.page.rect.height
        path = " ".join(f"{a:.2f} {h - b:.2f} m {c:.2f} {h - d:.2f} l" for (a, b), (c, d) in lines)
        self.ops.append(f"q 0 G 0.9 w 1 J {path} S Q")

    def cover(self, rect: pymupdf.Rect) -> None:
        """A white box over what was printed before it."""
        h = self.page.rect.height
        self.ops.append(
            f"q 1 g {rect.x0:.2f} {h - rect.y1:.2f} {rect.width:.2f} {rect.height:.2f} re f Q"
        )

    def commit(self) -> None:
        doc = self.page.parent
        # Wrap the form's own content in q/Q so whatever state it leaves cannot move our text.
        before, after = doc.get_new_xref(), doc.get_new_xref()
        for xref, data in ((before, b"q"), (after, ("Q\n" + "\n".join(self.ops)).encode("cp1252"))):
            doc.update_object(xref, "<<>>")
            doc.update_stream(xref, data)
        contents = " ".join(f"{x} 0 R" for x in (before, *self.page.get_contents(), after))
        doc.xref_set_key(self.page.xref, "Contents", f"[{contents}]")


def print_rects(blank_form: Path, spec: CertificateSpec) -> dict[str, pymupdf.Rect]:
    """Where each value is printed: the widget's box, except that an address without a
    second street line moves its city line up, as brokers' software prints it."""
    rects = {name: widget.rect for name, widget in form_widgets(blank_form).items()}
    for prefix, address in (
        ("Producer", spec.producer_address),
        ("NamedInsured", spec.insured_address),
        ("CertificateHolder", spec.holder_address),
    ):
        if address.line2:
            continue
        line_two = rects[f"{prefix}_MailingAddress_LineTwo_A"]
        for part in ("CityName", "StateOrProvinceCode", "PostalCode"):
            name = f"{prefix}_MailingAddress_{part}_A"
            rect = rects[name]
            rects[name] = pymupdf.Rect(rect.x0, line_two.y0, rect.x1, line_two.y1)
    return rects


@cache
def _char_widths(font: str) -> dict[str, float]:
    return {
        chr(c): pymupdf.get_text_length(chr(c), fontname=font, fontsize=1) for c in range(32, 256)
    }


def text_width(text: str, font: str, size: float) -> float:
    """Width of `text` in a base-14 font; pymupdf.get_text_length is slow per call, and
    base-14 text has no kerning, so a cached table of character widths is exact."""
    return size * sum(map(_char_widths(font).get, text, repeat(0.6)))


FIELD_FONT_SIZE = 8.0
BASE_SIZE = 8.0
# Narrow boxes (letters, marks, state codes, dates) are centred by broker software.
_CENTRED_BELOW_WIDTH = 50.0


def fitting_size(text: str, font: str, width: float) -> float:
    """The font size (8 pt down to 5 pt, in quarter points) at which `text` fits `width`."""
    unit = text_width(text, font, 1.0)
    if unit * BASE_SIZE <= width:
        return BASE_SIZE
    return max(5.0, math.floor(width / unit * 4) / 4)


def wrap_text(
    text: str, width: float, font: str = "helv", size: float = FIELD_FONT_SIZE
) -> list[str]:
    """Break `text` into lines no wider than `width` at word boundaries."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, font, size) > width:
            lines.append(current)
            candidate = word
        current = candidate
    return [*lines, current] if current else lines


def pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


@dataclass(frozen=True)
class Pen:
    """One broker's print settings: font, a whole-page offset, a little per-value wobble."""

    font: str
    dx: float
    dy: float
    rng: random.Random
    amounts_right: bool = False  # amounts against the right edge of their box, not the left

    def wobble(self) -> tuple[float, float]:
        return self.dx + self.rng.uniform(-0.6, 0.6), self.dy + self.rng.uniform(-0.4, 0.4)


def print_in_box(
    layer: TextLayer,
    rect: pymupdf.Rect,
    text: str,
    pen: Pen,
    *,
    centred: bool = False,
    amount: bool = False,
) -> None:
    size = fitting_size(text, pen.font, rect.width - 2)
    width = text_width(text, pen.font, size)
    dx, dy = pen.wobble()
    if amount and pen.amounts_right:
        x = rect.x1 - 1 - width + dx / 3
    elif centred or rect.width < _CENTRED_BELOW_WIDTH:
        x = rect.x0 + (rect.width - width) / 2 + dx / 3  # little room in small boxes
    else:
        x = rect.x0 + 2 + dx
    # Keep the value inside its box so it never runs into the printed labels.
    x = min(max(x, rect.x0 - 1), rect.x1 + 1 - width)
    baseline = rect.y0 + (rect.height + size * 0.7) / 2 + dy
    layer.text(x, baseline, text, pen.font, size)


def print_paragraph(layer: TextLayer, rect: pymupdf.Rect, text: str, pen: Pen) -> None:
    dx, dy = pen.wobble()
    box = pymupdf.Rect(rect.x0 + 2 + dx, rect.y0 + 1 + dy, rect.x1 - 4, rect.y1)
    size = BASE_SIZE
    lines = wrap_text(text, box.width, pen.font, size)
    # Shrink until the paragraph fits its box, as broker software does with long remarks.
    while len(lines) * size * 1.2 > box.height and size > 5:
        size -= 0.5
        lines = wrap_text(text, box.width, pen.font, size)
    for index, line in enumerate(lines):
        layer.text(box.x0, box.y0 + size + index * size * 1.2, line, pen.font, size)


def print_signature(layer: TextLayer, rect: pymupdf.Rect, text: str, pen: Pen) -> None:
    dx, _ = pen.wobble()
    layer.text(rect.x0 + 40 + dx, rect.y1 - 6, text, "tiit", 11)


def _relabel_edition(page: pymupdf.Page, label: str) -> None:
    """Print an older edition's label in place of "ACORD 25 (2016/03)"."""
    for rect in page.search_for(EDITION_LABEL):
        page.add_redact_annot(
            pymupdf.Rect(rect.x0 - 0.5, rect.y0 - 0.5, rect.x1 + 0.5, rect.y1 + 0.5)
        )
        page.apply_redactions(
            images=0,
            graphics=0,  # PDF_REDACT_IMAGE_NONE, PDF_REDACT_LINE_ART_NONE: keep them
        )
        page.insert_text((rect.x0, rect.y1 - 2.2), label, fontname="hebo", fontsize=8.4)


@cache
def printed_blank(blank_form: Path, edition_label: str) -> bytes:
    """The blank form as a plain page: no widgets, no AcroForm, the edition label as given.

    Cached because every flattened and scanned certificate starts from one of three of these.
    """
    doc = open_blank(blank_form)
    page = doc[0]
    doc.xref_set_key(page.xref, "Annots", "null")
    doc.xref_set_key(doc.pdf_catalog(), "AcroForm", "null")
    doc.xref_set_key(doc.pdf_catalog(), "OpenAction", "null")  # the form's date scripts
    if edition_label != EDITION_LABEL:
        _relabel_edition(page, edition_label)
    data: bytes = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data
