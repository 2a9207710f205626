"""A damaged PDF is said to be damaged, and nothing read from it passes unseen.

MuPDF repairs broken files quietly and often lazily (the repair happens when a page is
first loaded, after ``is_repaired`` was first asked). So the verdict is taken *after*
reading, from the repair flag and from the warnings MuPDF collected meanwhile. Every
checklist line of a damaged file then needs a person: a flipped byte can change an NAIC
number or a limit and still parse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from coi_desktop.review.checklist import ChecklistLine

DAMAGED = "the PDF is damaged"
# MuPDF's words for a file it had to guess at (its warnings are free text).
_DAMAGE_WORDS = (
    "repair",
    "syntax error",
    "format error",
    "cannot",
    "invalid",
    "broken",
    "missing",
    "out of range",
    "unexpected",
    "zlib",
    "flate",
    "premature",
    "not found",
    "expected",
)


def note_damage(result: dict[str, Any], repaired: bool, mupdf_warnings: str) -> None:
    """Add the damage warning to an extraction result when the file was repaired."""
    messages = [line.strip() for line in (mupdf_warnings or "").splitlines() if line.strip()]
    suspicious = [m for m in messages if any(word in m.lower() for word in _DAMAGE_WORDS)]
    warnings: list[str] = result["warnings"]
    if not (repaired or suspicious) or is_damaged(result):
        return
    detail = f" (MuPDF: {suspicious[0][:120]})" if suspicious else " (MuPDF repaired it)"
    warnings.append(f"{DAMAGED}{detail}; every value read from it needs review")


def is_damaged(extraction: Mapping[str, Any]) -> bool:
    warnings = extraction.get("warnings")
    return isinstance(warnings, list) and any(
        isinstance(w, str) and w.startswith(DAMAGED) for w in warnings
    )


def review_damaged(
    lines: list[ChecklistLine], extraction: Mapping[str, Any]
) -> list[ChecklistLine]:
    """Pass and fail lines of a damaged file become needs_review, saying why."""
    if not is_damaged(extraction):
        return lines
    out = []
    for line in lines:
        if line.result in ("pass", "fail") and line.requirement != "document":
            line = replace(
                line,
                result="needs_review",
                message=(f"{line.message} The PDF is damaged: check this value on the document."),
            )
        out.append(line)
    return out
