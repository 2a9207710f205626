"""Tracker JSON into the store, and the queue read back in SQL order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from coi_desktop import queue
from coi_desktop.database import Database
from coi_desktop.ingest import IngestError, upsert_profile, upsert_submission, upsert_user
from coi_desktop.models import Decision, RequirementProfile, Submission
from coi_desktop.queue import QueueFilter, View, count_queue, query_queue, refresh_search_text
from tests import factories


def test_new_submission_is_stored_with_due_time_and_documents_to_fetch(db: Database) -> None:
    with db.session() as session:
        change = upsert_submission(session, factories.submission("s-1"))
        assert change.created and change.changed
        assert [d.id for d in change.documents_missing] == ["d-s-1"]
    with db.session() as session:
        sub = session.get(Submission, "s-1")
        assert sub is not None
        assert sub.due_at - sub.received_at == timedelta(hours=24)
        assert sub.vendor.name == "Acme Drywall LLC"
        assert sub.project is not None and sub.project.procore_project_id == 1201


def test_newer_version_updates_and_older_is_ignored(db: Database) -> None:
    with db.session() as session:
        upsert_submission(session, factories.submission("s-1", version=2))
    with db.session() as session:
        stale = upsert_submission(
            session, factories.submission("s-1", version=1, status="archived")
        )
        assert not stale.changed
        fresh = upsert_submission(
            session, factories.submission("s-1", version=3, status="in_review", assigned_to="u-2")
        )
        assert fresh.changed and fresh.previous_status == "new"
    with db.session() as session:
        sub = session.get(Submission, "s-1")
        assert sub is not None and (sub.version, sub.status) == (3, "in_review")
        assert sub.claimed_at is not None


@pytest.mark.parametrize(
    "damage",
    [
        {"version": "7"},
        {"kind": "invoice"},
        {"received_at": "yesterday"},
        {"received_at": "2026-11-20T10:00:00"},
        {"vendor": None},
        {"documents": [{"id": "d", "sha256": "../../etc/passwd"}]},
    ],
)
def test_malformed_submission_is_refused_whole(db: Database, damage: dict[str, object]) -> None:
    bad = factories.submission("s-bad") | damage
    with pytest.raises(IngestError), db.session() as session:
        upsert_submission(session, bad)
    with db.session() as session:
        assert session.get(Submission, "s-bad") is None


def test_profile_and_user_round_trip(db: Database) -> None:
    with db.session() as session:
        upsert_profile(session, factories.PROFILE)
        upsert_user(session, {"id": "u-1", "name": "Dana", "role": "lead"})
    with db.session() as session:
        profile = session.get(RequirementProfile, "rp-1")
        assert profile is not None
        assert profile.to_json() == factories.PROFILE
    with pytest.raises(IngestError), db.session() as session:
        upsert_user(session, {"id": "u-2", "name": "X", "role": "admin"})


def _seed(db: Database) -> None:
    with db.session() as session:
        upsert_submission(
            session, factories.submission("s-1", hours_ago=2, vendor="Acme Drywall LLC")
        )
        upsert_submission(
            session,
            factories.submission(
                "s-2",
                hours_ago=30,
                vendor="Bolt Electric Inc",
                vendor_id="v-2",
                assigned_to="u-1",
                status="in_review",
            ),
        )
        upsert_submission(
            session,
            factories.submission(
                "s-3",
                hours_ago=10,
                vendor="Crane & Co",
                vendor_id="v-3",
                kind="endorsement",
                project=None,
                scope="global",
            ),
        )
        upsert_submission(
            session,
            factories.submission(
                "s-4", hours_ago=5, vendor="Delta 50%_Paving", vendor_id="v-4", status="compliant"
            ),
        )


def test_queue_is_sorted_by_due_time_and_filtered(db: Database) -> None:
    _seed(db)
    with db.session() as session:
        assert [r.id for r in query_queue(session, QueueFilter())] == ["s-2", "s-3", "s-4", "s-1"]
        mine = query_queue(session, QueueFilter(view="mine", user_id="u-1"))
        assert [r.id for r in mine] == ["s-2"]
        # "My work" of nobody (a filter made without a user) is empty, not the unassigned work.
        assert count_queue(session, QueueFilter(view="mine")) == 0
        unassigned = query_queue(session, QueueFilter(view="unassigned"))
        assert [r.id for r in unassigned] == ["s-3", "s-1"]
        assert count_queue(session, QueueFilter(view="open")) == 3
        assert [r.id for r in query_queue(session, QueueFilter(kinds=("endorsement",)))] == ["s-3"]
        assert [r.id for r in query_queue(session, QueueFilter(search="bolt"))] == ["s-2"]
        # LIKE wildcards typed by a person are matched literally.
        assert [r.id for r in query_queue(session, QueueFilter(search="50%_"))] == ["s-4"]
        assert [r.id for r in query_queue(session, QueueFilter(search="%"))] == ["s-4"]
        by_vendor = query_queue(session, QueueFilter(sort="vendor", descending=True))
        assert by_vendor[0].vendor == "Delta 50%_Paving"
        page = query_queue(session, QueueFilter(), offset=1, limit=2)
        assert [r.id for r in page] == ["s-3", "s-4"]


def test_queue_json_has_the_documented_fields(db: Database) -> None:
    _seed(db)
    with db.session() as session:
        row = query_queue(session, QueueFilter(search="Crane"))[0].to_json()
    assert set(row) == {
        "id",
        "version",
        "kind",
        "status",
        "received_at",
        "due_at",
        "vendor",
        "project",
        "scope",
        "assigned_to",
        "precheck",
        "decision",
        "delivery",
        "delivery_error",
    }
    assert row["project"] is None and row["scope"] == "global"
    assert row["due_at"].endswith("Z") and row["precheck"] is None and row["decision"] is None


def test_search_follows_a_renamed_vendor_and_the_insured_read_later(db: Database) -> None:
    _seed(db)
    with db.session() as session:
        renamed = factories.submission("s-1", version=2, vendor="Acme Interiors Group")
        upsert_submission(session, renamed)
    with db.session() as session:
        assert [r.id for r in query_queue(session, QueueFilter(search="interiors"))] == ["s-1"]
        assert query_queue(session, QueueFilter(search="acme drywall")) == []
        sub = session.get(Submission, "s-3")
        assert sub is not None
        sub.insured_name = "Crane and Company of Ohio"
        refresh_search_text(sub)
    with db.session() as session:
        assert [r.id for r in query_queue(session, QueueFilter(search="OHIO"))] == ["s-3"]


@pytest.fixture(params=["few", "many"])
def search_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways a search reads its matches: looked up by rowid when few rows hold the
    text, tested while walking the view's index when many do (here: any at all)."""
    if request.param == "many":
        monkeypatch.setattr(queue, "FEW_MATCHES", 1)


