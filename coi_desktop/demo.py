"""Seeding a home with the generated demo world, through the same ingestion as sync."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol

from sqlalchemy import func, select

from coi_desktop.ingest import upsert_profile, upsert_submission, upsert_user
from coi_desktop.models import Submission
from coi_desktop.workspace import Workspace

log = logging.getLogger(__name__)


class WorldLike(Protocol):
    users: list[dict[str, object]]
    requirement_profiles: dict[str, dict[str, object]]
    submissions: list[dict[str, object]]
    documents: dict[str, bytes]


def is_empty(workspace: Workspace) -> bool:
    with workspace.database.session() as session:
        return session.execute(select(func.count(Submission.id))).scalar_one() == 0


def seed_workspace(workspace: Workspace, world: WorldLike, user_id: str) -> int:
    """Store the world's users, profiles, submissions and documents; return how many submissions."""
    with workspace.database.session() as session:
        for user in world.users:
            upsert_user(session, dict(user))
        for profile in world.requirement_profiles.values():
            upsert_profile(session, dict(profile))
        for item in world.submissions:
            change = upsert_submission(session, dict(item))
            for doc in change.documents_missing:
                data = world.documents.get(doc.id)
                if data is not None:
                    workspace.documents.put(data, expected_sha256=doc.sha256)
                    doc.stored = True
    workspace.set_current_user(user_id)
    log.info("demo home seeded with %d submissions", len(world.submissions))
    return len(world.submissions)


def build_demo_world(now: datetime, seed: int = 7, n_submissions: int = 160) -> WorldLike:
    from coi_desktop.samples import find_blank_form
    from coi_desktop.samples.world import build_world

    return build_world(seed, now, n_submissions=n_submissions, blank_form=find_blank_form())
