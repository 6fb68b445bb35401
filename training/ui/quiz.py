"""Knowledge checks and the final assessment: questions, "Submit answers", marked results."""

from __future__ import annotations

import time
from collections.abc import Sequence

import streamlit as st

from training import grading, records
from training.config import Settings, secret_key
from training.content import Course, Question, Quiz
from training.grading import DrawnQuestion, Score
from training.storage import Store
from training.ui import session
from training.ui.common import STEP_BUTTON_WIDTH

QUESTION_PREFIX = "q_"


def _answers(drawn: Sequence[DrawnQuestion], quiz: Quiz) -> dict[str, list[int]]:
    """The officer's choices as YAML option positions, read from the widgets."""
    answers: dict[str, list[int]] = {}
    for d in drawn:
        question = quiz.question(d.question_id)
        if question.type == "multiple":
            chosen = [i for i in d.option_order if st.session_state.get(f"q_{question.id}_{i}")]
        else:
            value = st.session_state.get(f"q_{question.id}")
            chosen = [] if value is None else [int(value)]
        if chosen:
            answers[question.id] = chosen
    return answers


def _question_widgets(number: int, question: Question, d: DrawnQuestion) -> None:
    label = f"{number}. {question.prompt}"
    if question.type == "multiple":
        with st.container(key=f"group_{question.id}"):
            st.markdown(f"**{number}\\. {question.prompt}** (choose every answer that applies)")
            for i in d.option_order:
                st.checkbox(question.options[i].text, key=f"q_{question.id}_{i}")
    else:

        def option_text(position: int) -> str:
            return question.options[position].text

        st.radio(
            label,
            options=list(d.option_order),
            format_func=option_text,
            index=None,
            key=f"q_{question.id}",
        )


def result_view(
    quiz: Quiz, drawn: Sequence[DrawnQuestion], score: Score, *, boxed: bool = True
) -> None:
    """Every marked answer with its explanation, in one Markdown element: a results page
    redraws on every click, and one element per question cost 2 messages each (14 for a check,
    40 for the final). Content validation keeps code fences, display math and HTML blocks out
    of question text, so one question cannot swallow the ones after it."""
    marked: list[str] = []
    for number, (d, result) in enumerate(zip(drawn, score.results, strict=True), start=1):
        question = quiz.question(d.question_id)
        mark = ":green[**✓ Correct**]" if result.correct else ":red[**✗ Incorrect**]"
        yours = "; ".join(question.options[i].text for i in d.option_order if i in result.chosen)
        paragraphs = [f"{mark} — {number}\\. {question.prompt}", f"Your answer: {yours}"]
        if not result.correct:
            right = "; ".join(
                question.options[i].text for i in d.option_order if question.options[i].correct
            )
            paragraphs.append(f"Correct answer: {right}")
        paragraphs.append(f"*Why:* {question.explanation}")
        marked.append("\n\n".join(paragraphs))
    text = "\n\n---\n\n".join(marked)
    if boxed:
        with st.container(border=True):
            st.markdown(text)
    else:
        st.markdown(text)


def _score_line(score: Score) -> str:
    return f"You answered {score.correct_count} of {score.total} correctly ({score.percent}%)."


def _save_error_box(store: Store, settings: Settings) -> None:
    """A failed save: what happened, that nothing is lost, and how to retry."""
    reason = st.session_state.get("save_error")
    if not session.pending() or not reason:
        return
    st.error(
        f"Your result is not saved yet: {reason}. Nothing is lost: it is kept in this window. "
        "Press “Retry saving”. If this keeps happening, tell your training coordinator.",
        icon=":material/warning:",
    )
    if st.button("Retry saving", type="primary", key="retry_saving") and session.flush_pending(
        store, settings
    ):
        session.save(store)
        st.rerun()


def _submit(
    course: Course,
    quiz: Quiz,
    drawn: list[DrawnQuestion],
    pass_mark: int,
    settings: Settings,
    store: Store,
) -> None:
    prog = session.signed_in()
    if last_result(quiz) is not None:
        return  # a second click on the same submission: it is already marked and recorded
    answers = _answers(drawn, quiz)
    missing = grading.unanswered(drawn, answers)
    if missing:
        listed = ", ".join(str(n) for n in missing)
        st.session_state["quiz_message"] = (
            f"Answer every question before submitting. Not answered yet: question {listed}."
        )
        return
    st.session_state.pop("quiz_message", None)
    submitted = records.submit(prog, course, quiz, drawn, answers, pass_mark, secret_key(settings))
    score = submitted.score
    session.pending().extend(submitted.records)
    # Kept as marked: the results page is drawn again on every click until the officer moves on.
    st.session_state["quiz_result"] = {"quiz_id": quiz.id, "drawn": drawn, "score": score}
    # The ledger rows are the record; the officer's place is saved by a later click, and an
    # officer who leaves first is caught up from the ledger at sign-in (records.catch_up). So a
    # check whose row could not be written is asked again, not shown done. A final is saved
    # now unless its completion is recorded: its answers have been shown, so its next draw
    # must be a new one.
    recorded = False
    try:
        recorded = session.flush_pending(store, settings)
    finally:
        if quiz.kind == "final" and not (recorded and score.passed):
            session.save(store)


