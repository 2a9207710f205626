"""The sentences a person reads when the tracker or Procore refuses an outbox item
(sync/refusals.py), and how a delivery pass adds up its stages."""

from __future__ import annotations

from pathlib import Path

from coi_desktop.sync import refusals
from coi_desktop.sync.delivery import DeliveryResult
from coi_desktop.sync.outbox import Tally

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


VENDOR_ON_PROJECT = refusals.Target(company_id=8, vendor="Acme Roofing", project="Tower B")
VENDOR_IN_COMPANY = refusals.Target(company_id=8, vendor="Acme Roofing", project=None)


def test_a_procore_403_names_the_account_and_the_permission_for_that_level() -> None:
    records = refusals.procore_refusal(
        403, "", "the insurance records", "records", VENDOR_IN_COMPANY, "COI Desk Sync"
    )
    assert records.state == "failed"
    assert "403: no reason given" in records.message and "COI Desk Sync" in records.message
    assert "Company Directory tool" in records.message and "(company 8)" in records.message
    flag = refusals.procore_refusal(
        403, "nope", "x", "commitment", VENDOR_ON_PROJECT, "Riley"
    ).message
    assert "project Tower B with 'Admin' on its Commitments tool" in flag


def test_a_procore_404_says_where_the_vendor_is_missing() -> None:
    on_project = refusals.procore_refusal(404, "", "r", "records", VENDOR_ON_PROJECT, "")
    assert "no Acme Roofing in the Project Directory of Tower B" in on_project.message
    in_company = refusals.procore_refusal(404, "", "r", "records", VENDOR_IN_COMPANY, "")
    assert "does not know Acme Roofing in company 8" in in_company.message
    conflict = refusals.procore_refusal(
        409, "taken", "the records", "records", VENDOR_IN_COMPANY, ""
    )
    assert (conflict.state, conflict.message) == (
        "conflict",
        "Procore refused the records (409): taken.",
    )


def test_the_missing_flag_is_explained_in_full_once() -> None:
    first = refusals.flag_note(8, "Pay is off", True, 30)
    assert "(Pay is off)" in first and "after 30 days" in first
    later = refusals.flag_note(8, "Pay is off", False, 30)
    assert "see the first such note" in later and "Pay is off" not in later
    assert refusals.commitment_status(5, purchase_order=True) == (
        "the purchase order 5's insurance status"
    )
    assert refusals.records_refused(
        [refusals.record_refused("General Liability GL-1", ""), refusals.record_refused("", "x")]
    ) == (
        "Procore refused the General Liability GL-1 record (no reason given); "
        "the insurance record (x)."
    )


def test_a_pass_adds_its_stages_tallies_and_keeps_who_stopped() -> None:
    tracker = Tally(delivered=2, retrying=1, offline=True) + Tally(stopped="Sign in again.")
    procore = Tally(delivered=3, needs_person=1, procore_requests=4, procore_records=6)
    result = DeliveryResult.of(tracker, procore)
    assert (result.delivered, result.retrying, result.needs_person) == (5, 1, 1)
    assert result.offline and (result.procore_requests, result.procore_records) == (4, 6)
    assert result.stopped == {"tracker": "Sign in again."}
