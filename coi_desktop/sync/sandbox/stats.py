"""The team view's figures (``GET /queue/stats``) computed from submissions and their timelines.

Definitions (the app's offline figures must match):
- ``open`` = status ``new`` or ``in_review``; ``overdue`` = open and ``due_at`` < now;
  ``due_within_4h`` = open and now <= ``due_at`` < now + 4 h.
- ``decided_today`` counts decisions whose ``decided_at`` falls on today's UTC date.
- The 7-day figures use decisions with ``decided_at`` in (now − 7 days, now].
  Turnaround = ``decided_at − received_at``; within-24h share = turnaround <= 24 h.
  Percentiles are nearest-rank over turnaround minutes, rounded to whole minutes.
- Minutes per decision = ``decided_at − claimed_at`` (the last claim before the decision);
  a reviewer's median is over their 7-day decisions that had a claim, 1 decimal.
- Figures without data are ``null``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from coi_desktop.models import OPEN_STATUSES, STATUSES
from coi_desktop.timeutil import iso, parse_iso


@dataclass(frozen=True)
class Timeline:
    """When a submission was claimed and decided, and by whom (the tracker keeps this)."""

    claimed_at: datetime | None = None
    claimed_by: str | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None


def nearest_rank(values: Sequence[float], percent: float) -> float:
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def queue_stats(
    submissions: Iterable[Mapping[str, Any]],
    timelines: Mapping[str, Timeline],
    users: Iterable[Mapping[str, Any]],
    now: datetime,
) -> dict[str, Any]:
    subs = list(submissions)
    week_ago = now - timedelta(days=7)
    today = now.date()
    by_status = dict.fromkeys(STATUSES, 0)
    for sub in subs:
        by_status[sub["status"]] = by_status.get(sub["status"], 0) + 1
    open_subs = [s for s in subs if s["status"] in OPEN_STATUSES]

    turnarounds: list[float] = []
    decided_today: dict[str, int] = {}
    per_decision: dict[str, list[float]] = {}
    decided_today_total = 0
    for sub in subs:
        line = timelines.get(sub["id"])
        if line is None or line.decided_at is None:
            continue
        if line.decided_at.date() == today:
            decided_today_total += 1
            if line.decided_by:
                decided_today[line.decided_by] = decided_today.get(line.decided_by, 0) + 1
        if not week_ago < line.decided_at <= now:
            continue
        turnarounds.append(_minutes(line.decided_at - parse_iso(sub["received_at"])))
        if line.claimed_at is not None and line.decided_by:
            per_decision.setdefault(line.decided_by, []).append(
                _minutes(line.decided_at - line.claimed_at)
            )

    within = sum(1 for t in turnarounds if t <= 24 * 60)
    return {
        "as_of": iso(now.replace(microsecond=0)),
        "open": len(open_subs),
        "by_status": by_status,
        "due_within_4h": sum(
            1 for s in open_subs if now <= parse_iso(s["due_at"]) < now + timedelta(hours=4)
        ),
        "overdue": sum(1 for s in open_subs if parse_iso(s["due_at"]) < now),
        "decided_today": decided_today_total,
        "within_24h_share_7d": round(within / len(turnarounds), 3) if turnarounds else None,
        "turnaround_minutes_p50_7d": (
            round(nearest_rank(turnarounds, 50)) if turnarounds else None
        ),
        "turnaround_minutes_p90_7d": (
            round(nearest_rank(turnarounds, 90)) if turnarounds else None
        ),
        "reviewers": _reviewer_rows(open_subs, users, decided_today, per_decision),
    }


def _reviewer_rows(
    open_subs: list[Mapping[str, Any]],
    users: Iterable[Mapping[str, Any]],
    decided_today: Mapping[str, int],
    per_decision: Mapping[str, list[float]],
) -> list[dict[str, Any]]:
    rows = []
    for user in users:
        uid = user["id"]
        held = [s for s in open_subs if s.get("assigned_to") == uid]
        if user.get("role") == "read_only" and not held and uid not in decided_today:
            continue
        minutes = per_decision.get(uid)
        rows.append(
            {
                "user_id": uid,
                "name": user.get("name", uid),
                "assigned_open": len(held),
                "in_review": sum(1 for s in held if s["status"] == "in_review"),
                "decided_today": decided_today.get(uid, 0),
                "median_minutes_per_decision": (
                    round(statistics.median(minutes), 1) if minutes else None
                ),
                "oldest_held_received_at": (
                    min((s["received_at"] for s in held), key=parse_iso) if held else None
                ),
            }
        )
    return rows
