"""The tables every download is made of, one shape for CSV and .xlsx alike: the columns, the
cells as the CSV writes them (stored UTC timestamps, local dates as YYYY-MM-DD), and what kind
of value each column holds, so that the workbook can make real numbers and dates of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

import pandas as pd

from training.content import CourseInfo
from training.record_types import ATTEMPT_COLUMNS, COMPLETION_COLUMNS, NUMERIC_COLUMNS
from training.roster import OUTSTANDING_COLUMNS

#: text: shown as typed (identifiers too: "007214" keeps its zeros); moment: a stored UTC
#: timestamp, a local date and time in the workbook; date: a local YYYY-MM-DD day.
Kind = Literal["text", "moment", "date", "integer", "number", "boolean"]

#: The training-records file for the state's records system, in this order (documented in
#: docs/training-records-file.md).
RECORDS_COLUMNS = (
    "officer_name",
    "badge_number",
    "agency",
    "course_title",
    "course_number",
    "hours",
    "completion_date",
    "score_percent",
    "certificate_code",
)

_KINDS: dict[str, Kind] = {
    "completed_at": "moment",
    "submitted_at": "moment",
    "completed_date_local": "date",
    "submitted_date_local": "date",
    "completion_date": "date",
    "hours": "number",
    "passed": "boolean",
    **{column: "integer" for column in NUMERIC_COLUMNS},
}


@dataclass(frozen=True)
class Table:
    """One download's rows: `frame` holds the CSV's columns and cells."""

    frame: pd.DataFrame
    #: The workbook's sheet name.
    sheet: str

    def kind(self, column: str) -> Kind:
        return _KINDS.get(column, "text")


def completions(rows: pd.DataFrame, zone: ZoneInfo) -> Table:
    """The completions as stored (UTC timestamps) plus the local completion date."""
    return Table(_with_local_date(rows, COMPLETION_COLUMNS, "completed_at", zone), "Completions")


def attempts(rows: pd.DataFrame, zone: ZoneInfo) -> Table:
    """The quiz attempts as stored (UTC timestamps) plus the local submission date."""
    return Table(_with_local_date(rows, ATTEMPT_COLUMNS, "submitted_at", zone), "Attempts")


def records(rows: pd.DataFrame, course: CourseInfo, zone: ZoneInfo) -> Table:
    """The training-records file: one row per completion, with the course's title, number
    and hours (course.yaml) and the local completion date."""
    frame = pd.DataFrame(
        {
            "officer_name": rows["officer_name"].astype("string"),
            "badge_number": rows["badge_number"].astype("string"),
            "agency": rows["agency"].astype("string"),
            "course_title": pd.Series(course.title, index=rows.index, dtype="string"),
            "course_number": pd.Series(
                course.course_number or "", index=rows.index, dtype="string"
            ),
            "hours": pd.Series(course.credit_hours, index=rows.index, dtype="float64"),
            "completion_date": _local_dates(rows["completed_at"], zone),
            "score_percent": rows["score_percent"].astype("Int64"),
            "certificate_code": rows["certificate_code"].astype("string"),
        },
        columns=list(RECORDS_COLUMNS),
    )
    return Table(frame, "Training records")


def not_completed(outstanding: pd.DataFrame) -> Table:
    """The roster's officers who still need the course (roster.outstanding)."""
    return Table(outstanding.loc[:, list(OUTSTANDING_COLUMNS)], "Not completed")


def _local_dates(stamps: pd.Series, zone: ZoneInfo) -> pd.Series:
    """YYYY-MM-DD where the officer was ("" where a timestamp cannot be read)."""
    moments = pd.to_datetime(stamps.astype("string"), utc=True, errors="coerce", format="ISO8601")
    return moments.dt.tz_convert(zone).dt.strftime("%Y-%m-%d").fillna("").astype("string")


def _with_local_date(
    table: pd.DataFrame, columns: tuple[str, ...], stamp: str, zone: ZoneInfo
) -> pd.DataFrame:
    out = table.loc[:, list(columns)].copy()
    out[f"{stamp.removesuffix('_at')}_date_local"] = _local_dates(out[stamp], zone)
    return out
