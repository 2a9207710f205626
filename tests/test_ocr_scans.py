"""Scans as they come: the scan's own resolution, skew, /Rotate, sideways and upside-down pages."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from coi_desktop.review import extraction
from coi_desktop.review.deskew import skew_degrees
from coi_desktop.review.findings import Found, RawCertificate
from coi_desktop.review.ocr_reader import (
    DOUBTFUL_CONFIDENCE,
    Raster,
    distrust_doubtful,
    scan_dpi,
)
from coi_desktop.samples.corpus import compare, write_corpus

BLANK_FORM = Path(__file__).parent / "data" / "acord25-2016-03-blank-fillable.pdf"

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract is not installed (apt install tesseract-ocr)",
)


@pytest.mark.parametrize("degrees", [0.0, 0.7, -2.5, 4.0])
def test_skew_is_measured_from_the_forms_own_rules_and_lines(degrees: float) -> None:
    with pymupdf.open(BLANK_FORM) as doc:
        matrix = pymupdf.Matrix(150 / 72, 150 / 72).prerotate(degrees)
        pix = doc[0].get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY, alpha=False)
    assert skew_degrees(pix.samples, pix.width, pix.height, pix.stride) == pytest.approx(
        degrees, abs=0.1
    )


def test_a_blank_image_has_no_skew() -> None:
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 300, 400), False)
    pix.clear_with(255)
    assert skew_degrees(pix.samples, pix.width, pix.height, pix.stride) == 0.0


def _page_with_image(width: int, height: int, rect: tuple[float, ...], rotate: int = 0) -> Any:
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, width, height), False)
    pix.clear_with(200)
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_image(pymupdf.Rect(rect), pixmap=pix, rotate=rotate)
    return page


def test_the_scans_resolution_is_its_images_pixels_per_inch_on_the_page() -> None:
    assert scan_dpi(_page_with_image(1224, 1584, (0, 0, 612, 792))) == pytest.approx(144)
    # stored on its side and turned onto the page: still 200 dpi
    assert scan_dpi(_page_with_image(2200, 1700, (0, 0, 612, 792), rotate=90)) == pytest.approx(200)
    # a logo is no scan of the page
    assert scan_dpi(_page_with_image(600, 200, (36, 36, 236, 103))) is None
    assert scan_dpi(pymupdf.open().new_page()) is None


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_a_raster_frame_maps_back_onto_the_page_under_any_rotate(rotation: int) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((400, 120), "HELLO", fontsize=30)
    page.set_rotation(rotation)
    ((x0, y0, x1, y1, *_),) = page.get_text("words")
    raster = Raster.of(page, 100, time.monotonic() + 10)
    back = ~raster.to_page
    inked = pymupdf.Rect(x0, y0, x1, y1) * back  # where the word is in the raster's frame
    assert raster.ink_share(tuple(inked)) > 0.1
    elsewhere = pymupdf.Rect(100, 600, 200, 650) * back
    assert raster.ink_share(tuple(elsewhere)) == 0.0
    assert raster.page_rect(tuple(inked)) == pytest.approx((x0, y0, x1, y1), abs=0.5)


# -- whole scans ---------------------------------------------------------------------------


def _flattened(tmp_path: Path) -> tuple[Any, dict[str, Any], dict[str, tuple[float, ...]]]:
    """A printed certificate as a 200 dpi scan, its truth, and where its words are printed."""
    pdf = write_corpus(tmp_path, 1, seed=11, styles=("flattened",), blank_form=BLANK_FORM)[0]
    truth = json.loads(pdf.with_name(pdf.stem + ".truth.json").read_text())
    with pymupdf.open(pdf) as doc:
        words = {str(w[4]): tuple(w[:4]) for w in doc[0].get_text("words")}
        pix = doc[0].get_pixmap(dpi=200, colorspace=pymupdf.csGRAY, alpha=False)
    return pix, truth, words


def _skewed(pix: Any, degrees: float) -> Any:
    """The scan of a page fed ``degrees`` clockwise crooked through the scanner."""
    source = pymupdf.open()
    source.new_page(width=612, height=792).insert_image(pymupdf.Rect(0, 0, 612, 792), pixmap=pix)
    return source[0].get_pixmap(
        matrix=pymupdf.Matrix(200 / 72, 200 / 72).prerotate(degrees), colorspace=pymupdf.csGRAY
    )


def _scan(pix: Any, kind: str) -> bytes:
    doc = pymupdf.open()
    if kind == "sideways and crooked, without /Rotate":
        page = doc.new_page(width=792, height=612)
        page.insert_image(page.rect, pixmap=_skewed(pix, -3.0), rotate=90)
    elif kind in ("shown upright by /Rotate", "sideways"):
        page = doc.new_page(width=792, height=612)
        page.insert_image(page.rect, pixmap=pix, rotate=90)
        if kind == "shown upright by /Rotate":
            page.set_rotation(90)
    elif kind == "upside down":
        page = doc.new_page(width=612, height=792)
        page.insert_image(page.rect, pixmap=pix, rotate=180)
    else:  # skewed 3 degrees clockwise, as fed crooked through a scanner
        page = doc.new_page(width=612, height=792)
        page.insert_image(page.rect, pixmap=_skewed(pix, 3.0))
    return bytes(doc.tobytes())


def _where(kind: str, x: float, y: float) -> tuple[float, float]:
    """Where a point of the printed page lies on the scan's page (unrotated coordinates)."""
    if kind in ("shown upright by /Rotate", "sideways"):
        return y, 612 - x
    return 612 - x, 792 - y  # upside down


