"""The officer's course (the Training page): sign-in, then lessons, knowledge checks
and the final, in order."""

from __future__ import annotations

import streamlit as st

from training import page_titles
from training.config import Settings
from training.content import Course
from training.progress import Progress, Step, step_lesson, step_module, steps
from training.record_types import CompletionRecord
from training.ui import completion, lesson, quiz, session, sign_in
from training.ui.accessibility import page_title, start_at_top
from training.ui.common import (
    course_or_stop,
    escape_markdown,
    open_store_or_stop,
    report_it_panel,
    results_writable_or_stop,
    settings_or_stop,
)


def _progress_header(course: Course, prog: Progress, index: int) -> None:
    all_steps = steps(course)
    done = prog.fraction_done(course)
    st.progress(
        done, text=f"Course progress: {round(done * 100)}% · step {index + 1} of {len(all_steps)}"
    )


def _status(done: bool) -> str:
    # Plain symbols and words: a Material icon in Markdown is announced by its name
    # ("radio_button_unchecked icon") to screen-reader users.
    return "✓ Done:" if done else "To do:"


def _sidebar(course: Course, prog: Progress, index: int, settings: Settings) -> None:
    with st.sidebar:
        # One Markdown element: the sidebar is drawn on every click. Who is signed in sits
        # last, by the Sign out button.
        lines = ["## Your progress", ""]
        for m, module in enumerate(course.modules, start=1):
            lines.append(
                f"- {_status(prog.module_done(course, module))} Module {m}: {module.title}"
            )
        lines.append(f"- {_status(prog.completion is not None)} {course.final.title}")
        lines += [
            "",
            f"Signed in as **{escape_markdown(prog.name)}**  \n"
            f"{escape_markdown(prog.badge_number)} · {escape_markdown(prog.agency)}",
        ]
        st.markdown("\n".join(lines))
        st.button("Sign out", key="sign_out", on_click=session.sign_out)
        earlier = prog.earlier_completions[-1] if prog.earlier_completions else None
        if earlier is not None and prog.completion is None:
            record = CompletionRecord(**earlier)
            day = completion.local_date(record.completed_at, settings)
            st.markdown(f"You completed this course on {day}.")
            completion.certificate_button(
                course, record, settings, "download_earlier_certificate", "Download certificate"
            )


def _title(course: Course, step: Step, complete: bool) -> str:
    if complete:
        return page_titles.training_complete()
    result = st.session_state.get("quiz_result")
    marked = (result["quiz_id"], bool(result["score"].passed)) if result else None
    return page_titles.course_step(course, step, marked)


def _heading(course: Course, step: Step, complete: bool) -> str:
    """The text of the step's h1, which gets focus when the step is new."""
    if complete:
        return completion.HEADING
    module = step_module(course, step)
    current = step_lesson(course, step)
    if current is not None:
        return current.title
    return course.check_for(module).title if module is not None else course.final.title


def render() -> None:
    settings = settings_or_stop()
    course = course_or_stop(settings)
    store = open_store_or_stop(settings)
    session.restore(store, course)
    prog = session.progress()
    if prog is None:
        page_title(page_titles.sign_in())
        results_writable_or_stop(settings)
        sign_in.render(course, store)
        report_it_panel(course)
        start_at_top("sign-in", course.info.title)
        return
    if st.session_state.get("progress_save_error"):
        st.warning(
            "Your place in the course could not be saved "
            f"({st.session_state['progress_save_error']}). You can keep going in this window.",
            icon=":material/warning:",
        )
    index, step = prog.current(course)
    complete = prog.completion is not None and not session.pending()
    page_title(_title(course, step, complete))
    _sidebar(course, prog, index, settings)
    if complete and prog.completion is not None:
        completion.render(course, CompletionRecord(**prog.completion), settings, store)
    else:
        _progress_header(course, prog, index)
        module = step_module(course, step)
        current_lesson = step_lesson(course, step)
        if current_lesson is not None and module is not None:
            lesson.render(course, module, current_lesson, index, settings, store)
        elif step.kind == "check" and module is not None:
            quiz.render_check(course, course.check_for(module), index, settings, store)
        else:
            quiz.render_final(course, index, settings, store)
    report_it_panel(course)
    # Marked results replace the questions: show them from the top, where the score is.
    view = "results" if st.session_state.get("quiz_result") else "page"
    start_at_top(
        "complete" if prog.completion else f"{index}:{view}", _heading(course, step, complete)
    )
