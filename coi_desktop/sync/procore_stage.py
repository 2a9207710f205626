"""What the Procore stage remembers between passes, and how it words Procore's refusals.

Remembered per install (``app_state`` rows, no schema of their own):

- per company: Procore refused the commitment ``insurance_status`` — a company without
  Procore Pay's 'Insurance Compliant' requirement has no such flag. The flag is then not
  sent there (records still are); after ``FLAG_RECHECK`` one push tries again, since Pay
  may have been switched on since.
- per vendor and level: its existing records were listed and ours matched to them
  (``procore_existing``), so later pushes go by ``origin_id`` alone.
- per commitment: whether it is a subcontract or a purchase order (its URL collection).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coi_desktop.models import AppState
from coi_desktop.sync.procore import procore_error_text
from coi_desktop.sync.transport import Reply

FLAG_RECHECK = timedelta(days=30)
DEFAULT_KIND = "work_order_contracts"
_COMPANY = "procore.company."
_LISTED = "procore.listed."
_COMMITMENT = "procore.commitment."


def listed_key(company_id: int, path: str) -> str:
    """A short key for a vendor's insurances collection (app_state keys are ≤ 100 chars)."""
    level = (
        path.removesuffix("/insurances")
        .replace("/companies/", "c")
        .replace("/projects/", "p")
        .replace("/vendors/", ".")
    )
    return f"{_LISTED}{company_id}.{level}"


@dataclass
class ProcoreMemory:
    """The stage's facts, read once per pass and written back with the pass's outcomes."""

    flag_refused: dict[int, dict[str, Any]] = field(default_factory=dict)
    listed: set[str] = field(default_factory=set)
    kinds: dict[tuple[int, int], str] = field(default_factory=dict)  # (company, id) → kind
    changed: dict[str, dict[str, Any]] = field(default_factory=dict)  # key → value to store

    @classmethod
    def load(cls, session: Session, now: datetime) -> ProcoreMemory:
        memory = cls()
        rows = session.scalars(select(AppState).where(AppState.key.like("procore.%")))
        for row in rows:
            value = row.value if isinstance(row.value, dict) else {}
            if row.key.startswith(_COMPANY):
                refused_at = _time(value.get("flag_refused_at"))
                if refused_at is not None and now - refused_at < FLAG_RECHECK:
                    memory.flag_refused[int(row.key[len(_COMPANY) :])] = value
            elif row.key.startswith(_LISTED):
                memory.listed.add(row.key)
            elif row.key.startswith(_COMMITMENT):
                company, _, commitment = row.key[len(_COMMITMENT) :].partition(".")
                if isinstance(value.get("kind"), str):
                    memory.kinds[(int(company), int(commitment))] = value["kind"]
        return memory

    def save(self, session: Session) -> None:
        for key, value in self.changed.items():
            row = session.get(AppState, key)
            if row is None:
                session.add(AppState(key=key, value=value))
            else:
                row.value = value
        self.changed.clear()

    def mark_listed(self, key: str, now: datetime) -> None:
        self.listed.add(key)
        self.changed[key] = {"at": now.isoformat()}

    def remember_kinds(self, company_id: int, kinds: dict[int, str]) -> None:
        for commitment_id, kind in kinds.items():
            if self.kinds.get((company_id, commitment_id)) != kind:
                self.kinds[(company_id, commitment_id)] = kind
                self.changed[f"{_COMMITMENT}{company_id}.{commitment_id}"] = {"kind": kind}

    def refuse_flag(self, company_id: int, reason: str, now: datetime) -> bool:
        """Record the refusal; True the first time (the note then explains it in full)."""
        first = company_id not in self.flag_refused
        value = {"flag_refused_at": now.isoformat(), "reason": reason}
        self.flag_refused[company_id] = value
        self.changed[f"{_COMPANY}{company_id}"] = value
        return first

    def flag_works(self, company_id: int) -> None:
        """Procore took a flag here: forget an old refusal (Pay was switched on)."""
        if self.flag_refused.pop(company_id, None) is not None:
            self.changed[f"{_COMPANY}{company_id}"] = {}


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def flag_unavailable(reply: Reply) -> bool:
    """Whether a refused commitment flag means "this company has no such flag" (Procore Pay's
    'Insurance Compliant' requirement off) rather than a mistake in what we sent.

    Procore does not document this refusal's exact shape. We take a 422 that names none of
    the fields we sent, or a 403 that speaks of Pay, payments or compliance being off."""
    text = procore_error_text(reply.body).lower()
    if reply.status == 422:
        errors = reply.body.get("errors") if isinstance(reply.body, dict) else None
        return not (
            isinstance(errors, dict) and {"insurance_status", "insurance_notes"} & set(errors)
        )
    if reply.status == 403:
        return any(
            word in text
            for word in ("procore pay", "payment", "not enabled", "compliance is disabled")
        )
    return False


