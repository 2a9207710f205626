"""The team view as words and files: figures as text, and a CSV of every figure.

Qt-free, so `coi-desktop report` can run from a scheduler with no display. The one-page PDF
report is ``report_pdf``. Both take a :class:`~coi_desktop.teamstats.TeamSnapshot`, the same
object the dashboard shows.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from coi_desktop.atomic import write_atomic
from coi_desktop.teamstats import (
    TeamSnapshot,
)
from coi_desktop.timeutil import iso

# ---------------------------------------------------------------- words for figures


def format_minutes(minutes: float | None) -> str:
    """``610`` → ``10h 10m``; under an hour ``42m``; no data ``—``."""
    if minutes is None:
        return "—"
    whole = round(minutes)
    sign = "-" if whole < 0 else ""
    whole = abs(whole)
    if whole < 60:
        return f"{sign}{whole}m"
    return f"{sign}{whole // 60}h {whole % 60:02d}m"


def format_share(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def format_age(received_at: datetime | None, now: datetime) -> str:
    """How long ago something was received, as ``31h`` / ``2d 4h``."""
    if received_at is None:
        return "—"
    hours = int((now - received_at).total_seconds() // 3600)
    return f"{hours}h" if hours < 48 else f"{hours // 24}d {hours % 24}h"


def snapshot_zone(snapshot: TeamSnapshot) -> tzinfo:
    try:
        return ZoneInfo(snapshot.tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local_time_text(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{local:%a %d %b %Y %H:%M} {local.tzname() or ''}".strip()


def tiles(snapshot: TeamSnapshot) -> list[tuple[str, str, str]]:
    """(key, label, value) of the headline figures, in the order the dashboard shows them."""
    s = snapshot.stats
    return [
        ("open", "Open", str(s.open)),
        ("due_within_4h", "Due within 4 h", str(s.due_within_4h)),
        ("overdue", "Overdue", str(s.overdue)),
        ("decided_today", "Decided today", str(s.decided_today)),
        ("within_24h_share_7d", "Within 24 h (7 d)", format_share(s.within_24h_share_7d)),
        ("turnaround_p50", "Turnaround p50", format_minutes(s.turnaround_minutes_p50_7d)),
        ("turnaround_p90", "Turnaround p90", format_minutes(s.turnaround_minutes_p90_7d)),
    ]


def filter_text(snapshot: TeamSnapshot, labels: dict[str, str] | None = None) -> str:
    """The filter in words (``labels`` maps ids to names where the caller knows them)."""
    labels = {**snapshot.labels, **(labels or {})}
    f = snapshot.filters
    parts = []
    if f.company_ids:
        parts.append("customer " + ", ".join(labels.get(str(c), str(c)) for c in f.company_ids))
    if f.project_ids:
        parts.append("project " + ", ".join(labels.get(p, p) for p in f.project_ids))
    if f.kinds:
        parts.append("kind " + ", ".join(f.kinds))
    return "; ".join(parts) if parts else "all customers, projects and kinds"


# ---------------------------------------------------------------- CSV


def csv_text(snapshot: TeamSnapshot) -> str:
    """The view as CSV: blocks (figures, reviewers, aging, trend, overdue), each with a header.

    The first column of every row names its block, so a script can split it with one
    ``groupby``; a spreadsheet shows readable tables separated by blank lines.
    """
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    s = snapshot.stats
    w.writerow(["section", "figure", "value"])
    summary: list[tuple[str, Any]] = [
        ("as_of", iso(snapshot.now)),
        ("time_zone", snapshot.tz_name),
        ("source", s.source),
        ("filter", filter_text(snapshot)),
        ("open", s.open),
        *((f"status_{k}", v) for k, v in s.by_status.items()),
        ("due_within_4h", s.due_within_4h),
        ("overdue", s.overdue),
        ("decided_today", s.decided_today),
        ("within_24h_share_7d", _blank(s.within_24h_share_7d)),
        ("turnaround_minutes_p50_7d", _blank(s.turnaround_minutes_p50_7d)),
        ("turnaround_minutes_p90_7d", _blank(s.turnaround_minutes_p90_7d)),
    ]
    for key, value in summary:
        w.writerow(["summary", key, value])
    w.writerow([])
    w.writerow(
        [
            "section",
            "user_id",
            "name",
            "assigned_open",
            "in_review",
            "decided_today",
            "median_minutes_per_decision",
            "oldest_held_received_at",
        ]
    )
    for r in s.reviewers:
        w.writerow(
            [
                "reviewers",
                r.user_id,
                r.name,
                r.assigned_open,
                r.in_review,
                r.decided_today,
                _blank(r.median_minutes_per_decision),
                iso(r.oldest_held_received_at) if r.oldest_held_received_at else "",
            ]
        )
    w.writerow([])
    w.writerow(["section", "hours_from", "hours_to", "open_items"])
    for b in snapshot.aging:
        w.writerow(["aging", b.start_hours, _blank(b.end_hours), b.count])
    w.writerow([])
    w.writerow(["section", "day", "received", "decided", "decided_within_24h", "within_24h_share"])
    for d in snapshot.trend:
        w.writerow(
            [
                "trend",
                d.day.isoformat(),
                d.received,
                d.decided,
                d.within_24h,
                _blank(d.within_24h_share),
            ]
        )
    w.writerow([])
    w.writerow(
        [
            "section",
            "id",
            "vendor",
            "project",
            "kind",
            "assigned_to",
            "held_by",
            "received_at",
            "due_at",
            "overdue_minutes",
        ]
    )
    for o in snapshot.overdue_items:
        late = int((snapshot.now - o.due_at).total_seconds() // 60)
        held_by = snapshot.user_names.get(o.assigned_to, o.assigned_to) if o.assigned_to else ""
        w.writerow(
            [
                "overdue",
                o.id,
                o.vendor,
                o.project or "",
                o.kind,
                o.assigned_to or "",
                held_by,
                iso(o.received_at),
                iso(o.due_at),
                late,
            ]
        )
    return out.getvalue()


def _blank(value: object) -> object:
    return "" if value is None else value


def write_csv(snapshot: TeamSnapshot, path: Path) -> None:
    write_atomic(Path(path), csv_text(snapshot).encode("utf-8"))