def last_result(quiz: Quiz) -> tuple[list[DrawnQuestion], Score] | None:
    saved = st.session_state.get("quiz_result")
    if not saved or saved["quiz_id"] != quiz.id:
        return None
    return saved["drawn"], saved["score"]


def _form(
    course: Course,
    quiz: Quiz,
    drawn: list[DrawnQuestion],
    pass_mark: int,
    settings: Settings,
    store: Store,
) -> None:
    prog = session.signed_in()
    if prog.quiz_started_at is None:
        prog.quiz_started_at = time.time()
    with st.form(key=f"form_{quiz.id}", border=False, enter_to_submit=False):
        for number, d in enumerate(drawn, start=1):
            _question_widgets(number, quiz.question(d.question_id), d)
        message = st.session_state.get("quiz_message")
        if message:
            st.error(message, icon=":material/error:")
        st.form_submit_button(
            "Submit answers",
            type="primary",
            on_click=_submit,
            args=(course, quiz, drawn, pass_mark, settings, store),
        )


def _continue(course: Course, index: int, store: Store) -> None:
    prog = session.signed_in()
    st.session_state.pop("quiz_result", None)
    prog.go_to(course, index + 1)
    session.save(store)


def _back(course: Course, index: int, store: Store) -> None:
    prog = session.signed_in()
    st.session_state.pop("quiz_result", None)
    st.session_state.pop("quiz_message", None)
    prog.go_to(course, index - 1)
    session.save(store)


def render_check(
    course: Course,
    quiz: Quiz,
    index: int,
    settings: Settings,
    store: Store,
) -> None:
    prog = session.signed_in()
    st.title(quiz.title)
    _save_error_box(store, settings)
    result = last_result(quiz)
    if result is not None:
        drawn, score = result
        st.success(_score_line(score), icon=":material/task_alt:")
        result_view(quiz, drawn, score)
    elif quiz.id in prog.checks:
        st.success(
            f"You completed this check ({prog.checks[quiz.id]}%).", icon=":material/task_alt:"
        )
    else:
        st.markdown(
            "Answer every question, then press “Submit answers”. Each answer is marked "
            "with an explanation. This check does not count toward your final score."
        )
        drawn = records.check_draw(quiz, session.token())
        _form(course, quiz, drawn, records.pass_mark(quiz, settings.pass_mark), settings, store)
    if session.pending():
        return  # Back or Continue would save the place with this check done but not recorded
    with st.container(horizontal=True, horizontal_alignment="distribute", key="step_buttons"):
        st.button(
            "Back",
            key="quiz_back",
            on_click=_back,
            args=(course, index, store),
            width=STEP_BUTTON_WIDTH,
        )
        if quiz.id in prog.checks:
            st.button(
                "Continue",
                type="primary",
                key="quiz_continue",
                on_click=_continue,
                args=(course, index, store),
                width=STEP_BUTTON_WIDTH,
            )


def _try_again(quiz: Quiz, store: Store) -> None:
    prog = session.signed_in()
    st.session_state.pop("quiz_result", None)
    session.clear_widgets(QUESTION_PREFIX)
    records.new_final_draw(prog, quiz)
    session.save(store)


def render_final(course: Course, index: int, settings: Settings, store: Store) -> None:
    prog = session.signed_in()
    quiz = course.final
    pass_mark = records.pass_mark(quiz, settings.pass_mark)
    st.title(quiz.title)
    _save_error_box(store, settings)
    result = last_result(quiz)
    if result is not None:
        drawn, score = result
        if score.passed:
            st.success(f"You passed. {_score_line(score)}", icon=":material/task_alt:")
        else:
            st.error(
                f"Not passed yet. {_score_line(score)} You need {pass_mark}% to pass. "
                "Review the explanations below, then try again with a new set of questions.",
                icon=":material/error:",
            )
            st.button(
                "Try again",
                type="primary",
                key="final_try_again",
                on_click=_try_again,
                args=(quiz, store),
            )
        result_view(quiz, drawn, score)
        return
    if prog.final_draw is None:
        drawn = records.new_final_draw(prog, quiz)
        session.save(store)
    else:
        drawn = [DrawnQuestion.from_dict(d) for d in prog.final_draw]
    st.markdown(
        f"{len(drawn)} questions drawn from the whole course. You need {pass_mark}% to pass. "
        "Answer every question, then press “Submit answers”."
    )
    _form(course, quiz, drawn, pass_mark, settings, store)
    st.button("Back", key="quiz_back", on_click=_back, args=(course, index, store))
