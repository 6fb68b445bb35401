"""The sign-in form: name, badge or officer ID, agency."""

from __future__ import annotations

import streamlit as st

from training.content import Course
from training.officers import OTHER_AGENCY, agencies, sign_in
from training.progress import Progress
from training.records import catch_up
from training.storage import Store
from training.ui import session
from training.ui.common import escape_markdown

PLACE_UNAVAILABLE = (
    "Your saved place cannot be loaded right now, so the training has not started. Nothing "
    "is lost: wait a moment and press Start training to try again."
)


def _field_error(key: str) -> None:
    message = st.session_state.get("sign_in_errors", {}).get(key)
    if message:
        # The message quotes the character that was refused: shown as text, not markup.
        st.error(escape_markdown(message), icon=":material/error:")


def _start(course: Course, store: Store) -> None:
    officer, errors = sign_in(
        st.session_state.get("officer_name", ""),
        st.session_state.get("badge_number", ""),
        st.session_state.get("agency"),
        st.session_state.get("agency_other", ""),
    )
    st.session_state["sign_in_errors"] = errors
    if officer is None:
        return
    tok = store.progress_token(officer)
    try:
        saved = store.load_progress(tok)
    except OSError:
        # Not "no saved place": starting afresh here would save over the officer's real one.
        st.session_state["sign_in_errors"] = {"place": PLACE_UNAVAILABLE}
        return
    if saved is None or saved.course_id != course.info.id:
        saved = Progress.start(officer, course, store.completions_mark(), store.attempts_mark())
    else:
        catch_up(saved, course, store)
        saved.name = officer.name  # the latest spelling the officer typed is the one we keep
    session.begin(tok, saved)
    session.save(store)


def render(course: Course, store: Store) -> None:
    st.title(course.info.title)
    st.markdown(
        "Training for Mississippi law enforcement officers on recognizing, responding to and "
        f"reporting human trafficking: {course.info.credit_hours:g} hours toward the training "
        f"that {escape_markdown(course.info.statute)} requires of officers on field or "
        "investigative duty. Your place is saved as you go: sign in again with the same badge "
        "or officer ID and agency to continue."
    )
    st.header("Sign in")
    st.text_input("Full name", key="officer_name", max_chars=80, autocomplete="name")
    _field_error("officer_name")
    st.text_input("Badge or officer ID", key="badge_number", max_chars=20, autocomplete="off")
    _field_error("badge_number")
    st.selectbox(
        "Agency",
        options=[*agencies(), OTHER_AGENCY],
        index=None,
        key="agency",
        placeholder="Type to search, or choose “Other (not listed)”",
    )
    if st.session_state.get("agency") == OTHER_AGENCY:
        st.text_input("Agency name", key="agency_other", max_chars=80)
    _field_error("agency")
    st.button("Start training", type="primary", on_click=_start, args=(course, store))
    _field_error("place")
