"""A whole sample tracker world: users, vendors, projects, profiles and a queue of submissions.

`build_world` gives plain JSON-ready data in the shapes of tracker-api.md, the PDF bytes of
every document and the ground truth of each, for the sandbox tracker, the demo and tests.
The same seed and `now` always give the same world, byte for byte.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from coi_desktop.timeutil import iso

from . import require_blank_form
from .backing import random_endorsements
from .certificates import render
from .endorsements import endorsement_truth, render_endorsements
from .scenarios import DEFECTS, random_address, random_spec
from .spec import Address, truth

PROCORE_COMPANY_ID = 4280
STYLE_WEIGHTS = {"fillable": 45, "flattened": 40, "scanned": 15}
DEFICIENT_SHARE = 0.35
ENDORSEMENT_SHARE = 0.18
WINDOW = timedelta(hours=30)
DUE_AFTER = timedelta(hours=24)

GENERAL_CONTRACTOR = ("Bulley Construction LLC", "100 Main St, Chicago, IL 60601")

USERS = (
    ("Maya Thompson", "reviewer"),
    ("Carlos Ruiz", "reviewer"),
    ("Jenna Walsh", "reviewer"),
    ("Imran Siddiqui", "reviewer"),
    ("Beth Novak", "reviewer"),
    ("Tyrone Greene", "reviewer"),
    ("Helen Park", "lead"),
    ("Marcus Bell", "lead"),
    ("Ops Viewer", "read_only"),
)

VENDORS = (
    "Acme Drywall LLC", "Northside Electric Inc", "Great Lakes Plumbing & Heating Co",
    "Precision Concrete Pumping LLC", "Midwest Steel Erectors Inc", "Ridgeline Roofing LLC",
    "Allied Fire Protection Inc", "Metro Glass & Glazing Co", "Keystone Masonry LLC",
    "Summit HVAC Services Inc", "Benchmark Excavating Co", "Lakeview Painting LLC",
    "Titan Demolition Inc", "Prairie Landscaping LLC", "Cityline Elevator Co",
    "Apex Flooring Systems Inc", "Windy City Insulation LLC", "Harbor Waterproofing Inc",
    "Sterling Millwork LLC", "Crossroads Paving Co", "Ironclad Rebar Inc",
    "Blue Line Surveying LLC", "Pinnacle Scaffolding Inc", "Cardinal Tile & Stone LLC",
    "Evergreen Sitework Inc", "Union Sheet Metal Co", "Granite State Caulking LLC",
    "Lincoln Park Carpentry Inc", "Southport Low Voltage LLC", "Fulton Market Signage Co",
    "Orchard Acoustical Ceilings Inc", "Pioneer Traffic Control LLC",
)  # fmt: skip

PROJECTS = (
    ("Riverside Tower", "100 River Rd, Chicago, IL 60601", 1201),
    ("Lakeshore Medical Pavilion", "2450 N Lakeshore Dr, Chicago, IL 60614", 1202),
    ("Halsted Street Lofts", "1130 S Halsted St, Chicago, IL 60607", None),
)

ALL_FORMS = ["CG 20 10", "CG 20 37", "CG 20 26", "CG 24 04", "CG 20 01"]


@dataclass
class World:
    """Everything the sandbox tracker serves, plus what the generator knows to be true."""

    seed: int
    now: datetime
    procore_company_id: int
    users: list[dict[str, Any]]
    vendors: list[dict[str, Any]]
    projects: list[dict[str, Any]]
    commitments: list[dict[str, Any]]  # also carry "project_id", "vendor_id" and "title"
    requirement_profiles: dict[str, dict[str, Any]]
    submissions: list[dict[str, Any]]
    documents: dict[str, bytes]
    truths: dict[str, dict[str, Any]]
    # Submission id → the defects built into it ([] for a compliant one).
    defects: dict[str, list[str]] = field(default_factory=dict)
    # Document id → "fillable" | "flattened" | "scanned" | "endorsement".
    styles: dict[str, str] = field(default_factory=dict)
    # The general contractor: the Procore company and every profile's certificate holder.
    company_name: str = GENERAL_CONTRACTOR[0]


def build_world(
    seed: int,
    now: datetime,
    n_submissions: int = 160,
    blank_form: Path | None = None,
) -> World:
    """A deterministic world of `n_submissions` received over the 30 hours before `now`."""
    form = require_blank_form(blank_form)
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    rng = random.Random(seed)
    users = _users()
    vendors, vendor_addresses = _vendors(rng)
    projects = [
        {"id": f"p-{i}", "name": name, "procore_project_id": procore_id}
        for i, (name, _, procore_id) in enumerate(PROJECTS, start=1)
    ]
    profiles = sample_profiles(projects)
    commitments = _commitments(rng, projects, vendors)
    world = World(
        seed=seed,
        now=now,
        procore_company_id=PROCORE_COMPANY_ID,
        users=users,
        vendors=vendors,
        projects=projects,
        commitments=commitments,
        requirement_profiles=profiles,
        submissions=[],
        documents={},
        truths={},
    )
    builder = _SubmissionBuilder(world, form, vendor_addresses)
    received = sorted(now - WINDOW * rng.random() for _ in range(n_submissions))
    for index, at in enumerate(received):
        builder.add(rng, f"s-{1001 + index}", at.replace(microsecond=0))
    return world


# ---------------------------------------------------------------------------------------
# People, companies, requirements


def _users() -> list[dict[str, Any]]:
    return [
        {
            "id": f"u-{i}",
            "name": name,
            "email": name.lower().replace(" ", ".") + "@reviewdesk.example",
            "role": role,
        }
        for i, (name, role) in enumerate(USERS, start=1)
    ]


def _vendors(rng: random.Random) -> tuple[list[dict[str, Any]], dict[str, Address]]:
    vendors = []
    addresses = {}
    for i, name in enumerate(VENDORS, start=1):
        vendor_id = f"v-{80 + i}"
        procore_id = None if rng.random() < 0.1 else 5500 + i
        vendors.append({"id": vendor_id, "name": name, "procore_vendor_id": procore_id})
        addresses[vendor_id] = random_address(rng)
    return vendors, addresses


def _commitments(
    rng: random.Random, projects: list[dict[str, Any]], vendors: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each project subcontracts about a dozen of the vendors."""
    commitments: list[dict[str, Any]] = []
    for project in projects:
        for vendor in rng.sample(vendors, 12):
            number = len(commitments) + 1
            commitments.append(
                {
                    "id": f"c-{number}",
                    "procore_commitment_id": None if rng.random() < 0.1 else 70 + number,
                    "project_id": project["id"],
                    "vendor_id": vendor["id"],
                    "title": f"{vendor['name']} - {project['name']} subcontract",
                }
            )
    return commitments


