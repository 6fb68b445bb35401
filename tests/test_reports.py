"""What the Coordinator sees: local dates, filters, headline figures, charts and the questions
officers keep getting wrong, computed from real ledger files and the real course."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from training.content import Course, Question
from training.reports import (
    CompletionFilter,
    completions_by_agency,
    completions_table,
    filter_completions,
    final_outcomes,
    question_analysis,
    summary,
    weekly_completions,
)
from training.storage.csv_files import (
    ATTEMPT_COLUMNS,
    COMPLETION_COLUMNS,
    AttemptRecord,
    CompletionRecord,
    Ledger,
)

CHICAGO = ZoneInfo("America/Chicago")
HINDS = "Hinds County Sheriff's Office"
MHP = "Mississippi Highway Patrol"
JACKSON = "Jackson Police Department"


def completion(n: int, **changes: object) -> CompletionRecord:
    values: dict[str, object] = dict(
        record_id=f"rec-{n}",
        completed_at="2026-11-10T15:00:00Z",
        officer_name=f"Officer {n}",
        badge_number=f"B{n:03d}",
        agency=HINDS,
        course_id="ms-ht-le",
        course_version="v2",
        score_percent=90,
        attempts=1,
        seat_time_minutes=60,
        certificate_code=f"CODE-{n}",
    )
    values.update(changes)
    return CompletionRecord(**values)  # type: ignore[arg-type]


def attempt(n: int, answers: object, **changes: object) -> AttemptRecord:
    values: dict[str, object] = dict(
        attempt_id=f"att-{n}",
        submitted_at="2026-11-10T14:00:00Z",
        badge_number=f"B{n:03d}",
        agency=HINDS,
        course_id="ms-ht-le",
        course_version="v2",
        quiz_id="final",
        score_percent=90,
        passed=True,
        duration_seconds=600,
        answers=answers if isinstance(answers, str) else json.dumps(answers),
    )
    values.update(changes)
    return AttemptRecord(**values)  # type: ignore[arg-type]


def ledger_with(
    tmp_path: Path,
    completions: Sequence[CompletionRecord] = (),
    attempts: Sequence[AttemptRecord] = (),
) -> Ledger:
    book = Ledger(tmp_path / "ledger")
    for done in completions:
        book.append_completion(done)
    for tried in attempts:
        book.append_attempt(tried)
    return book


def table_of(tmp_path: Path, *records: CompletionRecord) -> pd.DataFrame:
    return completions_table(ledger_with(tmp_path, list(records)).read_completions(), CHICAGO)


def badges(frame: pd.DataFrame) -> list[str]:
    return frame["badge_number"].tolist()


# --- local dates ------------------------------------------------------------------------------


def test_a_completion_just_before_midnight_in_chicago_counts_on_that_local_day(
    tmp_path: Path,
) -> None:
    table = table_of(
        tmp_path,
        completion(1, completed_at="2026-11-28T05:59:00Z"),
        completion(2, completed_at="2026-11-28T06:00:00Z"),
    )
    assert table["completed_date"].tolist() == [date(2026, 11, 27), date(2026, 11, 28)]
    assert table["completed_local"].iloc[0].strftime("%Y-%m-%d %H:%M") == "2026-11-27 23:59"
    on_27th = filter_completions(
        table, CompletionFilter(start=date(2026, 11, 27), end=date(2026, 11, 27))
    )
    assert badges(on_27th) == ["B001"]


def test_the_table_keeps_every_ledger_column_and_leaves_the_shared_ledger_table_alone(
    tmp_path: Path,
) -> None:
    book = ledger_with(tmp_path, [completion(1)])
    shared = book.read_completions()
    before = shared.copy()
    table = completions_table(shared, CHICAGO)
    shown = [c for c in table.columns if not c.startswith("_")]  # "_" columns: search helpers
    assert shown == [*COMPLETION_COLUMNS, "completed_local", "completed_date", "completed_display"]
    filter_completions(table, CompletionFilter(search="b0", agencies=(HINDS,)))
    pd.testing.assert_frame_equal(book.read_completions(), before)
    assert list(shared.columns) == list(COMPLETION_COLUMNS)


def test_an_unreadable_timestamp_does_not_stop_the_page_and_is_left_out_of_date_ranges(
    tmp_path: Path,
) -> None:
    table = table_of(
        tmp_path, completion(1, completed_at="yesterday-ish"), completion(2, completed_at="")
    )
    assert table["completed_date"].tolist() == [None, None]
    assert table["completed_local"].isna().all()
    assert len(filter_completions(table, CompletionFilter())) == 2
    assert filter_completions(table, CompletionFilter(start=date(2000, 1, 1))).empty


# --- filters ----------------------------------------------------------------------------------


@pytest.fixture
def mixed(tmp_path: Path) -> pd.DataFrame:
    return table_of(
        tmp_path,
        completion(1, officer_name="Zoë O'Neil", agency=HINDS, completed_at="2026-11-01T12:00:00Z"),
        completion(2, officer_name="Ann Lee", agency=MHP, completed_at="2026-11-15T12:00:00Z"),
        completion(
            3,
            officer_name="Ben Oneal",
            agency=JACKSON,
            badge_number="AB-1007",
            completed_at="2026-11-30T12:00:00Z",
            course_version="v1",
        ),
    )


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("o'neil", ["B001"]),  # part of a name, any case, apostrophe as typed
        ("  LEE ", ["B002"]),  # surrounding spaces ignored
        ("1007", ["AB-1007"]),  # part of a badge
        ("ab-10", ["AB-1007"]),
        ("ab- 10", ["AB-1007"]),  # a space typed inside a badge is ignored
        ("b00", ["B001", "B002"]),
        ("(", []),  # plain text, not a pattern: no error, no match
        (".*", []),
    ],
)
def test_search_finds_part_of_a_name_or_badge_as_plain_text(
    mixed: pd.DataFrame, search: str, expected: list[str]
) -> None:
    assert badges(filter_completions(mixed, CompletionFilter(search=search))) == expected


def test_several_agencies_can_be_chosen_at_once(mixed: pd.DataFrame) -> None:
    chosen = filter_completions(mixed, CompletionFilter(agencies=(HINDS, JACKSON)))
    assert badges(chosen) == ["B001", "AB-1007"]


def test_a_date_range_includes_both_ends(mixed: pd.DataFrame) -> None:
    inclusive = CompletionFilter(start=date(2026, 11, 1), end=date(2026, 11, 15))
    assert badges(filter_completions(mixed, inclusive)) == ["B001", "B002"]
    assert badges(filter_completions(mixed, CompletionFilter(start=date(2026, 11, 15)))) == [
        "B002",
        "AB-1007",
    ]
    assert badges(filter_completions(mixed, CompletionFilter(end=date(2026, 10, 31)))) == []


def test_the_version_filter_and_the_others_combine(mixed: pd.DataFrame) -> None:
    assert badges(filter_completions(mixed, CompletionFilter(versions=("v1",)))) == ["AB-1007"]
    both = CompletionFilter(search="o", versions=("v2",), agencies=(HINDS, MHP))
    assert badges(filter_completions(mixed, both)) == ["B001"]


def test_no_filter_shows_everything_and_an_empty_ledger_shows_nothing(
    mixed: pd.DataFrame, tmp_path: Path
) -> None:
    assert len(filter_completions(mixed, CompletionFilter())) == 3
    empty = completions_table(Ledger(tmp_path / "none").read_completions(), CHICAGO)
    assert filter_completions(empty, CompletionFilter(search="x", start=date(2026, 1, 1))).empty


# --- summary ----------------------------------------------------------------------------------


def test_summary_counts_officers_agencies_and_the_final_pass_rate_of_those_in_view(
    tmp_path: Path,
) -> None:
    book = ledger_with(
        tmp_path,
        completions=[
            completion(1, attempts=2),
            completion(2, agency=MHP, attempts=1),
            # The same badge at another agency is another officer.
            completion(3, badge_number="B001", agency=MHP, attempts=3),
        ],
        attempts=[
            attempt(1, {}, passed=False),
            attempt(1, {}),
            attempt(1, {}, quiz_id="what-is-trafficking-check", passed=False),
            attempt(2, {}, agency=MHP),
            attempt(3, {}, badge_number="B001", agency=MHP, passed=False),
            attempt(3, {}, badge_number="B001", agency=MHP, passed=False),
            attempt(3, {}, badge_number="B001", agency=MHP),
            attempt(9, {}, passed=False),  # someone not in the completions
        ],
    )
    table = completions_table(book.read_completions(), CHICAGO)
    figures = summary(table, book.read_attempts(), "final")
    assert figures.completions == 3
    assert figures.officers == 3
    assert figures.agencies == 2
    assert figures.final_attempts == 6
    assert figures.passed_finals == 3
    assert figures.pass_rate == pytest.approx(0.5)
    assert figures.attempts_per_completion == pytest.approx(2.0)

    hinds = filter_completions(table, CompletionFilter(agencies=(HINDS,)))
    only_hinds = summary(hinds, book.read_attempts(), "final")
    assert (only_hinds.officers, only_hinds.final_attempts, only_hinds.pass_rate) == (1, 2, 0.5)
    outcomes = final_outcomes(book.read_attempts(), "final")
    assert summary(table, outcomes) == figures, "precomputed outcomes give the same figures"
    assert summary(hinds, outcomes) == only_hinds


def test_summary_of_nothing_has_no_rates(tmp_path: Path) -> None:
    book = Ledger(tmp_path / "none")
    figures = summary(
        completions_table(book.read_completions(), CHICAGO), book.read_attempts(), "final"
    )
    assert (figures.completions, figures.officers, figures.agencies) == (0, 0, 0)
    assert figures.final_attempts == 0
    assert figures.pass_rate is None
    assert figures.attempts_per_completion is None


# --- charts -----------------------------------------------------------------------------------


def test_weekly_completions_start_on_monday_and_show_quiet_weeks_as_zero(
    tmp_path: Path,
) -> None:
    table = table_of(
        tmp_path,
        completion(1, completed_at="2026-11-02T15:00:00Z"),  # Monday
        completion(2, completed_at="2026-11-08T15:00:00Z"),  # Sunday, same week
        completion(3, completed_at="2026-11-23T06:30:00Z"),  # 00:30 Monday in Chicago
        # 05:30Z Monday is 23:30 Sunday in Chicago: the week before.
        completion(4, completed_at="2026-11-23T05:30:00Z"),
    )
    weekly = weekly_completions(table)
    assert list(weekly.columns) == ["week_start", "completions"]
    assert weekly["week_start"].tolist() == [
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
    ]
    assert weekly["completions"].tolist() == [2, 0, 1, 1]


def test_weekly_completions_of_nothing_is_an_empty_table(tmp_path: Path) -> None:
    empty = completions_table(Ledger(tmp_path / "none").read_completions(), CHICAGO)
    weekly = weekly_completions(empty)
    assert list(weekly.columns) == ["week_start", "completions"]
    assert weekly.empty


def test_completions_by_agency_most_first_then_by_name(tmp_path: Path) -> None:
    table = table_of(
        tmp_path,
        completion(1, agency=MHP),
        completion(2, agency=JACKSON),
        completion(3, agency=HINDS),
        completion(4, agency=MHP),
        completion(5, agency=JACKSON),
        completion(6, agency="Biloxi Police Department"),
    )
    by_agency = completions_by_agency(table)
    assert list(by_agency.columns) == ["agency", "completions"]
    assert by_agency["agency"].tolist() == [
        JACKSON,
        MHP,
        "Biloxi Police Department",
        HINDS,
    ]
    assert by_agency["completions"].tolist() == [2, 2, 1, 1]


# --- question analysis ------------------------------------------------------------------------


def a_wrong_choice(question: Question) -> list[int]:
    return [next(i for i in range(len(question.options)) if i not in question.correct_positions)]


def test_question_analysis_counts_right_and_wrong_answers_and_flags_the_hard_ones(
    tmp_path: Path, course: Course
) -> None:
    easy = course.final.questions[0]
    hard = next(q for q in course.final.questions if len(q.correct_positions) > 1)
    right_easy, right_hard = sorted(easy.correct_positions), sorted(hard.correct_positions)
    # Only some of the right options of a multiple-choice question is still wrong.
    partly = right_hard[:1]
    book = ledger_with(
        tmp_path,
        attempts=[
            attempt(1, {easy.id: right_easy, hard.id: right_hard}),
            attempt(2, {easy.id: right_easy, hard.id: partly}),
            attempt(3, {easy.id: a_wrong_choice(easy), hard.id: a_wrong_choice(hard)}),
            attempt(4, {hard.id: list(reversed(partly))}),
        ],
    )
    table = question_analysis(book.read_attempts(), course)
    rows = table.set_index("question_id")
    assert rows.loc[easy.id, "drawn"] == 3
    assert rows.loc[easy.id, "correct"] == 2
    assert rows.loc[easy.id, "percent_correct"] == pytest.approx(200 / 3)
    assert not rows.loc[easy.id, "flagged"]
    assert rows.loc[hard.id, "drawn"] == 4
    assert rows.loc[hard.id, "correct"] == 1
    assert rows.loc[hard.id, "percent_correct"] == pytest.approx(25.0)
    assert rows.loc[hard.id, "flagged"]
    assert rows.loc[hard.id, "prompt"] == hard.prompt
    assert rows.loc[hard.id, "quiz_id"] == course.final.id

    # Flagged first, then the lowest share right; never-drawn questions last.
    assert table["question_id"].iloc[0] == hard.id
    assert table["question_id"].iloc[1] == easy.id
    assert math.isnan(table["percent_correct"].iloc[-1])


def test_question_analysis_lists_every_question_of_the_current_course(course: Course) -> None:
    empty = pd.DataFrame({c: pd.Series(dtype="string") for c in ATTEMPT_COLUMNS})
    table = question_analysis(empty, course)
    expected = {(quiz.id, q.id) for quiz in course.quizzes.values() for q in quiz.questions}
    assert set(zip(table["quiz_id"], table["question_id"], strict=True)) == expected
    assert len(table) == len(expected)
    assert (table["drawn"] == 0).all()
    assert not table["flagged"].any()
    assert table["percent_correct"].isna().all()


def test_the_threshold_decides_what_is_flagged(tmp_path: Path, course: Course) -> None:
    question = course.final.questions[0]
    right = sorted(question.correct_positions)
    book = ledger_with(
        tmp_path,
        attempts=[attempt(n, {question.id: right}) for n in range(3)]
        + [attempt(9, {question.id: a_wrong_choice(question)})],
    )
    attempts = book.read_attempts()
    assert (
        not question_analysis(attempts, course).set_index("question_id").loc[question.id, "flagged"]
    )
    strict = question_analysis(attempts, course, threshold=0.8).set_index("question_id")
    assert strict.loc[question.id, "flagged"]


def test_answers_that_cannot_count_are_skipped_not_fatal(tmp_path: Path, course: Course) -> None:
    question, before, after = course.final.questions[:3]
    right = sorted(question.correct_positions)
    many = len(question.options)
    book = ledger_with(
        tmp_path,
        attempts=[
            attempt(1, {question.id: right}),
            attempt(2, '{"' + question.id + '": [0'),  # cut off mid-write
            attempt(3, "not json at all"),
            attempt(4, ""),
            attempt(5, "[1, 2, 3]"),  # JSON, but not an object
            attempt(6, {"a-question-since-removed": [0]}),
            # An older version of the question had more options.
            attempt(7, {question.id: [many]}),
            attempt(8, {question.id: [-1]}),
            attempt(9, {question.id: "0"}),
            attempt(10, {question.id: [True]}),
            attempt(11, {question.id: 0}),  # not a list: only this answer is skipped...
            # ...and a nested choice spoils only itself, never the rest of the attempt.
            attempt(12, {before.id: [0], question.id: [[0]], after.id: [0]}),
            attempt(13, {"x": {"y": 1}, question.id: right}),
        ],
    )
    rows = question_analysis(book.read_attempts(), course).set_index("question_id")
    assert rows.loc[question.id, "drawn"] == 2
    assert rows.loc[question.id, "correct"] == 2
    assert rows.loc[before.id, "drawn"] == 1
    assert rows.loc[after.id, "drawn"] == 1


def test_question_analysis_reads_a_large_generated_ledger(course: Course) -> None:
    rng = random.Random(7)
    final = course.final
    rows = []
    for _ in range(50_000):
        drawn = rng.sample(final.questions, final.draw_count)
        answers = {
            q.id: sorted(q.correct_positions) if rng.random() < 0.8 else a_wrong_choice(q)
            for q in drawn
        }
        rows.append(json.dumps(answers, separators=(",", ":")))
    attempts = pd.DataFrame(
        {
            c: pd.Series(rows if c == "answers" else ["x"] * len(rows), dtype="string")
            for c in ATTEMPT_COLUMNS
        }
    )
    table = question_analysis(attempts, course)
    final_rows = table[table["quiz_id"] == final.id]
    assert final_rows["drawn"].sum() == 50_000 * final.draw_count
    assert final_rows["percent_correct"].between(70, 90).all()
    assert not final_rows["flagged"].any()
