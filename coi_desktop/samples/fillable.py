"""A certificate as the real fillable ACORD 25 with its AcroForm fields filled."""

# PyMuPDF is only partly annotated: its untyped calls are expected here.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import re
from pathlib import Path

import pymupdf

from coi_desktop.acord_form import OTHER_DESCRIPTION_FIELD, REMARKS_FIELD

from .form_text import Formats, checked_boxes, date_mmddyyyy, field_texts, money_plain
from .pdf_page import (
    FIELD_FONT_SIZE,
    FormWidget,
    document_title,
    fitting_size,
    form_widgets,
    open_blank,
    pdf_bytes,
    pdf_escape,
    wrap_text,
)
from .spec import CertificateSpec

_LINE_HEIGHT = 9.2


def render_fillable(spec: CertificateSpec, blank_form: Path) -> bytes:
    """The real ACORD 25 with its AcroForm fields filled (values stay in the widgets).

    Dates are MM/DD/YYYY and marks Y/N because the form's own scripts insist on them.
    """
    fmt = Formats(money_plain, date_mmddyyyy, mark="Y", unmarked=spec.unmarked)
    widgets = form_widgets(blank_form)
    doc = open_blank(blank_form)
    font_xref = _add_form_font(doc)
    for name, text in field_texts(spec, fmt).items():
        _fill_text_field(doc, widgets[name], text, font_xref)
    for name in checked_boxes(spec):
        # The form carries the "on" appearance already; switching state is all a viewer does.
        _rewrite_widget(doc, widgets[name], {"V": "/1", "AS": "/1"})
    return pdf_bytes(doc, title=document_title(spec), identity=f"fillable {spec!r}")


def _add_form_font(doc: pymupdf.Document) -> int:
    xref: int = doc.get_new_xref()
    doc.update_object(
        xref, "<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>"
    )
    doc.xref_set_key(doc.pdf_catalog(), "AcroForm/DR/Font/Helv", f"{xref} 0 R")
    return xref


def _fill_text_field(doc: pymupdf.Document, widget: FormWidget, text: str, font: int) -> None:
    """Set the value and write its appearance stream ourselves.

    Widget.update() asks MuPDF to lay out each field (about 1 ms each, 60 per certificate);
    a one-line appearance written here gives the same page in a fraction of the time.
    """
    width, height = widget.rect.width, widget.rect.height
    lines = wrap_text(text, width - 4) if widget.name in _MULTILINE_FIELDS else [text]
    size = FIELD_FONT_SIZE if len(lines) > 1 else fitting_size(text, "helv", width - 4)
    if len(lines) > 1:
        top = height - 2 - size
        positions = [(2.0, top - i * _LINE_HEIGHT) for i in range(len(lines))]
    else:
        positions = [(2.0, (height - size * 0.7) / 2)]
    ops = [f"/Tx BMC q 1 1 {width - 2:g} {height - 2:g} re W n BT /Helv {size:g} Tf 0 g"]
    for (x, y), line in zip(positions, lines, strict=True):
        ops.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm ({pdf_escape(line)}) Tj")
    ops.append("ET Q EMC")
    ap = doc.get_new_xref()
    doc.update_object(
        ap,
        f"<</Type/XObject/Subtype/Form/BBox[0 0 {width:g} {height:g}]"
        f"/Resources<</Font<</Helv {font} 0 R>>>>>>",
    )
    doc.update_stream(ap, "\n".join(ops).encode("cp1252"))
    entries = {
        "AP": f"<</N {ap} 0 R>>",
        "V": pymupdf.get_pdf_str(text),
        "DA": f"(/Helv {size:g} Tf 0 g)",
    }
    _rewrite_widget(doc, widget, entries)


def _rewrite_widget(doc: pymupdf.Document, widget: FormWidget, entries: dict[str, str]) -> None:
    """Set dictionary entries of a widget in one update (xref_set_key costs a parse per key)."""
    source = widget.source
    for key in entries:
        # Drop the old entry; the blank form's values are names, strings or flat dicts.
        source = re.sub(rf"/{key}(?=[\s/(<\[])\s*(\([^)]*\)|/\w+|<<[^>]*>>)", "", source)
    additions = "".join(f"/{key} {value}" for key, value in entries.items())
    doc.update_object(widget.xref, source.rstrip()[:-2] + additions + ">>")


_MULTILINE_FIELDS = frozenset({REMARKS_FIELD, OTHER_DESCRIPTION_FIELD})
