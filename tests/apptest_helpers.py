"""Driving the officer's pages in AppTest, as an officer would click through them."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from training.config import PROJECT_ROOT
from training.content import Course, Quiz

AGENCY = "Hinds County Sheriff's Office"


def open_app(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=30)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r} among {[b.label for b in at.button]}"
    return matches[0]


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def click(at: AppTest, label: str) -> AppTest:
    button(at, label).click()
    at.run()
    assert not at.exception, at.exception
    return at


def sign_in(
    at: AppTest, name: str = "Zoë O'Neil", badge: str = "ab-1", agency: str | None = AGENCY
) -> AppTest:
    at.text_input(key="officer_name").input(name)
    at.text_input(key="badge_number").input(badge)
    if agency is not None:
        at.selectbox(key="agency").select(agency)
    return click(at, "Start training")


def answer(at: AppTest, quiz: Quiz, right: bool) -> None:
    """Answer every question of the quiz on screen, all right or all wrong."""
    shown = {r.key[2:] for r in at.radio if r.key and r.key.startswith("q_")}
    shown |= {
        q.id
        for q in quiz.questions
        if any(c.key and c.key.startswith(f"q_{q.id}_") for c in at.checkbox)
    }
    assert shown, "no questions on screen"
    for question_id in shown:
        question = quiz.question(question_id)
        correct = question.correct_positions
        if question.type == "multiple":
            for i in range(len(question.options)):
                at.checkbox(key=f"q_{question.id}_{i}").set_value((i in correct) == right)
        else:
            pick = min(correct) if right else min(set(range(len(question.options))) - correct)
            at.radio(key=f"q_{question.id}").set_value(pick)


def walk_to_first_check(at: AppTest, course: Course) -> Quiz:
    """Read the first module's lessons; return its knowledge check, now on screen."""
    module = course.modules[0]
    for _ in module.lessons:
        click(at, "Next")
    return course.check_for(module)


def walk_to_final(at: AppTest, course: Course) -> AppTest:
    """Read every lesson and pass every knowledge check; stop at the final assessment."""
    for _ in range(100):
        if titles(at) == [course.final.title]:
            return at
        if "Next" in labels(at):
            click(at, "Next")
        elif "Continue" in labels(at):
            click(at, "Continue")
        elif "Submit answers" in labels(at):
            check = next(q for q in course.quizzes.values() if q.title in titles(at))
            answer(at, check, right=True)
            click(at, "Submit answers")
        else:
            raise AssertionError(f"stuck on {titles(at)} with buttons {labels(at)}")
    raise AssertionError("never reached the final")
