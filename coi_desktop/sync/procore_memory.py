"""What the Procore stage remembers between passes (``app_state`` rows, no schema of their own).

- per company: Procore refused the commitment ``insurance_status`` — a company without
  Procore Pay's 'Insurance Compliant' requirement has no such flag. The flag is then not
  sent there (records still are); after ``FLAG_RECHECK`` one push tries again, since Pay
  may have been switched on since.
- per vendor and level: its existing records were listed and ours matched to them
  (``procore_existing``), so later pushes go by ``origin_id`` alone.
- per commitment: whether it is a subcontract or a purchase order (its URL collection).

The stage reads it once per pass on its own thread and changes it only there, between the
rounds of calls: the calls in flight read nothing of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coi_desktop.models import AppState

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

    def pending_kinds(self, wanted: Iterable[tuple[int, int, int]]) -> set[tuple[int, int]]:
        """(company, project) pairs whose commitments' kinds are still unknown."""
        return {
            (company, project)
            for company, project, commitment in wanted
            if (company, commitment) not in self.kinds
        }


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