@pytest.mark.ocr
@needs_tesseract
@pytest.mark.slow
@pytest.mark.parametrize(
    "kind",
    [
        "shown upright by /Rotate",
        "sideways",
        "upside down",
        "skewed 3 degrees",
        # a crooked probe of the page's top read as nothing: the probes are straightened
        "sideways and crooked, without /Rotate",
    ],
)
def test_a_turned_or_skewed_scan_is_read_like_a_straight_one(tmp_path: Path, kind: str) -> None:
    pix, truth, printed = _flattened(tmp_path)
    result = extraction.extract_document(_scan(pix, kind), "scan.pdf")
    assert result["method"] == "ocr"
    total, wrong = compare(result, truth)
    assert len(wrong) <= total * 0.07, wrong  # the floor of generated scans (93 %)
    if "crooked" in kind or kind.startswith("skewed"):
        return
    # evidence is in the page's coordinates, where a viewer draws it over the scan
    number = truth["policies"][0]["policy_number"]
    x0, y0, x1, y1 = printed[number]
    ex0, ey0, ex1, ey1 = result["evidence"]["policies[0].policy_number"]["rect"]
    x, y = _where(kind, (x0 + x1) / 2, (y0 + y1) / 2)
    assert ex0 - 2 < x < ex1 + 2 and ey0 - 2 < y < ey1 + 2, (x, y)


def test_a_value_holding_a_word_tesseract_doubted_goes_to_review() -> None:
    def ocr(confidence: float, rect: tuple[float, float, float, float]) -> Found:
        return Found("Nat ona Insurance Company", 1, rect, "ocr", confidence)

    raw = RawCertificate(
        slots={
            "insurers.B.name": ocr(0.85, (300.0, 100.0, 420.0, 110.0)),
            "insurers.C.name": ocr(0.85, (300.0, 112.0, 420.0, 122.0)),
            "insurers.D.name": ocr(0.93, (300.0, 124.0, 420.0, 134.0)),  # two readings agreed
        }
    )
    doubtful = [(301.0, 101.0, 330.0, 109.0), (301.0, 125.0, 330.0, 133.0)]
    distrust_doubtful(raw, doubtful)
    confidence = {slot: found.confidence for slot, found in raw.slots.items()}
    assert confidence == {
        "insurers.B.name": DOUBTFUL_CONFIDENCE,
        "insurers.C.name": 0.85,
        "insurers.D.name": 0.93,
    }
    assert DOUBTFUL_CONFIDENCE < 0.8  # under the pre-check's review line
