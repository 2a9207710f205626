"""The rules for one coverage's policy row: it is there, it is in force long enough, WC is
per statute, each limit meets the profile (or an umbrella may make up the difference), and
the general aggregate applies per project."""

from __future__ import annotations

from collections.abc import Sequence

from coi_desktop.review.checklist import JSONValue, Result
from coi_desktop.review.endorsement_rules import cite, supporting_endorsements
from coi_desktop.review.money import format_money
from coi_desktop.review.precheck_context import (
    NO_EVIDENCE,
    Context,
    Outcome,
    Policy,
    dollars,
    doubt_clause,
    evidence_for,
    not_checked,
    parse_date,
    uncertain,
    us_date,
)
from coi_desktop.review.requirement_terms import (
    MAXIMUM_LIMITS,
    PER_PROJECT_AGGREGATE,
    Requirement,
    coverage_label,
    coverage_name,
    limit_label,
)

# Underlying limits an umbrella/excess can sit over, and which of its limits would do it.
_UMBRELLA_BACKS: dict[tuple[str, str], str] = {
    ("general_liability", "each_occurrence"): "each_occurrence",
    ("general_liability", "personal_advertising_injury"): "each_occurrence",
    ("general_liability", "general_aggregate"): "aggregate",
    ("general_liability", "products_completed_ops_aggregate"): "aggregate",
    ("automobile_liability", "combined_single_limit"): "each_occurrence",
    ("automobile_liability", "bodily_injury_per_person"): "each_occurrence",
    ("automobile_liability", "bodily_injury_per_accident"): "each_occurrence",
    ("automobile_liability", "property_damage"): "each_occurrence",
    ("workers_compensation", "el_each_accident"): "each_occurrence",
    ("workers_compensation", "el_disease_each_employee"): "each_occurrence",
    ("workers_compensation", "el_disease_policy_limit"): "aggregate",
}


def present(ctx: Context, coverage: str, policy: Policy | None) -> Outcome:
    name = coverage_name(coverage)
    if policy is None:
        if not ctx.policies:
            # Nothing read from the coverage table at all is more likely a reading failure
            # than a certificate with no insurance on it.
            return (
                "needs_review",
                False,
                f"No coverage could be read from the certificate; check whether it shows {name}.",
                NO_EVIDENCE,
            )
        return "fail", False, f"No {name} policy on the certificate.", NO_EVIDENCE
    ev = evidence_for(ctx, policy.key("policy_number"))
    if policy.coverage != coverage:
        return (
            "pass",
            True,
            f"{coverage_name(policy.coverage).capitalize()} policy{policy.number} is on the "
            f"certificate (umbrella and excess share a row; taken for the required {name}).",
            ev,
        )
    return "pass", True, f"{name.capitalize()} policy{policy.number} is on the certificate.", ev


def dates(ctx: Context, policy: Policy) -> Outcome:
    effective = parse_date(policy.data.get("effective_date"))
    expiration = parse_date(policy.data.get("expiration_date"))
    ev_eff = evidence_for(ctx, policy.key("effective_date"))
    ev_exp = evidence_for(ctx, policy.key("expiration_date"))
    ev = ev_exp if ev_exp[0] else ev_eff
    days = (expiration - ctx.today).days if expiration else None
    found: JSONValue = {
        "effective_date": effective.isoformat() if effective else None,
        "expiration_date": expiration.isoformat() if expiration else None,
        "days_remaining": days,
    }
    what = f"{coverage_name(policy.coverage)} policy{policy.number}"
    if effective is None or expiration is None:
        missing = " and ".join(
            n for n, d in (("effective", effective), ("expiration", expiration)) if d is None
        )
        return (
            "needs_review",
            found,
            f"The {missing} date of the {what} could not be read — check the certificate.",
            ev,
        )
    if expiration < effective:
        return (
            "needs_review",
            found,
            f"The {what} expires ({us_date(expiration)}) before it starts "
            f"({us_date(effective)}) — the dates were probably misread; check them.",
            ev,
        )
    if expiration < ctx.today:
        result, message = "fail", f"The {what} expired on {us_date(expiration)}."
    elif effective > ctx.today:
        result, message = "fail", f"The {what} does not start until {us_date(effective)}."
    elif days is not None and days < ctx.min_days:
        left = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        result, message = (
            "fail",
            (
                f"The {what} expires on {us_date(expiration)}, {left}; at least {ctx.min_days} "
                f"days are required."
            ),
        )
    else:
        result, message = (
            "pass",
            (
                f"The {what} is in force {us_date(effective)}–{us_date(expiration)} "
                f"({days} days left)."
            ),
        )
    doubt = uncertain(ev_eff[1], ev_exp[1])
    if doubt is not None:
        return "needs_review", found, f"{message[:-1]}, {doubt_clause(doubt)}.", ev
    return ("pass" if result == "pass" else "fail"), found, message, ev


