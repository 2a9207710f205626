"""The sandbox tracker honours tracker-api.md, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from coi_desktop.sync.sandbox import SandboxServers
from coi_desktop.sync.sandbox.stats import Timeline
from tests.sandbox_world import PDF_A, token

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def servers(servers: SandboxServers) -> SandboxServers:
    servers.tracker.clock = lambda: NOW
    return servers


class Tracker:
    """A few lines of client so the tests read like the contract."""

    def __init__(self, servers: SandboxServers, http: requests.Session) -> None:
        self.url, self.http = servers.tracker_url, http

    def get(self, path: str, user: str = "u-1", **kw: Any) -> requests.Response:
        return self.http.get(
            self.url + path, headers={**token(user), **kw.pop("headers", {})}, timeout=5, **kw
        )

    def post(self, path: str, user: str = "u-1", **kw: Any) -> requests.Response:
        return self.http.post(self.url + path, headers=token(user), timeout=5, **kw)

    def decide(
        self,
        sub_id: str,
        version: int | None,
        body: dict[str, Any],
        *,
        key: str | None = None,
        user: str = "u-1",
    ) -> requests.Response:
        headers = token(user)
        if key is not None:
            headers["Idempotency-Key"] = key
        if version is not None:
            headers["If-Match"] = str(version)
        return self.http.put(
            f"{self.url}/submissions/{sub_id}/decision", json=body, headers=headers, timeout=5
        )


@pytest.fixture
def tracker(servers: SandboxServers, http: requests.Session) -> Tracker:
    return Tracker(servers, http)


def decision(outcome: str = "compliant", user: str = "u-1", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "outcome": outcome,
        "decided_by": user,
        "decided_at": "2026-11-21T11:30:00Z",
        "deficiencies": [],
        "note": None,
        "checklist": [
            {
                "requirement": "general_liability.each_occurrence",
                "result": "pass",
                "found": 1000000,
                "required": 1000000,
                "overridden": False,
                "note": None,
            }
        ],
        "policies": [
            {
                "coverage": "general_liability",
                "insurer": "Hartford",
                "naic": "12345",
                "policy_number": "CGL1",
                "effective_date": "2026-01-01",
                "expiration_date": "2027-01-01",
                "limits": {"each_occurrence": 1000000},
            }
        ],
    }
    body.update(extra)
    return body


# -- auth and reading ----------------------------------------------------------------------


def test_me_answers_the_user_behind_the_token(tracker: Tracker) -> None:
    me = tracker.get("/me", "u-4")
    assert me.status_code == 200
    assert me.json() == {
        "id": "u-4",
        "name": "Lee Lead",
        "email": "lee@example.com",
        "role": "lead",
    }


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic dTp4"}]
)
def test_missing_or_wrong_token_is_401(
    servers: SandboxServers, http: requests.Session, headers: dict[str, str]
) -> None:
    answer = http.get(servers.tracker_url + "/me", headers=headers, timeout=5)
    assert answer.status_code == 401
    assert "Bearer" in answer.headers["WWW-Authenticate"]


def test_revoked_token_is_401(servers: SandboxServers, tracker: Tracker) -> None:
    servers.tracker.revoke_token("sandbox-token-u-1")
    assert tracker.get("/me").status_code == 401


def test_cursor_pages_through_the_queue_and_changes_reappear(
    servers: SandboxServers, tracker: Tracker
) -> None:
    first = tracker.get("/submissions", params={"limit": 3}).json()
    assert [s["id"] for s in first["items"]] == ["s-1042", "s-1043", "s-1044"]
    assert first["has_more"] is True
    second = tracker.get(
        "/submissions", params={"updated_since": first["next_cursor"], "limit": 3}
    ).json()
    assert [s["id"] for s in second["items"]] == ["s-1045"]
    assert second["has_more"] is False
    idle = tracker.get("/submissions", params={"updated_since": second["next_cursor"]}).json()
    assert idle == {"items": [], "next_cursor": second["next_cursor"], "has_more": False}

    servers.tracker.modify_submission("s-1043", assigned_to="u-2")
    servers.tracker.archive_submission("s-1042")
    changed = tracker.get("/submissions", params={"updated_since": idle["next_cursor"]}).json()
    assert [(s["id"], s["version"]) for s in changed["items"]] == [("s-1043", 2), ("s-1042", 2)]
    assert changed["items"][1]["status"] == "archived"


def test_new_document_makes_a_submission_reappear(
    servers: SandboxServers, tracker: Tracker
) -> None:
    cursor = tracker.get("/submissions").json()["next_cursor"]
    servers.tracker.add_document("s-1044", "d-777", b"%PDF-1.4 new\n")
    again = tracker.get("/submissions", params={"updated_since": cursor}).json()["items"]
    assert [s["id"] for s in again] == ["s-1044"]
    assert again[0]["documents"][0]["sha256"] == hashlib.sha256(b"%PDF-1.4 new\n").hexdigest()


def test_limit_is_clamped_to_1_and_500(servers: SandboxServers, tracker: Tracker) -> None:
    assert len(tracker.get("/submissions", params={"limit": 0}).json()["items"]) == 1
    base = servers.tracker.submission("s-1042")
    assert base is not None
    for n in range(500):
        servers.tracker.add_submission({**base, "id": f"s-x{n}"})
    page = tracker.get("/submissions", params={"limit": 10_000}).json()
    assert len(page["items"]) == 500
    assert page["has_more"] is True


@pytest.mark.parametrize("params", [{"updated_since": "not-a-cursor!"}, {"limit": "lots"}])
def test_bad_cursor_or_limit_is_400(tracker: Tracker, params: dict[str, str]) -> None:
    assert tracker.get("/submissions", params=params).status_code == 400


def test_one_submission_and_404(tracker: Tracker) -> None:
    one = tracker.get("/submissions/s-1043")
    assert one.status_code == 200
    assert one.json()["vendor"]["procore_vendor_id"] == 5513
    assert tracker.get("/submissions/s-9999").status_code == 404


def test_document_content_etag_and_304(tracker: Tracker) -> None:
    digest = hashlib.sha256(PDF_A).hexdigest()
    got = tracker.get("/documents/d-501/content")
    assert got.status_code == 200
    assert got.content == PDF_A
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["ETag"] == f'"{digest}"'
    cached = tracker.get("/documents/d-501/content", headers={"If-None-Match": f'"{digest}"'})
    assert cached.status_code == 304
    assert cached.content == b""
    stale = tracker.get("/documents/d-501/content", headers={"If-None-Match": '"abc"'})
    assert stale.status_code == 200
    assert tracker.get("/documents/d-404/content").status_code == 404


def test_corrupted_document_keeps_its_advertised_hash(
    servers: SandboxServers, tracker: Tracker
) -> None:
    servers.tracker.corrupt_document("d-501")
    got = tracker.get("/documents/d-501/content")
    assert got.headers["ETag"] == f'"{hashlib.sha256(PDF_A).hexdigest()}"'
    assert hashlib.sha256(got.content).hexdigest() != hashlib.sha256(PDF_A).hexdigest()


def test_requirement_profile_and_404(tracker: Tracker) -> None:
    profile = tracker.get("/requirement-profiles/rp-2")
    assert profile.status_code == 200
    assert profile.json()["lines"][0]["coverage"] == "general_liability"
    assert tracker.get("/requirement-profiles/rp-404").status_code == 404


# -- claiming and assigning ------------------------------------------------------------------


def test_claim_bumps_version_and_is_repeatable_by_the_holder(tracker: Tracker) -> None:
    claimed = tracker.post("/submissions/s-1042/claim")
    assert claimed.status_code == 200
    body = claimed.json()
    assert (body["version"], body["status"], body["assigned_to"]) == (2, "in_review", "u-1")
    again = tracker.post("/submissions/s-1042/claim")
    assert again.status_code == 200
    assert again.json()["version"] == 2


def test_claim_held_by_someone_else_is_409_with_the_current_submission(tracker: Tracker) -> None:
    tracker.post("/submissions/s-1042/claim", "u-2")
    taken = tracker.post("/submissions/s-1042/claim", "u-1")
    assert taken.status_code == 409
    assert taken.json()["assigned_to"] == "u-2"
    assert taken.json()["id"] == "s-1042"


def test_claim_of_archived_is_409_and_read_only_is_403(
    servers: SandboxServers, tracker: Tracker
) -> None:
    servers.tracker.archive_submission("s-1043")
    assert tracker.post("/submissions/s-1043/claim").status_code == 409
    assert tracker.post("/submissions/s-1042/claim", "u-9").status_code == 403
    assert tracker.post("/submissions/s-404/claim").status_code == 404


def test_only_leads_assign(tracker: Tracker) -> None:
    assert (
        tracker.post("/submissions/s-1042/assign", "u-1", json={"user_id": "u-2"}).status_code
        == 403
    )
    assigned = tracker.post("/submissions/s-1042/assign", "u-4", json={"user_id": "u-2"})
    assert assigned.status_code == 200
    assert (assigned.json()["assigned_to"], assigned.json()["version"]) == ("u-2", 2)
    assert (
        tracker.post("/submissions/s-1042/assign", "u-4", json={"user_id": "u-404"}).status_code
        == 422
    )
    assert tracker.post("/submissions/s-1042/assign", "u-4", json={}).status_code == 422
    # The assignee may now claim it (status goes to in_review); others may not.
    assert tracker.post("/submissions/s-1042/claim", "u-1").status_code == 409
    assert tracker.post("/submissions/s-1042/claim", "u-2").json()["status"] == "in_review"


# -- deciding ----------------------------------------------------------------------------------


def test_decision_is_stored_and_sets_the_status(servers: SandboxServers, tracker: Tracker) -> None:
    version = tracker.post("/submissions/s-1042/claim").json()["version"]
    key = str(uuid.uuid4())
    answer = tracker.decide(
        "s-1042",
        version,
        decision("non_compliant", deficiencies=["GL each occurrence $500,000 is below $1,000,000"]),
        key=key,
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["submission"]["status"] == "non_compliant"
    assert body["submission"]["version"] == version + 1
    assert body["decision"]["outcome"] == "non_compliant"
    assert body["decision"]["idempotency_key"] == key
    assert servers.tracker.decisions_per_key() == {key: 1}


def test_repeated_key_is_answered_from_the_stored_answer_before_if_match(
    servers: SandboxServers, tracker: Tracker
) -> None:
    version = tracker.post("/submissions/s-1042/claim").json()["version"]
    key = str(uuid.uuid4())
    first = tracker.decide("s-1042", version, decision(), key=key)
    # The retry still carries the old version — which its own first attempt bumped.
    retry = tracker.decide("s-1042", version, decision(), key=key)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    no_if_match = tracker.decide("s-1042", None, decision(), key=key)
    assert no_if_match.status_code == 201
    assert servers.tracker.decisions_per_key() == {key: 1}
    assert len(servers.tracker.decisions()) == 1
    assert servers.tracker.key_presentations[key] == 3


def test_decision_header_errors(tracker: Tracker) -> None:
    assert tracker.decide("s-1042", 1, decision(), key=None).status_code == 400
    assert tracker.decide("s-1042", None, decision(), key="k-1").status_code == 428
    read_only = tracker.decide("s-1042", 1, decision(user="u-9"), key="k-2", user="u-9")
    assert read_only.status_code == 403
    assert tracker.decide("s-404", 1, decision(), key="k-3").status_code == 404


def test_stale_version_is_409_with_the_current_submission(
    servers: SandboxServers, tracker: Tracker
) -> None:
    servers.tracker.modify_submission("s-1042", assigned_to="u-2")  # version 2
    conflict = tracker.decide("s-1042", 1, decision(), key="k-stale")
    assert conflict.status_code == 409
    assert conflict.json()["version"] == 2
    assert conflict.json()["assigned_to"] == "u-2"
    assert servers.tracker.decisions() == []


def test_a_reviewer_deciding_what_another_holds_is_409_and_a_lead_may_decide_any(
    servers: SandboxServers, tracker: Tracker
) -> None:
    held = servers.tracker.modify_submission("s-1042", assigned_to="u-2", status="in_review")
    conflict = tracker.decide("s-1042", held["version"], decision(), key="k-not-mine")
    assert conflict.status_code == 409
    assert conflict.json()["assigned_to"] == "u-2"  # the current submission says who holds it
    assert servers.tracker.decisions() == []
    by_lead = tracker.decide(
        "s-1042", held["version"], decision(user="u-4"), key="k-lead", user="u-4"
    )
    assert by_lead.status_code == 201
    assert by_lead.json()["submission"]["status"] == "compliant"


def test_decision_on_archived_or_decided_is_409(servers: SandboxServers, tracker: Tracker) -> None:
    archived = servers.tracker.archive_submission("s-1043")
    assert tracker.decide("s-1043", archived["version"], decision(), key="k-a").status_code == 409
    first = tracker.decide("s-1042", 1, decision(), key="k-first")
    assert first.status_code == 201
    second = tracker.decide(
        "s-1042", first.json()["submission"]["version"], decision("rejected"), key="k-second"
    )
    assert second.status_code == 409
    assert second.json()["status"] == "compliant"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"decided_by": None}, "decided_by"),
        ({"decided_by": "u-404"}, "decided_by"),
        ({"decided_at": "yesterday"}, "decided_at"),
        ({"decided_at": "2026-11-21T11:30:00"}, "decided_at"),
        ({"deficiencies": "too low"}, "deficiencies"),
        ({"deficiencies": ["ok", 3]}, "deficiencies"),
        ({"checklist": [{"requirement": "gl", "result": "meh"}]}, "checklist[0].result"),
        ({"checklist": "all good"}, "checklist"),
        ({"policies": {"coverage": "gl"}}, "policies"),
        (
            {"policies": [{"coverage": "gl", "expiration_date": "01/01/2027"}]},
            "policies[0].expiration_date",
        ),
        (
            {
                "checklist": [
                    {
                        "requirement": "gl.in_force",
                        "result": "pass",
                        "found": {"effective_date": "2026-01-01"},
                    }
                ]
            },
            "checklist[0].found",
        ),
        (
            {
                "checklist": [
                    {"requirement": "gl.additional_insured", "result": "pass", "required": [True]}
                ]
            },
            "checklist[0].required",
        ),
    ],
)
def test_invalid_bodies_are_422_with_field_errors(
    servers: SandboxServers, tracker: Tracker, change: dict[str, Any], field: str
) -> None:
    answer = tracker.decide("s-1042", 1, decision(**change), key=str(uuid.uuid4()))
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert field in errors
    assert all(isinstance(m, str) for m in errors[field])
    assert servers.tracker.submission("s-1042")["status"] == "new"  # type: ignore[index]


def test_a_422_is_not_stored_so_the_corrected_retry_with_the_same_key_lands(
    tracker: Tracker,
) -> None:
    key = str(uuid.uuid4())
    assert tracker.decide("s-1042", 1, decision(outcome="maybe"), key=key).status_code == 422
    assert tracker.decide("s-1042", 1, decision(), key=key).status_code == 201


def test_non_json_decision_body_is_422(servers: SandboxServers, http: requests.Session) -> None:
    answer = http.put(
        servers.tracker_url + "/submissions/s-1042/decision",
        data=b"{oops",
        headers={**token("u-1"), "Idempotency-Key": "k", "If-Match": "1"},
        timeout=5,
    )
    assert answer.status_code == 422
    assert "body" in answer.json()["errors"]


def test_if_match_may_be_quoted_like_an_etag(tracker: Tracker, http: requests.Session) -> None:
    answer = http.put(
        tracker.url + "/submissions/s-1042/decision",
        json=decision(),
        headers={**token("u-1"), "Idempotency-Key": "k-q", "If-Match": 'W/"1"'},
        timeout=5,
    )
    assert answer.status_code == 201


# -- team view ---------------------------------------------------------------------------------


def test_queue_stats_compute_the_contract_fields(servers: SandboxServers, tracker: Tracker) -> None:
    state = servers.tracker
    # Claimed at 11:00 and decided 11:30 by u-1 → 30 min per decision; turnaround 21h27m.
    state.clock = lambda: datetime(2026, 11, 21, 11, 0, tzinfo=UTC)
    version = tracker.post("/submissions/s-1042/claim").json()["version"]
    state.clock = lambda: NOW
    assert tracker.decide("s-1042", version, decision(), key="k-stats").status_code == 201
    # History: decided by u-2 yesterday, 30 hours after receipt (outside 24 h), 60 min of work.
    decided = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    state.set_timeline(
        "s-1043",
        Timeline(
            claimed_at=decided - timedelta(hours=1),
            claimed_by="u-2",
            decided_at=decided,
            decided_by="u-2",
        ),
    )
    state.modify_submission("s-1043", status="compliant", received_at="2026-11-19T10:00:00Z")
    tracker.post("/submissions/s-1044/claim", "u-2")

    stats = tracker.get("/queue/stats", "u-4").json()
    assert stats["as_of"] == "2026-11-21T12:00:00Z"
    assert stats["open"] == 2
    assert stats["by_status"] == {
        "new": 1,
        "in_review": 1,
        "compliant": 2,
        "non_compliant": 0,
        "rejected": 0,
        "archived": 0,
    }
    # s-1044 due 2026-11-21T16:00Z (in 4 h, not within), s-1045 due 17:00Z.
    assert stats["due_within_4h"] == 0
    assert stats["overdue"] == 0
    assert stats["decided_today"] == 1
    assert stats["within_24h_share_7d"] == 0.5
    assert stats["turnaround_minutes_p50_7d"] == 21 * 60 + 27
    assert stats["turnaround_minutes_p90_7d"] == 30 * 60
    rows = {row["user_id"]: row for row in stats["reviewers"]}
    assert set(rows) == {"u-1", "u-2", "u-4"}
    assert rows["u-1"]["decided_today"] == 1
    assert rows["u-1"]["median_minutes_per_decision"] == 30.0
    assert rows["u-2"] == {
        "user_id": "u-2",
        "name": "Sam Reviewer",
        "assigned_open": 1,
        "in_review": 1,
        "decided_today": 0,
        "median_minutes_per_decision": 60.0,
        "oldest_held_received_at": "2026-11-20T16:00:00Z",
    }


def test_queue_stats_overdue_and_due_soon(servers: SandboxServers, tracker: Tracker) -> None:
    servers.tracker.clock = lambda: datetime(2026, 11, 21, 15, 30, tzinfo=UTC)
    stats = tracker.get("/queue/stats").json()
    # Due 14:03 and 15:00 are past; 16:00 and 17:00 are within 4 h.
    assert (stats["overdue"], stats["due_within_4h"]) == (2, 2)
    assert stats["within_24h_share_7d"] is None
    assert stats["turnaround_minutes_p50_7d"] is None


def test_unknown_endpoint_and_method(tracker: Tracker, http: requests.Session) -> None:
    assert tracker.get("/nothing-here").status_code == 404
    assert http.delete(tracker.url + "/me", headers=token("u-1"), timeout=5).status_code == 405


def test_malformed_if_match_is_400_but_a_replay_still_answers(
    tracker: Tracker, http: requests.Session
) -> None:
    def put(key: str, if_match: str) -> requests.Response:
        return http.put(
            tracker.url + "/submissions/s-1042/decision",
            json=decision(),
            headers={**token("u-1"), "Idempotency-Key": key, "If-Match": if_match},
            timeout=5,
        )

    assert put("k-m", "seven").status_code == 400
    assert put("k-m", "1").status_code == 201
    assert put("k-m", "seven").status_code == 201


def test_a_cursor_from_an_earlier_sandbox_run_replays_everything(
    servers: SandboxServers, tracker: Tracker
) -> None:
    cursor = tracker.get("/submissions").json()["next_cursor"]
    servers.tracker.epoch = "restarted"
    again = tracker.get("/submissions", params={"updated_since": cursor}).json()
    assert len(again["items"]) == 4
