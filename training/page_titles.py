"""The title of every page and step, shown in the browser's tab and history and read first by a
screen reader: where the user is, most specific first, the training's name last (a tab too
narrow for the whole title still shows the step)."""

from __future__ import annotations

from training.content import Course, Lesson, Module, Quiz
from training.progress import Step, step_lesson, step_module

SITE = "Human Trafficking Training"
SEPARATOR = " — "

SIGN_IN = "Sign in"
TRAINING_COMPLETE = "Training complete"
WHO_TO_CALL = "Who to call"
VERIFY = "Verify certificate"
COORDINATOR = "Coordinator"


def titled(*parts: str) -> str:
    """`parts`, most specific first, then the training's name."""
    return SEPARATOR.join([*(part for part in parts if part), SITE])


def _module_part(course: Course, module: Module) -> str:
    number = course.modules.index(module) + 1
    return f"Module {number} of {len(course.modules)}: {module.title}"


def lesson(course: Course, module: Module, current: Lesson) -> str:
    """E.g. "Lesson 2 of 4: Where labor trafficking happens — Module 2 of 7: Labor
    trafficking — Human Trafficking Training"."""
    number = module.lessons.index(current) + 1
    return titled(
        f"Lesson {number} of {len(module.lessons)}: {current.title}",
        _module_part(course, module),
    )


def check(course: Course, module: Module, quiz: Quiz, *, marked: bool = False) -> str:
    """A module's knowledge check; `marked` once its answers are marked."""
    name = f"{quiz.title}: your results" if marked else quiz.title
    return titled(name, _module_part(course, module))


def final(quiz: Quiz, *, passed: bool | None = None) -> str:
    """The final assessment; `passed` is False once a failed attempt is marked (a passed one
    leads to the completion page)."""
    if passed is None:
        return titled(quiz.title)
    return titled(f"{quiz.title}: {'passed' if passed else 'not passed yet'}")


def course_step(course: Course, step: Step, marked: tuple[str, bool] | None = None) -> str:
    """The title of the course's `step` (lesson, knowledge check or final). `marked` is the
    marked attempt on screen, if any: (its quiz's id, passed); one of another quiz is not this
    step's."""
    module = step_module(course, step)
    current = step_lesson(course, step)
    if current is not None and module is not None:
        return lesson(course, module, current)
    if step.kind == "check" and module is not None:
        quiz = course.check_for(module)
        return check(course, module, quiz, marked=marked is not None and marked[0] == quiz.id)
    if marked is not None and marked[0] == course.final.id:
        return final(course.final, passed=marked[1])
    return final(course.final)


def sign_in() -> str:
    return titled(SIGN_IN)


def training_complete() -> str:
    return titled(TRAINING_COMPLETE)


def who_to_call() -> str:
    return titled(WHO_TO_CALL)


def verify(valid: bool | None = None) -> str:
    """The Verify certificate page; `valid` once a code has been checked."""
    if valid is None:
        return titled(VERIFY)
    return titled("Valid certificate" if valid else "Not a valid certificate", VERIFY)


def coordinator(section: str | None = None) -> str:
    """The Coordinator's page: its sign-in (no `section`), or the console's open tab."""
    if section is None:
        return titled(f"{COORDINATOR}: sign in")
    return titled(section, COORDINATOR)


def problem(heading: str) -> str:
    """A page that says the training cannot be used right now (its heading)."""
    return titled(heading)
