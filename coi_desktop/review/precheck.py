"""The pre-check: a requirement profile evaluated against an extraction, line by line.

Each line says pass, fail or needs_review (or na) with the value required, the value
found, the evidence and a plain sentence. The rule of thumb: a line passes only when the
document clearly shows the requirement is met; anything read with doubt, or shown only by
wording a certificate cannot bind the insurer to, goes to a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeAlias

from coi_desktop.review.checklist import ChecklistLine, JSONValue, Result
from coi_desktop.review.money import format_money
from coi_desktop.review.names import (
    NameMatch,
    addresses_match,
    compare_names,
    split_name_address,
)

# Extraction confidence below this never passes a line (assembly.py drops repaired and
# OCR-guessed values under it on purpose).
CONFIDENCE_THRESHOLD = 0.8

COVERAGE_NAMES: dict[str, str] = {
    "general_liability": "general liability",
    "automobile_liability": "automobile liability",
    "umbrella_liability": "umbrella liability",
    "excess_liability": "excess liability",
    "workers_compensation": "workers compensation",
    "professional_liability": "professional liability",
    "pollution_liability": "pollution liability",
    "builders_risk": "builder's risk",
    "other": "other coverage",
}
COVERAGE_LABELS: dict[str, str] = {
    "general_liability": "GL",
    "automobile_liability": "Auto",
    "umbrella_liability": "Umbrella",
    "excess_liability": "Excess",
    "workers_compensation": "WC",
    "professional_liability": "Professional",
    "pollution_liability": "Pollution",
    "builders_risk": "Builder's risk",
    "other": "Other coverage",
}
LIMIT_LABELS: dict[str, str] = {
    "each_occurrence": "each occurrence",
    "damage_to_rented_premises": "damage to rented premises",
    "medical_expense": "medical expense",
    "personal_advertising_injury": "personal & advertising injury",
    "general_aggregate": "general aggregate",
    "products_completed_ops_aggregate": "products-completed operations aggregate",
    "combined_single_limit": "combined single limit",
    "bodily_injury_per_person": "bodily injury per person",
    "bodily_injury_per_accident": "bodily injury per accident",
    "property_damage": "property damage",
    "aggregate": "aggregate",
    "retention": "retention",
    "el_each_accident": "E.L. each accident",
    "el_disease_each_employee": "E.L. disease each employee",
    "el_disease_policy_limit": "E.L. disease policy limit",
    "limit": "limit",
}
# A self-insured retention is a most, not a least: a larger one is worse for the holder.
MAXIMUM_LIMITS: frozenset[str] = frozenset({"retention"})

_UMBRELLA_ROW = ("umbrella_liability", "excess_liability")  # one row on the ACORD 25
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
# ISO form prefixes say which policy an endorsement belongs to.
_FORM_PREFIX_COVERAGE: dict[str, tuple[str, ...]] = {
    "CG": ("general_liability",),
    "CA": ("automobile_liability",),
    "WC": ("workers_compensation",),
    "CU": _UMBRELLA_ROW,
}

ADDITIONAL_INSURED = "additional_insured"
WAIVER_OF_SUBROGATION = "waiver_of_subrogation"
PRIMARY_NONCONTRIBUTORY = "primary_noncontributory"
PER_PROJECT_AGGREGATE = "per_project_aggregate"
_BENEFITS: tuple[str, ...] = (ADDITIONAL_INSURED, WAIVER_OF_SUBROGATION, PRIMARY_NONCONTRIBUTORY)
_BENEFIT_WORDS: dict[str, str] = {
    ADDITIONAL_INSURED: "additional insured",
    WAIVER_OF_SUBROGATION: "waiver of subrogation",
    PRIMARY_NONCONTRIBUTORY: "primary & non-contributory",
    PER_PROJECT_AGGREGATE: "per-project aggregate",
}
_BOXES: dict[str, str] = {ADDITIONAL_INSURED: "ADDL INSD", WAIVER_OF_SUBROGATION: "SUBR WVD"}
# Blanket wording brokers put in DESCRIPTION OF OPERATIONS.
_WORDING: dict[str, re.Pattern[str]] = {
    ADDITIONAL_INSURED: re.compile(r"\badditional(ly)?\s+insureds?\b", re.IGNORECASE),
    WAIVER_OF_SUBROGATION: re.compile(
        r"waiver\s+of\s+(rights?\s+of\s+)?subrogation|waives?\s+(all\s+)?(rights?\s+of\s+)?"
        r"subrogation|subrogation\s+(is\s+|are\s+)?waived|waiver\s+of\s+(our\s+)?right\s+to\s+"
        r"recover",
        re.IGNORECASE,
    ),
    PRIMARY_NONCONTRIBUTORY: re.compile(
        r"\bprimary\s*(and|&|/|,)?\s*non[\s-]*contributory", re.IGNORECASE
    ),
}
_FORM_KEY = re.compile(r"[^A-Z0-9]")


_Evidence: TypeAlias = tuple[str | None, dict[str, JSONValue] | None]  # (key, evidence)
_NO_EVIDENCE: _Evidence = (None, None)
# What a single check decides: result, value found, sentence, evidence.
_Outcome: TypeAlias = tuple[Result, JSONValue, str, _Evidence]


@dataclass(frozen=True)
class _Endorsement:
    index: int
    display: str  # "CG 20 10 04 13", or "" for a broker's blanket endorsement
    key: str  # "CG20100413": form number and edition without spaces
    page: int | None
    provides: frozenset[str]
    coverages: tuple[str, ...]  # from the form prefix; () when unknown
    evidence_key: str | None
    evidence: dict[str, JSONValue] | None

    @property
    def name(self) -> str:
        where = f" (page {self.page})" if self.page is not None else ""
        if self.display:
            return f"endorsement {self.display}{where}"
        return f"a blanket endorsement with no form number{where}"


@dataclass(frozen=True)
class _Context:
    kind: str  # "coi" | "endorsement" | "unknown"
    today: date
    min_days: int
    evidence: Mapping[str, Any]
    policies: tuple[Mapping[str, Any], ...]
    endorsements: tuple[_Endorsement, ...]
    wording: frozenset[str]  # benefits mentioned in the description of operations


@dataclass(frozen=True)
class _Policy:
    index: int
    data: Mapping[str, Any]

    @property
    def coverage(self) -> str:
        return str(self.data.get("coverage"))

    def key(self, field: str) -> str:
        return f"policies[{self.index}].{field}"

    @property
    def limits(self) -> Mapping[str, Any]:
        limits = self.data.get("limits")
        return limits if isinstance(limits, Mapping) else {}

    @property
    def number(self) -> str:
        number = self.data.get("policy_number")
        return f" {number}" if isinstance(number, str) and number.strip() else ""


@dataclass(frozen=True)
class _Requirement:
    """One line a profile line asks for, before it is checked."""

    key: str  # "present", "in_force", "statutory", a limit key or a benefit
    kind: str  # "present" | "in_force" | "statutory" | "limit" | "benefit" | "per_project"
    label: str
    required: JSONValue


# ---------------------------------------------------------------------------- helpers


def _coverage_label(coverage: str) -> str:
    return COVERAGE_LABELS.get(coverage, coverage.replace("_", " ").capitalize())


def _coverage_name(coverage: str) -> str:
    return COVERAGE_NAMES.get(coverage, coverage.replace("_", " "))


def _limit_label(key: str) -> str:
    return LIMIT_LABELS.get(key, key.replace("_", " "))


def _us_date(value: date) -> str:
    """Dates as the ACORD 25 prints them, so the vendor recognises them."""
    return value.strftime("%m/%d/%Y")


def _parse_date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _money(value: object) -> int | None:
    """Whole dollars, or None for anything else (bools are not money)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _evidence(ctx: _Context, key: str) -> _Evidence:
    evidence = ctx.evidence.get(key)
    if isinstance(evidence, dict):
        return key, evidence
    return None, None


