"""The Procore emulator's data: the directory, commitments, insurance records, and the
connected account's permissions (OAuth is ``procore_oauth.py``'s).

One lock for everything, so the threaded server applies each request atomically. Counters
(requests served, 429s sent, records per ``origin_id``) let tests prove pacing and that no
retry ever created a duplicate.
"""

from __future__ import annotations

import copy
import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from coi_desktop.sync.sandbox.procore_oauth import ProcoreOAuth
from coi_desktop.sync.sandbox.ratelimit import RateLimiter, RateLimits
from coi_desktop.sync.sandbox.validation import (
    Errors,
    known_insurance_fields,
    validate_compliance,
    validate_insurance,
)

JSON = dict[str, Any]

CONTRACT_KINDS = ("work_order_contracts", "purchase_order_contracts")
MAX_SYNC_ITEMS = 1000


@dataclass(frozen=True)
class Scope:
    """Where an insurance record lives: company level (``project_id`` None) or project level."""

    company_id: int
    vendor_id: int
    project_id: int | None = None


@dataclass
class _Insurance:
    scope: Scope
    fields: JSON
    id: int
    created_at: str
    updated_at: str

    def render(self) -> JSON:
        data = {k: v for k, v in self.fields.items() if k != "name"}
        return {
            "id": self.id,
            "vendor_id": self.scope.vendor_id,
            "project_id": self.scope.project_id,
            # Procore takes the insurer as `name` and answers it as `insurance_provider`.
            "insurance_provider": self.fields.get("name"),
            **data,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


PAY_GATING_MESSAGE = (
    "Insurance compliance on commitments is not enabled for this company: Procore Pay "
    "with the 'Insurance Compliant' payment requirement is off"
)
FORBIDDEN_MESSAGE = "You do not have permission to perform this action"
# What a permission protects (see ``permission_for``).
PERMISSIONS = ("company_directory", "project_directory", "commitments", "projects")


@dataclass
class Counters:
    requests_served: int = 0
    rate_limited: int = 0
    by_status: Counter[int] = field(default_factory=Counter)


class ProcoreState:
    def __init__(
        self,
        *,
        rate_limits: RateLimits | None = None,
        access_token_ttl: float = 5400.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.limiter = RateLimiter(rate_limits or RateLimits(), clock=lambda: self.clock())
        self.counters = Counters()
        self.oauth = ProcoreOAuth(access_token_ttl=access_token_ttl, clock=lambda: self.clock())
        self.companies: dict[int, JSON] = {}
        self.projects: dict[int, JSON] = {}
        self.vendors: dict[int, JSON] = {}
        self._project_vendors: dict[int, set[int]] = {}  # the Project Directory's companies
        self._revoked: set[str] = set()  # permissions the connected account lacks
        self._hidden_projects: set[int] = set()  # projects the account may not open
        self._contracts: dict[tuple[str, int], JSON] = {}
        self._insurances: dict[int, _Insurance] = {}
        self._ids = itertools.count(900_001)

    def _stamp(self) -> str:
        return datetime.fromtimestamp(self.clock(), UTC).isoformat().replace("+00:00", "Z")

    # -- admin helpers (Python only) -------------------------------------------------------

    def set_rate_limits(self, limits: RateLimits) -> None:
        self.limiter.configure(limits)

    def add_company(self, company_id: int, name: str, *, pay_insurance: bool = True) -> None:
        """``pay_insurance``: Procore Pay with its 'Insurance Compliant' requirement is on, so
        commitments take an ``insurance_status``; without it Procore refuses the flag."""
        with self.lock:
            self.companies[company_id] = {
                "id": company_id,
                "name": name,
                "is_active": True,
                "pay_insurance": pay_insurance,
            }

    def set_pay_insurance(self, company_id: int, enabled: bool) -> None:
        with self.lock:
            self.companies[company_id]["pay_insurance"] = enabled

    def add_project_vendor(self, project_id: int, vendor_id: int) -> None:
        """Put a company vendor in a Project Directory (project-level insurance needs it)."""
        with self.lock:
            self._project_vendors.setdefault(project_id, set()).add(vendor_id)

    def remove_project_vendor(self, project_id: int, vendor_id: int) -> None:
        with self.lock:
            self._project_vendors.get(project_id, set()).discard(vendor_id)

    def on_project(self, project_id: int, vendor_id: int) -> bool:
        with self.lock:
            return vendor_id in self._project_vendors.get(project_id, set())

    def project_vendors_of(self, project_id: int) -> list[JSON]:
        with self.lock:
            return [
                {k: v for k, v in self.vendors[vid].items() if k != "company_id"}
                for vid in sorted(self._project_vendors.get(project_id, set()))
                if vid in self.vendors
            ]

    def revoke(self, permission: str) -> None:
        """Take a permission from the connected account: its calls there answer 403."""
        if permission not in PERMISSIONS:
            raise ValueError(f"unknown permission {permission}")
        with self.lock:
            self._revoked.add(permission)

    def hide_project(self, project_id: int) -> None:
        """The account is not on this project (a DMSA limited to some projects, say)."""
        with self.lock:
            self._hidden_projects.add(project_id)

    def grant_all(self) -> None:
        with self.lock:
            self._revoked.clear()
            self._hidden_projects.clear()

    def refused(self, path: str, method: str) -> bool:
        """Whether the connected account lacks what ``method path`` needs."""
        with self.lock:
            project = _project_in_path(path)
            if project is not None and project in self._hidden_projects:
                return True
            return permission_for(path, method) in self._revoked

    def add_project(self, project_id: int, company_id: int, name: str) -> None:
        with self.lock:
            self.projects[project_id] = {
                "id": project_id,
                "name": name,
                "active": True,
                "company_id": company_id,
            }

    def add_vendor(self, vendor_id: int, company_id: int, name: str) -> None:
        with self.lock:
            self.vendors[vendor_id] = {
                "id": vendor_id,
                "name": name,
                "is_active": True,
                "company_id": company_id,
                "origin_id": None,
            }

    def add_contract(
        self,
        contract_id: int,
        project_id: int,
        vendor_id: int,
        *,
        kind: str = "work_order_contracts",
        title: str = "",
        number: str | None = None,
    ) -> None:
        if kind not in CONTRACT_KINDS:
            raise ValueError(f"unknown contract kind {kind}")
        with self.lock:
            # A commitment's vendor is in its project's Directory.
            self._project_vendors.setdefault(project_id, set()).add(vendor_id)
            if (kind, contract_id) in self._contracts:
                return  # seeding meets the same subcontract from several sides; first wins
            self._contracts[(kind, contract_id)] = {
                "id": contract_id,
                "project_id": project_id,
                "vendor_id": vendor_id,
                "title": title or f"Subcontract {contract_id}",
                "number": number or str(contract_id),
                "status": "Approved",
                "insurance_status": None,
                "insurance_notes": None,
            }

    def insurances(self) -> list[JSON]:
        with self.lock:
            return [rec.render() for rec in self._insurances.values()]

    def records_per_origin_id(self) -> dict[str, int]:
        """More than 1 anywhere means a retry created a duplicate."""
        with self.lock:
            return dict(
                Counter(
                    r.fields["origin_id"]
                    for r in self._insurances.values()
                    if r.fields.get("origin_id")
                )
            )

    def counters_snapshot(self) -> JSON:
        with self.lock:
            return {
                "requests_served": self.counters.requests_served,
                "rate_limited": self.counters.rate_limited,
                "by_status": {str(k): v for k, v in self.counters.by_status.items()},
                "records": len(self._insurances),
                "records_per_origin_id": self.records_per_origin_id(),
            }

    def count_request(self) -> None:
        with self.lock:
            self.counters.requests_served += 1

    def count_status(self, status: int) -> None:
        with self.lock:
            self.counters.by_status[status] += 1
            if status == 429:
                self.counters.rate_limited += 1

    # -- directory -------------------------------------------------------------------------

    def has_company(self, company_id: int) -> bool:
        with self.lock:
            return company_id in self.companies

    def company_of_project(self, project_id: int) -> int | None:
        with self.lock:
            project = self.projects.get(project_id)
            return None if project is None else int(project["company_id"])

    def company_of_vendor(self, vendor_id: int) -> int | None:
        with self.lock:
            vendor = self.vendors.get(vendor_id)
            return None if vendor is None else int(vendor["company_id"])

    def projects_of(self, company_id: int) -> list[JSON]:
        with self.lock:
            company = self.companies.get(company_id, {"id": company_id, "name": ""})
            return [
                {
                    "id": p["id"],
                    "name": p["name"],
                    "active": p["active"],
                    "company": {"id": company["id"], "name": company["name"]},
                }
                for p in sorted(self.projects.values(), key=lambda p: p["id"])
                if p["company_id"] == company_id
            ]

    def vendors_of(self, company_id: int) -> list[JSON]:
        with self.lock:
            return [
                {k: v for k, v in vendor.items() if k != "company_id"}
                for vendor in sorted(self.vendors.values(), key=lambda v: v["id"])
                if vendor["company_id"] == company_id
            ]

    def contracts_of(self, project_id: int, kinds: Iterable[str]) -> list[JSON]:
        wanted = set(kinds)
        with self.lock:
            rows = []
            for (kind, _), contract in sorted(self._contracts.items()):
                if kind not in wanted or contract["project_id"] != project_id:
                    continue
                vendor = self.vendors.get(contract["vendor_id"], {})
                rows.append(
                    {
                        "id": contract["id"],
                        "number": contract["number"],
                        "title": contract["title"],
                        "status": contract["status"],
                        "project": {"id": project_id},
                        "type": "WorkOrderContract"
                        if kind == CONTRACT_KINDS[0]
                        else "PurchaseOrderContract",
                        "vendor": {
                            "id": contract["vendor_id"],
                            "name": vendor.get("name"),
                            "company": vendor.get("name"),
                        },
                    }
                )
            return rows

    def contract(self, kind: str, contract_id: int, project_id: int) -> JSON | None:
        with self.lock:
            found = self._contracts.get((kind, contract_id))
            if found is None or found["project_id"] != project_id:
                return None
            return self._render_compliance(found)

    def update_compliance(
        self, kind: str, contract_id: int, project_id: int, changes: Mapping[str, Any]
    ) -> tuple[int, JSON]:
        errors = validate_compliance(changes)
        with self.lock:
            found = self._contracts.get((kind, contract_id))
            if found is None or found["project_id"] != project_id:
                return 404, {"errors": "Not Found"}
            company = self.companies.get(self.company_of_project(project_id) or 0, {})
            if not company.get("pay_insurance", True):
                return 403, {"error": {"code": "forbidden", "message": PAY_GATING_MESSAGE}}
            if errors:
                return 422, {"errors": errors}
            for name in ("insurance_status", "insurance_notes"):
                if name in changes:
                    found[name] = changes[name]
            return 200, self._render_compliance(found)

    def _render_compliance(self, contract: JSON) -> JSON:
        # Procore derives a status from the vendor's insurance records visible on the project
        # (its own level plus the company level); a sandbox rule close enough to show drift.
        statuses = [
            r.fields.get("status")
            for r in self._insurances.values()
            if r.scope.vendor_id == contract["vendor_id"]
            and r.scope.project_id in (None, contract["project_id"])
        ]
        if not statuses:
            derived = None
        elif all(s in ("compliant", "compliant_in_progress") for s in statuses):
            derived = "compliant"
        else:
            derived = "not_compliant"
        return {
            "id": contract["id"],
            "insurance_status": contract["insurance_status"],
            "insurance_notes": contract["insurance_notes"],
            "derived_insurance_status": derived,
        }

    # -- insurance records -----------------------------------------------------------------

    def list_insurances(self, scope: Scope) -> list[JSON]:
        with self.lock:
            return [
                r.render()
                for r in sorted(self._insurances.values(), key=lambda r: r.id)
                if r.scope == scope
            ]

    def get_insurance(self, scope: Scope, insurance_id: int) -> JSON | None:
        with self.lock:
            found = self._insurances.get(insurance_id)
            return found.render() if found and found.scope == scope else None

    def create_insurance(self, scope: Scope, fields: Mapping[str, Any]) -> tuple[int, JSON]:
        with self.lock:
            errors = validate_insurance(fields) or self._origin_taken(scope, fields, None)
            if errors:
                return (409 if "origin_id" in errors else 422), {"errors": errors}
            return 201, self._create(scope, fields).render()

    def update_insurance(
        self, scope: Scope, insurance_id: int, fields: Mapping[str, Any]
    ) -> tuple[int, JSON]:
        with self.lock:
            found = self._insurances.get(insurance_id)
            if found is None or found.scope != scope:
                return 404, {"errors": "Not Found"}
            errors = validate_insurance(fields) or self._origin_taken(scope, fields, found)
            if errors:
                return (409 if "origin_id" in errors else 422), {"errors": errors}
            self._update(found, fields)
            return 200, found.render()

    def delete_insurance(self, scope: Scope, insurance_id: int) -> bool:
        with self.lock:
            found = self._insurances.get(insurance_id)
            if found is None or found.scope != scope:
                return False
            del self._insurances[insurance_id]
            return True

    def sync_insurances(self, scope: Scope, updates: list[Any]) -> JSON:
        """Batch upsert: match by ``id``, else ``origin_id`` (company-wide), else create."""
        entities: list[JSON] = []
        failures: list[JSON] = []
        with self.lock:
            for item in updates:
                if not isinstance(item, Mapping):
                    failures.append({"item": item, "errors": {"base": ["must be an object"]}})
                    continue
                errors, record = self._sync_one(scope, item)
                if errors:
                    failures.append({**copy.deepcopy(dict(item)), "errors": errors})
                elif record is not None:
                    entities.append(record.render())
        return {"entities": entities, "errors": failures}

    def _sync_one(self, scope: Scope, item: Mapping[str, Any]) -> tuple[Errors, _Insurance | None]:
        errors = validate_insurance(item)
        if errors:
            return errors, None
        target: _Insurance | None = None
        if item.get("id") is not None:
            target = self._insurances.get(item["id"]) if isinstance(item["id"], int) else None
            if target is None or target.scope != scope:
                return {"id": [f"no insurance {item['id']} for this vendor here"]}, None
        elif item.get("origin_id"):
            target = self._by_origin(scope.company_id, item["origin_id"])
            if target is not None and target.scope != scope:
                return {"origin_id": ["has already been taken"]}, None
        taken = self._origin_taken(scope, item, target)
        if taken:
            return taken, None
        if target is None:
            return {}, self._create(scope, item)
        self._update(target, item)
        return {}, target

    def _by_origin(self, company_id: int, origin_id: str) -> _Insurance | None:
        return next(
            (
                r
                for r in self._insurances.values()
                if r.scope.company_id == company_id and r.fields.get("origin_id") == origin_id
            ),
            None,
        )

    def _origin_taken(
        self, scope: Scope, fields: Mapping[str, Any], own: _Insurance | None
    ) -> Errors:
        origin = fields.get("origin_id")
        if not origin:
            return {}
        holder = self._by_origin(scope.company_id, origin)
        if holder is not None and holder is not own:
            return {"origin_id": ["has already been taken"]}
        return {}

    def _create(self, scope: Scope, fields: Mapping[str, Any]) -> _Insurance:
        now = self._stamp()
        known = known_insurance_fields(fields)
        # Procore's default: e-mail the vendor's contacts daily once the policy expires.
        known.setdefault("enable_expired_insurance_notifications", True)
        record = _Insurance(scope, known, next(self._ids), now, now)
        self._insurances[record.id] = record
        return record

    def _update(self, record: _Insurance, fields: Mapping[str, Any]) -> None:
        record.fields.update(known_insurance_fields(fields))
        record.updated_at = self._stamp()


def _project_in_path(path: str) -> int | None:
    parts = path.split("/")
    if "projects" in parts:
        index = parts.index("projects") + 1
        if index < len(parts) and parts[index].isdigit():
            return int(parts[index])
    return None


def permission_for(path: str, method: str) -> str:
    """The permission an API path needs, as Procore's tools grant it."""
    if path.endswith("/compliance") or "_contracts" in path:
        return "commitments"
    if "/insurances" in path:
        return "project_directory" if "/projects/" in path else "company_directory"
    return "projects"
