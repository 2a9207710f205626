"""A decision made after our own claim was sent, before the next pull: not a conflict."""

from __future__ import annotations

from pathlib import Path

from coi_desktop.models import Submission, User
from coi_desktop.review.decisions import claim
from coi_desktop.sync.sandbox import SandboxServers
from tests.sandbox_world import TinyWorld
from tests.test_sync_helpers import decide, engine_for, item


def test_decision_after_our_claim_landed_uses_the_claims_version(coi_home: Path) -> None:
    with (
        SandboxServers(world=TinyWorld()) as servers,
        engine_for(servers, coi_home) as (workspace, engine),
    ):
        engine.run_once()
        with workspace.database.session() as session:
            riley = session.get(User, "u-1")
            assert riley is not None
            claim(session, "s-1042", riley)  # opened in the window
            before = session.get(Submission, "s-1042")
            assert before is not None
            version = before.version
        engine.run_outbound()  # the claim lands (v+1); no pull has stored it yet
        with workspace.database.session() as session:
            sub = session.get(Submission, "s-1042")
            assert sub is not None and sub.version == version + 1
        item_id = decide(workspace, "s-1042", with_claim=False)
        engine.run_outbound()
        assert item(workspace, item_id).state in ("pending", "delivered")
        assert item(workspace, item_id).stage != "tracker", item(workspace, item_id).last_error
        remote = servers.tracker.submission("s-1042")
        assert remote is not None and remote["status"] == "compliant"
