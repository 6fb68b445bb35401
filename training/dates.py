"""Dates and times, made and shown in one place: stored moments are ISO 8601 UTC text to the
second; people see the calendar day where they are (TRAINING_TIMEZONE), in words."""

from __future__ import annotations

import calendar
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


def local_today(zone: ZoneInfo) -> date:
    """Today's date where the officers are."""
    return datetime.now(zone).date()


def wall_clock(timestamp: str, zone: ZoneInfo) -> datetime:
    """A stored UTC timestamp as a clock in `zone` shows it, with no zone attached: spreadsheets
    hold times without zones, so the sheet says which zone its times are in."""
    return moment(timestamp).astimezone(zone).replace(tzinfo=None)


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later; the month's last day when that month is
    shorter (January 31 plus one month is February 28, or 29 in a leap year)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def long_date(day: date) -> str:
    """ "November 27, 2026", the same in every locale."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"
