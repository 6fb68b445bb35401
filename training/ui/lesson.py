"""A lesson: its text, "Back", and "Next" once the lesson's minimum time has passed."""

from __future__ import annotations

import time

import streamlit as st

from training.config import Settings
from training.content import Course, Lesson, Module
from training.storage import Store
from training.ui import session
from training.ui.common import STEP_BUTTON_WIDTH

#: How often the time on a lesson is saved while the officer reads.
SAVE_EVERY_SECONDS = 10
#: Streamlit fades block quotes to 60% opacity, 3.9:1 on white (WCAG 1.4.3 asks 4.5:1); the
#: lessons quote the statutes, the text an officer most needs to read.
_FULL_CONTRAST_QUOTES = (
    "<style>[data-testid='stMarkdownContainer'] blockquote { opacity: 1; }</style>"
)


def _next(course: Course, lesson: Lesson, index: int, settings: Settings, store: Store) -> None:
    prog = session.signed_in()
    if prog.finish_lesson(course, lesson, settings.seat_time_scale):
        prog.go_to(course, index + 1)
    session.save(store)


def _back(course: Course, index: int, store: Store) -> None:
    prog = session.signed_in()
    prog.go_to(course, index - 1)
    session.save(store)


def _tick(course: Course, lesson: Lesson, settings: Settings, store: Store) -> int:
    """Credit reading time; save now and then. Returns the seconds still to wait."""
    prog = session.signed_in()
    prog.note_time(course)
    last = st.session_state.get("last_time_save", 0.0)
    if time.time() - last >= SAVE_EVERY_SECONDS:
        session.save(store)
        st.session_state["last_time_save"] = time.time()
    return prog.seconds_left(course, lesson, settings.seat_time_scale)


@st.fragment(run_every=1)
def _countdown(course: Course, lesson: Lesson, settings: Settings, store: Store) -> None:
    left = _tick(course, lesson, settings, store)
    if left <= 0:
        session.save(store)
        st.rerun()  # the whole page, so that "Next" is drawn enabled
    minutes, seconds = divmod(left, 60)
    st.markdown(f"Next is available in {minutes}:{seconds:02d}. Take your time with the lesson.")


@st.fragment(run_every=30)
def _heartbeat(course: Course, lesson: Lesson, settings: Settings, store: Store) -> None:
    # Time spent reading past the minimum still counts as seat time.
    _tick(course, lesson, settings, store)


def render(
    course: Course,
    module: Module,
    lesson: Lesson,
    index: int,
    settings: Settings,
    store: Store,
) -> None:
    st.markdown(f"**Module {course.modules.index(module) + 1}: {module.title}**")
    st.title(lesson.title)
    if lesson is module.lessons[0]:
        st.markdown(
            "**In this module you will learn to:**\n\n"
            + "\n".join(f"- {objective}" for objective in module.objectives)
        )
    st.markdown(lesson.body)
    if lesson.quotes:
        st.html(_FULL_CONTRAST_QUOTES)
    prog = session.signed_in()
    left = prog.seconds_left(course, lesson, settings.seat_time_scale)
    # One row that stays a row on a phone (columns stack there, Next under an empty third).
    with st.container(horizontal=True, horizontal_alignment="distribute", key="step_buttons"):
        st.button(
            "Back",
            key="lesson_back",
            disabled=index == 0,
            on_click=_back,
            args=(course, index, store),
            width=STEP_BUTTON_WIDTH,
        )
        st.button(
            "Next",
            type="primary",
            disabled=left > 0,
            key="lesson_next",
            on_click=_next,
            args=(course, lesson, index, settings, store),
            width=STEP_BUTTON_WIDTH,
        )
    if left > 0:
        _countdown(course, lesson, settings, store)
    else:
        _heartbeat(course, lesson, settings, store)
