"""Reading a page as a whole: hidden text, turned pages, pages that are not certificates.

Pages are printed with PyMuPDF (``tests/form_pages.py``).
"""

from __future__ import annotations

import pymupdf
import pytest

from coi_desktop.review.extraction import extract_document
from coi_desktop.review.hidden_text import may_hide, styled_spans, visible_words
from tests.form_pages import (
    CONFIDENT,
    certificate_page,
    confidence,
    marked_gl_row,
    one_policy,
)

# ---------------------------------------------------------------- hidden text


def test_text_under_a_white_box_or_printed_white_is_not_read() -> None:
    page = marked_gl_row()
    page.add(360, 170, "Old Casualty Company").add(546, 170, "99999")
    doc, pg = page.render()
    # edited after printing: white boxes over the old insurer, the new one printed on top
    pg.draw_rect(pymupdf.Rect(355, 168, 530, 180), color=None, fill=(1, 1, 1))
    pg.draw_rect(pymupdf.Rect(540, 168, 590, 180), color=None, fill=(1, 1, 1))
    pg.insert_text((360, 178), "New Specialty Insurance", fontsize=8, fontname="helv")
    pg.insert_text((546, 178), "12345", fontsize=8, fontname="helv")
    pg.insert_text((218, 322), "SECRET-9", fontsize=8, color=(1, 1, 1))  # white on white
    result = extract_document(doc.tobytes(), "c.pdf")
    assert result["insurers"] == [
        {"letter": "A", "name": "New Specialty Insurance", "naic": "12345"}
    ]
    assert one_policy(result, "general_liability")["policy_number"] == "GL-100"
    assert any("not shown on the page" in w for w in result["warnings"])


@pytest.mark.parametrize("hide", ["white", "transparent", "white box"])
def test_each_way_of_hiding_text_is_seen_on_its_own(hide: str) -> None:
    doc, pg = marked_gl_row().render()
    if hide == "white box":
        pg.insert_text((218, 322), "SECRET-9", fontsize=8)
        pg.draw_rect(pymupdf.Rect(214, 314, 300, 326), color=None, fill=(1, 1, 1))
    else:
        opacity = 0.0 if hide == "transparent" else 1.0
        colour = (1, 1, 1) if hide == "white" else (0, 0, 0)
        pg.insert_text((218, 322), "SECRET-9", fontsize=8, color=colour, fill_opacity=opacity)
    result = extract_document(doc.tobytes(), "c.pdf")
    assert one_policy(result, "general_liability")["policy_number"] == "GL-100"
    assert any("not shown on the page" in w for w in result["warnings"])


def test_a_page_without_hidden_text_keeps_its_own_words() -> None:
    _doc, pg = marked_gl_row().render()
    assert visible_words(pg, pg.get_cdrawings()) is None
    # nothing white, transparent or under a fill: the page is not traced at all
    assert not may_hide(styled_spans(pg.get_textpage()), pg.get_cdrawings())


# ---------------------------------------------------------------- turned pages


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_a_page_with_rotate_is_read(rotate: int) -> None:
    doc, pg = certificate_page().render()
    pg.set_rotation(rotate)
    result = extract_document(doc.tobytes(), "c.pdf")
    assert one_policy(result, "automobile_liability")["policy_number"] == "AU-200"


@pytest.mark.parametrize("rotate", [90, 270])
def test_a_form_printed_sideways_is_turned_upright(rotate: int) -> None:
    source, _ = certificate_page().render()
    doc = pymupdf.open()
    pg = doc.new_page(width=792, height=612)
    pg.show_pdf_page(pg.rect, source, 0, rotate=rotate)
    result = extract_document(doc.tobytes(), "c.pdf")
    wc = one_policy(result, "workers_compensation")
    assert wc["policy_number"] == "WC-300"
    assert any("turned" in w for w in result["warnings"])
    # evidence points at the value on the page as it is, for the reviewer's highlight
    i = result["policies"].index(wc)
    x0, y0, x1, y1 = result["evidence"][f"policies[{i}].policy_number"]["rect"]
    assert "WC-300" in pg.get_textbox(pymupdf.Rect(x0 - 2, y0 - 2, x1 + 2, y1 + 2))


# ---------------------------------------------------------------- other pages


def test_pages_that_are_not_certificates_are_skipped_with_a_note() -> None:
    doc, _ = certificate_page().render()
    licence = doc.new_page()
    licence.insert_text(
        (72, 72),
        "STATE OF FLORIDA\nCONSTRUCTION INDUSTRY LICENSING BOARD\n"
        "The ROOFING CONTRACTOR named below IS CERTIFIED\nLicense number CCC1331111",
        fontsize=11,
    )
    endorsement = doc.new_page()
    endorsement.insert_text(
        (72, 72), "THIS ENDORSEMENT CHANGES THE POLICY. PLEASE READ IT CAREFULLY.", fontsize=10
    )
    endorsement.insert_text((72, 120), "ADDITIONAL INSURED - OWNERS, LESSEES OR CONTRACTORS")
    endorsement.insert_text((72, 770), "CG 20 10 04 13", fontsize=8)
    result = extract_document(doc.tobytes(), "c.pdf")
    assert result["kind"] == "coi"
    assert [(e["form_number"], e["page"]) for e in result["endorsements"]] == [("CG 20 10", 3)]
    assert any(w.startswith("page 2: not a certificate") for w in result["warnings"])


def test_a_cover_letter_about_the_certificate_does_not_stand_in_for_it() -> None:
    letter_doc = pymupdf.open()
    letter = letter_doc.new_page()
    letter.insert_text(
        (72, 72),
        "Dear customer,\nPlease find attached your CERTIFICATE OF LIABILITY INSURANCE.\n"
        "Named Insured: Someone Else LLC\nRegards, the agency",
        fontsize=11,
    )
    form, _ = certificate_page().render()
    letter_doc.insert_pdf(form)
    result = extract_document(letter_doc.tobytes(), "c.pdf")
    assert one_policy(result, "general_liability")["policy_number"] == "GL-100"
    assert result["insured"]["name"] != "Someone Else LLC"


def test_a_scanners_invisible_text_layer_is_read_but_not_trusted() -> None:
    _doc, pg = marked_gl_row().render()
    # a searchable scan: the image is what shows, the words are an invisible OCR layer
    layer = pymupdf.open()
    page = layer.new_page()
    page.insert_image(page.rect, pixmap=pg.get_pixmap(dpi=50))
    for x0, y0, _x1, y1, text, *_ in pg.get_text("words"):
        page.insert_text((x0, y1 - 1.5), text, fontsize=(y1 - y0) * 0.8, render_mode=3)
    result = extract_document(layer.tobytes(), "c.pdf")
    gl = one_policy(result, "general_liability")
    assert gl["policy_number"] == "GL-100"
    i = result["policies"].index(gl)
    assert confidence(result, f"policies[{i}].policy_number") < CONFIDENT
    assert any("OCR text layer" in w for w in result["warnings"])