def _confidence(evidence: Mapping[str, Any] | None) -> float | None:
    if evidence is None:
        return None
    value = evidence.get("confidence")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _uncertain(*evidence: Mapping[str, Any] | None) -> float | None:
    """The lowest confidence under the threshold among these readings, else None."""
    low = [c for c in map(_confidence, evidence) if c is not None and c < CONFIDENCE_THRESHOLD]
    return min(low) if low else None


def _doubt(confidence: float) -> str:
    return f"but the reading is uncertain (confidence {confidence:.2f}) — check the document"


def _lines(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[\r\n]+", text) if part.strip()]


def _form_key(text: object) -> str:
    return _FORM_KEY.sub("", text.upper()) if isinstance(text, str) else ""


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _line(
    requirement: str,
    coverage: str | None,
    label: str,
    result: Result,
    required: JSONValue,
    found: JSONValue,
    message: str,
    evidence: _Evidence = _NO_EVIDENCE,
) -> ChecklistLine:
    return ChecklistLine(
        requirement=requirement,
        coverage=coverage,
        label=label,
        result=result,
        required=required,
        found=found,
        message=message,
        evidence_key=evidence[0],
        evidence=evidence[1],
    )


# ------------------------------------------------------------------ reading the input


def _endorsements(extraction: Mapping[str, Any]) -> tuple[_Endorsement, ...]:
    evidence_map = extraction.get("evidence")
    evidence_map = evidence_map if isinstance(evidence_map, Mapping) else {}
    raw = extraction.get("endorsements")
    found: list[_Endorsement] = []
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(item, Mapping):
            continue
        form, edition = _text(item.get("form_number")), _text(item.get("edition"))
        key, edition_key = _form_key(form), _form_key(edition)
        if form and edition and not key.endswith(edition_key):
            key += edition_key
            form = f"{form} {edition}"
        page = item.get("page")
        page = page if isinstance(page, int) and not isinstance(page, bool) else None
        provides = item.get("provides")
        benefits = frozenset(p for p in provides if isinstance(p, str)) if isinstance(
            provides, list
        ) else frozenset()
        ev_key: str | None = None
        evidence: dict[str, JSONValue] | None = None
        for candidate in (f"endorsements[{index}].form_number", f"endorsements[{index}]"):
            if isinstance(evidence_map.get(candidate), dict):
                ev_key, evidence = candidate, evidence_map[candidate]
                break
        if evidence is None and page is not None:
            # Enough for the review screen to turn to the page.
            evidence = {"page": page, "rect": None, "source": None, "confidence": None}
        found.append(
            _Endorsement(
                index=index,
                display=form,
                key=key,
                page=page,
                provides=benefits,
                coverages=_FORM_PREFIX_COVERAGE.get(key[:2], ()) if key else (),
                evidence_key=ev_key,
                evidence=evidence,
            )
        )
    return tuple(found)


def _context(profile: Mapping[str, Any], extraction: Mapping[str, Any], today: date) -> _Context:
    kind = extraction.get("kind")
    min_days = profile.get("min_days_remaining")
    evidence = extraction.get("evidence")
    policies = extraction.get("policies")
    description = _text(extraction.get("description_of_operations"))
    return _Context(
        kind=kind if kind in ("coi", "endorsement") else "unknown",
        today=today,
        min_days=min_days if isinstance(min_days, int) and not isinstance(min_days, bool) else 0,
        evidence=evidence if isinstance(evidence, Mapping) else {},
        policies=tuple(
            p for p in (policies if isinstance(policies, list) else []) if isinstance(p, Mapping)
        ),
        endorsements=_endorsements(extraction),
        wording=frozenset(b for b, pattern in _WORDING.items() if pattern.search(description)),
    )


def _in_force(policy: Mapping[str, Any], today: date) -> bool:
    effective = _parse_date(policy.get("effective_date"))
    expiration = _parse_date(policy.get("expiration_date"))
    return (effective is None or effective <= today) and (
        expiration is None or today <= expiration
    )


def _find_policy(ctx: _Context, coverage: str) -> _Policy | None:
    """The policy for a coverage line: one in force today if there are several.

    Umbrella and excess share one row on the ACORD 25, so either stands for the other.
    """
    wanted = _UMBRELLA_ROW if coverage in _UMBRELLA_ROW else (coverage,)
    candidates = [_Policy(i, p) for i, p in enumerate(ctx.policies) if p.get("coverage") in wanted]
    if not candidates:
        return None
    exact = [c for c in candidates if c.coverage == coverage] or candidates
    return max(
        exact,
        key=lambda c: (
            _in_force(c.data, ctx.today),
            _parse_date(c.data.get("expiration_date")) or date.min,
        ),
    )


def _umbrella(ctx: _Context) -> _Policy | None:
    """An umbrella/excess policy that is not known to be out of force, largest first."""
    best: _Policy | None = None
    for i, policy in enumerate(ctx.policies):
        if policy.get("coverage") not in _UMBRELLA_ROW or not _in_force(policy, ctx.today):
            continue
        candidate = _Policy(i, policy)
        size = _money(candidate.limits.get("each_occurrence")) or 0
        if best is None or size > (_money(best.limits.get("each_occurrence")) or 0):
            best = candidate
    return best


def _requirements(ctx: _Context, line: Mapping[str, Any], coverage: str) -> list[_Requirement]:
    label = _coverage_label(coverage)
    in_force: JSONValue = {"in_force_on": ctx.today.isoformat(), "min_days_remaining": ctx.min_days}
    reqs = [
        _Requirement("present", "present", f"{label} policy", True),
        _Requirement("in_force", "in_force", f"{label} dates", in_force),
    ]
    limits = line.get("limits")
    limits = limits if isinstance(limits, Mapping) else {}
    if line.get("statutory") is True or limits.get("statutory") is True:
        reqs.append(_Requirement("statutory", "statutory", f"{label} per statute", True))
    for key, value in limits.items():
        if key != "statutory" and isinstance(key, str):
            reqs.append(_Requirement(key, "limit", f"{label} {_limit_label(key)}", value))
    for benefit in _BENEFITS:
        if line.get(benefit) is True:
            words = _BENEFIT_WORDS[benefit]
            reqs.append(_Requirement(benefit, "benefit", f"{label} {words}", True))
    if line.get(PER_PROJECT_AGGREGATE) is True:
        reqs.append(
            _Requirement(PER_PROJECT_AGGREGATE, "per_project", f"{label} per-project aggregate",
                         "project")
        )
    return reqs


# ------------------------------------------------------------- document-level lines


def _holder_line(ctx: _Context, profile: Mapping[str, Any], holder: Any) -> ChecklistLine:
    requirement, label = "certificate_holder", "Certificate holder"
    wanted = profile.get("certificate_holder")
    if isinstance(wanted, Mapping):  # tolerate {"name", "address"} as well as one string
        wanted = "\n".join(_text(wanted.get(k)) for k in ("name", "address"))
    required = ", ".join(_lines(_text(wanted)))

    def line(
        result: Result, found: JSONValue, message: str, ev: _Evidence = _NO_EVIDENCE
    ) -> ChecklistLine:
        return _line(requirement, None, label, result, required or None, found, message, ev)

    if not required:
        return line("na", None, "This requirement profile names no certificate holder.")
    if ctx.kind != "coi":
        return line("na", None, _not_checked(ctx))
    holder = holder if isinstance(holder, Mapping) else {}
    name, address = _text(holder.get("name")), _text(holder.get("address"))
    ev = _evidence(ctx, "certificate_holder.name")
    if not name:
        return line(
            "needs_review", None,
            "The certificate holder could not be read — check the certificate.", ev,
        )
    # The name box sometimes holds the whole block, address included.
    found_name, address_in_name = split_name_address(name)
    found_address = split_name_address(f"{found_name}\n{address}")[1] if address else (
        address_in_name
    )
    found = ", ".join(_lines(f"{name}\n{address}" if address else name))
    required_name, required_address = split_name_address(required)
    match = compare_names(found_name, required_name)
    doubt = _uncertain(ev[1], _evidence(ctx, "certificate_holder.address")[1])
    if match is NameMatch.DIFFERENT:
        if doubt is not None:
            return line("needs_review", found, f"The certificate holder reads {found!r}, not "
                        f"{required!r}, {_doubt(doubt)}.", ev)
        return line("fail", found, f"The certificate holder must be {required}; the "
                    f"certificate shows {found}.", ev)
    if not match.accepted:
        return line("needs_review", found,
                    f"The certificate holder {found_name!r} {_near_miss(match)} the required "
                    f"{required_name!r} — check it is the same company.", ev)
    if required_address and not found_address:
        return line("needs_review", found,
                    f"The certificate holder name matches, but no address is shown; the "
                    f"required address is {required_address}.", ev)
    if required_address and not addresses_match(found_address, required_address):
        return line("needs_review", found,
                    f"The certificate holder name matches, but the address {found_address!r} "
                    f"differs from the required {required_address!r} — check it.", ev)
    if doubt is not None:
        return line("needs_review", found,
                    f"The certificate holder reads {found!r}, which matches, {_doubt(doubt)}.",
                    ev)
    return line("pass", found, f"The certificate holder matches {required}.", ev)


def _near_miss(match: NameMatch) -> str:
    return {
        NameMatch.LEGAL_FORM_DIFFERS: "has a different legal form (LLC, Inc, …) from",
        NameMatch.PARTIAL: "only partly matches",
        NameMatch.SIMILAR: "is spelled slightly differently from",
    }.get(match, "differs from")


def _insured_line(ctx: _Context, insured: Any, vendor_name: str) -> ChecklistLine:
    requirement, label = "insured_name", "Insured"
    vendor = vendor_name.strip()

    def line(
        result: Result, found: JSONValue, message: str, ev: _Evidence = _NO_EVIDENCE
    ) -> ChecklistLine:
        return _line(requirement, None, label, result, vendor or None, found, message, ev)

    insured = insured if isinstance(insured, Mapping) else {}
    # An insured box read as one block can carry the address lines too.
    name = _text(insured.get("name"))
    name_only, address = split_name_address(name)
    name = name_only if address else name
    ev = _evidence(ctx, "insured.name")
    if not vendor:
        return line("na", name or None, "No vendor name to compare the insured with.", ev)
    if ctx.kind == "unknown" or (ctx.kind == "endorsement" and not name):
        return line("na", name or None, _not_checked(ctx), ev)
    if not name:
        return line("needs_review", None,
                    "The insured's name could not be read — check the certificate.", ev)
    match = compare_names(name, vendor)
    doubt = _uncertain(ev[1])
    if match is NameMatch.DIFFERENT:
        if doubt is not None:
            return line("needs_review", name,
                        f"The insured reads {name!r}, not the vendor {vendor!r}, {_doubt(doubt)}.",
                        ev)
        return line("fail", name,
                    f"The insured on the certificate is {name}; it must be {vendor}.", ev)
    if not match.accepted:
        return line("needs_review", name,
                    f"The insured {name!r} {_near_miss(match)} the vendor {vendor!r} — check it "
                    f"is the same company.", ev)
    if doubt is not None:
        return line("needs_review", name,
                    f"The insured reads {name!r}, which matches the vendor, {_doubt(doubt)}.", ev)
    return line("pass", name, f"The insured {name} matches the vendor {vendor}.", ev)


def _not_checked(ctx: _Context) -> str:
    if ctx.kind == "endorsement":
        return "Not checked: an endorsement does not show this; the certificate does."
    return "Not checked: the file could not be read as a certificate."


# ------------------------------------------------------------------ coverage lines


def _present(ctx: _Context, coverage: str, policy: _Policy | None) -> _Outcome:
    name = _coverage_name(coverage)
    if policy is None:
        if not ctx.policies:
            # Nothing read from the coverage table at all is more likely a reading failure
            # than a certificate with no insurance on it.
            return ("needs_review", False,
                    f"No coverage could be read from the certificate; check whether it shows "
                    f"{name}.", _NO_EVIDENCE)
        return "fail", False, f"No {name} policy on the certificate.", _NO_EVIDENCE
    ev = _evidence(ctx, policy.key("policy_number"))
    if policy.coverage != coverage:
        return ("pass", True,
                f"{_coverage_name(policy.coverage).capitalize()} policy{policy.number} is on the "
                f"certificate (umbrella and excess share a row; taken for the required {name}).",
                ev)
    return "pass", True, f"{name.capitalize()} policy{policy.number} is on the certificate.", ev


def _dates(ctx: _Context, policy: _Policy) -> _Outcome:
    effective = _parse_date(policy.data.get("effective_date"))
    expiration = _parse_date(policy.data.get("expiration_date"))
    ev_eff = _evidence(ctx, policy.key("effective_date"))
    ev_exp = _evidence(ctx, policy.key("expiration_date"))
    ev = ev_exp if ev_exp[0] else ev_eff
    days = (expiration - ctx.today).days if expiration else None
    found: JSONValue = {
        "effective_date": effective.isoformat() if effective else None,
        "expiration_date": expiration.isoformat() if expiration else None,
        "days_remaining": days,
    }
    what = f"{_coverage_name(policy.coverage)} policy{policy.number}"
    if effective is None or expiration is None:
        missing = " and ".join(
            n for n, d in (("effective", effective), ("expiration", expiration)) if d is None
        )
        return ("needs_review", found,
                f"The {missing} date of the {what} could not be read — check the certificate.",
                ev)
    if expiration < effective:
        return ("needs_review", found,
                f"The {what} expires ({_us_date(expiration)}) before it starts "
                f"({_us_date(effective)}) — the dates were probably misread; check them.", ev)
    if expiration < ctx.today:
        result, message = "fail", f"The {what} expired on {_us_date(expiration)}."
    elif effective > ctx.today:
        result, message = "fail", f"The {what} does not start until {_us_date(effective)}."
    elif days is not None and days < ctx.min_days:
        left = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        result, message = "fail", (
            f"The {what} expires on {_us_date(expiration)}, {left}; at least {ctx.min_days} "
            f"days are required."
        )
    else:
        result, message = "pass", (
            f"The {what} is in force {_us_date(effective)}–{_us_date(expiration)} "
            f"({days} days left)."
        )
    doubt = _uncertain(ev_eff[1], ev_exp[1])
    if doubt is not None:
        return "needs_review", found, f"{message[:-1]}, {_doubt(doubt)}.", ev
    return ("pass" if result == "pass" else "fail"), found, message, ev


def _statutory(ctx: _Context, label: str, policy: _Policy) -> _Outcome:
    value = policy.limits.get("statutory")
    ev = _evidence(ctx, policy.key("limits.statutory"))
    if not isinstance(value, bool):
        return ("needs_review", None,
                f"Whether {label} is marked PER STATUTE could not be read — check the "
                f"certificate.", ev)
    doubt = _uncertain(ev[1])
    if doubt is not None:
        state = "marked" if value else "not marked"
        return "needs_review", value, f"{label} reads as {state} PER STATUTE, {_doubt(doubt)}.", ev
    if value:
        return "pass", True, f"{label} is marked PER STATUTE.", ev
    return "fail", False, f"{label} is not marked PER STATUTE.", ev


def _limit(
    ctx: _Context, coverage: str, req: _Requirement, policy: _Policy, umbrella: _Policy | None
) -> _Outcome:
    required = _money(req.required)
    found = _money(policy.limits.get(req.key))
    ev = _evidence(ctx, policy.key(f"limits.{req.key}"))
    if required is None:
        return ("needs_review", found,
                f"The profile's {req.label} ({req.required!r}) is not a dollar amount — check "
                f"the requirement.", ev)
    if found is None:
        split = _split_auto_limits(policy) if req.key == "combined_single_limit" else ""
        if split:
            return ("needs_review", None,
                    f"{req.label} is not shown; the certificate gives split limits ({split}) — "
                    f"check them against the required {format_money(required)}.", ev)
        return ("needs_review", None,
                f"{req.label} is blank or could not be read — check the certificate "
                f"(required {format_money(required)}).", ev)
    doubt = _uncertain(ev[1])
    if req.key in MAXIMUM_LIMITS:
        if found <= required:
            result: Result = "pass"
            message = f"{req.label} {format_money(found)} is within the allowed " \
                f"{format_money(required)}."
        else:
            result = "fail"
            message = f"{req.label} {format_money(found)} is above the allowed " \
                f"{format_money(required)}."
    elif found >= required:
        result = "pass"
        message = f"{req.label} {format_money(found)} meets the required {format_money(required)}."
    else:
        result = "fail"
        message = f"{req.label} {format_money(found)} is below the required " \
            f"{format_money(required)}."
        backing = _UMBRELLA_BACKS.get((coverage, req.key))
        if doubt is None and backing and umbrella is not None and umbrella.index != policy.index:
            extra = _money(umbrella.limits.get(backing))
            if extra is None and backing == "aggregate":
                extra = _money(umbrella.limits.get("each_occurrence"))
            kind = "umbrella" if umbrella.coverage == "umbrella_liability" else "excess"
            if extra is not None and found + extra >= required:
                # Only the umbrella's schedule of underlying insurance says whether it sits
                # over this policy; a certificate cannot, so a person decides.
                return ("needs_review", found,
                        f"{req.label} {format_money(found)} is below {format_money(required)}; "
                        f"{kind} {format_money(extra)} may make up the difference — check the "
                        f"{kind}'s schedule of underlying insurance.",
                        ev)
            if extra is not None:
                message = (f"{message[:-1]}, and the {kind}'s {format_money(extra)} does not "
                           f"make up the difference.")
    if doubt is not None:
        verdict = "meets" if result == "pass" else "does not meet"
        return ("needs_review", found,
                f"{req.label} reads {format_money(found)}, which {verdict} the "
                f"{'allowed' if req.key in MAXIMUM_LIMITS else 'required'} "
                f"{format_money(required)}, {_doubt(doubt)}.", ev)
    return result, found, message, ev


def _split_auto_limits(policy: _Policy) -> str:
    parts = []
    for key in ("bodily_injury_per_person", "bodily_injury_per_accident", "property_damage"):
        value = _money(policy.limits.get(key))
        if value is not None:
            parts.append(f"{_limit_label(key)} {format_money(value)}")
    return ", ".join(parts)


def _supporting_endorsements(ctx: _Context, line: Mapping[str, Any], coverage: str,
                             benefit: str) -> tuple[list[_Endorsement], list[_Endorsement]]:
    """Endorsements that provide ``benefit`` for this coverage: (accepted, to be checked).

    An endorsement on the profile's accepted list is accepted. Without a list, one whose
    form prefix belongs to this coverage (CG → GL, CA → auto, WC, CU) is accepted. With a
    list, such an endorsement needs a person, except for primary & non-contributory:
    profiles list the additional-insured and waiver forms, and a P&NC form of the right
    policy line (CG 20 01 for GL) is what the requirement asks for. A broker's blanket
    endorsement with no form number does not say which policy it amends: a person checks.
    """
    listed = line.get("accepted_endorsements")
    accepted_keys = [_form_key(f) for f in listed if _form_key(f)] if isinstance(
        listed, list
    ) else []
    accepted: list[_Endorsement] = []
    unlisted: list[_Endorsement] = []
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


def _benefit(
    ctx: _Context, line: Mapping[str, Any], coverage: str, req: _Requirement,
    policy: _Policy | None,
) -> _Outcome:
    """Additional insured, waiver of subrogation, or primary & non-contributory."""
    benefit, label = req.key, _coverage_label(coverage)
    words = _BENEFIT_WORDS[benefit]
    box_name = _BOXES.get(benefit)
    accepted, unlisted = _supporting_endorsements(ctx, line, coverage, benefit)
    box = policy.data.get(benefit) if policy is not None and box_name else None
    box_ev = _evidence(ctx, policy.key(benefit)) if policy is not None and box_name else (
        None, None)
    wording = benefit in ctx.wording and ctx.kind == "coi"
    found: dict[str, JSONValue] = {
        "endorsements": [e.display or "blanket" for e in (*accepted, *unlisted)],
        "wording": wording,
    }
    if box_name:
        found["box"] = box if isinstance(box, bool) else None

    def cite(e: _Endorsement) -> _Evidence:
        return e.evidence_key, e.evidence

    for e in accepted:
        if _uncertain(e.evidence) is None:
            return "pass", found, f"{label} {words} is provided by {e.name}.", cite(e)
    box_doubt = _uncertain(box_ev[1])
    if box is True:
        if box_doubt is None:
            return "pass", found, f"{label} {box_name} is marked.", box_ev
        return "needs_review", found, f"{label} {box_name} reads as marked, {_doubt(box_doubt)}.", (
            box_ev
        )
    for e in accepted:
        doubt = _uncertain(e.evidence)
        if doubt is not None:
            return ("needs_review", found,
                    f"{label} {words} appears to be provided by {e.name}, {_doubt(doubt)}.",
                    cite(e))
    if unlisted:
        e = unlisted[0]
        why = ("it is not on this profile's accepted list"
               if e.display else "it does not say which policy it amends")
        return ("needs_review", found,
                f"{e.name[0].upper()}{e.name[1:]} provides {words}, but {why} — check it "
                f"applies to {label}.", cite(e))
    if wording:
        ev = _evidence(ctx, "description_of_operations")
        if benefit == PRIMARY_NONCONTRIBUTORY:
            # No box exists for P&NC; the wording is the usual way it is shown, but a
            # certificate does not amend the policy, so a person accepts it or asks for more.
            return ("needs_review", found,
                    f"The description of operations says {label} is primary and "
                    f"non-contributory, but no endorsement shows it — accept the wording or "
                    f"ask for the endorsement (such as CG 20 01).", ev)
        return ("needs_review", found,
                f"{label} {box_name} is not marked, but the description of operations mentions "
                f"{words} — check it, or ask for the endorsement.", ev)
    if box_name and policy is not None and box is None:
        return ("needs_review", found,
                f"{label} {box_name} could not be read — check the certificate.", box_ev)
    if box is False and box_doubt is not None:
        return ("needs_review", found,
                f"{label} {box_name} reads as not marked, {_doubt(box_doubt)}.", box_ev)
    if ctx.kind == "endorsement":
        return "fail", found, f"No {words} endorsement for {label} among the pages sent.", (
            None, None)
    if benefit == PRIMARY_NONCONTRIBUTORY:
        return ("fail", found,
                f"{label} is not shown as primary and non-contributory: no endorsement says so "
                f"and the description of operations does not mention it.", _NO_EVIDENCE)
    return ("fail", found,
            f"{label} does not show {words}: {box_name} is not marked and no {words} "
            f"endorsement was provided.", box_ev)


def _per_project(
    ctx: _Context, line: Mapping[str, Any], coverage: str, policy: _Policy | None
) -> _Outcome:
    label = _coverage_label(coverage)
    accepted, _ = _supporting_endorsements(ctx, line, coverage, PER_PROJECT_AGGREGATE)
    confident = [e for e in accepted if _uncertain(e.evidence) is None]
    if confident:
        e = confident[0]
        return ("pass", "project", f"{label} general aggregate applies per project by {e.name}.",
                (e.evidence_key, e.evidence))
    if policy is None:
        return "na", None, _not_checked(ctx), _NO_EVIDENCE
    value = policy.data.get("aggregate_applies_per")
    ev = _evidence(ctx, policy.key("aggregate_applies_per"))
    if value not in ("policy", "project", "location"):
        return ("needs_review", None,
                f"Whether the {label} general aggregate applies per policy, project or location "
                f"could not be read — check the certificate.", ev)
    doubt = _uncertain(ev[1])
    if doubt is not None:
        return ("needs_review", value,
                f"The {label} general aggregate reads as applying per {value}, {_doubt(doubt)}.",
                ev)
    if value == "project":
        return "pass", value, f"The {label} general aggregate applies per project.", ev
    return ("fail", value,
            f"The {label} general aggregate applies per {value}, not per project.", ev)


def _coverage_lines(ctx: _Context, line: Mapping[str, Any], umbrella: _Policy | None
                    ) -> list[ChecklistLine]:
    coverage = str(line.get("coverage"))
    name = _coverage_name(coverage)
    policy = _find_policy(ctx, coverage) if ctx.kind == "coi" else None
    out: list[ChecklistLine] = []
    for req in _requirements(ctx, line, coverage):
        result: Result
        found: JSONValue
        ev: _Evidence = _NO_EVIDENCE
        if ctx.kind == "unknown":
            result, found, message = "na", None, _not_checked(ctx)
        elif ctx.kind == "endorsement":
            if req.kind == "benefit":
                result, found, message, ev = _benefit(ctx, line, coverage, req, None)
            elif req.kind == "per_project":
                result, found, message, ev = _per_project(ctx, line, coverage, None)
            else:
                result, found, message = "na", None, _not_checked(ctx)
        elif req.kind == "present":
            result, found, message, ev = _present(ctx, coverage, policy)
        elif policy is None:
            result, found = "na", None
            message = f"Not checked: no {name} policy on the certificate."
        elif req.kind == "in_force":
            result, found, message, ev = _dates(ctx, policy)
        elif req.kind == "statutory":
            result, found, message, ev = _statutory(ctx, _coverage_label(coverage), policy)
        elif req.kind == "benefit":
            result, found, message, ev = _benefit(ctx, line, coverage, req, policy)
        elif req.kind == "per_project":
            result, found, message, ev = _per_project(ctx, line, coverage, policy)
        else:
            result, found, message, ev = _limit(ctx, coverage, req, policy, umbrella)
        out.append(_line(f"{coverage}.{req.key}", coverage, req.label, result, req.required,
                         found, message, ev))
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
    ctx = _context(profile, extraction, today)
    lines: list[ChecklistLine] = []
    if ctx.kind == "unknown":
        lines.append(_line(
            "document", None, "Document", "fail", "coi", extraction.get("kind") if isinstance(
                extraction.get("kind"), str) else None,
            "The file could not be read as a certificate of insurance; please send a readable "
            "ACORD 25 certificate.",
        ))
    lines.append(_holder_line(ctx, profile, extraction.get("certificate_holder")))
    lines.append(_insured_line(ctx, extraction.get("insured"), vendor_name))
    umbrella = _umbrella(ctx) if ctx.kind == "coi" else None
    profile_lines = profile.get("lines")
    for line in profile_lines if isinstance(profile_lines, list) else []:
        if isinstance(line, Mapping) and isinstance(line.get("coverage"), str):
            lines.extend(_coverage_lines(ctx, line, umbrella))
    return lines


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
        out.append({
            "coverage": policy.get("coverage"),
            "insurer": insurer.get("name"),
            "naic": insurer.get("naic"),
            "policy_number": policy.get("policy_number"),
            "effective_date": policy.get("effective_date"),
            "expiration_date": policy.get("expiration_date"),
            "limits": dict(limits) if isinstance(limits, Mapping) else {},
        })
    return out
