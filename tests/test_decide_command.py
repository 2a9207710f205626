"""`coi-desktop decide` on what it cannot decide yet, or may not: one sentence, nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from coi_desktop.cli import main
from coi_desktop.ingest import upsert_profile, upsert_submission, upsert_user
from coi_desktop.models import Decision
from coi_desktop.workspace import open_workspace
from tests import factories


@pytest.fixture
def home(coi_home: Path) -> Path:
    workspace = open_workspace(coi_home)
    try:
        with workspace.database.session() as session:
            upsert_user(session, {"id": "u-1", "name": "Riley", "role": "reviewer"})
            upsert_user(session, {"id": "u-2", "name": "Sam", "role": "reviewer"})
            upsert_profile(session, factories.PROFILE)
            upsert_submission(session, factories.submission("s-1"))  # document not downloaded
            upsert_submission(
                session, factories.submission("s-2", assigned_to="u-2", status="in_review")
            )
        workspace.set_current_user("u-1")
    finally:
        workspace.close()
    return coi_home


def _decisions(home: Path) -> int:
    workspace = open_workspace(home)
    try:
        with workspace.database.session() as session:
            return int(session.scalar(select(func.count()).select_from(Decision)) or 0)
    finally:
        workspace.close()


def test_a_submission_not_downloaded_is_not_decided_blind(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["decide", "s-1", "--outcome", "compliant"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("coi-desktop: Submission s-1 is not pre-checked: its document ")
    assert "run `coi-desktop sync --once` to receive it, then decide again." in err
    assert _decisions(home) == 0
    # A rejection needs no checklist: it goes ahead.
    assert main(["decide", "s-1", "--outcome", "rejected", "--note", "Not a COI"]) == 0
    assert _decisions(home) == 1


def test_someone_elses_submission_says_who_and_how_to_claim(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["decide", "s-2", "--outcome", "rejected", "--note", "dup"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "coi-desktop: Submission s-2 is held by Sam; claim it before deciding (the "
        "tracker refuses a decision on work someone else holds), or ask a lead to "
        "reassign it to you. To claim it from here, add --claim.\n"
    )
    assert _decisions(home) == 0
    assert main(["decide", "s-2", "--outcome", "rejected", "--note", "dup", "--claim"]) == 0
    assert _decisions(home) == 1


def test_a_compliant_decision_takes_no_deficiencies(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            ["decide", "s-2", "--outcome", "compliant", "--claim", "--deficiency", "Missing page 2"]
        )
        == 1
    )
    assert "decide non-compliant to send them" in capsys.readouterr().err
    assert _decisions(home) == 0
