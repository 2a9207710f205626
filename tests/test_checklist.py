"""Checklist lines: storage shape, the tracker's item, overrides and counts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from coi_desktop.review.checklist import ChecklistLine, Result, override, summarize

EVIDENCE: dict[str, Any] = {
    "page": 1,
    "rect": [400.0, 300.5, 460.0, 310.0],
    "source": "text",
    "confidence": 0.97,
}


def make_line(result: Result = "fail", **changes: Any) -> ChecklistLine:
    fields: dict[str, Any] = {
        "requirement": "general_liability.each_occurrence",
        "coverage": "general_liability",
        "label": "GL each occurrence",
        "result": result,
        "required": 1000000,
        "found": 500000,
        "message": "GL each occurrence $500,000 is below the required $1,000,000.",
        "evidence_key": "policies[0].limits.each_occurrence",
        "evidence": EVIDENCE,
    }
    fields.update(changes)
    return ChecklistLine(**fields)


def test_to_dict_round_trips_through_json() -> None:
    line = make_line(found={"box": None, "endorsements": ["CG 20 10 04 13"], "wording": True})
    stored = json.loads(json.dumps(line.to_dict()))
    assert ChecklistLine.from_dict(stored) == line


def test_round_trip_keeps_an_override() -> None:
    line = override(make_line(), "pass", "Umbrella schedule lists this GL policy.")
    assert ChecklistLine.from_dict(json.loads(json.dumps(line.to_dict()))) == line


def test_document_level_line_round_trips() -> None:
    line = make_line(
        "pass",
        requirement="certificate_holder",
        coverage=None,
        evidence=None,
        evidence_key=None,
        label="Certificate holder",
    )
    assert ChecklistLine.from_dict(line.to_dict()) == line


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("result", "maybe"),
        ("requirement", None),
        ("label", 3),
        ("overridden", "yes"),
        ("evidence", [1, 2]),
        ("note", 5),
    ],
)
def test_from_dict_rejects_bad_fields(field: str, value: Any) -> None:
    data = make_line().to_dict()
    data[field] = value
    with pytest.raises(ValueError, match=field if field != "result" else "result"):
        ChecklistLine.from_dict(data)


def test_to_tracker_is_the_tracker_checklist_item() -> None:
    assert make_line().to_tracker() == {
        "requirement": "general_liability.each_occurrence",
        "result": "fail",
        "found": 500000,
        "required": 1000000,
        "overridden": False,
        "note": None,
    }


def test_override_records_result_and_note() -> None:
    line = override(make_line(), "pass", "  Umbrella schedule lists this GL policy. ")
    assert line.result == "pass"
    assert line.overridden is True
    assert line.note == "Umbrella schedule lists this GL policy."
    assert line.to_tracker()["overridden"] is True
    # The pre-check's sentence stays for the record.
    assert line.message == make_line().message


@pytest.mark.parametrize("note", ["", "   ", "\n"])
def test_override_needs_a_note(note: str) -> None:
    with pytest.raises(ValueError, match="needs a note"):
        override(make_line(), "pass", note)


@pytest.mark.parametrize("note", ["1", "ok", " 4 ", "#2!"])
def test_override_note_must_say_something(note: str) -> None:
    with pytest.raises(ValueError, match="does not say why"):
        override(make_line(), "pass", note)


def test_override_rejects_an_unknown_result() -> None:
    with pytest.raises(ValueError, match="Unknown checklist result"):
        override(make_line(), "ok", "looks fine")


def test_override_to_fail_gives_a_sentence_for_the_vendor() -> None:
    line = override(make_line("needs_review"), "fail", "The umbrella does not schedule GL.")
    assert line.message == "GL each occurrence: The umbrella does not schedule GL."


def test_override_keeps_the_message_of_a_line_that_already_failed() -> None:
    line = override(make_line("fail"), "fail", "Confirmed with the broker.")
    assert line.message == make_line().message


def test_original_line_is_unchanged_by_override() -> None:
    line = make_line()
    override(line, "pass", "checked")
    assert line.result == "fail" and not line.overridden


def test_summarize_counts_every_result_key() -> None:
    lines = [
        make_line("pass"),
        make_line("pass"),
        make_line("fail"),
        make_line("na"),
        make_line("needs_review"),
    ]
    assert summarize(lines) == {"pass": 2, "fail": 1, "needs_review": 1}
    assert summarize([]) == {"pass": 0, "fail": 0, "needs_review": 0}
