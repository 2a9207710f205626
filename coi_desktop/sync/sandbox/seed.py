"""Fill the sandbox servers from a sample world (``coi_desktop.samples.world.build_world``).

A world is any object with ``users``, ``vendors``, ``projects``, ``commitments``,
``requirement_profiles``, ``submissions`` and ``documents``. Entries may be dicts or objects
with the same attribute names. The Procore side is derived mainly from the submissions, whose
shape the tracker contract fixes, so it holds whatever the queue refers to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from coi_desktop.sync.sandbox.procore_state import ProcoreState
from coi_desktop.sync.sandbox.tracker_state import TrackerState, token_for

SANDBOX_COMPANY_ID = 4280
SANDBOX_COMPANY_NAME = "Bulley Construction LLC"
# Fake, sandbox-only credentials: safe to print, useless anywhere else.
SANDBOX_CLIENT_ID = "coi-desk-sandbox-client"
SANDBOX_CLIENT_SECRET = "coi-desk-sandbox-secret"

tracker_token_for = token_for


def _get(entry: Any, name: str, default: Any = None) -> Any:
    if isinstance(entry, Mapping):
        return entry.get(name, default)
    return getattr(entry, name, default)


def _items(world: Any, name: str) -> list[Any]:
    value = getattr(world, name, None) or []
    if isinstance(value, Mapping):
        return list(value.values())
    return list(value)


def seed_tracker(state: TrackerState, world: Any) -> dict[str, str]:
    """Load users, profiles, documents and submissions; returns user id → bearer token."""
    tokens = {}
    for user in _items(world, "users"):
        record = user if isinstance(user, Mapping) else vars(user)
        tokens[record["id"]] = state.add_user(record)
    profiles = getattr(world, "requirement_profiles", None) or {}
    pairs: Iterable[tuple[Any, Any]] = (
        profiles.items() if isinstance(profiles, Mapping) else ((None, p) for p in profiles)
    )
    for profile_id, profile in pairs:
        record = dict(profile)
        record.setdefault("id", profile_id)
        state.add_profile(record)
    hashes = {}
    for doc_id, content in (getattr(world, "documents", None) or {}).items():
        hashes[doc_id] = (state.put_document(doc_id, bytes(content)), len(content))
    for submission in _items(world, "submissions"):
        record = dict(submission)
        record["documents"] = [dict(d) for d in record.get("documents", [])]
        for doc in record["documents"]:
            # Fill what the world left out; never "fix" a hash it did give (tests rely on it).
            if doc["id"] in hashes:
                doc.setdefault("sha256", hashes[doc["id"]][0])
                doc.setdefault("size", hashes[doc["id"]][1])
            doc.setdefault("content_type", "application/pdf")
        state.add_submission(record)
    return tokens


def seed_procore(
    state: ProcoreState,
    world: Any,
    *,
    company_id: int | None = None,
    client_id: str = SANDBOX_CLIENT_ID,
    client_secret: str = SANDBOX_CLIENT_SECRET,
) -> None:
    """Create the company, its projects, vendors and subcontracts under the world's Procore ids.

    The company is ``company_id``, else the world's ``procore_company_id``, else 4280.
    """
    if company_id is None:
        company_id = int(_get(world, "procore_company_id") or SANDBOX_COMPANY_ID)
    state.oauth.add_client(client_id, client_secret)
    state.add_company(company_id, _get(world, "company_name") or SANDBOX_COMPANY_NAME)

    project_ids: dict[str, int] = {}
    for project in _items(world, "projects"):
        procore_id = _get(project, "procore_project_id")
        if procore_id is not None:
            project_ids[str(_get(project, "id"))] = int(procore_id)
            state.add_project(int(procore_id), company_id, str(_get(project, "name", "")))
    vendor_ids: dict[str, int] = {}
    for vendor in _items(world, "vendors"):
        procore_id = _get(vendor, "procore_vendor_id")
        if procore_id is not None:
            vendor_ids[str(_get(vendor, "id"))] = int(procore_id)
            state.add_vendor(int(procore_id), company_id, str(_get(vendor, "name", "")))

    # A commitment is a subcontract unless the world says it is a purchase order.
    kinds = {
        int(_get(c, "procore_commitment_id")): str(_get(c, "kind"))
        for c in _items(world, "commitments")
        if _get(c, "procore_commitment_id") is not None and _get(c, "kind")
    }
    for sub in _items(world, "submissions"):
        company = _get(sub, "procore_company_id") or company_id
        if company not in state.companies:
            state.add_company(int(company), f"Company {company}")
        vendor, project, commitment = (_get(sub, k) for k in ("vendor", "project", "commitment"))
        if vendor and vendor.get("procore_vendor_id") is not None:
            vendor_ids.setdefault(vendor["id"], int(vendor["procore_vendor_id"]))
            if int(vendor["procore_vendor_id"]) not in state.vendors:
                state.add_vendor(int(vendor["procore_vendor_id"]), int(company), vendor["name"])
        if project and project.get("procore_project_id") is not None:
            project_ids.setdefault(project["id"], int(project["procore_project_id"]))
            if int(project["procore_project_id"]) not in state.projects:
                state.add_project(int(project["procore_project_id"]), int(company), project["name"])
        linked = (
            vendor
            and vendor.get("procore_vendor_id") is not None
            and project
            and project.get("procore_project_id") is not None
        )
        if linked:  # a vendor working on a project is in that project's Directory
            state.add_project_vendor(
                int(project["procore_project_id"]), int(vendor["procore_vendor_id"])
            )
        if commitment and commitment.get("procore_commitment_id") is not None and linked:
            procore_id = int(commitment["procore_commitment_id"])
            state.add_contract(
                procore_id,
                int(project["procore_project_id"]),
                int(vendor["procore_vendor_id"]),
                kind=kinds.get(procore_id, "work_order_contracts"),
                title=f"{vendor['name']} subcontract",
            )

    # Subcontracts no submission mentions yet, when the world says whose they are.
    for commitment in _items(world, "commitments"):
        procore_id = _get(commitment, "procore_commitment_id")
        project_id = _get(commitment, "procore_project_id") or project_ids.get(
            str(_get(commitment, "project_id"))
        )
        vendor_id = _get(commitment, "procore_vendor_id") or vendor_ids.get(
            str(_get(commitment, "vendor_id"))
        )
        if procore_id is None or project_id is None or vendor_id is None:
            continue
        if int(project_id) in state.projects and int(vendor_id) in state.vendors:
            state.add_contract(
                int(procore_id),
                int(project_id),
                int(vendor_id),
                kind=str(_get(commitment, "kind") or "work_order_contracts"),
                title=str(_get(commitment, "title") or ""),
            )
