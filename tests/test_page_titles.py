"""Page titles name the page and the step, most specific first, the training's name last."""

from __future__ import annotations

from pathlib import Path

import pytest

from training import page_titles
from training.content import Course, load_course
from training.progress import steps

ROOT = Path(__file__).resolve().parents[1]
SITE = "Human Trafficking Training"


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(ROOT)


def test_a_lesson_names_itself_its_place_in_the_module_and_the_module(course: Course) -> None:
    module = course.modules[1]
    lesson = module.lessons[2]
    assert page_titles.lesson(course, module, lesson) == (
        f"Lesson 3 of {len(module.lessons)}: {lesson.title} — "
        f"Module 2 of {len(course.modules)}: {module.title} — {SITE}"
    )


def test_every_step_of_the_course_has_a_title_of_its_own(course: Course) -> None:
    titles = [page_titles.course_step(course, step) for step in steps(course)]
    assert len(set(titles)) == len(titles), "two steps share a title"
    assert all(title.endswith(f" — {SITE}") for title in titles)
    lessons = [lesson for module in course.modules for lesson in module.lessons]
    lesson_titles = [t for t in titles if t.startswith("Lesson ")]
    assert [t.split(": ", 1)[1].split(" — ")[0] for t in lesson_titles] == [
        lesson.title for lesson in lessons
    ]
    assert titles[-1] == f"{course.final.title} — {SITE}"


def test_a_knowledge_check_says_when_its_answers_are_marked(course: Course) -> None:
    module = course.modules[0]
    check = course.check_for(module)
    position = len(module.lessons)  # the module's lessons come first, then its check
    step = steps(course)[position]
    part = f"Module 1 of {len(course.modules)}: {module.title}"
    assert page_titles.course_step(course, step) == f"{check.title} — {part} — {SITE}"
    assert (
        page_titles.course_step(course, step, (check.id, True))
        == f"{check.title}: your results — {part} — {SITE}"
    )


def test_a_marked_attempt_of_another_quiz_does_not_change_the_title(course: Course) -> None:
    step = steps(course)[len(course.modules[0].lessons)]
    other = course.check_for(course.modules[1])
    assert page_titles.course_step(course, step, (other.id, True)) == page_titles.course_step(
        course, step
    )
    lesson_step = steps(course)[0]
    assert page_titles.course_step(course, lesson_step, (course.final.id, False)) == (
        page_titles.course_step(course, lesson_step)
    )


def test_the_final_says_whether_it_was_passed(course: Course) -> None:
    final = steps(course)[-1]
    title = course.final.title
    assert page_titles.course_step(course, final) == f"{title} — {SITE}"
    assert (
        page_titles.course_step(course, final, (course.final.id, False))
        == f"{title}: not passed yet — {SITE}"
    )
    assert (
        page_titles.course_step(course, final, (course.final.id, True))
        == f"{title}: passed — {SITE}"
    )


def test_the_other_pages() -> None:
    assert page_titles.sign_in() == f"Sign in — {SITE}"
    assert page_titles.training_complete() == f"Training complete — {SITE}"
    assert page_titles.who_to_call() == f"Who to call — {SITE}"
    assert page_titles.verify() == f"Verify certificate — {SITE}"
    assert page_titles.verify(valid=True) == f"Valid certificate — Verify certificate — {SITE}"
    assert (
        page_titles.verify(valid=False) == f"Not a valid certificate — Verify certificate — {SITE}"
    )
    assert page_titles.coordinator() == f"Coordinator: sign in — {SITE}"
    assert page_titles.coordinator("Question analysis") == (
        f"Question analysis — Coordinator — {SITE}"
    )
    assert page_titles.problem("The course cannot be shown") == (
        f"The course cannot be shown — {SITE}"
    )
