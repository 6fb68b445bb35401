"""The rules of a submitted quiz, on the server: what it earns and what it changes."""

from __future__ import annotations

from training.content import Course
from training.grading import draw
from training.officers import Officer
from training.progress import Progress
from training.records import check_draw, new_final_draw, pass_mark, submit

KEY = b"test-key"
OFFICER = Officer("Zoë Lee", "AB-1", "Mississippi Highway Patrol")


def _all_right(quiz, drawn):  # type: ignore[no-untyped-def]
    return {d.question_id: sorted(quiz.question(d.question_id).correct_positions) for d in drawn}


def _all_wrong(quiz, drawn):  # type: ignore[no-untyped-def]
    answers = {}
    for d in drawn:
        question = quiz.question(d.question_id)
        answers[d.question_id] = [
            next(i for i, option in enumerate(question.options) if not option.correct)
        ]
    return answers


def test_a_passed_final_earns_the_completion_and_counts_as_an_attempt(course: Course) -> None:
    place = Progress.start(OFFICER, course)
    drawn = new_final_draw(place, course.final)
    place.quiz_started_at = 1_000.0
    done = submit(
        place, course, course.final, drawn, _all_right(course.final, drawn), 80, KEY, 1_090.0
    )
    attempt, completion = done.records
    assert done.score.passed and done.score.percent == 100
    assert attempt.quiz_id == "final" and attempt.duration_seconds == 90 and attempt.passed
    assert completion.badge_number == "AB-1" and completion.attempts == 1
    assert place.final_attempts == 1 and place.final_draw is None, "not shown again"
    assert place.quiz_seconds == 90.0 and place.quiz_started_at is None


def test_a_failed_final_earns_only_the_attempt_and_a_new_draw_follows(course: Course) -> None:
    place = Progress.start(OFFICER, course)
    drawn = new_final_draw(place, course.final)
    done = submit(place, course, course.final, drawn, _all_wrong(course.final, drawn), 80, KEY)
    assert not done.score.passed and len(done.records) == 1
    assert place.final_attempts == 1 and place.final_draw is None and place.completion is None


def test_a_check_is_done_whatever_its_score_and_its_order_is_the_officers(course: Course) -> None:
    check = course.check_for(course.modules[0])
    place = Progress.start(OFFICER, course)
    drawn = check_draw(check, "a" * 32)
    assert [d.option_order for d in drawn] == [d.option_order for d in check_draw(check, "a" * 32)]
    assert [d.question_id for d in drawn] == [q.id for q in check.questions], "in order"
    done = submit(place, course, check, drawn, _all_wrong(check, drawn), 80, KEY)
    assert place.checks == {check.id: 0} and len(done.records) == 1
    assert place.final_attempts == 0


def test_a_quizs_own_pass_mark_wins(course: Course) -> None:
    assert pass_mark(course.check_for(course.modules[0]), 80) == 80
    assert pass_mark(course.final, 70) == (course.final.pass_mark or 70)
    assert len(draw(course.final)) == course.final.draw_count