def flag_note(company_id: int, reason: str, first: bool) -> str:
    if not first:
        return (
            f"Insurance records sent; no commitment flag: Procore company {company_id} has "
            "no commitment insurance status (see the first such note)."
        )
    return (
        f"Insurance records sent. Procore company {company_id} refused the commitment's "
        f"insurance status ({reason or 'no reason given'}): it exists only with Procore "
        "Pay and its 'Insurance Compliant' payment requirement switched on. COI Desk stops "
        "sending it for this company; the vendor's insurance records in the Directory are "
        f"the compliance signal there. It tries again after {FLAG_RECHECK.days} days."
    )


@dataclass(frozen=True)
class Target:
    """Where a push went, in words: for messages that name what the person must fix."""

    company_id: int
    vendor: str
    project: str | None  # None: company level


def permission_needed(kind: str, target: Target) -> str:
    if kind == "commitment":
        return (
            f"access to project {target.project} with 'Admin' on its Commitments tool "
            "(or the granular permission to update a commitment's compliance)"
        )
    if target.project is not None:
        return (
            f"access to project {target.project} with 'Admin' on its Directory tool, or "
            "to be the company's insurance manager"
        )
    return (
        "'Admin' on the Company Directory tool, or to be the company's insurance manager "
        f"(company {target.company_id})"
    )


def refusal(reply: Reply, what: str, kind: str, target: Target, account: str) -> tuple[str, str]:
    """``failed`` or ``conflict`` and one sentence that says what to do."""
    reason = procore_error_text(reply.body) or "no reason given"
    if reply.status == 403:
        return "failed", (
            f"Procore refused {what} (403: {reason}). The account in use, {account}, needs "
            f"{permission_needed(kind, target)}. Grant it in Procore (for a service account: "
            "the Developer Managed Service Account's permission template and projects), then "
            "press Retry now."
        )
    if reply.status == 404 and kind == "records" and target.project is not None:
        return "failed", (
            f"Procore has no {target.vendor} in the Project Directory of {target.project} "
            f"(404), so project-level insurance cannot go there. Add the vendor to that "
            "project's Directory in Procore and press Retry now — or, if this requirement "
            "is global, set the requirement's scope to global so it goes to the Company "
            "Directory."
        )
    if reply.status == 404 and kind == "records":
        return "failed", (
            f"Procore does not know {target.vendor} in company {target.company_id} (404): "
            "check the vendor's Procore link in the tracker, then press Retry now."
        )
    state = "conflict" if reply.status == 409 else "failed"
    return state, f"Procore refused {what} ({reply.status}): {reason}."


def record_error(error: dict[str, Any]) -> str:
    fields = error.get("errors")
    reason = procore_error_text({"errors": fields}) if fields else ""
    what = " ".join(str(error[k]) for k in ("insurance_type", "policy_number") if error.get(k))
    return f"the {what or 'insurance'} record ({reason or 'no reason given'})"


def pending_kinds(
    memory: ProcoreMemory, wanted: Iterable[tuple[int, int, int]]
) -> set[tuple[int, int]]:
    """(company, project) pairs whose commitments' kinds are still unknown."""
    return {
        (company, project)
        for company, project, commitment in wanted
        if (company, commitment) not in memory.kinds
    }
