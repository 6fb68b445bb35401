"""What the app records: a passed course (`CompletionRecord`) and a submitted quiz
(`AttemptRecord`). Every backend stores these fields; their order is the CSV column order."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from typing import ClassVar

COMPLETIONS_FILE = "completions.csv"
ATTEMPTS_FILE = "attempts.csv"


@dataclass(frozen=True)
class CompletionRecord:
    """One passed course. Field order is the column order of completions.csv."""

    FILE: ClassVar[str] = COMPLETIONS_FILE

    record_id: str
    completed_at: str
    officer_name: str
    badge_number: str
    agency: str
    course_id: str
    course_version: str
    score_percent: int
    attempts: int
    seat_time_minutes: int
    certificate_code: str


@dataclass(frozen=True)
class AttemptRecord:
    """One submitted quiz, passed or not. Field order is the column order of attempts.csv."""

    FILE: ClassVar[str] = ATTEMPTS_FILE

    attempt_id: str
    submitted_at: str
    badge_number: str
    agency: str
    course_id: str
    course_version: str
    quiz_id: str
    score_percent: int
    passed: bool
    duration_seconds: int
    answers: str


COMPLETION_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(CompletionRecord))
ATTEMPT_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(AttemptRecord))
# Columns read back as numbers; everything else stays text (a badge "007" keeps its zeros).
NUMERIC_COLUMNS = {"score_percent", "attempts", "seat_time_minutes", "duration_seconds"}


class StoreWriteError(OSError):
    """A record could not be saved (disk full, database away); nothing partial was kept. The
    officer sees "Retry saving" and the record stays in their session."""


def new_id() -> str:
    return uuid.uuid4().hex
