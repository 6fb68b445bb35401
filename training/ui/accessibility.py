"""What every page does for keyboard and screen-reader users, beyond Streamlit's own: a title
naming the page and the step, focus on the heading of each new step, a visible focus ring on
every control, targets of at least 24 × 24 pixels, and no invisible Tab stops
(docs/accessibility.md says why each is here).

Streamlit has no setting for these. A script (accessibility.js) goes once to each browser tab,
with the first step it shows: it adds the style sheet (accessibility.css) and the keyboard fixes
to the page, where they stay whatever later runs send. Each new step or page after that sends
one line calling it. Sending the 8 KB on every run cost every click about 0.3 ms of server CPU.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

#: The favicon of every page.
PAGE_ICON = ":material/shield:"

_HERE = Path(__file__).parent
#: Set in a session once its tab has been sent the script: a tab is a session (a reload or a
#: new tab starts a new one), so the script is in the page for as long as the flag is set.
_SENT = "page_script_sent"


def _script_string(text: str) -> str:
    """`text` as a JavaScript string that cannot end the <script> element it is written in."""
    return json.dumps(text).replace("</", "<\\/")


_PAGE_SCRIPT = (
    (_HERE / "accessibility.js")
    .read_text(encoding="utf-8")
    .replace("__STYLE__", _script_string((_HERE / "accessibility.css").read_text(encoding="utf-8")))
)


def page_title(title: str, *, wide: bool = False) -> None:
    """The browser tab's title (training.page_titles), which a screen reader reads first, with
    the icon and the page's width (`wide` for tables of records): one page configuration a run,
    sent whole so that nothing is left over from the page before."""
    st.set_page_config(page_title=title, page_icon=PAGE_ICON, layout="wide" if wide else "centered")


def start_at_top(step: str, heading: str) -> None:
    """When the user reaches another step or page (`step` names it), show it from its top
    with focus on its heading (the h1 whose text is `heading`), not mid-page with focus on a
    control that is gone. The first call in a session also sends the page script."""
    if st.session_state.get("shown_step") == step:
        return
    st.session_state["shown_step"] = step
    call = (
        f"window.__trainingStartAt({_script_string(step)}, "
        f"{_script_string(' '.join(heading.split()))});"
    )
    if not st.session_state.get(_SENT):
        st.session_state[_SENT] = True
        call = f"{_PAGE_SCRIPT}\n{call}"
    st.html(f"<script>\n{call}\n</script>", unsafe_allow_javascript=True)
