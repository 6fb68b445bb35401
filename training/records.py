"""What an officer earns, as records, saved exactly once.

A submitted quiz is marked here, on the server, by the rules of checks and the final, and
becomes an AttemptRecord; a passed final also becomes a CompletionRecord. The
records wait in the officer's session until the store has them, so a failed write loses
nothing and "Retry saving" sends the same records again. The store keeps one completion per
officer and course version, so double clicks, reruns, a second tab or a second server all end
with one completion row.
"""

from __future__ import annotations

import csv
import random
import time
from dataclasses import dataclass

from training import certificates, grading
from training.content import Course, Quiz
from training.dates import utc_iso, utc_now
from training.grading import DrawnQuestion, Score, answers_json
from training.progress import Progress
from training.record_types import AttemptRecord, CompletionRecord, new_id
from training.storage import Store

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


def pass_mark(quiz: Quiz, configured: int) -> int:
    """The percent needed to pass: the quiz's own pass mark wins over the configured one."""
    return quiz.pass_mark or configured


def check_draw(quiz: Quiz, token: str) -> list[DrawnQuestion]:
    """A knowledge check's questions in order, options shuffled: seeded by officer and check,
    so the same on every rerun, after a refresh and on another server."""
    return grading.draw(quiz, random.Random(f"{token}:{quiz.id}"))


def new_final_draw(progress: Progress, quiz: Quiz) -> list[DrawnQuestion]:
    """A fresh draw of the final, kept in the officer's place until it is submitted."""
    drawn = grading.draw(quiz)
    progress.final_draw = [d.to_dict() for d in drawn]
    progress.quiz_started_at = None
    return drawn


@dataclass(frozen=True)
class Submitted:
    """A marked quiz and the records it earned, to be saved in order."""

    score: Score
    records: list[Pending]


def submit(
    progress: Progress,
    course: Course,
    quiz: Quiz,
    drawn: list[DrawnQuestion],
    answers: dict[str, list[int]],
    mark: int,
    key: bytes,
    now: float | None = None,
) -> Submitted:
    """Mark a quiz on the server and apply its rules to the officer's place: the time spent is
    counted once; a check is done whatever its score (checks are practice); every final counts
    as an attempt and its questions are not shown again; a passed final earns the completion."""
    score = grading.score(quiz, drawn, answers, mark)
    now = time.time() if now is None else now
    duration = max(0.0, now - (progress.quiz_started_at or now))
    progress.quiz_seconds += duration
    progress.quiz_started_at = None
    earned: list[Pending] = [attempt_record(progress, course, quiz, score, duration)]
    if quiz.kind == "final":
        progress.final_attempts += 1
        progress.final_draw = None
        if score.passed:
            earned.append(completion_record(progress, course, score, key))
    else:
        progress.checks[quiz.id] = score.percent
    return Submitted(score, earned)


def save_pending(pending: list[Pending], store: Store) -> CompletionRecord | None:
    """Write the waiting records in order, taking each off `pending` once it is saved.

    On a failed write the error propagates and `pending` still holds that record and those
    after it. Returns the officer's completion when one is recorded: the store keeps one per
    officer and course version, so a double click, a second tab or a retake returns the one
    already recorded.
    """
    completion: CompletionRecord | None = None
    while pending:
        record = pending[0]
        if isinstance(record, CompletionRecord):
            completion = store.record_completion(record)
        else:
            store.append_attempt(record)
        pending.pop(0)
    return completion


def _recorded_completion(progress: Progress, store: Store) -> CompletionRecord | None:
    """The completion the store holds for this run of the course (not one retaken), if any."""
    return store.completion_since(
        progress.badge_number,
        progress.agency,
        progress.course_id,
        utc_iso(progress.started_at),
        frozenset(str(c["record_id"]) for c in progress.earlier_completions),
        after=progress.completions_offset,
    )


def catch_up(progress: Progress, course: Course, store: Store) -> None:
    """Bring a saved place up to date with the records, which are the record: the
    knowledge checks and the completion recorded that the place does not show yet. A check or
    a passed final does not wait to save the place (a later click does), and an officer may
    leave first, work in two tabs, or go on on another server."""
    try:
        # The mark before reading: rows added while reading are read next time, not lost.
        mark = store.attempts_mark()
        if progress.completion is None:
            done = _recorded_completion(progress, store)
            if done is not None:
                progress.completion = done.__dict__.copy()
                progress.final_draw = None
        attempts = store.attempts_since(
            progress.badge_number,
            progress.agency,
            progress.course_id,
            utc_iso(progress.started_at),
            after=progress.attempts_offset or 0,
        )
        progress.catch_up(course, attempts)
    except (OSError, ValueError, csv.Error):
        return  # unreadable or hand-edited: a step is asked again rather than sign-in failing
    progress.attempts_offset = mark
