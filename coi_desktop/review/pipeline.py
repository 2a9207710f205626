"""Background preparation of submissions: extract each new document once, then pre-check.

Heavy work (PyMuPDF, OCR) runs outside any database transaction; results are
stored in short transactions, so a reviewer opening a submission pays for
nothing but a read. Called by the sync worker as documents arrive, and by the
GUI's background runner for anything still waiting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, not_, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from coi_desktop.database import Database
from coi_desktop.documents import DocumentStore, DocumentStoreError
from coi_desktop.models import Document, Extraction, RequirementProfile, Submission, utcnow
from coi_desktop.queue import refresh_search_text
from coi_desktop.review.decisions import merged_extraction, replace_checklist
from coi_desktop.review.extraction import extract_document
from coi_desktop.review.precheck import evaluate

log = logging.getLogger(__name__)

EXTRACTOR_VERSION = "1"


@dataclass(frozen=True)
class Prepared:
    submission_id: str
    extracted: int  # documents read in this call
    checked: bool  # a checklist was stored
    problem: str | None = None


def waiting_submissions(session: Session, limit: int | None = 50) -> list[str]:
    """Submissions with every document on disk but no pre-check yet, most urgent first
    (``limit`` None: all of them)."""
    missing_doc = exists().where(
        Document.submission_id == Submission.id, Document.stored.is_(False)
    )
    stmt = (
        select(Submission.id)
        .where(Submission.precheck_pass.is_(None), not_(missing_doc))
        .where(exists().where(Document.submission_id == Submission.id))
        .order_by(Submission.due_at)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def extract_documents(
    database: Database, store: DocumentStore, submission_id: str, *, ocr: bool = True
) -> int:
    """Read every stored document of the submission that has no extraction yet."""
    with database.session() as session:
        docs = [
            (doc.sha256, doc.filename)
            for doc in session.scalars(
                select(Document).where(
                    Document.submission_id == submission_id, Document.stored.is_(True)
                )
            )
            if session.get(Extraction, doc.sha256) is None
        ]
    done = 0
    for sha256, filename in docs:
        try:
            data = store.read(sha256)
        except (OSError, DocumentStoreError) as exc:
            result: dict[str, Any] = _unreadable(filename, sha256, str(exc))
        else:
            result = extract_document(data, filename, ocr=ocr)
        with database.session() as session:
            # Another worker (the GUI's runner, a second process) may have stored the same file
            # meanwhile: the first extraction stands, this one is dropped.
            session.execute(
                sqlite_insert(Extraction)
                .values(
                    sha256=sha256,
                    kind=str(result.get("kind") or "unknown"),
                    method=result.get("method"),
                    data=result,
                    extractor_version=EXTRACTOR_VERSION,
                    created_at=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=["sha256"])
            )
        done += 1
    return done


def _unreadable(filename: str, sha256: str, reason: str) -> dict[str, Any]:
    return {
        "file": filename,
        "sha256": sha256,
        "kind": "unknown",
        "method": None,
        "pages": 0,
        "policies": [],
        "insurers": [],
        "endorsements": [],
        "evidence": {},
        "warnings": [f"The stored file could not be read: {reason}"],
    }


def precheck(session: Session, submission_id: str, today: date) -> bool:
    """Evaluate the submission's profile against its extraction and store the checklist."""
    sub = session.get(Submission, submission_id)
    if sub is None:
        return False
    extraction = merged_extraction(session, submission_id)
    if extraction is None:
        return False
    # What was read (OCR of a scan included) is searchable as soon as it is read, even while
    # the requirement profile has still to arrive.
    insured = extraction.get("insured")
    if isinstance(insured, dict) and isinstance(insured.get("name"), str):
        sub.insured_name = insured["name"][:300]
        refresh_search_text(sub)
    profile = (
        session.get(RequirementProfile, sub.requirement_profile_id)
        if sub.requirement_profile_id
        else None
    )
    if profile is None:
        return False  # the profile arrives with the next sync; check then
    lines = evaluate(profile.to_json(), extraction, vendor_name=sub.vendor.name, today=today)
    replace_checklist(session, sub, lines)
    return True


def prepare(
    database: Database, store: DocumentStore, submission_id: str, today: date, *, ocr: bool = True
) -> Prepared:
    """Extract what is new and pre-check one submission; never raises for bad documents."""
    try:
        extracted = extract_documents(database, store, submission_id, ocr=ocr)
        with database.session() as session:
            checked = precheck(session, submission_id, today)
    except Exception as exc:  # one bad submission must not stop the queue being prepared
        log.exception("preparing %s failed", submission_id)
        return Prepared(submission_id, 0, False, problem=str(exc))
    return Prepared(submission_id, extracted, checked)


def ensure_prechecked(
    database: Database, store: DocumentStore, submission_id: str, today: date, *, ocr: bool = True
) -> str | None:
    """Pre-check a submission not pre-checked yet, through the same steps as the background
    preparation (headless ``decide``). None when it is pre-checked (or unknown: the caller
    says so); else a sentence saying why it cannot be, and what to do."""
    with database.session() as session:
        sub = session.get(Submission, submission_id)
        if sub is None or sub.precheck_pass is not None:
            return None
        docs = list(sub.documents)
        missing = [doc.filename for doc in docs if not doc.stored]
        has_profile = (
            sub.requirement_profile_id is not None
            and session.get(RequirementProfile, sub.requirement_profile_id) is not None
        )
    fetch = "run `coi-desktop sync --once` to receive it, then decide again"
    if not docs:
        return f"Submission {submission_id} has no document to pre-check."
    if missing:
        return (
            f"Submission {submission_id} is not pre-checked: its document "
            f"{', '.join(missing)} is not downloaded yet; {fetch}."
        )
    if not has_profile:
        return (
            f"Submission {submission_id} is not pre-checked: its requirement profile has "
            f"not been received yet; {fetch}."
        )
    prepared = prepare(database, store, submission_id, today, ocr=ocr)
    if prepared.checked:
        return None
    return (
        f"Submission {submission_id} could not be pre-checked"
        f"{': ' + prepared.problem if prepared.problem else ''}; see the log for details."
    )


def prepare_waiting(
    database: Database, store: DocumentStore, today: date, *, limit: int = 50, ocr: bool = True
) -> list[Prepared]:
    with database.session() as session:
        ids = waiting_submissions(session, limit)
    return [prepare(database, store, sub_id, today, ocr=ocr) for sub_id in ids]
