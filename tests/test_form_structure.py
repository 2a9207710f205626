"""The layout reader finds the form on the page: rows, cells, marks, parties, hidden text.

Pages are printed with PyMuPDF (``tests/form_pages.py``): the blank form's words where
the form has them, moved as other editions and broker software move them, and values
where brokers print them (top line of a row, middle of a row, several lines per row).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pymupdf
import pytest

from coi_desktop.review.extraction import extract_document
from coi_desktop.review.form_structure import Placed, is_form_label
from coi_desktop.review.layout import ANCHORS, Affine, Word, locate_form, read_boxes
from coi_desktop.review.marks import drawn_marks
from coi_desktop.review.rulings import horizontal_rules, row_rules
from coi_desktop.review.table_rows import TEMPLATE_ROWS, remap, row_map, template_rows
from tests.form_pages import (
    CONFIDENT,
    TABLE_RULES,
    FormPage,
    Place,
    certificate_page,
    confidence,
    draw_rules,
    marked_gl_row,
    one_policy,
    policies_of,
    policy_row,
    same,
    scaled,
    taller_rows,
)


@pytest.mark.parametrize(
    "place",
    [same, scaled(0.96, 9.0, 12.0), scaled(1.02, -4.0, -6.0), taller_rows(1.06)],
    ids=["2016-03", "smaller-shifted", "larger-shifted", "taller-rows"],
)
def test_rows_are_found_on_the_page_whatever_the_layout(place: Place) -> None:
    result = extract_document(certificate_page(place).pdf(), "c.pdf")
    got = {
        (p["coverage"], p["insurer_letter"], p["policy_number"], p["effective_date"])
        for p in result["policies"]
    }
    assert got == {
        ("general_liability", "A", "GL-100", "2026-01-01"),
        ("automobile_liability", "B", "AU-200", "2026-02-01"),
        ("workers_compensation", "C", "WC-300", "2026-03-01"),
    }, result["warnings"]
    assert not any("coverage rows not found" in w for w in result["warnings"])
    gl = one_policy(result, "general_liability")
    assert gl["limits"]["each_occurrence"] == 1_000_000


@pytest.mark.parametrize("extra", [1.06, 1.12])
def test_limits_follow_their_rows_on_an_edition_with_taller_rows(extra: float) -> None:
    page = FormPage(place=taller_rows(extra))
    policy_row(page, 302, "A", "GL-1", "01/01/2026", "01/01/2027")
    for i, y in enumerate((302, 314, 326, 338, 350, 362)):
        page.add(528, y, f"{i + 1},000,000")
    policy_row(page, 484, "C", "WC-1", "01/01/2026", "01/01/2027")
    for i, y in enumerate((494, 506, 518)):
        page.add(528, y, f"{i + 11},000,000")
    page.add(35, 680, "Holder Co")
    result = extract_document(page.pdf(), "c.pdf")
    gl, wc = one_policy(result, "general_liability"), one_policy(result, "workers_compensation")
    assert list(gl["limits"].values()) == [n * 1_000_000 for n in range(1, 7)]
    assert [
        wc["limits"][k]
        for k in ("el_each_accident", "el_disease_each_employee", "el_disease_policy_limit")
    ] == [11e6, 12e6, 13e6]
    assert result["certificate_holder"]["name"] == "Holder Co"
    assert len(result["policies"]) == 2  # nothing spilled into the "other" row


def test_a_row_title_missing_from_the_page_is_read_below_the_review_line() -> None:
    page = certificate_page()
    doc, pg = page.render()
    # an edition without the AUTOMOBILE LIABILITY title: cover it so the row is not anchored
    for rect in pg.search_for("AUTOMOBILE"):
        pg.add_redact_annot(rect)
    pg.apply_redactions()
    result = extract_document(doc.tobytes(), "c.pdf")
    auto = one_policy(result, "automobile_liability")
    assert auto["policy_number"] == "AU-200"
    i = result["policies"].index(auto)
    assert confidence(result, f"policies[{i}].policy_number") < CONFIDENT
    assert any("coverage rows not found" in w for w in result["warnings"])


def _without(pg: pymupdf.Page, word: str) -> None:
    for rect in pg.search_for(word):
        pg.add_redact_annot(rect)
    pg.apply_redactions()


@pytest.mark.parametrize("kind", ["line", "fill", "box"])
@pytest.mark.parametrize("place", [same, taller_rows(1.12)], ids=["2016-03", "taller-rows"])
def test_a_row_without_its_title_is_found_by_the_table_rules(kind: str, place: Place) -> None:
    doc, pg = certificate_page(place).render()
    _without(pg, "AUTOMOBILE")  # no title: only the rules say where the auto row starts
    draw_rules(pg, place, kind=kind)
    result = extract_document(doc.tobytes(), "c.pdf")
    auto = one_policy(result, "automobile_liability")
    assert (auto["insurer_letter"], auto["policy_number"], auto["effective_date"]) == (
        "B",
        "AU-200",
        "2026-02-01",
    )
    assert one_policy(result, "general_liability")["policy_number"] == "GL-100"
    i = result["policies"].index(auto)
    assert confidence(result, f"policies[{i}].policy_number") >= CONFIDENT
    assert not any("coverage rows" in w for w in result["warnings"]), result["warnings"]


def test_a_row_without_its_title_or_rules_stays_below_the_review_line() -> None:
    # the rules are drawn, but not the one that opens the auto row
    doc, pg = certificate_page().render()
    _without(pg, "AUTOMOBILE")
    draw_rules(pg, same, tuple(y for y in TABLE_RULES if y != 384.0))
    result = extract_document(doc.tobytes(), "c.pdf")
    auto = one_policy(result, "automobile_liability")
    i = result["policies"].index(auto)
    assert confidence(result, f"policies[{i}].policy_number") < CONFIDENT
    assert any("coverage rows not found" in w for w in result["warnings"])


def test_rules_that_disagree_with_the_titles_lower_confidence() -> None:
    # the table is ruled, but the rule under the auto row is 12 points off its title
    doc, pg = certificate_page().render()
    draw_rules(pg, same, tuple(396.0 if y == 384.0 else y for y in TABLE_RULES))
    result = extract_document(doc.tobytes(), "c.pdf")
    auto, gl = one_policy(result, "automobile_liability"), one_policy(result, "general_liability")
    assert auto["policy_number"] == "AU-200"  # still read from its title's row
    i, j = result["policies"].index(auto), result["policies"].index(gl)
    assert confidence(result, f"policies[{i}].policy_number") < CONFIDENT
    assert confidence(result, f"policies[{j}].policy_number") < CONFIDENT  # the shared boundary
    wc = one_policy(result, "workers_compensation")
    assert (
        confidence(result, f"policies[{result['policies'].index(wc)}].policy_number") >= CONFIDENT
    )
    assert any("ruling lines disagree" in w for w in result["warnings"]), result["warnings"]


def test_rules_that_agree_with_the_titles_keep_full_confidence() -> None:
    doc, pg = certificate_page().render()
    draw_rules(pg, same)
    result = extract_document(doc.tobytes(), "c.pdf")
    for i, _ in enumerate(result["policies"]):
        assert confidence(result, f"policies[{i}].policy_number") >= CONFIDENT
    assert not any("coverage rows" in w for w in result["warnings"]), result["warnings"]


def test_white_boxes_and_short_strokes_are_not_rules() -> None:
    doc, pg = certificate_page().render()
    _without(pg, "AUTOMOBILE")
    shape = pg.new_shape()
    for y in TABLE_RULES:  # white cover-ups and short underlines where rules would be
        shape.draw_rect(pymupdf.Rect(16, y - 0.4, 592, y + 0.4))
        shape.finish(color=None, fill=(1, 1, 1))
        shape.draw_line((220, y), (230, y))
        shape.finish(color=(0, 0, 0))
    shape.commit()
    result = extract_document(doc.tobytes(), "c.pdf")
    auto = one_policy(result, "automobile_liability")
    i = result["policies"].index(auto)
    assert confidence(result, f"policies[{i}].policy_number") < CONFIDENT
    assert any("coverage rows not found" in w for w in result["warnings"])


def test_only_rules_across_the_policy_columns_are_row_boundaries() -> None:
    identity = Affine(1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    drawings = [
        {"type": "s", "color": (0, 0, 0), "items": [("l", (16, 300), (592, 300))]},
        # one rule drawn in two pieces, cell by cell
        {"type": "s", "color": (0, 0, 0), "items": [("l", (16, 384), (213, 384))]},
        {"type": "s", "color": (0, 0, 0), "items": [("l", (213, 384.4), (592, 384.4))]},
        # a limit line of the LIMITS column and a check box's edge: inside a row
        {"type": "s", "color": (0, 0, 0), "items": [("l", (426, 314), (592, 314))]},
        {"type": "f", "fill": (0, 0, 0), "items": [("re", pymupdf.Rect(40, 320, 120, 320.6))]},
        # a white cover-up across the table is not a rule
        {"type": "f", "fill": (1, 1, 1), "items": [("re", pymupdf.Rect(16, 420, 592, 421))]},
        {"type": "f", "fill": (0, 0, 0), "items": [("re", pymupdf.Rect(16, 443.6, 592, 444.4))]},
    ]
    got = row_rules(horizontal_rules(drawings), identity)
    assert [round(y, 1) for y in got] == [300.0, 384.2, 444.0]


def test_two_policies_in_one_row_are_two_items() -> None:
    page = FormPage()
    policy_row(page, 446, "B", "UMB-1", "01/01/2026", "01/01/2027")
    policy_row(page, 456, "C", "XS-2", "04/01/2026", "04/01/2027")
    page.add(528, 446, "5,000,000")
    result = extract_document(page.pdf(), "c.pdf")
    rows = policies_of(result, "umbrella_liability")
    assert [(p["insurer_letter"], p["policy_number"], p["expiration_date"]) for p in rows] == [
        ("B", "UMB-1", "2027-01-01"),
        ("C", "XS-2", "2027-04-01"),
    ]
    assert rows[0]["limits"]["each_occurrence"] == 5_000_000


def stacked_umbrella_row(*, umbrella: bool = True, excess: bool = True) -> FormPage:
    """Umbrella B on the row's top line, an excess layer C on its third (DED / RETENTION)
    line with its own limit there; OCCUR marked for the row."""
    page = FormPage()
    policy_row(page, 446, "B", "UMB-1", "01/01/2026", "01/01/2027")
    page.add(528, 446, "5,000,000").add(528, 458, "5,000,000").add(118, 446, "X")
    policy_row(page, 470, "C", "XS-2", "01/01/2026", "01/01/2027")
    page.add(180, 470, "X")  # the layer's own ADDL INSD mark
    if umbrella:
        page.add(40, 446, "X")
    if excess:
        page.add(40, 458, "X")
    return page


def test_a_layer_stacked_under_the_umbrella_is_its_own_excess_policy() -> None:
    page = stacked_umbrella_row().add(434, 470, "EACH OCCURRENCE").add(528, 470, "10,000,000")
    result = extract_document(page.pdf(), "c.pdf")
    first, layer = result["policies"]
    assert (first["coverage"], first["policy_number"], first["occurrence"]) == (
        "umbrella_liability",
        "UMB-1",
        True,
    )
    assert first["limits"]["each_occurrence"] == first["limits"]["aggregate"] == 5_000_000
    assert first["additional_insured"] is False
    assert (layer["coverage"], layer["insurer_letter"], layer["policy_number"]) == (
        "excess_liability",
        "C",
        "XS-2",
    )
    assert layer["additional_insured"] is True
    # the row's one OCCUR / CLAIMS-MADE pair speaks for its first policy only
    assert layer["occurrence"] is None
    assert "policies[1].occurrence" not in result["evidence"]
    assert layer["limits"] == {"each_occurrence": 10_000_000, "aggregate": None, "retention": None}
    assert confidence(result, "policies[1].limits.each_occurrence") >= CONFIDENT
    assert not any("UMBRELLA LIAB" in w for w in result["warnings"])


def test_an_unlabelled_stacked_limit_is_read_below_the_review_line() -> None:
    page = stacked_umbrella_row().add(528, 470, "2,000,000")
    result = extract_document(page.pdf(), "c.pdf")
    assert result["policies"][1]["limits"]["each_occurrence"] == 2_000_000
    assert confidence(result, "policies[1].limits.each_occurrence") < CONFIDENT


def test_a_stacked_policy_the_boxes_do_not_tell_apart_is_flagged() -> None:
    result = extract_document(stacked_umbrella_row(excess=False).pdf(), "c.pdf")
    assert [p["coverage"] for p in result["policies"]] == ["umbrella_liability"] * 2
    assert any("do not tell them apart" in w for w in result["warnings"])


def test_only_excess_marked_makes_every_policy_of_the_row_excess() -> None:
    result = extract_document(stacked_umbrella_row(umbrella=False).pdf(), "c.pdf")
    assert [p["coverage"] for p in result["policies"]] == ["excess_liability"] * 2
    assert not any("do not tell them apart" in w for w in result["warnings"])


def test_a_policy_on_the_aggregate_line_leaves_the_umbrella_its_aggregate() -> None:
    page = FormPage()
    policy_row(page, 446, "B", "UMB-1", "01/01/2026", "01/01/2027")
    policy_row(page, 458, "C", "XS-2", "01/01/2026", "01/01/2027")
    page.add(528, 446, "5,000,000").add(528, 458, "4,000,000")
    page.add(40, 446, "X").add(40, 458, "X")
    result = extract_document(page.pdf(), "c.pdf")
    first, layer = result["policies"]
    assert (first["limits"]["each_occurrence"], first["limits"]["aggregate"]) == (
        5_000_000,
        4_000_000,
    )
    assert layer["coverage"] == "excess_liability"
    assert layer["limits"]["each_occurrence"] is None


def test_other_row_with_its_own_coverage_and_a_limit_outside_its_box() -> None:
    page = FormPage()
    page.add(22, 532, "D").add(44, 532, "Garage Keepers").add(178, 532, "X")
    page.add(218, 532, "GK-77").add(333, 532, "03/17/2026").add(380, 532, "03/17/2027")
    page.add(434, 532, "$5,000")  # in the limit's description box, the amount box empty
    result = extract_document(page.pdf(), "c.pdf")
    other = one_policy(result, "other")
    assert (other["insurer_letter"], other["policy_number"], other["additional_insured"]) == (
        "D",
        "GK-77",
        True,
    )
    assert other["limits"]["limit"] == 5000
    i = result["policies"].index(other)
    assert confidence(result, f"policies[{i}].limits.limit") < CONFIDENT
    assert any("not in its box" in w for w in result["warnings"])


def test_each_policy_of_a_shared_other_row_keeps_the_limit_on_its_own_line() -> None:
    page = FormPage()
    rows = [
        (530, "C", "Contractors Pollution", "CPL-1", "Each Poll Cond", "250,000"),
        (541, "A", "Professional Liability", "PRF-2", "Each Claim", "2,000K"),
        (552, "B", "Builders Risk", "BR-3", "Limit", "500,000"),
    ]
    for y, letter, description, number, label, amount in rows:
        policy_row(page, y, letter, number, "01/01/2026", "01/01/2027")
        page.add(44, y, description).add(434, y, label).add(528, y, amount)
    result = extract_document(page.pdf(), "c.pdf")
    got = [
        (p["insurer_letter"], p["policy_number"], p["limits"]["limit"])
        for p in result["policies"][-3:]
    ]
    assert got == [("C", "CPL-1", 250_000), ("A", "PRF-2", 2_000_000), ("B", "BR-3", 500_000)]
    assert confidence(result, f"policies[{len(result['policies']) - 1}].limits.limit") >= CONFIDENT


def test_a_policy_line_printed_aslant_is_one_policy() -> None:
    # each value a little lower than the one before: 4 pt from the letter to the expiry
    page = FormPage()
    page.add(22, 410, "B").add(218, 411, "AU-200")
    page.add(333, 412.5, "02/01/2026").add(380, 414, "02/01/2027").add(528, 386, "1,000,000")
    auto = one_policy(extract_document(page.pdf(), "c.pdf"), "automobile_liability")
    assert (auto["insurer_letter"], auto["policy_number"], auto["expiration_date"]) == (
        "B",
        "AU-200",
        "2027-02-01",
    )
    assert auto["limits"]["combined_single_limit"] == 1_000_000


def test_a_form_label_in_a_box_margin_is_not_the_box_value() -> None:
    # FAX sits just under the contact name's line; a look-alike form moves it into its margin
    identity = Affine(1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    words = [
        Word(350.0, 121.0, 376.0, 130.0, "Keisha"),
        Word(380.0, 121.0, 410.0, 130.0, "Schultz"),
        Word(486.0, 131.5, 497.8, 138.1, "FAX"),
    ]
    assert read_boxes(words, identity)["producer.contact"].text == "Keisha Schultz"


def test_a_label_drifted_down_into_its_box_is_not_read_with_the_value() -> None:
    # a look-alike form's header drawn taller: DATE sits 5.5 pt lower, over the date's box
    identity = Affine(1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    words = [
        Word(521.3, 32.1, 537.4, 38.7, "DATE"),
        Word(530.0, 40.0, 570.0, 47.0, "11/02/2026"),
    ]
    assert read_boxes(words, identity)["certificate_date"].text == "11/02/2026"


# ---------------------------------------------------------------- marks


def _text_mark(pg: pymupdf.Page, text: str) -> None:
    pg.insert_text((180, 318), text, fontsize=8, fontname="helv")  # ADDL INSD, 2nd line


def _glyph_mark(pg: pymupdf.Page, text: str) -> None:
    writer = pymupdf.TextWriter(pg.rect)
    writer.append((180, 318), text, font=pymupdf.Font(ordering=0), fontsize=8)
    writer.write_text(pg)


def _vector_x(pg: pymupdf.Page) -> None:
    pg.draw_line((180, 310), (188, 318), width=0.8)
    pg.draw_line((180, 318), (188, 310), width=0.8)


def _filled_box(pg: pymupdf.Page) -> None:
    pg.draw_rect(pymupdf.Rect(181, 310, 188, 317), color=None, fill=(0, 0, 0))


@pytest.mark.parametrize(
    "draw",
    [
        lambda pg: _text_mark(pg, "X"),
        lambda pg: _text_mark(pg, "Y"),
        lambda pg: _glyph_mark(pg, "\u2714"),
        lambda pg: _glyph_mark(pg, "\u2716"),
        _vector_x,
        _filled_box,
    ],
    ids=["X", "Y", "check-glyph", "heavy-x-glyph", "vector-strokes", "filled-box"],
)
def test_a_mark_of_any_kind_anywhere_in_the_row_reads_as_marked(draw: Any) -> None:
    doc, pg = marked_gl_row().render()
    draw(pg)
    result = extract_document(doc.tobytes(), "c.pdf")
    gl = one_policy(result, "general_liability")
    assert gl["additional_insured"] is True
    assert gl["waiver_of_subrogation"] is False  # the SUBR WVD cell is empty and was found


def test_unmarked_cells_read_as_no_only_when_the_mark_columns_were_found() -> None:
    doc, pg = marked_gl_row().render()
    for word in ("ADDL", "INSD", "SUBR", "WVD"):
        for rect in pg.search_for(word):
            pg.add_redact_annot(rect)
    pg.apply_redactions()
    result = extract_document(doc.tobytes(), "c.pdf")
    gl = one_policy(result, "general_liability")
    assert gl["additional_insured"] is None and gl["waiver_of_subrogation"] is None
    assert any("ADDL INSD / SUBR WVD" in w for w in result["warnings"])


def test_box_outlines_and_rules_are_not_marks() -> None:
    doc = pymupdf.open()
    pg = doc.new_page()
    pg.draw_rect(pymupdf.Rect(100, 100, 108, 108), color=(0, 0, 0), width=0.5)  # empty box
    pg.draw_line((50, 200), (500, 200), width=0.5)  # a rule
    pg.draw_rect(pymupdf.Rect(50, 300, 500, 301), color=None, fill=(0, 0, 0))  # a filled rule
    assert drawn_marks(pg.get_cdrawings()) == []
    _vector_x(pg)
    assert len(drawn_marks(pg.get_cdrawings())) == 2


# ---------------------------------------------------------------- parties


def test_parties_are_read_by_the_structure_of_their_box() -> None:
    page = FormPage()
    page.add(50, 192, "Lisa Gomez, LLC")  # starts left of the form's name line
    page.add(50, 203, "1616 Broadway").add(50, 214, "New York, NY 10001")
    page.add(35, 680, "World's Best, Inc.")  # a line above the holder's name line
    page.add(35, 691, "231 Reindeer Avenue").add(35, 702, "Los Angeles, CA 98776")
    page.add(35, 713, "certs@worldsbest.example").add(35, 724, "(555) 123-4567")
    page.add(360, 170, "Mid Century Insurance Company").add(546, 170, "11111")
    result = extract_document(page.pdf(), "c.pdf")
    assert result["insured"] == {
        "name": "Lisa Gomez, LLC",
        "address": "1616 Broadway, New York, NY 10001",
    }
    assert result["certificate_holder"] == {
        "name": "World's Best, Inc.",
        "address": "231 Reindeer Avenue, Los Angeles, CA 98776",
    }
    assert result["insurers"] == [
        {"letter": "A", "name": "Mid Century Insurance Company", "naic": "11111"}
    ]


def _rows_taller_bottom_shorter(x: float, y: float) -> tuple[float, float]:
    """A look-alike form: coverage rows drawn 6 % taller, the holder's band less moved."""
    if y < 300:
        return x, y
    if y < 564:
        return x, 300 + (y - 300) * 1.06
    return x, y + (15.8 if y < 640 else 6.0)


