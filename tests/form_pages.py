"""Small printed ACORD 25 pages built with PyMuPDF, for tests of the layout reader.

Every word of the blank form (``acord_template.TEMPLATE_WORDS``) is printed where the
form has it, moved by ``place`` (offsets, scale, other row heights), and values are
printed at template positions moved the same way. Marks, fills and hidden text are drawn
by the test itself on the returned page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import pymupdf

from coi_desktop.review.acord_template import TEMPLATE_WORDS

Place = Callable[[float, float], tuple[float, float]]


def same(x: float, y: float) -> tuple[float, float]:
    return x, y


def scaled(factor: float, dx: float, dy: float) -> Place:
    """A page printed smaller or larger and shifted (broker software, printer margins)."""
    return lambda x, y: (x * factor + dx, y * factor + dy)


def taller_rows(extra: float) -> Place:
    """Coverage rows ``extra`` times taller, as on older editions; the rest moves down."""

    def place(x: float, y: float) -> tuple[float, float]:
        if y < 300:
            return x, y
        if y < 564:
            return x, 300 + (y - 300) * extra
        return x, y + 264 * (extra - 1)

    return place


_BLANKS: dict[tuple[Place, float], bytes] = {}


def _blank(place: Place, height: float) -> bytes:
    """The printed blank form, moved by ``place`` (kept: 480 words take a while to print)."""
    if (place, height) not in _BLANKS:
        doc = pymupdf.open()
        page = doc.new_page(width=612, height=height)
        shape = page.new_shape()
        for x0, y0, x1, y1, text in TEMPLATE_WORDS:
            # as large as the form's line allows, as narrow as its word box: words stay apart
            width = pymupdf.get_text_length(text, "helv", 1)
            size = min((y1 - y0) * 0.95, 0.95 * (x1 - x0) / width)
            shape.insert_text(place(x0, y1 - size * 0.22), text, fontsize=size)
        shape.commit()
        _BLANKS[(place, height)] = bytes(doc.tobytes())
    return _BLANKS[(place, height)]


@dataclass
class Value:
    x: float  # template frame, left of the text
    y: float  # template frame, top of the text
    text: str
    size: float = 8.0


@dataclass
class FormPage:
    values: list[Value] = field(default_factory=list)
    place: Place = same
    page_height: float = 792.0

    def add(self, x: float, y: float, text: str, size: float = 8.0) -> FormPage:
        self.values.append(Value(x, y, text, size))
        return self

    def render(self) -> tuple[pymupdf.Document, pymupdf.Page]:
        doc = pymupdf.open(stream=_blank(self.place, self.page_height), filetype="pdf")
        page = doc[0]
        shape = page.new_shape()
        for v in self.values:
            shape.insert_text(self.place(v.x, v.y + v.size), v.text, fontsize=v.size)
        shape.commit()
        return doc, page

    def pdf(self) -> bytes:
        doc, _ = self.render()
        return bytes(doc.tobytes())


def policy_row(page: FormPage, y: float, letter: str, number: str, eff: str, exp: str) -> FormPage:
    """One policy's letter, number and dates on one line at template height ``y``."""
    return page.add(22, y, letter).add(218, y, number).add(333, y, eff).add(380, y, exp)


def gl_limits(page: FormPage, amount: str = "1,000,000") -> FormPage:
    return page.add(528, 302, amount)


CONFIDENT = 0.8  # the pre-check's review line


def policies_of(result: dict[str, Any], coverage: str) -> list[dict[str, Any]]:
    return [p for p in result["policies"] if p["coverage"] == coverage]


def one_policy(result: dict[str, Any], coverage: str) -> dict[str, Any]:
    found = policies_of(result, coverage)
    assert len(found) == 1, result["policies"]
    return found[0]


def confidence(result: dict[str, Any], key: str) -> float:
    return float(result["evidence"][key]["confidence"])


def certificate_page(place: Place = same) -> FormPage:
    """Three policies: GL on its row's top line, auto in its row's middle, workers'."""
    page = FormPage(place=place)
    policy_row(page, 302, "A", "GL-100", "01/01/2026", "01/01/2027")  # top line of the row
    page.add(528, 302, "1,000,000")
    policy_row(page, 410, "B", "AU-200", "02/01/2026", "02/01/2027")  # middle of the row
    page.add(528, 386, "1,000,000")
    policy_row(page, 484, "C", "WC-300", "03/01/2026", "03/01/2027")
    page.add(528, 494, "500,000")
    return page


def marked_gl_row() -> FormPage:
    return policy_row(FormPage(), 302, "A", "GL-100", "01/01/2026", "01/01/2027").add(
        528, 302, "1,000,000"
    )


# Heights of the rules between the 2016/03 coverage rows (template frame): under the
# column headers, between the rows, and under the last row.
TABLE_RULES = (288.0, 300.0, 384.0, 444.0, 480.0, 528.0, 564.0)


def draw_rules(
    page: pymupdf.Page, place: Place, ys: tuple[float, ...] = TABLE_RULES, kind: str = "line"
) -> None:
    """The coverage table's rules across the whole table, as a PDF writer draws them:
    stroked lines, thin filled rectangles, or the edges of outlined row boxes."""
    shape = page.new_shape()
    for y in ys:
        (x0, py), (x1, _) = place(16.0, y), place(592.0, y)
        if kind == "line":
            shape.draw_line((x0, py), (x1, py))
            shape.finish(color=(0, 0, 0), width=0.5)
        elif kind == "fill":
            shape.draw_rect(pymupdf.Rect(x0, py - 0.4, x1, py + 0.4))
            shape.finish(color=None, fill=(0, 0, 0))
    if kind == "box":
        for top, bottom in pairwise(ys):
            (x0, py0), (x1, py1) = place(16.0, top), place(592.0, bottom)
            shape.draw_rect(pymupdf.Rect(x0, py0, x1, py1))
            shape.finish(color=(0, 0, 0), width=0.5)
    shape.commit()
