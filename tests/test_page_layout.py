"""The document pane's geometry, without a window: page stack, fit, visibility, mapping."""

from __future__ import annotations

from typing import Any

import pymupdf as _pymupdf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coi_desktop.page_layout import (
    GAP,
    MARGIN,
    MAX_ZOOM,
    MIN_ZOOM,
    ZOOM_STEPS,
    Box,
    Outline,
    PageLayout,
    fit_area,
    fit_zoom,
    map_rect,
    outline_of,
    zoom_in_step,
    zoom_out_step,
    zoom_text,
)

pymupdf: Any = _pymupdf  # untyped
LETTER = (612.0, 792.0)
LEGAL_LANDSCAPE = (1008.0, 612.0)


def test_an_empty_document_has_no_pages_to_show() -> None:
    layout = PageLayout()
    assert layout.page_count == 0
    assert layout.content_size == (0.0, 0.0)
    assert layout.visible_pages(0, 800) == []
    assert layout.page_at(500) == 0
    assert layout.current_page(0, 800) == 0
    assert layout.fitted("fit_width", 800, 600) == 1.0  # nothing to fit: the zoom stays
    assert layout.thumbnail_size(0, 72) == (72, 93)  # a letter sheet stands in


def test_pages_stack_with_a_margin_round_and_a_gap_between() -> None:
    layout = PageLayout((LETTER, LETTER, LETTER), zoom=0.5)
    assert layout.page_size(0) == (306.0, 396.0)
    assert [layout.page_top(p) for p in range(3)] == [
        MARGIN,
        MARGIN + 396 + GAP,
        MARGIN + 2 * (396 + GAP),
    ]
    assert layout.content_size == (306 + 2 * MARGIN, MARGIN + 3 * 396 + 2 * GAP + MARGIN)


def test_mixed_page_sizes_centre_each_page_in_the_widest() -> None:
    layout = PageLayout((LETTER, LEGAL_LANDSCAPE), zoom=1.0)
    assert layout.content_size[0] == 1008 + 2 * MARGIN
    narrow, wide = layout.page_box(0, 0), layout.page_box(1, 0)
    assert wide == Box(MARGIN, MARGIN + 792 + GAP, 1008, 612)
    assert narrow.x == pytest.approx((1008 + 2 * MARGIN - 612) / 2)
    # A viewport wider than the content centres the pages in it.
    assert layout.page_box(1, 2000).x == pytest.approx((2000 - 1008) / 2)


def test_a_quarter_turn_swaps_width_and_height() -> None:
    upright = PageLayout((LETTER,), zoom=1.0)
    turned = upright.with_rotation(90)
    assert turned.page_size(0) == (792.0, 612.0)
    assert turned.content_size == (792 + 2 * MARGIN, 612 + 2 * MARGIN)
    assert upright.with_rotation(180).page_size(0) == (612.0, 792.0)
    assert upright.with_rotation(450).rotation == 90


def test_fit_width_fits_the_widest_page_and_fit_page_its_height_too() -> None:
    layout = PageLayout((LETTER, LEGAL_LANDSCAPE))
    width, height = fit_area(1000 + 2 * MARGIN, 500 + 2 * MARGIN)
    assert (width, height) == (1000, 500)
    assert layout.fitted("fit_width", width, height) == pytest.approx(1000 / 1008)
    assert layout.fitted("fit_page", width, height) == pytest.approx(500 / 612)
    assert layout.with_zoom(1.7).fitted("custom", width, height) == 1.7
    # Turned, the letter page is the widest (792 pt across).
    turned = layout.with_rotation(90)
    assert turned.fitted("fit_width", 792, 10_000) == pytest.approx(1.0)


def test_zoom_is_kept_within_its_limits() -> None:
    assert PageLayout((LETTER,)).with_zoom(100).zoom == MAX_ZOOM
    assert PageLayout((LETTER,)).with_zoom(0.001).zoom == MIN_ZOOM
    assert fit_zoom(LETTER, 0, 1_000_000) == MAX_ZOOM
    assert fit_zoom(LETTER, 0, 1) == MIN_ZOOM
    assert fit_zoom((0.0, 0.0), 0, 500) == 1.0  # a degenerate page does not divide by zero


def test_zoom_steps_go_up_and_down_and_stop_at_the_ends() -> None:
    assert zoom_in_step(1.0) == 1.1
    assert zoom_in_step(0.93) == 1.0  # from a fitted zoom to the next round step
    assert zoom_out_step(1.0) == 0.9
    assert zoom_in_step(ZOOM_STEPS[-1]) == ZOOM_STEPS[-1]
    assert zoom_out_step(ZOOM_STEPS[0]) == ZOOM_STEPS[0]
    assert zoom_out_step(0.1) == ZOOM_STEPS[0]


def test_zoom_text_names_the_fit() -> None:
    assert zoom_text(0.984, "fit_width") == "98% (fit width)"
    assert zoom_text(0.5, "fit_page") == "50% (fit page)"
    assert zoom_text(1.25, "custom") == "125%"


def test_visible_pages_are_those_the_viewport_touches() -> None:
    layout = PageLayout((LETTER,) * 5, zoom=0.5)  # pages 396 high, 408 apart
    assert layout.visible_pages(0, 300) == [0]
    assert layout.visible_pages(0, 500) == [0, 1]
    assert layout.visible_pages(400, 400) == [0, 1]  # the foot of the first page still shows
    assert layout.visible_pages(410, 5) == [0]  # the gap below a page counts as that page's
    assert layout.visible_pages(900, 10) == [2]
    assert layout.visible_pages(100_000, 500) == [4]  # past the end: the last page


