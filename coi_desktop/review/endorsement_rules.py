"""Additional insured, waiver of subrogation and primary & non-contributory: which
endorsements count for a coverage, and what the ADDL INSD / SUBR WVD boxes and the
description of operations add when none does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from coi_desktop.review.checklist import JSONValue
from coi_desktop.review.precheck_context import (
    NO_EVIDENCE,
    Context,
    Endorsement,
    Evidence,
    Outcome,
    Policy,
    doubt_clause,
    evidence_for,
    form_key,
    uncertain,
)
from coi_desktop.review.requirement_terms import (
    BENEFIT_WORDS,
    BOXES,
    PRIMARY_NONCONTRIBUTORY,
    coverage_label,
)


def accepted_forms(line: Mapping[str, Any]) -> tuple[str, ...]:
    """The profile line's accepted endorsements as form keys ("CG2010"), read once per
    line rather than once per benefit."""
    listed = line.get("accepted_endorsements")
    return tuple(k for k in map(form_key, listed) if k) if isinstance(listed, list) else ()


def supporting_endorsements(
    ctx: Context, accepted_keys: Sequence[str], coverage: str, benefit: str
) -> tuple[list[Endorsement], list[Endorsement]]:
    """Endorsements that provide ``benefit`` for this coverage: (accepted, to be checked).

    An endorsement on the profile's accepted list is accepted. Without a list, one whose
    form prefix belongs to this coverage (CG → GL, CA → auto, WC, CU) is accepted. With a
    list, such an endorsement needs a person, except for primary & non-contributory:
    profiles list the additional-insured and waiver forms, and a P&NC form of the right
    policy line (CG 20 01 for GL) is what the requirement asks for. A broker's blanket
    endorsement with no form number does not say which policy it amends: a person checks.
    """
    accepted: list[Endorsement] = []
    unlisted: list[Endorsement] = []
    for endorsement in ctx.endorsements:
        if benefit not in endorsement.provides:
            continue
        if endorsement.key and any(endorsement.key.startswith(k) for k in accepted_keys):
            accepted.append(endorsement)
        elif coverage in endorsement.coverages:
            if not accepted_keys or benefit == PRIMARY_NONCONTRIBUTORY:
                accepted.append(endorsement)
            else:
                unlisted.append(endorsement)
        elif not endorsement.coverages:
            unlisted.append(endorsement)
    return accepted, unlisted


def cite(endorsement: Endorsement) -> Evidence:
    return endorsement.evidence_key, endorsement.evidence


def benefit_outcome(
    ctx: Context,
    accepted_keys: Sequence[str],
    coverage: str,
    benefit: str,
    policy: Policy | None,
) -> Outcome:
    """Additional insured, waiver of subrogation, or primary & non-contributory."""
    label = coverage_label(coverage)
    words = BENEFIT_WORDS[benefit]
    box_name = BOXES.get(benefit)
    accepted, unlisted = supporting_endorsements(ctx, accepted_keys, coverage, benefit)
    box = policy.data.get(benefit) if policy is not None and box_name else None
    box_ev = (
        evidence_for(ctx, policy.key(benefit)) if policy is not None and box_name else (None, None)
    )
    wording = ctx.kind == "coi" and ctx.wording.mentions(benefit, coverage)
    found: dict[str, JSONValue] = {
        "endorsements": [e.display or "blanket" for e in (*accepted, *unlisted)],
        "wording": wording,
    }
    if box_name:
        found["box"] = box if isinstance(box, bool) else None

    for e in accepted:
        if uncertain(e.evidence) is None:
            return "pass", found, f"{label} {words} is provided by {e.name}.", cite(e)
    box_doubt = uncertain(box_ev[1])
    if box is True:
        if box_doubt is None:
            return "pass", found, f"{label} {box_name} is marked.", box_ev
        return (
            "needs_review",
            found,
            f"{label} {box_name} reads as marked, {doubt_clause(box_doubt)}.",
            box_ev,
        )
    for e in accepted:
        doubt = uncertain(e.evidence)
        if doubt is not None:
            return (
                "needs_review",
                found,
                f"{label} {words} appears to be provided by {e.name}, {doubt_clause(doubt)}.",
                cite(e),
            )
    if unlisted:
        e = unlisted[0]
        why = (
            "it is not on this profile's accepted list"
            if e.display
            else "it does not say which policy it amends"
        )
        return (
            "needs_review",
            found,
            f"{e.name[0].upper()}{e.name[1:]} provides {words}, but {why} — check it "
            f"applies to {label}.",
            cite(e),
        )
    if wording:
        ev = evidence_for(ctx, "description_of_operations")
        if benefit == PRIMARY_NONCONTRIBUTORY:
            # No box exists for P&NC; the wording is the usual way it is shown, but a
            # certificate does not amend the policy, so a person accepts it or asks for more.
            return (
                "needs_review",
                found,
                f"The description of operations says {label} is primary and "
                f"non-contributory, but no endorsement shows it — accept the wording or "
                f"ask for the endorsement (such as CG 20 01).",
                ev,
            )
        return (
            "needs_review",
            found,
            f"{label} {box_name} is not marked, but the description of operations mentions "
            f"{words} — check it, or ask for the endorsement.",
            ev,
        )
    if box_name and policy is not None and box is None:
        return (
            "needs_review",
            found,
            f"{label} {box_name} could not be read — check the certificate.",
            box_ev,
        )
    if box is False and box_doubt is not None:
        return (
            "needs_review",
            found,
            f"{label} {box_name} reads as not marked, {doubt_clause(box_doubt)}.",
            box_ev,
        )
    if ctx.kind == "endorsement":
        return (
            "fail",
            found,
            f"No {words} endorsement for {label} among the pages sent.",
            (None, None),
        )
    if benefit == PRIMARY_NONCONTRIBUTORY:
        return (
            "fail",
            found,
            f"{label} is not shown as primary and non-contributory: no endorsement says so "
            f"and the description of operations does not mention it.",
            NO_EVIDENCE,
        )
    return (
        "fail",
        found,
        f"{label} does not show {words}: {box_name} is not marked and no {words} "
        f"endorsement was provided.",
        box_ev,
    )
