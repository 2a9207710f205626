"""The team figures on hand-made stores with known answers, and against the sandbox tracker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from alembic import command
from sqlalchemy import create_engine, delete, select, text

from coi_desktop.credentials import Credentials
from coi_desktop.database import Database, alembic_config, open_database
from coi_desktop.ingest import upsert_submission, upsert_user
from coi_desktop.models import Decision, OutboxItem, Submission, User
from coi_desktop.review.decisions import decision_body, record_decision, undo_decision
from coi_desktop.settings import Connection
from coi_desktop.sync.sandbox import SandboxServers
from coi_desktop.sync.sandbox.stats import Timeline
from coi_desktop.sync.team import stats_fetcher
from coi_desktop.team_lookups import filter_choices
from coi_desktop.team_queries import (
    aging_buckets,
    compute_stats,
    daily_trend,
    overdue_items,
    snapshot,
)
from coi_desktop.team_sql import decided_today_ids, missed_24h_ids
from coi_desktop.teamstats import StatsFilter, TeamStats
from coi_desktop.timeutil import iso, local_day_bounds
from tests import factories

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)  # Sunday, 12:00 in Chicago


def at(text: str) -> datetime:
    """``"2026-11-22 06:10"`` in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Store:
    """A few lines to seed the local store the way sync and reviewers do."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def user(self, user_id: str, role: str = "reviewer", name: str | None = None) -> None:
        with self.db.session() as session:
            upsert_user(session, {"id": user_id, "name": name or user_id, "role": role})

    def sub(
        self,
        sub_id: str,
        received: datetime,
        *,
        status: str = "new",
        assigned_to: str | None = None,
        claimed: datetime | None = None,
        kind: str = "coi",
        project: str | None = "p-1",
        company: int | None = 4280,
        synced: datetime | None = None,
    ) -> dict[str, Any]:
        data = factories.submission(sub_id, status=status, kind=kind, assigned_to=assigned_to)
        data["received_at"] = iso(received)
        data["due_at"] = iso(received + timedelta(hours=24))
        data["procore_company_id"] = company
        if project is None:
            data["project"] = data["commitment"] = None
            data["scope"] = "global"
        else:
            data["project"] = {
                "id": project,
                "name": f"Project {project}",
                "procore_project_id": None,
            }
        with self.db.session() as session:
            upsert_submission(session, data)
            session.flush()
            row = session.get(Submission, sub_id)
            assert row is not None
            row.claimed_at = claimed
            if synced is not None:
                row.synced_at = synced
        return data

    def decide(
        self,
        sub_id: str,
        decided: datetime,
        by: str = "u-1",
        outcome: str = "compliant",
        *,
        state: str = "accepted",
    ) -> str:
        """A decision made here; ``state``: ``accepted`` by the tracker (the default),
        ``pending`` (not sent yet), or ``failed`` / ``conflict`` (refused by the tracker)."""
        with self.db.session() as session:
            user = session.get(User, by)
            assert user is not None
            decision = record_decision(
                session,
                sub_id,
                outcome,
                user,
                now=decided,
                note="unreadable" if outcome == "rejected" else None,
                deficiencies=["GL limit too low"] if outcome == "non_compliant" else None,
            )
            session.flush()
            item = session.scalars(
                select(OutboxItem).where(OutboxItem.decision_id == decision.id)
            ).one()
            if state == "accepted":  # as the sync leaves it once tracker and Procore took it
                item.state, item.stage, item.delivered_at = "delivered", "done", decided
            elif state in ("failed", "conflict"):  # refused at the tracker stage
                item.state, item.attempts = state, 1
                item.last_error = "The tracker refused the decision as invalid (422)."
            return decision.id

    def stats(
        self, now: datetime = NOW, filters: StatsFilter | None = None, tz: Any = UTC
    ) -> TeamStats:
        with self.db.session() as session:
            return compute_stats(session, now, filters, tz)


@pytest.fixture
def store(db: Database) -> Store:
    s = Store(db)
    s.user("u-1", name="Riley Reviewer")
    s.user("u-2", name="Sam Reviewer")
    s.user("u-4", "lead", "Lee Lead")
    s.user("u-9", "read_only", "Robin Readonly")
    return s


# ---------------------------------------------------------------- turnaround and share


def test_turnaround_percentiles_and_share_within_24h(store: Store) -> None:
    # Eleven decisions in the last 7 days: turnarounds 1 h … 10 h, and one of 25 h.
    hours = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 25]
    for i, h in enumerate(hours):
        decided = NOW - timedelta(hours=2 + i)
        store.sub(f"s-{i}", decided - timedelta(hours=h), status="in_review", assigned_to="u-1")
        store.decide(f"s-{i}", decided)
    # Older than 7 days: outside every 7-day figure.
    store.sub("s-old", NOW - timedelta(days=9), status="in_review", assigned_to="u-1")
    store.decide("s-old", NOW - timedelta(days=8))

    stats = store.stats()
    assert stats.within_24h_share_7d == round(10 / 11, 3)
    # Nearest rank: p50 = 6th of 11 (6 h), p90 = 10th of 11 (10 h).
    assert stats.turnaround_minutes_p50_7d == 360
    assert stats.turnaround_minutes_p90_7d == 600
    with store.db.session() as session:
        assert missed_24h_ids(session, NOW) == ("s-10",)


def test_exactly_24_hours_is_within_and_one_second_more_is_not(store: Store) -> None:
    store.sub("s-a", NOW - timedelta(hours=30), status="in_review", assigned_to="u-1")
    store.decide("s-a", NOW - timedelta(hours=6))
    assert store.stats().within_24h_share_7d == 1.0
    store.sub("s-b", NOW - timedelta(hours=30, seconds=1), status="in_review", assigned_to="u-1")
    store.decide("s-b", NOW - timedelta(hours=6))
    assert store.stats().within_24h_share_7d == 0.5


def test_no_decisions_gives_nulls_not_zeros(store: Store) -> None:
    store.sub("s-1", NOW - timedelta(hours=1))
    stats = store.stats()
    assert stats.within_24h_share_7d is None
    assert stats.turnaround_minutes_p50_7d is None and stats.turnaround_minutes_p90_7d is None
    assert stats.decided_today == 0 and stats.open == 1


def test_undone_decision_does_not_count(store: Store) -> None:
    store.sub("s-1", NOW - timedelta(hours=3), status="in_review", assigned_to="u-1")
    store.sub("s-2", NOW - timedelta(hours=3), status="in_review", assigned_to="u-1")
    store.decide("s-1", NOW - timedelta(hours=1))
    store.decide("s-2", NOW - timedelta(hours=1), outcome="non_compliant", state="pending")
    with store.db.session() as session:
        user = session.get(User, "u-1")
        assert user is not None
        undo_decision(session, "s-2", user)
    stats = store.stats()
    # s-1 accepted by the tracker counts as compliant (before the next pull says so too);
    # s-2 is open again.
    assert stats.open == 1
    assert stats.by_status["compliant"] == 1 and stats.by_status["in_review"] == 1
    assert stats.by_status["non_compliant"] == 0
    assert stats.decided_today == 1


@pytest.mark.parametrize("state", ["pending", "failed", "conflict"])
def test_only_decisions_the_tracker_accepted_count_as_decided(store: Store, state: str) -> None:
    """Waiting, refused (422) and conflicting decisions leave the item open, as on the tracker."""
    store.sub(
        "s-ok",
        NOW - timedelta(hours=3),
        status="in_review",
        assigned_to="u-1",
        claimed=NOW - timedelta(hours=2),
    )
    store.sub(
        "s-not",
        NOW - timedelta(hours=30),
        status="in_review",
        assigned_to="u-2",
        claimed=NOW - timedelta(hours=2),
    )
    store.decide("s-ok", NOW - timedelta(hours=1))
    store.decide("s-not", NOW - timedelta(hours=1), by="u-2", outcome="non_compliant", state=state)
    stats = store.stats()
    assert stats.decided_today == 1
    assert stats.open == 1 and stats.overdue == 1
    assert stats.by_status["non_compliant"] == 0 and stats.by_status["in_review"] == 1
    assert stats.turnaround_minutes_p50_7d == 120  # s-ok only
    sam = next(r for r in stats.reviewers if r.user_id == "u-2")
    assert sam.decided_today == 0 and sam.assigned_open == 1
    with store.db.session() as session:
        assert decided_today_ids(session, NOW, tz=UTC) == ("s-ok",)
        assert [i.id for i in overdue_items(session, NOW)] == ["s-not"]
        snap = snapshot(session, NOW)
    assert sum(d.decided for d in snap.trend) == 1


def test_submissions_decided_elsewhere_count_at_the_sync_that_saw_them(store: Store) -> None:
    store.sub(
        "s-x",
        NOW - timedelta(hours=5),
        status="compliant",
        assigned_to="u-2",
        claimed=NOW - timedelta(hours=2),
        synced=NOW - timedelta(hours=1),
    )
    stats = store.stats()
    assert stats.decided_today == 1
    assert stats.turnaround_minutes_p50_7d == 240
    sam = next(r for r in stats.reviewers if r.user_id == "u-2")
    assert sam.decided_today == 1 and sam.median_minutes_per_decision == 60.0


# ---------------------------------------------------------------- open, due, overdue


def test_open_due_soon_and_overdue(store: Store) -> None:
    store.sub("s-new", NOW - timedelta(hours=1))  # due in 23 h
    store.sub("s-soon", NOW - timedelta(hours=21))  # due in 3 h
    store.sub("s-edge", NOW - timedelta(hours=20))  # due in exactly 4 h
    store.sub("s-late", NOW - timedelta(hours=26), status="in_review", assigned_to="u-1")
    store.sub("s-now", NOW - timedelta(hours=24))  # due right now: not late
    store.sub("s-gone", NOW - timedelta(hours=40), status="archived")
    stats = store.stats()
    assert stats.open == 5
    assert stats.due_within_4h == 2  # s-soon and s-now; the window is [now, now + 4 h)
    assert stats.overdue == 1
    assert stats.by_status == {
        "new": 4,
        "in_review": 1,
        "compliant": 0,
        "non_compliant": 0,
        "rejected": 0,
        "archived": 1,
    }
    with store.db.session() as session:
        assert [o.id for o in overdue_items(session, NOW)] == ["s-late"]
        soon = overdue_items(session, NOW, within_hours=4)
    assert [o.id for o in soon] == ["s-late", "s-now", "s-soon"]


# ---------------------------------------------------------------- aging


def test_aging_buckets_put_each_open_item_in_its_four_hour_slot(store: Store) -> None:
    for sub_id, hours in [
        ("a", 1),
        ("b", 3.99),
        ("c", 4),
        ("d", 23.9),
        ("e", 24),
        ("f", 30),
        ("g", 50),
        ("h", 200),
    ]:
        store.sub(sub_id, NOW - timedelta(hours=hours))
    store.sub("decided", NOW - timedelta(hours=2), status="in_review", assigned_to="u-1")
    store.decide("decided", NOW - timedelta(hours=1))
    store.sub("closed", NOW - timedelta(hours=2), status="compliant")
    with store.db.session() as session:
        buckets = aging_buckets(session, NOW)
    counts = {b.label: b.count for b in buckets if b.count}
    assert counts == {"0–4h": 2, "4–8h": 1, "20–24h": 1, "24–28h": 1, "28–32h": 1, "48h+": 2}
    assert len(buckets) == 13 and buckets[-1].end_hours is None
    assert [b.overdue for b in buckets].index(True) == 6  # the 24 h line sits before 24–28h
    assert sum(b.count for b in buckets) == store.stats().open


# ---------------------------------------------------------------- days, midnight, DST


def test_decided_today_uses_the_leads_time_zone_across_midnight(store: Store) -> None:
    now = at("2026-11-22 06:30")  # 00:30 in Chicago on Sunday 22 Nov
    store.sub("s-1", at("2026-11-21 20:00"), status="in_review", assigned_to="u-1")
    store.sub("s-2", at("2026-11-21 20:00"), status="in_review", assigned_to="u-1")
    store.decide("s-1", at("2026-11-22 05:50"))  # 23:50 Saturday in Chicago
    store.decide("s-2", at("2026-11-22 06:10"))  # 00:10 Sunday in Chicago
    assert store.stats(now, tz=UTC).decided_today == 2
    chicago = store.stats(now, tz=CHICAGO)
    assert chicago.decided_today == 1
    assert next(r for r in chicago.reviewers if r.user_id == "u-1").decided_today == 1
    with store.db.session() as session:
        assert decided_today_ids(session, now, tz=CHICAGO) == ("s-2",)
        trend = daily_trend(session, now, tz=CHICAGO)
    assert [(d.day.isoformat(), d.decided) for d in trend[-2:]] == [
        ("2026-11-21", 1),
        ("2026-11-22", 1),
    ]
    # Received Saturday 14:00 Chicago time, decided before and after midnight: both < 24 h.
    assert trend[-2].within_24h == 1 and trend[-1].within_24h == 1


def test_day_bounds_follow_dst() -> None:
    fall = local_day_bounds(datetime(2026, 11, 1).date(), CHICAGO)
    spring = local_day_bounds(datetime(2026, 3, 8).date(), CHICAGO)
    plain = local_day_bounds(datetime(2026, 11, 2).date(), CHICAGO)
    assert fall[1] - fall[0] == timedelta(hours=25)
    assert spring[1] - spring[0] == timedelta(hours=23)
    assert plain == (at("2026-11-02 06:00"), at("2026-11-03 06:00"))


def test_decision_across_the_dst_change_buckets_by_local_day_and_times_real_hours(
    store: Store,
) -> None:
    now = at("2026-11-02 12:00")  # Monday 06:00 CST, the day after clocks went back
    # Received Sunday 00:30 CDT (05:30 UTC); decided Sunday 23:30 CST (05:30 UTC Monday):
    # 23 hours on the wall clock, 24 real hours — within 24 h, and on Sunday's bar.
    store.sub("s-dst", at("2026-11-01 05:30"), status="in_review", assigned_to="u-1")
    store.decide("s-dst", at("2026-11-02 05:30"))
    # Decided 00:30 CST Monday (06:30 UTC): Monday, though a fixed CDT offset would say Sunday.
    store.sub("s-mon", at("2026-11-01 12:00"), status="in_review", assigned_to="u-1")
    store.decide("s-mon", at("2026-11-02 06:30"))
    stats = store.stats(now, tz=CHICAGO)
    assert stats.turnaround_minutes_p50_7d == 1110  # s-mon: 18 h 30 m
    assert stats.turnaround_minutes_p90_7d == 1440  # s-dst: exactly 24 real hours
    assert stats.within_24h_share_7d == 1.0
    assert stats.decided_today == 1
    with store.db.session() as session:
        trend = daily_trend(session, now, tz=CHICAGO)
    sunday, monday = trend[-2], trend[-1]
    assert (sunday.day.isoformat(), sunday.decided, sunday.received) == ("2026-11-01", 1, 2)
    assert sunday.end - sunday.start == timedelta(hours=25)
    assert (monday.day.isoformat(), monday.decided) == ("2026-11-02", 1)
    assert len(trend) == 14 and trend[0].day.isoformat() == "2026-10-20"


# ---------------------------------------------------------------- reviewers


def test_reviewer_rows(store: Store) -> None:
    # Sam: two open items (one claimed), decisions taking 10, 20, 30 and 60 minutes.
    store.sub(
        "s-o1",
        NOW - timedelta(hours=30),
        status="in_review",
        assigned_to="u-2",
        claimed=NOW - timedelta(hours=1),
    )
    store.sub("s-o2", NOW - timedelta(hours=2), assigned_to="u-2")
    for i, minutes in enumerate([10, 20, 30, 60]):
        decided = NOW - timedelta(hours=1 + i)
        store.sub(
            f"s-d{i}",
            decided - timedelta(hours=5),
            status="in_review",
            assigned_to="u-2",
            claimed=decided - timedelta(minutes=minutes),
        )
        store.decide(f"s-d{i}", decided, by="u-2")
    # A read-only user holding nothing is left out; the lead stays in with zeros.
    stats = store.stats()
    rows = {r.user_id: r for r in stats.reviewers}
    assert set(rows) == {"u-1", "u-2", "u-4"}
    sam = rows["u-2"]
    assert (sam.assigned_open, sam.in_review, sam.decided_today) == (2, 1, 4)
    assert sam.median_minutes_per_decision == 25.0  # mean of the middle two, 20 and 30
    assert sam.oldest_held_received_at == NOW - timedelta(hours=30)
    assert rows["u-1"].median_minutes_per_decision is None
    assert rows["u-1"].oldest_held_received_at is None


# ---------------------------------------------------------------- filters and shape


def test_filters_by_customer_project_and_kind(store: Store) -> None:
    store.sub("s-a", NOW - timedelta(hours=1), company=4280, project="p-1")
    store.sub("s-b", NOW - timedelta(hours=1), company=4280, project="p-2", kind="endorsement")
    store.sub("s-c", NOW - timedelta(hours=30), company=5120, project=None)
    assert store.stats().open == 3
    assert store.stats(filters=StatsFilter(company_ids=(4280,))).open == 2
    assert store.stats(filters=StatsFilter(project_ids=("p-2",))).open == 1
    assert store.stats(filters=StatsFilter(kinds=("coi",))).open == 2
    assert store.stats(filters=StatsFilter(company_ids=(5120,))).overdue == 1
    with store.db.session() as session:
        choices = filter_choices(session)
    assert [c.value for c in choices.companies] == ["4280", "5120"]
    assert [c.value for c in choices.projects] == ["p-1", "p-2"]


def test_to_json_has_exactly_the_queue_stats_shape(store: Store) -> None:
    store.sub(
        "s-1",
        NOW - timedelta(hours=3),
        status="in_review",
        assigned_to="u-1",
        claimed=NOW - timedelta(hours=2),
    )
    store.decide("s-1", NOW - timedelta(hours=1))
    body = store.stats().to_json()
    assert list(body) == [
        "as_of",
        "open",
        "by_status",
        "due_within_4h",
        "overdue",
        "decided_today",
        "within_24h_share_7d",
        "turnaround_minutes_p50_7d",
        "turnaround_minutes_p90_7d",
        "reviewers",
    ]
    assert list(body["reviewers"][0]) == [
        "user_id",
        "name",
        "assigned_open",
        "in_review",
        "decided_today",
        "median_minutes_per_decision",
        "oldest_held_received_at",
    ]
    assert body["as_of"] == "2026-11-22T18:00:00Z"
    assert TeamStats.from_json(body).to_json() == body


def test_snapshot_bundles_the_same_figures(store: Store) -> None:
    store.sub("s-1", NOW - timedelta(hours=30))
    store.sub("s-2", NOW - timedelta(hours=3), status="in_review", assigned_to="u-1")
    store.decide("s-2", NOW - timedelta(hours=1))
    with store.db.session() as session:
        snap = snapshot(session, NOW, tz=CHICAGO)
    assert snap.stats == store.stats(tz=CHICAGO)
    assert snap.tz_name == "America/Chicago"
    assert [o.id for o in snap.overdue_items] == ["s-1"]
    assert sum(d.received for d in snap.trend) == 2
    assert snap.user_names["u-1"] == "Riley Reviewer"


# ---------------------------------------------------------------- local agrees with the tracker


def test_local_figures_agree_with_the_sandbox_tracker(store: Store) -> None:
    """Same submissions, claims and decisions in both: the same /queue/stats, field by field."""
    users = [
        {"id": "u-1", "name": "Riley Reviewer", "role": "reviewer"},
        {"id": "u-2", "name": "Sam Reviewer", "role": "reviewer"},
        {"id": "u-4", "name": "Lee Lead", "role": "lead"},
        {"id": "u-9", "name": "Robin Readonly", "role": "read_only"},
    ]
    with SandboxServers() as servers:
        tracker = servers.tracker
        tracker.clock = lambda: NOW
        for user in users:
            tracker.add_user(user)
        plan = [  # id, hours ago received, holder, claimed minutes ago, decided minutes ago
            ("s-1", 2, None, None, None),
            ("s-2", 21, "u-1", 50, None),
            ("s-3", 27, "u-2", 300, None),
            ("s-4", 40, "u-1", 100, None),
            ("s-5", 10, "u-1", 95, 80),
            ("s-6", 30, "u-2", 200, 185),
            ("s-7", 26, "u-2", 61, 30),
            ("s-8", 50, "u-1", 3000, 2900),
            ("s-9", 23, "u-2", 700, 650),
            ("s-10", 9 * 24, "u-1", 8 * 24 * 60, 8 * 24 * 60 - 10),
        ]
        for sub_id, hours, holder, claimed, decided in plan:
            received = NOW - timedelta(hours=hours)
            claimed_at = NOW - timedelta(minutes=claimed) if claimed else None
            data = store.sub(
                sub_id,
                received,
                status="in_review" if holder else "new",
                assigned_to=holder,
                claimed=claimed_at,
            )
            tracker.add_submission(data)
            if claimed_at is not None:
                tracker.set_timeline(sub_id, Timeline(claimed_at=claimed_at, claimed_by=holder))
            if decided is not None:
                assert holder is not None
                decision_id = store.decide(sub_id, NOW - timedelta(minutes=decided), by=holder)
                with store.db.session() as session:
                    from coi_desktop.models import Decision

                    decision = session.get(Decision, decision_id)
                    assert decision is not None
                    body = decision_body(decision)
                    version = decision.version_seen
                # The delivery the sync worker will make: the same decision, over HTTP.
                answer = requests.put(
                    f"{servers.tracker_url}/submissions/{sub_id}/decision",
                    json=body,
                    headers={
                        "Authorization": "Bearer sandbox-token-" + holder,
                        "Idempotency-Key": decision_id,
                        "If-Match": str(version),
                    },
                    timeout=5,
                )
                assert answer.status_code == 201, answer.text
        remote = requests.get(
            f"{servers.tracker_url}/queue/stats",
            headers={"Authorization": "Bearer sandbox-token-u-4"},
            timeout=5,
        )
        assert remote.status_code == 200
        server = remote.json()

    local = store.stats(NOW, tz=UTC).to_json()  # the sandbox's "today" is the UTC day
    by_user = lambda rows: {r["user_id"]: r for r in rows}  # noqa: E731 — order is the server's
    assert by_user(local.pop("reviewers")) == by_user(server.pop("reviewers"))
    assert local == server
    assert server["decided_today"] == 4 and server["overdue"] == 2


def _accepted(db: Database, decision_id: str) -> bool:
    with db.session() as session:
        decision = session.get(Decision, decision_id)
        assert decision is not None
        return decision.tracker_accepted


def test_the_accepted_flag_follows_the_outbox_stage_in_the_same_transaction(
    store: Store, db: Database
) -> None:
    store.user("u-1")
    store.sub("s-1", at("2026-11-22 06:00"), status="in_review", assigned_to="u-1")
    decision_id = store.decide("s-1", at("2026-11-22 08:00"), state="pending")
    assert not _accepted(db, decision_id)
    assert store.stats().open == 1
    with db.session() as session:
        item = session.scalars(
            select(OutboxItem).where(OutboxItem.decision_id == decision_id)
        ).one()
        item.stage = "procore"  # what the tracker stage does when the tracker took it
        session.flush()
        # Read in the same transaction: the trigger ran with the stage's own UPDATE.
        assert session.scalar(select(Decision.tracker_accepted).where(Decision.id == decision_id))
    assert _accepted(db, decision_id)
    assert store.stats().open == 0
    with db.session() as session:
        session.execute(delete(OutboxItem).where(OutboxItem.decision_id == decision_id))
    assert not _accepted(db, decision_id)


def test_migration_0005_backfills_the_accepted_flag(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0004")
        connection.execute(
            text("INSERT INTO vendors (id, name) VALUES ('v-1', 'Acme Drywall LLC');")
        )
        connection.execute(
            text(
                "INSERT INTO submissions (id, version, kind, status, received_at, due_at, scope,"
                " vendor_id, synced_at) VALUES ('s-1', 1, 'coi', 'new', '2026-11-20 10:00:00',"
                " '2026-11-21 10:00:00', 'project', 'v-1', '2026-11-20 10:00:00'),"
                " ('s-2', 1, 'coi', 'new', '2026-11-20 10:00:00',"
                " '2026-11-21 10:00:00', 'project', 'v-1', '2026-11-20 10:00:00')"
            )
        )
        for n, stage in ((1, "done"), (2, "tracker")):
            connection.execute(
                text(
                    "INSERT INTO decisions (id, submission_id, outcome, deficiencies, checklist,"
                    " policies, decided_by, decided_at, version_seen, undone) VALUES"
                    f" ('d-{n}', 's-{n}', 'compliant', '[]', '[]', '[]', 'u-1',"
                    " '2026-11-20 12:00:00', 1, 0)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO outbox_items (id, kind, submission_id, decision_id, payload,"
                    " state, stage, attempts, created_at, updated_at) VALUES"
                    f" ('o-{n}', 'decision', 's-{n}', 'd-{n}', '{{}}', 'pending', '{stage}', 0,"
                    " '2026-11-20 12:00:00', '2026-11-20 12:00:00')"
                )
            )
    engine.dispose()
    db = open_database(path, backups_dir=tmp_path / "backups")
    try:
        assert _accepted(db, "d-1")
        assert not _accepted(db, "d-2")
    finally:
        db.close()


def test_the_trackers_figures_come_through_the_one_tracker_client() -> None:
    def connection(url: str) -> Connection:
        return Connection(
            tracker_url=url,
            procore_api_url="",
            procore_login_url="",
            procore_client_id="",
            procore_auth="",
        )

    with SandboxServers() as servers:
        servers.tracker.add_user({"id": "u-4", "name": "Lee Lead", "role": "lead"})
        good = Credentials(environ={"COI_DESKTOP_TRACKER_TOKEN": "sandbox-token-u-4"})
        fetch = stats_fetcher(connection(servers.tracker_url), good)
        assert fetch is not None
        stats = fetch()
        assert stats is not None and stats.source == "tracker"
        refused = stats_fetcher(
            connection(servers.tracker_url), Credentials(environ={"COI_DESKTOP_TRACKER_TOKEN": "x"})
        )
        assert refused is not None and refused() is None  # 401: the local figures stand
    assert stats_fetcher(connection(""), good) is None  # no tracker configured
