"""The coverage table's grid: the words of the page placed in the form's frame, its columns
and its printed lines.

Broker software prints a policy's letter, number and dates on the top line of its row,
in the middle, or (several policies of one coverage) on consecutive lines. Fixed boxes
of one edition miss all but one of those, so the table is read as a grid instead:
columns from the form's column headers (INSR LTR, ADDL INSD, SUBR WVD, POLICY NUMBER,
POLICY EFF, POLICY EXP), in the template frame the page was fitted to, and each value
word in the column its box overlaps most, not the one its centre happens to fall in.
Where the rows are is ``table_rows``'s job; the policies read from them, ``row_policies``'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from coi_desktop.review.findings import Rect
from coi_desktop.review.layout import Affine, Word, is_label_at, normalize, ocr_words_in_template

# Row columns of the table (template x range) — the cells every policy line fills.
COLUMNS: dict[str, tuple[float, float]] = {
    "letter": (16.0, 36.0),
    "addl": (176.0, 194.0),
    "subr": (194.0, 213.0),
    "policy_number": (213.0, 330.0),
    "eff": (330.0, 378.0),
    "exp": (378.0, 426.0),
}
SECTIONS = ("gl", "auto", "umbrella", "wc", "other")
_FIRST_COLUMN = min(x0 for x0, _ in COLUMNS.values())
_LAST_COLUMN = max(x1 for _, x1 in COLUMNS.values())
# Words outside these heights are not in the coverage table of any edition (template frame).
TABLE_TOP, TABLE_BOTTOM = 270.0, 640.0
LINE_TOLERANCE = 3.0  # words whose centres are this close vertically share a line


@dataclass(slots=True)
class Placed:
    """A word on the page with its box in the template frame."""

    text: str
    page_rect: Rect
    rect: Rect  # template frame
    key: str = ""  # the text normalised (capitals and digits only), as labels are matched
    column: str | None = None  # the row column the word overlaps most, if any
    cy: float = 0.0  # vertical centre, template frame
    label: bool | None = None  # printed by the form itself (``is_form_label``), once known

    @classmethod
    def of(cls, text: str, page_rect: Rect, rect: Rect) -> Placed:
        cy = (rect[1] + rect[3]) / 2
        column = _column_of(rect) if TABLE_TOP <= cy < TABLE_BOTTOM else None
        return cls(text, page_rect, rect, normalize(text), column, cy)


def is_form_label(w: Placed) -> bool:
    """The word is printed by the form itself (same word, same place on the template)."""
    if w.label is None:
        w.label = is_label_at(w.text, (w.rect[0] + w.rect[2]) / 2, w.cy)
    return w.label


def _column_of(rect: Rect) -> str | None:
    """The row column a word's box overlaps most (at least half its width), if any."""
    if rect[2] < _FIRST_COLUMN or rect[0] > _LAST_COLUMN:
        return None
    width = max(rect[2] - rect[0], 0.1)
    best, best_share = None, 0.5
    for name, (x0, x1) in COLUMNS.items():
        share = (min(rect[2], x1) - max(rect[0], x0)) / width
        if share > best_share:
            best, best_share = name, share
    return best


def lines_of(words: list[Placed]) -> list[list[Placed]]:
    """Words grouped into printed lines, top to bottom, each line left to right.

    A word joins the line of the word just above it when their centres are close: a line
    printed a little aslant (or fitted by an affine map that cannot follow a look-alike
    form's rows) drifts by more than the tolerance from its first word to its last.
    """
    out: list[list[Placed]] = []
    for w in sorted(words, key=lambda w: w.cy):
        if out and abs(w.cy - out[-1][-1].cy) < LINE_TOLERANCE:
            out[-1].append(w)
        else:
            out.append([w])
    return [sorted(line, key=lambda w: w.rect[0]) for line in out]


def cell_text(words: list[Placed]) -> str:
    """Words of one cell in reading order: lines top to bottom, left to right."""
    return " ".join(" ".join(w.text for w in line) for line in lines_of(words))


def place_words(words: list[Word], transform: Affine, *, ocr: bool = False) -> list[Placed]:
    """Page words with their boxes in the template frame.

    OCR words come through ``ocr_words_in_template`` (labels removed, merged lines put
    back on their row); their box keeps its size around the corrected centre.
    """
    if not ocr:
        return [Placed.of(w.text, w.rect, transform.apply_rect(w.rect)) for w in words]
    out = []
    for w, tx, ty in ocr_words_in_template(words, transform):
        r = transform.apply_rect(w.rect)
        hw, hh = (r[2] - r[0]) / 2, min((r[3] - r[1]) / 2, 5.0)
        out.append(Placed.of(w.text, w.rect, (tx - hw, ty - hh, tx + hw, ty + hh)))
    return out
