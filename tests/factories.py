"""Ledger records for tests: realistic defaults, any field overridden by keyword."""

from __future__ import annotations

import pandas as pd

from training.record_types import (
    COMPLETION_COLUMNS,
    NUMERIC_COLUMNS,
    AttemptRecord,
    CompletionRecord,
)


def completion(n: int = 0, **changes: object) -> CompletionRecord:
    values: dict[str, object] = dict(
        record_id=f"rec-{n}",
        completed_at="2026-11-28T05:59:00Z",
        officer_name="Zoë O'Neil-Brown",
        badge_number=f"B{n:05d}",
        agency="Hinds County Sheriff's Office",
        course_id="ms-ht-le",
        course_version="abc123def456",
        score_percent=90,
        attempts=1,
        seat_time_minutes=51,
        certificate_code="ABCD-EFGH-JKLM-NPQR",
    )
    values.update(changes)
    return CompletionRecord(**values)  # type: ignore[arg-type]


def attempt(n: int = 0, **changes: object) -> AttemptRecord:
    values: dict[str, object] = dict(
        attempt_id=f"att-{n}",
        submitted_at="2026-11-28T05:58:00Z",
        badge_number="007",
        agency="Mississippi Highway Patrol",
        course_id="ms-ht-le",
        course_version="abc123def456",
        quiz_id="final",
        score_percent=70,
        passed=False,
        duration_seconds=300,
        answers='{"fin-01":[2],"fin-02":[0,3]}',
    )
    values.update(changes)
    return AttemptRecord(**values)  # type: ignore[arg-type]


def table_of(records: list[CompletionRecord]) -> pd.DataFrame:
    """Completions typed as every store reads them (text as text, numbers as Int64), without a
    file: text the ledger refuses (control characters) can still reach an export from a
    database or an import."""
    frame = pd.DataFrame([r.__dict__ for r in records], columns=list(COMPLETION_COLUMNS))
    return frame.astype(
        {c: "Int64" if c in NUMERIC_COLUMNS else "string" for c in COMPLETION_COLUMNS}
    )
