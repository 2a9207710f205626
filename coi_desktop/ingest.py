"""Turning the tracker's JSON into rows of the local store.

The demo's seeding and the inbound sync both come through here, so a
submission is stored one way only. Anything malformed raises ``IngestError``
with a sentence a person can act on; nothing half-valid is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from coi_desktop.models import (
    STATUSES,
    Commitment,
    Document,
    Project,
    RequirementLine,
    RequirementProfile,
    Submission,
    User,
    Vendor,
    utcnow,
)
from coi_desktop.queue import refresh_search_text

KINDS = {"coi", "endorsement"}
SCOPES = {"project", "global"}
ROLES = {"reviewer", "lead", "read_only"}


# SQLite keeps integers in 8 bytes; a larger number from a server must be refused here,
# not found by the driver when the whole page is written.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
# Ids that go into the tracker's URLs: nothing a path or a query could be made of.
PLAIN_ID = re.compile(r"[A-Za-z0-9._:-]{1,200}")
MAX_NAME = 500


class IngestError(ValueError):
    """The server sent something we cannot store as it is."""


def _plain_id(value: str, what: str) -> str:
    if not PLAIN_ID.fullmatch(value) or value in (".", ".."):
        raise IngestError(f"{what} id {value[:60]!r} is not a plain name")
    return value


def _int_in_range(value: int, what: str) -> int:
    if not INT_MIN <= value <= INT_MAX:
        raise IngestError(f"{what} is too large a number to store")
    return value


@dataclass
class SubmissionChange:
    id: str
    created: bool
    changed: bool
    previous_status: str | None = None
    previous_assignee: str | None = None
    documents_missing: list[Document] = field(default_factory=list)


def parse_time(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise IngestError(f"{what} is missing or not a timestamp")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise IngestError(f"{what} is not an ISO 8601 timestamp: {value[:40]!r}") from exc
    if parsed.tzinfo is None:
        raise IngestError(f"{what} has no UTC offset: {value[:40]!r}")
    return parsed.astimezone(UTC)


def _require(obj: Any, key: str, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(obj, dict) or key not in obj or not isinstance(obj[key], kind):
        raise IngestError(f"{what}: field {key!r} is missing or of the wrong type")
    value = obj[key]
    if kind is int and isinstance(value, bool):
        raise IngestError(f"{what}: field {key!r} is missing or of the wrong type")
    if isinstance(value, int) and not isinstance(value, bool):
        _int_in_range(value, f"{what}: {key}")
    return value


def _optional_int(obj: dict[str, Any], key: str) -> int | None:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return value if INT_MIN <= value <= INT_MAX else None


def _name(value: Any, default: str) -> str:
    return str(value or default)[:MAX_NAME]


def upsert_user(session: Session, me: dict[str, Any]) -> User:
    user_id = _require(me, "id", str, "user")
    role = _require(me, "role", str, f"user {user_id}")
    if role not in ROLES:
        raise IngestError(f"user {user_id}: unknown role {role!r}")
    user = session.get(User, user_id) or User(id=user_id)
    user.name = _name(me.get("name"), user_id)
    user.email = me.get("email") if isinstance(me.get("email"), str) else None
    user.role = role
    session.add(user)
    return user


def upsert_profile(session: Session, data: dict[str, Any]) -> RequirementProfile:
    profile_id = _require(data, "id", str, "requirement profile")
    what = f"requirement profile {profile_id}"
    lines = _require(data, "lines", list, what)
    for line in lines:
        _require(line, "coverage", str, what)
    profile = session.get(RequirementProfile, profile_id)
    if profile is None:
        profile = RequirementProfile(id=profile_id)
        session.add(profile)
    profile.name = _name(data.get("name"), profile_id)
    profile.version = _optional_int(data, "version") or 0
    holder = data.get("certificate_holder")
    profile.certificate_holder = holder if isinstance(holder, str) else None
    profile.min_days_remaining = _optional_int(data, "min_days_remaining") or 0
    profile.lines = [
        RequirementLine(position=i, coverage=line["coverage"], spec=line)
        for i, line in enumerate(lines)
    ]
    return profile


def upsert_submission(session: Session, data: dict[str, Any]) -> SubmissionChange:
    """Store one tracker Submission; say whether it is new or changed and what to download."""
    sub_id = _plain_id(_require(data, "id", str, "submission"), "submission")
    what = f"submission {sub_id}"
    version = _require(data, "version", int, what)
    kind = _require(data, "kind", str, what)
    status = _require(data, "status", str, what)
    scope = _require(data, "scope", str, what)
    if kind not in KINDS or status not in STATUSES or scope not in SCOPES:
        raise IngestError(f"{what}: unknown kind, status or scope ({kind}, {status}, {scope})")
    received_at = parse_time(data.get("received_at"), f"{what}: received_at")
    due_raw = data.get("due_at")
    due_at = parse_time(due_raw, f"{what}: due_at") if due_raw is not None else None
    vendor_data = _require(data, "vendor", dict, what)
    documents = _require(data, "documents", list, what)
    profile_id = data.get("requirement_profile_id")
    if isinstance(profile_id, str):
        _plain_id(profile_id, f"{what}: requirement profile")

    existing = session.get(Submission, sub_id)
    if existing is not None and existing.version > version:
        # An older copy (a late page of an earlier pass): the store already knows better.
        return SubmissionChange(sub_id, created=False, changed=False)
    change = SubmissionChange(
        sub_id,
        created=existing is None,
        changed=existing is None or existing.version != version,
        previous_status=existing.status if existing else None,
        previous_assignee=existing.assigned_to if existing else None,
    )
    sub = existing or Submission(id=sub_id)
    sub.vendor = _vendor(session, vendor_data, what)
    project_data = data.get("project")
    sub.project = _project(session, project_data, what) if isinstance(project_data, dict) else None
    commitment_data = data.get("commitment")
    sub.commitment = (
        _commitment(session, commitment_data, what) if isinstance(commitment_data, dict) else None
    )
    assigned = data.get("assigned_to")
    if assigned != sub.assigned_to:
        sub.claimed_at = utcnow() if assigned else None
    sub.version = version
    sub.kind = kind
    sub.status = status
    sub.scope = scope
    sub.received_at = received_at
    # The 24-hour promise is ours to keep even when a server omits due_at.
    sub.due_at = due_at or received_at + timedelta(hours=24)
    sub.assigned_to = assigned if isinstance(assigned, str) else None
    sub.procore_company_id = _optional_int(data, "procore_company_id")
    profile_id = data.get("requirement_profile_id")
    sub.requirement_profile_id = profile_id if isinstance(profile_id, str) else None
    sub.synced_at = utcnow()
    session.add(sub)
    refresh_search_text(sub)
    change.documents_missing = _documents(session, sub, documents, what)
    if change.documents_missing:
        # New or changed files: the old pre-check no longer describes what was sent.
        sub.precheck_pass = sub.precheck_fail = sub.precheck_needs_review = None
    return change


def _vendor(session: Session, data: dict[str, Any], what: str) -> Vendor:
    vendor_id = _require(data, "id", str, f"{what}: vendor")
    vendor = session.get(Vendor, vendor_id) or Vendor(id=vendor_id)
    name = _name(data.get("name"), vendor_id)
    renamed = vendor.name is not None and vendor.name != name
    vendor.name = name
    if renamed:
        _refresh_search(session, Submission.vendor_id == vendor_id)
    vendor.procore_vendor_id = _optional_int(data, "procore_vendor_id")
    session.add(vendor)
    return vendor


def _project(session: Session, data: dict[str, Any], what: str) -> Project:
    project_id = _require(data, "id", str, f"{what}: project")
    project = session.get(Project, project_id) or Project(id=project_id)
    name = _name(data.get("name"), project_id)
    renamed = project.name is not None and project.name != name
    project.name = name
    if renamed:
        _refresh_search(session, Submission.project_id == project_id)
    project.procore_project_id = _optional_int(data, "procore_project_id")
    session.add(project)
    return project


def _refresh_search(session: Session, where: ColumnElement[bool]) -> None:
    """A renamed vendor or project: every submission showing the old name is found by the new."""
    for sub in session.scalars(select(Submission).where(where)):
        refresh_search_text(sub)


def _commitment(session: Session, data: dict[str, Any], what: str) -> Commitment:
    commitment_id = _require(data, "id", str, f"{what}: commitment")
    commitment = session.get(Commitment, commitment_id) or Commitment(id=commitment_id)
    commitment.procore_commitment_id = _optional_int(data, "procore_commitment_id")
    session.add(commitment)
    return commitment


def _documents(session: Session, sub: Submission, items: list[Any], what: str) -> list[Document]:
    by_id = {doc.id: doc for doc in sub.documents}
    kept: list[Document] = []
    for position, item in enumerate(items):
        doc_id = _plain_id(_require(item, "id", str, f"{what}: document"), f"{what}: document")
        sha = _require(item, "sha256", str, f"{what}: document {doc_id}").lower()
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise IngestError(f"{what}: document {doc_id} has no valid sha256")
        doc = by_id.get(doc_id) or session.get(Document, doc_id) or Document(id=doc_id)
        if doc.sha256 != sha:
            doc.stored = False
        doc.sha256 = sha
        doc.position = position
        doc.filename = str(item.get("filename") or doc_id)[:500]
        doc.size = _optional_int(item, "size") or 0
        doc.content_type = str(item.get("content_type") or "application/pdf")[:100]
        kept.append(doc)
    sub.documents = kept
    return [doc for doc in kept if not doc.stored]
