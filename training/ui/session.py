"""The officer's session: who is signed in, their progress, and records waiting to be saved.

A refresh starts a new Streamlit session; the `resume` query parameter (a keyed hash, see
Store.progress_token) brings the officer back to their saved place.
"""

from __future__ import annotations

import streamlit as st

from training import xapi
from training.config import Settings
from training.content import Course
from training.progress import Progress
from training.records import Pending, catch_up, save_pending
from training.storage import Store

RESUME_PARAM = "resume"


def progress() -> Progress | None:
    return st.session_state.get("progress")


def signed_in() -> Progress:
    """The signed-in officer's progress (pages call this only after sign-in)."""
    prog = progress()
    if prog is None:
        raise RuntimeError("no officer is signed in")
    return prog


def token() -> str:
    return st.session_state["token"]


def begin(tok: str, prog: Progress) -> None:
    st.session_state["token"] = tok
    st.session_state["progress"] = prog
    st.session_state.setdefault("pending", [])
    st.query_params[RESUME_PARAM] = tok


def restore(store: Store, course: Course) -> None:
    """After a refresh, pick the officer's saved progress back up from the resume link."""
    if "progress" in st.session_state:
        # Back from another page, whose link dropped the parameter: put it back so that a
        # refresh still resumes.
        if st.query_params.get(RESUME_PARAM) != st.session_state["token"]:
            st.query_params[RESUME_PARAM] = st.session_state["token"]
        return
    tok = st.query_params.get(RESUME_PARAM)
    if not tok:
        return
    try:
        saved = store.load_progress(tok)
    except OSError:
        saved = None
    if saved is None:
        del st.query_params[RESUME_PARAM]
        return
    catch_up(saved, course, store)
    begin(tok, saved)


def sign_out() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.query_params.clear()


def save(store: Store) -> None:
    """Save the officer's place; a failure is shown but does not stop the course."""
    prog = progress()
    if prog is None:
        return
    try:
        store.save_progress(token(), prog)
        st.session_state.pop("progress_save_error", None)
    except OSError as exc:
        st.session_state["progress_save_error"] = exc.strerror or str(exc)


def pending() -> list[Pending]:
    return st.session_state.setdefault("pending", [])


def flush_pending(store: Store, settings: Settings) -> bool:
    """Save waiting records; True when nothing is left waiting. The officer's place is the
    caller's to save (a recorded check or completion does not need it at once)."""
    waiting = pending()
    if not waiting:
        return True
    try:
        completion = save_pending(waiting, store)
    except OSError as exc:  # a StoreWriteError: the disk or the database
        st.session_state["save_error"] = exc.strerror or "the results could not be written"
        return False
    st.session_state.pop("save_error", None)
    lrs = settings.lrs
    if lrs is not None:
        # After the records are saved, and without waiting: the LRS may be slow or away.
        xapi.send_soon(store, lrs)
    if completion is not None:
        prog = signed_in()
        prog.completion = completion.__dict__.copy()
        prog.final_draw = None
    return True


def clear_widgets(prefix: str) -> None:
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[key]
