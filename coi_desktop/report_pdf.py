"""The team view as a one-page PDF report, drawn with PyMuPDF (Qt-free).

Headline figures, the aging and trend charts, the reviewers and the overdue list, from a
:class:`~coi_desktop.teamstats.TeamSnapshot`; the words come from ``report``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pymupdf

from coi_desktop.atomic import write_atomic
from coi_desktop.report import (
    filter_text,
    format_age,
    format_minutes,
    local_time_text,
    snapshot_zone,
    tiles,
)
from coi_desktop.teamstats import PROMISE_HOURS, AgingBucket, DayTrend, TeamSnapshot

PAGE_W, PAGE_H = 612.0, 792.0  # US Letter, portrait
MARGIN = 36.0
INK = (0.13, 0.15, 0.18)
MUTED = (0.42, 0.45, 0.50)
RULE = (0.82, 0.84, 0.87)
BLUE = (0.16, 0.42, 0.75)
GREEN = (0.20, 0.56, 0.33)
AMBER = (0.85, 0.55, 0.10)
RED = (0.78, 0.20, 0.17)
PALE_RED = (0.99, 0.93, 0.92)
PALE = (0.96, 0.97, 0.98)
REGULAR, BOLD = "helv", "hebo"
Rect: Callable[..., Any] = pymupdf.Rect  # PyMuPDF ships no type hints
MAX_REVIEWER_ROWS = 16


def pdf_bytes(
    snapshot: TeamSnapshot,
    title: str = "COI review — team report",
    *,
    reviewers: bool = True,
) -> bytes:
    """A one-page report: headline figures, aging and trend charts, reviewers, overdue list.

    ``reviewers=False`` leaves the per-reviewer table out (for a customer's project team,
    who need the service level, not who on our team did what) and lists more overdue items.
    """
    doc = pymupdf.open()  # type: ignore[no-untyped-call]
    try:
        page = doc.new_page(width=PAGE_W, height=PAGE_H)
        _draw_page(page, snapshot, title, reviewers)
        doc.set_metadata({"title": title, "creator": "COI Desk", "producer": "COI Desk"})
        return bytes(doc.tobytes(garbage=3, deflate=True))  # type: ignore[no-untyped-call]
    finally:
        doc.close()  # type: ignore[no-untyped-call]


def write_pdf(snapshot: TeamSnapshot, path: Path, *, reviewers: bool = True) -> None:
    write_atomic(Path(path), pdf_bytes(snapshot, reviewers=reviewers))


# The PDF's built-in Helvetica has Latin-1 glyphs only; these would print as "?".
_PLAIN = str.maketrans({"—": "-", "–": "-", "−": "-", "…": "...", "≤": "<=", "’": "'"})


def _column_heads(
    page: Any, cols: list[tuple[str, float, bool]], x0: float, x1: float, y: float
) -> float:
    """A table's column names over a rule; the same ``y`` back, to place the rows under."""
    for name, x, right in cols:
        _text(page, x, y, name, 7.5, bold=True, color=MUTED, right=right)
    page.draw_line((x0, y + 4), (x1, y + 4), color=RULE, width=0.6)
    return y


def _text(
    page: Any,
    x: float,
    y: float,
    text: str,
    size: float = 9,
    *,
    bold: bool = False,
    color: tuple[float, float, float] = INK,
    right: bool = False,
    center: bool = False,
) -> None:
    font = BOLD if bold else REGULAR
    text = text.translate(_PLAIN)
    if right or center:
        width = pymupdf.get_text_length(text, fontname=font, fontsize=size)
        x = x - width if right else x - width / 2
    page.insert_text((x, y), text, fontsize=size, fontname=font, color=color)


def _fit(text: str, width: float, size: float, bold: bool = False) -> str:
    font = BOLD if bold else REGULAR
    text = text.translate(_PLAIN)
    if pymupdf.get_text_length(text, fontname=font, fontsize=size) <= width:
        return text
    while text and pymupdf.get_text_length(text + "...", fontname=font, fontsize=size) > width:
        text = text[:-1]
    return text + "..."


