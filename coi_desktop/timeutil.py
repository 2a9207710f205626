"""Time for the whole package: timestamps as text, and calendar days in a time zone.

The rule: instants are aware datetimes; they are written in UTC with a ``Z`` suffix
(``2026-12-03T15:30:00Z``) and read back as aware UTC datetimes. A naive datetime or a
string without an offset is refused with ``ValueError``: its zone is a guess, and a guessed
zone moves a due time by hours.

Days: a "today" or a trend's day is a calendar day in the reader's zone, from local midnight
to the next (23 or 25 hours across a DST change).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Timespec = Literal["auto", "seconds", "milliseconds", "microseconds"]


def iso(moment: datetime, *, timespec: Timespec = "auto") -> str:
    """``moment`` in UTC as ISO 8601 with a ``Z`` suffix; naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a time without a zone cannot be written as UTC: {moment!r}")
    return moment.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def iso_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else iso(moment)


def parse_iso(value: str) -> datetime:
    """An ISO 8601 timestamp with an offset (``Z`` or ``±hh:mm``) as an aware UTC datetime."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without offset: {value!r}")
    return parsed.astimezone(UTC)


# ---------------------------------------------------------------- calendar days in a zone


def local_zone() -> tzinfo:
    """The computer's time zone as an IANA zone where it can be found (so DST is right)."""
    names = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = Path("/etc/localtime").resolve()
        names.append(str(target).split("zoneinfo/", 1)[1] if "zoneinfo/" in str(target) else "")
    except OSError:
        pass
    for name in names:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return datetime.now().astimezone().tzinfo or UTC


def zone_name(tz: tzinfo) -> str:
    return getattr(tz, "key", None) or str(tz)


def local_day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants where ``day`` starts and ends in ``tz`` (23 or 25 h around DST)."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def local_today(now: datetime, tz: tzinfo) -> date:
    return now.astimezone(tz).date()