def test_the_current_page_is_the_one_a_third_down_the_view() -> None:
    layout = PageLayout((LETTER,) * 3, zoom=0.5)
    assert layout.current_page(0, 600) == 0
    assert layout.current_page(300, 600) == 1  # 300 + 200 is in page 2's slot
    assert layout.page_at(-50) == 0
    assert layout.page_at(1e9) == 2


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_a_rectangle_maps_as_pymupdf_renders_the_page(rotation: int) -> None:
    size, rect, zoom = (600.0, 800.0), (100.0, 200.0, 250.0, 230.0), 1.5
    matrix = pymupdf.Matrix(zoom, zoom).prerotate(rotation)
    page = pymupdf.Rect(0, 0, *size) * matrix  # the pixmap starts at this corner
    expected = pymupdf.Rect(rect) * matrix
    expected = expected - (page.x0, page.y0, page.x0, page.y0)
    assert map_rect(rect, size, zoom, rotation) == pytest.approx(tuple(expected))


@given(
    rotation=st.sampled_from([0, 90, 180, 270]),
    zoom=st.floats(0.1, 8.0),
    x=st.floats(0, 600),
    y=st.floats(0, 800),
)
def test_a_rectangle_on_the_page_stays_on_the_page(
    rotation: int, zoom: float, x: float, y: float
) -> None:
    layout = PageLayout(((600.0, 800.0),), zoom=zoom, rotation=rotation)
    box = layout.rect_in_page(0, (x, y, 600.0, 800.0))
    w, h = layout.page_size(0)
    assert -1e-6 <= box.x <= box.right <= w + 1e-6
    assert -1e-6 <= box.y <= box.bottom <= h + 1e-6


def test_an_evidence_box_lands_on_its_page_in_the_content() -> None:
    layout = PageLayout((LETTER, LETTER), zoom=2.0)
    box = layout.rect_in_content(1, (480.0, 330.0, 580.0, 342.0), 0)
    page = layout.page_box(1, 0)
    assert box == Box(page.x + 960, page.y + 660, 200, 24)
    turned = layout.with_rotation(90).rect_in_content(0, (0.0, 0.0, 10.0, 20.0), 0)
    page = layout.with_rotation(90).page_box(0, 0)
    # The page's top left goes to the top right when turned clockwise.
    assert turned.right == pytest.approx(page.right) and turned.y == pytest.approx(page.y)


def test_scrolling_to_a_page_and_to_evidence() -> None:
    layout = PageLayout((LETTER,) * 3, zoom=1.0)
    assert layout.page_scroll(0) == 0.0  # the first page with its margin
    assert layout.page_scroll(2) == 2 * (792 + GAP)
    x, y = layout.rect_scroll(1, (480.0, 330.0, 580.0, 342.0), 400, 600)
    # A third of the way down the view, centred across it.
    assert y == layout.page_scroll(1, 330 - 200)
    assert x == pytest.approx(layout.page_box(1, 400).x + 530 - 200)
    # Evidence near the top of a page does not scroll into the page above.
    _, y = layout.rect_scroll(1, (10.0, 20.0, 30.0, 40.0), 400, 600)
    assert y == layout.page_scroll(1)


def test_a_zoom_keeps_the_same_share_of_the_document_above_the_view() -> None:
    before = PageLayout((LETTER,) * 4, zoom=1.0)
    after = before.with_zoom(2.0)
    top = before.content_size[1] / 2
    assert after.rescaled_scroll(top, before) == pytest.approx(after.content_size[1] / 2)
    assert after.rescaled_scroll(0, PageLayout()) == 0.0


def test_thumbnails_are_drawn_to_a_width() -> None:
    layout = PageLayout((LETTER, LEGAL_LANDSCAPE))
    assert layout.thumbnail_zoom(0, 72) == pytest.approx(72 / 612)
    assert layout.thumbnail_size(1, 72) == (72, round(72 * 612 / 1008))
    turned = layout.with_rotation(90)
    assert turned.thumbnail_zoom(0, 72) == pytest.approx(72 / 792)
    assert turned.thumbnail_size(0, 72) == (72, round(72 * 612 / 792))
    assert PageLayout(((0.0, 0.0),)).thumbnail_zoom(0, 72) == 0.15


def test_a_layout_is_a_value() -> None:
    layout = PageLayout((LETTER,), zoom=1.0)
    assert layout.with_zoom(1.0) == layout
    assert layout.with_sizes([(612, 792)]) == layout
    assert layout.with_sizes([]).page_count == 0


def test_evidence_becomes_an_outline_of_a_page_and_a_box() -> None:
    evidence = {"page": 2, "rect": [480, 330.5, 580, 342], "document_id": "d-1", "source": "text"}
    assert outline_of(evidence) == Outline("d-1", 1, (480.0, 330.5, 580.0, 342.0))
    # A page without a box (an endorsement found by its form number) still outlines the page.
    assert outline_of({"page": 1, "rect": None}) == Outline(None, 0, None)
    assert outline_of({"page": 1, "rect": [1, 2]}) == Outline(None, 0, None)
    # No page: nothing to show.
    assert outline_of(None) is None
    assert outline_of({}) is None
    assert outline_of({"page": "2", "rect": [0, 0, 1, 1]}) is None
