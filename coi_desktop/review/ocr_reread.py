"""Second readings of OCR'd boxes, pasted apart from the table rules.

Whole-page OCR loses lone letters and marks, confuses rows of the dense coverage
table, and now and then skips a ruled block entirely. Each short box is cut out and
OCR'd again on a clean canvas (``ocr_reader.ocr_cells``); where the two readings agree
confidence rises, where they disagree the clean one wins but stays below the pre-check's
review line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from coi_desktop.acord_form import LIMIT_KEYS
from coi_desktop.review.acord_fields import FIELD_BY_SLOT, FORM_FIELDS
from coi_desktop.review.assembly import clean_text, trim_ocr_edges
from coi_desktop.review.findings import Found, RawCertificate, RawPolicy, Rect
from coi_desktop.review.form_structure import COLUMNS
from coi_desktop.review.ocr_reader import Raster, ocr_cells
from coi_desktop.review.parsing import read_date, read_letter, read_mark, read_money, read_naic
from coi_desktop.review.row_policies import DISPUTED_FACTOR, UNANCHORED_FACTOR
from coi_desktop.review.table_rows import RowBand

OCR_CONFIDENCE = 0.85
# Boxes every certificate fills: when OCR left one empty, it skipped its block.
_ALWAYS_FILLED = frozenset(
    {
        "producer.name",
        "producer.line1",
        "insured.name",
        "insured.line1",
        "insurers.A.name",
        "certificate_holder.name",
        "certificate_holder.line1",
    }
)
MIN_LIMIT = 100  # a smaller "limit" is a misread rule or speck, not a limit
AGREED_CONFIDENCE = 0.93  # two OCR readings of a box gave the same text
DISAGREED_CONFIDENCE = 0.7  # they differed: the clean one is kept, a person should look


# Text boxes above and below the table: names and addresses.
_PARTY_SLOTS = tuple(
    f.slot
    for f in FORM_FIELDS
    if f.kind == "text"
    and f.slot.split(".")[0] in ("producer", "insured", "insurers", "certificate_holder")
    and not f.slot.endswith(".naic")
)


def reread_party_boxes(raster: Raster, raw: RawCertificate, transform: Any, page_no: int) -> None:
    """When whole-page OCR skipped the party block, read its boxes one by one.

    Tesseract's layout analysis sometimes takes the ruled block of producer, insured and
    insurers for a picture and reads none of it (a box every certificate fills comes back
    empty); each box pasted alone on a clean canvas is read fine. Boxes it did read are
    left alone: a second reading of a name is not more often right than the first.
    """
    empty = [slot for slot in _PARTY_SLOTS if not clean_text(raw.slots.get(slot, _EMPTY).text)]
    if not set(empty) & _ALWAYS_FILLED:
        return  # only the usual empty boxes (second street lines, unused insurers)
    back = transform.inverse()
    cells = []
    for slot in empty:
        x0, y0, x1, y1 = FIELD_BY_SLOT[slot].rect
        # inside the rules above and below the box; a little wider for a value printed left
        cells.append([back.apply_rect((x0 - 2.5, y0 + 1.2, x1 + 2, y1 - 1.2))])
    texts = ocr_cells(raster, cells)
    for slot, cell, row in zip(empty, cells, texts, strict=True):
        text = trim_ocr_edges(clean_text(row[0]))
        if sum(ch.isalnum() for ch in text) >= 2:
            raw.slots[slot] = Found(text, page_no, cell[0], "ocr", OCR_CONFIDENCE)


# Horizontal padding of a re-read box (added to x0, x1): values printed a few points left
# of their box must not lose their first character.
_CELL_PAD: dict[str, tuple[float, float]] = {
    "policy_number": (-3.0, 1.5),
    "limit": (-2.5, 2.0),
}


_EMPTY = Found("", 0, (0.0, 0.0, 0.0, 0.0), "ocr", 0.0)


def _row_cap(band: RowBand) -> float:
    """The most a value of this row may carry (form_structure.apply_rows' factors)."""
    if band.disputed:
        return OCR_CONFIDENCE * DISPUTED_FACTOR
    return OCR_CONFIDENCE * (1.0 if band.anchored else UNANCHORED_FACTOR)


def _in_table(slot: str) -> bool:
    return slot.split(".")[0] in ("gl", "auto", "umbrella", "wc", "other")


def _valid(key: str, text: str) -> bool:
    """Does a box's OCR text read as the kind of value that box holds?"""
    if key == "certificate_date":
        return read_date(text).value is not None
    if key.endswith(".naic"):
        return read_naic(text).value is not None
    if key == "letter":
        return read_letter(text).value is not None
    if key in ("addl", "subr"):
        return read_mark(text).value is not None
    if key in ("eff", "exp"):
        return read_date(text).value is not None
    if key.startswith("limit."):
        value = read_money(text).value
        return value is not None and value >= MIN_LIMIT
    # a policy number: digits, and long enough not to be a speck or a stray label
    return sum(ch.isdigit() for ch in text) >= 3 and len(text) >= 5


def reread_table_boxes(
    raster: Raster,
    raw: RawCertificate,
    transform: Any,
    page_no: int,
    bands: dict[str, RowBand] | None = None,
    rows: Callable[[float], float] | None = None,
) -> None:
    """Read each coverage row's boxes again, pasted apart from the table rules.

    Whole-page OCR loses lone letters and marks and confuses rows of the dense table;
    the second reading is clean. Where both readings agree confidence rises; where they
    disagree the clean reading wins but stays below the review line. A row ``bands``
    says is disputed or unanchored stays below it whatever the readings: both were cut
    where the row may not be. ``rows`` (``raster_rulings.rows_as_ruled``) moves the boxes
    onto the rows where the page's rules put them.
    """
    back = transform.inverse()
    targets: list[list[tuple[RawPolicy, str, Rect]]] = []
    for policy in raw.policies:
        # every row, not only those whole-page OCR found: it sometimes skips a whole block
        row = []
        keys = ["letter", "addl", "subr", "policy_number", "eff", "exp"]
        limit_keys = [f"limit.{name}" for name in LIMIT_KEYS.get(policy.section, ())]
        for key in keys + limit_keys:
            slot = f"{policy.section}.{key}"
            if policy.section == "other" and key == "limit.limit":
                slot = "other.limit_amount_a"
            if slot not in FIELD_BY_SLOT or (policy.section == "wc" and key == "addl"):
                continue
            x0, y0, x1, y1 = FIELD_BY_SLOT[slot].rect
            # inside the table rules (wider where the form leaves room), a little taller
            # than the box for a value printed high or low
            left, right = _CELL_PAD.get("limit" if key.startswith("limit.") else key, (1.5, -1.5))
            if rows is not None:
                y0, y1 = rows(y0), rows(y1)
            cell = (x0 + left, y0 - 0.5, x1 + right, y1 + 0.5)
            row.append((policy, key, back.apply_rect(cell)))
        targets.append(row[:6])
        if row[6:]:
            targets.append(row[6:])
    # the certificate date and NAIC codes are short values in boxes too
    top: list[tuple[RawPolicy, str, Rect]] = []
    holder = RawPolicy("top", {k: v for k, v in raw.slots.items() if not _in_table(k)})
    for slot in ["certificate_date"] + [f"insurers.{c}.naic" for c in "ABCDEF"]:
        name_slot = slot.replace(".naic", ".name")
        if slot != "certificate_date" and not clean_text(raw.slots.get(name_slot, _EMPTY).text):
            continue
        x0, y0, x1, y1 = FIELD_BY_SLOT[slot].rect
        top.append((holder, slot, back.apply_rect((x0 - 2, y0 - 0.5, x1 + 2, y1 + 0.5))))
    if top:
        targets.append(top)
    texts = ocr_cells(raster, [[rect for _, _, rect in row] for row in targets])
    for row, row_texts in zip(targets, texts, strict=True):
        for (policy, key, rect), cell_text in zip(row, row_texts, strict=True):
            text = trim_ocr_edges(clean_text(cell_text))
            old = policy.fields.get(key)
            old_ok = old is not None and _valid(key, clean_text(old.text))
            if not _valid(key, text):
                continue  # keep what the whole-page OCR read, right or empty
            confidence = OCR_CONFIDENCE
            if old_ok and old is not None:
                same = clean_text(old.text).upper() == text.upper()
                confidence = AGREED_CONFIDENCE if same else DISAGREED_CONFIDENCE
            if key in COLUMNS and bands and policy.section in bands:
                confidence = min(confidence, _row_cap(bands[policy.section]))
            policy.fields[key] = Found(text, page_no, rect, "ocr", confidence)
    for slot, found in holder.fields.items():
        raw.slots[slot] = found
