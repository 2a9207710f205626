"""Timestamps as text: the one rule for every ISO-8601 string COI Desk writes or reads.

The rule: instants are aware datetimes; they are written in UTC with a ``Z`` suffix
(``2026-12-03T15:30:00Z``) and read back as aware UTC datetimes. A naive datetime or a
string without an offset is refused with ``ValueError``: its zone is a guess, and a guessed
zone moves a due time by hours.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

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
