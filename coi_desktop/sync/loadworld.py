"""A large, plain world for soak tests and the sync bench: many submissions, few vendors.

No PDF generation: each document is a few unique bytes, and its extraction (four
policies, as on a typical ACORD 25) is stored directly, so decisions carry real policies
and Procore gets one record per policy. Everything is deterministic for a given size.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from coi_desktop.database import Database
from coi_desktop.models import Extraction, Submission, User
from coi_desktop.review.decisions import claim, record_decision
from coi_desktop.timeutil import iso

COMPANY_ID = 4280
USERS = [
    {"id": "u-1", "name": "Riley Reviewer", "email": "riley@example.com", "role": "reviewer"},
    {"id": "u-2", "name": "Sam Reviewer", "email": "sam@example.com", "role": "reviewer"},
    {"id": "u-4", "name": "Lee Lead", "email": "lee@example.com", "role": "lead"},
]
PROFILE = {
    "id": "rp-1",
    "name": "Subcontractors",
    "version": 1,
    "certificate_holder": "Bulley LLC",
    "lines": [{"coverage": "general_liability", "limits": {"each_occurrence": 1000000}}],
    "min_days_remaining": 0,
}
COVERAGES = [
    ("general_liability", "CGL", {"each_occurrence": 1000000, "general_aggregate": 2000000}),
    ("automobile_liability", "BA", {"combined_single_limit": 1000000}),
    ("umbrella_liability", "UMB", {"each_occurrence": 5000000, "aggregate": 5000000}),
    ("workers_compensation", "WC", {"el_each_accident": 1000000}),
]


@dataclass
class LoadWorld:
    users: list[dict[str, Any]]
    requirement_profiles: dict[str, dict[str, Any]]
    submissions: list[dict[str, Any]]
    documents: dict[str, bytes]
    vendors: list[dict[str, Any]] = field(default_factory=list)
    projects: list[dict[str, Any]] = field(default_factory=list)
    commitments: list[dict[str, Any]] = field(default_factory=list)


def build_load_world(
    n_submissions: int,
    *,
    n_vendors: int = 40,
    n_projects: int = 5,
    unlinked_every: int = 0,
    now: datetime | None = None,
) -> LoadWorld:
    now = now or datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    vendors = [
        {"id": f"v-{i}", "name": f"Vendor {i} LLC", "procore_vendor_id": 5000 + i}
        for i in range(n_vendors)
    ]
    projects = [
        {"id": f"p-{i}", "name": f"Project {i}", "procore_project_id": 1200 + i}
        for i in range(n_projects)
    ]
    subs, docs = [], {}
    for i in range(n_submissions):
        vendor = dict(vendors[i % n_vendors])
        if unlinked_every and i % unlinked_every == unlinked_every - 1:
            vendor = {**vendor, "id": f"v-x{i}", "procore_vendor_id": None}
        level = (i // n_vendors) % (n_projects + 1)
        project = projects[level - 1] if level else None
        doc_id = f"d-{i}"
        content = f"%PDF-1.4\n% load world document {i}\n%%EOF\n".encode()
        docs[doc_id] = content
        received = now - timedelta(minutes=5 * (n_submissions - i))
        subs.append(
            {
                "id": f"s-{i}",
                "version": 1,
                "kind": "coi",
                "status": "new",
                "received_at": iso(received),
                "due_at": iso(received + timedelta(hours=24)),
                "assigned_to": None,
                "vendor": vendor,
                "project": project,
                "commitment": (
                    {
                        "id": f"c-{vendor['id']}-{project['id']}",
                        "procore_commitment_id": 70000 + (i % n_vendors) * 100 + level,
                    }
                    if project
                    else None
                ),
                "procore_company_id": COMPANY_ID,
                "requirement_profile_id": "rp-1",
                "scope": "project" if project else "global",
                "documents": [
                    {
                        "id": doc_id,
                        "filename": f"coi-{i}.pdf",
                        "sha256": hashlib.sha256(content).hexdigest(),
                        "size": len(content),
                        "content_type": "application/pdf",
                    }
                ],
            }
        )
    return LoadWorld(
        [dict(u) for u in USERS], {"rp-1": dict(PROFILE)}, subs, docs, vendors, projects
    )


def extraction_for(vendor_number: int) -> dict[str, Any]:
    policies = [
        {
            "coverage": cov,
            "insurer_letter": "A",
            "policy_number": f"{prefix}{vendor_number:05d}",
            "effective_date": "2026-01-01",
            "expiration_date": "2027-01-01",
            "limits": dict(limits),
        }
        for cov, prefix, limits in COVERAGES
    ]
    return {
        "kind": "coi",
        "method": "form",
        "policies": policies,
        "insurers": [{"letter": "A", "name": "Hartford Fire Insurance Co", "naic": "19682"}],
        "evidence": {},
        "endorsements": [],
        "warnings": [],
    }


def store_extractions(database: Database) -> None:
    """Give every stored document of the world its extraction (instead of reading PDFs)."""
    with database.session() as session:
        for sub in session.scalars(select(Submission)):
            number = int(sub.vendor.id.split("-")[-1].lstrip("x") or 0) % 100000
            for doc in sub.documents:
                if session.get(Extraction, doc.sha256) is None:
                    session.add(
                        Extraction(
                            sha256=doc.sha256,
                            kind="coi",
                            method="form",
                            data=extraction_for(number),
                            extractor_version="1",
                        )
                    )


def decide_all(
    database: Database,
    user_id: str = "u-1",
    *,
    limit: int | None = None,
    now: datetime | None = None,
    with_claims: bool = True,
) -> int:
    """Claim and decide open submissions as a reviewer would; returns how many."""
    outcomes = ("compliant", "non_compliant", "rejected")
    done = 0
    with database.session() as session:
        user = session.get(User, user_id)
        assert user is not None, f"no user {user_id}: sync first"
        ids = list(
            session.scalars(
                select(Submission.id)
                .where(Submission.status.in_(("new", "in_review")))
                .order_by(Submission.due_at)
            )
        )
    for start in range(0, len(ids), 200):
        with database.session() as session:
            user = session.get(User, user_id)
            assert user is not None
            for sub_id in ids[start : start + 200]:
                if limit is not None and done >= limit:
                    return done
                outcome = outcomes[done % 3]
                if with_claims:
                    claim(session, sub_id, user)
                record_decision(
                    session,
                    sub_id,
                    outcome,
                    user,
                    now=now,
                    note="not a certificate" if outcome == "rejected" else None,
                    deficiencies=["GL each occurrence $500,000 is below the required $1,000,000"]
                    if outcome == "non_compliant"
                    else None,
                )
                done += 1
    return done
