"""Extract an ACORD 25 certificate (and endorsements) from PDF bytes into the extraction JSON.

Each page is read the cheapest way that works: AcroForm fields when the form is
filled in, positioned text when it is printed, Tesseract OCR when it is only an
image. Hostile input never raises: it yields ``kind: "unknown"`` or a partial
result with warnings, and work is bounded in pages, OCR pages, pixels and time.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pymupdf as _pymupdf

from coi_desktop.review import tesseract
from coi_desktop.review.assembly import JSON, assemble_certificate
from coi_desktop.review.damage import note_damage
from coi_desktop.review.endorsement_detect import detect_endorsements
from coi_desktop.review.layout import MIN_ANCHORS
from coi_desktop.review.page_reading import PageRead, ocr_page, read_page

# PyMuPDF ships no type hints; it is used as the dynamic library it is.
pymupdf: Any = _pymupdf

MAX_PAGES = 10  # certificates are 1-3 pages; anything after page 10 is not read
MAX_OCR_PAGES = 3
TIME_BUDGET_S = 30.0
MAX_FILE_BYTES = 200 * 1024 * 1024


def empty_result(filename: str, data: bytes) -> JSON:
    return {
        "file": os.path.basename(filename) if filename else "",
        "sha256": hashlib.sha256(data).hexdigest(),
        "kind": "unknown",
        "method": None,
        "pages": 0,
        "certificate_date": None,
        "producer": {"name": None, "contact": None, "phone": None, "email": None},
        "insured": {"name": None, "address": None},
        "insurers": [],
        "policies": [],
        "description_of_operations": None,
        "certificate_holder": {"name": None, "address": None},
        "endorsements": [],
        "evidence": {},
        "warnings": [],
    }


@contextmanager
def _quiet_mupdf() -> Iterator[None]:
    """MuPDF prints repair messages for broken files; we report them as warnings instead."""
    errors = pymupdf.TOOLS.mupdf_display_errors()
    warnings = pymupdf.TOOLS.mupdf_display_warnings()
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    try:
        yield
    finally:
        pymupdf.TOOLS.mupdf_display_errors(errors)
        pymupdf.TOOLS.mupdf_display_warnings(warnings)


def extract_file(path: str | os.PathLike[str]) -> JSON:
    """Extract one PDF file; unreadable files give ``kind: "unknown"`` with a warning."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            result = empty_result(p.name, b"")
            result["sha256"] = _sha256_file(p)
            limit_mb = MAX_FILE_BYTES // (1024 * 1024)
            result["warnings"].append(
                f"file is {size // (1024 * 1024)} MB, over the {limit_mb} MB limit; not read"
            )
            return result
        data = p.read_bytes()
    except OSError as exc:
        result = empty_result(p.name, b"")
        result["sha256"] = None
        result["warnings"].append(f"cannot read file: {exc.strerror or exc}")
        return result
    return extract_document(data, p.name)


def _sha256_file(p: Path) -> str:
    h = hashlib.sha256()
    with p.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def extract_document(data: bytes, filename: str = "", *, ocr: bool = True) -> JSON:
    """The extraction JSON (docs/extraction.md) of a PDF given as bytes. Never raises."""
    result = empty_result(filename, data)
    warnings: list[str] = result["warnings"]
    if not data:
        warnings.append("file is empty")
        return result
    if b"%PDF" not in data[:1024]:
        warnings.append("not a PDF file")
        return result
    with _quiet_mupdf():
        pymupdf.TOOLS.mupdf_warnings()  # start clean: only this file's warnings count
        try:
            doc = pymupdf.open(stream=data, filetype="pdf")
        except Exception as exc:  # MuPDF raises many types for broken files
            warnings.append(f"cannot be read as a PDF: {exc}")
            return result
        try:
            _extract_into(doc, result, ocr=ocr)
        except Exception as exc:  # a broken page must not lose what was read before it
            warnings.append(f"stopped reading: {type(exc).__name__}: {exc}")
        finally:
            # After reading: MuPDF repairs lazily, and its warnings say what it guessed at.
            note_damage(result, bool(doc.is_repaired), pymupdf.TOOLS.mupdf_warnings())
            doc.close()
    return result


