"""A tiny hand-made world for the sandbox server tests (no PDF generation, no randomness)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

PDF_A = b"%PDF-1.4\n% sandbox test document A\n%%EOF\n"
PDF_B = b"%PDF-1.4\n% sandbox test document B\n%%EOF\n"

USERS = [
    {"id": "u-1", "name": "Riley Reviewer", "email": "riley@example.com", "role": "reviewer"},
    {"id": "u-2", "name": "Sam Reviewer", "email": "sam@example.com", "role": "reviewer"},
    {"id": "u-4", "name": "Lee Lead", "email": "lee@example.com", "role": "lead"},
    {"id": "u-9", "name": "Robin Readonly", "email": "robin@example.com", "role": "read_only"},
]

PROFILE = {
    "id": "rp-2",
    "name": "Riverside Tower — subcontractors",
    "version": 3,
    "certificate_holder": "Bulley Construction LLC, 100 Main St, Chicago IL 60601",
    "lines": [
        {
            "coverage": "general_liability",
            "limits": {"each_occurrence": 1000000, "general_aggregate": 2000000},
            "additional_insured": True,
            "waiver_of_subrogation": True,
        },
    ],
    "min_days_remaining": 30,
}

ACME = {"id": "v-88", "name": "Acme Drywall LLC", "procore_vendor_id": 5512}
BETA = {"id": "v-90", "name": "Beta Electric Inc", "procore_vendor_id": 5513}
LONER = {"id": "v-91", "name": "Unlinked Roofing", "procore_vendor_id": None}
RIVERSIDE = {"id": "p-9", "name": "Riverside Tower", "procore_project_id": 1201}
HARBOR = {"id": "p-10", "name": "Harbor Lofts", "procore_project_id": 1202}


def _doc(doc_id: str, content: bytes) -> dict[str, Any]:
    return {
        "id": doc_id,
        "filename": f"{doc_id}.pdf",
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
        "content_type": "application/pdf",
    }


def _submission(
    sub_id: str,
    received: str,
    vendor: dict[str, Any],
    project: dict[str, Any] | None,
    commitment: dict[str, Any] | None,
    docs: list[dict[str, Any]],
) -> dict[str, Any]:
    day, time = received.split("T")
    return {
        "id": sub_id,
        "version": 1,
        "kind": "coi",
        "status": "new",
        "received_at": received,
        "due_at": f"{day[:-2]}{int(day[-2:]) + 1:02d}T{time}",
        "assigned_to": None,
        "vendor": vendor,
        "project": project,
        "commitment": commitment,
        "procore_company_id": 4280,
        "requirement_profile_id": "rp-2",
        "scope": "project" if project else "global",
        "documents": docs,
    }


@dataclass
class TinyWorld:
    users: list[dict[str, Any]] = field(default_factory=lambda: [dict(u) for u in USERS])
    vendors: list[dict[str, Any]] = field(default_factory=lambda: [ACME, BETA, LONER])
    projects: list[dict[str, Any]] = field(default_factory=lambda: [RIVERSIDE, HARBOR])
    commitments: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"id": "c-3", "procore_commitment_id": 77, "vendor_id": "v-88", "project_id": "p-9"},
            {"id": "c-4", "procore_commitment_id": 78, "vendor_id": "v-90", "project_id": "p-9"},
        ]
    )
    requirement_profiles: dict[str, Any] = field(default_factory=lambda: {"rp-2": PROFILE})
    documents: dict[str, bytes] = field(default_factory=lambda: {"d-501": PDF_A, "d-502": PDF_B})
    submissions: list[dict[str, Any]] = field(
        default_factory=lambda: [
            _submission(
                "s-1042",
                "2026-11-20T14:03:00Z",
                ACME,
                RIVERSIDE,
                {"id": "c-3", "procore_commitment_id": 77},
                [_doc("d-501", PDF_A)],
            ),
            _submission("s-1043", "2026-11-20T15:00:00Z", BETA, None, None, [_doc("d-502", PDF_B)]),
            _submission("s-1044", "2026-11-20T16:00:00Z", LONER, RIVERSIDE, None, []),
            _submission("s-1045", "2026-11-20T17:00:00Z", ACME, HARBOR, None, []),
        ]
    )


def token(user_id: str) -> dict[str, str]:
    """Authorization header for a sandbox user."""
    return {"Authorization": f"Bearer sandbox-token-{user_id}"}
