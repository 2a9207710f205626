"""Tesseract as the OCR pages are read with: words in page coordinates, bands, failures."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from coi_desktop.review import extraction, tesseract
from coi_desktop.review.ocr_reader import Raster, bands_of
from coi_desktop.samples.corpus import write_corpus

pytestmark = [
    pytest.mark.ocr,
    pytest.mark.skipif(
        shutil.which("tesseract") is None,
        reason="tesseract is not installed (apt install tesseract-ocr)",
    ),
]


@pytest.fixture
def page() -> Iterator[Any]:
    """A letter page of numbered lines down its middle, and a headline at the top."""
    doc = pymupdf.open()
    pg = doc.new_page(width=612, height=792)
    pg.insert_text((72, 90), "CERTIFICATE 4711", fontsize=16, fontname="helv")
    for n, y in enumerate(range(300, 520, 15)):
        pg.insert_text((72, y), f"LINE {n:02d} POLICY GL{1000 + n}", fontsize=11, fontname="helv")
    yield pg
    doc.close()


def _printed(page: Any) -> dict[str, tuple[float, float, float, float]]:
    return {str(w[4]): (w[0], w[1], w[2], w[3]) for w in page.get_text("words")}


def _raster(page: Any) -> Raster:
    return Raster.of(page, 200, time.monotonic() + 60)


def test_words_come_back_where_they_are_printed(page: Any) -> None:
    raster = _raster(page)
    # a band that starts down the page: its words must still land in page coordinates
    for rect in [(0.0, 0.0, 612.0, 792.0), (0.0, 250.0, 612.0, 792.0)]:
        words = {w.text: w for w in tesseract.recognise(raster.image(rect), timeout=60)}
        printed = _printed(page)
        for text in ("GL1003", "GL1012"):
            x0, y0, x1, y1 = printed[text]
            read = words[text]
            assert abs(read.x0 - x0) < 2 and abs(read.x1 - x1) < 2
            # the printed box includes the font's ascent and descent; the ink sits inside it
            assert y0 - 1 <= read.y0 < read.y1 <= y1 + 1


def test_bands_cut_between_lines_and_lose_no_word(page: Any) -> None:
    raster = _raster(page)
    bands = bands_of(raster)
    assert len(bands) == 2
    cut = bands[0][3]
    assert bands[1][1] == cut and 300 < cut < 520  # in the middle of the printed lines
    for _, y0, _, y1 in _printed(page).values():
        assert not y0 + 1 < cut < y1 - 1  # no word is cut in two
    images = [raster.image(rect) for rect in bands]
    read = [w.text for w in tesseract.recognise_all(images, timeout=60)]
    expected = [text for text in _printed(page) if text.startswith("GL")]
    assert sorted(t for t in read if t.startswith("GL")) == sorted(expected)


def test_an_image_tesseract_cannot_read_is_an_error_with_its_reason() -> None:
    with pytest.raises(tesseract.TesseractError, match="Tesseract failed"):
        tesseract.recognise(tesseract.Image(b"this is no image", 300), timeout=30)


def test_running_out_of_time_is_an_error(page: Any) -> None:
    image = Raster.of(page, 300, time.monotonic()).image((0, 0, 612, 792))
    with pytest.raises(tesseract.TesseractError, match="time limit"):
        tesseract.recognise(image, timeout=0.01)


def test_a_missing_program_is_named(
    page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not tesseract.available()
    with pytest.raises(tesseract.TesseractError, match="not installed"):
        tesseract.recognise(_raster(page).image((0, 0, 612, 100)), timeout=30)


def _tsv(*words: tuple[int, int, int, int, float, str]) -> str:
    columns = "level page_num block_num par_num line_num word_num left top width height conf text"
    rows = [columns.replace(" ", "\t")]
    rows += [
        f"5\t1\t1\t1\t1\t1\t{x}\t{y}\t{w}\t{h}\t{conf}\t{text}" for x, y, w, h, conf, text in words
    ]
    return "\n".join(rows) + "\n"


def test_a_lone_quote_is_a_word_not_the_start_of_a_quoted_field() -> None:
    tsv = _tsv((10, 20, 5, 10, 90, '"'), (30, 20, 40, 10, 95, "GL1000"))
    words = tesseract.words_from_tsv(tsv, tesseract.Image(b"", 144, origin=(100, 50), scale=2.0))
    assert [w.text for w in words] == ['"', "GL1000"]
    assert words[1].rect == (115.0, 60.0, 135.0, 65.0)


def test_rules_read_as_words_and_second_readings_are_dropped() -> None:
    # as Tesseract read a limit box with the rule under it (300 dpi, pixels)
    tsv = _tsv(
        (5246, 177, 47, 51, 41.6, "\u201c$2"),  # a reading of the value's first characters
        (5309, 186, 116, 1, 41.6, "000.000"),  # one pixel tall: the rule
        (5247, 200, 281, 39, 38.6, "$2,000,000,"),  # the value, read again lower down
        (6000, 190, 90, 30, 90.0, "X"),  # a word beside them stays
    )
    words = tesseract.words_from_tsv(tsv, tesseract.Image(b"", 300))
    assert [w.text for w in words] == ["$2,000,000,", "X"]


def test_a_scan_over_the_time_budget_warns_and_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = write_corpus(tmp_path, 1, seed=5, styles=("scanned",))[0]
    monkeypatch.setattr(extraction, "TIME_BUDGET_S", 0.0)
    started = time.monotonic()
    result = extraction.extract_file(scan)
    assert time.monotonic() - started < 5  # Tesseract was stopped, not waited for
    assert any("time limit" in w for w in result["warnings"]), result["warnings"]
    assert result["kind"] == "unknown"
