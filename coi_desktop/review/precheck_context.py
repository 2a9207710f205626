"""What the pre-check reads from one extraction, read once: the document kind, the policy
rows, the endorsements and the description's wording, with their evidence and how sure the
reading was — and the small shared pieces every rule uses to write its checklist line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeAlias

from coi_desktop.review.checklist import ChecklistLine, JSONValue, Result
from coi_desktop.review.operations_wording import OperationsWording, read_wording
from coi_desktop.review.requirement_terms import UMBRELLA_ROW

# Extraction confidence below this never passes a line (assembly.py drops repaired and
# OCR-guessed values under it on purpose).
CONFIDENCE_THRESHOLD = 0.8

# ISO form prefixes say which policy an endorsement belongs to.
_FORM_PREFIX_COVERAGE: dict[str, tuple[str, ...]] = {
    "CG": ("general_liability",),
    "CA": ("automobile_liability",),
    "WC": ("workers_compensation",),
    "CU": UMBRELLA_ROW,
}
_FORM_KEY = re.compile(r"[^A-Z0-9]")

Evidence: TypeAlias = tuple[str | None, dict[str, JSONValue] | None]  # (key, evidence)
NO_EVIDENCE: Evidence = (None, None)
# What a single check decides: result, value found, sentence, evidence.
Outcome: TypeAlias = tuple[Result, JSONValue, str, Evidence]


@dataclass(frozen=True)
class Endorsement:
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
class Context:
    kind: str  # "coi" | "endorsement" | "unknown"
    today: date
    min_days: int
    evidence: Mapping[str, Any]
    policies: tuple[Mapping[str, Any], ...]
    endorsements: tuple[Endorsement, ...]
    wording: OperationsWording  # benefits mentioned in the description of operations


@dataclass(frozen=True)
class Policy:
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


# ------------------------------------------------------------------ reading values


def us_date(value: date) -> str:
    """Dates as the ACORD 25 prints them, so the vendor recognises them."""
    return value.strftime("%m/%d/%Y")


def parse_date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def dollars(value: object) -> int | None:
    """Whole dollars, or None for anything else (bools are not money)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def text_lines(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[\r\n]+", value) if part.strip()]


def form_key(value: object) -> str:
    """A form number without spaces or punctuation, for loose matching: "CG20100413"."""
    return _FORM_KEY.sub("", value.upper()) if isinstance(value, str) else ""


# -------------------------------------------------------------- evidence and doubt


def evidence_for(ctx: Context, key: str) -> Evidence:
    found = ctx.evidence.get(key)
    if isinstance(found, dict):
        return key, found
    return None, None


def _confidence(reading: Mapping[str, Any] | None) -> float | None:
    if reading is None:
        return None
    value = reading.get("confidence")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def uncertain(*readings: Mapping[str, Any] | None) -> float | None:
    """The lowest confidence under the threshold among these readings, else None."""
    low = [c for c in map(_confidence, readings) if c is not None and c < CONFIDENCE_THRESHOLD]
    return min(low) if low else None


def doubt_clause(confidence: float) -> str:
    return f"but the reading is uncertain (confidence {confidence:.2f}) — check the document"


def not_checked(ctx: Context) -> str:
    if ctx.kind == "endorsement":
        return "Not checked: an endorsement does not show this; the certificate does."
    return "Not checked: the file could not be read as a certificate."


def checklist_line(
    requirement: str,
    coverage: str | None,
    label: str,
    result: Result,
    required: JSONValue,
    found: JSONValue,
    message: str,
    ev: Evidence = NO_EVIDENCE,
) -> ChecklistLine:
    return ChecklistLine(
        requirement=requirement,
        coverage=coverage,
        label=label,
        result=result,
        required=required,
        found=found,
        message=message,
        evidence_key=ev[0],
        evidence=ev[1],
    )


# ------------------------------------------------------------------ reading the input


def _endorsements(extraction: Mapping[str, Any]) -> tuple[Endorsement, ...]:
    evidence_map = extraction.get("evidence")
    evidence_map = evidence_map if isinstance(evidence_map, Mapping) else {}
    raw = extraction.get("endorsements")
    found: list[Endorsement] = []
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(item, Mapping):
            continue
        form, edition = text(item.get("form_number")), text(item.get("edition"))
        key, edition_key = form_key(form), form_key(edition)
        if form and edition and not key.endswith(edition_key):
            key += edition_key
            form = f"{form} {edition}"
        page = item.get("page")
        page = page if isinstance(page, int) and not isinstance(page, bool) else None
        provides = item.get("provides")
        benefits = (
            frozenset(p for p in provides if isinstance(p, str))
            if isinstance(provides, list)
            else frozenset()
        )
        ev_key: str | None = None
        reading: dict[str, JSONValue] | None = None
        for candidate in (f"endorsements[{index}].form_number", f"endorsements[{index}]"):
            if isinstance(evidence_map.get(candidate), dict):
                ev_key, reading = candidate, evidence_map[candidate]
                break
        if reading is None and page is not None:
            # Enough for the review screen to turn to the page.
            reading = {"page": page, "rect": None, "source": None, "confidence": None}
        document_id = item.get("document_id")
        if reading is not None and isinstance(document_id, str):
            # The endorsement may sit in a file of its own: the screen opens that file.
            reading = {**reading, "document_id": document_id}
        found.append(
            Endorsement(
                index=index,
                display=form,
                key=key,
                page=page,
                provides=benefits,
                coverages=_FORM_PREFIX_COVERAGE.get(key[:2], ()) if key else (),
                evidence_key=ev_key,
                evidence=reading,
            )
        )
    return tuple(found)


def read_context(profile: Mapping[str, Any], extraction: Mapping[str, Any], today: date) -> Context:
    kind = extraction.get("kind")
    min_days = profile.get("min_days_remaining")
    evidence_map = extraction.get("evidence")
    policies = extraction.get("policies")
    return Context(
        kind=kind if kind in ("coi", "endorsement") else "unknown",
        today=today,
        min_days=min_days if isinstance(min_days, int) and not isinstance(min_days, bool) else 0,
        evidence=evidence_map if isinstance(evidence_map, Mapping) else {},
        policies=tuple(
            p for p in (policies if isinstance(policies, list) else []) if isinstance(p, Mapping)
        ),
        endorsements=_endorsements(extraction),
        wording=read_wording(text(extraction.get("description_of_operations"))),
    )


# ---------------------------------------------------------------- finding policies


def in_force(policy: Mapping[str, Any], today: date) -> bool:
    effective = parse_date(policy.get("effective_date"))
    expiration = parse_date(policy.get("expiration_date"))
    return (effective is None or effective <= today) and (expiration is None or today <= expiration)


def find_policy(ctx: Context, coverage: str) -> Policy | None:
    """The policy for a coverage line: one in force today if there are several.

    Umbrella and excess share one row on the ACORD 25, so either stands for the other.
    """
    wanted = UMBRELLA_ROW if coverage in UMBRELLA_ROW else (coverage,)
    candidates = [Policy(i, p) for i, p in enumerate(ctx.policies) if p.get("coverage") in wanted]
    if not candidates:
        return None
    exact = [c for c in candidates if c.coverage == coverage] or candidates
    return max(
        exact,
        key=lambda c: (
            in_force(c.data, ctx.today),
            parse_date(c.data.get("expiration_date")) or date.min,
        ),
    )


def find_umbrella(ctx: Context) -> Policy | None:
    """An umbrella/excess policy that is not known to be out of force, largest first."""
    best: Policy | None = None
    for i, policy in enumerate(ctx.policies):
        if policy.get("coverage") not in UMBRELLA_ROW or not in_force(policy, ctx.today):
            continue
        candidate = Policy(i, policy)
        size = dollars(candidate.limits.get("each_occurrence")) or 0
        if best is None or size > (dollars(best.limits.get("each_occurrence")) or 0):
            best = candidate
    return best
