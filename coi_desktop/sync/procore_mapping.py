"""Our decision → what Procore gets: insurance records (one per policy) and a commitment flag.

Pure functions over plain data (procore-api.md, "Our mapping"). The ``origin_id`` names
level, project or company, vendor, coverage and policy number, so a retried push updates
the same record and never creates a second one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# ``insurance_type`` is free text in Procore. These are the names Procore's own Insurance tab
# and help pages use (support.procore.com, "Add Insurance to a Company Record in the Company
# Directory": General Liability, Umbrella/Excess Liability, Builder's Risk, Professional
# Liability, Pollution Coverage; its ERP sync: Automotive, Worker's), so a customer's
# Procore reports group our records with the ones people typed.
INSURANCE_TYPES = {
    "general_liability": "General Liability",
    "automobile_liability": "Automotive",
    "umbrella_liability": "Umbrella/Excess Liability",
    "excess_liability": "Umbrella/Excess Liability",
    "workers_compensation": "Worker's Compensation",
    "professional_liability": "Professional Liability",
    "pollution_liability": "Pollution Coverage",
    "builders_risk": "Builder's Risk",
}
# The headline limit of each line, as Procore's single ``limit`` field shows it.
HEADLINE_LIMIT = {
    "general_liability": "each_occurrence",
    "automobile_liability": "combined_single_limit",
    "umbrella_liability": "each_occurrence",
    "excess_liability": "each_occurrence",
    "workers_compensation": "el_each_accident",
}
RECORD_STATUS = {
    "compliant": "compliant",
    "non_compliant": "non_compliant",
    "rejected": "non_compliant",
}
COMMITMENT_STATUS = {
    "compliant": "compliant",
    "non_compliant": "not_compliant",
    "rejected": "not_compliant",
}
NOTES_MAX = 2000


@dataclass(frozen=True)
class SubmissionLinks:
    """What of a submission Procore knows about (tracker-api.md ids)."""

    scope: str  # project | global
    company_id: int | None
    vendor_id: int | None
    vendor_name: str
    project_id: int | None
    commitment_id: int | None
    project_name: str = ""


@dataclass(frozen=True)
class DecisionFacts:
    outcome: str
    note: str | None
    deficiencies: Sequence[str]
    policies: Sequence[Mapping[str, Any]]
    decided_on: date


@dataclass(frozen=True)
class CommitmentUpdate:
    project_id: int
    commitment_id: int
    body: dict[str, Any]


@dataclass(frozen=True)
class ProcorePlan:
    """Everything to send for one decision; ``skipped`` says why nothing is sent."""

    skipped: str | None = None
    company_id: int = 0
    path: str = ""  # the vendor's insurances collection under /rest/v1.0
    records: list[dict[str, Any]] = field(default_factory=list)
    commitment: CommitmentUpdate | None = None
    vendor: str = ""  # in words, for messages: "Acme Drywall LLC (Procore vendor 5512)"
    project: str | None = None  # likewise; None for the company level

    @property
    def batch_key(self) -> tuple[int, str]:
        return (self.company_id, self.path)


def origin_id(level: str, vendor_id: int, coverage: str, policy_number: str | None) -> str:
    number = "".join((policy_number or "").split()) or "unnumbered"
    return f"coidesk:{level}:v{vendor_id}:{coverage}:{number}"


def headline_limit(coverage: str, limits: Mapping[str, Any]) -> str | None:
    key = HEADLINE_LIMIT.get(coverage)
    value = limits.get(key) if key else None
    if value is None:
        numbers = [v for v in limits.values() if isinstance(v, int) and not isinstance(v, bool)]
        value = max(numbers) if numbers else None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return None
    return f"{value}.00"


def _iso_day(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        return None


def record_notes(decision: DecisionFacts) -> str | None:
    if decision.outcome == "rejected":
        text = f"Rejected in COI Desk: {decision.note or 'no reason given'}"
    elif decision.outcome == "non_compliant":
        text = "Non-compliant, awaiting a new COI: " + "; ".join(decision.deficiencies)
    else:
        return decision.note
    return text[:NOTES_MAX]


def insurance_record(
    level: str,
    vendor_id: int,
    policy: Mapping[str, Any],
    decision: DecisionFacts,
    notify_expired: bool = False,
) -> dict[str, Any]:
    coverage = str(policy.get("coverage") or "other")
    status = RECORD_STATUS[decision.outcome]
    expiration = _iso_day(policy.get("expiration_date"))
    if status == "compliant" and expiration and expiration < decision.decided_on.isoformat():
        status = "expired"
    limits = policy.get("limits")
    record: dict[str, Any] = {
        "origin_id": origin_id(level, vendor_id, coverage, _text(policy.get("policy_number"))),
        "insurance_type": INSURANCE_TYPES.get(coverage, coverage.replace("_", " ").title()),
        "status": status,
        # Procore's default is true: daily e-mails to the vendor's contacts once a policy has
        # expired. Sent explicitly on every record, so a push never starts them by surprise.
        "enable_expired_insurance_notifications": notify_expired,
    }
    optional = {
        "name": _text(policy.get("insurer")),
        "policy_number": _text(policy.get("policy_number")),
        "effective_date": _iso_day(policy.get("effective_date")),
        "expiration_date": expiration,
        "limit": headline_limit(coverage, limits) if isinstance(limits, Mapping) else None,
        "notes": record_notes(decision),
    }
    record.update({k: v for k, v in optional.items() if v is not None})
    return record


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def plan(
    decision: DecisionFacts, links: SubmissionLinks, notify_expired: bool = False
) -> ProcorePlan:
    """The records and the commitment flag for one decision, or why none are sent."""
    if decision.outcome not in RECORD_STATUS:
        return ProcorePlan(skipped=f"a decision of {decision.outcome!r} leaves Procore unchanged")
    if links.vendor_id is None:
        return ProcorePlan(skipped=f"vendor not linked to Procore ({links.vendor_name})")
    if links.company_id is None:
        return ProcorePlan(skipped="the submission names no Procore company")
    if links.scope == "global":
        level, path = "c", f"/companies/{links.company_id}/vendors/{links.vendor_id}/insurances"
    else:
        if links.project_id is None:
            return ProcorePlan(skipped="project not linked to Procore")
        level = f"p{links.project_id}"
        path = f"/projects/{links.project_id}/vendors/{links.vendor_id}/insurances"
    records = [
        insurance_record(level, links.vendor_id, p, decision, notify_expired)
        for p in decision.policies
    ]
    # Two rows with one origin_id would fight inside a batch; the last one read wins.
    by_origin = {r["origin_id"]: r for r in records}
    commitment = None
    if links.scope != "global" and links.project_id is not None and links.commitment_id:
        body: dict[str, Any] = {"insurance_status": COMMITMENT_STATUS[decision.outcome]}
        notes = record_notes(decision)
        if notes:
            body["insurance_notes"] = notes
        commitment = CommitmentUpdate(links.project_id, links.commitment_id, body)
    if not by_origin and commitment is None:
        return ProcorePlan(skipped="no policies were read from the certificate")
    vendor = f"{links.vendor_name or 'the vendor'} (Procore vendor {links.vendor_id})"
    project = (
        None
        if links.scope == "global"
        else f"{links.project_name or 'the project'} (Procore project {links.project_id})"
    )
    return ProcorePlan(
        None, links.company_id, path, list(by_origin.values()), commitment, vendor, project
    )
