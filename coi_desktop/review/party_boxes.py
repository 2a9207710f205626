"""Names and addresses read by the structure of their box, not by fixed lines.

Broker software starts the insured's name left of where the form's name line begins,
prints the holder's name a line higher, or leaves the second street line out, so fixed
line boxes cut names apart and take an address line for a name. Each party box is read
whole instead: the form's own labels are dropped, the value's lines are taken top to
bottom, the first is the name and the rest the address (phone and e-mail lines, which
some brokers add to the holder box, are skipped). An insurer's name is the text of its
row right of the printed ``INSURER A :`` label.
"""

from __future__ import annotations

import re

from coi_desktop.review.findings import (
    Found,
    RawCertificate,
    Rect,
    Source,
    join_found,
    union_rect,
)
from coi_desktop.review.form_structure import Placed, is_form_label, lines_of

# The value area of each party box in the template frame (x0, y0, x1, y1): from under or
# beside the box's label to the next box's rule.
PARTY_AREAS: dict[str, Rect] = {
    "insured": (20.0, 182.0, 305.0, 241.0),
    "certificate_holder": (20.0, 660.0, 305.0, 746.0),
}
PRODUCER_AREA: Rect = (20.0, 129.5, 305.0, 181.0)
_ADDRESS_SLOTS = ("line1", "line2", "city", "state", "zip")
INSURER_NAME_X = (347.0, 540.0)
INSURER_ROW_TOP = 168.0  # insurer A's row; each row is 12 points high
INSURER_ROW_HEIGHT = 12.0
_PHONE = re.compile(r"^(ph|phone|tel|fax|f|p)?[:.]?\s*\(?\d{3}\)?[\s.-]*\d{3}[\s.-]*\d{4}\b", re.I)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
# A company's legal form ends its name; a street number right after it starts the address.
_ENTITY = r"(?:Inc|LLC|L\.L\.C|Co|Corp|Corporation|Company|Ltd|LP|LLP|PLLC|PC|P\.C)\.?"
_NAME_THEN_STREET = re.compile(rf"^(.*?\b{_ENTITY}),?\s+(\d.*)$")
_ENTITY_THEN_STREET = re.compile(rf"^({_ENTITY})(?:,?\s+(\d.*))?$")


def _inside(w: Placed, area: Rect) -> bool:
    cx, cy = (w.rect[0] + w.rect[2]) / 2, w.cy
    return area[0] <= cx <= area[2] and area[1] <= cy < area[3]


def _name_word(text: str) -> bool:
    """Part of a name: letters or digits, or "&" ("Starr Indemnity & Liability"); not ":"."""
    return text == "&" or any(ch.isalnum() for ch in text)


def _text(line: list[Placed]) -> str:
    return " ".join(w.text for w in line)


def _is_contact_line(text: str) -> bool:
    return bool(_PHONE.match(text.strip()) or _EMAIL.search(text))


def _found(line: list[Placed], page: int, source: Source, conf: float) -> Found:
    return Found(_text(line), page, union_rect([w.page_rect for w in line]), source, conf)


def read_party_areas(
    raw: RawCertificate, placed: list[Placed], page_no: int, source: Source, confidence: float
) -> None:
    """Set the name and address slots of the insured, the holder and the insurers."""
    # only the upper party block and the holder's box hold parties: skip the table early
    values = [
        w for w in placed if (w.cy < 250 or w.cy > 640) and w.rect[0] < 600 and not is_form_label(w)
    ]
    for party, area in PARTY_AREAS.items():
        lines = [
            line
            for line in lines_of([w for w in values if _inside(w, area)])
            if not _is_contact_line(_text(line))
        ]
        if not lines:
            continue
        name = _found(lines[0], page_no, source, confidence)
        rest = [_found(line, page_no, source, confidence) for line in lines[1:]]
        name, rest = split_name(name, rest)
        raw.slots[f"{party}.name"] = name
        for slot in _ADDRESS_SLOTS:
            raw.slots.pop(f"{party}.{slot}", None)
        address = join_found(rest, sep=", ")
        if address is not None:
            raw.slots[f"{party}.line1"] = address
    producer = raw.slots.get("producer.name")
    if producer is None or not producer.text.strip():
        # the broker's name printed above or below the form's name line: its box's first line
        lines = [
            line
            for line in lines_of([w for w in values if _inside(w, PRODUCER_AREA)])
            if not _is_contact_line(_text(line))
        ]
        if lines:
            raw.slots["producer.name"] = _found(lines[0], page_no, source, confidence)
    for i, letter in enumerate("ABCDEF"):
        top = INSURER_ROW_TOP + i * INSURER_ROW_HEIGHT
        area = (INSURER_NAME_X[0], top, INSURER_NAME_X[1], top + INSURER_ROW_HEIGHT)
        words = [w for w in values if _inside(w, area) and _name_word(w.text)]
        if words and words[0].text.rstrip(":") == letter and len(words) > 1:
            words = words[1:]  # the printed "INSURER A :" label's letter, a little off its place
        raw.slots.pop(f"insurers.{letter}.name", None)
        if words:
            line = sorted(words, key=lambda w: w.rect[0])
            raw.slots[f"insurers.{letter}.name"] = _found(line, page_no, source, confidence)


def _with_text(found: Found, text: str) -> Found:
    return Found(text, found.page, found.rect, found.source, found.confidence)


def split_name(name: Found, rest: list[Found]) -> tuple[Found, list[Found]]:
    """Move a name's legal form back to it, and a street that follows it to the address.

    "Source, Inc. 8 Three" → "Source, Inc." + "8 Three …"; "Management Solutions" over
    "Inc 914 Air Drive" → "Management Solutions Inc" + "914 Air Drive".
    """
    m = _NAME_THEN_STREET.match(name.text)
    if m:
        street = _with_text(name, m.group(2))
        return _with_text(name, m.group(1)), [street, *rest]
    if rest:
        m = _ENTITY_THEN_STREET.match(rest[0].text)
        if m:
            joined = _with_text(name, f"{name.text} {m.group(1)}")
            tail = [_with_text(rest[0], m.group(2))] if m.group(2) else []
            return joined, [*tail, *rest[1:]]
    return name, rest
