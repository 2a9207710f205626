"""Hostile and broken files: never a traceback, never a hang, always a clear warning."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pymupdf
import pytest

from coi_desktop.review.extraction import MAX_PAGES, extract_document, extract_file
from coi_desktop.samples.corpus import write_corpus


@pytest.fixture(scope="module")
def good_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("good")
    return write_corpus(out, 2, seed=4, styles=("flattened",))[0].read_bytes()


def _tiny_image_page(doc: pymupdf.Document, width: float = 612, height: float = 792) -> int:
    page = doc.new_page(width=width, height=height)
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 40, 40), False)
    pix.clear_with(200)
    page.insert_image(page.rect, pixmap=pix)
    return int(page.get_images()[0][0])


def _bad_files(good: bytes) -> dict[str, bytes]:
    files = {
        "empty": b"",
        "text": b"hello, this is not a PDF",
        "png": pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 8, 8), False).tobytes("png"),
        "truncated": good[: len(good) // 2],
        "corrupt": b"%PDF-1.7\n" + bytes(range(256)) * 40,
        "header_only": b"%PDF-1.4\n%%EOF",
        "zero_pages": (
            b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"
        ),
    }
    with pymupdf.open(stream=good) as doc:
        files["encrypted"] = doc.tobytes(
            encryption=pymupdf.mupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner"
        )
    with pymupdf.open() as doc:
        xref = _tiny_image_page(doc)
        # the image claims 40000 x 40000 pixels: decoding it would take gigabytes
        doc.xref_set_key(xref, "Width", "40000")
        doc.xref_set_key(xref, "Height", "40000")
        files["huge_image"] = doc.tobytes()
    with pymupdf.open() as doc:
        _tiny_image_page(doc, 14400, 14400)
        files["huge_page"] = doc.tobytes()
    with pymupdf.open() as doc:
        doc.new_page()
        files["blank_page"] = doc.tobytes()
    return files


def test_bad_files_give_unknown_with_a_warning(good_pdf: bytes) -> None:
    for name, data in _bad_files(good_pdf).items():
        started = time.monotonic()
        result = extract_document(data, f"{name}.pdf")
        assert time.monotonic() - started < 10, name
        assert result["kind"] == "unknown", name
        assert result["warnings"], name
        assert result["policies"] == [] and result["evidence"] == {}, name


def test_specific_warnings(good_pdf: bytes) -> None:
    files = _bad_files(good_pdf)
    expect = {
        "empty": "empty",
        "text": "not a PDF",
        "encrypted": "encrypted",
        "zero_pages": "no pages",
        "huge_image": "too large",
        "huge_page": "too large",
    }
    for name, words in expect.items():
        warnings = extract_document(files[name], name)["warnings"]
        assert any(words in w for w in warnings), (name, warnings)


def test_five_hundred_pages_are_bounded() -> None:
    with pymupdf.open() as doc:
        for i in range(500):
            doc.new_page().insert_text((72, 72), f"page {i} of a very long unrelated report")
        data = doc.tobytes()
    started = time.monotonic()
    result = extract_document(data, "long.pdf")
    assert time.monotonic() - started < 5
    assert result["pages"] == 500
    assert any(f"first {MAX_PAGES} of 500" in w for w in result["warnings"])


def test_a_certificate_behind_many_pages_is_still_found_in_the_first_ten(good_pdf: bytes) -> None:
    with pymupdf.open() as doc, pymupdf.open(stream=good_pdf) as cert:
        doc.new_page().insert_text((72, 72), "Cover letter")
        doc.insert_pdf(cert)
        for _ in range(30):
            doc.new_page()
        result = extract_document(doc.tobytes(), "packet.pdf")
    assert result["kind"] == "coi"
    assert result["evidence"]["insured.name"]["page"] == 2


@pytest.mark.slow
def test_fuzzed_certificates_never_raise(good_pdf: bytes) -> None:
    rng = random.Random(1234)
    for _ in range(25):
        data = bytearray(good_pdf)
        for _ in range(rng.randint(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            del data[rng.randrange(len(data)) :]
        result = extract_document(bytes(data), "fuzzed.pdf")
        assert result["kind"] in ("coi", "endorsement", "unknown")


def test_unreadable_path_is_reported(tmp_path: Path) -> None:
    result = extract_file(tmp_path / "missing.pdf")
    assert result["kind"] == "unknown"
    assert any("cannot read file" in w for w in result["warnings"])
