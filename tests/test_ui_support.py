"""Seeding helpers for the UI tests: a small real store with real PDFs and checklists."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from coi_desktop.ingest import upsert_profile, upsert_submission, upsert_user
from coi_desktop.models import Document, Submission
from coi_desktop.review import decisions
from coi_desktop.review.checklist import ChecklistLine
from coi_desktop.timeutil import iso
from coi_desktop.workspace import Workspace, open_workspace
from tests import factories

CORRUPT = b"%PDF-1.7\nthis is not really a pdf\n"


def line(
    requirement: str,
    result: str,
    message: str,
    *,
    page: int = 1,
    rect: list[float] | None = None,
    coverage: str | None = "general_liability",
    document_id: str | None = None,
) -> ChecklistLine:
    evidence: dict[str, Any] | None = {
        "page": page,
        "rect": rect or [300.0, 400.0, 420.0, 412.0],
        "source": "form_field",
        "confidence": 0.98,
    }
    if document_id and evidence is not None:
        evidence["document_id"] = document_id
    return ChecklistLine(
        requirement=requirement,
        coverage=coverage,
        label=requirement.replace("_", " "),
        result=result,  # type: ignore[arg-type]
        required=1_000_000,
        found=500_000,
        message=message,
        evidence_key="policies[0].limits.each_occurrence",
        evidence=evidence,
    )


def standard_lines(document_id: str) -> list[ChecklistLine]:
    return [
        line(
            "certificate_holder",
            "pass",
            "Certificate holder matches.",
            coverage=None,
            rect=[30.0, 650.0, 300.0, 700.0],
            document_id=document_id,
        ),
        line("general_liability.present", "pass", "GL policy found.", document_id=document_id),
        line(
            "general_liability.each_occurrence",
            "fail",
            "GL each occurrence $500,000 is below the required $1,000,000.",
            rect=[480.0, 330.0, 580.0, 342.0],
            document_id=document_id,
        ),
        line(
            "general_liability.additional_insured",
            "needs_review",
            "ADDL INSD box is unclear.",
            rect=[260.0, 330.0, 275.0, 342.0],
            document_id=document_id,
        ),
    ]


def seed(
    workspace: Workspace,
    blank_form: Path,
    *,
    user: str = "u-1",
    count: int = 4,
    corrupt: bool = True,
) -> list[str]:
    """Submissions s-1..s-N due one after the other (s-1 first), plus s-bad (corrupt PDF)."""
    pdf = blank_form.read_bytes()
    sha = workspace.documents.put(pdf)
    bad_sha = workspace.documents.put(CORRUPT)
    ids = []
    with workspace.database.session() as session:
        upsert_user(session, {"id": "u-1", "name": "Riley Reviewer", "role": "reviewer"})
        upsert_user(session, {"id": "u-0", "name": "Reed Reader", "role": "read_only"})
        upsert_user(session, {"id": "u-9", "name": "Dana Lead", "role": "lead"})
        upsert_profile(session, factories.PROFILE)
        for n in range(1, count + 1):
            data = factories.submission(
                f"s-{n}", hours_ago=30 - n, vendor=f"Vendor {n} LLC", vendor_id=f"v-{n}"
            )
            data["due_at"] = iso(datetime.now(UTC) + timedelta(hours=n))
            data["documents"][0].update(sha256=sha, size=len(pdf))
            upsert_submission(session, data)
            ids.append(f"s-{n}")
        if corrupt:
            data = factories.submission("s-bad", vendor="Broken Files Inc", vendor_id="v-bad")
            data["due_at"] = iso(datetime.now(UTC) + timedelta(hours=count + 1))
            data["documents"][0].update(sha256=bad_sha, size=len(CORRUPT))
            upsert_submission(session, data)
            ids.append("s-bad")
        session.flush()
        for doc in session.query(Document):
            doc.stored = True
        for sub_id in ids:
            sub = session.get(Submission, sub_id)
            assert sub is not None
            decisions.replace_checklist(session, sub, standard_lines(f"d-{sub_id}"))
    workspace.set_current_user(user)
    return ids


def seeded_workspace(home: Path, blank_form: Path, **kwargs: Any) -> tuple[Workspace, list[str]]:
    workspace = open_workspace(home)
    return workspace, seed(workspace, blank_form, **kwargs)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def settle(qtbot: Any, window: Any, timeout: int = 10_000) -> None:
    """Wait until the window's background reads and writes are done and on screen
    (the store is never read on the GUI thread, so what a key did arrives a moment later)."""

    def done() -> bool:
        model = window.model  # a QueueModel
        shown = window.current_id is None or (
            window.current_view is not None and window.current_view.id == window.current_id
        )
        return bool(window.reads.is_idle and window.writes.is_idle and not model.loading and shown)

    qtbot.waitUntil(done, timeout=timeout)
