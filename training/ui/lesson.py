"""A lesson: its text, "Back", and "Next" once the lesson's minimum time has passed."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from training.config import Settings
from training.content import Course, Lesson, Module
from training.progress import countdown_interval, countdown_off_beat
from training.storage import Store
from training.ui import session
from training.ui.common import STEP_BUTTON_WIDTH

#: How often at most the time on a lesson is saved while the officer reads (each rerun of the
#: countdown or the heartbeat saves it, unless it was saved more recently).
SAVE_EVERY_SECONDS = 10
#: Streamlit fades block quotes to 60% opacity, 3.9:1 on white (WCAG 1.4.3 asks 4.5:1); the
#: lessons quote the statutes, the text an officer most needs to read.
_FULL_CONTRAST_QUOTES = (
    "<style>[data-testid='stMarkdownContainer'] blockquote { opacity: 1; }</style>"
)
#: Counts the seconds down in the browser between the countdown's reruns on the server.
_COUNTDOWN_SCRIPT = (Path(__file__).parent / "countdown.js").read_text(encoding="utf-8")
#: Set in the session when the officer clears "Show the countdown". WCAG 2.2.2 asks that
#: information updating itself beside the content can be stopped or hidden: the seconds
#: change beside the lesson being read. Kept apart from the checkbox, whose own state Streamlit
#: forgets on every step without a countdown, so that the choice holds for the session.
_COUNTDOWN_HIDDEN = "countdown_hidden"
#: The "Show the countdown" checkbox's key.
COUNTDOWN_CHECKBOX = "show_countdown"
#: What stands in place of the countdown when it is hidden: it does not change.
COUNTDOWN_HIDDEN_TEXT = "“Next” is enabled by itself when the lesson’s reading time is up."
_HIDDEN_COUNTDOWN = f'<p style="margin: 0">{COUNTDOWN_HIDDEN_TEXT}</p>'


def _next(course: Course, lesson: Lesson, index: int, settings: Settings, store: Store) -> None:
    prog = session.signed_in()
    if prog.finish_lesson(course, lesson, settings.seat_time_scale):
        prog.go_to(course, index + 1)
    session.save(store)


def _back(course: Course, index: int, store: Store) -> None:
    prog = session.signed_in()
    prog.go_to(course, index - 1)
    session.save(store)


def _tick(course: Course, store: Store) -> None:
    """Credit reading time; save now and then."""
    prog = session.signed_in()
    prog.note_time(course)
    last = st.session_state.get("last_time_save", 0.0)
    if time.time() - last >= SAVE_EVERY_SECONDS:
        session.save(store)
        st.session_state["last_time_save"] = time.time()


def _countdown_text(left: int) -> str:
    """The countdown as the server draws it, right on its own (the first paint, each rerun),
    and the script that counts its seconds down in the browser in between (it installs itself
    once a page; it goes with the text because an element of its own would add a gap below
    it). No margin below the paragraph, as below Markdown's last one."""
    minutes, seconds = divmod(left, 60)
    return (
        f'<p style="margin: 0">Next is available in <span role="timer" '
        f'data-countdown-left="{left}">{minutes}:{seconds:02d}</span>. '
        "Take your time with the lesson.</p>\n"
        f"<script>\n{_COUNTDOWN_SCRIPT}</script>"
    )


def _remember_countdown_choice() -> None:
    st.session_state[_COUNTDOWN_HIDDEN] = not st.session_state[COUNTDOWN_CHECKBOX]


def _countdown(
    course: Course, lesson: Lesson, settings: Settings, store: Store, interval: float
) -> None:
    # Reruns every `interval` seconds, as set by the last full run of the page, the last rerun
    # when the time is up; the browser draws the seconds in between.
    _tick(course, store)
    prog = session.signed_in()
    left = prog.seconds_left(course, lesson, settings.seat_time_scale)
    if left <= 0:
        session.save(store)
        st.rerun()  # the whole page, so that "Next" is drawn enabled
    if countdown_off_beat(prog.time_left(course, lesson, settings.seat_time_scale), interval):
        session.save(store)
        st.rerun()  # the whole page, which asks for reruns that end when the time is up
    if st.session_state.get(_COUNTDOWN_HIDDEN):
        st.html(_HIDDEN_COUNTDOWN)
    else:
        st.html(_countdown_text(left), unsafe_allow_javascript=True)


@st.fragment(run_every=30)
def _heartbeat(course: Course, store: Store) -> None:
    # Time spent reading past the minimum still counts as seat time.
    _tick(course, store)


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
    # The time since the last sign of life first (as the countdown would, a moment later), so
    # that the countdown's interval fits the time really left.
    prog.note_time(course)
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
        # Streamlit takes a fragment's interval from the full run that calls it: each full run
        # sets the one that fits the time left.
        interval = countdown_interval(prog.time_left(course, lesson, settings.seat_time_scale))
        st.fragment(_countdown, run_every=interval)(course, lesson, settings, store, interval)
        st.checkbox(
            "Show the countdown",
            value=not st.session_state.get(_COUNTDOWN_HIDDEN, False),
            key=COUNTDOWN_CHECKBOX,
            on_change=_remember_countdown_choice,
        )
    else:
        _heartbeat(course, store)
