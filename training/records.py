"""What an officer earns, as ledger records, saved exactly once.

A submitted quiz becomes an AttemptRecord; a passed final also becomes a CompletionRecord. The
records wait in the officer's session until the ledger has them, so a failed write loses
nothing and "Retry saving" sends the same records again. A completion is written under the
officer's lock after re-reading their saved progress, so double clicks, reruns and a second tab
all end with one completion row.
"""

from __future__ import annotations

import csv

from training import certificates
from training.content import Course, Quiz
from training.grading import Score, answers_json
from training.ledger import AttemptRecord, CompletionRecord, Ledger, new_id, utc_iso, utc_now
from training.progress import Progress, ProgressStore

Pending = AttemptRecord | CompletionRecord


def attempt_record(
    progress: Progress, course: Course, quiz: Quiz, score: Score, duration_seconds: float
) -> AttemptRecord:
    return AttemptRecord(
        attempt_id=new_id(),
        submitted_at=utc_now(),
        badge_number=progress.badge_number,
        agency=progress.agency,
        course_id=course.info.id,
        course_version=course.version,
        quiz_id=quiz.id,
        score_percent=score.percent,
        passed=score.passed,
        duration_seconds=max(0, round(duration_seconds)),
        answers=answers_json(score),
    )


def completion_record(
    progress: Progress, course: Course, score: Score, key: bytes
) -> CompletionRecord:
    return CompletionRecord(
        record_id=new_id(),
        completed_at=utc_now(),
        officer_name=progress.name,
        badge_number=progress.badge_number,
        agency=progress.agency,
        course_id=course.info.id,
        course_version=course.version,
        score_percent=score.percent,
        attempts=progress.final_attempts,
        seat_time_minutes=progress.seat_time_minutes(),
        certificate_code=certificates.new_code(key),
    )


def save_pending(
    pending: list[Pending], ledger: Ledger, store: ProgressStore, token: str
) -> CompletionRecord | None:
    """Write the waiting records in order, taking each off `pending` once it is saved.

    On a failed write the error propagates and `pending` still holds that record and those
    after it. Returns the officer's completion when one is recorded.
    """
    completion: CompletionRecord | None = None
    while pending:
        record = pending[0]
        if isinstance(record, CompletionRecord):
            completion = _save_completion_once(record, ledger, store, token)
        else:
            ledger.append_attempt(record)
        pending.pop(0)
    return completion


def _save_completion_once(
    record: CompletionRecord, ledger: Ledger, store: ProgressStore, token: str
) -> CompletionRecord:
    with store.lock(token):
        saved = store.load(token)
        if saved is not None and saved.completion is not None:
            return CompletionRecord(**saved.completion)
        # Another tab may have recorded the completion without its place being saved since;
        # the ledger itself says whether this run is already done.
        earlier = _recorded_completion(saved, ledger) if saved is not None else None
        if earlier is not None:
            return earlier
        ledger.append_completion(record)
        return record


def _recorded_completion(progress: Progress, ledger: Ledger) -> CompletionRecord | None:
    """The completion the ledger holds for this run of the course (not one retaken), if any."""
    return ledger.completion_since(
        progress.badge_number,
        progress.agency,
        progress.course_id,
        utc_iso(progress.started_at),
        frozenset(str(c["record_id"]) for c in progress.earlier_completions),
        after=progress.completions_offset,
    )


def catch_up(progress: Progress, course: Course, ledger: Ledger) -> None:
    """Bring a saved place up to date with the ledger, whose rows are the record: the
    knowledge checks and the completion recorded that the place does not show yet. A check or
    a passed final does not wait to save the place (a later click does), and an officer may
    leave first, or work in two tabs."""
    try:
        # The size before reading: rows appended while reading are read next time, not lost.
        size = ledger.attempts_size()
        if progress.completion is None:
            done = _recorded_completion(progress, ledger)
            if done is not None:
                progress.completion = done.__dict__.copy()
                progress.final_draw = None
        attempts = ledger.attempts_since(
            progress.badge_number,
            progress.agency,
            progress.course_id,
            utc_iso(progress.started_at),
            after=progress.attempts_offset or 0,
        )
        progress.catch_up(course, attempts)
    except (OSError, ValueError, csv.Error):
        return  # unreadable or hand-edited: a step is asked again rather than sign-in failing
    progress.attempts_offset = size
