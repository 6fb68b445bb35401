"""Dates and times, made and shown in one place: stored moments are ISO 8601 UTC text to the
second; people see the calendar day where they are (TRAINING_TIMEZONE), in words."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def utc_now() -> str:
    """The current time as records store it: ISO 8601, UTC, whole seconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_iso(epoch_seconds: float) -> str:
    """A moment as records store it (rounded down to the second)."""
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def moment(timestamp: str) -> datetime:
    """A stored ISO 8601 timestamp as an aware datetime (UTC when it names no zone)."""
    parsed = datetime.fromisoformat(timestamp.strip())
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def local_date(timestamp: str, zone: ZoneInfo) -> date:
    """The calendar day of a stored UTC timestamp where the officer is (never UTC's day)."""
    return moment(timestamp).astimezone(zone).date()


def long_date(day: date) -> str:
    """ "November 27, 2026", the same in every locale."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"
