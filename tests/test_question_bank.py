"""The bank must not reward test-taking: `validate` refuses a cued bank, file and figure named,
and `validate --report` shows the figures. The final draws by its blueprint."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.course_files import edit_yaml, problems
from tests.isolation import outside_project
from training import question_bank
from training.content import Course, Question
from training.grading import draw

FINAL = "quizzes/final.yaml"
CHECK = "quizzes/reporting-duties-check.yaml"


def _single(key: str, *others: str, qid: str = "q") -> Question:
    options = [{"text": key, "correct": True}, *({"text": o} for o in others)]
    return Question.model_validate(
        {"id": qid, "type": "single", "prompt": "?", "options": options, "explanation": "."}
    )


def _true_false(keyed_true: bool, qid: str = "t") -> Question:
    options = [
        {"text": "True", "correct": keyed_true},
        {"text": "False", "correct": not keyed_true},
    ]
    return Question.model_validate(
        {"id": qid, "type": "true_false", "prompt": "?", "options": options, "explanation": "."}
    )


def _select_all(keys: int, wrong: int, qid: str = "m") -> Question:
    options = [{"text": f"right {i}", "correct": True} for i in range(keys)]
    options += [{"text": f"wrong {i}"} for i in range(wrong)]
    return Question.model_validate(
        {"id": qid, "type": "multiple", "prompt": "?", "options": options, "explanation": "."}
    )


def test_a_longest_key_is_a_cue_and_a_tie_is_not() -> None:
    assert question_bank.key_is_longest(_single("a long right answer", "short", "wrong"))
    assert not question_bank.key_is_longest(_single("same size", "equal len", "short"))
    assert not question_bank.key_is_longest(_single("short", "a much longer wrong answer"))


def test_figures_count_each_kind_of_cue() -> None:
    bank = [
        _single("the longest of them all", "a", "b"),
        _single("x", "longer wrong answer", "other"),
        _true_false(True),
        _true_false(False),
        _true_false(False),
        _select_all(3, 1),
        _select_all(2, 2),
    ]
    f = question_bank.figures(bank)
    assert (f.single, f.key_longest) == (2, 1)
    assert (f.true_false, f.keyed_true) == (3, 1)
    assert (f.select_all, f.all_but_one) == (2, 1)
    assert f.keys_per_select_all == ((2, 1), (3, 1))


def _ranked(ranks: list[int], qualified: int = 0) -> list[Question]:
    """Single questions whose key is the option of the given length rank (0 = longest, of
    three); the first `qualified` have "only" in both wrong options."""
    questions = []
    for i, rank in enumerate(ranks):
        texts = ["a" * 30, "b" * 20, "c" * 10]
        if i < qualified:
            texts = [t if n == rank else f"only {t}" for n, t in enumerate(texts)]
        key = texts.pop(rank)
        questions.append(_single(key, *texts, qid=f"q{i}"))
    return questions


def _problems(bank: list[Question]) -> list[str]:
    return question_bank.cueing_problems(question_bank.figures(bank))


BALANCED = [0, 1, 2, 0, 1, 2, 1, 2, 0, 1]


def test_a_bank_with_no_cue_passes() -> None:
    assert _problems(_ranked(BALANCED)) == []


def test_a_key_that_is_mostly_the_longest_is_refused() -> None:
    (problem,) = _problems(_ranked([0, 0, 0, 0, 1, 2, 1, 2, 1, 2]))
    assert problem.startswith("the key is the strictly longest option in 4 of 10 (40%)")
    assert _problems(_ranked([0, 0, 0, 1, 2, 1, 2, 1, 2])) == []  # 3 of 9 = 33%


def test_a_key_that_is_mostly_the_shortest_is_refused() -> None:
    (problem,) = _problems(_ranked([2, 2, 2, 2, 0, 1, 0, 1, 0, 1]))
    assert problem.startswith("the key is the strictly shortest option in 4 of 10 (40%)")


def test_a_key_that_is_mostly_in_the_middle_is_refused() -> None:
    (problem,) = _problems(_ranked([1, 1, 1, 1, 1, 0, 2, 0, 2, 2]))
    assert problem == (
        "always picking the option of one length rank (the longest, the second longest, ...) "
        "scores 50% of 10 single-answer questions; at most 40% may: vary where the key falls "
        "among the lengths"
    )
    assert question_bank.length_rank_scores(_single("abc", "xyz", "a")) == {0: 0.5, 1: 0.5}


def test_a_key_that_is_mostly_the_plainest_option_is_refused() -> None:
    # 3 sure picks and 7 three-way ties: (3 + 7/3) / 10 = 53%.
    (problem,) = _problems(_ranked(BALANCED, qualified=3))
    assert problem.startswith(
        "picking the option with the fewest words like only, never, because or unless "
        "scores 53% of 10"
    )
    assert _problems(_ranked(BALANCED, qualified=0)) == []
    tied = _single("Call CPS", "Wait", "Only call if she asks")
    assert question_bank.fewest_qualifiers_score(tied) == 0.5


def test_true_false_and_select_all_patterns_are_refused() -> None:
    mostly_false = [_true_false(i < 3) for i in range(10)]
    (problem,) = question_bank.cueing_problems(question_bank.figures(mostly_false))
    assert "3 of 10 (30%) true/false questions are keyed True" in problem
    assert not question_bank.cueing_problems(
        question_bank.figures([_true_false(i < 4) for i in range(10)])
    )
    # Three items cannot be 40-60% True; one of three or two of three is as close as it gets.
    assert not question_bank.cueing_problems(
        question_bank.figures([_true_false(i < 1) for i in range(3)])
    )
    assert question_bank.cueing_problems(question_bank.figures([_true_false(False)] * 3))

    all_but_one = [_select_all(3, 1), _select_all(2, 1), _select_all(2, 2)]
    problems = question_bank.cueing_problems(question_bank.figures(all_but_one))
    assert any('2 of 3 (67%) select-all questions are "all but one"' in p for p in problems)

    same_keys = [_select_all(2, 2), _select_all(2, 3)]
    problems = question_bank.cueing_problems(question_bank.figures(same_keys))
    assert problems == [
        "every one of the 2 select-all questions has 2 correct options; vary how many are right"
    ]
    varied = [_select_all(2, 2), _select_all(3, 2)]
    assert not question_bank.cueing_problems(question_bank.figures(varied))


def test_a_select_all_question_needs_two_wrong_options() -> None:
    assert question_bank.question_problems(_select_all(3, 1)) == [
        "a select-all question needs at least 2 wrong options (found 1)"
    ]
    assert question_bank.question_problems(_select_all(1, 2)) == []


# --- validate, on a copy of the real course ---------------------------------------------------


_edit = edit_yaml
_messages = problems


def _make_every_key_longest(data: dict) -> None:
    for q in data["questions"]:
        if q["type"] == "single":
            for o in q["options"]:
                if o.get("correct"):
                    o["text"] = o["text"] + " " + "and that is the whole of it " * 8


def test_the_shipped_bank_is_within_every_limit(course: Course) -> None:
    every = [q for quiz in course.quizzes.values() for q in quiz.questions]
    assert question_bank.cueing_problems(question_bank.figures(every)) == []
    for quiz in course.quizzes.values():
        f = question_bank.figures(quiz.questions)
        if question_bank.judged_on_its_own(f):
            assert question_bank.cueing_problems(f) == [], quiz.id
        for q in quiz.questions:
            assert question_bank.question_problems(q) == [], q.id


def test_validate_refuses_a_quiz_whose_key_is_the_longest_option(course_copy: Path) -> None:
    _edit(course_copy, CHECK, _make_every_key_longest)
    messages = _messages(course_copy)
    assert any(
        m.startswith(f"{CHECK}: questions: the key is the strictly longest option in ")
        and "(100%) single-answer questions; at most 35% may be" in m
        for m in messages
    ), messages


def test_validate_refuses_true_false_keyed_mostly_one_way(course_copy: Path) -> None:
    def key_all_false(data: dict) -> None:
        for q in data["questions"]:
            if q["type"] == "true_false":
                q["options"] = [{"text": "True"}, {"text": "False", "correct": True}]

    for rel in sorted((course_copy / "quizzes").glob("*.yaml")):
        _edit(course_copy, f"quizzes/{rel.name}", key_all_false)
    messages = _messages(course_copy)
    assert any(
        m.startswith("quizzes/: (all quizzes): 0 of ") and "keyed True; between 40% and 60%" in m
        for m in messages
    ), messages
    assert any(m.startswith(f"{FINAL}: questions: 0 of ") for m in messages), messages


def test_validate_refuses_all_but_one_select_all_questions(course_copy: Path) -> None:
    def all_but_one(data: dict) -> None:
        for q in data["questions"]:
            if q["type"] == "multiple":
                q["options"] = [{"text": f"Right {i}", "correct": i < 3} for i in range(4)]

    _edit(course_copy, FINAL, all_but_one)
    messages = _messages(course_copy)
    assert any(
        m.startswith(f"{FINAL}: questions[")
        and m.endswith("a select-all question needs at least 2 wrong options (found 1)")
        for m in messages
    ), messages
    assert any(
        m.startswith(f"{FINAL}: questions: ")
        and '(100%) select-all questions are "all but one"' in m
        for m in messages
    ), messages
    assert any(
        m.startswith(f"{FINAL}: questions: every one of the ")
        and "select-all questions has 3 correct options" in m
        for m in messages
    ), messages


def test_the_report_prints_the_figures_and_the_finals_modules() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "training", "validate", "--report"],
        capture_output=True,
        text=True,
        check=False,
        cwd=outside_project(),  # no secrets.toml of the project
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "key longest (single)" in out and "keyed True (true/false)" in out
    assert "quizzes/final.yaml" in out and "all quizzes" in out
    assert "questions per module" in out and "reporting-duties" in out
    assert "The course is valid" in out


# --- the final's blueprint --------------------------------------------------------------------


def test_the_shipped_blueprint_takes_two_from_every_module_and_three_on_reporting(
    course: Course,
) -> None:
    blueprint = course.final.blueprint
    assert blueprint is not None
    assert set(blueprint) == {m.id for m in course.modules}
    assert all(n >= 2 for n in blueprint.values())
    assert blueprint["reporting-duties"] >= 3
    assert sum(blueprint.values()) == course.final.draw_count == 20


def test_ten_thousand_finals_all_meet_the_blueprint_and_reach_every_question(
    course: Course,
) -> None:
    final = course.final
    assert final.blueprint is not None
    module_of = {q.id: q.module for q in final.questions}
    seen: Counter[str] = Counter()
    rng = random.Random(45_6_7)
    for _ in range(10_000):
        drawn = [d.question_id for d in draw(final, rng)]
        assert len(set(drawn)) == len(drawn) == final.draw_count
        assert Counter(module_of[q] for q in drawn) == Counter(final.blueprint)
        seen.update(drawn)
    never = {q.id for q in final.questions} - set(seen)
    assert not never, f"never drawn: {never}"


def test_the_blueprint_order_does_not_leak_into_the_question_order(course: Course) -> None:
    firsts = Counter(draw(course.final, random.Random(i))[0].question_id for i in range(300))
    modules = {next(q.module for q in course.final.questions if q.id == f) for f in firsts}
    assert len(modules) == len(course.modules)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d.pop("blueprint"),
            f"{FINAL}: blueprint: is required: how many questions each draw takes",
        ),
        (
            lambda d: d["blueprint"].pop("statewide-coordination"),
            f"{FINAL}: blueprint: leaves out module 'statewide-coordination'",
        ),
        (
            lambda d: d["blueprint"].update({"what-is-trafficking": 1}),
            f"{FINAL}: blueprint.what-is-trafficking: draws 1; every module needs at least 2",
        ),
        (
            lambda d: d["blueprint"].update({"labor-trafficking": 4}),
            f"{FINAL}: blueprint: adds up to 21 questions but the final draws 20",
        ),
        (
            lambda d: d["blueprint"].update({"statewide-coordination": 50}),
            f"{FINAL}: blueprint.statewide-coordination: draws 50 questions but the bank has ",
        ),
        (
            lambda d: d["blueprint"].update({"no-such-module": 2}),
            f"{FINAL}: blueprint.no-such-module: 'no-such-module' is not a module id",
        ),
        (
            lambda d: d["questions"][0].pop("module"),
            f"{FINAL}: questions[0].module: is required: name the module this question examines",
        ),
        (
            lambda d: d["questions"][0].update(module="elsewhere"),
            f"{FINAL}: questions[0].module: 'elsewhere' is not a module id",
        ),
    ],
)
def test_a_broken_blueprint_is_named(
    course_copy: Path, change: Callable[[dict], object], expected: str
) -> None:
    _edit(course_copy, FINAL, change)
    messages = _messages(course_copy)
    assert any(m.startswith(expected) for m in messages), messages


def test_a_check_question_does_not_name_a_module(course_copy: Path) -> None:
    _edit(course_copy, CHECK, lambda d: d["questions"][0].update(module="reporting-duties"))
    assert any(
        m.startswith(f"{CHECK}: questions[0].module: only a final question names its module")
        for m in _messages(course_copy)
    )