def _extract_into(doc: Any, result: JSON, *, ocr: bool) -> None:
    warnings: list[str] = result["warnings"]
    if doc.needs_pass and not doc.authenticate(""):
        warnings.append("PDF is encrypted with a password; not read")
        return
    try:
        page_count = int(doc.page_count)
    except Exception:
        page_count = 0
    result["pages"] = page_count
    if doc.is_repaired:
        warnings.append("the PDF is damaged (MuPDF repaired it); some content may be missing")
    if page_count == 0:
        warnings.append("PDF has no pages")
        return
    if page_count > MAX_PAGES:
        warnings.append(f"only the first {MAX_PAGES} of {page_count} pages were read")
    started = time.monotonic()
    ocr_pages = 0
    ocr_missing = False
    reads: list[PageRead] = []
    for index in range(min(page_count, MAX_PAGES)):
        if time.monotonic() - started > TIME_BUDGET_S:
            warnings.append(f"time limit reached; pages after {index} were not read")
            break
        try:
            page = doc.load_page(index)
        except Exception as exc:
            warnings.append(f"page {index + 1} cannot be read: {exc}")
            continue
        read = PageRead(index + 1, height=float(page.rect.height) or 792.0)
        reads.append(read)
        try:
            needs_ocr = read_page(page, read, warnings)
        except Exception as exc:
            warnings.append(f"page {index + 1} cannot be read: {type(exc).__name__}")
            continue
        if not needs_ocr:
            continue
        if not ocr:
            warnings.append(f"page {index + 1} is an image; OCR is turned off")
        elif not tesseract.available():
            ocr_missing = True
        elif ocr_pages >= MAX_OCR_PAGES:
            warnings.append(f"page {index + 1} is an image; only {MAX_OCR_PAGES} pages are OCR'd")
        else:
            ocr_pages += 1
            try:
                ocr_page(page, read, warnings, started + TIME_BUDGET_S)
            except tesseract.TesseractError as exc:
                warnings.append(f"OCR of page {index + 1} failed: {exc}")
            except Exception as exc:
                warnings.append(f"OCR of page {index + 1} failed: {type(exc).__name__}: {exc}")
    if ocr_missing:
        warnings.append("Tesseract OCR is not installed; image-only pages were not read")
    _combine(reads, result)


def _is_certificate(read: PageRead) -> bool:
    return read.raw is not None


def _is_acord(read: PageRead) -> bool:
    return read.raw is not None and (read.source == "form" or read.anchors >= MIN_ANCHORS)


_CONTINUATION = re.compile(r"ADDITIONAL REMARKS|ACORD 101|AGENCY CUSTOMER ID", re.I)


def _continues_certificate(read: PageRead) -> bool:
    """An ACORD 101 remarks page or a second certificate page belongs to the certificate."""
    return read.raw is not None or any(_CONTINUATION.search(line.text) for line in read.lines)


def _combine(reads: list[PageRead], result: JSON) -> None:
    warnings: list[str] = result["warnings"]
    # an ACORD form (filled or laid out) before a page read only by its labels: a cover
    # letter that mentions "certificate of insurance" must not stand in for the certificate
    cert = next((r for r in reads if _is_acord(r)), None) or next(
        (r for r in reads if _is_certificate(r)), None
    )
    if cert is not None and cert.raw is not None:
        result.update(assemble_certificate(cert.raw))
        warnings.extend(cert.raw.warnings)
        result["kind"] = "coi"
        result["method"] = cert.source
    endorsements: list[JSON] = []
    skipped: list[int] = []
    for read in reads:
        if read is cert or not read.lines:
            continue
        found_here = detect_endorsements(read.lines, read.height)
        if not found_here and not _continues_certificate(read) and cert is not None:
            skipped.append(read.number)
        for found in found_here:
            key = f"endorsements[{len(endorsements)}]"
            endorsements.append(
                {
                    "form_number": found.form_number,
                    "edition": found.edition,
                    "page": read.number,
                    "provides": list(found.provides),
                }
            )
            result["evidence"][key] = {
                "page": read.number,
                "rect": [round(v, 1) for v in found.rect],
                "source": read.source or "text",
                "confidence": 0.95 if read.source == "text" else 0.8,
            }
    result["endorsements"] = endorsements
    if skipped:
        pages = ", ".join(str(n) for n in skipped)
        warnings.append(
            f"page{'s' if len(skipped) > 1 else ''} {pages}: not a certificate or an endorsement"
            " (a letter, licence or other document); skipped"
        )
    if cert is None:
        if endorsements:
            result["kind"] = "endorsement"
            result["method"] = next((r.source for r in reads if r.source), None)
        else:
            if reads and any(r.words for r in reads):
                warnings.append("no ACORD 25 certificate or endorsement was recognised")
            elif reads and not any(w.startswith("Tesseract") for w in warnings):
                warnings.append("no readable text found")
