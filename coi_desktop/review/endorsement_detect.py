"""Recognise endorsement pages: ISO form numbers with editions, and blanket wording.

A standard endorsement is known by the form number printed in its header or footer
(``CG 20 10 04 13``); what it provides comes from the table below, not from its
body text, which mentions other coverages in passing. A broker's blanket
endorsement has no standard number, so its wording says what it provides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Rect = tuple[float, float, float, float]

AI = "additional_insured"
WOS = "waiver_of_subrogation"
PNC = "primary_noncontributory"
COMPLETED = "completed_operations"

# ISO / NCCI form number → what the endorsement provides.
KNOWN_FORMS: dict[str, tuple[str, ...]] = {
    "CG 20 10": (AI,),  # owners, lessees or contractors — ongoing operations
    "CG 20 37": (AI, COMPLETED),  # owners, lessees or contractors — completed operations
    "CG 20 26": (AI,),  # designated person or organization
    "CG 20 33": (AI,),  # automatic status when required in construction agreement
    "CG 20 38": (AI,),  # automatic status for other parties
    "CG 20 01": (PNC,),  # primary and noncontributory — other insurance condition
    "CG 24 04": (WOS,),  # waiver of transfer of rights of recovery against others
    "CA 20 48": (AI,),  # designated insured for covered autos liability
    "CA 04 44": (WOS,),  # waiver of transfer of rights of recovery (auto)
    "WC 00 03 13": (WOS,),  # waiver of our right to recover from others
    "WC 04 03 06": (WOS,),  # California waiver of subrogation
}

_ISO_RE = re.compile(
    r"\b(CG|CA|CU|IL)[ ]?(\d{2})[ ]?(\d{2})(?:[ ]?\(?(\d{2})[ /-]?(\d{2})\)?)?(?!\d)"
)
_WC_RE = re.compile(
    r"\bWC[ ]?(\d{2})[ ]?(\d{2})[ ]?(\d{2})[A-Z]?"
    r"(?:\s*\(?(?:ED\.?|EDITION)?\s*(\d{1,2})[-/ ](\d{2})\)?)?(?!\d)"
)

_WORDING: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        AI,
        re.compile(
            r"BLANKET ADDITIONAL INSURED|(IS|ARE|AS) (AN )?ADDITIONAL INSUREDS? "
            r"(WHERE|WHEN|IF|AS|ONLY WHEN) (REQUIRED|YOU HAVE AGREED)"
        ),
    ),
    (
        WOS,
        re.compile(
            r"WAIVER OF SUBROGATION|WAIVER OF (OUR )?RIGHTS? (OF|TO) RECOVER"
            r"|WAIVE (ANY|OUR|ALL) RIGHTS? (OF|TO) RECOVER|TRANSFER OF RIGHTS OF RECOVERY"
        ),
    ),
    (PNC, re.compile(r"PRIMARY AND NON-? ?CONTRIBUTORY")),
    (COMPLETED, re.compile(r"COMPLETED OPERATIONS")),
)

_ENDORSEMENT_MARKERS = (
    "THIS ENDORSEMENT CHANGES THE POLICY",
    "ENDORSEMENT",
)


@dataclass(frozen=True)
class PageLine:
    """One line of page text with its rect (PDF points)."""

    text: str
    rect: Rect


@dataclass(frozen=True)
class EndorsementFound:
    form_number: str | None
    edition: str | None
    provides: tuple[str, ...]
    rect: Rect


def _canonical_wc(m: re.Match[str]) -> tuple[str, str | None]:
    number = f"WC {m.group(1)} {m.group(2)} {m.group(3)}"
    edition = f"{int(m.group(4)):02d} {m.group(5)}" if m.group(4) else None
    return number, edition


def find_form_numbers(
    lines: list[PageLine], page_height: float
) -> list[tuple[str, str | None, Rect]]:
    """ISO/NCCI form numbers printed in the header or footer band of a page."""
    out: list[tuple[str, str | None, Rect]] = []
    band = page_height * 0.18
    for line in lines:
        in_band = line.rect[1] < band or line.rect[3] > page_height - band
        if not in_band:
            continue
        text = line.text.upper()
        for m in _WC_RE.finditer(text):
            number, edition = _canonical_wc(m)
            out.append((number, edition, line.rect))
        for m in _ISO_RE.finditer(text):
            number = f"{m.group(1)} {m.group(2)} {m.group(3)}"
            edition = f"{m.group(4)} {m.group(5)}" if m.group(4) else None
            out.append((number, edition, line.rect))
    return out


def wording_provides(text: str) -> tuple[str, ...]:
    """What blanket wording grants; additional insured needs a contract condition to count."""
    t = re.sub(r"\s+", " ", text.upper())
    found: list[str] = []
    for name, pattern in _WORDING:
        if name in found or not pattern.search(t):
            continue
        if name == COMPLETED and AI not in found:
            continue
        found.append(name)
    order = (AI, WOS, PNC, COMPLETED)
    return tuple(sorted(found, key=order.index))


def detect_endorsements(lines: list[PageLine], page_height: float) -> list[EndorsementFound]:
    """The endorsements a page holds (usually one), or an empty list."""
    full = " ".join(line.text for line in lines)
    upper = full.upper()
    numbers = find_form_numbers(lines, page_height)
    results: list[EndorsementFound] = []
    seen: set[str] = set()
    for number, edition, rect in numbers:
        if number in seen:
            # header and footer both print it; keep the edition from whichever has one
            if edition:
                results = [
                    EndorsementFound(r.form_number, r.edition or edition, r.provides, r.rect)
                    if r.form_number == number
                    else r
                    for r in results
                ]
            continue
        seen.add(number)
        if number in KNOWN_FORMS:
            results.append(EndorsementFound(number, edition, KNOWN_FORMS[number], rect))
    if results:
        return results
    if not any(marker in upper for marker in _ENDORSEMENT_MARKERS):
        return []
    provides = wording_provides(full)
    if not provides:
        return []
    if numbers:  # a number we do not know, on a page whose wording we understand
        number, edition, rect = numbers[0]
        return [EndorsementFound(number, edition, provides, rect)]
    return [EndorsementFound(None, None, provides, _first_rect(lines))]


def _first_rect(lines: list[PageLine]) -> Rect:
    for line in lines:
        if "ENDORSEMENT" in line.text.upper():
            return line.rect
    return lines[0].rect if lines else (0.0, 0.0, 0.0, 0.0)
