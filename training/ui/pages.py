"""The app's pages, defined once: app.py navigates over them and pages link to each other.

Each page is a script file (run by Streamlit on every rerun), so AppTest can open it too.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_HERE = Path(__file__).parent

TRAINING = st.Page(
    _HERE / "training_page.py", title="Training", icon=":material/school:", default=True
)
WHO_TO_CALL = st.Page(
    _HERE / "who_to_call.py", title="Who to call", icon=":material/call:", url_path="who-to-call"
)

COORDINATOR = st.Page(
    _HERE / "coordinator.py",
    title="Coordinator",
    icon=":material/admin_panel_settings:",
    url_path="coordinator",
)

VERIFY = st.Page(
    _HERE / "verify.py", title="Verify certificate", icon=":material/verified:", url_path="verify"
)

ALL = [TRAINING, WHO_TO_CALL, VERIFY, COORDINATOR]
