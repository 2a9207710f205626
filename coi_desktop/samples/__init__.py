"""Realistic sample ACORD 25 certificates and endorsements with their ground truth."""

from __future__ import annotations

from pathlib import Path

BLANK_FORM_RELATIVE = Path("tests") / "data" / "acord25-2016-03-blank-fillable.pdf"


class BlankFormMissing(RuntimeError):
    """The blank ACORD 25 is ACORD's form: it lives in the source tree's tests, not the package."""


def find_blank_form() -> Path | None:
    """The blank fillable ACORD 25 of a source checkout, or None in an installed package."""
    candidate = Path(__file__).resolve().parents[2] / BLANK_FORM_RELATIVE
    return candidate if candidate.is_file() else None


def require_blank_form(blank_form: Path | None = None) -> Path:
    """`blank_form`, or the checkout's; raise BlankFormMissing with a clear message if neither."""
    found = blank_form or find_blank_form()
    if found is None or not found.is_file():
        raise BlankFormMissing(
            "The sample certificate generator needs the blank ACORD 25 form "
            f"({BLANK_FORM_RELATIVE}), which only a source checkout of COI Desk has; "
            "it is not shipped in the installed package. Run from a checkout or pass blank_form."
        )
    return found
