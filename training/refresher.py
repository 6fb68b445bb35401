"""When a completion is due again: course.yaml's optional `refresher_months`.

Miss. Code § 45-6-7 sets no interval, so by default (no `refresher_months`) a completion never
expires. When a site sets one, an officer's latest completion counts until the same day of
the month that many months later, in the officers' time zone; from that day on the officer is
due again. Older completions of an officer who completed again later are not due: only the
latest one counts.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd

from training.dates import add_months, local_date

#: Joins an officer's badge and agency into one key (a character no typed text holds).
_SEP = "\x1f"


def due_again_on(completed: date, months: int) -> date:
    """The first day a completion made on `completed` no longer counts."""
    return add_months(completed, months)


def is_due(completed: date, months: int | None, today: date) -> bool:
    """Whether a completion made on `completed` (a local date) is due again `today`."""
    return months is not None and today >= due_again_on(completed, months)


def status(completed: date, months: int, today: date) -> str:
    """ "Due again since 2027-03-15" once due; "Due again on 2027-03-15" before."""
    due = due_again_on(completed, months)
    return f"Due again {'since' if today >= due else 'on'} {due.isoformat()}"


def officer_keys(badges: pd.Series, agencies: pd.Series) -> pd.Series:
    """One key per officer as the app identifies them: badge and agency, case aside."""
    return _fold(badges) + _SEP + _fold(agencies)


def badge_keys(badges: pd.Series) -> pd.Series:
    return _fold(badges)


def latest_completed_at(keys: pd.Series, completed_at: pd.Series) -> dict[str, str]:
    """Each key's latest stored completion time (ISO 8601 UTC text sorts by time)."""
    frame = pd.DataFrame(
        {"key": keys.to_numpy(), "at": completed_at.astype("string").fillna("").to_numpy()}
    )
    if frame.empty:
        return {}
    return {str(k): str(v) for k, v in frame.groupby("key")["at"].max().items()}


def day_of(completed_at: str, zone: ZoneInfo) -> date | None:
    """The local day of a stored completion time; None when it cannot be read."""
    try:
        return local_date(completed_at, zone)
    except ValueError:
        return None


def console_status(
    rows: pd.DataFrame,
    everything: pd.DataFrame,
    months: int,
    zone: ZoneInfo,
    today: date,
) -> pd.Series:
    """The console's Status column for `rows` (completions), judged against `everything` the
    coordinator may see: an officer's latest completion is due again or not yet; an earlier
    one says when the officer completed again."""
    latest = latest_completed_at(
        officer_keys(everything["badge_number"], everything["agency"]),
        everything["completed_at"],
    )
    out: list[str] = []
    keys = officer_keys(rows["badge_number"], rows["agency"])
    for key, at in zip(keys, rows["completed_at"].astype("string").fillna(""), strict=True):
        newest = max(latest.get(str(key), ""), str(at))
        if newest != at:
            later = day_of(newest, zone)
            out.append(f"Completed again on {later.isoformat()}" if later else "")
            continue
        day = day_of(str(at), zone)
        out.append(status(day, months, today) if day else "")
    return pd.Series(out, index=rows.index, dtype="string")


def officers_due(
    selection: pd.DataFrame,
    everything: pd.DataFrame,
    months: int,
    zone: ZoneInfo,
    today: date,
) -> int:
    """How many officers among `selection` (completions) are due again: their latest
    completion in `everything` is `months` or more old."""
    latest = latest_completed_at(
        officer_keys(everything["badge_number"], everything["agency"]),
        everything["completed_at"],
    )
    chosen = set(officer_keys(selection["badge_number"], selection["agency"]))
    due = 0
    for key in chosen:
        day = day_of(latest.get(str(key), ""), zone) if latest.get(str(key)) else None
        if day is not None and is_due(day, months, today):
            due += 1
    return due


def _fold(column: pd.Series) -> pd.Series:
    return column.astype("string").fillna("").str.strip().str.casefold()
