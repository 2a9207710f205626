"""ACORD 25 sample certificates: render a `CertificateSpec` in one of the styles.

The spec and its ground truth are in `spec`; what goes in which box in `form_text`; one
renderer per style: `fillable` (AcroForm fields filled), `flattened` (printed text),
`scanned` (an image), and `realistic` (printed as real brokers' systems print, for the
flattened and scanned styles). The truth is exactly what the page shows, so extraction can
be measured against it.
"""

# PyMuPDF is only partly annotated: its untyped calls are expected here.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import random
from pathlib import Path

import pymupdf

from .fillable import render_fillable
from .flattened import render_flattened
from .realistic import Realism
from .scanned import render_scanned
from .spec import CertificateSpec

STYLES = ("fillable", "flattened", "scanned")


def render(
    spec: CertificateSpec,
    style: str,
    blank_form: Path,
    rng: random.Random,
    realism: Realism | None = None,
) -> bytes:
    """Render `spec` in one of STYLES (printed ones the way `realism` says, if given)."""
    if style == "fillable":
        return render_fillable(spec, blank_form)
    if style == "flattened":
        return render_flattened(spec, blank_form, rng, realism)
    if style == "scanned":
        return render_scanned(spec, blank_form, rng, realism=realism)
    raise ValueError(f"unknown style {style!r}; expected one of {STYLES}")


def field_values(pdf: bytes) -> dict[str, str]:
    """Name → value of every non-empty AcroForm field on the first page."""
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        return {
            str(w.field_name): str(w.field_value)
            for w in doc[0].widgets()
            if w.field_value not in (None, "", "Off")
        }