def _gl(
    occurrence: int, aggregate: int, *, per_project: bool, pnc: bool, forms: list[str]
) -> dict[str, Any]:
    return {
        "coverage": "general_liability",
        "limits": {
            "each_occurrence": occurrence,
            "general_aggregate": aggregate,
            "products_completed_ops_aggregate": aggregate,
        },
        "additional_insured": True,
        "waiver_of_subrogation": True,
        "primary_noncontributory": pnc,
        "per_project_aggregate": per_project,
        "accepted_endorsements": forms,
    }


def _auto(limit: int, *, flags: bool) -> dict[str, Any]:
    return {
        "coverage": "automobile_liability",
        "limits": {"combined_single_limit": limit},
        "additional_insured": flags,
        "waiver_of_subrogation": flags,
    }


def _umbrella(limit: int) -> dict[str, Any]:
    return {
        "coverage": "umbrella_liability",
        "limits": {"each_occurrence": limit, "aggregate": limit},
    }


def _workers(limit: int, *, waiver: bool) -> dict[str, Any]:
    return {
        "coverage": "workers_compensation",
        "statutory": True,
        "limits": {
            "el_each_accident": limit,
            "el_disease_each_employee": limit,
            "el_disease_policy_limit": limit,
        },
        "waiver_of_subrogation": waiver,
    }