def _draw_page(page: Any, snap: TeamSnapshot, title: str, reviewers: bool) -> None:
    tz = snapshot_zone(snap)
    s = snap.stats
    x0, x1 = MARGIN, PAGE_W - MARGIN
    _text(page, x0, 50, title, 17, bold=True)
    source = "the tracker" if s.source == "tracker" else "the local store"
    _text(
        page,
        x0,
        66,
        f"As of {local_time_text(snap.now, tz)} · figures from {source} · {filter_text(snap)}",
        8.5,
        color=MUTED,
    )
    page.draw_line((x0, 76), (x1, 76), color=RULE, width=0.8)

    # Headline tiles.
    items = tiles(snap)
    gap = 6.0
    tile_w = (x1 - x0 - gap * (len(items) - 1)) / len(items)
    for i, (key, label, value) in enumerate(items):
        left = x0 + i * (tile_w + gap)
        rect = Rect(left, 86, left + tile_w, 136)
        alert = key == "overdue" and s.overdue > 0
        page.draw_rect(
            rect, color=RED if alert else RULE, fill=PALE_RED if alert else PALE, width=0.8
        )
        _text(page, left + 6, 100, _fit(label, tile_w - 10, 7), 7, color=MUTED)
        _text(
            page,
            left + 6,
            126,
            _fit(value, tile_w - 10, 15, True),
            15,
            bold=True,
            color=RED if alert else INK,
        )

    # Charts side by side.
    chart_top, chart_h = 152.0, 160.0
    half = (x1 - x0 - 18) / 2
    _aging_chart(page, Rect(x0, chart_top, x0 + half, chart_top + chart_h), snap.aging)
    _trend_chart(page, Rect(x1 - half, chart_top, x1, chart_top + chart_h), snap.trend)

    y = chart_top + chart_h + 26
    if reviewers:
        y = _reviewer_table(page, y, snap) + 18
    _overdue_table(page, y, snap, 10 if reviewers else 30)

    footer = (
        "Turnaround = decided − received (last 7 days, nearest-rank percentiles). "
        "Within 24 h = share of the last 7 days' decisions made within 24 h of receipt. "
        'Min/decision = decided − claimed. "Today" is the calendar day in '
        f"{snap.tz_name}."
    )
    page.insert_textbox(
        Rect(x0, PAGE_H - 50, x1, PAGE_H - 20),
        footer.translate(_PLAIN),
        fontsize=6.5,
        fontname=REGULAR,
        color=MUTED,
    )


def _chart_frame(page: Any, rect: Any, title: str, legend: Sequence[tuple[str, Any]]) -> Any:
    _text(page, rect.x0, rect.y0 + 8, title, 10, bold=True)
    x = rect.x1
    for label, color in reversed(legend):
        width = pymupdf.get_text_length(label, fontname=REGULAR, fontsize=7)
        x -= width
        _text(page, x, rect.y0 + 8, label, 7, color=MUTED)
        x -= 10
        page.draw_rect(Rect(x, rect.y0 + 2, x + 7, rect.y0 + 9), color=None, fill=color)
        x -= 8
    return Rect(rect.x0 + 24, rect.y0 + 20, rect.x1 - 4, rect.y1 - 16)


