"""Demonstration records: a ledger of made-up officers, for demonstrations and benchmarks.

The rows have the ledger's exact format (they are read back by `Ledger`), but are written in
bulk rather than one fsynced append at a time, and only into a folder that holds no ledger yet:
made-up records must never mix with real ones.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import astuple
from datetime import UTC, datetime, timedelta
from pathlib import Path

from training import certificates
from training.content import Course
from training.officers import agencies
from training.record_types import (
    ATTEMPT_COLUMNS,
    ATTEMPTS_FILE,
    COMPLETION_COLUMNS,
    COMPLETIONS_FILE,
    AttemptRecord,
    CompletionRecord,
)

FIRST_NAMES = ["Zoë", "Sam", "Marie-Thérèse", "J. R.", "Ana", "Darnell", "Li", "Keisha", "Tom"]
LAST_NAMES = ["O'Neil", "Lee", "D’Arcy", "Smith", "Núñez", "Washington", "Nguyen", "Brown"]


class DemoDataError(ValueError):
    """The folder already holds records; nothing was written."""


def write_demo_ledger(
    results_dir: Path,
    course: Course,
    key: bytes,
    completions: int,
    attempts: int,
    seed: int = 2026,
) -> None:
    """Write `completions` completion rows and `attempts` final-attempt rows."""
    results_dir = Path(results_dir)
    for name in (COMPLETIONS_FILE, ATTEMPTS_FILE):
        if (results_dir / name).exists():
            raise DemoDataError(
                f"{results_dir / name} already exists: demonstration records go only into an "
                "empty results folder, never beside real ones"
            )
    results_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    places = list(agencies())
    start = datetime(2026, 1, 5, tzinfo=UTC)
    officers = max(1, completions)
    with (results_dir / COMPLETIONS_FILE).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(COMPLETION_COLUMNS)
        for n in range(completions):
            when = start + timedelta(minutes=rng.randrange(60 * 24 * 320))
            writer.writerow(
                astuple(
                    CompletionRecord(
                        record_id=f"demo-{n}",
                        completed_at=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        officer_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                        badge_number=f"D{n:06d}",
                        agency=places[n % len(places)],
                        course_id=course.info.id,
                        course_version=course.version,
                        score_percent=rng.choice([80, 85, 90, 95, 100]),
                        attempts=rng.choice([1, 1, 1, 2, 2, 3]),
                        seat_time_minutes=rng.randrange(125, 200),
                        certificate_code=certificates.new_code(key),
                    )
                )
            )
    final = course.final
    with (results_dir / ATTEMPTS_FILE).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(ATTEMPT_COLUMNS)
        for n in range(attempts):
            officer = n % officers
            drawn = rng.sample(list(final.questions), final.draw_count)
            answers = {q.id: [rng.randrange(len(q.options))] for q in drawn}
            passed = rng.random() < 0.7
            row = astuple(
                AttemptRecord(
                    attempt_id=f"demo-attempt-{n}",
                    submitted_at=(start + timedelta(minutes=n % 400_000)).strftime(
                        "%Y-%m-%dT%H:%M:%SZ"
                    ),
                    badge_number=f"D{officer:06d}",
                    agency=places[officer % len(places)],
                    course_id=course.info.id,
                    course_version=course.version,
                    quiz_id=final.id,
                    score_percent=rng.choice([60, 70, 80, 90, 100]),
                    passed=passed,
                    duration_seconds=rng.randrange(300, 1800),
                    answers=json.dumps(answers, separators=(",", ":")),
                )
            )
            writer.writerow(["true" if v is True else "false" if v is False else v for v in row])
