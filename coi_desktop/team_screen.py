"""What the team view shows beside its figures, and where a click on it leads, as plain data.

The dashboard widget only paints these: each tile's face (value, note, alert), the status
line, and the queue filter a tile, a bar of a chart or a reviewer drills down to. Qt-free,
so the choices are tested without a window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, tzinfo
from typing import Any

from coi_desktop.queue import QueueFilter
from coi_desktop.report import local_time_text, tiles
from coi_desktop.team_view import DashboardData
from coi_desktop.teamstats import PROMISE_HOURS, StatsFilter

# The tiles that lead somewhere: the percentiles are figures, not lists of submissions.
CLICKABLE_TILES = frozenset(
    {"open", "due_within_4h", "overdue", "decided_today", "within_24h_share_7d"}
)
NOTHING = ("-",)  # an id no submission has: "show an empty list", never "show everything"


@dataclass(frozen=True)
class TileFace:
    key: str
    value: str
    note: str
    alert: bool  # past the promise: red
    warn: bool  # about to be: amber
    clickable: bool


def tile_faces(data: DashboardData) -> list[TileFace]:
    snap, stats = data.snapshot, data.snapshot.stats
    notes = {
        "open": f"{stats.by_status.get('new', 0)} new · "
        f"{stats.by_status.get('in_review', 0)} in review",
        "due_within_4h": "act now" if stats.due_within_4h else "",
        "overdue": "past the 24 h promise" if stats.overdue else "on time",
        "decided_today": f"since midnight {snap.tz_name}",
        "within_24h_share_7d": f"{len(data.missed_24h_ids)} missed, last 7 days",
        "turnaround_p50": "received → decided, 7 d",
        "turnaround_p90": "9 in 10 decided within",
    }
    share = stats.within_24h_share_7d
    alerts = {
        "overdue": stats.overdue > 0,
        "within_24h_share_7d": share is not None and share < 0.95,
        "turnaround_p90": (stats.turnaround_minutes_p90_7d or 0) > PROMISE_HOURS * 60,
    }
    return [
        TileFace(
            key,
            value,
            notes.get(key, ""),
            alert=alerts.get(key, False),
            warn=key == "due_within_4h" and stats.due_within_4h > 0,
            clickable=key in CLICKABLE_TILES,
        )
        for key, _caption, value in tiles(snap)
    ]


def status_text(data: DashboardData, tz: tzinfo) -> str:
    """Where the figures come from and how fresh they are, in one line."""
    snap = data.snapshot
    when = local_time_text(snap.now, tz)
    if data.online:
        text = f"Live from the tracker · as of {when}"
    else:
        synced = local_time_text(data.synced_at, tz) if data.synced_at else "never synced"
        where = "filtered view" if not snap.filters.empty else "offline"
        text = f"Computed on this computer ({where}) · as of {when} · data last synced {synced}"
    if data.pending_assignments:
        n = data.pending_assignments
        text += f" · {n} reassignment{'s' if n != 1 else ''} waiting to be sent"
    return text


def queue_filter(shown: StatsFilter, **fields: Any) -> QueueFilter:
    """The queue's filter for what the view shows (its customer, project, kind) and more."""
    return QueueFilter(
        kinds=shown.kinds,
        procore_company_ids=shown.company_ids,
        project_ids=shown.project_ids,
        **fields,
    )


def tile_filter(key: str, data: DashboardData, shown: StatsFilter) -> QueueFilter | None:
    now = data.snapshot.now
    if key == "open":
        return queue_filter(shown, view="open")
    if key == "due_within_4h":
        return queue_filter(shown, view="open", due_after=now, due_before=now + timedelta(hours=4))
    if key == "overdue":
        return queue_filter(shown, view="open", due_before=now)
    if key == "decided_today":
        return queue_filter(shown, ids=data.decided_today_ids or NOTHING)
    if key == "within_24h_share_7d":
        return queue_filter(shown, ids=data.missed_24h_ids or NOTHING)
    return None


def aging_filter(index: int, data: DashboardData, shown: StatsFilter) -> QueueFilter | None:
    """The open items of one bar of "open items by hours since receipt"."""
    aging, now = data.snapshot.aging, data.snapshot.now
    if not 0 <= index < len(aging):
        return None
    bucket = aging[index]
    return queue_filter(
        shown,
        view="open",
        received_before=now - timedelta(hours=bucket.start_hours),
        received_after=None
        if bucket.end_hours is None
        else now - timedelta(hours=bucket.end_hours),
    )


def trend_filter(index: int, data: DashboardData, shown: StatsFilter) -> QueueFilter | None:
    """What arrived on one day of the trend."""
    trend = data.snapshot.trend
    if not 0 <= index < len(trend):
        return None
    day = trend[index]
    tick = timedelta(microseconds=1)  # the queue's bounds are (after, before]
    return queue_filter(shown, received_after=day.start - tick, received_before=day.end - tick)
