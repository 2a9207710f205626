"""What the team view looks up beside the figures: pending reassignments, the last sync,
the filter boxes' choices and the team's names (Qt-free).

``/me`` only ever names the signed-in user, so the store learns the rest of the team (who a
lead can give work to, and the names behind the ``u-…`` ids on submissions) from the
reviewers ``/queue/stats`` lists: :func:`learn_team` keeps them in the ``users`` table.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    exists,
    func,
    select,
)
from sqlalchemy.orm import Session

from coi_desktop.models import (
    LAST_SYNC_KEY,
    AppState,
    Company,
    OutboxItem,
    Project,
    Submission,
    User,
)
from coi_desktop.team_sql import from_store
from coi_desktop.teamstats import Choice, FilterChoices, ReviewerStats
from coi_desktop.timeutil import parse_iso


def pending_assignments(session: Session) -> int:
    """Reassignments written here and not yet confirmed by the tracker."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(OutboxItem)
            .where(OutboxItem.kind == "assign", OutboxItem.state == "pending")
        )
        or 0
    )


def last_synced_at(session: Session) -> datetime | None:
    """When the store last heard from the tracker (the offline figures' "as of")."""
    state = session.get(AppState, LAST_SYNC_KEY)
    if state is not None and isinstance(state.value, dict):
        try:
            return parse_iso(str(state.value.get("at")))
        except ValueError:
            pass
    # Before the first full sync pass: the newest submission the store was given.
    return from_store(session.scalar(select(func.max(Submission.synced_at))))


def filter_choices(session: Session) -> FilterChoices:
    """The customers (by Procore company) and projects the store knows, for the filter boxes."""
    # Distinct ids first (one scan), then names for the handful found.
    ids = select(Submission.procore_company_id).distinct().subquery()
    companies = session.execute(
        select(ids.c.procore_company_id, func.max(Company.name))
        .outerjoin(Company, Company.procore_company_id == ids.c.procore_company_id)
        .where(ids.c.procore_company_id.is_not(None))
        .group_by(ids.c.procore_company_id)
        .order_by(ids.c.procore_company_id)
    ).all()
    projects = session.execute(
        select(Project.id, Project.name)
        .where(exists().where(Submission.project_id == Project.id))
        .order_by(Project.name)
    ).all()
    return FilterChoices(
        companies=tuple(Choice(str(cid), name or f"Company {cid}") for cid, name in companies),
        projects=tuple(Choice(pid, name) for pid, name in projects),
    )


def assignable_users(session: Session) -> list[Choice]:
    """Who a lead can give work to: reviewers and leads, by name."""
    rows = session.execute(
        select(User.id, User.name)
        .where(User.role.in_(("reviewer", "lead")))
        .order_by(User.name, User.id)
    ).all()
    return [Choice(uid, name) for uid, name in rows]


def user_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(User.id, User.name)).all())


# The tracker lists team members under "reviewers" without a role; one who never signed in
# here is kept as a reviewer until their own /me says otherwise (only roles of the signed-in
# user change what this computer allows).
UNKNOWN_ROLE = "reviewer"


def learn_team(session: Session, reviewers: Iterable[ReviewerStats]) -> list[str]:
    """Keep the team's names; new members are added. Returns the ids added or renamed."""
    changed: list[str] = []
    for reviewer in reviewers:
        name = reviewer.name.strip()
        if not reviewer.user_id or not name or name == reviewer.user_id:
            continue  # no name to learn
        user = session.get(User, reviewer.user_id)
        if user is None:
            session.add(User(id=reviewer.user_id, name=name, email=None, role=UNKNOWN_ROLE))
            changed.append(reviewer.user_id)
        elif user.name != name:
            user.name = name
            changed.append(reviewer.user_id)
    return changed