def sample_profiles(projects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Requirement profiles rp-1..rp-3 for the three projects and rp-4, the annual one."""
    holder = f"{GENERAL_CONTRACTOR[0]}, {GENERAL_CONTRACTOR[1]}"
    tower, medical, lofts = projects
    lines = {
        "rp-1": [
            _gl(1_000_000, 2_000_000, per_project=True, pnc=True, forms=ALL_FORMS),
            _auto(1_000_000, flags=True),
            _umbrella(5_000_000),
            _workers(1_000_000, waiver=True),
        ],
        "rp-2": [
            _gl(2_000_000, 4_000_000, per_project=True, pnc=True, forms=ALL_FORMS),
            _auto(1_000_000, flags=True),
            _umbrella(10_000_000),
            _workers(1_000_000, waiver=True),
        ],
        "rp-3": [
            _gl(1_000_000, 2_000_000, per_project=False, pnc=False, forms=["CG 20 10", "CG 24 04"]),
            _auto(1_000_000, flags=False),
            _workers(500_000, waiver=False),
        ],
        "rp-4": [
            _gl(1_000_000, 2_000_000, per_project=False, pnc=False, forms=ALL_FORMS),
            _auto(1_000_000, flags=False),
            _workers(500_000, waiver=True),
        ],
    }
    names = {
        "rp-1": f"{tower['name']} — subcontractors",
        "rp-2": f"{medical['name']} — subcontractors",
        "rp-3": f"{lofts['name']} — subcontractors",
        "rp-4": "Annual vendor requirements (global)",
    }
    return {
        profile_id: {
            "id": profile_id,
            "name": names[profile_id],
            "version": 1 + int(profile_id[-1]) % 3,
            "certificate_holder": holder,
            "lines": profile_lines,
            "min_days_remaining": 15 if profile_id == "rp-3" else 30,
        }
        for profile_id, profile_lines in lines.items()
    }


def _profile_for(project: dict[str, Any] | None) -> str:
    return f"rp-{project['id'].split('-')[1]}" if project else "rp-4"


# ---------------------------------------------------------------------------------------
# Submissions


class _SubmissionBuilder:
    """Adds submissions with their documents and truths to a world, one at a time."""

    def __init__(self, world: World, blank_form: Path, addresses: dict[str, Address]) -> None:
        self.world = world
        self.blank_form = blank_form
        self.addresses = addresses
        self.next_document = 501
        self.reviewers = [u["id"] for u in world.users if u["role"] == "reviewer"]

    def add(self, rng: random.Random, submission_id: str, received: datetime) -> None:
        world = self.world
        commitment = rng.choice(world.commitments) if rng.random() < 0.7 else None
        if commitment is not None:
            vendor = self._by_id(world.vendors, commitment["vendor_id"])
            project = self._by_id(world.projects, commitment["project_id"])
        else:
            vendor, project = rng.choice(world.vendors), None
        profile = world.requirement_profiles[_profile_for(project)]
        kind = "endorsement" if rng.random() < ENDORSEMENT_SHARE else "coi"
        defects = self._defects(rng, kind)
        # Per-submission generator: the documents do not depend on how many came before.
        local = random.Random(f"{world.seed}:{submission_id}")
        documents = self._documents(local, kind, vendor, project, profile, defects, received)
        status, assigned, version = self._workflow(rng)
        world.defects[submission_id] = sorted(defects)
        world.submissions.append(
            {
                "id": submission_id,
                "version": version,
                "kind": kind,
                "status": status,
                "received_at": iso(received, timespec="seconds"),
                "due_at": iso(received + DUE_AFTER, timespec="seconds"),
                "assigned_to": assigned,
                "vendor": dict(vendor),
                "project": dict(project) if project else None,
                "commitment": (
                    {
                        "id": commitment["id"],
                        "procore_commitment_id": commitment["procore_commitment_id"],
                    }
                    if commitment
                    else None
                ),
                "procore_company_id": PROCORE_COMPANY_ID,
                "requirement_profile_id": profile["id"],
                "scope": "project" if project else "global",
                "documents": documents,
            }
        )

    @staticmethod
    def _by_id(items: list[dict[str, Any]], item_id: str) -> dict[str, Any]:
        return next(item for item in items if item["id"] == item_id)

    @staticmethod
    def _defects(rng: random.Random, kind: str) -> frozenset[str]:
        if rng.random() >= DEFICIENT_SHARE:
            return frozenset()
        if kind == "endorsement":
            return frozenset({rng.choice(("missing_addl_insd", "missing_subr_wvd"))})
        count = 2 if rng.random() < 0.2 else 1
        # Expired and expiring-soon describe the same dates: never both at once.
        choices = sorted(DEFECTS)
        picked = set(rng.sample(choices, count))
        if {"expired", "expiring_soon"} <= picked:
            picked.discard("expiring_soon")
        return frozenset(picked)

    def _workflow(self, rng: random.Random) -> tuple[str, str | None, int]:
        roll = rng.random()
        if roll < 0.3:
            return "in_review", rng.choice(self.reviewers), rng.randint(3, 4)
        if roll < 0.45:
            return "new", rng.choice(self.reviewers), 2  # assigned by a lead, not yet opened
        return "new", None, 1

    def _documents(
        self,
        rng: random.Random,
        kind: str,
        vendor: dict[str, Any],
        project: dict[str, Any] | None,
        profile: dict[str, Any],
        defects: frozenset[str],
        received: datetime,
    ) -> list[dict[str, Any]]:
        holder_name, holder_address = GENERAL_CONTRACTOR
        where = next(
            (f"{p[0]}, {p[1]}" for p in PROJECTS if project and p[0] == project["name"]), None
        )
        cert_defects = defects if kind == "coi" else frozenset()
        spec = random_spec(
            rng,
            vendor_name=vendor["name"],
            holder_name=holder_name,
            holder_address=holder_address,
            profile=profile,
            today=received.date(),
            defects=cert_defects,
            insured_address=self.addresses[vendor["id"]],
            project=where,
        )
        slug = re.sub(r"[^A-Za-z0-9]+", "_", vendor["name"]).strip("_")
        documents = []
        if kind == "coi":
            style = rng.choices(list(STYLE_WEIGHTS), weights=list(STYLE_WEIGHTS.values()))[0]
            data = render(spec, style, self.blank_form, rng)
            name = _coi_filename(rng, slug, style, received)
            documents.append(self._store(data, name, truth(spec), style))
        # Compliant certificates sometimes come with their endorsements attached.
        if kind == "endorsement" or (not defects and rng.random() < 0.2):
            where_text = where or "All locations"
            pages = random_endorsements(rng, spec, profile, project=where_text, defects=defects)
            if not pages:
                raise ValueError(f"profile {profile['id']} asks for no endorsement at all")
            data = render_endorsements(pages)
            name = f"{slug}_endorsements.pdf"
            documents.append(self._store(data, name, endorsement_truth(pages), "endorsement"))
        return documents

    def _store(
        self, data: bytes, filename: str, facts: dict[str, Any], style: str
    ) -> dict[str, Any]:
        document_id = f"d-{self.next_document}"
        self.next_document += 1
        self.world.documents[document_id] = data
        self.world.truths[document_id] = facts
        self.world.styles[document_id] = style
        return {
            "id": document_id,
            "filename": filename,
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "content_type": "application/pdf",
        }


def _coi_filename(rng: random.Random, slug: str, style: str, received: datetime) -> str:
    if style == "scanned":
        return f"Scan_{received:%Y%m%d_%H%M}.pdf"
    return rng.choice(
        (
            f"{slug}_COI_{received:%Y-%m-%d}.pdf",
            f"COI - {slug.replace('_', ' ')}.pdf",
            f"{slug}_ACORD25.pdf",
        )
    )
