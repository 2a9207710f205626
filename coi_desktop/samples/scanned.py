"""A certificate as an office scans it: one image, slightly skewed and speckled, no text."""

# PyMuPDF is only partly annotated: its untyped calls are expected here.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

import pymupdf

from .flattened import flattened_document
from .pdf_page import pdf_bytes
from .realistic import Realism
from .spec import CertificateSpec

SCAN_DPI = 200


def render_scanned(
    spec: CertificateSpec,
    blank_form: Path,
    rng: random.Random,
    *,
    dpi: int = SCAN_DPI,
    realism: Realism | None = None,
) -> bytes:
    """A flattened certificate as a slightly skewed, speckled scan; one image, no text layer.

    Most scans are black and white ("text" mode of an office scanner); some are grey.
    With ``realism`` as offices really scan: coarser or finer (150-300 dpi), fed crooked
    (up to 3.5 degrees), and one in three stored on its side, shown upright by /Rotate or not.
    """
    source = flattened_document(spec, blank_form, rng, realism)
    angle = rng.uniform(-1.0, 1.0)
    sideways = None
    if realism is not None:
        dpi = rng.choice((150, 200, 300))
        angle = rng.uniform(-3.5, 3.5)
        sideways = rng.choice(("rotate", "landscape", None, None, None, None))
    matrix = pymupdf.Matrix(dpi / 72, dpi / 72).prerotate(angle)
    pix = source[0].get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY, alpha=False)
    source.close()
    samples = pix.samples
    if rng.random() < 0.75:
        samples = samples.translate(_threshold_table(rng.randrange(140, 180)))
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pix.width, pix.height, _speckled(samples, rng), False)
    doc = pymupdf.open()
    if sideways is None:
        page = doc.new_page(width=612, height=792)
        # Stored losslessly (Flate): faster to encode than JPEG, and tiny for black and white.
        page.insert_image(page.rect, pixmap=pix)
    else:  # the sheet went in on its side: a landscape page, turned upright by /Rotate or not
        page = doc.new_page(width=792, height=612)
        page.insert_image(page.rect, pixmap=pix, rotate=90)
        if sideways == "rotate":
            page.set_rotation(90)
    # Half of zlib's effort: a third of the time for a file a fifth larger.
    identity = f"scanned {spec!r} {realism!r}"
    return pdf_bytes(doc, title="Scan", identity=identity, effort=50)


@cache
def _threshold_table(level: int) -> bytes:
    return bytes(0 if value < level else 255 for value in range(256))


def _speckled(samples: bytes, rng: random.Random) -> bytes:
    """Sparse dark and light specks, like dust on a scanner glass."""
    noisy = bytearray(samples)
    for _ in range(len(noisy) // 12000):
        index = rng.randrange(len(noisy))
        noisy[index] = rng.randrange(0, 120) if noisy[index] > 128 else 255
    return bytes(noisy)
