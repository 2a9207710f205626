"""The requirement checklist: one line per requirement, as the pre-check fills it in and the
reviewer confirms or overrides it, in the shapes the database and the tracker store."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"
Result: TypeAlias = Literal["pass", "fail", "needs_review", "na"]

RESULTS: tuple[Result, ...] = ("pass", "fail", "needs_review", "na")
# The queue and the tracker count these three; "na" lines are neither good nor bad.
COUNTED: tuple[Result, ...] = ("pass", "fail", "needs_review")


def check_result(value: object) -> Result:
    """``value`` as a checklist result, or ValueError naming the allowed ones."""
    for result in RESULTS:
        if value == result:
            return result
    raise ValueError(f"Unknown checklist result {value!r}; expected one of {', '.join(RESULTS)}")


@dataclass(frozen=True)
class ChecklistLine:
    """One requirement checked against one document.

    ``evidence`` is the extraction's evidence for ``evidence_key`` (page, rect, source,
    confidence) so the review screen can outline it; for an endorsement found on a page
    without a recorded rectangle it holds just the page (rect, source, confidence None).
    """

    requirement: str  # dotted key: "general_liability.each_occurrence", "certificate_holder"
    coverage: str | None  # None for document-level lines
    label: str  # short, for the checklist column: "GL each occurrence"
    result: Result
    required: JSONValue
    found: JSONValue
    message: str  # plain sentence; for a failed line it is the deficiency sent to the vendor
    evidence_key: str | None
    evidence: dict[str, JSONValue] | None
    overridden: bool = False
    note: str | None = None

    def to_dict(self) -> dict[str, JSONValue]:
        """All fields, JSON-ready (for the local database)."""
        return {
            "requirement": self.requirement,
            "coverage": self.coverage,
            "label": self.label,
            "result": self.result,
            "required": self.required,
            "found": self.found,
            "message": self.message,
            "evidence_key": self.evidence_key,
            "evidence": self.evidence,
            "overridden": self.overridden,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChecklistLine:
        """The inverse of :meth:`to_dict`; ValueError if a field has the wrong shape."""
        evidence = data.get("evidence")
        if evidence is not None and not isinstance(evidence, dict):
            raise ValueError(f"Checklist line evidence must be an object, not {evidence!r}")
        return cls(
            requirement=_text(data, "requirement"),
            coverage=_optional_text(data, "coverage"),
            label=_text(data, "label"),
            result=check_result(data.get("result")),
            required=data.get("required"),
            found=data.get("found"),
            message=_text(data, "message"),
            evidence_key=_optional_text(data, "evidence_key"),
            evidence=evidence,
            overridden=_flag(data, "overridden"),
            note=_optional_text(data, "note"),
        )

    def to_tracker(self) -> dict[str, JSONValue]:
        """The tracker decision's ``checklist`` item (tracker-api.md)."""
        return {
            "requirement": self.requirement,
            "result": self.result,
            "found": self.found,
            "required": self.required,
            "overridden": self.overridden,
            "note": self.note,
        }


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(f"Checklist line {key!r} must be text, not {value!r}")
    return value


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    return None if data.get(key) is None else _text(data, key)


def _flag(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"Checklist line {key!r} must be true or false, not {value!r}")
    return value


NOTE_MIN_LETTERS = 3  # an override note is a few words, not a digit or "ok"


def override(line: ChecklistLine, result: str, note: str) -> ChecklistLine:
    """The reviewer's result for a line, replacing the pre-check's.

    A note is required so whoever reads the decision later knows why the pre-check was set
    aside. When a line becomes a failure it was not before, its message becomes
    "<label>: <note>", because the pre-check's sentence (written for a line that passed or
    needed a look) would make no sense in the deficiency list sent to the vendor.
    """
    checked = check_result(result)
    reason = (note or "").strip()
    if not reason:
        raise ValueError(
            f"Overriding \u201c{line.label}\u201d needs a note saying why the result is "
            f"{checked.replace('_', ' ')}."
        )
    if sum(ch.isalpha() for ch in reason) < NOTE_MIN_LETTERS:
        # "1" or "ok" tells the next reader nothing (a stray digit once became a note).
        raise ValueError(
            f"\u201c{reason}\u201d does not say why: write a few words on why "
            f"\u201c{line.label}\u201d is {checked.replace('_', ' ')}."
        )
    message = line.message
    if checked == "fail" and line.result != "fail":
        message = f"{line.label}: {reason}"
    return dataclasses.replace(line, result=checked, overridden=True, note=reason, message=message)


def summarize(lines: Iterable[ChecklistLine]) -> dict[str, int]:
    """Counts of pass, fail and needs_review lines (every key present, "na" not counted)."""
    counts: dict[str, int] = dict.fromkeys(COUNTED, 0)
    for line in lines:
        if line.result in counts:
            counts[line.result] += 1
    return counts
