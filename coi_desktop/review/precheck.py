"""The pre-check: a requirement profile evaluated against an extraction, line by line.

Each line says pass, fail or needs_review (or na) with the value required, the value
found, the evidence and a plain sentence. The rule of thumb: a line passes only when the
document clearly shows the requirement is met; anything read with doubt, or shown only by
wording a certificate cannot bind the insurer to, goes to a person.

This module is the public face: it turns each profile line into its requirements and
hands each to its rule (parties.py, coverage_rules.py, endorsement_rules.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from coi_desktop.review import coverage_rules
from coi_desktop.review.checklist import ChecklistLine, JSONValue, Result
from coi_desktop.review.damage import review_damaged
from coi_desktop.review.endorsement_rules import accepted_forms, benefit_outcome
from coi_desktop.review.parties import holder_line, insured_line
from coi_desktop.review.precheck_context import (
    CONFIDENCE_THRESHOLD,
    NO_EVIDENCE,
    Context,
    Evidence,
    Policy,
    checklist_line,
    find_policy,
    find_umbrella,
    not_checked,
    read_context,
)
from coi_desktop.review.requirement_terms import (
    ADDITIONAL_INSURED,
    BENEFIT_WORDS,
    BENEFITS,
    COVERAGE_LABELS,
    COVERAGE_NAMES,
    LIMIT_LABELS,
    MAXIMUM_LIMITS,
    PER_PROJECT_AGGREGATE,
    PRIMARY_NONCONTRIBUTORY,
    WAIVER_OF_SUBROGATION,
    Requirement,
    coverage_label,
    coverage_name,
    limit_label,
)

# The names below were public here before the pre-check was split; they stay importable.
__all__ = [
    "ADDITIONAL_INSURED",
    "CONFIDENCE_THRESHOLD",
    "COVERAGE_LABELS",
    "COVERAGE_NAMES",
    "LIMIT_LABELS",
    "MAXIMUM_LIMITS",
    "PER_PROJECT_AGGREGATE",
    "PRIMARY_NONCONTRIBUTORY",
    "WAIVER_OF_SUBROGATION",
    "compose_deficiencies",
    "evaluate",
    "policies_for_decision",
]


def _requirements(ctx: Context, line: Mapping[str, Any], coverage: str) -> list[Requirement]:
    label = coverage_label(coverage)
    in_force: JSONValue = {"in_force_on": ctx.today.isoformat(), "min_days_remaining": ctx.min_days}
    reqs = [
        Requirement("present", "present", f"{label} policy", True),
        Requirement("in_force", "in_force", f"{label} dates", in_force),
    ]
    limits = line.get("limits")
    limits = limits if isinstance(limits, Mapping) else {}
    if line.get("statutory") is True or limits.get("statutory") is True:
        reqs.append(Requirement("statutory", "statutory", f"{label} per statute", True))
    for key, value in limits.items():
        if key != "statutory" and isinstance(key, str):
            reqs.append(Requirement(key, "limit", f"{label} {limit_label(key)}", value))
    for benefit in BENEFITS:
        if line.get(benefit) is True:
            words = BENEFIT_WORDS[benefit]
            reqs.append(Requirement(benefit, "benefit", f"{label} {words}", True))
    if line.get(PER_PROJECT_AGGREGATE) is True:
        reqs.append(
            Requirement(
                PER_PROJECT_AGGREGATE, "per_project", f"{label} per-project aggregate", "project"
            )
        )
    return reqs


def _coverage_lines(
    ctx: Context, line: Mapping[str, Any], umbrella: Policy | None
) -> list[ChecklistLine]:
    coverage = str(line.get("coverage"))
    name = coverage_name(coverage)
    policy = find_policy(ctx, coverage) if ctx.kind == "coi" else None
    accepted = accepted_forms(line)
    out: list[ChecklistLine] = []
    for req in _requirements(ctx, line, coverage):
        result: Result
        found: JSONValue
        ev: Evidence = NO_EVIDENCE
        if ctx.kind == "unknown":
            result, found, message = "na", None, not_checked(ctx)
        elif ctx.kind == "endorsement":
            # An endorsement shows benefits and a per-project aggregate, nothing else.
            if req.kind == "benefit":
                result, found, message, ev = benefit_outcome(ctx, accepted, coverage, req.key, None)
            elif req.kind == "per_project":
                result, found, message, ev = coverage_rules.per_project(
                    ctx, accepted, coverage, None
                )
            else:
                result, found, message = "na", None, not_checked(ctx)
        elif req.kind == "present":
            result, found, message, ev = coverage_rules.present(ctx, coverage, policy)
        elif policy is None:
            result, found = "na", None
            message = f"Not checked: no {name} policy on the certificate."
        elif req.kind == "in_force":
            result, found, message, ev = coverage_rules.dates(ctx, policy)
        elif req.kind == "statutory":
            result, found, message, ev = coverage_rules.statutory(
                ctx, coverage_label(coverage), policy
            )
        elif req.kind == "benefit":
            result, found, message, ev = benefit_outcome(ctx, accepted, coverage, req.key, policy)
        elif req.kind == "per_project":
            result, found, message, ev = coverage_rules.per_project(ctx, accepted, coverage, policy)
        else:
            result, found, message, ev = coverage_rules.limit(ctx, coverage, req, policy, umbrella)
        out.append(
            checklist_line(
                f"{coverage}.{req.key}",
                coverage,
                req.label,
                result,
                req.required,
                found,
                message,
                ev,
            )
        )
    return out


# ---------------------------------------------------------------------- public API


def evaluate(
    profile: Mapping[str, Any],
    extraction: Mapping[str, Any],
    *,
    vendor_name: str,
    today: date,
) -> list[ChecklistLine]:
    """The checklist for one document: document-level lines (certificate holder, insured),
    then each coverage line of the profile in the profile's order.

    Never raises on odd input: a missing or malformed value becomes a line a person checks.
    """
    ctx = read_context(profile, extraction, today)
    lines: list[ChecklistLine] = []
    if ctx.kind == "unknown":
        lines.append(
            checklist_line(
                "document",
                None,
                "Document",
                "fail",
                "coi",
                extraction.get("kind") if isinstance(extraction.get("kind"), str) else None,
                "The file could not be read as a certificate of insurance; please send a readable "
                "ACORD 25 certificate.",
            )
        )
    lines.append(holder_line(ctx, profile, extraction.get("certificate_holder")))
    lines.append(insured_line(ctx, extraction.get("insured"), vendor_name))
    umbrella = find_umbrella(ctx) if ctx.kind == "coi" else None
    profile_lines = profile.get("lines")
    for line in profile_lines if isinstance(profile_lines, list) else []:
        if isinstance(line, Mapping) and isinstance(line.get("coverage"), str):
            lines.extend(_coverage_lines(ctx, line, umbrella))
    return review_damaged(lines, extraction)


def compose_deficiencies(lines: Iterable[ChecklistLine]) -> list[str]:
    """The failed lines' sentences, in checklist order, each once: the deficiency list the
    tracker sends to the vendor."""
    seen: set[str] = set()
    out: list[str] = []
    for line in lines:
        if line.result == "fail" and line.message not in seen:
            seen.add(line.message)
            out.append(line.message)
    return out


def policies_for_decision(extraction: Mapping[str, Any]) -> list[dict[str, JSONValue]]:
    """The tracker decision's ``policies`` items, one per coverage row on the certificate,
    with the insurer's name and NAIC looked up by the row's insurer letter."""
    insurers: dict[str, Mapping[str, Any]] = {}
    raw_insurers = extraction.get("insurers")
    for insurer in raw_insurers if isinstance(raw_insurers, list) else []:
        if isinstance(insurer, Mapping) and isinstance(insurer.get("letter"), str):
            insurers.setdefault(insurer["letter"].strip().upper(), insurer)
    out: list[dict[str, JSONValue]] = []
    policies: Sequence[Any] = extraction.get("policies") or []
    for policy in policies if isinstance(policies, list) else []:
        if not isinstance(policy, Mapping):
            continue
        letter = policy.get("insurer_letter")
        insurer = insurers.get(letter.strip().upper(), {}) if isinstance(letter, str) else {}
        limits = policy.get("limits")
        out.append(
            {
                "coverage": policy.get("coverage"),
                "insurer": insurer.get("name"),
                "naic": insurer.get("naic"),
                "policy_number": policy.get("policy_number"),
                "effective_date": policy.get("effective_date"),
                "expiration_date": policy.get("expiration_date"),
                "limits": dict(limits) if isinstance(limits, Mapping) else {},
            }
        )
    return out