def _found(session: Session, search: str, view: View = "all") -> list[str]:
    """The ids a search shows, after checking the count agrees with them."""
    flt = QueueFilter(view=view, user_id="u-1", search=search)
    ids = [r.id for r in query_queue(session, flt)]
    assert count_queue(session, flt) == len(ids), search
    return ids


def _seed_odd_names(db: Database) -> None:
    """Vendors whose names hold search syntax (FTS5 and LIKE) and non-ASCII letters."""
    with db.session() as session:
        upsert_submission(
            session,
            factories.submission(
                "s-5", vendor='"Quick" O\'Neil *Star* - AND Co', vendor_id="v-5", project=None
            ),
        )
        upsert_submission(
            session,
            factories.submission(
                "s-6", vendor="Müller Überbau GmbH", vendor_id="v-6", project=None
            ),
        )


@pytest.mark.usefixtures("search_path")
def test_search_finds_any_part_of_a_word_in_any_case(db: Database) -> None:
    _seed(db)
    with db.session() as session:
        assert _found(session, "rywa") == ["s-1"]  # inside "drywall"
        assert _found(session, "DRYWALL llc") == ["s-1"]
        assert _found(session, "ElEcTr") == ["s-2"]
        assert _found(session, "side tow") == ["s-2", "s-4", "s-1"]  # across a space
        assert _found(session, "  crane & ") == ["s-3"]  # the ends are trimmed
        assert _found(session, "s-3 crane") == ["s-3"]  # id and vendor in one text