def statutory(ctx: Context, label: str, policy: Policy) -> Outcome:
    value = policy.limits.get("statutory")
    ev = evidence_for(ctx, policy.key("limits.statutory"))
    if not isinstance(value, bool):
        return (
            "needs_review",
            None,
            f"Whether {label} is marked PER STATUTE could not be read — check the certificate.",
            ev,
        )
    doubt = uncertain(ev[1])
    if doubt is not None:
        state = "marked" if value else "not marked"
        return (
            "needs_review",
            value,
            f"{label} reads as {state} PER STATUTE, {doubt_clause(doubt)}.",
            ev,
        )
    if value:
        return "pass", True, f"{label} is marked PER STATUTE.", ev
    return "fail", False, f"{label} is not marked PER STATUTE.", ev


def limit(
    ctx: Context, coverage: str, req: Requirement, policy: Policy, umbrella: Policy | None
) -> Outcome:
    required = dollars(req.required)
    found = dollars(policy.limits.get(req.key))
    ev = evidence_for(ctx, policy.key(f"limits.{req.key}"))
    if required is None:
        return (
            "needs_review",
            found,
            f"The profile's {req.label} ({req.required!r}) is not a dollar amount — check "
            f"the requirement.",
            ev,
        )
    if found is None:
        split = _split_auto_limits(policy) if req.key == "combined_single_limit" else ""
        if split:
            return (
                "needs_review",
                None,
                f"{req.label} is not shown; the certificate gives split limits ({split}) — "
                f"check them against the required {format_money(required)}.",
                ev,
            )
        return (
            "needs_review",
            None,
            f"{req.label} is blank or could not be read — check the certificate "
            f"(required {format_money(required)}).",
            ev,
        )
    doubt = uncertain(ev[1])
    if req.key in MAXIMUM_LIMITS:
        if found <= required:
            result: Result = "pass"
            message = (
                f"{req.label} {format_money(found)} is within the allowed {format_money(required)}."
            )
        else:
            result = "fail"
            message = (
                f"{req.label} {format_money(found)} is above the allowed {format_money(required)}."
            )
    elif found >= required:
        result = "pass"
        message = f"{req.label} {format_money(found)} meets the required {format_money(required)}."
    else:
        result = "fail"
        message = (
            f"{req.label} {format_money(found)} is below the required {format_money(required)}."
        )
        backing = _UMBRELLA_BACKS.get((coverage, req.key))
        if doubt is None and backing and umbrella is not None and umbrella.index != policy.index:
            extra = dollars(umbrella.limits.get(backing))
            if extra is None and backing == "aggregate":
                extra = dollars(umbrella.limits.get("each_occurrence"))
            kind = "umbrella" if umbrella.coverage == "umbrella_liability" else "excess"
            if extra is not None and found + extra >= required:
                # Only the umbrella's schedule of underlying insurance says whether it sits
                # over this policy; a certificate cannot, so a person decides.
                return (
                    "needs_review",
                    found,
                    f"{req.label} {format_money(found)} is below {format_money(required)}; "
                    f"{kind} {format_money(extra)} may make up the difference — check the "
                    f"{kind}'s schedule of underlying insurance.",
                    ev,
                )
            if extra is not None:
                message = (
                    f"{message[:-1]}, and the {kind}'s {format_money(extra)} does not "
                    f"make up the difference."
                )
    if doubt is not None:
        verdict = "meets" if result == "pass" else "does not meet"
        return (
            "needs_review",
            found,
            f"{req.label} reads {format_money(found)}, which {verdict} the "
            f"{'allowed' if req.key in MAXIMUM_LIMITS else 'required'} "
            f"{format_money(required)}, {doubt_clause(doubt)}.",
            ev,
        )
    return result, found, message, ev


def _split_auto_limits(policy: Policy) -> str:
    parts = []
    for key in ("bodily_injury_per_person", "bodily_injury_per_accident", "property_damage"):
        value = dollars(policy.limits.get(key))
        if value is not None:
            parts.append(f"{limit_label(key)} {format_money(value)}")
    return ", ".join(parts)


def per_project(
    ctx: Context, accepted_keys: Sequence[str], coverage: str, policy: Policy | None
) -> Outcome:
    """The general aggregate applies per project, by endorsement or by the box."""
    label = coverage_label(coverage)
    accepted, _ = supporting_endorsements(ctx, accepted_keys, coverage, PER_PROJECT_AGGREGATE)
    confident = [e for e in accepted if uncertain(e.evidence) is None]
    if confident:
        e = confident[0]
        return (
            "pass",
            "project",
            f"{label} general aggregate applies per project by {e.name}.",
            cite(e),
        )
    if policy is None:
        return "na", None, not_checked(ctx), NO_EVIDENCE
    value = policy.data.get("aggregate_applies_per")
    ev = evidence_for(ctx, policy.key("aggregate_applies_per"))
    if value not in ("policy", "project", "location"):
        return (
            "needs_review",
            None,
            f"Whether the {label} general aggregate applies per policy, project or location "
            f"could not be read — check the certificate.",
            ev,
        )
    doubt = uncertain(ev[1])
    if doubt is not None:
        return (
            "needs_review",
            value,
            f"The {label} general aggregate reads as applying per {value}, {doubt_clause(doubt)}.",
            ev,
        )
    if value == "project":
        return "pass", value, f"The {label} general aggregate applies per project.", ev
    return (
        "fail",
        value,
        f"The {label} general aggregate applies per {value}, not per project.",
        ev,
    )
