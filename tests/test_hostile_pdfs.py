"""Damaged PDFs, generated at test time: never read as if whole.

A file MuPDF had to repair (or warned about while reading) carries the "damaged" warning,
and every pass or fail line of its pre-check goes to a person (issue #14 point 9).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from coi_desktop.review.damage import DAMAGED, is_damaged
from coi_desktop.review.extraction import extract_document
from coi_desktop.samples.corpus import write_corpus
from tests.test_precheck import extraction, make_profile, run


@pytest.fixture(scope="module")
def goods(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    out = tmp_path_factory.mktemp("goods")
    return [
        p.read_bytes()
        for p in write_corpus(out, 6, seed=11, styles=("fillable", "flattened"))
        if p.suffix == ".pdf"
    ]


def _flipped(data: bytes, rng: random.Random) -> bytes:
    damaged = bytearray(data)
    for _ in range(rng.randint(5, 60)):
        damaged[rng.randrange(len(damaged))] = rng.randrange(256)
    return bytes(damaged)


def test_whole_certificates_are_not_called_damaged(goods: list[bytes]) -> None:
    for data in goods:
        result = extract_document(data, "good.pdf")
        assert result["kind"] == "coi"
        assert not is_damaged(result), result["warnings"]


def test_damaged_certificates_read_as_certificates_say_so(goods: list[bytes]) -> None:
    rng = random.Random(3)
    read_as_coi = flagged = 0
    for _ in range(30):
        result = extract_document(_flipped(rng.choice(goods), rng), "fuzzed.pdf", ocr=False)
        assert result["kind"] in ("coi", "endorsement", "unknown")
        if result["kind"] == "coi":
            read_as_coi += 1
            flagged += is_damaged(result)
    assert read_as_coi >= 5
    # Bytes flipped inside a text string can leave no trace MuPDF could see; nearly every
    # other damage it repairs or warns about (0.93 of such files in a 200-file sample).
    assert flagged >= 0.75 * read_as_coi, (flagged, read_as_coi)


def test_truncated_certificate_is_damaged(goods: list[bytes]) -> None:
    data = goods[0]
    result = extract_document(data[: int(len(data) * 0.8)], "cut.pdf")
    assert is_damaged(result) or result["kind"] == "unknown"


def test_every_value_of_a_damaged_file_needs_review() -> None:
    whole = extraction()
    assert any(line.result == "pass" for line in run(whole))
    damaged = extraction()
    damaged["warnings"] = [f"{DAMAGED} (MuPDF repaired it); every value read from it needs review"]
    lines = run(damaged, make_profile())
    assert lines and not any(line.result in ("pass", "fail") for line in lines)
    assert all("damaged" in line.message for line in lines if line.result == "needs_review")


def test_damage_note_is_added_once(tmp_path: Path) -> None:
    from coi_desktop.review.damage import note_damage

    result: dict[str, object] = {"warnings": []}
    note_damage(result, True, "trying to repair broken xref\nrepairing PDF document")
    note_damage(result, True, "")
    warnings = result["warnings"]
    assert isinstance(warnings, list) and len(warnings) == 1
    assert warnings[0].startswith(DAMAGED)


def test_rendering_a_huge_page_stays_in_the_pixel_budget() -> None:
    import pymupdf

    from coi_desktop.ui.pdf_child import MAX_RENDER_PIXELS
    from coi_desktop.ui.pdf_render import render_page

    with pymupdf.open() as doc:
        doc.new_page(width=14400, height=14400)  # 200 inches square: 2.6 G pixels at 2x
        image = render_page(doc, 0, zoom=2.0, rotation=0, dpr=1.0)
    assert image.width() * image.height() <= MAX_RENDER_PIXELS * 1.01
    # Shown at the size asked for: the page is 28800 device-independent pixels wide.
    assert abs(image.width() / image.devicePixelRatio() - 28800) < 30
