"""Ruling lines found in a scan's pixels, and the coverage rows they confirm or dispute."""

from __future__ import annotations

import shutil
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from coi_desktop.review import extraction
from coi_desktop.review.form_structure import SECTIONS
from coi_desktop.review.layout import Affine
from coi_desktop.review.ocr_reader import Raster, _straight
from coi_desktop.review.raster_rulings import (
    across_heights,
    check_rows,
    horizontal_rules,
    notice_block,
    rows_as_ruled,
)
from coi_desktop.review.rulings import Rect, row_rules
from coi_desktop.review.table_rows import TEMPLATE_ROWS
from coi_desktop.samples.corpus import write_corpus

BLANK_FORM = Path(__file__).parent / "data" / "acord25-2016-03-blank-fillable.pdf"
# The blank form's row boundaries and the table's end, where the template has them
ROW_BOUNDARIES = [TEMPLATE_ROWS[name] for name in (*SECTIONS, "end")]


def _rules(raster: Raster) -> list[Rect]:
    pix = raster.pix
    return horizontal_rules(pix.samples, pix.width, pix.height, pix.stride, raster.scale)


def _frame(rules: list[Rect]) -> tuple[float, float, float]:
    """Left end and height of the form's top border (the first rule across the page), and
    the height from it to the last one."""
    across = [r for r in rules if r[2] - r[0] > 450]
    top = min(across, key=lambda r: r[1])
    return top[0], top[1], max(r[1] for r in across) - top[1]


def _near(found: list[float], expected: list[float], tolerance: float) -> bool:
    return all(any(abs(f - e) <= tolerance for f in found) for e in expected)


def test_the_rows_of_the_blank_form_are_found_in_its_pixels() -> None:
    with pymupdf.open(BLANK_FORM) as doc:
        raster = Raster.of(doc[0], 150, time.monotonic() + 30)
    heights = row_rules(_rules(raster), Affine())  # upright and unshifted: template frame
    assert _near(heights, ROW_BOUNDARIES, 1.5), heights
    # rules inside a row (limit lines, check boxes) stop short of the policy columns
    inside = [y for y in heights if TEMPLATE_ROWS["gl"] + 3 < y < TEMPLATE_ROWS["auto"] - 3]
    assert inside == []


def _sideways_scan(degrees: float) -> Any:
    """The blank form scanned at 200 dpi, ``degrees`` crooked, stored on its side."""
    with pymupdf.open(BLANK_FORM) as doc:
        matrix = pymupdf.Matrix(200 / 72, 200 / 72).prerotate(degrees)
        pix = doc[0].get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY, alpha=False)
    scan = pymupdf.open()
    page = scan.new_page(width=792, height=612)
    page.insert_image(page.rect, pixmap=pix, rotate=90)
    return scan, page


@pytest.mark.parametrize("degrees", [0.0, 1.5, -2.5])
def test_the_rows_are_found_on_a_turned_and_skewed_scan_once_it_is_straightened(
    degrees: float,
) -> None:
    scan, page = _sideways_scan(degrees)
    raster = _straight(page, 200, time.monotonic() + 30, 270.0)
    rules = _rules(raster)
    # the straightened render is the upright page moved and (a crooked image fitted onto
    # the page) a little smaller: the form's outer rules say how far and how much
    x, y, tall = _frame(rules)
    with pymupdf.open(BLANK_FORM) as doc:
        x_ref, y_ref, tall_ref = _frame(_rules(Raster.of(doc[0], 150, time.monotonic() + 30)))
    k = tall_ref / tall
    heights = row_rules(rules, Affine(a=k, c=x_ref - k * x, e=k, f=y_ref - k * y))
    assert _near(heights, ROW_BOUNDARIES, 1.5), heights
    scan.close()


def test_a_page_without_rules_has_none() -> None:
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 400, 500), False)
    pix.clear_with(255)
    assert horizontal_rules(pix.samples, pix.width, pix.height, pix.stride, 1.0) == []


def test_a_rule_broken_by_scanner_dropout_is_still_one_rule() -> None:
    width, height = 300, 20
    rows = [bytearray(b"\xff" * width) for _ in range(height)]
    rows[10][20:280] = b"\x00" * 260
    rows[10][100:102] = b"\xff\xff"  # two light pixels: dropout, not the rule's end
    samples = bytes(b"".join(rows))
    pieces = horizontal_rules(samples, width, height, width, 1.0)
    # (each pair of neighbouring pixel rows holding it gives a piece; row_rules joins them)
    assert {(r[0], r[2]) for r in pieces} == {(20.0, 280.0)}
    assert {r[1] for r in pieces} <= {10.0, 11.0}


