"""The sentences a person reads when the tracker refuses an outbox item (sync/refusals.py)."""

from __future__ import annotations

from pathlib import Path

from coi_desktop.sync import refusals

SUB = {"id": "s-7", "version": 4, "status": "in_review", "assigned_to": "u-2"}


def test_a_422_on_what_the_reviewer_chose_is_theirs_to_correct() -> None:
    fields = refusals.invalid_fields(
        {"errors": {"note": ["is too long"], "deficiencies[1]": ["is empty"]}}
    )
    refusal = refusals.invalid("decision", "s-7", "note is too long", fields, Path("/l/x.log"))
    assert not refusal.our_bug and refusal.state == "failed"
    assert refusal.message == (
        "The tracker refused the decision on s-7 as invalid: note is too long. Reopen it, "
        "correct the outcome, note or deficiencies, and decide again."
    )


def test_a_422_on_what_coi_desk_built_is_our_bug_and_says_where_it_is_logged() -> None:
    for answer in (
        {
            "errors": {
                "policies[1].limits": ["must map limit names to whole dollars"],
                "note": ["x"],
            }
        },
        {"errors": {"notes": ["unknown field"]}},  # not "note"
        {"error": "bad body"},
    ):  # no field named: nothing the reviewer can act on
        refusal = refusals.invalid(
            "decision", "s-7", "…", refusals.invalid_fields(answer), Path("/logs/coi-desktop.log")
        )
        assert refusal.our_bug
        assert refusal.message.startswith(
            "COI Desk sent something the tracker could not accept for the decision on s-7 (…); "
            "this is our bug, logged at /logs/coi-desktop.log."
        )
        assert "422" not in refusal.message


def test_a_claim_refused_as_invalid_is_never_the_reviewers_task() -> None:
    refusal = refusals.invalid("claim", "s-7", "note bad", ["note"], None)
    assert refusal.our_bug and "this is our bug, logged." in refusal.message


def test_a_409_on_work_someone_else_holds_says_who_and_how_to_get_it() -> None:
    text = refusals.conflict("decision", "s-7", SUB, me="u-1", holder_name="Sam Reviewer")
    assert text == (
        "The tracker refused the decision on s-7: Sam Reviewer holds it (409). Claim "
        "it (or ask a lead to reassign it to you), then decide again."
    )
    # Held by me (a lead's assignment landed): the version moved, nothing to claim.
    mine = refusals.conflict(
        "decision", "s-7", {**SUB, "assigned_to": "u-1"}, me="u-1", holder_name="Riley"
    )
    assert "now version 4, assigned to Riley" in mine and "Reopen it" in mine
    # A lead may decide what others hold: their 409 is about the version, not the holder.
    by_lead = refusals.conflict("decision", "s-7", SUB, me="u-4", holder_name="Sam", lead=True)
    assert "now version 4, assigned to Sam" in by_lead and "Claim" not in by_lead
    claim = refusals.conflict("claim", "s-7", SUB, me="u-1", holder_name=None)
    assert claim == ("The tracker refused the claim on s-7: another reviewer (u-2) holds it (409).")


def test_a_409_on_closed_work_says_what_happened() -> None:
    archived = refusals.conflict(
        "decision", "s-7", {**SUB, "status": "archived"}, me="u-1", holder_name=None
    )
    assert "withdrawn (archived)" in archived
    decided = refusals.conflict(
        "decision", "s-7", {**SUB, "status": "non_compliant"}, me="u-2", holder_name=None
    )
    assert "already decided non compliant" in decided
    assert "changed since you saw it" in refusals.conflict(
        "decision", "s-7", None, me=None, holder_name=None
    )