def _scale(value: float) -> tuple[int, int]:
    """A round top and step for a count axis: at most five steps of 1, 2, 2.5 or 5 × 10^k."""
    value = max(value, 1)
    magnitude = 1
    while True:
        for factor in (1, 2, 2.5, 5):
            step = factor * magnitude
            if step == int(step) and -(-value // step) <= 5:
                steps = int(-(-value // step))
                return int(step) * max(steps, 1), int(step)
        magnitude *= 10


def _axes(page: Any, plot: Any, top: int, step: int) -> None:
    for i in range(top // step + 1):
        y = plot.y1 - plot.height * i * step / top
        page.draw_line((plot.x0, y), (plot.x1, y), color=RULE, width=0.4)
        _text(page, plot.x0 - 3, y + 2.5, f"{i * step:,}", 6.5, color=MUTED, right=True)


def _aging_chart(page: Any, rect: Any, buckets: Sequence[AgingBucket]) -> None:
    plot = _chart_frame(
        page, rect, "Open items by age", [("within 24 h", BLUE), ("past 24 h", RED)]
    )
    top, step = _scale(max((b.count for b in buckets), default=0))
    _axes(page, plot, top, step)
    if not buckets:
        return
    slot = plot.width / len(buckets)
    for i, b in enumerate(buckets):
        h = plot.height * b.count / top
        left = plot.x0 + i * slot + slot * 0.15
        if h > 0:
            page.draw_rect(
                Rect(left, plot.y1 - h, left + slot * 0.7, plot.y1),
                color=None,
                fill=RED if b.overdue else BLUE,
            )
        if i % 2 == 0 or b.end_hours is None:
            _text(
                page,
                plot.x0 + i * slot + slot / 2,
                plot.y1 + 9,
                f"{b.start_hours}+" if b.end_hours is None else str(b.start_hours),
                6.5,
                color=MUTED,
                center=True,
            )
    # The 24-hour promise, where the overdue buckets start.
    line_x = next(
        (plot.x0 + i * slot for i, b in enumerate(buckets) if b.start_hours >= PROMISE_HOURS),
        plot.x1,
    )
    page.draw_line((line_x, plot.y0 - 4), (line_x, plot.y1), color=RED, width=1.1, dashes="[3 2] 0")
    _text(page, line_x + 3, plot.y0 + 2, "24 h", 7, bold=True, color=RED)
    _text(page, plot.x1, plot.y1 + 17, "hours since receipt", 6.5, color=MUTED, right=True)


def _trend_chart(page: Any, rect: Any, days: Sequence[DayTrend]) -> None:
    plot = _chart_frame(
        page, rect, "Last 14 days", [("received", MUTED), ("decided", BLUE), ("% in 24 h", GREEN)]
    )
    top, step = _scale(max((max(d.received, d.decided) for d in days), default=0))
    _axes(page, plot, top, step)
    if not days:
        return
    slot = plot.width / len(days)
    bar = slot * 0.36
    points = []
    for i, d in enumerate(days):
        left = plot.x0 + i * slot + slot * 0.12
        for j, (value, color) in enumerate(((d.received, MUTED), (d.decided, BLUE))):
            h = plot.height * value / top
            if h > 0:
                x = left + j * bar
                page.draw_rect(Rect(x, plot.y1 - h, x + bar, plot.y1), color=None, fill=color)
        if d.within_24h_share is not None:
            points.append(
                (plot.x0 + i * slot + slot / 2, plot.y1 - plot.height * d.within_24h_share)
            )
        if i % 2 == (len(days) - 1) % 2:
            _text(
                page,
                plot.x0 + i * slot + slot / 2,
                plot.y1 + 9,
                f"{d.day:%b} {d.day.day}",
                6,
                color=MUTED,
                center=True,
            )
    for a, b in itertools.pairwise(points):
        page.draw_line(a, b, color=GREEN, width=1.4)
    for p in points:
        page.draw_circle(p, 1.8, color=GREEN, fill=GREEN)
    _text(page, plot.x1 + 2, plot.y0 + 2, "100%", 6, color=GREEN)


def _reviewer_table(page: Any, y: float, snap: TeamSnapshot) -> float:
    x0, x1 = MARGIN, PAGE_W - MARGIN
    _text(page, x0, y, "Reviewers", 10, bold=True)
    rows = sorted(snap.stats.reviewers, key=lambda r: (-r.assigned_open, -r.decided_today, r.name))
    shown = rows[:MAX_REVIEWER_ROWS]
    cols = [
        ("Reviewer", x0, False),
        ("Open", x0 + 250, True),
        ("In review", x0 + 310, True),
        ("Decided today", x0 + 385, True),
        ("Min/decision", x0 + 460, True),
        ("Oldest held", x1, True),
    ]
    y = _column_heads(page, cols, x0, x1, y + 16)
    for r in shown:
        y += 12.5
        oldest_late = (
            r.oldest_held_received_at is not None
            and (snap.now - r.oldest_held_received_at).total_seconds() > 24 * 3600
        )
        values = [
            _fit(r.name, 240, 8.5),
            str(r.assigned_open),
            str(r.in_review),
            str(r.decided_today),
            "—"
            if r.median_minutes_per_decision is None
            else f"{r.median_minutes_per_decision:.1f}",
            format_age(r.oldest_held_received_at, snap.now),
        ]
        for (_, x, right), value in zip(cols, values, strict=True):
            late = oldest_late and value == values[-1]
            _text(page, x, y, value, 8.5, right=right, color=RED if late else INK, bold=late)
    if len(rows) > len(shown):
        y += 12
        _text(
            page,
            x0,
            y,
            f"… and {len(rows) - len(shown)} more reviewers (all in the CSV export)",
            7.5,
            color=MUTED,
        )
    return y


def _overdue_table(page: Any, y: float, snap: TeamSnapshot, max_rows: int) -> float:
    x0, x1 = MARGIN, PAGE_W - MARGIN
    total = snap.stats.overdue
    _text(page, x0, y, f"Overdue ({total})", 10, bold=True, color=RED if total else INK)
    if not snap.overdue_items:
        _text(page, x0, y + 15, "Nothing is overdue.", 8.5, color=MUTED)
        return y + 15
    cols = [
        ("Submission", x0, False),
        ("Vendor", x0 + 62, False),
        ("Project", x0 + 250, False),
        ("Held by", x0 + 380, False),
        ("Late by", x1, True),
    ]
    y = _column_heads(page, cols, x0, x1, y + 16)
    room = int((PAGE_H - 60 - y) // 12)
    shown = snap.overdue_items[: max(0, min(max_rows, room))]
    for o in shown:
        y += 12
        late = format_minutes((snap.now - o.due_at).total_seconds() / 60)
        held = snap.user_names.get(o.assigned_to, o.assigned_to) if o.assigned_to else "nobody"
        values = [
            o.id,
            _fit(o.vendor, 180, 8.5),
            _fit(o.project or "—", 122, 8.5),
            _fit(held, 100, 8.5),
            late,
        ]
        for (_, x, right), value in zip(cols, values, strict=True):
            _text(page, x, y, value, 8.5, right=right, color=RED if right else INK)
    if total > len(shown):
        y += 12
        _text(page, x0, y, f"… and {total - len(shown)} more overdue", 7.5, color=MUTED)
    return y
