"""Background preparation: each document extracted once, the checklist stored with its counts."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text

from coi_desktop.ingest import upsert_profile, upsert_submission
from coi_desktop.models import Document, Extraction, Submission
from coi_desktop.review import pipeline
from coi_desktop.review.decisions import checklist_lines
from coi_desktop.samples.fillable import render_fillable
from coi_desktop.samples.scenarios import random_spec
from coi_desktop.workspace import Workspace
from tests import factories

TODAY = date(2026, 11, 22)
HOLDER = "Bulley Construction LLC"
HOLDER_ADDRESS = "100 Main St, Chicago, IL 60601"
PROFILE = {
    **factories.PROFILE,
    "certificate_holder": f"{HOLDER}, {HOLDER_ADDRESS}",
    "lines": [
        {
            "coverage": "general_liability",
            "limits": {"each_occurrence": 1_000_000, "general_aggregate": 2_000_000},
            "additional_insured": True,
            "waiver_of_subrogation": True,
        },
        {
            "coverage": "workers_compensation",
            "statutory": True,
            "limits": {"el_each_accident": 1_000_000},
        },
    ],
}


def _store(workspace: Workspace, sub_id: str, pdf: bytes) -> None:
    digest = workspace.documents.put(pdf)
    data = factories.submission(sub_id, vendor="Acme Drywall LLC")
    data["documents"][0] |= {"sha256": digest, "size": len(pdf)}
    with workspace.database.session() as session:
        upsert_profile(session, PROFILE)
        for doc in upsert_submission(session, data).documents_missing:
            doc.stored = True


def _certificate(blank_form: Path, defects: frozenset[str]) -> bytes:
    spec = random_spec(
        random.Random(3),
        vendor_name="Acme Drywall LLC",
        holder_name=HOLDER,
        holder_address=HOLDER_ADDRESS,
        profile=PROFILE,
        today=TODAY,
        defects=defects,
    )
    return render_fillable(spec, blank_form)


def test_compliant_certificate_is_prepared_with_no_failures(
    workspace: Workspace, blank_form: Path
) -> None:
    _store(workspace, "s-1", _certificate(blank_form, frozenset()))
    with workspace.database.session() as session:
        assert pipeline.waiting_submissions(session) == ["s-1"]
    done = pipeline.prepare_waiting(workspace.database, workspace.documents, TODAY)
    assert [(p.submission_id, p.extracted, p.checked, p.problem) for p in done] == [
        ("s-1", 1, True, None)
    ]
    with workspace.database.session() as session:
        sub = session.get(Submission, "s-1")
        assert sub is not None
        assert sub.precheck_fail == 0 and (sub.precheck_pass or 0) > 5
        assert sub.insured_name == "Acme Drywall LLC"
        assert pipeline.waiting_submissions(session) == []
        lines = checklist_lines(session, "s-1")
        assert any(line.requirement == "general_liability.each_occurrence" for line in lines)
        evidence = next(line.evidence for line in lines if line.evidence)
        assert evidence is not None and evidence["document_id"] == "d-s-1"


def test_low_limit_is_never_a_pass(workspace: Workspace, blank_form: Path) -> None:
    _store(workspace, "s-2", _certificate(blank_form, frozenset({"low_limit"})))
    pipeline.prepare_waiting(workspace.database, workspace.documents, TODAY)
    with workspace.database.session() as session:
        sub = session.get(Submission, "s-2")
        assert sub is not None
        low = [line for line in checklist_lines(session, "s-2") if "is below" in line.message]
        # A fail, or needs_review when an umbrella might make up the difference.
        assert low and all(line.result in ("fail", "needs_review") for line in low)
        assert (sub.precheck_fail or 0) + (sub.precheck_needs_review or 0) >= len(low)


def test_a_document_is_read_once_whatever_submission_sends_it(
    workspace: Workspace, blank_form: Path
) -> None:
    pdf = _certificate(blank_form, frozenset())
    _store(workspace, "s-1", pdf)
    pipeline.prepare_waiting(workspace.database, workspace.documents, TODAY)
    data = factories.submission("s-9")
    data["documents"][0] |= {"id": "d-other", "sha256": workspace.documents.put(pdf)}
    with workspace.database.session() as session:
        for doc in upsert_submission(session, data).documents_missing:
            doc.stored = True
    done = pipeline.prepare_waiting(workspace.database, workspace.documents, TODAY)
    assert [(p.submission_id, p.extracted, p.checked) for p in done] == [("s-9", 0, True)]
    with workspace.database.session() as session:
        assert session.scalar(select(func.count()).select_from(Extraction)) == 1


def test_corrupt_stored_file_is_a_failed_document_line_not_a_crash(
    workspace: Workspace,
) -> None:
    _store(workspace, "s-3", b"%PDF-1.7\n garbage that is not a pdf at all")
    done = pipeline.prepare_waiting(workspace.database, workspace.documents, TODAY)
    assert done[0].problem is None and done[0].checked
    with workspace.database.session() as session:
        lines = checklist_lines(session, "s-3")
        assert lines[0].requirement == "document" and lines[0].result == "fail"
        doc = session.scalars(select(Document)).one()
        extraction = session.get(Extraction, doc.sha256)
        assert extraction is not None and extraction.kind == "unknown"
        assert extraction.data["warnings"]


def test_submission_waits_for_its_documents_and_profile(workspace: Workspace) -> None:
    with workspace.database.session() as session:
        upsert_submission(session, factories.submission("s-4"))  # document not downloaded
        assert pipeline.waiting_submissions(session) == []


def test_two_workers_reading_one_file_store_it_once_without_an_error(
    workspace: Workspace, blank_form: Path
) -> None:
    """The background runner and a sync pass may read the same new file at once: when the
    other one stores it first, right before this one's insert, the first row stands and no
    UNIQUE constraint error escapes."""
    _store(workspace, "s-1", _certificate(blank_form, frozenset()))
    engine = workspace.database.engine
    other_landed: list[str] = []

    def other_worker_first(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool
    ) -> None:
        if other_landed or not statement.lstrip().upper().startswith("INSERT INTO EXTRACTIONS"):
            return
        other_landed.append("racing")  # the other worker's own insert passes through here too
        with engine.connect() as other:
            sha = other.execute(text("SELECT sha256 FROM documents")).scalar_one()
            other.execute(
                text(
                    "INSERT INTO extractions (sha256, kind, method, data, extractor_version, "
                    "created_at) VALUES (:sha, 'coi', 'other', '{}', '1', '2026-11-22 00:00:00')"
                ),
                {"sha": sha},
            )
            other.commit()
        other_landed.append(sha)

    event.listen(engine, "before_cursor_execute", other_worker_first)
    try:
        assert pipeline.extract_documents(workspace.database, workspace.documents, "s-1") == 1
    finally:
        event.remove(engine, "before_cursor_execute", other_worker_first)
    assert other_landed
    with workspace.database.session() as session:
        [stored] = session.scalars(select(Extraction)).all()
        assert stored.method == "other"


def test_decide_headless_pre_checks_first_or_says_why_it_cannot(
    workspace: Workspace, blank_form: Path
) -> None:
    with workspace.database.session() as session:
        upsert_submission(session, factories.submission("s-4"))  # document not downloaded
    problem = pipeline.ensure_prechecked(workspace.database, workspace.documents, "s-4", TODAY)
    assert problem is not None and problem.startswith(
        "Submission s-4 is not pre-checked: its document "
    )
    assert "run `coi-desktop sync --once` to receive it" in problem

    _store(workspace, "s-1", _certificate(blank_form, frozenset()))
    assert pipeline.ensure_prechecked(workspace.database, workspace.documents, "s-1", TODAY) is None
    with workspace.database.session() as session:
        sub = session.get(Submission, "s-1")
        assert sub is not None and sub.precheck_pass and checklist_lines(session, "s-1")
    assert (
        pipeline.ensure_prechecked(workspace.database, workspace.documents, "s-unknown", TODAY)
        is None
    )  # record_decision names the unknown id


def test_what_was_read_is_searchable_before_the_profile_arrives(
    workspace: Workspace, blank_form: Path
) -> None:
    from coi_desktop.queue import QueueFilter, query_queue

    _store(workspace, "s-1", _certificate(blank_form, frozenset({"insured_mismatch"})))
    with workspace.database.session() as session:
        sub = session.get(Submission, "s-1")
        assert sub is not None
        sub.requirement_profile_id = "rp-not-yet-received"
    done = pipeline.prepare_waiting(workspace.database, workspace.documents, TODAY)
    assert [(p.extracted, p.checked) for p in done] == [(1, False)]
    with workspace.database.session() as session:
        sub = session.get(Submission, "s-1")
        assert sub is not None and sub.insured_name and sub.insured_name != "Acme Drywall LLC"
        found = query_queue(session, QueueFilter(search=sub.insured_name[:12]))
        assert [row.id for row in found] == ["s-1"]
