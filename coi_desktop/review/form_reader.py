"""Read a fillable ACORD 25 from its AcroForm fields.

Fields are matched by name first; a field a broker's software renamed is matched
by where it sits on the page instead, so its value still lands in the right slot.
"""

from __future__ import annotations

from typing import Any

import pymupdf as _pymupdf

from coi_desktop.review.acord_fields import (
    FIELD_BY_NAME,
    FormField,
    Rect,
    certificate_from_boxes,
    field_at,
)
from coi_desktop.review.findings import RawCertificate

# PyMuPDF ships no type hints; it is used as the dynamic library it is.
pymupdf: Any = _pymupdf

FORM_CONFIDENCE = 0.99
RENAMED_CONFIDENCE = 0.9  # matched by position only: right box, but trusted a little less

WidgetValue = tuple[str, str, str, Rect]  # name, kind ("text" | "check"), text, rect


def _value_text(widget: Any) -> str:
    value = widget.field_value
    if widget.field_type_string in ("CheckBox", "RadioButton"):
        # A checked box carries its "on" state name (often "1" or "Yes"); "Off" is unchecked.
        checked = value not in (None, "", "Off", False, "0")
        return "X" if checked else ""
    if value is None or value is False:
        return ""
    return str(value)


def page_widget_values(page: Any) -> list[WidgetValue]:
    """(name, kind, text, rect) for every widget on a PyMuPDF page.

    Reads the widget dictionaries directly: PyMuPDF's ``page.widgets()`` builds a full
    Widget object per field and costs ~100 ms on an ACORD 25; this takes a few.
    """
    try:
        return _widget_values_from_objects(page)
    except Exception:  # an odd AcroForm structure: the slow, thorough way
        return _widget_values_from_widgets(page)


_WIDGET_ANNOT = pymupdf.PDF_ANNOT_WIDGET


def _inherited(doc: Any, xref: int, key: str) -> tuple[str, str]:
    """A field key, looked up through /Parent as field dictionaries inherit it."""
    for _ in range(8):  # bound the chain: a looping /Parent must not hang us
        kind, value = doc.xref_get_key(xref, key)
        if kind != "null":
            return kind, value
        pkind, parent = doc.xref_get_key(xref, "Parent")
        if pkind != "xref":
            break
        xref = int(parent.split()[0])
    return "null", "null"


def _full_name(doc: Any, xref: int) -> str:
    parts: list[str] = []
    for _ in range(8):
        kind, value = doc.xref_get_key(xref, "T")
        if kind == "string":
            parts.append(value)
        pkind, parent = doc.xref_get_key(xref, "Parent")
        if pkind != "xref":
            break
        xref = int(parent.split()[0])
    return ".".join(reversed(parts))


def _widget_values_from_objects(page: Any) -> list[WidgetValue]:
    doc = page.parent
    matrix = page.transformation_matrix
    out: list[WidgetValue] = []
    for xref, annot_type, _ in page.annot_xrefs():
        if annot_type != _WIDGET_ANNOT:
            continue
        ft = _inherited(doc, xref, "FT")[1]
        kind = "check" if ft == "/Btn" else "text"
        rkind, rvalue = doc.xref_get_key(xref, "Rect")
        if rkind != "array":
            continue
        nums = [float(v) for v in rvalue.strip("[]").split()]
        rect = pymupdf.Rect(nums) * matrix
        vkind, value = _inherited(doc, xref, "V")
        if kind == "check":
            if vkind != "name":
                vkind, value = doc.xref_get_key(xref, "AS")
            text = "X" if vkind == "name" and value not in ("/Off", "/") else ""
        else:
            text = value if vkind == "string" else ""
        out.append((_full_name(doc, xref), kind, text, (rect.x0, rect.y0, rect.x1, rect.y1)))
    return out


def _widget_values_from_widgets(page: Any) -> list[WidgetValue]:
    out: list[WidgetValue] = []
    for w in page.widgets():
        kind = "check" if w.field_type_string in ("CheckBox", "RadioButton") else "text"
        r = w.rect
        out.append((str(w.field_name or ""), kind, _value_text(w), (r.x0, r.y0, r.x1, r.y1)))
    return out


def filled_count(widgets: list[WidgetValue]) -> int:
    return sum(1 for _, kind, text, _ in widgets if kind == "text" and text.strip())


def read_form(widgets: list[WidgetValue], page_no: int) -> RawCertificate:
    """Slots and coverage rows from the widgets of one page (``page_no`` 1-based)."""
    readings: list[tuple[FormField, str, Rect, float]] = []
    renamed = 0
    seen: set[str] = set()
    for name, kind, text, rect in widgets:
        spec = FIELD_BY_NAME.get(name)
        confidence = FORM_CONFIDENCE
        if spec is None:
            spec = field_at(rect, kind)
            confidence = RENAMED_CONFIDENCE
            if spec is not None and text.strip():
                renamed += 1
        if spec is None or (spec.slot in seen and not text.strip()):
            continue
        seen.add(spec.slot)
        readings.append((spec, text, rect, confidence))
    raw = certificate_from_boxes(readings, page_no, "form")
    if renamed:
        raw.warnings.append(
            f"{renamed} form field(s) have names this form does not use; matched by position"
        )
    return raw