@pytest.mark.usefixtures("search_path")
def test_search_of_one_or_two_characters(db: Database) -> None:
    _seed(db)
    with db.session() as session:
        assert _found(session, "y") == ["s-1"]
        assert _found(session, "C") == ["s-2", "s-3", "s-1"]
        assert _found(session, "ne") == ["s-3"]
        assert _found(session, "&") == ["s-3"]
        assert _found(session, "_") == ["s-4"]
        assert _found(session, "q") == []


@pytest.mark.usefixtures("search_path")
def test_search_takes_every_character_literally(db: Database) -> None:
    _seed(db)
    _seed_odd_names(db)
    with db.session() as session:
        assert _found(session, '"quick"') == ["s-5"]
        assert _found(session, '"') == ["s-5"]
        assert _found(session, "o'neil") == ["s-5"]
        assert _found(session, "'n") == ["s-5"]
        assert _found(session, "*star*") == ["s-5"]
        assert _found(session, "*") == ["s-5"]
        assert _found(session, "- and co") == ["s-5"]
        assert _found(session, "AND") == ["s-5"]
        assert _found(session, "50%_") == ["s-4"]
        # Operators and wildcards of FTS5 and LIKE match nothing unless the text holds them.
        assert _found(session, 'quick" OR "crane') == []
        assert _found(session, "acme OR bolt") == []
        assert _found(session, "dr*") == []
        assert _found(session, "d_y") == []
        assert _found(session, "a%e") == []
        assert _found(session, "%%%") == []
        assert _found(session, "crane\0 & co") == ["s-3"]  # a NUL is dropped, not an error
        assert _found(session, "ÜBERBAU") == ["s-6"]
        assert _found(session, "ü") == ["s-6"]
        assert _found(session, "Ü") == ["s-6"]
        assert _found(session, "zzz") == []


@pytest.mark.usefixtures("search_path")
def test_search_within_a_view(db: Database) -> None:
    _seed(db)
    with db.session() as session:
        assert _found(session, "riverside", "unassigned") == ["s-1"]
        assert _found(session, "riverside", "open") == ["s-2", "s-1"]
        assert _found(session, "riverside", "mine") == ["s-2"]
        assert _found(session, "y", "unassigned") == ["s-1"]
        assert _found(session, "bolt", "unassigned") == []
        session.add(
            Decision(
                id="dec-1",
                submission_id="s-1",
                outcome="compliant",
                deficiencies=[],
                checklist=[],
                policies=[],
                decided_by="u-1",
                decided_at=factories.NOW,
                version_seen=1,
            )
        )
    with db.session() as session:
        assert _found(session, "riverside", "open") == ["s-2"]
        assert _found(session, "ri", "open") == ["s-2"]
        assert _found(session, "riverside", "unassigned") == ["s-1"]


@pytest.mark.usefixtures("search_path")
def test_search_follows_a_rename_within_a_view(db: Database) -> None:
    _seed(db)
    with db.session() as session:
        upsert_submission(session, factories.submission("s-1", version=2, vendor="Zenith Walls"))
    with db.session() as session:
        assert _found(session, "zenith", "unassigned") == ["s-1"]
        assert _found(session, "ACME", "unassigned") == []
        assert _found(session, "acme", "open") == []
        assert _found(session, "z", "unassigned") == ["s-1"]
