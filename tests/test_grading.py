"""Drawing, shuffling and scoring: the server decides, exactly and fairly."""

from __future__ import annotations

import json
import random

import pytest

from training.content import Course, Quiz
from training.grading import AnswerError, DrawnQuestion, answers_json, draw, score, unanswered


def _right(quiz: Quiz, drawn) -> dict[str, list[int]]:
    return {d.question_id: sorted(quiz.question(d.question_id).correct_positions) for d in drawn}


def _wrong(quiz: Quiz, drawn) -> dict[str, list[int]]:
    answers = {}
    for d in drawn:
        question = quiz.question(d.question_id)
        wrong = next(i for i in range(len(question.options)) if i not in question.correct_positions)
        answers[d.question_id] = [wrong]
    return answers


def test_final_draws_its_count_of_distinct_questions_from_the_bank(course: Course) -> None:
    quiz = course.final
    drawn = draw(quiz, random.Random(1))
    ids = [d.question_id for d in drawn]
    assert len(ids) == quiz.draw == len(set(ids))
    assert set(ids) <= {q.id for q in quiz.questions}
    for d in drawn:
        assert sorted(d.option_order) == list(range(len(quiz.question(d.question_id).options)))


def test_final_draws_differ_in_questions_order_and_options(course: Course) -> None:
    quiz = course.final
    draws = [draw(quiz, random.Random(seed)) for seed in range(20)]
    assert len({tuple(d.question_id for d in one) for one in draws}) > 1
    orders = {d.option_order for one in draws for d in one if len(d.option_order) > 2}
    assert any(order != tuple(sorted(order)) for order in orders)


def test_true_false_keeps_true_before_false(course: Course) -> None:
    quiz = course.final
    for seed in range(10):
        for d in draw(quiz, random.Random(seed)):
            if quiz.question(d.question_id).type == "true_false":
                assert d.option_order == (0, 1)


def test_a_check_keeps_its_question_order_but_shuffles_options(course: Course) -> None:
    quiz = course.check_for(course.modules[0])
    drawn = draw(quiz, random.Random(1))
    assert [d.question_id for d in drawn] == [q.id for q in quiz.questions]
    assert draw(quiz, random.Random(1)) == drawn, "the same seed gives the same order"
    firsts = {d.option_order[0] for one in range(20) for d in draw(quiz, random.Random(one))}
    assert len(firsts) > 1, "the option written first is not always shown first"


def test_the_right_answer_is_not_always_in_the_same_place(course: Course) -> None:
    for quiz in course.quizzes.values():
        shown_at = set()
        for seed in range(10):
            for d in draw(quiz, random.Random(seed)):
                question = quiz.question(d.question_id)
                if question.type == "single":
                    shown_at.add(d.option_order.index(min(question.correct_positions)))
        assert len(shown_at) > 1, quiz.id


def test_all_right_passes_and_all_wrong_fails(course: Course) -> None:
    quiz = course.final
    drawn = draw(quiz, random.Random(3))
    right = score(quiz, drawn, _right(quiz, drawn), 80)
    assert (right.percent, right.passed, right.correct_count) == (100, True, quiz.draw)
    wrong = score(quiz, drawn, _wrong(quiz, drawn), 80)
    assert (wrong.percent, wrong.passed) == (0, False)


def test_pass_mark_boundary(course: Course) -> None:
    quiz = course.final
    drawn = draw(quiz, random.Random(4))
    total = len(drawn)
    allowed = total * 20 // 100  # wrong answers that still leave exactly 80%
    assert allowed * 100 == total * 20, "the boundary case needs a draw divisible by five"
    answers = _right(quiz, drawn)
    wrong = _wrong(quiz, drawn)
    for d in drawn[:allowed]:
        answers[d.question_id] = wrong[d.question_id]
    at_mark = score(quiz, drawn, answers, 80)
    assert (at_mark.percent, at_mark.passed) == (80, True)
    answers[drawn[allowed].question_id] = wrong[drawn[allowed].question_id]
    below = score(quiz, drawn, answers, 80)
    assert below.percent < 80 and not below.passed


def test_a_multiple_question_needs_exactly_the_right_set(course: Course) -> None:
    quiz = next(
        q for q in course.quizzes.values() if any(x.type == "multiple" for x in q.questions)
    )
    question = next(x for x in quiz.questions if x.type == "multiple")
    drawn = [DrawnQuestion(question.id, tuple(range(len(question.options))))]
    right = sorted(question.correct_positions)
    assert score(quiz, drawn, {question.id: right}, 80).passed
    every = list(range(len(question.options)))
    assert not score(quiz, drawn, {question.id: every}, 80).passed
    if len(right) > 1:
        assert not score(quiz, drawn, {question.id: right[:1]}, 80).passed


def test_unanswered_questions_are_named_and_refused(course: Course) -> None:
    quiz = course.final
    drawn = draw(quiz, random.Random(5))
    answers = _right(quiz, drawn)
    del answers[drawn[3].question_id]
    assert unanswered(drawn, answers) == [4]
    with pytest.raises(AnswerError):
        score(quiz, drawn, answers, 80)


def test_answers_for_questions_not_drawn_or_out_of_range_are_refused(course: Course) -> None:
    quiz = course.final
    drawn = draw(quiz, random.Random(6))
    answers = _right(quiz, drawn)
    not_drawn = next(q.id for q in quiz.questions if q.id not in answers)
    with pytest.raises(AnswerError):
        score(quiz, drawn, {**answers, not_drawn: [0]}, 80)
    with pytest.raises(AnswerError):
        score(quiz, drawn, {**answers, drawn[0].question_id: [99]}, 80)


def test_answers_are_stored_as_compact_json_of_positions(course: Course) -> None:
    quiz = course.final
    drawn = draw(quiz, random.Random(7))
    result = score(quiz, drawn, _right(quiz, drawn), 80)
    stored = answers_json(result)
    assert "\n" not in stored
    assert json.loads(stored) == _right(quiz, drawn)