def test_a_form_label_stays_one_when_moved_with_the_rows() -> None:
    # the table ends 6 pt above the template's end: what is below it moves down 6 pt, so
    # the holder box's own label would land 6 pt from its place and pass for a name
    bands = {**template_rows()}
    bands["other"] = replace(bands["other"], bottom=TEMPLATE_ROWS["end"] - 6.0)
    y_map = row_map(bands)
    label = Placed.of("HOLDER", (80.0, 650.4, 115.3, 659.7), (80.0, 650.4, 115.3, 659.7))
    value = Placed.of("Bulley", (40.0, 700.0, 70.0, 709.0), (40.0, 700.0, 70.0, 709.0))
    moved_label, moved_value = remap([label, value], y_map)
    assert moved_label.cy - label.cy == pytest.approx(6.0)
    assert is_form_label(moved_label)
    assert not is_form_label(moved_value)


def test_printed_text_is_fitted_without_turning_or_shearing_the_page() -> None:
    # anchors of a look-alike form whose lower rows are drawn taller: a full affine fit
    # would answer with a shear, tilting every line of the table
    words = [
        Word(x - 8, y - 3, x + 8, y + 3, key)
        for key, (x, y0) in ANCHORS.items()
        for x, y in [_rows_taller_bottom_shorter(x, y0)]
    ]
    transform, anchors = locate_form(words, upright=True)
    assert anchors >= 8
    assert (transform.b, transform.d) == (0.0, 0.0)


def test_a_legal_form_wrapped_to_the_next_line_stays_with_the_name() -> None:
    page = FormPage()
    page.add(50, 192, "Management Solutions").add(50, 203, "Inc 914 Air Drive")
    page.add(50, 214, "Clive IA 50325")
    page.add(35, 680, "Source, Inc. 8 Three").add(35, 691, "Chopt Rd. Suite 14")
    result = extract_document(page.pdf(), "c.pdf")
    assert result["insured"]["name"] == "Management Solutions Inc"
    assert result["insured"]["address"].startswith("914 Air Drive")
    assert result["certificate_holder"]["name"] == "Source, Inc."
    assert result["certificate_holder"]["address"].startswith("8 Three")
