"""The one time rule: aware UTC in, ``Z``-suffixed ISO 8601 out; naive times refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from coi_desktop.timeutil import iso, iso_or_none, parse_iso


def test_iso_writes_utc_with_z_whatever_the_zone() -> None:
    chicago_winter = timezone(timedelta(hours=-6))
    moment = datetime(2026, 12, 3, 9, 30, tzinfo=chicago_winter)
    assert iso(moment) == "2026-12-03T15:30:00Z"
    assert iso(datetime(2026, 12, 3, 15, 30, 0, 250_000, tzinfo=UTC)) == (
        "2026-12-03T15:30:00.250000Z"
    )
    assert iso(datetime(2026, 12, 3, 15, 30, 0, 250_000, tzinfo=UTC), timespec="seconds") == (
        "2026-12-03T15:30:00Z"
    )
    assert iso_or_none(None) is None


def test_naive_times_are_refused_both_ways() -> None:
    with pytest.raises(ValueError, match="without a zone"):
        iso(datetime(2026, 12, 3, 15, 30))
    with pytest.raises(ValueError, match="without offset"):
        parse_iso("2026-12-03T15:30:00")


def test_parse_iso_gives_aware_utc_and_round_trips() -> None:
    parsed = parse_iso("2026-12-03T09:30:00-06:00")
    assert parsed == datetime(2026, 12, 3, 15, 30, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(0)
    assert parse_iso(iso(parsed)) == parsed
    assert parse_iso("2026-12-03T15:30:00Z") == parsed
    with pytest.raises(ValueError):
        parse_iso("yesterday")
