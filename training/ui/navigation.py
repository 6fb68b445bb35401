"""The app's pages, defined once: app.py navigates over them and pages link to each other.

Each page is a small script file in pages/ (run by Streamlit on every rerun), so AppTest can
open it too.
Fresh st.Page objects are made on every run: st.navigation keeps per-run state on them, and
objects shared by concurrent sessions made one officer's run fail when another's ran at the
same moment ("This page cannot be called directly"). Keeping them per session is no safer:
with Streamlit's fast reruns, a session's next run starts before its last one has stopped.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

_HERE = Path(__file__).parent / "pages"

TRAINING = _HERE / "course.py"
WHO_TO_CALL = _HERE / "who_to_call.py"
VERIFY = _HERE / "verify.py"
COORDINATOR = _HERE / "coordinator.py"


def all_pages() -> list[StreamlitPage]:
    """The pages for this run, in the order the navigation lists them."""
    return [
        st.Page(TRAINING, title="Training", icon=":material/school:", default=True),
        st.Page(WHO_TO_CALL, title="Who to call", icon=":material/call:", url_path="who-to-call"),
        st.Page(VERIFY, title="Verify certificate", icon=":material/verified:", url_path="verify"),
        st.Page(
            COORDINATOR,
            title="Coordinator",
            icon=":material/admin_panel_settings:",
            url_path="coordinator",
        ),
    ]
