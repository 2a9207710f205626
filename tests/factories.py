"""Hand-made tracker JSON for tests that need a store with known contents."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from coi_desktop.ingest import upsert_profile, upsert_submission, upsert_user
from coi_desktop.timeutil import iso
from coi_desktop.workspace import Workspace

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
PDF_BYTES = b"%PDF-1.4\n% test document\n"
PDF_SHA = hashlib.sha256(PDF_BYTES).hexdigest()


def submission(
    sub_id: str = "s-1",
    *,
    version: int = 1,
    hours_ago: float = 2,
    status: str = "new",
    kind: str = "coi",
    assigned_to: str | None = None,
    vendor: str = "Acme Drywall LLC",
    vendor_id: str = "v-1",
    project: str | None = "Riverside Tower",
    scope: str = "project",
) -> dict[str, Any]:
    received = NOW - timedelta(hours=hours_ago)
    return {
        "id": sub_id,
        "version": version,
        "kind": kind,
        "status": status,
        "received_at": iso(received),
        "due_at": iso(received + timedelta(hours=24)),
        "assigned_to": assigned_to,
        "vendor": {"id": vendor_id, "name": vendor, "procore_vendor_id": 5512},
        "project": (
            {"id": "p-1", "name": project, "procore_project_id": 1201} if project else None
        ),
        "commitment": {"id": "c-1", "procore_commitment_id": 77} if project else None,
        "procore_company_id": 4280,
        "requirement_profile_id": "rp-1",
        "scope": scope,
        "documents": [
            {
                "id": f"d-{sub_id}",
                "filename": "coi.pdf",
                "sha256": PDF_SHA,
                "size": len(PDF_BYTES),
                "content_type": "application/pdf",
            }
        ],
    }


PROFILE: dict[str, Any] = {
    "id": "rp-1",
    "name": "Riverside Tower — subcontractors",
    "version": 3,
    "certificate_holder": "Bulley Construction LLC, 100 Main St, Chicago IL 60601",
    "lines": [
        {
            "coverage": "general_liability",
            "limits": {"each_occurrence": 1000000, "general_aggregate": 2000000},
            "additional_insured": True,
        }
    ],
    "min_days_remaining": 30,
}


def seed_workspace(workspace: Workspace, world: Any, user_id: str) -> None:
    """Store a world's users, profiles, submissions and documents as an inbound sync would."""
    with workspace.database.session() as session:
        for user in world.users:
            upsert_user(session, dict(user))
        for profile in world.requirement_profiles.values():
            upsert_profile(session, dict(profile))
        for item in world.submissions:
            for doc in upsert_submission(session, dict(item)).documents_missing:
                data = world.documents.get(doc.id)
                if data is not None:
                    workspace.documents.put(data, expected_sha256=doc.sha256)
                    doc.stored = True
    workspace.set_current_user(user_id)


def submit_documents(
    workspace: Workspace, session: Any, named: dict[str, bytes], first: int = 1
) -> None:
    """One submission ``s-NAME`` per document, stored and marked downloaded, due an hour
    apart from ``first`` hours on (so the queue opens them in this order)."""
    from coi_desktop.models import Document

    for n, (name, data) in enumerate(named.items(), start=first):
        sha = workspace.documents.put(data)
        record = submission(f"s-{name}", vendor=f"{name} Inc", vendor_id=f"v-{n}")
        record["documents"][0].update(sha256=sha, size=len(data))
        record["due_at"] = iso(datetime.now(UTC) + timedelta(hours=n))
        upsert_submission(session, record)
    session.flush()
    for doc in session.query(Document):
        doc.stored = True
