"""Where the team view's clicks lead and what its tiles say, without a window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from coi_desktop.database import open_database
from coi_desktop.team_screen import (
    NOTHING,
    aging_filter,
    status_text,
    tile_faces,
    tile_filter,
    trend_filter,
)
from coi_desktop.team_view import DashboardData, compute_dashboard
from coi_desktop.teamstats import StatsFilter

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
SHOWN = StatsFilter(company_ids=(7,), project_ids=("p-1",), kinds=("coi",))


def _empty_view(tmp_path: Path) -> DashboardData:
    database = open_database(tmp_path / "store.sqlite3")
    try:
        return compute_dashboard(database, 1, SHOWN, UTC, NOW, None)
    finally:
        database.close()


def test_every_drill_down_keeps_the_views_customer_project_and_kind(tmp_path: Path) -> None:
    data = _empty_view(tmp_path)
    for flt in (
        tile_filter("open", data, SHOWN),
        tile_filter("overdue", data, SHOWN),
        aging_filter(0, data, SHOWN),
        trend_filter(0, data, SHOWN),
    ):
        assert flt is not None
        assert (flt.procore_company_ids, flt.project_ids, flt.kinds) == ((7,), ("p-1",), ("coi",))


def test_tiles_with_nothing_behind_them_show_an_empty_list_not_everything(tmp_path: Path) -> None:
    data = _empty_view(tmp_path)
    decided = tile_filter("decided_today", data, SHOWN)
    missed = tile_filter("within_24h_share_7d", data, SHOWN)
    assert decided is not None and decided.ids == NOTHING
    assert missed is not None and missed.ids == NOTHING
    assert tile_filter("turnaround_p90", data, SHOWN) is None  # a figure, not a list


def test_due_soon_and_aging_bounds(tmp_path: Path) -> None:
    data = _empty_view(tmp_path)
    soon = tile_filter("due_within_4h", data, SHOWN)
    assert soon is not None and (soon.due_after, soon.due_before) == (NOW, NOW + timedelta(hours=4))
    first = data.snapshot.aging[0]
    bar = aging_filter(0, data, SHOWN)
    assert bar is not None and bar.received_before == NOW - timedelta(hours=first.start_hours)
    assert aging_filter(len(data.snapshot.aging), data, SHOWN) is None
    assert trend_filter(-1, data, SHOWN) is None
    day = trend_filter(len(data.snapshot.trend) - 1, data, SHOWN)
    assert day is not None and day.received_before is not None and day.received_after is not None
    assert day.received_before - day.received_after <= timedelta(hours=25)


def test_tile_faces_and_status_line(tmp_path: Path) -> None:
    data = _empty_view(tmp_path)
    faces = {face.key: face for face in tile_faces(data)}
    assert faces["overdue"].note == "on time" and not faces["overdue"].alert
    assert not faces["turnaround_p50"].clickable and faces["open"].clickable
    line = status_text(data, UTC)
    assert line.startswith("Computed on this computer (filtered view)")
    assert "never synced" in line
