"""The app's pages, defined once: app.py navigates over them and pages link to each other.

The course, where officers click most, is a function: a script file would be read and compiled
again on each of AppTest's runs. The other pages are small script files in pages/, so AppTest
can switch to them.
Every run gets page objects of its own: st.navigation keeps per-run state on them, and objects
shared by concurrent sessions made one officer's run fail when another's ran at the same moment
("This page cannot be called directly"). Keeping them per session is no safer: with
Streamlit's fast reruns, a session's next run starts before its last one has stopped. Building
them costs a path resolution and a file check each (0.2 ms a click for the four), so they are
built once and each run gets copies.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner import get_script_run_ctx

_HERE = Path(__file__).parent / "pages"

WHO_TO_CALL = _HERE / "who_to_call.py"
VERIFY = _HERE / "verify.py"
COORDINATOR = _HERE / "coordinator.py"

TRAINING = "training"

_built: dict[Path | str, StreamlitPage] = {}
#: The course's page function, handed in by app.py: this module is imported by the pages
#: that link to others, so it imports none of them (no import loop).
_training: list[Callable[[], None]] = []


def _build() -> dict[Path | str, StreamlitPage]:
    if not _training:
        raise RuntimeError("app.py lists the pages (all_pages) before any page links to one")
    return {
        TRAINING: st.Page(
            _training[0],
            title="Training",
            icon=":material/school:",
            url_path="training",
            default=True,
        ),
        WHO_TO_CALL: st.Page(
            WHO_TO_CALL, title="Who to call", icon=":material/call:", url_path="who-to-call"
        ),
        VERIFY: st.Page(
            VERIFY, title="Verify certificate", icon=":material/verified:", url_path="verify"
        ),
        COORDINATOR: st.Page(
            COORDINATOR,
            title="Coordinator",
            icon=":material/admin_panel_settings:",
            url_path="coordinator",
        ),
    }


def _pages() -> dict[Path | str, StreamlitPage]:
    global _built
    if _built:
        return _built
    pages = _build()
    # st.Page is only complete inside a script run. Two sessions starting at once may both
    # build them: the same pages, harmlessly.
    if get_script_run_ctx() is not None:
        _built = pages
    return pages


def all_pages(training: Callable[[], None]) -> list[StreamlitPage]:
    """This run's pages, in the order the navigation lists them; `training` draws the course."""
    if not _training:
        _training.append(training)
    return [copy.copy(page) for page in _pages().values()]


def link_to(script: Path | str) -> StreamlitPage:
    """A page for st.page_link, which, given a path instead, resolves it on every click."""
    return _pages()[script]