def test_the_notice_boxes_whole_page_ocr_leaves_out_are_found_by_their_rules() -> None:
    with pymupdf.open(BLANK_FORM) as doc:
        raster = Raster.of(doc[0], 150, time.monotonic() + 30)
    across = across_heights(_rules(raster), 612.0)
    assert notice_block(across) == pytest.approx((48.0, 120.0), abs=1.5)
    # scanned a little smaller (fitted onto the page) they are still the notice boxes
    assert notice_block([h * 0.95 for h in across]) == pytest.approx((45.6, 114.0), abs=1.5)
    # rules spaced otherwise (a letter's table, a licence) are not
    assert notice_block([40.0, 60.0, 140.0, 150.0]) is None


# -- rows confirmed or disputed ------------------------------------------------------------


def test_rows_whose_rules_are_in_the_pixels_are_confirmed_titles_or_not() -> None:
    bands = check_rows(set(), list(ROW_BOUNDARIES))
    assert all(b.anchored and not b.disputed for b in bands.values())
    assert [(b.top, b.bottom) for b in bands.values()] == list(pairwise(ROW_BOUNDARIES))


def test_a_title_no_rule_supports_is_disputed() -> None:
    rules = [y for y in ROW_BOUNDARIES if y != TEMPLATE_ROWS["auto"]]
    bands = check_rows({"auto"}, rules)
    assert {s for s, b in bands.items() if b.disputed} == {"gl", "auto"}
    assert all(b.anchored for b in bands.values())


def test_a_row_with_neither_title_nor_rule_is_a_guess() -> None:
    rules = [y for y in ROW_BOUNDARIES if y != TEMPLATE_ROWS["wc"]]
    bands = check_rows(set(), rules)
    assert {s for s, b in bands.items() if not b.anchored} == {"umbrella", "wc"}
    assert not any(b.disputed for b in bands.values())


def test_a_scan_whose_rules_were_not_seen_keeps_the_rows_its_labels_gave() -> None:
    bands = check_rows(set(), ROW_BOUNDARIES[:2])  # a faint scan: too few rules to judge
    assert all(b.anchored and not b.disputed for b in bands.values())


# -- a whole scan --------------------------------------------------------------------------

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract is not installed (apt install tesseract-ocr)",
)


@pytest.mark.ocr
@needs_tesseract
def test_a_scan_whose_row_rule_is_missing_reads_that_row_below_the_review_line(
    tmp_path: Path,
) -> None:
    pdf = write_corpus(tmp_path, 1, seed=11, styles=("flattened",), blank_form=BLANK_FORM)[0]
    with pymupdf.open(pdf) as doc:
        page = doc[0]
        # the rule between the general liability and automobile rows, erased (a scanner's
        # dropout, or a form whose title sits where no rule is)
        y = TEMPLATE_ROWS["auto"]
        page.draw_rect(pymupdf.Rect(10, y - 1.2, 600, y + 1.2), color=None, fill=(1, 1, 1))
        pix = page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY, alpha=False)
    scan = pymupdf.open()
    scan.new_page(width=612, height=792).insert_image(pymupdf.Rect(0, 0, 612, 792), pixmap=pix)
    result = extraction.extract_document(bytes(scan.tobytes()), "scan.pdf")
    assert result["method"] == "ocr"
    assert any("ruling lines disagree" in w for w in result["warnings"]), result["warnings"]
    evidence = result["evidence"]
    coverages = [p["coverage"] for p in result["policies"]]
    gl, auto = coverages.index("general_liability"), coverages.index("automobile_liability")
    for i in (gl, auto):
        assert evidence[f"policies[{i}].effective_date"]["confidence"] < 0.8
    wc = coverages.index("workers_compensation")  # rows the rules confirm keep theirs
    assert evidence[f"policies[{wc}].effective_date"]["confidence"] >= 0.8


def test_boxes_cut_from_a_scan_follow_the_rows_its_rules_place() -> None:
    assert rows_as_ruled(list(ROW_BOUNDARIES)) is None  # the rules agree with the template
    assert rows_as_ruled(ROW_BOUNDARIES[:2]) is None  # too few rules to say
    # a form whose workers' row starts 4.5 pt lower and whose table ends where it should
    rules = [y + 4.5 if y == TEMPLATE_ROWS["wc"] else y for y in ROW_BOUNDARIES]
    rows = rows_as_ruled(rules)
    assert rows is not None
    assert rows(TEMPLATE_ROWS["wc"]) == pytest.approx(TEMPLATE_ROWS["wc"] + 4.5)
    assert rows(TEMPLATE_ROWS["gl"] + 10) == pytest.approx(TEMPLATE_ROWS["gl"] + 10)
    # the rows either side stretch or shrink; above the table nothing moves
    middle = (TEMPLATE_ROWS["umbrella"] + TEMPLATE_ROWS["wc"]) / 2
    assert rows(middle) == pytest.approx(middle + 2.25)
    assert rows(120.0) == 120.0
    # a rule too far from any boundary is another line of the form, not a row's
    far = [y + 20 if y == TEMPLATE_ROWS["auto"] else y for y in ROW_BOUNDARIES]
    assert rows_as_ruled(far) is None
